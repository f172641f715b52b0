#include "dnngen/eie/spmv.hpp"

#include "dnngen/common/numerics.hpp"

namespace dnngen::eie {

int64_t requantize(const config::EieConfig& cfg, int64_t acc) {
  // The shell's output pipeline with no bias and unit scale: round, shift, saturate, ReLU.
  return numerics::requantize(acc, 0, 1, cfg.frac_bits, cfg.act_bits, cfg.relu);
}

std::vector<int64_t> spmv(const config::EieConfig& cfg, const std::vector<int64_t>& codebook,
                          const Tensor& w_idx, const std::vector<int64_t>& x) {
  const int64_t m = w_idx.shape[0], n = w_idx.shape[1];
  std::vector<int64_t> y(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    // Products fit 16 + act_bits <= 32 bits; an int64 sum of at most 2^16 of them
    // cannot overflow, and wrapping once at the end equals wrapping every step.
    int64_t sum = 0;
    for (int64_t j = 0; j < n; ++j) {
      const int64_t w = w_idx.at(i, j);
      if (w != 0) sum += codebook[static_cast<size_t>(w)] * x[static_cast<size_t>(j)];
    }
    y[static_cast<size_t>(i)] = requantize(cfg, numerics::wrap_signed(sum, cfg.acc_bits));
  }
  return y;
}

}  // namespace dnngen::eie
