#include "dnngen/eie/compress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"

namespace dnngen::eie {

Compressed compress(const config::EieConfig& cfg, const std::vector<float>& weights, int64_t m, int64_t n,
                    double density, uint64_t seed) {
  if (!(density > 0.0 && density <= 1.0))
    throw InputError(fmt::format("--param density={}: expected a density in (0, 1]", density));
  const size_t count = weights.size();
  for (size_t i = 0; i < count; ++i)
    if (!std::isfinite(weights[i])) throw InputError(fmt::format("weights: element {} is not finite", i));
  // Pruning: keep the `keep` largest magnitudes (a shuffled order breaks exact ties).
  const size_t keep =
      std::max<size_t>(1, static_cast<size_t>(std::llround(density * static_cast<double>(count))));
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return std::fabs(weights[a]) > std::fabs(weights[b]); });
  order.resize(std::min(keep, count));

  // k-means over the survivors, 1-D: linear initialisation (Deep Compression's best).
  const size_t k = (size_t{1} << cfg.index_bits) - 1;
  Compressed out;
  out.kept = order.size();
  // In double: hi - lo of two float weights near +-3e38 overflows float to inf.
  double lo = weights[order[0]], hi = lo;
  for (size_t i : order) {
    lo = std::min<double>(lo, weights[i]);
    hi = std::max<double>(hi, weights[i]);
  }
  std::vector<double> c(std::max<size_t>(k, 1));
  for (size_t q = 0; q < c.size(); ++q)
    c[q] = c.size() == 1 ? (lo + hi) / 2.0
                         : lo + (hi - lo) * static_cast<double>(q) / static_cast<double>(c.size() - 1);
  std::vector<size_t> assign(order.size());
  auto nearest = [&](double w) {
    size_t best = 0;
    for (size_t q = 1; q < c.size(); ++q)
      if (std::fabs(w - c[q]) < std::fabs(w - c[best])) best = q;
    return best;
  };
  for (int iter = 0; iter < 30; ++iter) {
    std::vector<double> sum(c.size(), 0.0);
    std::vector<size_t> num(c.size(), 0);
    bool changed = iter == 0;
    for (size_t t = 0; t < order.size(); ++t) {
      const size_t q = nearest(weights[order[t]]);
      changed = changed || q != assign[t];
      assign[t] = q;
      sum[q] += weights[order[t]];
      ++num[q];
    }
    for (size_t q = 0; q < c.size(); ++q)
      if (num[q]) c[q] = sum[q] / static_cast<double>(num[q]);
    if (!changed) break;
  }
  const double scale = std::ldexp(1.0, static_cast<int>(cfg.frac_bits));
  out.codebook.assign(size_t{1} << cfg.index_bits, 0);
  out.centroids.assign(out.codebook.size(), 0.0);
  for (size_t q = 0; q < c.size() && q + 1 < out.codebook.size(); ++q) {
    out.centroids[q + 1] = c[q];
    // Saturate in floating point first: llround of a value beyond int64 is undefined (it
    // turned 3e38 into -32768).
    const double code = std::clamp(c[q] * scale, static_cast<double>(numerics::min_value(16, true)),
                                   static_cast<double>(numerics::max_value(16, true)));
    out.codebook[q + 1] = std::llround(code);
  }
  out.w_idx = Tensor({m, n});
  for (size_t t = 0; t < order.size(); ++t)
    out.w_idx.data[order[t]] = static_cast<int64_t>(c.size() == k ? assign[t] + 1 : 1);
  return out;
}

Compressed compress_keeping(const config::EieConfig& cfg, const std::vector<float>& weights, int64_t m,
                            int64_t n, bool* shared) {
  std::set<float> distinct;
  for (const float v : weights)
    if (v != 0.0f) distinct.insert(v);
  if (distinct.empty()) throw InputError("weights: every weight is 0, nothing to keep");
  const size_t slots = (size_t{1} << cfg.index_bits) - 1;
  if (shared) *shared = distinct.size() <= slots;
  if (distinct.size() > slots)  // the density that keeps exactly the non-zero weights
    return compress(
        cfg, weights, m, n,
        static_cast<double>(std::count_if(weights.begin(), weights.end(), [](float v) { return v != 0; })) /
            static_cast<double>(weights.size()));
  Compressed out;
  out.codebook.assign(slots + 1, 0);
  out.centroids.assign(slots + 1, 0.0);
  std::map<float, int64_t> index_of;
  const double scale = std::ldexp(1.0, static_cast<int>(cfg.frac_bits));
  for (const float v : distinct) {
    const auto i = static_cast<int64_t>(index_of.size()) + 1;
    index_of[v] = i;
    out.centroids[static_cast<size_t>(i)] = v;
    out.codebook[static_cast<size_t>(i)] =
        std::llround(std::clamp(v * scale, static_cast<double>(numerics::min_value(16, true)),
                                static_cast<double>(numerics::max_value(16, true))));
  }
  out.w_idx = Tensor({m, n});
  for (size_t i = 0; i < weights.size(); ++i)
    if (weights[i] != 0.0f) {
      out.w_idx.data[i] = index_of[weights[i]];
      ++out.kept;
    }
  return out;
}

}  // namespace dnngen::eie
