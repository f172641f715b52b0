// The only place that sees YAML. Everything is checked here so that the RTL
// generator, the golden model and the harness can trust a Config without re-checking.
#include "dnngen/config/config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "dnngen/common/error.hpp"

namespace dnngen::config {
namespace {

const std::vector<std::string> kEngines = {"systolic"};
const std::vector<std::string> kTopKeys = {"name", "engine", "description"};
const std::vector<std::string> kSystolicKeys = {"rows",        "cols",     "dataflow", "input_bits",
                                                "weight_bits", "acc_bits", "signed",   "overflow",
                                                "max_m",       "max_n",    "max_k"};

constexpr size_t kMaxNameLength = 64;
// On-chip operand buffers (A and B tiles) must stay within what an FPGA or a
// simulator can hold; 64 Mibit is far above any preset and well below trouble.
constexpr int64_t kBufferLimitBits = int64_t{64} << 20;
// The saturating RTL keeps the exact sum (product_bits + clog2(max_k + 1) bits) before
// clamping; the golden model holds it in 64 bits, so that width is the ceiling.
constexpr unsigned kExactSumLimitBits = 64;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// A plain scalar is one written without quotes or tags; yaml-cpp marks those with
// the non-specific tag "?". Only plain scalars may be read as integers or booleans,
// so `rows: "16"` is reported as a string rather than silently converted.
bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

// How a value appears in a message, e.g. `0`, `'abc'`, `a mapping`.
std::string describe(const YAML::Node& node) {
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
bool parse_decimal(const std::string& text, int64_t& out) {
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
        fail(fmt::format("unknown key '{}' (expected one of: {})", path(key), join(allowed)));
      }
    }
  }

  bool has(const std::string& key) const { return entries_.count(key) != 0; }

