#include "dnngen/systolic/packing.hpp"

#include <algorithm>

#include "dnngen/common/numerics.hpp"

namespace dnngen::systolic {
namespace {

int64_t value_or_zero(const Tensor& t, int64_t i, int64_t j) {
  return (i < t.shape[0] && j < t.shape[1]) ? t.at(i, j) : 0;
}

}  // namespace

unsigned load_width(const config::SystolicConfig& cfg) {
  return std::max(cfg.rows * cfg.input_bits, cfg.cols * cfg.weight_bits);
}

unsigned result_width(const config::SystolicConfig& cfg) { return cfg.cols * cfg.acc_bits; }

std::vector<LoadWord> pack_operands(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b) {
  const int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  const int64_t r = cfg.rows, c = cfg.cols;
  const unsigned width = load_width(cfg);
  std::vector<LoadWord> words;

  auto a_word = [&](uint32_t addr, auto element_of_lane) {
    LoadWord w{false, addr, zero_words(width)};
    for (int64_t i = 0; i < r; ++i)
      put_field(w.data, static_cast<unsigned>(i) * cfg.input_bits, cfg.input_bits,
                numerics::to_field(element_of_lane(i), cfg.input_bits));
    words.push_back(std::move(w));
  };

  if (cfg.dataflow == config::Dataflow::kWeightStationary) {
    for (int64_t kt = 0; kt * r < k; ++kt)
      for (int64_t row = 0; row < m; ++row)
        a_word(static_cast<uint32_t>(kt * cfg.max_m + row),
               [&](int64_t i) { return value_or_zero(a, row, kt * r + i); });
  } else {
    for (int64_t mt = 0; mt * r < m; ++mt)
      for (int64_t kk = 0; kk < k; ++kk)
        a_word(static_cast<uint32_t>(mt * cfg.max_k + kk),
               [&](int64_t i) { return value_or_zero(a, mt * r + i, kk); });
  }

  for (int64_t nt = 0; nt * c < n; ++nt) {
    for (int64_t kk = 0; kk < k; ++kk) {
      LoadWord w{true, static_cast<uint32_t>(nt * cfg.max_k + kk), zero_words(width)};
      for (int64_t j = 0; j < c; ++j)
        put_field(w.data, static_cast<unsigned>(j) * cfg.weight_bits, cfg.weight_bits,
                  numerics::to_field(value_or_zero(b, kk, nt * c + j), cfg.weight_bits));
      words.push_back(std::move(w));
    }
  }
  return words;
}

void unpack_result_row(const config::SystolicConfig& cfg, const BitWords& data, int64_t row, int64_t col0,
                       Tensor& c) {
  for (int64_t j = 0; j < cfg.cols && col0 + j < c.shape[1]; ++j) {
    const uint64_t field = get_field(data, static_cast<unsigned>(j) * cfg.acc_bits, cfg.acc_bits);
    c.at(row, col0 + j) = numerics::from_field(field, cfg.acc_bits, /*is_signed=*/true);
  }
}

}  // namespace dnngen::systolic
