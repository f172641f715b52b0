#pragma once
// Bit-exact golden 2-D convolution, computed directly (not through im2col), so it is
// an independent reference for the lowered GEMMs the engine runs:
//   ofmap[k, e, f] = sum over c, r, s of ifmap[c, e*S + r - P, f*S + s - P] * weights[k, c, r, s]
// with zero outside the input; E = floor((H + 2P - R) / S) + 1, likewise F. The exact
// sum is reduced by the config's overflow rule (golden::reduce_sum).
#include <cstdint>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::golden {

struct Conv2dParams {
  int64_t stride = 1;
  int64_t pad = 0;
};

// Throws InputError naming the tensor or parameter for: ifmap not [C, H, W], weights
// not [K, C, R, S], channel mismatch, stride < 1, pad < 0 or above the filter size, a
// filter larger than the padded input. (The shapes alone: engines check the values.)
void check_conv2d_shapes(const Tensor& ifmap, const Tensor& weights, const Conv2dParams& p);

// check_conv2d_shapes, then values that do not fit input_bits / weight_bits.
void check_conv2d_operands(const config::SystolicConfig& cfg, const Tensor& ifmap, const Tensor& weights,
                           const Conv2dParams& p);

Tensor conv2d(const config::SystolicConfig& cfg, const Tensor& ifmap, const Tensor& weights,
              const Conv2dParams& p);

}  // namespace dnngen::golden
