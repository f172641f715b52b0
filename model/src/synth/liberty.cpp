// Liberty reader: a tokenizer and a recursive-descent parser of the group /
// attribute syntax that keeps only library, cell and pin data (timing and power
// tables are parsed and dropped), plus an evaluator of pin functions.
#include "dnngen/synth/liberty.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "dnngen/common/error.hpp"

namespace dnngen::synth {
namespace {

enum class Tok { kEnd, kWord, kString, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  int line = 0;
};

class Lexer {
 public:
  Lexer(const std::string& text, const std::string& path) : text_(text), path_(path) {}

  const Token& peek() {
    if (!has_peek_) {
      peek_ = lex();
      has_peek_ = true;
    }
    return peek_;
  }
  Token next() {
    peek();
    has_peek_ = false;
    return peek_;
  }
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw InputError(fmt::format("Liberty file {} does not parse: line {}: {}", path_, line, what));
  }

 private:
  static bool is_punct(char c) {
    return c == '(' || c == ')' || c == '{' || c == '}' || c == ':' || c == ';' || c == ',';
  }
  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {  // also \v, which the word lexer ends on
        ++pos_;
      } else if (c == '\\' && pos_ + 1 < text_.size() &&
                 (text_[pos_ + 1] == '\n' || text_[pos_ + 1] == '\r')) {
        ++pos_;  // line continuation
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        const int start = line_;
        const size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string::npos) fail(start, "comment not closed");
        for (size_t i = pos_; i < end; ++i) line_ += text_[i] == '\n';
        pos_ = end + 2;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }
  Token lex() {
    skip_space();
    Token t;
    t.line = line_;
    if (pos_ >= text_.size()) return t;
    const char c = text_[pos_];
    if (c == '"') {
      t.kind = Tok::kString;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) fail(t.line, "string not closed");
        const char d = text_[pos_++];
        if (d == '"') break;
        if (d == '\\' && pos_ < text_.size()) {
          const char e = text_[pos_++];
          if (e == '\n') {
            ++line_;
          } else if (e != '\r') {
            t.text += e;
          }
          continue;
        }
        if (d == '\n') ++line_;
        t.text += d;
      }
      return t;
    }
    if (is_punct(c)) {
      t.kind = Tok::kPunct;
      t.text = std::string(1, c);
      ++pos_;
      return t;
    }
    t.kind = Tok::kWord;
    while (pos_ < text_.size()) {
      const char d = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(d)) || is_punct(d) || d == '"') break;
      if (d == '\\' && pos_ + 1 < text_.size() && (text_[pos_ + 1] == '\n' || text_[pos_ + 1] == '\r')) break;
      t.text += d;
      ++pos_;
    }
    // Nothing a word can start with (fuzzing found a lone backslash before '\r' looping here).
    if (t.text.empty())
      fail(t.line, fmt::format("unexpected character 0x{:02x}", static_cast<unsigned char>(c)));
    return t;
  }

  const std::string& text_;
  const std::string& path_;
  size_t pos_ = 0;
  int line_ = 1;
  Token peek_;
  bool has_peek_ = false;
};

// One parsed statement's head: `name (args)` or `name : value`.
struct Group {
  std::string name;
  std::vector<std::string> args;
  std::map<std::string, std::string> attributes;  // simple attributes, and complex ones joined by ','
  std::vector<Group> children;                    // only the groups we keep
};

bool keep_group(const std::string& name) {
  return name == "library" || name == "cell" || name == "pin" || name == "bus" || name == "bundle" ||
         name == "ff" || name == "latch" || name == "statetable" || name == "ff_bank" ||
         name == "latch_bank" || name == "type";
}

class Parser {
 public:
  Parser(const std::string& text, const std::string& path) : lex_(text, path) {}

  Group parse_file() {
    Group root;
    parse_statements(root, /*top=*/true);
    return root;
  }

