#include "dnngen/systolic/random_job.hpp"

#include <algorithm>
#include <vector>

#include "dnngen/common/numerics.hpp"

namespace dnngen::systolic {
namespace {

// A size in 1..limit, half the time one of the tiling edges.
int64_t pick_size(std::mt19937_64& rng, int64_t tile, int64_t limit) {
  std::vector<int64_t> edges = {1, tile - 1, tile, tile + 1, 2 * tile, 3 * tile - 1, limit};
  if (std::bernoulli_distribution(0.5)(rng)) {
    const int64_t v = edges[std::uniform_int_distribution<size_t>(0, edges.size() - 1)(rng)];
    return std::clamp<int64_t>(v, 1, limit);
  }
  // Mostly small to keep jobs quick, sometimes anywhere up to the limit.
  const int64_t hi = std::bernoulli_distribution(0.8)(rng) ? std::min(limit, 4 * tile + 3) : limit;
  return std::uniform_int_distribution<int64_t>(1, hi)(rng);
}

void fill(Tensor& t, unsigned bits, bool is_signed, ValueMode mode, std::mt19937_64& rng) {
  const int64_t lo = numerics::min_value(bits, is_signed), hi = numerics::max_value(bits, is_signed);
  std::uniform_int_distribution<int64_t> uniform(lo, hi);
  std::bernoulli_distribution coin(0.5);
  for (auto& v : t.data) {
    switch (mode) {
      case ValueMode::kUniform:
        v = uniform(rng);
        break;
      case ValueMode::kExtreme:
        v = coin(rng) ? hi : lo;
        break;
      case ValueMode::kMixed:
        v = coin(rng) ? uniform(rng) : (coin(rng) ? hi : lo);
        break;
    }
  }
}

const char* mode_name(ValueMode mode) {
  switch (mode) {
    case ValueMode::kUniform:
      return "uniform";
    case ValueMode::kExtreme:
      return "extreme";
    case ValueMode::kMixed:
      return "mixed";
  }
  return "?";
}

}  // namespace

GemmJob make_gemm_job(const config::SystolicConfig& cfg, int64_t m, int64_t n, int64_t k, ValueMode mode,
                      std::mt19937_64& rng) {
  GemmJob job;
  job.a = Tensor({m, k});
  job.b = Tensor({k, n});
  fill(job.a, cfg.input_bits, cfg.is_signed, mode, rng);
  fill(job.b, cfg.weight_bits, cfg.is_signed, mode, rng);
  job.label = "M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=" + std::to_string(k) + " " +
              mode_name(mode);
  return job;
}

GemmJob random_gemm_job(const config::SystolicConfig& cfg, uint64_t seed, uint64_t index) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + index);
  const int64_t m = pick_size(rng, cfg.rows, cfg.max_m);
  const int64_t n = pick_size(rng, cfg.cols, cfg.max_n);
  const int64_t k = pick_size(rng, cfg.rows, cfg.max_k);
  const double p = std::uniform_real_distribution<double>(0, 1)(rng);
  const ValueMode mode = p < 0.6 ? ValueMode::kUniform : (p < 0.8 ? ValueMode::kExtreme : ValueMode::kMixed);
  GemmJob job = make_gemm_job(cfg, m, n, k, mode, rng);
  job.label = "seed " + std::to_string(seed) + " job " + std::to_string(index) + ": " + job.label;
  return job;
}

}  // namespace dnngen::systolic
