// conv2d: the direct golden convolution, the im2col lowering the WS/OS engines run,
// and the host driver's split of a lowered GEMM into jobs. Covers strides 1/2/4,
// padding, filters 1x1..11x11, channel counts that do not divide an array, and every
// bad-input rule of the op.
#include <gtest/gtest.h>

#include <random>

#include "dnngen/common/error.hpp"
#include "dnngen/golden/conv2d.hpp"
#include "dnngen/golden/gemm.hpp"
#include "dnngen/workload/layer_jobs.hpp"

namespace dnngen {
namespace {

config::SystolicConfig int8_config(unsigned max_dim) {
  config::SystolicConfig c;
  c.rows = 4;
  c.cols = 4;
  c.input_bits = 8;
  c.weight_bits = 8;
  c.acc_bits = 32;
  c.max_m = c.max_n = c.max_k = max_dim;
  return c;
}

Tensor random_tensor(std::vector<int64_t> shape, int64_t lo, int64_t hi, std::mt19937_64& rng) {
  Tensor t(std::move(shape));
  std::uniform_int_distribution<int64_t> d(lo, hi);
  for (auto& v : t.data) v = d(rng);
  return t;
}

TEST(Conv2d, HandComputedExample) {
  const auto cfg = int8_config(64);
  Tensor x({1, 3, 3}), w({1, 1, 2, 2});
  for (int64_t i = 0; i < 9; ++i) x.data[i] = i + 1;  // 1..9
  w.data = {1, 0, 0, -1};
  const auto y = golden::conv2d(cfg, x, w, {1, 0});
  ASSERT_EQ(y.shape, (std::vector<int64_t>{1, 2, 2}));
  EXPECT_EQ(y.data, (std::vector<int64_t>{1 - 5, 2 - 6, 4 - 8, 5 - 9}));
  // With pad 1 the corner sees only one tap: y[0,0,0] = -ifmap[0,0,0].
  const auto yp = golden::conv2d(cfg, x, w, {1, 1});
  ASSERT_EQ(yp.shape, (std::vector<int64_t>{1, 4, 4}));
  EXPECT_EQ(yp.data[0], -1);
}

// The lowered GEMM, split into jobs and summed as the host driver does, equals the
// direct convolution for random shapes.
TEST(Conv2d, Im2colJobsEqualDirectConvolution) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 60; ++trial) {
    const int64_t filter = std::vector<int64_t>{1, 3, 5, 11}[trial % 4];
    const int64_t stride = std::vector<int64_t>{1, 2, 4}[trial % 3];
    const int64_t pad = trial % std::min<int64_t>(3, filter + 1);  // at most the filter size
    const int64_t c = 1 + trial % 7, k = 1 + (trial * 5) % 9;
    const int64_t h = filter + std::uniform_int_distribution<int64_t>(0, 9)(rng);
    const int64_t w = filter + std::uniform_int_distribution<int64_t>(0, 9)(rng);
    auto cfg = int8_config(std::vector<unsigned>{16, 64, 4096}[trial % 3]);
    const Tensor x = random_tensor({c, h, w}, -128, 127, rng);
    const Tensor f = random_tensor({k, c, filter, filter}, -128, 127, rng);
    const auto low = workload::lower_conv2d(cfg, x, f, stride, pad);
    const auto plan = workload::plan_jobs(cfg, low.a, low.b);
    Tensor sum({low.a.shape[0], low.b.shape[1]});
    for (size_t j = 0; j < plan.slices.size(); ++j)
      workload::accumulate_slice(cfg, plan.slices[j], golden::gemm(cfg, plan.a_parts[j], plan.b_parts[j]),
                                 sum);
    const auto expected = golden::conv2d(cfg, x, f, {stride, pad});
    ASSERT_EQ(workload::gemm_to_ofmap(sum, low.e, low.f).data, expected.data)
        << "seed " << seed << " trial " << trial;
  }
}

TEST(Conv2d, RejectsBadOperands) {
  const auto cfg = int8_config(64);
  const Tensor x({3, 8, 8}), w({4, 3, 3, 3});
  auto expect_error = [&](const Tensor& ifmap, const Tensor& weights, golden::Conv2dParams p,
                          const std::string& fragment) {
    try {
      golden::check_conv2d_operands(cfg, ifmap, weights, p);
      FAIL() << "no error for " << fragment;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error(Tensor({3, 8}), w, {1, 0}, "tensor ifmap: expected shape [C, H, W]");
  expect_error(x, Tensor({4, 3, 3}), {1, 0}, "tensor weights: expected shape [K, C, R, S]");
  expect_error(x, Tensor({4, 2, 3, 3}), {1, 0}, "with C = 3");
  expect_error(x, w, {0, 0}, "stride=0: must be at least 1");
  expect_error(x, w, {1, -1}, "pad=-1: must be at least 0");
  // Issue 11: pad=1000 used 2 GB, larger pads ran out of memory or overflowed.
  expect_error(x, w, {1, 1000}, "pad=1000: must be at most the filter size");
  expect_error(x, w, {1, int64_t{1} << 62}, "must be at most the filter size");
  expect_error(x, Tensor({4, 3, 11, 11}), {1, 1}, "larger than the padded input 10x10");
  Tensor big = x;
  big.data[5] = 300;
  expect_error(big, w, {1, 0}, "tensor ifmap: element [0, 0, 5] = 300 does not fit int8");
}

TEST(Conv2d, SaturationNeedsTheWholeReductionInOneJob) {
  auto cfg = int8_config(16);
  cfg.overflow = config::Overflow::kSaturate;
  const Tensor x({3, 8, 8}), w({4, 3, 3, 3});  // C*R*S = 27 > max_k = 16
  EXPECT_THROW(workload::lower_conv2d(cfg, x, w, 1, 1), InputError);
  cfg.max_k = 27;
  EXPECT_NO_THROW(workload::lower_conv2d(cfg, x, w, 1, 1));
}

}  // namespace
}  // namespace dnngen
