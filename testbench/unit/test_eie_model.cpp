// EIE model units: the CSC encoder (the paper's example, padding, PE interleave), the
// write-back numerics, compression, the input checks and cycle-model properties.
#include <gtest/gtest.h>

#include "dnngen/common/error.hpp"
#include "dnngen/eie/compress.hpp"
#include "dnngen/eie/cycle_model.hpp"
#include "dnngen/eie/encode.hpp"
#include "dnngen/eie/job.hpp"
#include "dnngen/eie/spmv.hpp"

namespace dnngen::eie {
namespace {

TEST(EieEncode, PaperExample) {
  // Han et al., ISCA 2016, Fig. 3 text: [0,0,1,2,(18 zeros),3] -> v=[1,2,0,3], z=[2,0,15,2].
  std::vector<int64_t> col = {0, 0, 1, 2};
  col.insert(col.end(), 18, 0);
  col.push_back(3);
  const std::vector<Entry> want = {{1, 2}, {2, 0}, {0, 15}, {3, 2}};
  EXPECT_EQ(encode_column(col), want);
}

TEST(EieEncode, PaddingBoundaries) {
  auto with_gap = [](int zeros) {
    std::vector<int64_t> c(static_cast<size_t>(zeros), 0);
    c.push_back(5);
    return encode_column(c);
  };
  EXPECT_EQ(with_gap(15), (std::vector<Entry>{{5, 15}}));
  EXPECT_EQ(with_gap(16), (std::vector<Entry>{{0, 15}, {5, 0}}));
  EXPECT_EQ(with_gap(32), (std::vector<Entry>{{0, 15}, {0, 15}, {5, 0}}));
  EXPECT_TRUE(encode_column({0, 0, 0}).empty());  // trailing zeros need no entry
}

TEST(EieEncode, RowsInterleaveOverPes) {
  Tensor w({5, 2});
  w.at(0, 0) = 1;  // PE 0 local row 0
  w.at(4, 0) = 2;  // PE 1 (4 mod 3) local row 1
  w.at(2, 1) = 3;  // PE 2 local row 0
  const auto img = encode_layer(w, 3, 10);
  EXPECT_EQ(img[0].pointers, (std::vector<uint32_t>{10, 11, 11}));
  EXPECT_EQ(img[1].entries, (std::vector<Entry>{{2, 1}}));
  EXPECT_EQ(img[2].pointers, (std::vector<uint32_t>{10, 10, 11}));
}

config::EieConfig small() {
  config::EieConfig c;
  c.pes = 2;
  c.fifo_depth = 2;
  return c;
}

TEST(EieNumerics, RequantRoundSaturateRelu) {
  auto c = small();
  EXPECT_EQ(requantize(c, 128), 1);  // 0.5 rounds up
  EXPECT_EQ(requantize(c, 127), 0);
  EXPECT_EQ(requantize(c, -129), 0);  // ReLU
  EXPECT_EQ(requantize(c, int64_t{1} << 30), 32767);
  c.relu = false;
  EXPECT_EQ(requantize(c, -129), -1);  // -0.504 -> -1 (round half up, arithmetic shift)
  EXPECT_EQ(requantize(c, -128), 0);   // -0.5 rounds up to 0
  EXPECT_EQ(requantize(c, -(int64_t{1} << 30)), -32768);
  c.frac_bits = 0;
  EXPECT_EQ(requantize(c, -7), -7);
}

TEST(EieChecks, BadInputsNameTheProblem) {
  const auto c = small();
  Chain ch;
  ch.layers.push_back({{0, 256, -256}, Tensor({3, 2})});
  ch.x = {1, 2};
  EXPECT_NO_THROW(check_chain(c, ch));
  auto bad = ch;
  bad.layers[0].codebook[0] = 1;
  EXPECT_THROW(check_chain(c, bad), InputError);
  bad = ch;
  bad.layers[0].w_idx.at(1, 1) = 3;  // codebook has 3 entries
  EXPECT_THROW(check_chain(c, bad), InputError);
  bad = ch;
  bad.x = {1};
  EXPECT_THROW(check_chain(c, bad), InputError);
  auto tiny = c;
  tiny.max_entries = 1;
  bad = ch;
  bad.layers[0].w_idx.at(0, 0) = 1;
  bad.layers[0].w_idx.at(2, 1) = 1;  // PE 0 holds two entries
  EXPECT_THROW(check_chain(tiny, bad), InputError);
}

TEST(EieCompress, PrunesByMagnitudeAndSharesWeights) {
  config::EieConfig c;
  c.index_bits = 2;  // 3 shared values
  const std::vector<float> w = {0.1f, -2.0f, 0.05f, 1.0f, 1.1f, -0.01f, -2.1f, 0.9f};
  const auto r = compress(c, w, 2, 4, 0.5);
  EXPECT_EQ(r.kept, 4u);
  EXPECT_EQ(r.codebook[0], 0);
  EXPECT_EQ(r.w_idx.data[0], 0);
  EXPECT_NE(r.w_idx.data[1], 0);
  EXPECT_EQ(r.w_idx.data[1], r.w_idx.data[6]);  // -2.0 and -2.1 share a value
  EXPECT_NE(r.w_idx.data[1], r.w_idx.data[4]);
  EXPECT_THROW(compress(c, w, 2, 4, 0.0), InputError);
  EXPECT_THROW(compress(c, w, 2, 4, 1.01), InputError);
}

TEST(EieCycleModel, AllZeroActivationsCostOneCyclePerGroup) {
  const auto c = small();
  LayerWork w;
  w.rows = 5;  // write-back: 3 local rows
  w.cols = 7;  // 4 groups of 2
  const auto t = simulate_layer(c, w);
  EXPECT_EQ(t.compute_cycles, 4u + 1u);  // 4 scan cycles, then the drained check
  EXPECT_EQ(t.cycles, 5u + 3u);
}

TEST(EieCycleModel, BalancedWorkApproachesOneEntryPerCycle) {
  auto c = small();
  c.fifo_depth = 8;
  LayerWork w;
  w.rows = 64;
  w.cols = 64;
  for (int64_t j = 0; j < 64; ++j) {
    w.nz_cols.push_back(j);
    w.entries.push_back({8, 8});
    w.useful_macs += 16;
  }
  const auto t = simulate_layer(c, w);
  EXPECT_EQ(t.entries, 2u * 64u * 8u);
  // 512 entry cycles per PE plus pipeline fill/drain and write-back.
  EXPECT_GE(t.cycles, 512u + 32u);
  EXPECT_LE(t.cycles, 512u + 32u + 8u);
}

// Columns a PE holds no entry of retire in the pointer stage while the walker works on
// an earlier column, and the next non-empty column starts right after its last entry:
// four empty columns behind a 6-entry column cost nothing (they cost four walker cycles
// when every column passed through the walker).
TEST(EieCycleModel, EmptyColumnsBehindALongColumnAreFree) {
  auto c = small();
  c.fifo_depth = 8;
  LayerWork with_empty, without;
  with_empty.rows = without.rows = 8;
  with_empty.cols = without.cols = 6;
  for (int64_t j = 0; j < 6; ++j) {
    const uint32_t k = j == 0 ? 6u : (j == 5 ? 1u : 0u);
    with_empty.nz_cols.push_back(j);
    with_empty.entries.push_back({k, k});
    if (k > 0) {
      without.nz_cols.push_back(j);
      without.entries.push_back({k, k});
    }
  }
  const auto a = simulate_layer(c, with_empty), b = simulate_layer(c, without);
  EXPECT_EQ(a.entries, 14u);
  EXPECT_EQ(a.compute_cycles, b.compute_cycles);
  // Column 0: pushed in cycle 1, popped 2, pointers 3, walker 4-9; column 5 waits in the
  // column register and walks in cycle 10; entry read, multiply, accumulate 11-13; the
  // drained check is cycle 14.
  EXPECT_EQ(a.compute_cycles, 14u);
}

// With the walker idle an empty column still costs its pointer cycle (one column per
// cycle through the pointer stage).
TEST(EieCycleModel, EmptyColumnCostsOnePointerCycleWhenIdle) {
  auto c = small();
  c.fifo_depth = 8;
  LayerWork w;
  w.rows = 2;
  w.cols = 4;
  for (int64_t j = 0; j < 4; ++j) {
    w.nz_cols.push_back(j);
    w.entries.push_back({j == 3 ? 1u : 0u, j == 3 ? 1u : 0u});
  }
  // Column 3 is pushed in cycle 4, popped 5, pointers 6, walker 7, then 8-10 and the check.
  EXPECT_EQ(simulate_layer(c, w).compute_cycles, 11u);
}

TEST(EieCycleModel, DeeperFifosNeverSlower) {
  LayerWork w;
  w.rows = 40;
  w.cols = 40;
  for (int64_t j = 0; j < 40; ++j) {
    w.nz_cols.push_back(j);
    w.entries.push_back({static_cast<uint32_t>(j % 5), static_cast<uint32_t>((j * 3) % 7)});
  }
  auto c = small();
  uint64_t prev = UINT64_MAX;
  for (unsigned d : {1u, 2u, 4u, 8u, 16u}) {
    c.fifo_depth = d;
    const auto t = simulate_layer(c, w).cycles;
    EXPECT_LE(t, prev) << "depth " << d;
    prev = t;
  }
}

}  // namespace
}  // namespace dnngen::eie
