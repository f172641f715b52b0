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
  const unsigned width = load_width(cfg);
  std::vector<LoadWord> words;
  // One buffer word per (tile, brick): `tile` rows of A (windows) or columns of B
  // (filters), each a brick of `lanes` consecutive k, `bits` per value; outside the
  // matrix the fields stay zero.
  auto pack = [&](bool to_b, int64_t extent, unsigned tile, unsigned bits, auto value) {
    for (int64_t t = 0; t * tile < extent; ++t) {
      for (int64_t kb = 0; kb < kbs; ++kb) {
        LoadWord w{to_b, static_cast<uint32_t>(t * kb_max + kb), zero_words(width)};
        for (unsigned r = 0; r < tile; ++r)
          for (unsigned l = 0; l < cfg.lanes; ++l) {
            const int64_t i = t * tile + r, kk = kb * cfg.lanes + l;
            if (i < extent && kk < k)
              put_field(w.data, (r * cfg.lanes + l) * bits, bits, numerics::to_field(value(i, kk), bits));
          }
        words.push_back(std::move(w));
      }
    }
  };
  pack(false, m, cfg.tile_rows, cfg.input_bits, [&](int64_t row, int64_t kk) { return a.at(row, kk); });
  pack(true, n, cfg.tile_cols, cfg.weight_bits, [&](int64_t col, int64_t kk) { return b.at(kk, col); });
  return words;
}

void unpack_result_row(const config::BitserialConfig& cfg, const BitWords& data, int64_t row, int64_t col0,
                       Tensor& c) {
  for (unsigned j = 0; j < cfg.tile_cols; ++j) {
    const int64_t col = col0 + j;
    if (col >= c.shape[1]) break;
    c.at(row, col) =
        numerics::from_field(get_field(data, j * cfg.acc_bits, cfg.acc_bits), cfg.acc_bits, true);
  }
}

}  // namespace dnngen::bitserial