 private:
  std::string value_token(const char* what) {
    Token t = lex_.next();
    if (t.kind != Tok::kWord && t.kind != Tok::kString) {
      lex_.fail(t.line, fmt::format("expected {}, found '{}'", what, t.text));
    }
    return t.text;
  }

  void expect(const char* punct) {
    Token t = lex_.next();
    if (t.kind != Tok::kPunct || t.text != punct) {
      lex_.fail(t.line, fmt::format("expected '{}', found '{}'", punct,
                                    t.kind == Tok::kEnd ? "end of file" : t.text));
    }
  }

  void skip_semicolons() {
    while (lex_.peek().kind == Tok::kPunct && lex_.peek().text == ";") lex_.next();
  }

  // Statements until '}' (or the end of the file at the top level).
  void parse_statements(Group& parent, bool top) {
    while (true) {
      skip_semicolons();
      const Token& t = lex_.peek();
      if (t.kind == Tok::kEnd) {
        if (!top) lex_.fail(t.line, "end of file inside a group (missing '}')");
        return;
      }
      if (t.kind == Tok::kPunct && t.text == "}") {
        if (top) lex_.fail(t.line, "'}' without a group");
        lex_.next();
        return;
      }
      parse_statement(parent);
    }
  }

  void parse_statement(Group& parent) {
    Token name = lex_.next();
    if (name.kind != Tok::kWord) {
      lex_.fail(name.line, fmt::format("expected an attribute or group name, found '{}'", name.text));
    }
    const Token& t = lex_.peek();
    if (t.kind == Tok::kPunct && t.text == ":") {
      lex_.next();
      // Simple attribute; some libraries write expressions (a + b) unquoted.
      std::string value = value_token("a value");
      while (lex_.peek().kind == Tok::kWord) value += " " + lex_.next().text;
      parent.attributes[name.text] = value;
      return;
    }
    if (!(t.kind == Tok::kPunct && t.text == "(")) {
      lex_.fail(t.line, fmt::format("expected ':' or '(' after '{}', found '{}'", name.text,
                                    t.kind == Tok::kEnd ? "end of file" : t.text));
    }
    lex_.next();
    std::vector<std::string> args;
    while (true) {
      const Token& a = lex_.peek();
      if (a.kind == Tok::kPunct && a.text == ")") {
        lex_.next();
        break;
      }
      if (a.kind == Tok::kPunct && a.text == ",") {
        lex_.next();
        continue;
      }
      if (a.kind == Tok::kEnd) lex_.fail(a.line, "end of file in an argument list");
      if (a.kind == Tok::kPunct)
        lex_.fail(a.line, fmt::format("unexpected '{}' in an argument list", a.text));
      args.push_back(lex_.next().text);
    }
    const Token& after = lex_.peek();
    if (after.kind == Tok::kPunct && after.text == "{") {
      lex_.next();
      Group g;
      g.name = name.text;
      g.args = std::move(args);
      parse_statements(g, /*top=*/false);
      if (keep_group(g.name)) parent.children.push_back(std::move(g));
      return;
    }
    // Complex attribute: name (a, b, ...);
    std::string joined;
    for (const auto& a : args) joined += (joined.empty() ? "" : ",") + a;
    parent.attributes[name.text] = joined;
  }

  Lexer lex_;
};

double to_number(const std::string& text, const std::string& what, const std::string& path) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) {
    throw InputError(fmt::format("Liberty file {}: {} is '{}', not a number", path, what, text));
  }
  return v;
}

void add_pin(const Group& g, int width, LibertyCell& cell, const std::string& path) {
  LibertyPin pin;
  pin.name = g.args.empty() ? "" : g.args.front();
  pin.width = width;
  if (auto it = g.attributes.find("direction"); it != g.attributes.end()) pin.direction = it->second;
  if (auto it = g.attributes.find("function"); it != g.attributes.end()) pin.function = it->second;
  if (auto it = g.attributes.find("capacitance"); it != g.attributes.end()) {
    pin.capacitance = to_number(it->second, "capacitance of " + cell.name + "/" + pin.name, path);
  }
  cell.pins.push_back(std::move(pin));
}

