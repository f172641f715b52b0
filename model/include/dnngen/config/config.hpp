#pragma once
// Validated configuration structs. The YAML is parsed in model/src/config only;
// nothing below this layer sees a YAML::Node. One source of truth for every RTL
// parameter: rtl_parameters() feeds Verilator -G, Yosys chparam and the generated top
// wrapper. Each engine's section has its own header and parser
// (config_<engine>.cpp); this file dispatches on `engine`.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/bitserial_config.hpp"
#include "dnngen/config/eie_config.hpp"
#include "dnngen/config/memory_config.hpp"
#include "dnngen/config/row_stationary_config.hpp"
#include "dnngen/config/systolic_config.hpp"

namespace dnngen::config {

struct Config {
  std::string name;         // [a-z][a-z0-9_]*, used for generated module/file names
  std::string engine;       // "systolic" | "eie" | "bitserial"; only that section is set
  SystolicConfig systolic;  // with systolic.row_stationary(), also row_stationary:
  RowStationaryConfig row_stationary;
  EieConfig eie;
  BitserialConfig bitserial;
  MemoryConfig memory;      // the `memory:` section, or its defaults
  std::string source_path;  // the YAML file it came from (for messages)
};

// Loads and validates a YAML file. Throws dnngen::InputError naming the file, the key
// and the legal values for: unreadable file, malformed YAML, unknown key, missing key,
// wrong type, out-of-range value, inconsistent values (acc_bits < product_bits()).
Config load_config(const std::string& path);

// Same, from YAML text (source_name is used in messages). For tests.
Config parse_config(const std::string& yaml_text, const std::string& source_name);

// Name/value of every parameter of the engine's top RTL module, in declaration order.
std::vector<std::pair<std::string, int64_t>> rtl_parameters(const Config& cfg);

// Whether the configuration's engine has an RTL shell: the systolic engine's weight- and
// output-stationary dataflows and the bit-serial engine with 8- or 16-bit operands
// (rtl/shell/dnn_shell_systolic.sv), EIE (rtl/shell/dnn_shell_eie.sv) and row stationary
// with 8- or 16-bit operands (rtl/shell/dnn_shell_rs.sv).
bool has_shell(const Config& cfg);
// Why a configuration has no shell (has_shell false), for the error messages: which engines
// and operands have one, and what this one lacks.
std::string no_shell_reason(const Config& cfg);
// Descriptors CTRL.START may queue behind a running layer (every shell's QueueDepth,
// dnn_shell_desc_queue; not a configuration key).
constexpr unsigned kShellQueueDepth = 2;
// Name/value of every parameter of the engine's shell module for the configuration (its
// engine section but a kernel's Relu, `memory:`, the systolic shell's QueueDepth, then
// ConfigHash); std::invalid_argument unless has_shell(cfg).
std::vector<std::pair<std::string, int64_t>> shell_rtl_parameters(const Config& cfg);
// The shell's CONFIG_HASH register (RTL parameter ConfigHash): FNV-1a (32-bit) over the
// lines "Name=Value" of every other shell parameter, in order, with bit 31 cleared so that
// every tool takes it as a plain integer parameter. Firmware compares it with the value
// the bundle's params.json carries to know which build it talks to.
uint32_t shell_config_hash(const Config& cfg);

// Name of the engine's top RTL module ("dnn_systolic_top", "dnn_eie_top", ...).
std::string rtl_top_module(const Config& cfg);

// The engine variant whose RTL file list (rtl/filelists/<variant>.f) and Verilator
// harness (testbench/<variant>/sim_main.cpp) build this configuration: "systolic",
// "eie", "bitserial" (and a dataflow of its own where the ports differ).
std::string rtl_variant(const Config& cfg);

std::string to_string(Dataflow d);       // "weight_stationary" / "output_stationary"
std::string to_string(Overflow o);       // "wrap" / "saturate"
std::string to_string(BitserialMode m);  // "stripes" / "pragmatic"

// Per-engine halves of the functions above, one set per config_<engine>.cpp.
std::vector<std::pair<std::string, int64_t>> systolic_rtl_parameters(const SystolicConfig& s);
std::vector<std::pair<std::string, int64_t>> row_stationary_rtl_parameters(const RowStationaryConfig& r);
std::vector<std::pair<std::string, int64_t>> eie_rtl_parameters(const EieConfig& e);
std::vector<std::pair<std::string, int64_t>> bitserial_rtl_parameters(const BitserialConfig& b);
std::string systolic_rtl_top(const SystolicConfig& s);
std::string systolic_rtl_variant(const SystolicConfig& s);

}  // namespace dnngen::config
