#pragma once
// The `systolic:` section of a configuration (see docs/configuration.md).
namespace dnngen::config {

enum class Dataflow { kWeightStationary, kOutputStationary, kRowStationary };
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
  // Row stationary only (docs/row_stationary.md); zero for WS/OS.
  unsigned max_filter_size = 0;  // largest R and S of a conv2d job
  unsigned filter_spad = 0;      // PE filter scratchpad: weights per bank (two banks), >= S
  unsigned ifmap_spad = 0;       // PE ifmap scratchpad: one whole ifmap row, so W <= it
  unsigned psum_spad = 0;        // psum buffer entries per array column: filters in flight x F
  unsigned ifmap_rows = 0;       // ifmap buffer depth in rows: C*H <= it
  unsigned filter_words = 0;     // filter buffer depth in words (one per filter and row fold)

  // Bits of one exact product, as a two's-complement number.
  unsigned product_bits() const { return input_bits + weight_bits + (is_signed ? 0u : 1u); }
  // Bits of an output element in .npy files: 32 when acc_bits <= 32, else 64.
  unsigned output_bits() const { return acc_bits <= 32 ? 32u : 64u; }
  bool row_stationary() const { return dataflow == Dataflow::kRowStationary; }
};

}  // namespace dnngen::config
