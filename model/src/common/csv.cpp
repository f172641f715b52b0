#include "dnngen/common/csv.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "dnngen/common/error.hpp"
#include "dnngen/common/strings.hpp"

namespace dnngen::csv {

Row::Row(std::string source, int line, std::vector<std::string> fields)
    : source_(std::move(source)), line_(line), fields_(std::move(fields)) {}

void Row::fail(const std::string& message) const {
  throw InputError(fmt::format("{}:{}: {}", source_, line_, message));
}

std::vector<Row> parse(const std::string& text, const std::string& source) {
  std::vector<Row> rows;
  std::istringstream in(text);
  std::string raw;
  for (int line = 1; std::getline(in, raw); ++line) {
    const std::string content = strings::trim(raw);
    if (content.empty() || content.front() == '#') continue;
    std::vector<std::string> fields = strings::split(content, ',');
    for (auto& field : fields) field = strings::trim(field);
    rows.emplace_back(source, line, std::move(fields));
  }
  return rows;
}

std::vector<Row> read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read " + what);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path + ": error while reading " + what);
  return parse(text.str(), path);
}

}  // namespace dnngen::csv
