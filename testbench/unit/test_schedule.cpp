// Cycle models of the systolic engine: the closed form agrees with the exact
// schedule on every shape; the WS schedule beats the SCALE-Sim v2 WS formula and keeps
// the array busy; the packer lays operands out as the RTL reads them.
#include <gtest/gtest.h>

#include <random>

#include "dnngen/config/config.hpp"
#include "dnngen/systolic/packing.hpp"
#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {
namespace {

config::SystolicConfig array(unsigned rows, unsigned cols, config::Dataflow df) {
  config::SystolicConfig c;
  c.rows = rows;
  c.cols = cols;
  c.dataflow = df;
  c.max_m = c.max_n = c.max_k = 4096;
  return c;
}

constexpr auto kWS = config::Dataflow::kWeightStationary;
constexpr auto kOS = config::Dataflow::kOutputStationary;

TEST(Schedule, ClosedFormEqualsExactScheduleOnRandomShapes) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> dim(1, 20), size(1, 150);
  for (int i = 0; i < 3000; ++i) {
    const auto cfg = array(dim(rng), dim(rng), (i % 2) ? kWS : kOS);
    const GemmShape s{size(rng), size(rng), size(rng)};
    const auto events = output_schedule(cfg, s);
    const auto e = estimate(cfg, s);
    ASSERT_FALSE(events.empty());
    ASSERT_EQ(e.cycles, events.back().cycle) << "seed " << seed << " R=" << cfg.rows << " C=" << cfg.cols
                                             << " M=" << s.m << " N=" << s.n << " K=" << s.k;
    // One event per output row slice, in strictly increasing cycles.
    const uint64_t col_tiles = (s.n + cfg.cols - 1) / cfg.cols;
    ASSERT_EQ(events.size(), static_cast<size_t>(s.m) * col_tiles);
    for (size_t j = 1; j < events.size(); ++j) ASSERT_LT(events[j - 1].cycle, events[j].cycle);
  }
}

// The datacenter sizes (rows and cols up to 256, config::kMaxArraySide): fewer shapes, larger.
TEST(Schedule, ClosedFormEqualsExactScheduleOnLargeArrays) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> dim(64, 256), size(1, 700);
  for (int i = 0; i < 200; ++i) {
    const auto cfg = array(i < 2 ? 256 : dim(rng), i < 2 ? 256 : dim(rng), (i % 2) ? kWS : kOS);
    const GemmShape s{size(rng), size(rng), size(rng)};
    const auto events = output_schedule(cfg, s);
    ASSERT_FALSE(events.empty());
    ASSERT_EQ(estimate(cfg, s).cycles, events.back().cycle)
        << "seed " << seed << " R=" << cfg.rows << " C=" << cfg.cols << " M=" << s.m << " N=" << s.n
        << " K=" << s.k;
  }
}

TEST(Schedule, KnownSmallCases) {
  // WS, one tile: M rows stream in, R + C + 1 cycles of fill/drain.
  EXPECT_EQ(estimate(array(4, 4, kWS), {8, 4, 4}).cycles, 8u + 4 + 4 + 1);
  // WS, 2 K-tiles x 3 N-tiles of period max(M, R, (M+C)/2, 2) = 8.
  EXPECT_EQ(estimate(array(4, 4, kWS), {8, 12, 8}).cycles, 5u * 8 + 8 + 4 + 4 + 1);
  // OS, one tile: K steps, C to cross the array, last row (M-1) mod R.
  EXPECT_EQ(estimate(array(4, 4, kOS), {3, 4, 10}).cycles, 10u + 4 + 2 + 1);
  // Period floors: WS at least R, OS at least max(R, C).
  EXPECT_EQ(tile_period(array(8, 4, kWS), {1, 1, 1}), 8u);
  EXPECT_EQ(tile_period(array(4, 8, kOS), {1, 1, 1}), 8u);
}

// SCALE-Sim v2's compute cycles, as SCALE-Sim v2 itself (scale-sim-v2 at 22f88b17, GEMM
// topologies, a 16x16 array, its default bandwidth-estimating mode: no stalls) reported
// them for these layers ("Compute cycles"), weight and output stationary.
TEST(Schedule, ScaleSimFormulasMatchScaleSimRuns) {
  struct Run {
    GemmShape s;
    uint64_t ws, os;
  };
  const Run runs[] = {{{49, 20, 37}, 569, 535},          {{64, 64, 64}, 1759, 1503},
                      {{5, 3, 200}, 662, 229},           {{100, 17, 9}, 291, 545},
                      {{196, 64, 147}, 9679, 9203},      {{49, 2048, 512}, 389119, 277503},
                      {{1, 1000, 2048}, 379007, 130913}, {{196, 256, 2304}, 557567, 485471}};
  for (const Run& r : runs) {
    EXPECT_EQ(scalesim_ws_cycles(16, 16, r.s), r.ws) << r.s.m << "x" << r.s.n << "x" << r.s.k;
    EXPECT_EQ(scalesim_os_cycles(16, 16, r.s), r.os) << r.s.m << "x" << r.s.n << "x" << r.s.k;
    EXPECT_EQ(scalesim_cycles(array(16, 16, kWS), r.s), r.ws);
    EXPECT_EQ(scalesim_cycles(array(16, 16, kOS), r.s), r.os);
  }
}

