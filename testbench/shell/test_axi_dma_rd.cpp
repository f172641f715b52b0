// dnn_axi_dma_rd, the shell's AXI4 read DMA, against the C++ AXI memory
// (axi_memory.hpp, which also checks the master's side of the protocol), at the RTL's
// default parameters (64-bit bus, bursts of at most 16 beats, 4 in flight):
// - random commands (seeded): aligned addresses, many next to a 4 KiB boundary, 1..700
//   beats, random consumer back-pressure and memory stalls, latencies 1..40: every byte
//   in order, the last beat marked, no protocol error;
// - a long command with a deterministic memory streams one beat per cycle after the
//   latency;
// - a burst answered SLVERR sets err_o, the data still arrives and the next command
//   starts clean.
// Seeds: DNNGEN_SEED overrides the base seed; failures print it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "Vdnn_axi_dma_rd.h"
#include "axi_memory.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {
namespace {

using testbench::AxiMemory;
using testbench::AxiMemoryTiming;
using testbench::VerilatedDut;

constexpr unsigned kDataBits = 64, kBytes = kDataBits / 8, kMaxBurst = 16, kOutstanding = 4;
using Memory = AxiMemory<Vdnn_axi_dma_rd, kDataBits>;

struct Result {
  std::vector<uint8_t> data;
  uint64_t cycles = 0;  // from the command's edge to the last beat's edge
  bool err = false, last_ok = true, finished = false;
};

struct Bench {
  Bench(const AxiMemoryTiming& t, uint64_t seed) : dut(""), mem(*dut.operator->(), 1 << 20, t), rng(seed) {
    for (std::size_t i = 0; i < mem.bytes().size(); ++i)
      mem.bytes()[i] = static_cast<uint8_t>(i * 131 + (i >> 8));
    dut->cmd_valid_i = 0;
    dut->out_ready_i = 0;
    dut->m_axi_arready_i = 0;
    dut->m_axi_rvalid_i = 0;
    reset(dut);
  }

  Result run(uint64_t addr, uint32_t beats, double ready) {
    Result r;
    std::bernoulli_distribution take(ready);
    dut->cmd_valid_i = 1;
    dut->cmd_addr_i = static_cast<uint32_t>(addr);
    dut->cmd_beats_i = beats;
    bool started = false;
    for (uint64_t cycle = 0; cycle < 200000; ++cycle) {
      dut->out_ready_i = ready >= 1.0 || take(rng);
      dut->eval();
      mem.drive();
      const bool cmd_fire = dut->cmd_valid_i && dut->cmd_ready_o;
      const bool out_fire = dut->out_valid_o && dut->out_ready_i;
      bool last = false;
      if (out_fire) {
        const auto words = testbench::port::read(dut->out_data_o);
        for (unsigned i = 0; i < kBytes; ++i)
          r.data.push_back(static_cast<uint8_t>(words[i / 4] >> (8 * (i % 4))));
        last = dut->out_last_o;
        if (last != (r.data.size() == std::size_t{beats} * kBytes)) r.last_ok = false;
      }
      dut.tick();
      mem.commit();
      if (cmd_fire) {
        dut->cmd_valid_i = 0;
        started = true;
      }
      if (started) ++r.cycles;
      if (last) {
        r.finished = true;
        break;
      }
    }
    dut->out_ready_i = 0;
    r.err = dut->err_o;
    return r;
  }

  std::vector<uint8_t> expected(uint64_t addr, uint32_t beats) const {
    return {mem_bytes().begin() + static_cast<long>(addr),
            mem_bytes().begin() + static_cast<long>(addr + uint64_t{beats} * kBytes)};
  }
  const std::vector<uint8_t>& mem_bytes() const { return const_cast<Memory&>(mem).bytes(); }

  VerilatedDut<Vdnn_axi_dma_rd> dut;
  Memory mem;
  std::mt19937_64 rng;
};

TEST(AxiDmaRd, RandomCommandsDeliverEveryByteInOrder) {
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
      const uint32_t beats = 1 + static_cast<uint32_t>(rng() % 700);
      uint64_t addr = (rng() % ((1 << 20) - 8192)) & ~uint64_t{kBytes - 1};
      if (rng() % 2) addr = ((addr | 4095) + 1) - kBytes * (1 + rng() % 20);  // just below a page end
      const Result r = b.run(addr, beats, round == 3 ? 0.6 : 1.0);
      ASSERT_TRUE(r.finished) << "round " << round << " command " << i << ": no last beat";
      EXPECT_TRUE(r.last_ok) << "round " << round << " command " << i;
      EXPECT_FALSE(r.err);
      ASSERT_EQ(r.data, b.expected(addr, beats)) << "round " << round << " command " << i << " addr " << addr;
    }
    for (const auto& e : b.mem.errors()) ADD_FAILURE() << e;
  }
}

TEST(AxiDmaRd, StreamsOneBeatPerCycleAfterTheLatency) {
  AxiMemoryTiming t;
  t.latency = 30;
  t.bytes_per_cycle = kBytes;
  t.max_burst = kMaxBurst;
  t.outstanding = kOutstanding;
  Bench b(t, 1);
  const uint32_t beats = 1024;
  const Result r = b.run(0x1000, beats, 1.0);
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.data, b.expected(0x1000, beats));
  // AR one cycle after the command, the first beat `latency` after AR, one beat a cycle,
  // one cycle through the R buffer: 4 in flight x 16 beats cover a latency of 30.
  EXPECT_GE(r.cycles, beats + t.latency);
  EXPECT_LE(r.cycles, beats + t.latency + 4) << "the DMA does not keep the bus busy";
  EXPECT_EQ(b.mem.bursts(), beats / kMaxBurst);
  std::printf("dma: %u beats in %llu cycles (latency %u)\n", beats, static_cast<unsigned long long>(r.cycles),
              t.latency);
  for (const auto& e : b.mem.errors()) ADD_FAILURE() << e;
}

TEST(AxiDmaRd, SlaveErrorIsReportedAndTheCommandStillEnds) {
  AxiMemoryTiming t;
  t.max_burst = kMaxBurst;
  t.outstanding = kOutstanding;
  Bench b(t, 2);
  b.mem.set_error_window(0x2000, 0x2040);
  const Result bad = b.run(0x1F00, 64, 1.0);
  ASSERT_TRUE(bad.finished);
  EXPECT_TRUE(bad.err);
  EXPECT_EQ(bad.data.size(), 64u * kBytes);
  const Result good = b.run(0x4000, 8, 1.0);
  ASSERT_TRUE(good.finished);
  EXPECT_FALSE(good.err);
  EXPECT_EQ(good.data, b.expected(0x4000, 8));
  for (const auto& e : b.mem.errors()) ADD_FAILURE() << e;
}

}  // namespace
}  // namespace dnngen::shell
