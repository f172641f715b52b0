// Golden model of the bit-serial engine (dnngen/bitserial/model.hpp): the bit-serial
// arithmetic of every mode equals the exact product (signed and unsigned activations,
// wrapping accumulators, all kinds of random job), the cycle model's closed cases
// (Stripes p per brick, Pragmatic max popcount >= 1, parallel 1), and the bad-input
// checks on precision and activations.
#include <gtest/gtest.h>

#include "dnngen/bitserial/model.hpp"
#include "dnngen/bitserial/random_job.hpp"
#include "dnngen/common/error.hpp"

namespace dnngen::bitserial {
namespace {

config::BitserialConfig small(config::BitserialMode mode, bool is_signed) {
  config::BitserialConfig c;
  c.mode = mode;
  c.lanes = 3;
  c.tile_rows = 2;
  c.tile_cols = 2;
  c.weight_bits = 6;
  c.input_bits = 7;
  c.acc_bits = 14;  // small enough to wrap
  c.is_signed = is_signed;
  c.max_m = c.max_n = c.max_k = 9;
  return c;
}

TEST(BitserialModel, EveryModeEqualsTheExactProduct) {
  for (auto mode :
       {config::BitserialMode::kStripes, config::BitserialMode::kPragmatic, config::BitserialMode::kParallel})
    for (bool s : {false, true}) {
      const auto cfg = small(mode, s);
      for (uint64_t i = 0; i < 60; ++i) {
        const Job job = random_job(cfg, 5, i, "");
        check_operands(cfg, job.a, job.b, job.precision);
        EXPECT_EQ(run_gemm(cfg, job.a, job.b, job.precision).c.data, reference_gemm(cfg, job.a, job.b).data)
            << config::to_string(mode) << " signed " << s << " " << job.label;
      }
    }
}

TEST(BitserialModel, StepCycles) {
  auto cfg = small(config::BitserialMode::kStripes, false);
  Tensor a({2, 3});
  a.data = {5, 0, 1, 0, 3, 0};  // popcounts 2,0,1 / 0,2,0; needs 3 bits
  EXPECT_EQ(step_cycles(cfg, a, 0, 0, {false, 7}), 7u);
  EXPECT_EQ(step_cycles(cfg, a, 0, 0, {true, 0}), 3u);
  cfg.mode = config::BitserialMode::kPragmatic;
  EXPECT_EQ(step_cycles(cfg, a, 0, 0, {false, 7}), 2u);
  Tensor zeros({2, 3});
  EXPECT_EQ(step_cycles(cfg, zeros, 0, 0, {false, 7}), 1u);  // at least one cycle
  cfg.is_signed = true;
  Tensor neg({1, 1});
  neg.data = {-1};  // the 4-bit pattern 1111
  EXPECT_EQ(step_cycles(cfg, neg, 0, 0, {false, 4}), 4u);
  cfg.mode = config::BitserialMode::kParallel;
  EXPECT_EQ(step_cycles(cfg, a, 0, 0, {false, 7}), 1u);
}

TEST(BitserialModel, TwoStageShiftingWaitsForLanesOutsideTheWindow) {
  auto cfg = small(config::BitserialMode::kPragmatic, false);
  const uint64_t spread[] = {0b0001, 0b1000};      // one bit each, 3 positions apart
  const uint64_t close[] = {0b1001, 0b0110};       // bits {0, 3} and {1, 2}
  EXPECT_EQ(oneffset_cycles(cfg, spread, 2), 1u);  // single-stage: the most populated lane
  EXPECT_EQ(oneffset_cycles(cfg, close, 2), 2u);
  cfg.two_stage_shift = true;
  cfg.first_stage_bits = 1;                        // a window of 2 positions above the lowest pending bit
  EXPECT_EQ(oneffset_cycles(cfg, spread, 2), 2u);  // bit 3 lies outside [0, 1]: a second cycle
  EXPECT_EQ(oneffset_cycles(cfg, close, 2), 2u);   // [0, 1] takes bits 0 and 1, then [2, 3]
  const uint64_t none[] = {0, 0};
  EXPECT_EQ(oneffset_cycles(cfg, none, 2), 0u);
  EXPECT_EQ(brick_cycles(cfg, none, 2), 1u);  // the brick still takes the cycle it starts in
  cfg.first_stage_bits = 0;                   // only the lanes at the lowest pending bit advance
  const uint64_t adjacent[] = {0b01, 0b10, 0b11};
  EXPECT_EQ(oneffset_cycles(cfg, adjacent, 3), 2u);
  EXPECT_EQ(oneffset_cycles(cfg, close, 2), 4u);
  // step_cycles: each window (tile row) has its own base; the step is the slowest window.
  cfg.first_stage_bits = 1;
  Tensor a({2, 3});
  a.data = {1, 8, 0, 2, 0, 0};  // window 0: lanes at bits 0 and 3 (2 cycles), window 1: 1 cycle
  EXPECT_EQ(step_cycles(cfg, a, 0, 0, {false, 7}), 2u);
  a.data = {1, 2, 0, 2, 0, 0};  // window 0: bits 0 and 1, both inside [0, 1]
  EXPECT_EQ(step_cycles(cfg, a, 0, 0, {false, 7}), 1u);
}

TEST(BitserialModel, WindowSynchronisationLetsWindowsRunOneBrickAhead) {
  auto cfg = small(config::BitserialMode::kPragmatic, false);
  // Two windows whose slow bricks alternate (costs[brick * 2 + window]).
  const unsigned alternating[] = {8, 1, 1, 8, 8, 1, 1, 8};
  EXPECT_EQ(synchronised_cycles(cfg, alternating, 4, 2), 32u);  // the tile steps at the slowest window
  cfg.window_sync = true;
  // Window 1 starts brick 1 at cycle 1 (on the outputs the cycle after both started brick 0)
  // while window 0 works until 8; brick 2 comes once window 0 starts brick 1 (cycle 9), ...
  EXPECT_EQ(synchronised_cycles(cfg, alternating, 4, 2), 18u);
  const unsigned even[] = {3, 3, 2, 2};
  EXPECT_EQ(synchronised_cycles(cfg, even, 2, 2), 5u);  // equal windows: as the tile-wide sync
  // One brick ahead at most: window 1's short bricks wait for brick 2 to be read, which
  // happens once window 0 starts brick 1 (cycle 9): 1 + 1 then 9 + 1 + 1.
  const unsigned ahead[] = {9, 1, 1, 1, 1, 1};
  EXPECT_EQ(synchronised_cycles(cfg, ahead, 3, 2), 11u);
  // tile_cycles on a tensor (3 lanes: bricks k 0-2 and 3-5): window 0 takes 3 cycles then 1,
  // window 1 1 then 3.
  Tensor a({2, 6});
  a.data = {7, 0, 0, 1, 0, 0, 1, 0, 0, 7, 0, 0};
  EXPECT_EQ(tile_cycles(cfg, a, 0, {false, 7}), 4u);  // window 1 starts its 3-cycle brick at cycle 1
  cfg.window_sync = false;
  EXPECT_EQ(tile_cycles(cfg, a, 0, {false, 7}), 6u);  // max(3, 1) + max(1, 3)
}

TEST(BitserialModel, CascadeSpreadsOneWindowsBricksOverTheWindows) {
  // Brick b on window b mod rows, read in cycle 1 or in the cycle the brick before starts,
  // started the cycle after its read once its window is free; cycles = last capture + 1.
  auto cfg = small(config::BitserialMode::kStripes, false);
  cfg.cascade = true;
  const auto cycles = [&](std::vector<unsigned> costs, int64_t n) {
    return cascade_schedule(cfg, {1, n, static_cast<int64_t>(costs.size()) * cfg.lanes}, costs).cycles;
  };
  // One tile: window 0 runs bricks 0 (2-4) and 2 (5-7), window 1 bricks 1 (3-5) and 3 (6-8).
  EXPECT_EQ(cycles({3, 3, 3, 3}, 2), 9u);
  // A long brick holds back the next one on its window only, and the reads behind it:
  // brick 2 waits for window 0 until cycle 7, brick 3 (read then) runs 8-8.
  EXPECT_EQ(cycles({5, 1, 1, 1}, 2), 9u);
  cfg.tile_rows = 4;
  // p <= rows: a brick starts every cycle, bricks + p + 1 cycles in all ...
  EXPECT_EQ(cycles({2, 2, 2, 2, 2}, 2), 8u);
  // ... across tiles of filters too (3 tiles x 5 bricks): the tiles overlap, one fill.
  EXPECT_EQ(cycles({2, 2, 2, 2, 2}, 6), 18u);
  // Two tiles open at most: with one brick a tile (3 cycles), tile 2's brick is read once
  // tile 0 is captured (cycle 4), in cycle 5; tile 3's in 6, once tile 1 is (cycle 5).
  EXPECT_EQ(cycles({3}, 8), 10u);
  // The output bank holds tiles back: a capture waits for a free bank (the windows go
  // on), and the third tile's first read for the capture.
  CascadeTiming held({2, 2, 2, 2, 2}, 3, 4);
  std::vector<uint64_t> captures;
  for (uint64_t cycle = 1; !held.done() && cycle < 100; ++cycle)
    if (held.step(cycle >= 20)) captures.push_back(cycle);
  EXPECT_EQ(captures, (std::vector<uint64_t>{20, 21, 27}));  // tile 2 read from cycle 21
}

TEST(BitserialModel, CascadedJobTiming) {
  // A job of one window (Stripes, p = 7, 3 lanes: 3 bricks on 2 windows): bricks run 2-8,
  // 3-9 and 9-15 with cascade (capture 15, cycles 16); 3 x 7 + 2 without.
  auto cfg = small(config::BitserialMode::kStripes, false);
  Tensor a({1, 9});
  a.data = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  Tensor b({9, 2});
  for (size_t i = 0; i < b.data.size(); ++i) b.data[i] = static_cast<int64_t>(i % 7) - 3;
  EXPECT_EQ(run_gemm(cfg, a, b, {false, 7}).timing.cycles, 23u);
  cfg.cascade = true;
  EXPECT_EQ(run_gemm(cfg, a, b, {false, 7}).timing.cycles, 16u);
  EXPECT_EQ(tile_cycles(cfg, a, 0, {false, 7}), 21u);  // window-cycles: every brick's 7
  // Jobs of more than one window are not cascaded.
  Tensor two_rows({2, 9});
  EXPECT_FALSE(cascaded(cfg, 2));
  EXPECT_EQ(tile_cycles(cfg, two_rows, 0, {false, 7}), 21u);
  // Values are the exact product either way.
  EXPECT_EQ(run_gemm(cfg, a, b, {false, 7}).c.data, reference_gemm(cfg, a, b).data);
}

TEST(BitserialModel, ScheduleWaitsForTheOutputBank) {
  // Two tiles of one 1-cycle brick and 2 rows each: the first ends at 2, the second
  // waits for the bank until 4 (one stall), then its 2 rows leave: 6 cycles.
  const auto cfg = small(config::BitserialMode::kParallel, false);
  const auto t = schedule(cfg, {4, 2, 3}, [](int64_t) { return uint64_t{1}; });
  EXPECT_EQ(t.cycles, 6u);
  EXPECT_EQ(t.drain_stalls, 1u);
}

TEST(BitserialModel, NeededBits) {
  EXPECT_EQ(needed_bits(0, false), 1u);
  EXPECT_EQ(needed_bits(255, false), 8u);
  EXPECT_EQ(needed_bits(-1, true), 1u);
  EXPECT_EQ(needed_bits(-128, true), 8u);
  EXPECT_EQ(needed_bits(127, true), 8u);
}

TEST(BitserialModel, BadInput) {
  const auto cfg = small(config::BitserialMode::kStripes, false);
  EXPECT_THROW(parse_precision(cfg, "0"), InputError);
  EXPECT_THROW(parse_precision(cfg, "8"), InputError);
  EXPECT_THROW(parse_precision(cfg, "3x"), InputError);
  EXPECT_TRUE(parse_precision(cfg, "auto").automatic);
  EXPECT_EQ(parse_precision(cfg, "").bits, 7u);
  Tensor a({1, 2}), b({2, 1});
  a.data = {4, 1};
  b.data = {1, 1};
  EXPECT_THROW(check_operands(cfg, a, b, {false, 2}), InputError);  // 4 needs 3 bits
  EXPECT_NO_THROW(check_operands(cfg, a, b, {false, 3}));
  a.data = {-1, 1};
  EXPECT_THROW(check_operands(cfg, a, b, {false, 3}), InputError);  // negative, unsigned
  a.data = {1, 1};
  b.data = {32, 1};
  EXPECT_THROW(check_operands(cfg, a, b, {false, 3}), InputError);  // weight beyond int6
}

}  // namespace
}  // namespace dnngen::bitserial