LibertyCell make_cell(const Group& g, const std::map<std::string, int>& bus_widths, const std::string& path) {
  LibertyCell cell;
  cell.name = g.args.empty() ? "" : g.args.front();
  if (auto it = g.attributes.find("area"); it != g.attributes.end()) {
    cell.area = to_number(it->second, "area of cell " + cell.name, path);
    cell.has_area = true;
  }
  if (auto it = g.attributes.find("dont_use"); it != g.attributes.end()) cell.dont_use = it->second == "true";
  for (const auto& child : g.children) {
    if (child.name == "ff" || child.name == "latch" || child.name == "statetable" ||
        child.name == "ff_bank" || child.name == "latch_bank") {
      cell.sequential = true;
    } else if (child.name == "pin") {
      // One pin group may name several pins: pin (A, B) { ... }.
      for (const auto& name : child.args) {
        Group single = child;
        single.args = {name};
        add_pin(single, 1, cell, path);
      }
    } else if (child.name == "bus" || child.name == "bundle") {
      int width = 1;
      if (auto it = child.attributes.find("bus_type"); it != child.attributes.end()) {
        if (auto w = bus_widths.find(it->second); w != bus_widths.end()) width = w->second;
      }
      add_pin(child, width, cell, path);
    }
  }
  return cell;
}

// ---------------------------------------------------------------- functions

class FunctionEval {
 public:
  FunctionEval(const std::string& text, const std::vector<std::string>& inputs, unsigned row)
      : text_(text), inputs_(inputs), row_(row) {}

  bool eval() {
    const bool v = parse_or();
    skip();
    if (pos_ != text_.size()) fail("unexpected '" + text_.substr(pos_, 1) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(fmt::format("Liberty function '{}': {}", text_, what));
  }
  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at(char c) {
    skip();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool starts_factor() {
    skip();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    return c == '!' || c == '(' || std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '[';
  }
  bool parse_or() {
    bool v = parse_and();
    while (at('|') || at('+')) {
      ++pos_;
      v = parse_and() || v;
    }
    return v;
  }
  bool parse_and() {
    bool v = parse_xor();
    while (true) {
      if (at('&') || at('*')) {
        ++pos_;
      } else if (!starts_factor()) {
        return v;  // juxtaposition ("A B") is also AND
      }
      v = parse_xor() && v;
    }
  }
  bool parse_xor() {
    bool v = parse_factor();
    while (at('^')) {
      ++pos_;
      v = parse_factor() != v;
    }
    return v;
  }
  bool parse_factor() {
    if (at('!')) {
      ++pos_;
      return !parse_factor();
    }
    bool v = parse_primary();
    while (at('\'')) {
      ++pos_;
      v = !v;
    }
    return v;
  }
  bool parse_primary() {
    skip();
    if (at('(')) {
      ++pos_;
      const bool v = parse_or();
      if (!at(')')) fail("missing ')'");
      ++pos_;
      return v;
    }
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '[' || c == ']' || c == '.'))
        break;
      ++pos_;
    }
    if (start == pos_)
      fail(pos_ < text_.size() ? "unexpected '" + text_.substr(pos_, 1) + "'" : "expression ends early");
    const std::string name = text_.substr(start, pos_ - start);
    if (name == "0") return false;
    if (name == "1") return true;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i] == name) return ((row_ >> i) & 1U) != 0;
    }
    fail("unknown input '" + name + "'");
  }

  const std::string& text_;
  const std::vector<std::string>& inputs_;
  unsigned row_;
  size_t pos_ = 0;
};

