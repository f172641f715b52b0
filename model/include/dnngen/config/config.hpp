#pragma once
// Validated configuration structs. The YAML is parsed in config.cpp only; nothing
// below this layer sees a YAML::Node. One source of truth for every RTL parameter:
// rtl_parameters() feeds Verilator -G, Yosys chparam and the generated top wrapper.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dnngen::config {

enum class Dataflow { kWeightStationary, kOutputStationary };
enum class Overflow { kWrap, kSaturate };

struct SystolicConfig {
  unsigned rows = 0;          // R, 1..64
  unsigned cols = 0;          // C, 1..64
  Dataflow dataflow = Dataflow::kWeightStationary;
  unsigned input_bits = 8;    // 2..16
  unsigned weight_bits = 8;   // 2..16
  unsigned acc_bits = 32;     // product_bits()..64
  bool is_signed = true;
  Overflow overflow = Overflow::kWrap;
  unsigned max_m = 0;         // job size limits: they size the on-chip buffers
  unsigned max_n = 0;
  unsigned max_k = 0;

  // Bits of one exact product, as a two's-complement number.
  unsigned product_bits() const { return input_bits + weight_bits + (is_signed ? 0u : 1u); }
  // Bits of an output element in .npy files: 32 when acc_bits <= 32, else 64.
  unsigned output_bits() const { return acc_bits <= 32 ? 32u : 64u; }
};

struct Config {
  std::string name;           // [a-z][a-z0-9_]*, used for generated module/file names
  std::string engine;         // "systolic" (more engines later)
  SystolicConfig systolic;
  std::string source_path;    // the YAML file it came from (for messages)
};

// Loads and validates a YAML file. Throws dnngen::InputError naming the file, the key
// and the legal values for: unreadable file, malformed YAML, unknown key, missing key,
// wrong type, out-of-range value, inconsistent values (acc_bits < product_bits()).
Config load_config(const std::string& path);

// Same, from YAML text (source_name is used in messages). For tests.
Config parse_config(const std::string& yaml_text, const std::string& source_name);

// Name/value of every parameter of the engine's top RTL module, in declaration order.
std::vector<std::pair<std::string, int64_t>> rtl_parameters(const Config& cfg);

// Name of the engine's top RTL module ("dnn_systolic_top").
std::string rtl_top_module(const Config& cfg);

std::string to_string(Dataflow d);   // "weight_stationary" / "output_stationary"
std::string to_string(Overflow o);   // "wrap" / "saturate"

}  // namespace dnngen::config