  const YAML::Node& require(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) fail(fmt::format("missing key '{}'", path(key)));
    return it->second;
  }

  int64_t get_int(const std::string& key, int64_t lo, int64_t hi,
                  const std::string& note = "") const {
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
  T get_choice(const std::string& key,
               const std::vector<std::pair<std::string, T>>& choices) const {
    const YAML::Node& node = require(key);
    std::vector<std::string> names;
    for (const auto& [name, value] : choices) {
      if (node.IsScalar() && node.Scalar() == name) return value;
      names.push_back(name);
    }
    fail_at(key, fmt::format("must be one of: {}; got {}", join(names), describe(node)));
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(source_ + ": " + message);
  }
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

unsigned ceil_log2(uint64_t v) {
  unsigned bits = 0;
  while ((uint64_t{1} << bits) < v) ++bits;
  return bits;
}

// Checks that involve more than one key, after each key is valid on its own.
void check_consistency(const SystolicConfig& s, const MapReader& r) {
  const unsigned sum_bits = s.product_bits() + ceil_log2(s.max_k);
  if (s.overflow == Overflow::kSaturate && sum_bits > kExactSumLimitBits) {
    r.fail_at("max_k",
              fmt::format("with overflow: saturate, product_bits + ceil(log2(max_k)) "
                          "must be <= {}, got {} + {} = {}; reduce max_k or the "
                          "operand widths",
                          kExactSumLimitBits, s.product_bits(), ceil_log2(s.max_k), sum_bits));
  }
  const int64_t buffer_bits =
      int64_t{s.max_m} * s.max_k * s.input_bits + int64_t{s.max_k} * s.max_n * s.weight_bits;
  if (buffer_bits > kBufferLimitBits) {
    r.fail(
        fmt::format("systolic: on-chip buffers need max_m*max_k*input_bits + "
                    "max_k*max_n*weight_bits = {} bits, above the 64 Mibit ({}) limit; "
                    "reduce systolic.max_m, systolic.max_n, systolic.max_k or the operand "
                    "widths",
                    buffer_bits, kBufferLimitBits));
  }
}

SystolicConfig parse_systolic(const YAML::Node& node, const std::string& source) {
  MapReader r(node, "systolic", source);
  r.check_known(kSystolicKeys);
  SystolicConfig s;
  s.rows = r.get_unsigned("rows", 1, 64);
  s.cols = r.get_unsigned("cols", 1, 64);
  s.dataflow = r.get_choice<Dataflow>(
      "dataflow", {{to_string(Dataflow::kWeightStationary), Dataflow::kWeightStationary},
                   {to_string(Dataflow::kOutputStationary), Dataflow::kOutputStationary}});
  s.input_bits = r.get_unsigned("input_bits", 2, 16);
  s.weight_bits = r.get_unsigned("weight_bits", 2, 16);
  s.is_signed = r.get_bool("signed");
  // The lower bound depends on the keys above; say where it comes from.
  s.acc_bits = r.get_unsigned(
      "acc_bits", s.product_bits(), 64,
      fmt::format(" (the lower bound is product_bits = input_bits + weight_bits{} = {})",
                  s.is_signed ? "" : " + 1 for unsigned", s.product_bits()));
  s.overflow =
      r.get_choice<Overflow>("overflow", {{to_string(Overflow::kWrap), Overflow::kWrap},
                                          {to_string(Overflow::kSaturate), Overflow::kSaturate}});
  s.max_m = r.get_unsigned("max_m", 1, 16384);
  s.max_n = r.get_unsigned("max_n", 1, 16384);
  s.max_k = r.get_unsigned("max_k", 1, 16384);
  check_consistency(s, r);
  return s;
}

bool is_valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Config parse_root(const YAML::Node& root, const std::string& source) {
  if (!root.IsMap()) {
    throw InputError(
        fmt::format("{}: top level must be a mapping with keys name, engine, ..., "
                    "got {}",
                    source, describe(root)));
  }
  MapReader r(root, "", source);
  // Engine section names are allowed here so that a misspelt `engine` value is
  // reported as such instead of as an unknown section.
  std::vector<std::string> allowed = kTopKeys;
  allowed.insert(allowed.end(), kEngines.begin(), kEngines.end());
  r.check_known(allowed);

  Config cfg;
  cfg.source_path = source;
  cfg.name = r.get_string("name");
  if (!is_valid_name(cfg.name)) {
    r.fail_at("name", fmt::format("must match [a-z][a-z0-9_]* and be at most {} characters "
                                  "(it names generated modules and files), got '{}'",
                                  kMaxNameLength, cfg.name));
  }
  cfg.engine = r.get_string("engine");
  if (std::find(kEngines.begin(), kEngines.end(), cfg.engine) == kEngines.end()) {
    r.fail_at("engine", fmt::format("must be one of: {}; got '{}'", join(kEngines), cfg.engine));
  }
  if (r.has("description")) {
    const YAML::Node& d = r.require("description");
    if (!d.IsScalar() && !d.IsNull()) {
      r.fail_at("description", "must be a string, got " + describe(d));
    }
  }
  const YAML::Node& section = r.require(cfg.engine);
  if (!section.IsMap()) {
    r.fail_at(cfg.engine, "must be a mapping of the engine's parameters, got " + describe(section));
  }
  cfg.systolic = parse_systolic(section, source);
  return cfg;
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& source_name) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(yaml_text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based; editors count from 1.
    if (e.mark.is_null()) throw InputError(source_name + ": malformed YAML: " + e.msg);
    throw InputError(fmt::format("{}:{}:{}: malformed YAML: {}", source_name, e.mark.line + 1,
                                 e.mark.column + 1, e.msg));
  }
  if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
    throw InputError(source_name + ": empty file (expected a mapping with keys name, engine, ...)");
  }
  if (docs.size() > 1) {
    throw InputError(
        fmt::format("{}: expected one YAML document, found {}", source_name, docs.size()));
  }
  return parse_root(docs[0], source_name);
}

Config load_config(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path + ": cannot read file: " + std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path + ": cannot read file: " + std::strerror(errno));
  return parse_config(text.str(), path);
}

std::vector<std::pair<std::string, int64_t>> rtl_parameters(const Config& cfg) {
  const SystolicConfig& s = cfg.systolic;
  return {{"NumRows", s.rows},
          {"NumCols", s.cols},
          {"InBits", s.input_bits},
          {"WBits", s.weight_bits},
          {"AccBits", s.acc_bits},
          {"Signed", s.is_signed ? 1 : 0},
          {"Saturate", s.overflow == Overflow::kSaturate ? 1 : 0},
          {"Dataflow", s.dataflow == Dataflow::kOutputStationary ? 1 : 0},
          {"MaxM", s.max_m},
          {"MaxN", s.max_n},
          {"MaxK", s.max_k}};
}

std::string rtl_top_module(const Config& cfg) {
  if (cfg.engine != "systolic") {
    throw std::invalid_argument("rtl_top_module: unknown engine '" + cfg.engine + "'");
  }
  return "dnn_systolic_top";
}

std::string to_string(Dataflow d) {
  return d == Dataflow::kWeightStationary ? "weight_stationary" : "output_stationary";
}

std::string to_string(Overflow o) { return o == Overflow::kWrap ? "wrap" : "saturate"; }

}  // namespace dnngen::config
