// Energy action counts of the row-stationary engine behind its shell (rs::core_actions,
// ShellTiming::actions): every count of a tiny layer against a hand count, the ifmap
// multicast's reads and zero rows against the load cycles on random shapes of several
// arrays, MACs and DRAM bytes against the timing, scratchpad reads against the MACs, and
// the presets' on-chip storage. docs/energy_rs.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "dnngen/config/config.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/row_stationary/rs_model.hpp"
#include "dnngen/row_stationary/shell_run.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"

namespace dnngen::rs {
namespace {

config::Config preset(const std::string& name) {
  return config::load_config(std::string(DNNGEN_CONFIGS_DIR) + "/" + name + ".yaml");
}

// A layer of ones through the shell's cycle model (int32 output, the configuration's memory).
ShellTiming shell_layer(const config::Config& cfg, const ConvJob& j) {
  Tensor ifmap({j.c, j.h, j.w}), weights({j.k, j.c, j.r, j.s});
  std::fill(ifmap.data.begin(), ifmap.data.end(), 1);
  std::fill(weights.data.begin(), weights.data.end(), 1);
  const ShellRun g = shell_conv2d(cfg, ifmap, weights, {j.stride, j.pad});
  return layer_cycles(g.params, g.descriptor, g.latency, g.bytes_per_cycle);
}

const energy::MemoryAccesses& memory(const energy::Actions& a, const std::string& name) {
  const auto it =
      std::find_if(a.memories.begin(), a.memories.end(), [&](const auto& m) { return m.name == name; });
  if (it == a.memories.end()) throw std::runtime_error("no memory " + name);
  return *it;
}

void expect_accesses(const energy::Actions& a, const std::string& name, uint64_t reads, uint64_t writes) {
  const auto& m = memory(a, name);
  EXPECT_EQ(m.reads, reads) << name;
  EXPECT_EQ(m.writes, writes) << name;
}

// 4x4 int8 preset, ifmap [1, 6, 6] * weights [1, 1, 3, 3]: E = F = 4, one pass (3 of the 4
// PE rows, all 4 columns: 12 active PEs), one filter group.
TEST(RsEnergy, TinyConvMatchesHandCount) {
  const auto cfg = preset("systolic_rs_4x4_int8");
  const ShellTiming t = shell_layer(cfg, {1, 6, 6, 1, 3, 3, 1, 0});
  const energy::Actions& a = t.actions;
  ASSERT_EQ(a.macs.size(), 1u);
  EXPECT_EQ(a.macs[0].a_bits, 8u);
  EXPECT_EQ(a.macs[0].w_bits, 8u);
  EXPECT_EQ(a.macs[0].acc_bits, 32u);
  EXPECT_EQ(a.macs[0].count, 144u);  // 3*3*4*4
  // Per MAC one weight and one ifmap value; the filter row (11 weights) and the ifmap row
  // (32 values) written once into each of the 12 active PEs.
  expect_accesses(a, "pe_filter_spad", 144, 12 * 11);
  expect_accesses(a, "pe_ifmap_spad", 144, 12 * 32);
  // 48 windows of 3 steps: acc_q read twice, written twice, psum_q written once.
  expect_accesses(a, "pe_psum_regs", 96, 144);
  // Ifmap rows 0-2 for column 0, then one new row per column: 6 reads of the 6 rows loaded.
  expect_accesses(a, "ifmap_buffer", 6, 6);
  expect_accesses(a, "filter_buffer", 1, 1);
  expect_accesses(a, "psum_buffer", 0, 0);  // one row fold: no accumulation across passes
  // 4 results (one per output column) written, 16 elements drained.
  expect_accesses(a, "tile_ring", 16, 4);
  // The parameter tables read every cycle; an int32 layer loads none.
  expect_accesses(a, "bias_table", t.cycles, 0);
  expect_accesses(a, "mult_table", t.cycles, 0);
  expect_accesses(a, "shift_table", t.cycles, 0);
  EXPECT_EQ(memory(a, "ifmap_buffer").capacity_bytes, 512 * 32);
  EXPECT_EQ(memory(a, "ifmap_buffer").width_bits, 256u);
  EXPECT_EQ(memory(a, "filter_buffer").width_bits, 4u * 11 * 8);
  EXPECT_EQ(memory(a, "psum_buffer").width_bits, 4u * 32);
  // Row bus: 12 PEs x 256 bits; filter rows: 12 PEs x 88 bits and 0+1+2 skew hops of 88;
  // psums: 4 columns x 4 output columns, each down 3 row boundaries, 32 bits.
  EXPECT_EQ(a.array_bits, 12u * 256 + 12 * 88 + 3 * 88 + 4 * 4 * 3 * 32);
  EXPECT_EQ(a.dram_read_bytes, t.bytes_read);
  EXPECT_EQ(a.dram_write_bytes, t.bytes_written);
  EXPECT_GT(energy::evaluate(a, config::load_energy_table()).total(), 0.0);
}

// Padding 1 on the same layer: E = F = 6, two E-folds of 4 and 2 columns. Rows above and
// below the input are zero writes, never buffer reads.
TEST(RsEnergy, PaddingRowsAreZeroWritesNotReads) {
  const auto cfg = preset("systolic_rs_4x4_int8").row_stationary;
  const ConvJob j{1, 6, 6, 1, 3, 3, 1, 1};
  const Plan p = plan(cfg, j);
  ASSERT_EQ(p.ne, 2);
  // E-fold 0: column 0 reads rows -1, 0, 1, columns 1-3 rows 2, 3, 4; row -1 is padding,
  // which 1 PE takes.
  const PassLoads l0 = pass_loads(cfg, j, p, 0, 0);
  EXPECT_EQ(l0.buffer_reads, 5u);
  EXPECT_EQ(l0.zero_rows, 1u);
  EXPECT_EQ(l0.pe_writes, 12u);
  EXPECT_EQ(l0.pe_data_writes, 11u);
  // E-fold 1: column 0 rows 3, 4, 5, column 1 row 6 (padding).
  const PassLoads l1 = pass_loads(cfg, j, p, 1, 0);
  EXPECT_EQ(l1.buffer_reads, 3u);
  EXPECT_EQ(l1.zero_rows, 1u);
  EXPECT_EQ(l1.pe_writes, 6u);
  EXPECT_EQ(l1.pe_data_writes, 5u);
}

// Reads plus zero rows are the pass's load cycles (the closed form the co-simulation holds
// the RTL to), and every active PE takes one row, on random shapes of four arrays.
TEST(RsEnergy, PassLoadsMatchLoadCycles) {
  for (const auto& [rows, cols] : {std::pair{4u, 4u}, {3u, 5u}, {12u, 14u}, {1u, 3u}}) {
    auto cfg = preset("systolic_rs_4x4_int8").row_stationary;
    cfg.rows = rows, cfg.cols = cols;
    for (uint64_t i = 0; i < 100; ++i) {
      const RandomJob r = random_job(cfg, 7, i);
      const ConvJob j = job_of(r.ifmap, r.weights, r.params);
      const Plan p = plan(cfg, j);
      for (int64_t eo = 0; eo < p.ne; ++eo)
        for (int64_t q = 0; q < p.nq; ++q) {
          const PassLoads l = pass_loads(cfg, j, p, eo, q);
          const int64_t slots = std::min<int64_t>(rows, j.c * j.r - q * rows);
          const int64_t ncv = std::min<int64_t>(cols, p.e - eo * cols);
          ASSERT_EQ(l.buffer_reads + l.zero_rows, pass_load_cycles(cfg, j, p, eo, q))
              << rows << "x" << cols << " seed 7 job " << i << ": " << r.label;
          ASSERT_EQ(l.pe_writes, static_cast<uint64_t>(slots * ncv)) << r.label;
          ASSERT_LE(l.pe_data_writes, l.pe_writes) << r.label;
        }
    }
  }
}

// MACs are K*C*R*S*E*F, DRAM bytes the shell's counters, the scratchpad reads one weight and
// one ifmap value per MAC; doubling the filters doubles all three kinds of work.
TEST(RsEnergy, MacsDramAndSpadReadsFollowTheLayer) {
  const auto cfg = preset("systolic_rs_4x4_int8");
  for (const ConvJob& j : {ConvJob{3, 12, 12, 4, 3, 3, 1, 1}, ConvJob{5, 15, 15, 6, 5, 5, 2, 2},
                           ConvJob{7, 9, 9, 3, 1, 1, 1, 0}}) {
    const ShellTiming t = shell_layer(cfg, j);
    const uint64_t macs = t.macs;
    EXPECT_EQ(macs, static_cast<uint64_t>(j.k * j.c * j.r * j.s * ofmap_height(conv2d_descriptor(j)) *
                                          ofmap_width(conv2d_descriptor(j))));
    EXPECT_EQ(t.actions.mac_count(), macs);
    EXPECT_EQ(t.actions.dram_read_bytes, t.bytes_read);
    EXPECT_EQ(t.actions.dram_write_bytes, t.bytes_written);
    EXPECT_EQ(memory(t.actions, "pe_filter_spad").reads, macs);
    EXPECT_EQ(memory(t.actions, "pe_ifmap_spad").reads, macs);
    EXPECT_EQ(memory(t.actions, "pe_psum_regs").writes, macs);

    ConvJob twice = j;
    twice.k *= 2;
    const energy::Actions a2 = core_actions(cfg.row_stationary, twice);
    EXPECT_EQ(a2.mac_count(), 2 * macs);
    EXPECT_EQ(memory(a2, "pe_filter_spad").reads, 2 * macs);
    EXPECT_EQ(memory(a2, "pe_psum_regs").reads, 2 * memory(t.actions, "pe_psum_regs").reads);
  }
}

// A saturating engine carries the exact sum in the array and the psum buffer.
TEST(RsEnergy, SaturatingPsumsAreExactSumWide) {
  auto cfg = preset("systolic_rs_4x4_int8").row_stationary;
  EXPECT_EQ(acc_int_bits(cfg), 32u);
  cfg.overflow = config::Overflow::kSaturate;
  EXPECT_EQ(acc_int_bits(cfg), 16u + 16);  // 8x8 products, ceil(log2(512 * 11 * 11)) = 16
  cfg.acc_bits = 40;
  EXPECT_EQ(acc_int_bits(cfg), 40u);
}

// Every memory the RTL instantiates, in bytes: 4x4 int8 by hand, and the 12x14 int16 preset.
TEST(RsEnergy, OnChipStorageOfThePresets) {
  const ShellParams small = shell_params(preset("systolic_rs_4x4_int8"));
  // ifmap 512 x 32 B, filter 512 x 44 B, psum 64 x 16 B; 16 PEs x (22 + 2 x 32 + 8) B; tile ring
  // 128 x 16 B; bias and mult 512 x 4 B, shift 512 x 6 bits.
  EXPECT_EQ(on_chip_bytes(small), 16384 + 22528 + 1024 + 16 * 94 + 2048 + 2048 + 2048 + 384);
  const ShellParams eyeriss = shell_params(preset("systolic_rs_12x14_int16"));
  EXPECT_EQ(on_chip_bytes(eyeriss), 4096 * 454 + 24576 * 264 + 2048 * 56 + 168 * (44 + 2 * 454 + 8) +
                                        4096 * 56 + 2 * 24576 * 4 + 24576 * 6 / 8);
}

}  // namespace
}  // namespace dnngen::rs
