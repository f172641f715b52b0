// dnn_axi_dma_wr, the shell's AXI4 write DMA, against the C++ AXI memory (axi_memory.hpp,
// which checks the master's side of the protocol: AW/W holds, WLAST, INCR, the 4 KiB rule,
// burst length, writes awaiting a response), at the RTL's default parameters (64-bit bus,
// 16-beat bursts, 4 awaiting B):
// - random commands (seeded): aligned addresses, many next to a 4 KiB boundary, 1..700
//   beats, random byte strobes, producer gaps, memory stalls: memory holds exactly the
//   strobed bytes afterwards, nothing else changed;
// - a long command with a deterministic memory takes one beat per cycle;
// - a burst answered SLVERR sets err_o and the command still ends.
// Seeds: DNNGEN_SEED overrides the base seed; failures print it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "Vdnn_axi_dma_wr.h"
#include "axi_memory.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {
namespace {

using testbench::AxiMemoryTiming;
using testbench::VerilatedDut;

constexpr unsigned kDataBits = 64, kBytes = kDataBits / 8, kMaxBurst = 16, kOutstanding = 4;
using Memory = testbench::AxiMemory<Vdnn_axi_dma_wr, kDataBits, false, true>;

struct Beat {
  uint64_t data;
  uint8_t strb;
};

struct Bench {
  Bench(const AxiMemoryTiming& t, uint64_t seed) : dut(""), mem(*dut.operator->(), 1 << 20, t), rng(seed) {
    for (std::size_t i = 0; i < mem.bytes().size(); ++i) mem.bytes()[i] = static_cast<uint8_t>(i * 77 + 5);
    dut->cmd_valid_i = 0;
    dut->in_valid_i = 0;
    reset(dut);
  }

  // Runs one command; returns the cycles from the command's edge until busy falls, or 0.
  uint64_t run(uint64_t addr, const std::vector<Beat>& beats, double gaps) {
    std::bernoulli_distribution gap(gaps);
    dut->cmd_valid_i = 1;
    dut->cmd_addr_i = static_cast<uint32_t>(addr);
    dut->cmd_beats_i = static_cast<uint32_t>(beats.size());
    std::size_t next = 0;
    bool started = false;
    uint64_t cycles = 0;
    for (uint64_t cycle = 0; cycle < 200000; ++cycle) {
      const bool offer = next < beats.size() && !(gaps > 0 && gap(rng));
      dut->in_valid_i = offer;
      if (offer) {
        dut->in_data_i = beats[next].data;
        dut->in_strb_i = beats[next].strb;
      }
      dut->eval();
      mem.drive();
      const bool cmd_fire = dut->cmd_valid_i && dut->cmd_ready_o;
      const bool in_fire = dut->in_valid_i && dut->in_ready_o;
      const bool was_busy = dut->busy_o;
      dut.tick();
      mem.commit();
      if (cmd_fire) {
        dut->cmd_valid_i = 0;
        started = true;
      }
      if (in_fire) ++next;
      if (started) ++cycles;
      if (started && !cmd_fire && was_busy && !dut->busy_o) return cycles;
    }
    return 0;
  }

  VerilatedDut<Vdnn_axi_dma_wr> dut;
  Memory mem;
  std::mt19937_64 rng;
};

TEST(AxiDmaWr, RandomCommandsWriteExactlyTheStrobedBytes) {
  const uint64_t seed = base_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (DNNGEN_SEED)");
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 4; ++round) {
    AxiMemoryTiming t;
    t.latency = 1 + static_cast<unsigned>(rng() % 40);
    t.bytes_per_cycle = round == 0 ? 8.0 : 1.0 + static_cast<double>(rng() % 16);
    t.stall = round < 2 ? 0.0 : 0.25;
    t.seed = rng();
    t.max_burst = kMaxBurst;
    t.outstanding = kOutstanding;
    Bench b(t, rng());
    for (int i = 0; i < 15; ++i) {
      const std::size_t n = 1 + rng() % 700;
      uint64_t addr = (rng() % ((1 << 20) - 8192)) & ~uint64_t{kBytes - 1};
      if (rng() % 2) addr = ((addr | 4095) + 1) - kBytes * (1 + rng() % 20);
      std::vector<Beat> beats(n);
      for (auto& beat : beats) beat = {rng(), static_cast<uint8_t>(rng() % 3 == 0 ? rng() : 0xFF)};
      std::vector<uint8_t> want = b.mem.bytes();
      for (std::size_t k = 0; k < n; ++k)
        for (unsigned j = 0; j < kBytes; ++j)
          if ((beats[k].strb >> j) & 1)
            want[addr + k * kBytes + j] = static_cast<uint8_t>(beats[k].data >> (8 * j));
      ASSERT_NE(b.run(addr, beats, round == 3 ? 0.4 : 0.0), 0u)
          << "round " << round << " command " << i << ": hung";
      EXPECT_FALSE(b.dut->err_o);
      ASSERT_TRUE(b.mem.bytes() == want) << "round " << round << " command " << i << " addr " << addr;
    }
    for (const auto& e : b.mem.errors()) ADD_FAILURE() << e;
  }
}

TEST(AxiDmaWr, TakesOneBeatPerCycle) {
  AxiMemoryTiming t;
  t.latency = 30;
  t.bytes_per_cycle = kBytes;
  t.max_burst = kMaxBurst;
  t.outstanding = kOutstanding;
  Bench b(t, 1);
  std::vector<Beat> beats(1024);
  for (std::size_t k = 0; k < beats.size(); ++k) beats[k] = {k * 0x0101'0101'0101'0101ull, 0xFF};
  const uint64_t cycles = b.run(0x2000, beats, 0.0);
  ASSERT_NE(cycles, 0u);
  // Four bursts of 16 awaiting B cover 64 beats; a response comes 30 cycles after WLAST,
  // so the bus never waits: beats + the last response's latency + a few cycles.
  EXPECT_GE(cycles, beats.size() + t.latency);
  EXPECT_LE(cycles, beats.size() + t.latency + 6) << "the DMA does not keep the bus busy";
  std::printf("dma write: %zu beats in %llu cycles (latency %u)\n", beats.size(),
              static_cast<unsigned long long>(cycles), t.latency);
  for (const auto& e : b.mem.errors()) ADD_FAILURE() << e;
}

TEST(AxiDmaWr, SlaveErrorIsReportedAndTheCommandStillEnds) {
  AxiMemoryTiming t;
  t.max_burst = kMaxBurst;
  t.outstanding = kOutstanding;
  Bench b(t, 2);
  b.mem.set_error_window(0x3000, 0x3040);
  ASSERT_NE(b.run(0x2F00, std::vector<Beat>(64, Beat{1, 0xFF}), 0.0), 0u);
  EXPECT_TRUE(b.dut->err_o);
  ASSERT_NE(b.run(0x5000, std::vector<Beat>(8, Beat{2, 0xFF}), 0.0), 0u);
  EXPECT_FALSE(b.dut->err_o);
  for (const auto& e : b.mem.errors()) ADD_FAILURE() << e;
}

}  // namespace
}  // namespace dnngen::shell
