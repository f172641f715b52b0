// Golden GEMM: hand-computed results, wrap and saturate at the accumulator edges,
// unsigned operands, operand checks, and a seeded random comparison against a naive
// int64 reference. Replay a random run with DNNGEN_SEED=<seed>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/golden/gemm.hpp"

namespace dnngen::golden {
namespace {

using config::Overflow;
using config::SystolicConfig;

SystolicConfig int8_config(unsigned acc_bits = 32, Overflow overflow = Overflow::kWrap) {
  SystolicConfig cfg;
  cfg.rows = 4;
  cfg.cols = 4;
  cfg.input_bits = 8;
  cfg.weight_bits = 8;
  cfg.acc_bits = acc_bits;
  cfg.is_signed = true;
  cfg.overflow = overflow;
  cfg.max_m = 256;
  cfg.max_n = 256;
  cfg.max_k = 256;
  return cfg;
}

Tensor matrix(int64_t rows, int64_t cols, std::vector<int64_t> values) {
  Tensor t({rows, cols});
  t.data = std::move(values);
  return t;
}

Tensor filled(int64_t rows, int64_t cols, int64_t value) {
  Tensor t({rows, cols});
  std::fill(t.data.begin(), t.data.end(), value);
  return t;
}

std::string gemm_error(const SystolicConfig& cfg, const Tensor& a, const Tensor& b) {
  try {
    gemm(cfg, a, b);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError";
  return "";
}

TEST(Gemm, HandComputed2x3x2) {
  const Tensor a = matrix(2, 3, {1, 2, 3, -4, 5, -6});
  const Tensor b = matrix(3, 2, {7, -8, 9, 10, -11, 12});
  const Tensor c = gemm(int8_config(), a, b);
  ASSERT_EQ(c.shape, (std::vector<int64_t>{2, 2}));
  // Row 0: 7+18-33 = -8, -8+20+36 = 48. Row 1: -28+45+66 = 83, 32+50-72 = 10.
  EXPECT_EQ(c.data, (std::vector<int64_t>{-8, 48, 83, 10}));
}

TEST(Gemm, OneByOneByOne) {
  EXPECT_EQ(gemm(int8_config(), matrix(1, 1, {-128}), matrix(1, 1, {-128})).data,
            (std::vector<int64_t>{16384}));
}

TEST(Gemm, WrapsAtAccumulatorWidth) {
  // Two products of 127*127 = 16129 sum to 32258, inside int16; four sum to 64516,
  // which wraps to 64516 - 65536 = -1020 in 16 bits.
  const SystolicConfig cfg = int8_config(16);
  EXPECT_EQ(gemm(cfg, filled(1, 2, 127), filled(2, 1, 127)).data[0], 32258);
  EXPECT_EQ(gemm(cfg, filled(1, 4, 127), filled(4, 1, 127)).data[0], -1020);
  // -128 * -128 * 2 = 32768 wraps to -32768.
  EXPECT_EQ(gemm(cfg, filled(1, 2, -128), filled(2, 1, -128)).data[0], -32768);
}

TEST(Gemm, WrapIsExactSumModuloNotPerStep) {
  // +max then -max: a per-step saturating or wrapping model would still give 0 here,
  // but the exact sum crossing the edge mid-way must not matter for either mode.
  const Tensor a = matrix(1, 4, {127, 127, 127, 127});
  const Tensor b = matrix(4, 1, {127, 127, -127, -127});
  EXPECT_EQ(gemm(int8_config(16), a, b).data[0], 0);
  EXPECT_EQ(gemm(int8_config(16, Overflow::kSaturate), a, b).data[0], 0);
}

TEST(Gemm, SaturatesBothDirections) {
  const SystolicConfig cfg = int8_config(20, Overflow::kSaturate);
  // 64 * 127 * 127 = 1032256 > 2^19 - 1 = 524287.
  EXPECT_EQ(gemm(cfg, filled(1, 64, 127), filled(64, 1, 127)).data[0], 524287);
  EXPECT_EQ(gemm(cfg, filled(1, 64, 127), filled(64, 1, -128)).data[0], -524288);
  // Just inside the range: unchanged.
  EXPECT_EQ(gemm(cfg, filled(1, 2, 127), filled(2, 1, 127)).data[0], 32258);
}

TEST(Gemm, SaturatesAt64Bits) {
  SystolicConfig cfg = int8_config(64, Overflow::kSaturate);
  cfg.input_bits = 16;
  cfg.weight_bits = 16;
  EXPECT_EQ(gemm(cfg, filled(1, 3, -32768), filled(3, 1, -32768)).data[0], 3 * (int64_t{1} << 30));
}

TEST(Gemm, UnsignedOperands) {
  SystolicConfig cfg = int8_config(24);
  cfg.is_signed = false;
  // 255 * 255 * 4 = 260100 fits 24 bits signed.
  EXPECT_EQ(gemm(cfg, filled(1, 4, 255), filled(4, 1, 255)).data[0], 260100);
  // 255 * 255 * 200 = 13005000 > 2^23 - 1, wraps to 13005000 - 2^24 = -3772216.
  EXPECT_EQ(gemm(cfg, filled(1, 200, 255), filled(200, 1, 255)).data[0], -3772216);
}

TEST(GemmOperands, RejectsOutOfRangeElement) {
  Tensor a = filled(4, 8, 1);
  a.at(3, 7) = 200;
  EXPECT_EQ(gemm_error(int8_config(), a, filled(8, 2, 1)),
            "tensor A: element [3, 7] = 200 does not fit int8 (input_bits 8, signed) range "
            "-128..127");
  SystolicConfig cfg = int8_config();
  cfg.is_signed = false;
  Tensor b = filled(8, 2, 1);
  b.at(1, 0) = -1;
  EXPECT_EQ(gemm_error(cfg, filled(4, 8, 1), b),
            "tensor B: element [1, 0] = -1 does not fit uint8 (weight_bits 8, unsigned) range "
            "0..255");
}

TEST(GemmOperands, RejectsShapeMismatch) {
  EXPECT_EQ(gemm_error(int8_config(), filled(3, 5, 0), filled(4, 2, 0)),
            "tensor B: expected shape [K, N] with K = 5 (A is [3, 5]), got [4, 2]");
}

TEST(GemmOperands, RejectsNon2DAndEmpty) {
  EXPECT_EQ(gemm_error(int8_config(), Tensor({3}), filled(3, 1, 0)),
            "tensor A: expected a 2-D matrix [M, K], got shape [3]");
  EXPECT_EQ(gemm_error(int8_config(), filled(1, 3, 0), Tensor({3, 1, 1})),
            "tensor B: expected a 2-D matrix [K, N], got shape [3, 1, 1]");
  EXPECT_EQ(gemm_error(int8_config(), Tensor({0, 3}), filled(3, 1, 0)),
            "tensor A: expected shape [M, K] with both dimensions >= 1, got [0, 3]");
}

TEST(GemmOperands, RejectsSizesAboveLimits) {
  EXPECT_EQ(gemm_error(int8_config(), filled(300, 2, 0), filled(2, 2, 0)),
            "tensor A: M = 300 exceeds max_m = 256");
  EXPECT_EQ(gemm_error(int8_config(), filled(2, 257, 0), filled(257, 2, 0)),
            "tensor A: K = 257 exceeds max_k = 256");
  EXPECT_EQ(gemm_error(int8_config(), filled(2, 2, 0), filled(2, 1000, 0)),
            "tensor B: N = 1000 exceeds max_n = 256");
}

// Naive reference in int64: exact for these widths (16 + 16 bits, K <= 256).
int64_t reference(const SystolicConfig& cfg, const Tensor& a, const Tensor& b, int64_t i, int64_t j) {
  int64_t sum = 0;
  for (int64_t p = 0; p < a.shape[1]; ++p) sum += a.at(i, p) * b.at(p, j);
  return cfg.overflow == Overflow::kSaturate ? numerics::saturate_signed(sum, cfg.acc_bits)
                                             : numerics::wrap_signed(sum, cfg.acc_bits);
}

TEST(Gemm, RandomAgainstNaiveReference) {
  const char* env = std::getenv("DNNGEN_SEED");
  const uint64_t seed = env ? std::strtoull(env, nullptr, 0) : std::random_device{}();
  std::cout << "[ seed     ] DNNGEN_SEED=" << seed
            << " ./unit_tests --gtest_filter=Gemm.RandomAgainstNaiveReference\n";
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int trial = 0; trial < 50; ++trial) {
    SystolicConfig cfg = int8_config();
    cfg.is_signed = pick(0, 1) == 1;
    cfg.input_bits = static_cast<unsigned>(pick(2, 16));
    cfg.weight_bits = static_cast<unsigned>(pick(2, 16));
    cfg.acc_bits = static_cast<unsigned>(pick(cfg.product_bits(), 64));
    cfg.overflow = pick(0, 1) ? Overflow::kSaturate : Overflow::kWrap;
    const int64_t m = pick(1, 12), k = pick(1, 256), n = pick(1, 12);
    Tensor a({m, k}), b({k, n});
    for (auto& v : a.data) {
      v = pick(numerics::min_value(cfg.input_bits, cfg.is_signed),
               numerics::max_value(cfg.input_bits, cfg.is_signed));
    }
    for (auto& v : b.data) {
      v = pick(numerics::min_value(cfg.weight_bits, cfg.is_signed),
               numerics::max_value(cfg.weight_bits, cfg.is_signed));
    }
    const Tensor c = gemm(cfg, a, b);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        ASSERT_EQ(c.at(i, j), reference(cfg, a, b, i, j)) << "seed " << seed << " trial " << trial << " at ["
                                                          << i << ", " << j << "], acc_bits " << cfg.acc_bits;
      }
    }
  }
}

}  // namespace
}  // namespace dnngen::golden
