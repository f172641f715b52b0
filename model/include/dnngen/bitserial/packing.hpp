#pragma once
// Host side of the bit-serial engine's buffers (layout in rtl/bitserial/dnn_bitserial_top.sv):
//   A word mt*KbMax + kb: window mt*tile_rows + r, k = kb*lanes + l at bit (r*lanes + l)*input_bits
//   B word nt*KbMax + kb: filter nt*tile_cols + c, same k, at bit (c*lanes + l)*weight_bits
// with KbMax = ceil(max_k / lanes); lanes past M, N, K are zero. Results: one row of
// tile_cols acc_bits fields per output handshake.
#include <cstdint>
#include <vector>

#include "dnngen/common/bit_words.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::bitserial {

unsigned load_width(const config::BitserialConfig& cfg);    // max of the A and B word widths
unsigned result_width(const config::BitserialConfig& cfg);  // tile_cols * acc_bits

// Every buffer word the job reads.
std::vector<LoadWord> pack_operands(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b);

// Scatters one result row (tile_cols lanes from column col0) into c, ignoring lanes past N.
void unpack_result_row(const config::BitserialConfig& cfg, const BitWords& data, int64_t row, int64_t col0,
                       Tensor& c);

}  // namespace dnngen::bitserial
