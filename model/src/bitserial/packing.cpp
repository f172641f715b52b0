// Buffer words and result rows of the bit-serial engine: see dnngen/bitserial/packing.hpp.
#include "dnngen/bitserial/packing.hpp"

#include <algorithm>

#include "dnngen/common/numerics.hpp"

namespace dnngen::bitserial {

unsigned load_width(const config::BitserialConfig& cfg) {
  return std::max(cfg.tile_rows * cfg.lanes * cfg.input_bits, cfg.tile_cols * cfg.lanes * cfg.weight_bits);
}

unsigned result_width(const config::BitserialConfig& cfg) { return cfg.tile_cols * cfg.acc_bits; }

std::vector<LoadWord> pack_operands(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b) {
  const int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  const int64_t kb_max = (cfg.max_k + cfg.lanes - 1) / cfg.lanes;
  const int64_t kbs = (k + cfg.lanes - 1) / cfg.lanes;
  const size_t chunks = (load_width(cfg) + 31) / 32;
  std::vector<LoadWord> words;
  for (int64_t mt = 0; mt * cfg.tile_rows < m; ++mt) {
    for (int64_t kb = 0; kb < kbs; ++kb) {
      LoadWord w{false, static_cast<uint32_t>(mt * kb_max + kb), BitWords(chunks, 0u)};
      for (unsigned r = 0; r < cfg.tile_rows; ++r)
        for (unsigned l = 0; l < cfg.lanes; ++l) {
          const int64_t row = mt * cfg.tile_rows + r, col = kb * cfg.lanes + l;
          if (row < m && col < k)
            systolic::put_field(w.data, (r * cfg.lanes + l) * cfg.input_bits, cfg.input_bits,
                                numerics::to_field(a.at(row, col), cfg.input_bits));
        }
      words.push_back(std::move(w));
    }
  }
  for (int64_t nt = 0; nt * cfg.tile_cols < n; ++nt) {
    for (int64_t kb = 0; kb < kbs; ++kb) {
      LoadWord w{true, static_cast<uint32_t>(nt * kb_max + kb), BitWords(chunks, 0u)};
      for (unsigned c = 0; c < cfg.tile_cols; ++c)
        for (unsigned l = 0; l < cfg.lanes; ++l) {
          const int64_t col = nt * cfg.tile_cols + c, kk = kb * cfg.lanes + l;
          if (col < n && kk < k)
            systolic::put_field(w.data, (c * cfg.lanes + l) * cfg.weight_bits, cfg.weight_bits,
                                numerics::to_field(b.at(kk, col), cfg.weight_bits));
        }
      words.push_back(std::move(w));
    }
  }
  return words;
}

void unpack_result_row(const config::BitserialConfig& cfg, const BitWords& data, int64_t row,
                       int64_t col0, Tensor& c) {
  for (unsigned j = 0; j < cfg.tile_cols; ++j) {
    const int64_t col = col0 + j;
    if (col >= c.shape[1]) break;
    c.at(row, col) = numerics::from_field(systolic::get_field(data, j * cfg.acc_bits, cfg.acc_bits),
                                          cfg.acc_bits, true);
  }
}

}  // namespace dnngen::bitserial
