// The only place that sees YAML. Everything is checked here so that the RTL
// generator, the golden model and the harness can trust a Config without re-checking.
#include "dnngen/config/config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config_internal.hpp"
#include "config_sections.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/strings.hpp"

namespace dnngen::config {
namespace {

using detail::describe;
using detail::MapReader;

const std::vector<std::string> kEngines = {"systolic", "eie", "bitserial"};
const std::vector<std::string> kTopKeys = {"name", "engine", "description", "memory"};

constexpr size_t kMaxNameLength = 64;

// SystemVerilog (IEEE 1800-2017) reserved keywords: a config name names the generated
// wrapper module, so it cannot be one.
const std::set<std::string>& sv_keywords() {
  static const std::set<std::string> words = {
      "accept_on",
      "alias",
      "always",
      "always_comb",
      "always_ff",
      "always_latch",
      "and",
      "assert",
      "assign",
      "assume",
      "automatic",
      "before",
      "begin",
      "bind",
      "bins",
      "binsof",
      "bit",
      "break",
      "buf",
      "bufif0",
      "bufif1",
      "byte",
      "case",
      "casex",
      "casez",
      "cell",
      "chandle",
      "checker",
      "class",
      "clocking",
      "cmos",
      "config",
      "const",
      "constraint",
      "context",
      "continue",
      "cover",
      "covergroup",
      "coverpoint",
      "cross",
      "deassign",
      "default",
      "defparam",
      "design",
      "disable",
      "dist",
      "do",
      "edge",
      "else",
      "end",
      "endcase",
      "endchecker",
      "endclass",
      "endclocking",
      "endconfig",
      "endfunction",
      "endgenerate",
      "endgroup",
      "endinterface",
      "endmodule",
      "endpackage",
      "endprimitive",
      "endprogram",
      "endproperty",
      "endspecify",
      "endsequence",
      "endtable",
      "endtask",
      "enum",
      "event",
      "eventually",
      "expect",
      "export",
      "extends",
      "extern",
      "final",
      "first_match",
      "for",
      "force",
      "foreach",
      "forever",
      "fork",
      "forkjoin",
      "function",
      "generate",
      "genvar",
      "global",
      "highz0",
      "highz1",
      "if",
      "iff",
      "ifnone",
      "ignore_bins",
      "illegal_bins",
      "implements",
      "implies",
      "import",
      "incdir",
      "include",
      "initial",
      "inout",
      "input",
      "inside",
      "instance",
      "int",
      "integer",
      "interconnect",
      "interface",
      "intersect",
      "join",
      "join_any",
      "join_none",
      "large",
      "let",
      "liblist",
      "library",
      "local",
      "localparam",
      "logic",
      "longint",
      "macromodule",
      "matches",
      "medium",
      "modport",
      "module",
      "nand",
      "negedge",
      "nettype",
      "new",
      "nexttime",
      "nmos",
      "nor",
      "noshowcancelled",
      "not",
      "notif0",
      "notif1",
      "null",
      "or",
      "output",
      "package",
      "packed",
      "parameter",
      "pmos",
      "posedge",
      "primitive",
      "priority",
      "program",
      "property",
      "protected",
      "pull0",
      "pull1",
      "pulldown",
      "pullup",
      "pulsestyle_ondetect",
      "pulsestyle_onevent",
      "pure",
      "rand",
      "randc",
      "randcase",
      "randsequence",
      "rcmos",
      "real",
      "realtime",
      "ref",
      "reg",
      "reject_on",
      "release",
      "repeat",
      "restrict",
      "return",
      "rnmos",
      "rpmos",
      "rtran",
      "rtranif0",
      "rtranif1",
      "s_always",
      "s_eventually",
      "s_nexttime",
      "s_until",
      "s_until_with",
      "scalared",
      "sequence",
      "shortint",
      "shortreal",
      "showcancelled",
      "signed",
      "small",
      "soft",
      "solve",
      "specify",
      "specparam",
      "static",
      "string",
      "strong",
      "strong0",
      "strong1",
      "struct",
      "super",
      "supply0",
      "supply1",
      "sync_accept_on",
      "sync_reject_on",
      "table",
      "tagged",
      "task",
      "this",
      "throughout",
      "time",
      "timeprecision",
      "timeunit",
      "tran",
      "tranif0",
      "tranif1",
      "tri",
      "tri0",
      "tri1",
      "triand",
      "trior",
      "trireg",
      "type",
      "typedef",
      "union",
      "unique",
      "unique0",
      "unsigned",
      "until",
      "until_with",
      "untyped",
      "use",
      "uwire",
      "var",
      "vectored",
      "virtual",
      "void",
      "wait",
      "wait_order",
      "wand",
      "weak",
      "weak0",
      "weak1",
      "while",
      "wildcard",
      "wire",
      "with",
      "within",
      "wor",
      "xnor",
      "xor",
  };
  return words;
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

// The optional `memory:` section (config/memory_config.hpp): every key optional.
MemoryConfig parse_memory(const YAML::Node& node, const std::string& source) {
  if (!node.IsMap())
    throw InputError(
        fmt::format("{}: 'memory' must be a mapping of memory parameters, got {}", source, describe(node)));
  MapReader r(node, "memory", source);
  r.check_known({"bytes_per_cycle", "latency", "data_bits", "max_burst", "outstanding"});
  MemoryConfig m;
  if (r.has("bytes_per_cycle")) m.bytes_per_cycle = r.get_unsigned("bytes_per_cycle", 1, 4096);
  if (r.has("latency")) m.latency = r.get_unsigned("latency", 0, 100000);
  if (r.has("data_bits")) {
    m.data_bits = r.get_unsigned("data_bits", 64, 512, " (64, 128, 256 or 512)");
    if (m.data_bits != 64 && m.data_bits != 128 && m.data_bits != 256 && m.data_bits != 512)
      r.fail_at("data_bits", fmt::format("must be 64, 128, 256 or 512, got {}", m.data_bits));
  }
  if (r.has("max_burst")) m.max_burst = r.get_unsigned("max_burst", 1, 256);
  if (r.has("outstanding")) m.outstanding = r.get_unsigned("outstanding", 1, 255);
  return m;
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
  if (sv_keywords().count(cfg.name))
    r.fail_at("name", fmt::format("'{}' is a SystemVerilog keyword; it names the generated wrapper module",
                                  cfg.name));
  if (cfg.name.rfind("dnn_", 0) == 0)
    r.fail_at("name", fmt::format("'{}' starts with dnn_, the prefix of dnngen's own RTL modules (it would "
                                  "collide with them in the bundle)",
                                  cfg.name));
  cfg.engine = r.get_string("engine");
  if (std::find(kEngines.begin(), kEngines.end(), cfg.engine) == kEngines.end()) {
    r.fail_at("engine",
              fmt::format("must be one of: {}; got '{}'", strings::join(kEngines, ", "), cfg.engine));
  }
  if (r.has("description")) {
    const YAML::Node& d = r.require("description");
    if (!d.IsScalar() && !d.IsNull()) {
      r.fail_at("description", "must be a string, got " + describe(d));
    }
  }
  for (const auto& other : kEngines) {
    if (other != cfg.engine && r.has(other)) {
      r.fail_at(other, fmt::format("section does not apply to engine {} (expected the section '{}')",
                                   cfg.engine, cfg.engine));
    }
  }
  if (!r.has(cfg.engine)) {
    r.fail(fmt::format("missing key '{}' (the section of engine {})", cfg.engine, cfg.engine));
  }
  const YAML::Node& section = r.require(cfg.engine);
  if (!section.IsMap()) {
    r.fail_at(cfg.engine, "must be a mapping of the engine's parameters, got " + describe(section));
  }
  if (r.has("memory")) cfg.memory = parse_memory(r.require("memory"), source);
  if (cfg.engine == "eie") {
    cfg.eie = detail::parse_eie(section, source);
  } else if (cfg.engine == "bitserial") {
    cfg.bitserial = detail::parse_bitserial(section, source);
  } else {
    cfg.systolic = detail::parse_systolic(section, source);
    if (cfg.systolic.row_stationary())
      cfg.row_stationary = detail::parse_row_stationary(section, source, cfg.systolic);
  }
  return cfg;
}

// Counts the documents of a YAML stream without building them. yaml-cpp 0.7's LoadAll
// loops forever (allocating) on a stream whose token no node consumes, e.g. a lone ','
// (upstream issue #1040, fixed after 0.7; found by fuzzing): the parser then reports a
// new empty document at the same place again and again. Here a document that starts where
// the previous one started ends the count as malformed YAML.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (count_ > 0 && mark.pos == last_start_) stuck_ = true;
    last_start_ = mark.pos;
    ++count_;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}

