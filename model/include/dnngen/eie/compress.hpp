#pragma once
// Deep Compression front half, as EIE consumes it: magnitude pruning to a target
// density, then k-means weight sharing of the survivors into 2^b - 1 shared values
// (linear initialisation between min and max, Lloyd iterations), quantized to int16
// with frac_bits fractional bits; codebook entry 0 is the pruned weight, 0.
#include <cstdint>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/eie_config.hpp"

namespace dnngen::eie {

struct Compressed {
  std::vector<int64_t> codebook;  // 2^index_bits int16 values, [0] = 0
  Tensor w_idx;                   // [M, N], 0 = pruned
  std::vector<double> centroids;  // float shared values before quantization ([0] = 0)
  uint64_t kept = 0;
};

// weights: row-major [m, n]; density in (0, 1] (InputError otherwise). Ties in
// magnitude are broken by position, so the result is deterministic; `seed` only breaks
// ties between equal magnitudes at the threshold in a reproducible random order.
Compressed compress(const config::EieConfig& cfg, const std::vector<float>& weights, int64_t m, int64_t n,
                    double density, uint64_t seed = 1);

// For a model pruned (and perhaps weight-shared) already: keeps its mask (exactly its
// non-zero weights) and, when it has at most 2^index_bits - 1 distinct non-zero values, its
// codebook (those values, ascending, quantised with frac_bits); else k-means over the
// non-zero weights as compress() does. `shared` says which. InputError if every weight is 0.
Compressed compress_keeping(const config::EieConfig& cfg, const std::vector<float>& weights, int64_t m,
                            int64_t n, bool* shared = nullptr);

}  // namespace dnngen::eie
