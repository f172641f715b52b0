#pragma once
// Real layers on the engine: operand data for a layer (im2col lowering of a conv),
// and the split of a layer's GEMM into engine jobs that fit the configured limits,
// as a host driver runs them (K-chunks are summed on the host).
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::workload {

// im2col: ifmap [C, H, W] -> A [E*F, C*R*S], zero outside the input; row e*F + f is
// the receptive field of output pixel (e, f), column c*R*S + r*S + s.
Tensor im2col(const Tensor& ifmap, const ConvShape& conv);

// weights [K, C, R, S] -> B [C*R*S, K], the column order im2col uses.
Tensor weights_as_gemm(const Tensor& weights);

// Operands of one group of a layer, with data drawn from `seed`: activations are
// post-ReLU (non-negative, half of them zero), weights symmetric around zero.
struct LayerOperands {
  Tensor a, b;
};
LayerOperands make_layer_operands(const config::SystolicConfig& cfg, const Layer& layer, uint64_t seed);

// One engine job of a split GEMM: rows [m0, m0+m), columns [n0, n0+n), inner [k0, k0+k).
struct JobSlice {
  int64_t m0 = 0, n0 = 0, k0 = 0;
  int64_t m = 0, n = 0, k = 0;
};
std::vector<JobSlice> split_into_jobs(const config::SystolicConfig& cfg, const golden::GemmShape& shape);

// The jobs of a whole GEMM, split to the limits, with each job's operands.
struct JobPlan {
  std::vector<JobSlice> slices;
  std::vector<Tensor> a_parts, b_parts;  // per job
};
JobPlan plan_jobs(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b);

// Host driver: adds one job's result into the whole output (K-chunks sum on the host
// in the accumulator's wrap-around arithmetic).
void accumulate_slice(const config::SystolicConfig& cfg, const JobSlice& slice, const Tensor& part,
                      Tensor& whole);

// conv2d as the WS/OS engines run it: im2col of the ifmap and the weights as a GEMM.
// Throws InputError for bad operands (golden::check_conv2d_operands) and, with
// `overflow: saturate`, when C*R*S exceeds max_k (saturation would apply per job).
struct Conv2dLowering {
  Tensor a, b;  // A [E*F, C*R*S], B [C*R*S, K]
  int64_t e = 0, f = 0;
};
Conv2dLowering lower_conv2d(const config::SystolicConfig& cfg, const Tensor& ifmap, const Tensor& weights,
                            int64_t stride, int64_t pad);

// C [E*F, K] of a lowered conv2d -> ofmap [K, E, F].
Tensor gemm_to_ofmap(const Tensor& c, int64_t e, int64_t f);

// Copies t[r0 : r0+rows, c0 : c0+cols].
Tensor slice(const Tensor& t, int64_t r0, int64_t c0, int64_t rows, int64_t cols);

// Finds a layer by name in a workload file ("FILE:NAME"); InputError if absent.
Layer find_layer(const std::string& file_and_name);

}  // namespace dnngen::workload
