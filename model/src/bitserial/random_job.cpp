// Random co-simulation jobs: see dnngen/bitserial/random_job.hpp.
#include "dnngen/bitserial/random_job.hpp"

#include <fmt/format.h>

#include <random>

#include "dnngen/common/numerics.hpp"

namespace dnngen::bitserial {

Job random_job(const config::BitserialConfig& cfg, uint64_t seed, uint64_t index,
               const std::string& precision_param) {
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + index);
  const auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const uint64_t kind = index % kJobKinds;
  int64_t m = uniform(1, cfg.max_m), n = uniform(1, cfg.max_n), k = uniform(1, cfg.max_k);
  // The extreme-value jobs (kind 5) also take every size at its limit.
  if (kind == 5) m = cfg.max_m, n = cfg.max_n, k = cfg.max_k;
  // With cascade, half the jobs are of one window (a fully connected layer's), whose bricks
  // spread over the windows.
  if (cfg.cascade && (index / kJobKinds) % 2 == 0) m = 1;

  Job job;
  job.precision.bits = static_cast<unsigned>(uniform(1, cfg.input_bits));
  if (kind == 3) job.precision.automatic = true;
  if (kind == 4) job.precision.bits = cfg.input_bits;
  if (!precision_param.empty()) job.precision = parse_precision(cfg, precision_param);
  const unsigned p = job.precision.automatic ? cfg.input_bits : job.precision.bits;
  const int64_t amin = numerics::min_value(p, cfg.is_signed), amax = numerics::max_value(p, cfg.is_signed);
  const int64_t wmin = numerics::min_value(cfg.weight_bits, true),
                wmax = numerics::max_value(cfg.weight_bits, true);

  job.a = Tensor({m, k});
  job.b = Tensor({k, n});
  for (int64_t i = 0; i < m; ++i) {
    // kind 3: each window's magnitude is its own, so groups differ in precision.
    const unsigned row_bits = static_cast<unsigned>(uniform(1, p));
    for (int64_t j = 0; j < k; ++j) {
      int64_t v = 0;
      switch (kind) {
        case 1:
          v = 0;
          break;
        case 2:
          v = cfg.is_signed ? -1 : amax;
          break;
        case 3:
          v = uniform(numerics::min_value(row_bits, cfg.is_signed),
                      numerics::max_value(row_bits, cfg.is_signed));
          break;
        case 4:
          v = uniform(0, 1) ? 0 : std::min<int64_t>(amax, uniform(0, 15));
          break;
        case 5:
          v = uniform(0, 1) ? amin : amax;
          break;
        default:
          v = uniform(amin, amax);
          break;
      }
      job.a.at(i, j) = v;
    }
  }
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      job.b.at(i, j) = kind == 2 ? wmin : (kind == 5 ? (uniform(0, 1) ? wmin : wmax) : uniform(wmin, wmax));
  static const char* kKinds[] = {"random",         "all-zero A", "all-ones A, max-magnitude B",
                                 "auto precision", "post-ReLU",  "extremes"};
  job.label = fmt::format("{} {}x{}x{} p={}", kKinds[kind], m, n, k, to_string(job.precision));
  return job;
}

}  // namespace dnngen::bitserial
