#pragma once
// The one reader of the comma-separated tables dnngen takes (workload networks, EIE
// layer tables, bit-serial precision profiles). Its rules, the same for every table:
// - one row per line; blank lines and lines whose first non-blank character is '#'
//   are skipped, but still counted, so messages give the line an editor shows (from 1);
// - fields are split at every comma, so "a,b," has three fields, the last empty; no
//   quoting;
// - blanks (spaces, tabs, carriage returns) around a field are dropped.
// What the fields mean, and so the messages about them, is the caller's.
#include <string>
#include <vector>

namespace dnngen::csv {

// One data line and where it came from.
class Row {
 public:
  Row(std::string source, int line, std::vector<std::string> fields);

  size_t size() const { return fields_.size(); }
  const std::string& operator[](size_t i) const { return fields_[i]; }
  const std::vector<std::string>& fields() const { return fields_; }
  const std::string& source() const { return source_; }
  int line() const { return line_; }

  // Throws InputError "SOURCE:LINE: message".
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::string source_;
  int line_;
  std::vector<std::string> fields_;
};

// The data rows of `text`; `source` names it in messages.
std::vector<Row> parse(const std::string& text, const std::string& source);

// The data rows of the file at `path`. InputError "PATH: cannot read WHAT" when it
// cannot be opened, "PATH: error while reading WHAT" when reading fails.
std::vector<Row> read_file(const std::string& path, const std::string& what);

}  // namespace dnngen::csv
