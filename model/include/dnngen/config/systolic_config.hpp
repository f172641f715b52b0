#pragma once
// The `systolic:` section of a configuration (see docs/configuration.md). Its `dataflow`
// picks the engine: weight or output stationary (SystolicConfig), or row stationary,
// whose own keys are in RowStationaryConfig (row_stationary_config.hpp).
namespace dnngen::config {

enum class Dataflow { kWeightStationary, kOutputStationary, kRowStationary };
enum class Overflow { kWrap, kSaturate };

// The PE array and the numerics every systolic dataflow shares.
struct ArrayConfig {
  unsigned rows = 0;         // R, 1..64
  unsigned cols = 0;         // C, 1..64
  unsigned input_bits = 8;   // 2..16
  unsigned weight_bits = 8;  // 2..16
  unsigned acc_bits = 32;    // product_bits()..64
  bool is_signed = true;
  Overflow overflow = Overflow::kWrap;

  // Bits of one exact product, as a two's-complement number.
  unsigned product_bits() const { return input_bits + weight_bits + (is_signed ? 0u : 1u); }
  // Bits of an output element in .npy files: 32 when acc_bits <= 32, else 64.
  unsigned output_bits() const { return acc_bits <= 32 ? 32u : 64u; }
};

// The weight- and output-stationary GEMM engine. With dataflow row_stationary it still
// holds the section's array and dataflow (so code that handles any systolic dataflow
// can ask row_stationary()), and its job limits are zero.
struct SystolicConfig : ArrayConfig {
  Dataflow dataflow = Dataflow::kWeightStationary;
  unsigned max_m = 0;  // job size limits: they size the on-chip buffers
  unsigned max_n = 0;
  unsigned max_k = 0;

  bool row_stationary() const { return dataflow == Dataflow::kRowStationary; }
};

}  // namespace dnngen::config
