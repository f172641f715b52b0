// Action counts of the GEMM shell (systolic/energy_actions.hpp) and the shell cycle model
// that adds them job by job (LayerTiming::actions): hand-counted jobs of the weight- and
// output-stationary arrays and the bit-serial core, and a layer's totals.
#include <gtest/gtest.h>

#include "dnngen/config/config.hpp"
#include "dnngen/systolic/energy_actions.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"

namespace dnngen::systolic {
namespace {

const energy::MemoryAccesses& memory(const energy::Actions& a, const std::string& name) {
  for (const auto& m : a.memories)
    if (m.name == name) return m;
  throw std::runtime_error("no memory " + name);
}

ShellParams array_4x4(config::Dataflow dataflow) {
  ShellParams p;
  p.dataflow = dataflow;
  p.rows = p.cols = 4;
  p.in_bits = p.w_bits = 8;
  p.acc_bits = 32;
  p.max_m = p.max_n = p.max_k = 16;
  return p;
}

TEST(SystolicEnergy, WeightStationaryJobByHand) {
  const ShellParams p = array_4x4(config::Dataflow::kWeightStationary);
  energy::Actions a;
  // 6 x 5 x 7: 2 K tiles x 2 N strips = 4 tiles of 6 rows each.
  add_job_actions(p, {6, 5, 7, true, true}, 0, a);
  EXPECT_EQ(a.mac_count(), 210u);
  EXPECT_EQ(memory(a, "a_buffer").reads, 24u);   // 4 tiles x 6 rows
  EXPECT_EQ(memory(a, "a_buffer").writes, 12u);  // 6 rows x 2 K words
  EXPECT_EQ(memory(a, "a_buffer").width_bits, 32u);
  EXPECT_EQ(memory(a, "b_buffer").reads, 16u);   // 4 tiles x 4 weight rows
  EXPECT_EQ(memory(a, "b_buffer").writes, 14u);  // 7 rows x 2 N strips
  EXPECT_EQ(memory(a, "pe_weights").reads, 210u);
  EXPECT_EQ(memory(a, "pe_weights").writes, 64u);
  EXPECT_EQ(a.array_bits, 4u * 6 * (16 * 8 + 16 * 32));
  // A whole K split in one job: the accumulator is neither read nor written.
  EXPECT_EQ(memory(a, "accumulator").reads + memory(a, "accumulator").writes, 0u);
  EXPECT_EQ(memory(a, "output_tiles").writes, 12u);  // 6 rows x 2 strips
  EXPECT_EQ(memory(a, "bias").writes, 2u);
}

TEST(SystolicEnergy, KSplitReadsAndWritesTheAccumulator) {
  const ShellParams p = array_4x4(config::Dataflow::kWeightStationary);
  energy::Actions first, middle, last;
  add_job_actions(p, {6, 5, 7, true, false}, 0, first);
  add_job_actions(p, {6, 5, 7, false, false}, 0, middle);
  add_job_actions(p, {6, 5, 7, false, true}, 0, last);
  EXPECT_EQ(memory(first, "accumulator").reads, 0u);
  EXPECT_EQ(memory(first, "accumulator").writes, 12u);
  EXPECT_EQ(memory(middle, "accumulator").reads, 12u);
  EXPECT_EQ(memory(middle, "accumulator").writes, 12u);
  EXPECT_EQ(memory(last, "accumulator").writes, 0u);
  // Only the emitting job touches the output path.
  for (const auto& m : first.memories) EXPECT_NE(m.name, "output_tiles");
  EXPECT_EQ(memory(last, "output_tiles").reads, 12u);
}

TEST(SystolicEnergy, OutputStationaryJobByHand) {
  const ShellParams p = array_4x4(config::Dataflow::kOutputStationary);
  energy::Actions a;
  // 6 x 5 x 7: 2 M tiles x 2 N strips, 7 steps each.
  add_job_actions(p, {6, 5, 7, true, true}, 0, a);
  EXPECT_EQ(a.mac_count(), 210u);
  EXPECT_EQ(memory(a, "a_buffer").reads, 28u);
  EXPECT_EQ(memory(a, "b_buffer").reads, 28u);
  EXPECT_EQ(memory(a, "pe_accumulators").reads, 210u);
  EXPECT_EQ(a.array_bits, 4u * 7 * (16 * 8 + 16 * 8));
}

TEST(SystolicEnergy, BitSerialCountsSipCyclesAsOneBitTerms) {
  ShellParams p = array_4x4(config::Dataflow::kWeightStationary);
  p.bitserial = true;
  p.mode = config::BitserialMode::kStripes;
  p.lanes = 16;
  p.in_bits = p.w_bits = 16;
  energy::Actions stripes;
  add_job_actions(p, {4, 4, 32, true, true}, 1000, stripes);
  ASSERT_EQ(stripes.macs.size(), 1u);
  EXPECT_EQ(stripes.macs[0].a_bits, 1u);
  EXPECT_EQ(stripes.macs[0].count, 16000u);           // 1 x 16-bit terms
  EXPECT_EQ(stripes.mac_count(), 4u * 4 * 32);        // the work's MACs
  EXPECT_EQ(memory(stripes, "a_buffer").reads, 8u);   // 2 bricks x 4 window sub-banks
  EXPECT_EQ(memory(stripes, "b_buffer").reads, 32u);  // 2 bricks x 16 lane sub-banks
  p.mode = config::BitserialMode::kParallel;
  energy::Actions parallel;
  add_job_actions(p, {4, 4, 32, true, true}, 0, parallel);
  EXPECT_EQ(parallel.mac_count(), 4u * 4 * 32);
  EXPECT_EQ(parallel.macs[0].a_bits, 16u);
}

// A packed 8 x 12 x 20 int8 GEMM on the 4x4 WS shell, split into 4-deep K jobs.
TEST(SystolicEnergy, LayerTimingAddsEveryJob) {
  ShellParams p = array_4x4(config::Dataflow::kWeightStationary);
  p.max_m = p.max_n = 8;
  p.max_k = 4;
  shell::LayerDescriptor d;
  d.m = 8, d.n = 12, d.k = 20;
  d.a_addr = 0, d.b_addr = 4096, d.out_addr = 8192;
  std::vector<uint8_t> memory_image(16384, 1);
  ASSERT_EQ(check_descriptor(p, d), 0u);
  const LayerTiming t = layer_cycles(p, d, memory_image, 10, 8);
  EXPECT_EQ(t.actions.mac_count(), 8u * 12 * 20);
  EXPECT_EQ(t.actions.dram_read_bytes, t.bytes_read);
  EXPECT_EQ(t.actions.dram_write_bytes, t.bytes_written);
  // Jobs: N 8 + 4 (2 and 1 array strips of 8 rows) x K 5 x 4. The four non-final K jobs of
  // each write their rows back, the four non-first ones read them.
  EXPECT_EQ(memory(t.actions, "accumulator").writes, 4u * (16 + 8));
  EXPECT_EQ(memory(t.actions, "accumulator").reads, 4u * (16 + 8));
  EXPECT_EQ(memory(t.actions, "output_tiles").writes, 8u * 3);
}

}  // namespace
}  // namespace dnngen::systolic