// Double-buffered weights: from M >= 4R the WS engine needs no more cycles than
// SCALE-Sim's, which loads each weight tile serially, and fewer from 8 rows on (a 4-row
// array ties on a single tile; a 1-3 row array's single fill latency is not below
// SCALE-Sim's).
TEST(Schedule, WeightStationaryBeatsScaleSimFromFourTimesRows) {
  for (unsigned r : {4u, 8u, 12u, 16u, 32u}) {
    for (unsigned c : {4u, 14u, 16u, 32u}) {
      const auto cfg = array(r, c, kWS);
      for (int64_t m : {4 * int64_t{r}, 4 * int64_t{r} + 3, 8 * int64_t{r}, int64_t{1000}})
        for (int64_t n : {int64_t{1}, int64_t{c}, 3 * int64_t{c} + 1})
          for (int64_t k : {int64_t{1}, int64_t{r}, 5 * int64_t{r} - 2}) {
            const GemmShape s{m, n, k};
            if (r == 4)
              EXPECT_LE(estimate(cfg, s).cycles, scalesim_ws_cycles(r, c, s))
                  << "R=" << r << " C=" << c << " M=" << m << " N=" << n << " K=" << k;
            else
              EXPECT_LT(estimate(cfg, s).cycles, scalesim_ws_cycles(r, c, s))
                  << "R=" << r << " C=" << c << " M=" << m << " N=" << n << " K=" << k;
          }
    }
  }
}

// Full tiles with M >= 8R: the only idle PE cycles are one fill and drain of
// R + C + 1 per GEMM, so from 4 tiles on utilisation is at least 90 %.
TEST(Schedule, WeightStationaryUtilisationWithFullTiles) {
  for (unsigned r : {4u, 8u, 16u, 32u}) {
    const auto cfg = array(r, r, kWS);
    for (int64_t mult : {8, 16, 64}) {
      const GemmShape s{mult * r, 2 * int64_t{r}, 2 * int64_t{r}};
      EXPECT_GE(estimate(cfg, s).utilization, 0.90) << "R=C=" << r << " M=" << s.m;
    }
    // A single full tile at M = 8R pays the fill/drain once: 8R / (8R + 2R + 1).
    const GemmShape one{8 * int64_t{r}, r, r};
    EXPECT_NEAR(estimate(cfg, one).utilization, 8.0 * r / (10.0 * r + 1), 1e-12);
  }
}

TEST(Packing, WeightStationaryLayout) {
  auto cfg = array(2, 3, kWS);
  cfg.max_m = 8;
  cfg.max_k = 8;
  Tensor a({2, 3}), b({3, 4});
  for (int64_t i = 0; i < 6; ++i) a.data[i] = i - 3;  // [[-3,-2,-1],[0,1,2]]
  for (int64_t i = 0; i < 12; ++i) b.data[i] = i;
  const auto words = pack_operands(cfg, a, b);
  // A: kt 0 rows 0,1 at addr 0,1; kt 1 rows 0,1 at addr 8,9 (lane 1 past K is 0).
  ASSERT_EQ(words.size(), 4u + 6u);
  EXPECT_FALSE(words[2].to_b);
  EXPECT_EQ(words[2].addr, 8u);
  EXPECT_EQ(get_field(words[2].data, 0, 8), 0xFFu);  // A[0,2] = -1
  EXPECT_EQ(get_field(words[2].data, 8, 8), 0u);     // past K
  // B: nt 1, k 2 at addr 1*8 + 2, lanes B[2,3], then zero past N.
  const auto& last = words.back();
  EXPECT_TRUE(last.to_b);
  EXPECT_EQ(last.addr, 10u);
  EXPECT_EQ(get_field(last.data, 0, 8), 11u);
  EXPECT_EQ(get_field(last.data, 8, 8), 0u);
}

TEST(Packing, ResultRowsSignExtendAndClipAtN) {
  auto cfg = array(2, 3, kWS);
  cfg.acc_bits = 20;
  Tensor c({1, 2});
  BitWords w(2, 0);
  put_field(w, 0, 20, 0xFFFFF);   // -1
  put_field(w, 20, 20, 0x7FFFF);  // max
  put_field(w, 40, 20, 0x12345);  // lane past N: ignored
  unpack_result_row(cfg, w, 0, 0, c);
  EXPECT_EQ(c.at(0, 0), -1);
  EXPECT_EQ(c.at(0, 1), (1 << 19) - 1);
}

}  // namespace
}  // namespace dnngen::systolic
