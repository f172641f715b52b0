// Setting one value in a block-style YAML text (config/yaml_edit.hpp).
#include "dnngen/config/yaml_edit.hpp"

#include <fmt/format.h>

#include <cctype>
#include <sstream>
#include <vector>

#include "dnngen/common/error.hpp"
#include "text_internal.hpp"

namespace dnngen::config {
namespace {

using text::join;
using text::split;
using text::trim;

// One line of a block-style YAML document, as far as key paths need it.
struct YamlLine {
  std::string text;
  int indent = 0;
  bool content = false;  // not blank, not a comment
  std::string key;       // "key" of a `key: ...` line, else ""
  std::string rest;      // after the colon, without a trailing comment
};

YamlLine classify_line(const std::string& text) {
  YamlLine line;
  line.text = text;
  const size_t first = text.find_first_not_of(' ');
  if (first == std::string::npos || text[first] == '#') return line;
  line.indent = static_cast<int>(first);
  line.content = true;
  size_t end = first;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
    ++end;
  size_t colon = end;
  while (colon < text.size() && text[colon] == ' ') ++colon;
  if (end > first && colon < text.size() && text[colon] == ':' &&
      (colon + 1 == text.size() || text[colon + 1] == ' ')) {
    line.key = text.substr(first, end - first);
    std::string rest = text.substr(colon + 1);
    const size_t hash = rest.find(" #");
    if (hash != std::string::npos) rest = rest.substr(0, hash);
    line.rest = trim(rest);
  }
  return line;
}

// The line index after the last line that belongs to the mapping entry at `at` (its
// nested or continuation lines are the following content lines indented deeper).
size_t entry_end(const std::vector<YamlLine>& lines, size_t at, size_t end) {
  size_t last = at;
  for (size_t i = at + 1; i < end; ++i) {
    if (!lines[i].content) continue;
    if (lines[i].indent <= lines[at].indent) break;
    last = i;
  }
  return last + 1;
}

// Sets path[depth..] inside lines [begin, end), a mapping nested at parent_indent.
void set_in(std::vector<YamlLine>& lines, size_t begin, size_t end, int parent_indent,
            const std::vector<std::string>& path, size_t depth, const std::string& value,
            const std::string& where) {
  int indent = -1;
  size_t insert_at = begin;  // after the mapping's last content line
  for (size_t i = begin; i < end; ++i) {
    if (!lines[i].content) continue;
    if (indent < 0) indent = lines[i].indent;
    insert_at = i + 1;
  }
  if (indent < 0) indent = parent_indent < 0 ? 0 : parent_indent + 2;
  const std::string& key = path[depth];
  const bool leaf = depth + 1 == path.size();
  std::string dotted;
  for (size_t i = 0; i <= depth; ++i) dotted += (i ? "." : "") + path[i];

  for (size_t i = begin; i < end; ++i) {
    if (!lines[i].content || lines[i].indent != indent || lines[i].key != key) continue;
    const size_t stop = entry_end(lines, i, end);
    if (leaf) {
      const bool has_children = stop > i + 1 && lines[i].rest.empty();
      if (has_children)
        throw InputError(fmt::format("{}: cannot set '{}': it is a section, not a value", where, dotted));
      // Drop continuation lines of a multi-line value along with the value.
      lines.erase(lines.begin() + static_cast<long>(i) + 1, lines.begin() + static_cast<long>(stop));
      lines[i] = classify_line(std::string(static_cast<size_t>(indent), ' ') + key + ": " + value);
      return;
    }
    if (!lines[i].rest.empty()) {
      if (lines[i].rest[0] == '{') {
        throw InputError(
            fmt::format("{}: cannot set '{}' inside '{}': it is a flow-style mapping "
                        "({{...}}); write the base config in block style",
                        where, join(path, "."), dotted));
      }
      throw InputError(
          fmt::format("{}: cannot set '{}': '{}' is a value, not a section", where, join(path, "."), dotted));
    }
    set_in(lines, i + 1, stop, indent, path, depth + 1, value, where);
    return;
  }
  // Not there: add it (with any missing sections), so the parser names it if unknown.
  std::vector<YamlLine> added;
  int at = indent;
  for (size_t d = depth; d < path.size(); ++d, at += 2) {
    const bool last = d + 1 == path.size();
    added.push_back(
        classify_line(std::string(static_cast<size_t>(at), ' ') + path[d] + ":" + (last ? " " + value : "")));
  }
  lines.insert(lines.begin() + static_cast<long>(insert_at), added.begin(), added.end());
}

}  // namespace

std::string set_yaml_value(const std::string& yaml, const std::string& key, const std::string& value,
                           const std::string& source_name) {
  std::vector<YamlLine> lines;
  std::istringstream in(yaml);
  std::string text;
  while (std::getline(in, text)) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const size_t first = text.find_first_not_of(" \t");
    if (first != std::string::npos && text.find('\t') < first) {
      throw InputError(fmt::format("{}: tab in the indentation; YAML indents with spaces", source_name));
    }
    lines.push_back(classify_line(text));
  }
  set_in(lines, 0, lines.size(), -1, split(key, '.'), 0, value, source_name);
  std::string out;
  for (const auto& l : lines) out += l.text + "\n";
  return out;
}

}  // namespace dnngen::config
