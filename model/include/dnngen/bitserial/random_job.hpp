#pragma once
// Random co-simulation jobs for the bit-serial engine, reproducible from (seed, index).
// Job index i cycles through kinds that cover the engine's corners:
//   0 random shape, precision p in 1..input_bits, activations uniform over p bits
//   1 all-zero activations (every Pragmatic brick takes its minimum of one cycle)
//   2 all-ones activations (p-bit pattern of ones: 2^p-1, or -1 when signed) times
//     maximum-magnitude weights (-2^(weight_bits-1))
//   3 precision=auto, rows of widely different magnitudes (groups detect different p)
//   4 post-ReLU-like: half zeros, small values, p = input_bits (Pragmatic's case)
//   5 extremes of the p range in activations and weights, every size at its limit
//     (max_m, max_n, max_k)
// A --param precision=... given by the user replaces each kind's precision.
#include <cstdint>
#include <string>

#include "dnngen/bitserial/model.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::bitserial {

struct Job {
  std::string label;
  Tensor a, b;
  Precision precision;
};

inline constexpr uint64_t kJobKinds = 6;

Job random_job(const config::BitserialConfig& cfg, uint64_t seed, uint64_t index,
               const std::string& precision_param);

}  // namespace dnngen::bitserial
