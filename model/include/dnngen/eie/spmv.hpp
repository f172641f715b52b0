#pragma once
// EIE arithmetic (DESIGN.md "Numerics"): y = ReLU(sat_act((sum codebook[w]*x + round) >>> frac)).
// The golden reference works on the dense index matrix, independently of the CSC encoding
// the RTL reads, so a bad encoder or a bad pipeline both show up as a mismatch.
#include <cstdint>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/eie_config.hpp"

namespace dnngen::eie {

// Codebook values are 16-bit fixed point (EIE); activations are act_bits wide.
constexpr unsigned kCodebookBits = 16;

// The write-back conversion of one accumulator (already wrapped to acc_bits): add the
// rounding half (none when frac_bits = 0), arithmetic shift, saturate to act_bits, ReLU.
int64_t requantize(const config::EieConfig& cfg, int64_t acc);

// One layer: codebook[2^b] (int16), w_idx[M, N] (0 = pruned), x[N] -> y[M]. The sum is
// exact modulo 2^acc_bits. Inputs must have been checked (check_layer in job.hpp).
std::vector<int64_t> spmv(const config::EieConfig& cfg, const std::vector<int64_t>& codebook,
                          const Tensor& w_idx, const std::vector<int64_t>& x);

}  // namespace dnngen::eie
