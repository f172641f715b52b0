#pragma once
// Random GEMM jobs for co-simulation. Shapes favour the edges of the tiling (1, R-1,
// R, R+1, multiples of R and C, the configured maxima); values are uniform over the
// operand range, or pinned to the extremes to exercise wrap and saturation.
#include <cstdint>
#include <random>
#include <string>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::systolic {

enum class ValueMode { kUniform, kExtreme, kMixed };

struct GemmJob {
  std::string label;  // e.g. "seed 7 job 3: M=5 N=17 K=1 extreme"
  Tensor a, b;
};

// Job `index` of the stream seeded with `seed`: the same (seed, index) always gives
// the same job, so any failure replays from the two numbers.
GemmJob random_gemm_job(const config::SystolicConfig& cfg, uint64_t seed, uint64_t index);

// A job of the given shape and value mode, from its own generator.
GemmJob make_gemm_job(const config::SystolicConfig& cfg, int64_t m, int64_t n, int64_t k, ValueMode mode,
                      std::mt19937_64& rng);

}  // namespace dnngen::systolic
