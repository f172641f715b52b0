// dnn_shell_requant, the shell's output pipeline, against numerics::requantize (the model's
// rule), at the parameters it was built with (TB_Lanes, TB_AccBits, TB_OutBits):
// - seeded random beats, a third of them at the extremes (largest and smallest
//   accumulators, biases and multipliers, shift 0 and 62, values at the clamp edges),
//   per-lane scales, ReLU on and off, with input gaps and output back-pressure: every lane
//   equal to the model, tags in order, nothing lost or duplicated;
// - full throughput: one beat per cycle when the consumer is always ready.
// Seeds: DNNGEN_SEED overrides the base seed; failures print it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <random>
#include <vector>

#include "Vdnn_shell_requant.h"
#include "dnngen/common/bit_words.hpp"
#include "dnngen/common/numerics.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

#ifndef TB_Lanes
#define TB_Lanes 4
#endif
#ifndef TB_AccBits
#define TB_AccBits 32
#endif
#ifndef TB_OutBits
#define TB_OutBits 8
#endif

namespace dnngen::shell {
namespace {

constexpr unsigned kLanes = TB_Lanes, kAccBits = TB_AccBits, kOutBits = TB_OutBits, kShiftBits = 6;

struct Lane {
  int64_t acc;
  int32_t bias, mult;
  unsigned shift;
};
struct Beat {
  std::vector<Lane> lanes;
  bool relu;
  uint32_t tag;
};

// Writes `bits` bits of v at bit `pos` of a little-endian word vector.
void put(BitWords& w, unsigned pos, unsigned bits, uint64_t v) {
  for (unsigned i = 0; i < bits; ++i)
    if ((v >> i) & 1) w[(pos + i) / 32] |= 1u << ((pos + i) % 32);
}
int64_t get_signed(const BitWords& w, unsigned pos, unsigned bits) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bits; ++i) v |= uint64_t{(w[(pos + i) / 32] >> ((pos + i) % 32)) & 1u} << i;
  return numerics::from_field(v, bits, true);
}

Beat random_beat(std::mt19937_64& rng, uint32_t tag) {
  const int64_t acc_min = numerics::min_value(kAccBits, true), acc_max = numerics::max_value(kAccBits, true);
  Beat b{{}, rng() % 2 == 0, tag};
  for (unsigned l = 0; l < kLanes; ++l) {
    Lane x;
    if (rng() % 3 == 0) {  // extremes
      const int64_t accs[] = {acc_min, acc_max, 0, -1, 1};
      const int32_t words[] = {INT32_MIN, INT32_MAX, 0, -1, 1};
      x = {accs[rng() % 5], words[rng() % 5], words[rng() % 5], static_cast<unsigned>(rng() % 2 ? 0 : 62)};
    } else {
      x.acc = numerics::wrap_signed(static_cast<int64_t>(rng()), kAccBits);
      x.bias = static_cast<int32_t>(rng() >> (32 + rng() % 32));
      x.mult = static_cast<int32_t>(rng() >> (33 + rng() % 31)) * (rng() % 2 ? 1 : -1);
      x.shift = static_cast<unsigned>(rng() % 40);
    }
    b.lanes.push_back(x);
  }
  return b;
}

struct Bench {
  Bench() : dut("") {
    dut->in_valid_i = 0;
    dut->out_ready_i = 0;
    reset(dut);
  }

  void present(const Beat& b) {
    BitWords acc((kLanes * kAccBits + 31) / 32), bias(kLanes), mult(kLanes),
        shift((kLanes * kShiftBits + 31) / 32);
    for (unsigned l = 0; l < kLanes; ++l) {
      put(acc, l * kAccBits, kAccBits, numerics::to_field(b.lanes[l].acc, kAccBits));
      put(bias, l * 32, 32, static_cast<uint32_t>(b.lanes[l].bias));
      put(mult, l * 32, 32, static_cast<uint32_t>(b.lanes[l].mult));
      put(shift, l * kShiftBits, kShiftBits, b.lanes[l].shift);
    }
    testbench::port::write(dut->in_acc_i, acc);
    testbench::port::write(dut->in_bias_i, bias);
    testbench::port::write(dut->in_mult_i, mult);
    testbench::port::write(dut->in_shift_i, shift);
    dut->in_relu_i = b.relu;
    dut->in_tag_i = b.tag;
  }

  // Runs `beats` through; returns the cycles from the first to the last transfer.
  uint64_t run(const std::vector<Beat>& beats, double gaps, double ready, std::mt19937_64& rng) {
    std::bernoulli_distribution gap(gaps), take(ready);
    std::size_t sent = 0, got = 0;
    uint64_t cycles = 0;
    for (uint64_t cycle = 0; got < beats.size() && cycle < 100000; ++cycle) {
      const bool offer = sent < beats.size() && !(gaps > 0 && gap(rng));
      dut->in_valid_i = offer;
      if (offer) present(beats[sent]);
      dut->out_ready_i = ready >= 1.0 || take(rng);
      dut->eval();
      if (dut->in_valid_i && dut->in_ready_o) ++sent;
      if (dut->out_valid_o && dut->out_ready_i) {
        const Beat& want = beats[got];
        EXPECT_EQ(dut->out_tag_o, want.tag) << "beats out of order or lost";
        const BitWords out = testbench::port::read(dut->out_data_o);
        for (unsigned l = 0; l < kLanes; ++l) {
          const Lane& x = want.lanes[l];
          const int64_t y = numerics::requantize(x.acc, x.bias, x.mult, x.shift, kOutBits, want.relu);
          const int64_t rtl = get_signed(out, l * kOutBits, kOutBits);
          if (rtl != y) {
            ADD_FAILURE() << "beat " << got << " lane " << l << ": RTL " << rtl << ", model " << y << " (acc "
                          << x.acc << " bias " << x.bias << " mult " << x.mult << " shift " << x.shift
                          << " relu " << want.relu << ")";
            return 0;
          }
        }
        ++got;
      }
      dut.tick();
      if (sent > 0) ++cycles;
    }
    EXPECT_EQ(got, beats.size()) << "beats lost (hang)";
    dut->in_valid_i = 0;
    dut->out_ready_i = 0;
    return cycles;
  }

  testbench::VerilatedDut<Vdnn_shell_requant> dut;
};

TEST(ShellRequant, MatchesTheModelUnderGapsAndBackPressure) {
  const uint64_t seed = base_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (DNNGEN_SEED)");
  std::mt19937_64 rng(seed);
  std::vector<Beat> beats;
  for (uint32_t i = 0; i < 3000; ++i) beats.push_back(random_beat(rng, i & 1));
  Bench b;
  b.run(beats, 0.3, 0.6, rng);
}

TEST(ShellRequant, OneBeatPerCycle) {
  std::mt19937_64 rng(base_seed() + 1);
  std::vector<Beat> beats;
  for (uint32_t i = 0; i < 500; ++i) beats.push_back(random_beat(rng, i & 1));
  Bench b;
  const uint64_t cycles = b.run(beats, 0.0, 1.0, rng);
  EXPECT_LE(cycles, beats.size() + 4) << "the pipeline does not sustain one beat per cycle";
}

}  // namespace
}  // namespace dnngen::shell
