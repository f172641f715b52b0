#pragma once
// Private to model/src/config: the YAML reading helpers shared by the per-engine
// section parsers (config_systolic.cpp, config_eie.cpp, config_bitserial.cpp).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/strings.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::config::detail {

// A plain scalar is one written without quotes or tags; yaml-cpp marks those with
// the non-specific tag "?". Only plain scalars may be read as integers or booleans,
// so `rows: "16"` is reported as a string rather than silently converted.
inline bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

// How a value appears in a message, e.g. `0`, `'abc'`, `a mapping`.
inline std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return is_plain_scalar(node) ? "'" + node.Scalar() + "'"
                                   : "the quoted string \"" + node.Scalar() + "\"";
    default:
      return "an undefined value";
  }
}

// Decimal integers only: yaml-cpp's own conversion also takes hex and octal, which
// nobody means when writing a bit width.
inline bool parse_decimal(const std::string& text, int64_t& out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end && begin != end;
}

// One YAML mapping with its dotted location ("" for the top level, "systolic").
// Keys are collected up front so that duplicates and unknown keys are caught before
// any value is read.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string prefix, std::string source)
      : prefix_(std::move(prefix)), source_(std::move(source)) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) {
        fail(fmt::format("keys must be strings, got {} as a key{}", describe(it->first),
                         prefix_.empty() ? "" : " in '" + prefix_ + "'"));
      }
      const std::string& key = it->first.Scalar();
      if (!entries_.emplace(key, it->second).second) {
        fail(fmt::format("duplicate key '{}'", path(key)));
      }
      order_.push_back(key);
    }
  }

  void check_known(const std::vector<std::string>& allowed) const {
    for (const auto& key : order_) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(fmt::format("unknown key '{}' (expected one of: {})", path(key), strings::join(allowed, ", ")));
      }
    }
  }

  bool has(const std::string& key) const { return entries_.count(key) != 0; }

  const YAML::Node& require(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) fail(fmt::format("missing key '{}'", path(key)));
    return it->second;
  }

  int64_t get_int(const std::string& key, int64_t lo, int64_t hi, const std::string& note = "") const {
    const YAML::Node& node = require(key);
    int64_t value = 0;
    const bool is_int = is_plain_scalar(node) && parse_decimal(node.Scalar(), value);
    if (!is_int || value < lo || value > hi) {
      fail_at(key, fmt::format("must be an integer in {}..{}{}, got {}", lo, hi, note,
                               is_int ? std::to_string(value) : describe(node)));
    }
    return value;
  }

  unsigned get_unsigned(const std::string& key, unsigned lo, unsigned hi,
                        const std::string& note = "") const {
    return static_cast<unsigned>(get_int(key, lo, hi, note));
  }

  // A finite number in [lo, hi] (integers are numbers too).
  double get_double(const std::string& key, double lo, double hi) const {
    const YAML::Node& node = require(key);
    double value = 0;
    bool is_number = false;
    if (is_plain_scalar(node)) {
      const std::string& s = node.Scalar();
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
      is_number = ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(value);
    }
    if (!is_number || value < lo || value > hi) {
      fail_at(key, fmt::format("must be a number in {}..{}, got {}", lo, hi,
                               is_number ? fmt::format("{}", value) : describe(node)));
    }
    return value;
  }

  // YAML 1.2 core-schema booleans only; "yes"/"on" are YAML 1.1 and easy to misread.
  bool get_bool(const std::string& key) const {
    const YAML::Node& node = require(key);
    if (is_plain_scalar(node)) {
      const std::string& s = node.Scalar();
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
    }
    fail_at(key, "must be a boolean (true or false), got " + describe(node));
  }

  std::string get_string(const std::string& key) const {
    const YAML::Node& node = require(key);
    if (!node.IsScalar()) fail_at(key, "must be a string, got " + describe(node));
    return node.Scalar();
  }

  template <typename T>
  T get_choice(const std::string& key, const std::vector<std::pair<std::string, T>>& choices) const {
    const YAML::Node& node = require(key);
    std::vector<std::string> names;
    for (const auto& [name, value] : choices) {
      if (node.IsScalar() && node.Scalar() == name) return value;
      names.push_back(name);
    }
    fail_at(key, fmt::format("must be one of: {}; got {}", strings::join(names, ", "), describe(node)));
  }

  [[noreturn]] void fail(const std::string& message) const { throw InputError(source_ + ": " + message); }
  [[noreturn]] void fail_at(const std::string& key, const std::string& message) const {
    fail(path(key) + ": " + message);
  }

 private:
  std::string path(const std::string& key) const {
    if (prefix_.empty()) return key;
    return key.empty() ? prefix_ : prefix_ + "." + key;
  }

  std::string prefix_;
  std::string source_;
  std::map<std::string, YAML::Node> entries_;
  std::vector<std::string> order_;
};

// The one YAML document of a file's text; InputError "SOURCE: ..." (with line and column
// where yaml-cpp knows them) for malformed YAML, an empty file (`expected` says what
// should be there) or several documents.
YAML::Node parse_document(const std::string& yaml_text, const std::string& source_name,
                          const std::string& expected);

// A file's whole text; InputError "PATH: cannot read file: ..." if it cannot be read.
std::string read_text_file(const std::string& path);

// The saturating RTL keeps the exact sum before clamping; the golden model holds it in
// 64 bits, so that width is the ceiling.
constexpr unsigned kExactSumLimitBits = 64;

// Largest side of a compute array: systolic rows and cols (weight and output stationary),
// bit-serial tile_rows and tile_cols. 256 x 256 is the TPU v1's matrix unit.
constexpr unsigned kMaxArraySide = 256;
// Row stationary (Eyeriss: 12 x 14) stays at 64 x 64, what its shell is built for.
constexpr unsigned kMaxRowStationarySide = 64;

inline unsigned ceil_log2(uint64_t v) {
  unsigned bits = 0;
  while ((uint64_t{1} << bits) < v) ++bits;
  return bits;
}

}  // namespace dnngen::config::detail
