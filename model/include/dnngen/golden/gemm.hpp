#pragma once
// Bit-exact golden GEMM: C[M,N] = A[M,K] x B[K,N] with the config's widths.
// Numerics (docs/architecture.md): the exact sum of products is formed, then
//   wrap:     reduced modulo 2^acc_bits, read as two's complement;
//   saturate: clamped to the signed acc_bits range.
// Both are independent of summation order, so every dataflow matches this model.
#include <cstdint>
#include <string>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::golden {

// The sizes of one GEMM: C[m,n] = A[m,k] x B[k,n].
struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
};

// Throws InputError if A/B are not 2-D, inner dimensions differ, a size is 0 or above
// the config's max_m/max_n/max_k, or an element does not fit input_bits/weight_bits
// with the config's signedness. Message names the tensor ("A" / "B"). Without
// `within_job_limits` any size passes (a layer through the shell, which tiles it).
void check_gemm_operands(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b,
                         bool within_job_limits = true);

Tensor gemm(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b);

// The numerics contract applied to an exact sum: wrap to acc_bits or saturate.
int64_t reduce_sum(const config::SystolicConfig& cfg, __int128 sum);

// InputError "tensor NAME: element [i, j, ...] = v does not fit int8 (KEY 8, signed)
// range -128..127" for the first element outside the `bits`-wide range.
void check_values_fit(const std::string& name, const Tensor& t, unsigned bits, const char* key,
                      bool is_signed);

}  // namespace dnngen::golden
