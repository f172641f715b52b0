// Energy action counts of the EIE engine: the kernel's job (eie::job_actions from the cycle
// model's statistics) and the shell's layer (eie::layer_cycles' ShellTiming::actions), on a
// hand-made layer whose every count is worked out below, and their trends: KEEP_WEIGHTS
// removes the image's writes and DRAM bytes, sparser activations fewer MACs and broadcast
// bits, and DRAM equals the shell's byte counters.
#include <gtest/gtest.h>

#include <string>

#include "dnngen/eie/bench.hpp"
#include "dnngen/eie/cycle_model.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/shell/memory_image.hpp"

namespace dnngen::eie {
namespace {

using energy::Level;

// 2 PEs, FIFO 2, 4-bit indices, int16 x, 32-bit sums; limits 40 x 6, 16 entries.
// Memory geometry: codebook 16 x 16 b = 32 B; pointer bank (6 + 1) / 2 + 1 = 4 x
// clog2(17) = 5 b = 3 B; entries 16 x 8 b = 16 B; FIFO 2 x (clog2(8) = 3 + 16) b = 5 B;
// activation file ceil(40 / 2) = 20 x 16 b = 40 B; accumulators 20 x 32 b = 80 B.
config::EieConfig tiny_config() {
  config::EieConfig c;
  c.pes = 2;
  c.fifo_depth = 2;
  c.max_rows = 40;
  c.max_cols = 6;
  c.max_entries = 16;
  return c;
}

// W (36 x 3), rows 2i in PE 0 and 2i + 1 in PE 1 (local row i): column 0 = rows 0, 3;
// column 1 = row 2; column 2 = rows 2, 35. Row 35 is PE 1's local row 17: 17 zero rows
// before it take a padding entry (z 15) and the entry (z 1). Entries per PE and column:
// PE 0 {1, 1, 1}, PE 1 {1, 0, 2}. x = {5, 0, 7}: columns 0 and 2 are broadcast.
constexpr int64_t kRows = 36, kCols = 3;

Tensor tiny_weights() {
  Tensor w({kRows, kCols});
  w.at(0, 0) = 1, w.at(3, 0) = 2, w.at(2, 1) = 3, w.at(2, 2) = 4, w.at(35, 2) = 5;
  return w;
}

LayerWork tiny_work() {
  LayerWork w;
  w.rows = kRows;
  w.cols = kCols;
  w.nz_cols = {0, 2};
  w.entries = {{1, 1}, {1, 2}};
  w.useful_macs = 4;
  return w;
}

const energy::MemoryAccesses& memory(const energy::Actions& a, const std::string& name) {
  for (const auto& m : a.memories)
    if (m.name == name) return m;
  throw std::runtime_error("no memory " + name);
}

void expect_memory(const energy::Actions& a, const std::string& name, Level level, int64_t bytes,
                   unsigned width, uint64_t reads, uint64_t writes) {
  const auto& m = memory(a, name);
  EXPECT_EQ(m.level, level) << name;
  EXPECT_EQ(m.capacity_bytes, bytes) << name;
  EXPECT_EQ(m.width_bits, width) << name;
  EXPECT_EQ(m.reads, reads) << name;
  EXPECT_EQ(m.writes, writes) << name;
}

TEST(EieEnergy, JobCountsOfAHandMadeLayer) {
  const config::EieConfig cfg = tiny_config();
  const LayerTiming t = simulate_layer(cfg, tiny_work());
  ASSERT_EQ(t.entries, 5u);            // 4 useful + 1 padding
  ASSERT_EQ(t.broadcasts, 2u);         // x0, x2
  ASSERT_EQ(t.groups, 2u);             // ceil(3 / 2) LNZD groups
  ASSERT_EQ(t.writeback_cycles, 18u);  // ceil(36 / 2) local rows

  const energy::Actions a = job_actions(cfg, t);
  // The padding entry runs through the multiplier too: 5 MACs of 16 x 16 bits into 32.
  ASSERT_EQ(a.macs.size(), 1u);
  EXPECT_EQ(a.macs[0].a_bits, 16u);
  EXPECT_EQ(a.macs[0].w_bits, 16u);
  EXPECT_EQ(a.macs[0].acc_bits, 32u);
  EXPECT_EQ(a.mac_count(), 5u);
  expect_memory(a, "eie.entries", Level::kBuffer, 16, 8, 5, 0);
  expect_memory(a, "eie.codebook", Level::kRegister, 32, 16, 5, 0);
  // 2 broadcasts x 2 PEs: each pushed and popped once; each pop reads both pointer banks.
  expect_memory(a, "eie.act_queue", Level::kRegister, 5, 19, 4, 4);
  expect_memory(a, "eie.pointers", Level::kBuffer, 3, 5, 8, 0);
  // Source reads: 2 groups x 2 PEs; write-back: 18 rows x 2 PEs into the destination file.
  expect_memory(a, "eie.act_files", Level::kRegister, 40, 16, 4, 36);
  // One read-modify-write per entry, and a read and a clear per written-back row.
  expect_memory(a, "eie.accumulators", Level::kRegister, 80, 32, 5 + 36, 5 + 36);
  EXPECT_EQ(a.memories.size(), 6u);
  // 4 source words of 16 bits to the scanner, 4 received broadcasts of {k 3 b, x 16 b}.
  EXPECT_EQ(a.array_bits, 4u * 16 + 4u * 19);
  EXPECT_EQ(a.dram_read_bytes + a.dram_write_bytes, 0u);

  const auto table = config::load_energy_table();
  const energy::Breakdown b = energy::evaluate(a, table);
  EXPECT_NEAR(b.at(Level::kMac), 5 * (table.mult(16, 16) + table.add(32)), 1e-9);
  EXPECT_NEAR(b.at(Level::kArray), 140 * table.array_per_bit(), 1e-9);
  EXPECT_EQ(b.at(Level::kDram), 0.0);
}

// The tiny layer in memory: image at 0x100, codebook 0x40, x 0x400, bias 0x500, y 0x600.
struct ShellLayer {
  ShellParams p;
  LayerDescriptor d;
  std::vector<uint8_t> memory = std::vector<uint8_t>(0x1000, 0);
};

ShellLayer tiny_shell_layer() {
  ShellLayer l;
  l.p.eie = tiny_config();
  l.d.op = "spmv";
  l.d.out_type = "int16";
  l.d.bias = true;
  l.d.m = kRows, l.d.k = kCols, l.d.n = 1;
  l.d.b_addr = 0x100, l.d.aux_addr = 0x40, l.d.a_addr = 0x400, l.d.bias_addr = 0x500, l.d.out_addr = 0x600;
  const std::vector<uint8_t> image = weight_image(l.p.eie, tiny_weights());
  std::copy(image.begin(), image.end(), l.memory.begin() + static_cast<std::ptrdiff_t>(l.d.b_addr));
  for (uint64_t i = 1; i < 16; ++i) shell::store(l.memory, l.d.aux_addr + 2 * i, 2, static_cast<int64_t>(i));
  const int64_t x[kCols] = {5, 0, 7};
  for (uint64_t j = 0; j < kCols; ++j) shell::store(l.memory, l.d.a_addr + 2 * j, 2, x[j]);
  return l;
}

TEST(EieEnergy, ShellLayerCountsOfAHandMadeLayer) {
  const ShellLayer l = tiny_shell_layer();
  ASSERT_EQ(check_layer(l.p, l.d, l.memory), 0u);
  const ShellTiming t = layer_cycles(l.p, l.d, l.memory, 5, 8);
  const energy::Actions& a = t.actions;
  EXPECT_EQ(t.useful_macs, 4u);
  EXPECT_EQ(a.mac_count(), 5u);  // the job's, padding included
  // The image: 16 codebook values, 2 x (3 + 1) pointers, 3 + 3 entries (PE 1's column 2 has
  // its padding entry), 3 + 2 non-empty columns through the starts list; then the job.
  expect_memory(a, "eie.codebook", Level::kRegister, 32, 16, 5, 16);
  expect_memory(a, "eie.pointers", Level::kBuffer, 3, 5, 8, 8);
  expect_memory(a, "eie.entries", Level::kBuffer, 16, 8, 5, 6);
  expect_memory(a, "eie.shell_starts", Level::kRegister, 4, 5, 5, 5);
  // x's 3 elements written into the source file, besides the job's 4 reads and 36 writes.
  expect_memory(a, "eie.act_files", Level::kRegister, 40, 16, 4, 3 + 36);
  // The drain: 18 write-back words of both PEs' sums, 36 outputs read with their bias
  // (20 x 64 b = 160 B; 40 x 32 b = 160 B), the bias loaded once.
  expect_memory(a, "eie.shell_sums", Level::kBuffer, 160, 64, 36, 18);
  expect_memory(a, "eie.shell_bias", Level::kBuffer, 160, 32, 36, 36);
  // The job's 140 bits; the image's 8 pointers of 5 b and 6 entries of 8 b over the loader
  // bus; x's 3 x 16 b; write-back 18 rows x 2 PEs x 32 b.
  EXPECT_EQ(a.array_bits, 140u + 8 * 5 + 6 * 8 + 3 * 16 + 18 * 2 * 32);
  EXPECT_EQ(a.dram_read_bytes, t.bytes_read);
  EXPECT_EQ(a.dram_write_bytes, t.bytes_written);
  EXPECT_EQ(t.bytes_written, uint64_t{kRows} * 2);
}

TEST(EieEnergy, KeepWeightsRemovesTheImageWritesAndItsDramBytes) {
  const ShellLayer l = tiny_shell_layer();
  LayerDescriptor keep = l.d;
  keep.keep_weights = true;
  const ShellTiming full = layer_cycles(l.p, l.d, l.memory, 5, 8),
                    kept = layer_cycles(l.p, keep, l.memory, 5, 8);
  const energy::Actions &f = full.actions, &k = kept.actions;
  for (const char* name : {"eie.codebook", "eie.pointers", "eie.entries"}) {
    EXPECT_EQ(memory(k, name).writes, 0u) << name;
    EXPECT_EQ(memory(k, name).reads, memory(f, name).reads) << name << ": the job reads the same";
  }
  EXPECT_THROW(memory(k, "eie.shell_starts"), std::runtime_error) << "no image streamed, no starts list";
  EXPECT_EQ(k.mac_count(), f.mac_count());
  EXPECT_EQ(f.array_bits - k.array_bits, 8u * 5 + 6 * 8);
  // The image (pointers, entries) and the codebook are not read from DRAM again.
  EXPECT_LT(k.dram_read_bytes, f.dram_read_bytes);
  EXPECT_EQ(k.dram_read_bytes, kept.bytes_read);
  EXPECT_EQ(k.dram_write_bytes, f.dram_write_bytes);
  const auto table = config::load_energy_table();
  EXPECT_LT(energy::evaluate(k, table).total(), energy::evaluate(f, table).total());
}

TEST(EieEnergy, SparserActivationsCostFewerMacsAndBroadcastBits) {
  config::EieConfig cfg = tiny_config();
  cfg.pes = 4;
  const BenchLayer dense{"dense", 256, 128, 0.1, 0.6}, sparse{"sparse", 256, 128, 0.1, 0.2};
  const energy::Actions d = job_actions(cfg, simulate_layer(cfg, synthetic_work(dense, cfg.pes, 3)));
  const energy::Actions s = job_actions(cfg, simulate_layer(cfg, synthetic_work(sparse, cfg.pes, 3)));
  EXPECT_LT(s.mac_count(), d.mac_count());
  EXPECT_LT(s.array_bits, d.array_bits);
  EXPECT_LT(memory(s, "eie.pointers").reads, memory(d, "eie.pointers").reads);
  // The scan reads every group and write-back every row whatever x holds.
  EXPECT_EQ(memory(s, "eie.act_files").reads, memory(d, "eie.act_files").reads);
  EXPECT_EQ(memory(s, "eie.act_files").writes, memory(d, "eie.act_files").writes);

  // Behind the shell: zeroing x's last non-zero drops its column's broadcast and entries.
  ShellLayer l = tiny_shell_layer();
  const ShellTiming before = layer_cycles(l.p, l.d, l.memory, 5, 8);
  shell::store(l.memory, l.d.a_addr + 2 * 2, 2, 0);
  const ShellTiming after = layer_cycles(l.p, l.d, l.memory, 5, 8);
  EXPECT_EQ(before.actions.mac_count() - after.actions.mac_count(), 3u);  // column 2: 1 + 2 entries
  EXPECT_EQ(before.actions.array_bits - after.actions.array_bits, 2u * 19);
}

TEST(EieEnergy, DramBytesAreTheShellsByteCounters) {
  ShellLayer l = tiny_shell_layer();
  for (const uint32_t n : {1u, 3u}) {
    l.d.n = n;
    for (uint32_t v = 1; v < n; ++v)
      for (uint64_t j = 0; j < kCols; ++j)
        shell::store(l.memory, l.d.a_addr + 2 * (v * kCols + j), 2, static_cast<int64_t>(v + j));
    for (const unsigned latency : {1u, 40u}) {
      const ShellTiming t = layer_cycles(l.p, l.d, l.memory, latency, 3);
      EXPECT_EQ(t.actions.dram_read_bytes, t.bytes_read) << n << " vectors, latency " << latency;
      EXPECT_EQ(t.actions.dram_write_bytes, t.bytes_written) << n << " vectors, latency " << latency;
      EXPECT_EQ(t.bytes_written, uint64_t{n} * kRows * 2);
    }
  }
}

// The benchmark's energy is the kernel job's, says so, and turns into power per PE at EIE's
// clock as energy / (cycles / 800 MHz) / PEs.
TEST(EieEnergy, BenchReportsTheJobsEnergyAndPowerPerPe) {
  config::EieConfig cfg = tiny_config();
  cfg.pes = 4;
  const std::vector<BenchRow> rows = run_bench(cfg, {{"t", 96, 64, 0.2, 0.5}});
  ASSERT_EQ(rows.size(), 1u);
  const BenchRow& r = rows[0];
  EXPECT_EQ(r.actions.mac_count(), r.timing.entries);
  EXPECT_EQ(r.actions.dram_read_bytes + r.actions.dram_write_bytes, 0u);
  const double pj = r.energy.total();
  EXPECT_NEAR(pj, energy::evaluate(job_actions(cfg, r.timing), config::load_energy_table()).total(), 1e-6);
  const nlohmann::json j = bench_json(cfg, rows);
  const std::string scope = "on chip only, weights already in SRAM, no DRAM";
  EXPECT_EQ(j["energy_scope"], scope);
  EXPECT_EQ(j["layers"][0]["energy"]["scope"], scope);
  EXPECT_NEAR(j["mw_per_pe"].get<double>(), pj * 0.8 / r.timing.cycles / 4, 1e-9);
  EXPECT_NEAR(j["layers"][0]["energy"]["pj_per_mac"].get<double>(), pj / r.timing.useful_macs, 1e-9);
  EXPECT_EQ(j["eie_paper_mw_per_pe"], 9.157);
  EXPECT_NE(format_bench(cfg, rows).find(scope), std::string::npos);
}

}  // namespace
}  // namespace dnngen::eie
