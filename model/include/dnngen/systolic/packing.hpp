#pragma once
// Host-side driver of the systolic engine: packs A and B into the buffer words the
// loader port writes, and unpacks result rows (word layout: dnngen/common/bit_words.hpp).
#include <cstdint>
#include <vector>

#include "dnngen/common/bit_words.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::systolic {

// Loader port width in bits: max(R * input_bits, C * weight_bits).
unsigned load_width(const config::SystolicConfig& cfg);
// Result port width in bits: C * acc_bits.
unsigned result_width(const config::SystolicConfig& cfg);

// Every buffer word the job reads, lanes past M/N/K zero-filled. Layout per dataflow
// (matches the RTL core headers):
//   WS A: addr kt*MaxM + m -> A[m, kt*R + i]      OS A: addr mt*MaxK + k -> A[mt*R + i, k]
//   B:    addr nt*MaxK + k -> B[k, nt*C + j]
std::vector<LoadWord> pack_operands(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b);

// Scatters one result row slice (C lanes of acc_bits, two's complement) into c[M,N],
// ignoring lanes at or past N.
void unpack_result_row(const config::SystolicConfig& cfg, const BitWords& data, int64_t row, int64_t col0,
                       Tensor& c);

}  // namespace dnngen::systolic
