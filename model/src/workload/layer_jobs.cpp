#include "dnngen/workload/layer_jobs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/golden/conv2d.hpp"

namespace dnngen::workload {

Tensor im2col(const Tensor& ifmap, const ConvShape& conv) {
  const int64_t c = ifmap.shape[0], h = ifmap.shape[1], w = ifmap.shape[2];
  const int64_t e = conv_output_size(h, conv.r, conv.stride, conv.pad);
  const int64_t f = conv_output_size(w, conv.s, conv.stride, conv.pad);
  Tensor a({e * f, c * conv.r * conv.s});
  for (int64_t oy = 0; oy < e; ++oy)
    for (int64_t ox = 0; ox < f; ++ox)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t r = 0; r < conv.r; ++r)
          for (int64_t s = 0; s < conv.s; ++s) {
            const int64_t y = oy * conv.stride + r - conv.pad, x = ox * conv.stride + s - conv.pad;
            const bool inside = y >= 0 && y < h && x >= 0 && x < w;
            a.at(oy * f + ox, (ch * conv.r + r) * conv.s + s) =
                inside ? ifmap.data[static_cast<size_t>((ch * h + y) * w + x)] : 0;
          }
  return a;
}

Tensor weights_as_gemm(const Tensor& weights) {
  const int64_t k = weights.shape[0];
  const int64_t crs = weights.size() / k;
  Tensor b({crs, k});
  for (int64_t col = 0; col < k; ++col)
    for (int64_t row = 0; row < crs; ++row)
      b.at(row, col) = weights.data[static_cast<size_t>(col * crs + row)];
  return b;
}

LayerOperands make_layer_operands(const config::SystolicConfig& cfg, const Layer& layer, uint64_t seed) {
  std::mt19937_64 rng(seed);
  // Post-ReLU activations: zero half the time, else a value skewed towards small ones.
  const int64_t act_max = numerics::max_value(cfg.input_bits, cfg.is_signed);
  const int64_t w_max = numerics::max_value(cfg.weight_bits, cfg.is_signed);
  const int64_t w_min = cfg.is_signed ? -w_max : 0;
  std::bernoulli_distribution zero(0.5);
  std::exponential_distribution<double> magnitude(4.0);
  std::normal_distribution<double> weight(0.0, static_cast<double>(w_max) / 4.0);
  auto activation = [&] {
    if (zero(rng)) return int64_t{0};
    return std::min<int64_t>(act_max, 1 + static_cast<int64_t>(magnitude(rng) * act_max));
  };
  auto weight_value = [&] {
    const double v = cfg.is_signed ? weight(rng) : std::abs(weight(rng));
    return std::clamp<int64_t>(static_cast<int64_t>(v), w_min, w_max);
  };

  LayerOperands ops;
  if (layer.type == LayerType::kGemm) {
    ops.a = Tensor({layer.gemm.m, layer.gemm.k});
    ops.b = Tensor({layer.gemm.k, layer.gemm.n});
    for (auto& v : ops.a.data) v = activation();
    for (auto& v : ops.b.data) v = weight_value();
    return ops;
  }
  // One group of the convolution.
  const auto& cv = layer.conv;
  const int64_t c = cv.c / layer.groups, k = cv.filters / layer.groups;
  Tensor ifmap({c, cv.h, cv.w}), weights({k, c, cv.r, cv.s});
  for (auto& v : ifmap.data) v = activation();
  for (auto& v : weights.data) v = weight_value();
  ops.a = im2col(ifmap, cv);
  ops.b = weights_as_gemm(weights);
  return ops;
}

std::vector<JobSlice> split_into_jobs(const config::SystolicConfig& cfg, const golden::GemmShape& shape) {
  std::vector<JobSlice> jobs;
  for (int64_t m0 = 0; m0 < shape.m; m0 += cfg.max_m)
    for (int64_t n0 = 0; n0 < shape.n; n0 += cfg.max_n)
      for (int64_t k0 = 0; k0 < shape.k; k0 += cfg.max_k)
        jobs.push_back({m0, n0, k0, std::min<int64_t>(cfg.max_m, shape.m - m0),
                        std::min<int64_t>(cfg.max_n, shape.n - n0),
                        std::min<int64_t>(cfg.max_k, shape.k - k0)});
  return jobs;
}

JobPlan plan_jobs(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b) {
  JobPlan plan;
  plan.slices = split_into_jobs(cfg, {a.shape[0], b.shape[1], a.shape[1]});
  for (const auto& sl : plan.slices) {
    plan.a_parts.push_back(slice(a, sl.m0, sl.k0, sl.m, sl.k));
    plan.b_parts.push_back(slice(b, sl.k0, sl.n0, sl.k, sl.n));
  }
  return plan;
}

void accumulate_slice(const config::SystolicConfig& cfg, const JobSlice& sl, const Tensor& part,
                      Tensor& whole) {
  for (int64_t i = 0; i < sl.m; ++i)
    for (int64_t j = 0; j < sl.n; ++j) {
      int64_t& v = whole.at(sl.m0 + i, sl.n0 + j);
      v = numerics::wrap_signed(v + part.at(i, j), cfg.acc_bits);
    }
}

Conv2dLowering lower_conv2d(const config::SystolicConfig& cfg, const Tensor& ifmap, const Tensor& weights,
                            int64_t stride, int64_t pad) {
  golden::check_conv2d_operands(cfg, ifmap, weights, {stride, pad});
  ConvShape conv;
  conv.c = ifmap.shape[0];
  conv.h = ifmap.shape[1];
  conv.w = ifmap.shape[2];
  conv.filters = weights.shape[0];
  conv.r = weights.shape[2];
  conv.s = weights.shape[3];
  conv.stride = stride;
  conv.pad = pad;
  const int64_t k = conv.c * conv.r * conv.s;
  if (cfg.overflow == config::Overflow::kSaturate && k > static_cast<int64_t>(cfg.max_k))
    throw InputError(
        fmt::format("conv2d: C*R*S = {} exceeds max_k = {}; with overflow: saturate "
                    "the engine saturates per job, so the lowered GEMM must fit one "
                    "job in K",
                    k, cfg.max_k));
  Conv2dLowering low;
  low.a = im2col(ifmap, conv);
  low.b = weights_as_gemm(weights);
  low.e = conv_output_size(conv.h, conv.r, stride, pad);
  low.f = conv_output_size(conv.w, conv.s, stride, pad);
  return low;
}

Tensor gemm_to_ofmap(const Tensor& c, int64_t e, int64_t f) {
  const int64_t k = c.shape[1];
  Tensor out({k, e, f});
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t pix = 0; pix < e * f; ++pix) out.data[static_cast<size_t>(kk * e * f + pix)] = c.at(pix, kk);
  return out;
}

Tensor slice(const Tensor& t, int64_t r0, int64_t c0, int64_t rows, int64_t cols) {
  Tensor out({rows, cols});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out.at(r, c) = t.at(r0 + r, c0 + c);
  return out;
}

Layer find_layer(const std::string& file_and_name) {
  const auto colon = file_and_name.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == file_and_name.size())
    throw InputError("--layer " + file_and_name + ": expected FILE.csv:LAYER_NAME");
  const std::string file = file_and_name.substr(0, colon), name = file_and_name.substr(colon + 1);
  for (const auto& layer : load_network(file))
    if (layer.name == name) return layer;
  throw InputError("--layer: no layer named '" + name + "' in " + file);
}

}  // namespace dnngen::workload