// The cell's single output's truth table over its inputs, if it is a plain
// combinational cell with one output and up to four inputs.
bool simple_function(const LibertyCell& cell, std::vector<std::string>& inputs, std::vector<bool>& table) {
  if (cell.sequential || cell.dont_use || !cell.has_area || cell.area <= 0) return false;
  const LibertyPin* out = nullptr;
  inputs.clear();
  for (const auto& pin : cell.pins) {
    if (pin.width != 1) return false;
    if (pin.direction == "input") {
      inputs.push_back(pin.name);
    } else if (pin.direction == "output") {
      if (out != nullptr) return false;
      out = &pin;
    } else if (pin.direction != "internal") {
      return false;
    }
  }
  if (out == nullptr || out->function.empty() || inputs.empty() || inputs.size() > 4) return false;
  try {
    table = liberty_truth_table(out->function, inputs);
  } catch (const InputError&) {
    return false;
  }
  return true;
}

const LibertyCell* smallest_with(const Liberty& lib, const std::vector<bool>& wanted) {
  const LibertyCell* best = nullptr;
  std::vector<std::string> inputs;
  std::vector<bool> table;
  for (const auto& [name, cell] : lib.cells) {
    if (!simple_function(cell, inputs, table) || table != wanted) continue;
    // Clock-tree cells (clkinv, CLKBUF) are meant for clock nets: last choice.
    const auto rank = [](const LibertyCell& c) {
      std::string lower = c.name;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return std::make_pair(lower.find("clk") != std::string::npos, c.area);
    };
    if (best == nullptr || rank(cell) < rank(*best)) best = &cell;
  }
  return best;
}

}  // namespace

Liberty parse_liberty(const std::string& text, const std::string& path) {
  Parser parser(text, path);
  const Group root = parser.parse_file();
  const Group* library = nullptr;
  for (const auto& g : root.children) {
    if (g.name == "library") library = &g;
  }
  if (library == nullptr) {
    throw InputError(fmt::format("Liberty file {} does not parse: no library (...) {{ }} group", path));
  }
  Liberty lib;
  lib.path = path;
  lib.name = library->args.empty() ? "" : library->args.front();
  if (auto it = library->attributes.find("time_unit"); it != library->attributes.end())
    lib.time_unit = it->second;
  if (auto it = library->attributes.find("capacitive_load_unit"); it != library->attributes.end()) {
    lib.capacitance_unit = it->second;
  }
  // Bus widths come from `type (NAME) { bit_width : N; }` groups.
  std::map<std::string, int> bus_widths;
  for (const auto& g : library->children) {
    const auto width = g.attributes.find("bit_width");
    if (g.name == "type" && !g.args.empty() && width != g.attributes.end()) {
      bus_widths[g.args.front()] = static_cast<int>(to_number(width->second, "bit_width", path));
    }
  }
  for (const auto& g : library->children) {
    if (g.name != "cell") continue;
    LibertyCell cell = make_cell(g, bus_widths, path);
    lib.cells[cell.name] = std::move(cell);
  }
  bool any_area = false;
  for (const auto& [name, cell] : lib.cells) any_area = any_area || cell.has_area;
  if (!any_area) {
    throw InputError(fmt::format("Liberty file {} (library {}) has no cell with an area", path, lib.name));
  }
  return lib;
}

Liberty read_liberty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("Liberty file {} does not exist or cannot be read", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0x1f &&
      static_cast<unsigned char>(text[1]) == 0x8b) {
    throw InputError(fmt::format("Liberty file {} is gzip-compressed; gunzip it first", path));
  }
  return parse_liberty(text, path);
}

std::vector<bool> liberty_truth_table(const std::string& function, const std::vector<std::string>& inputs) {
  std::vector<bool> table;
  for (unsigned row = 0; row < (1U << inputs.size()); ++row) {
    table.push_back(FunctionEval(function, inputs, row).eval());
  }
  return table;
}

const LibertyCell* smallest_inverter(const Liberty& lib) { return smallest_with(lib, {true, false}); }

const LibertyCell* smallest_nand2(const Liberty& lib) {
  return smallest_with(lib, {true, true, true, false});
}

}  // namespace dnngen::synth
