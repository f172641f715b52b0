// The bit-serial sequencer's cascaded walk (dnn_bitserial_seq with Cascade: a job of one
// window, its bricks round the windows, tiles of filters overlapping, two tiles open at
// most) against bitserial::CascadeTiming, the model the kernel's and the shell's cycle
// models step. Random jobs (N, K), random brick lengths (each window's row_more_i, as a
// Pragmatic window or a Stripes one of any precision gives it) and a random output bank
// (bank_free_i held low for stretches): in every cycle the RTL captures a tile exactly
// when the model does, with the tile's first filter and last-tile flag. The co-simulation
// suites check values; their consumers rarely hold the bank during a cascaded job, and the
// kernel's backpressure runs compare cycles as a lower bound only: this test pins them.
// Built at TB_TileRows x TB_TileCols, TB_Lanes lanes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "Vdnn_bitserial_seq.h"
#include "dnngen/bitserial/model.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

#ifndef TB_TileRows
#define TB_TileRows 4
#endif
#ifndef TB_TileCols
#define TB_TileCols 4
#endif
#ifndef TB_Lanes
#define TB_Lanes 16
#endif

namespace dnngen::shell {
namespace {

constexpr unsigned kRows = TB_TileRows, kCols = TB_TileCols, kLanes = TB_Lanes;

struct Bench {
  Bench() : dut("") {
    dut->start_i = 0;
    dut->bank_free_i = 1;
    dut->row_more_i = 0;
    dut->detected_prec_i = 1;
    reset(dut);
  }

  // Runs one job of N filters and K activations whose b-th brick of a tile takes costs[b]
  // cycles on its window; the bank is free with probability `free`. Returns the number of
  // cycles, or 0 after a failure.
  uint64_t run(unsigned n, unsigned k, const std::vector<unsigned>& costs, double free,
               std::mt19937_64& rng) {
    const uint64_t tiles = (n + kCols - 1) / kCols, nb = costs.size();
    bitserial::CascadeTiming model(costs, tiles, kRows);
    dut->start_i = 1;
    dut->job_m_i = 1;
    dut->job_n_i = n;
    dut->job_k_i = k;
    dut->job_prec_i = 1;
    dut->job_auto_i = 0;
    dut->eval();
    dut.tick();
    dut->start_i = 0;
    std::bernoulli_distribution bank(free);
    std::vector<uint64_t> left(kRows, 0);  // a window's cycles left on its brick after this one
    uint64_t taken = 0, captured = 0, cycle = 0;
    for (; !model.done() && cycle < 100'000; ++cycle) {
      dut->bank_free_i = bank(rng);
      dut->row_more_i = 0;
      dut->eval();  // row_first_o: the window that starts the brick on the outputs
      const unsigned first = dut->row_first_o;
      unsigned more = 0;
      for (unsigned r = 0; r < kRows; ++r) {
        const uint64_t now = (first >> r) & 1 ? costs[taken % nb] : left[r];
        if (now > 1) more |= 1u << r;
      }
      dut->row_more_i = more;
      dut->eval();
      const bool want = model.step(dut->bank_free_i);
      if (dut->capture_o != want) {
        ADD_FAILURE() << "N " << n << " K " << k << " cycle " << cycle + 1 << ": RTL capture "
                      << int(dut->capture_o) << ", model " << want;
        return 0;
      }
      if (want) {
        EXPECT_EQ(dut->cap_n0_o, captured * kCols) << "N " << n << " K " << k << ": tile " << captured;
        EXPECT_EQ(dut->cap_last_o, captured + 1 == tiles) << "N " << n << " K " << k << ": tile " << captured;
        ++captured;
      }
      if (dut->en_o)
        for (unsigned r = 0; r < kRows; ++r) {
          if ((first >> r) & 1)
            left[r] = costs[taken % nb] - 1;
          else if (left[r] > 0)
            --left[r];
        }
      if (first != 0) ++taken;
      dut.tick();
    }
    EXPECT_TRUE(model.done()) << "N " << n << " K " << k << ": the model never captured every tile";
    for (int extra = 0; extra < 4; ++extra) {  // nothing more after the last tile
      dut->bank_free_i = 1;
      dut->row_more_i = 0;
      dut->eval();
      EXPECT_FALSE(dut->capture_o) << "N " << n << " K " << k << ": a capture after the last tile";
      dut.tick();
    }
    return ::testing::Test::HasFailure() ? 0 : cycle;
  }

  testbench::VerilatedDut<Vdnn_bitserial_seq> dut;
};

TEST(BitserialSeq, CascadedCapturesMatchTheModel) {
  Bench b;
  std::mt19937_64 rng(base_seed());
  for (int job = 0; job < 3000; ++job) {
    const unsigned n = 1 + rng() % (6 * kCols), k = 1 + rng() % (5 * kLanes * kRows / 2);
    std::vector<unsigned> costs((k + kLanes - 1) / kLanes);
    const unsigned longest = 1 + rng() % 10;  // a tile of fewer bricks than that: a third tile waits
    for (unsigned& c : costs) c = 1 + rng() % longest;
    const double free = rng() % 3 == 0 ? 1.0 : 0.1 + 0.1 * static_cast<double>(rng() % 9);
    ASSERT_NE(b.run(n, k, costs, free, rng), 0u) << "job " << job << " (DNNGEN_SEED=" << base_seed() << ")";
  }
}

}  // namespace
}  // namespace dnngen::shell
