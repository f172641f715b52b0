#include "dnngen/golden/conv2d.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "dnngen/common/error.hpp"
#include "dnngen/golden/gemm.hpp"

namespace dnngen::golden {
namespace {

void check_rank(const char* name, const Tensor& t, size_t rank, const char* dims) {
  bool ok = t.shape.size() == rank;
  for (const auto d : t.shape) ok = ok && d >= 1;
  if (!ok)
    throw InputError(fmt::format("tensor {}: expected shape {} with every dimension >= 1, got {}", name, dims,
                                 shape_string(t.shape)));
}

}  // namespace

void check_conv2d_shapes(const Tensor& ifmap, const Tensor& weights, const Conv2dParams& p) {
  check_rank("ifmap", ifmap, 3, "[C, H, W]");
  check_rank("weights", weights, 4, "[K, C, R, S]");
  if (weights.shape[1] != ifmap.shape[0])
    throw InputError(
        fmt::format("tensor weights: expected shape [K, C, R, S] with C = {} (ifmap is "
                    "{}), got {}",
                    ifmap.shape[0], shape_string(ifmap.shape), shape_string(weights.shape)));
  if (p.stride < 1) throw InputError(fmt::format("--param stride={}: must be at least 1", p.stride));
  if (p.pad < 0) throw InputError(fmt::format("--param pad={}: must be at least 0", p.pad));
  // A pad beyond the filter size only adds outputs that see nothing but zeros, and an
  // unbounded pad sizes the im2col matrix without bound (pad=1000 took 2 GB).
  const int64_t max_pad = std::max(weights.shape[2], weights.shape[3]);
  if (p.pad > max_pad)
    throw InputError(fmt::format("--param pad={}: must be at most the filter size ({} for a {}x{} filter)",
                                 p.pad, max_pad, weights.shape[2], weights.shape[3]));
  const int64_t h = ifmap.shape[1] + 2 * p.pad, w = ifmap.shape[2] + 2 * p.pad;
  if (weights.shape[2] > h || weights.shape[3] > w)
    throw InputError(
        fmt::format("tensor weights: filter {}x{} is larger than the padded input "
                    "{}x{} (ifmap {}, pad {})",
                    weights.shape[2], weights.shape[3], h, w, shape_string(ifmap.shape), p.pad));
}

void check_conv2d_operands(const config::SystolicConfig& cfg, const Tensor& ifmap, const Tensor& weights,
                           const Conv2dParams& p) {
  check_conv2d_shapes(ifmap, weights, p);
  check_values_fit("ifmap", ifmap, cfg.input_bits, "input_bits", cfg.is_signed);
  check_values_fit("weights", weights, cfg.weight_bits, "weight_bits", cfg.is_signed);
}

Tensor conv2d(const config::SystolicConfig& cfg, const Tensor& ifmap, const Tensor& weights,
              const Conv2dParams& p) {
  check_conv2d_operands(cfg, ifmap, weights, p);
  const int64_t c = ifmap.shape[0], h = ifmap.shape[1], w = ifmap.shape[2];
  const int64_t k = weights.shape[0], r = weights.shape[2], s = weights.shape[3];
  const int64_t e = (h + 2 * p.pad - r) / p.stride + 1, f = (w + 2 * p.pad - s) / p.stride + 1;
  auto in = [&](int64_t ch, int64_t y, int64_t x) -> __int128 {
    if (y < 0 || y >= h || x < 0 || x >= w) return 0;
    return ifmap.data[static_cast<size_t>((ch * h + y) * w + x)];
  };
  Tensor out({k, e, f});
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t oy = 0; oy < e; ++oy)
      for (int64_t ox = 0; ox < f; ++ox) {
        __int128 sum = 0;
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t ry = 0; ry < r; ++ry)
            for (int64_t sx = 0; sx < s; ++sx)
              sum += in(ch, oy * p.stride + ry - p.pad, ox * p.stride + sx - p.pad) *
                     weights.data[static_cast<size_t>(((kk * c + ch) * r + ry) * s + sx)];
        out.data[static_cast<size_t>((kk * e + oy) * f + ox)] = reduce_sum(cfg, sum);
      }
  return out;
}

}  // namespace dnngen::golden