  size_t count() const { return count_; }
  bool stuck() const { return stuck_; }

 private:
  size_t count_ = 0;
  int last_start_ = -1;
  bool stuck_ = false;
};

// The number of documents in the stream (0 for an empty one); InputError if the parser
// gets stuck.
size_t count_documents(const std::string& yaml_text, const std::string& source_name) {
  std::istringstream in(yaml_text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  while (parser.HandleNextDocument(counter)) {
    if (counter.stuck())
      throw InputError(source_name + ": malformed YAML: a token outside any node (e.g. a stray ',')");
  }
  return counter.count();
}

}  // namespace

namespace detail {

YAML::Node parse_document(const std::string& yaml_text, const std::string& source_name,
                          const std::string& expected) {
  std::vector<YAML::Node> docs;
  try {
    const size_t count = count_documents(yaml_text, source_name);
    if (count == 1) docs.push_back(YAML::Load(yaml_text));
    if (count > 1) docs.resize(count);
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based; editors count from 1.
    if (e.mark.is_null()) throw InputError(source_name + ": malformed YAML: " + e.msg);
    throw InputError(
        fmt::format("{}:{}:{}: malformed YAML: {}", source_name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
    throw InputError(source_name + ": empty file (expected " + expected + ")");
  }
  if (docs.size() > 1) {
    throw InputError(fmt::format("{}: expected one YAML document, found {}", source_name, docs.size()));
  }
  return docs[0];
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path + ": cannot read file: " + std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path + ": cannot read file: " + std::strerror(errno));
  return text.str();
}

}  // namespace detail

Config parse_config(const std::string& yaml_text, const std::string& source_name) {
  return parse_root(detail::parse_document(yaml_text, source_name, "a mapping with keys name, engine, ..."),
                    source_name);
}

Config load_config(const std::string& path) { return parse_config(detail::read_text_file(path), path); }

std::vector<std::pair<std::string, int64_t>> rtl_parameters(const Config& cfg) {
  if (cfg.engine == "eie") return eie_rtl_parameters(cfg.eie);
  if (cfg.engine == "bitserial") return bitserial_rtl_parameters(cfg.bitserial);
  if (cfg.systolic.row_stationary()) return row_stationary_rtl_parameters(cfg.row_stationary);
  return systolic_rtl_parameters(cfg.systolic);
}

bool has_shell(const Config& cfg) {
  // The bit-serial engine shares the systolic shell, whose loader moves whole bytes; the
  // row-stationary shell's loads are whole bytes too.
  const auto byte_wide = [](unsigned bits) { return bits == 8 || bits == 16; };
  const bool bitserial = cfg.engine == "bitserial" && byte_wide(cfg.bitserial.input_bits) &&
                         byte_wide(cfg.bitserial.weight_bits);
  const bool row_stationary = cfg.engine == "systolic" && cfg.systolic.row_stationary() &&
                              byte_wide(cfg.row_stationary.input_bits) &&
                              byte_wide(cfg.row_stationary.weight_bits);
  return (cfg.engine == "systolic" && !cfg.systolic.row_stationary()) || cfg.engine == "eie" || bitserial ||
         row_stationary;
}

std::string no_shell_reason(const Config& cfg) {
  return fmt::format(
      "the {} engine{} has no AXI shell (the systolic weight_stationary and output_stationary "
      "engines, EIE, and the bit-serial and row-stationary engines with 8- or 16-bit operands "
      "have; docs/shell.md)",
      cfg.engine, cfg.engine == "systolic" ? " with this dataflow or these operands" : "");
}

namespace {

// dnn_shell_systolic's parameters for the bit-serial core: its engine kind, and the tile as
// the array (NumRows x NumCols).
std::vector<std::pair<std::string, int64_t>> bitserial_shell_parameters(const BitserialConfig& b) {
  std::vector<std::pair<std::string, int64_t>> params = {{"Engine", 4}};  // EngineBitserial
  for (auto [name, value] : bitserial_rtl_parameters(b)) {
    if (name == "TileRows") name = "NumRows";
    if (name == "TileCols") name = "NumCols";
    params.emplace_back(name, value);
  }
  return params;
}

}  // namespace

namespace {

// The shell's parameters but ConfigHash.
std::vector<std::pair<std::string, int64_t>> hashed_shell_parameters(const Config& cfg) {
  if (!has_shell(cfg)) throw std::invalid_argument("shell_rtl_parameters: no shell for this engine yet");
  auto params = cfg.engine == "eie"             ? eie_rtl_parameters(cfg.eie)
                : cfg.engine == "bitserial"     ? bitserial_shell_parameters(cfg.bitserial)
                : cfg.systolic.row_stationary() ? row_stationary_rtl_parameters(cfg.row_stationary)
                                                : systolic_rtl_parameters(cfg.systolic);
  // ReLU is a descriptor field behind the shell (OUTPUT.RELU), not a build parameter. The
  // row-stationary shell's bias and scale tables hold max_filters filters.
  params.erase(std::remove_if(params.begin(), params.end(), [](const auto& p) { return p.first == "Relu"; }),
               params.end());
  if (cfg.engine == "systolic" && cfg.systolic.row_stationary()) {
    params.emplace_back("MaxFilters", cfg.row_stationary.max_filters);
    params.emplace_back("TileWords", cfg.row_stationary.tile_words);
  }
  params.insert(params.end(), {{"DataBits", cfg.memory.data_bits},
                               {"MaxBurst", cfg.memory.max_burst},
                               {"Outstanding", cfg.memory.outstanding}});
  params.emplace_back("QueueDepth", kShellQueueDepth);
  return params;
}

}  // namespace

uint32_t shell_config_hash(const Config& cfg) {
  uint32_t hash = 2166136261u;  // FNV-1a offset basis and prime
  for (const auto& [name, value] : hashed_shell_parameters(cfg)) {
    for (const char c : name + "=" + std::to_string(value) + "\n") {
      hash ^= static_cast<uint8_t>(c);
      hash *= 16777619u;
    }
  }
  return hash & 0x7FFF'FFFFu;
}

std::vector<std::pair<std::string, int64_t>> shell_rtl_parameters(const Config& cfg) {
  auto params = hashed_shell_parameters(cfg);
  params.emplace_back("ConfigHash", shell_config_hash(cfg));
  return params;
}

std::string rtl_top_module(const Config& cfg) {
  if (cfg.engine == "eie") return "dnn_eie_top";
  if (cfg.engine == "bitserial") return "dnn_bitserial_top";
  if (cfg.engine == "systolic") return systolic_rtl_top(cfg.systolic);
  throw std::invalid_argument("rtl_top_module: unknown engine '" + cfg.engine + "'");
}

std::string rtl_variant(const Config& cfg) {
  if (cfg.engine == "systolic") return systolic_rtl_variant(cfg.systolic);
  return cfg.engine;
}

double MemoryConfig::bus_bytes_per_cycle() const {
  return std::min<double>(bytes_per_cycle, data_bits / 8.0);
}

double MemoryConfig::effective_bytes_per_cycle() const {
  const double bus = data_bits / 8.0;
  double rate = bus_bytes_per_cycle();
  // Little's law: the bytes in flight cover the latency or cap the rate.
  if (latency > 0) rate = std::min(rate, static_cast<double>(outstanding) * max_burst * bus / latency);
  return rate;
}

}  // namespace dnngen::config
