#pragma once
// The `eie:` section of a configuration (see docs/configuration.md): the EIE sparse
// engine (Han et al., ISCA 2016).
namespace dnngen::config {

// The most PEs an `eie:` section may ask for (EIE's scalability study goes to 256).
constexpr unsigned kEieMaxPes = 256;

struct EieConfig {
  unsigned pes = 4;             // N processing elements; row i of W lives in PE i mod N
  unsigned fifo_depth = 8;      // activation queue depth per PE
  unsigned index_bits = 4;      // weight index bits: a codebook of 2^index_bits entries
  unsigned act_bits = 16;       // activation width (fixed point)
  unsigned acc_bits = 32;       // exact sum of codebook[w] * x
  unsigned frac_bits = 8;       // fractional bits of activations and codebook values
  bool relu = true;             // ReLU on write-back
  unsigned max_rows = 64;       // M limit: sizes the destination activation files
  unsigned max_cols = 64;       // N limit: sizes the pointer SRAM and source activation file
  unsigned max_entries = 1024;  // sparse-matrix SRAM entries per PE
};

}  // namespace dnngen::config
