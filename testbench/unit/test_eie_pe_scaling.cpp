// EIE at up to 256 PEs and its PE-scaling sweep (dnngen/eie/pe_scaling.hpp): the config
// limit, the partition of one matrix over N PEs against the host's encoding (layer_work),
// the sweep's figures on synthetic work whose answer is known (1 PE = speedup 1, perfectly
// balanced columns = load balance 1 and falling cycles), the --pes list, and the golden,
// cycle and shell models at 256 PEs.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/job.hpp"
#include "dnngen/eie/pe_scaling.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/eie/spmv.hpp"
#include "dnngen/shell/memory_image.hpp"

namespace dnngen::eie {
namespace {

std::string eie_yaml(const std::string& pes) {
  return "name: e\nengine: eie\neie:\n  pes: " + pes +
         "\n  fifo_depth: 8\n  index_bits: 4\n  act_bits: 16\n  acc_bits: 32\n  frac_bits: 8\n  relu: true\n"
         "  max_rows: 600\n  max_cols: 64\n  max_entries: 1024\n";
}

std::string config_error(const std::string& yaml) {
  try {
    config::parse_config(yaml, "x.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(EiePes, ConfigTakesUpTo256Pes) {
  EXPECT_EQ(config::parse_config(eie_yaml("256"), "x.yaml").eie.pes, 256u);
  EXPECT_EQ(config::parse_config(eie_yaml("1"), "x.yaml").eie.pes, 1u);
  EXPECT_EQ(config_error(eie_yaml("257")), "x.yaml: eie.pes: must be an integer in 1..256, got 257");
  EXPECT_EQ(config_error(eie_yaml("0")), "x.yaml: eie.pes: must be an integer in 1..256, got 0");
}

config::EieConfig eie_cfg(unsigned pes, unsigned max_rows = 600, unsigned max_cols = 64) {
  config::EieConfig c;
  c.pes = pes;
  c.max_rows = max_rows;
  c.max_cols = max_cols;
  c.max_entries = 4096;
  return c;
}

// A random index matrix with long zero runs (padding entries) and an input with zeros.
void random_layer(int64_t m, int64_t n, uint64_t seed, Tensor& w, std::vector<int64_t>& x) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution keep(0.08), act(0.6);
  std::uniform_int_distribution<int64_t> index(1, 15), value(-300, 300);
  w = Tensor({m, n});
  for (auto& v : w.data) v = keep(rng) ? index(rng) : 0;
  x.assign(static_cast<size_t>(n), 0);
  for (auto& v : x) v = act(rng) ? value(rng) | 1 : 0;
}

LayerMatrix matrix_of(const Tensor& w, const std::vector<int64_t>& x) {
  LayerMatrix m;
  m.rows = w.shape[0];
  m.cols = w.shape[1];
  for (int64_t j = 0; j < m.cols; ++j) {
    if (x[static_cast<size_t>(j)] == 0) continue;
    m.nz_cols.push_back(j);
    m.nz_rows.emplace_back();
    for (int64_t i = 0; i < m.rows; ++i)
      if (w.at(i, j) != 0) m.nz_rows.back().push_back(static_cast<uint32_t>(i));
  }
  return m;
}

// partition() deals one matrix over N PEs exactly as the host encodes it for the RTL.
TEST(EiePeScaling, PartitionMatchesTheEncoding) {
  Tensor w;
  std::vector<int64_t> x;
  random_layer(600, 40, 3, w, x);
  const LayerMatrix m = matrix_of(w, x);
  for (unsigned pes : {1u, 2u, 3u, 7u, 64u, 256u}) {
    const LayerWork want = layer_work(eie_cfg(pes), w, x), got = partition(m, pes);
    EXPECT_EQ(got.nz_cols, want.nz_cols) << pes << " PEs";
    EXPECT_EQ(got.entries, want.entries) << pes << " PEs";
    EXPECT_EQ(got.useful_macs, want.useful_macs) << pes << " PEs";
  }
}

// Every weight and activation non-zero and M a multiple of every PE count: each PE gets the
// same entries in every column, so the load balance is exactly 1 and cycles fall with PEs.
TEST(EiePeScaling, BalancedColumnsBalanceExactly) {
  const BenchLayer dense{"dense", 48, 512, 1.0, 1.0};
  const auto rows = run_pe_scaling(eie_cfg(1, 512), {dense}, default_pe_counts());
  ASSERT_EQ(rows.size(), 1u);
  const auto& points = rows[0].points;
  ASSERT_EQ(points.size(), 9u);
  EXPECT_EQ(points.front().pes, 1u);
  EXPECT_EQ(points.back().pes, 256u);
  EXPECT_EQ(points.front().speedup, 1.0);
  for (size_t i = 0; i < points.size(); ++i) {
    const ScalingPoint& p = points[i];
    EXPECT_EQ(p.balance, 1.0) << p.pes << " PEs";
    EXPECT_EQ(p.timing.entries, 48u * 512u) << p.pes << " PEs";
    EXPECT_EQ(p.timing.useful_macs, 48u * 512u);
    EXPECT_EQ(p.padding, 0u);
    EXPECT_EQ(p.max_pe, 48u * 512u / p.pes);
    EXPECT_GT(p.busy, 0.0);
    EXPECT_LE(p.busy, 1.0);
    if (i > 0) {
      EXPECT_LT(p.timing.cycles, points[i - 1].timing.cycles) << p.pes << " PEs";
      EXPECT_GT(p.speedup, points[i - 1].speedup);
    }
  }
  // 512 local rows on one PE: 48 columns of 512 entries, back to back, and the write-back.
  EXPECT_GE(points.front().timing.cycles, 48u * 512u + 512u);
  EXPECT_LE(points.front().timing.cycles, 48u * 512u + 512u + 16u);
}

// The same matrix for every PE count: the 1-PE point is the baseline of every speedup, and
// useful MACs do not depend on N.
TEST(EiePeScaling, OneMatrixForEveryPeCount) {
  const BenchLayer layer{"t", 300, 700, 0.1, 0.4};
  const auto rows = run_pe_scaling(eie_cfg(1, 700), {layer}, {1, 3, 16, 256});
  const auto& points = rows.at(0).points;
  ASSERT_EQ(points.size(), 4u);
  for (const auto& p : points) {
    EXPECT_EQ(p.timing.useful_macs, points.front().timing.useful_macs);
    EXPECT_EQ(p.speedup, static_cast<double>(points.front().timing.cycles) / p.timing.cycles);
    EXPECT_LE(p.balance, 1.0);
    EXPECT_EQ(p.timing.writeback_cycles, static_cast<uint64_t>((700 + p.pes - 1) / p.pes));
  }
  EXPECT_EQ(points.front().balance, 1.0);
  // 700 rows on 256 PEs: 188 PEs hold 3 local rows, 68 hold 2, so the work cannot be even.
  EXPECT_LT(points.back().balance, 0.95);
  // The tables carry every point.
  const std::string csv = pe_scaling_csv(rows);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_NE(csv.find("\nt,256,"), std::string::npos);
  const auto j = pe_scaling_json(eie_cfg(1, 700), rows);
  EXPECT_EQ(j["layers"][0]["points"].size(), 4u);
  EXPECT_EQ(j["layers"][0]["points"][3]["pes"], 256);
  EXPECT_NE(format_pe_scaling(eie_cfg(1, 700), rows).find("no data movement"), std::string::npos);
}

TEST(EiePeScaling, PeCountList) {
  const std::vector<unsigned> def = default_pe_counts();
  EXPECT_EQ(def, (std::vector<unsigned>{1, 2, 4, 8, 16, 32, 64, 128, 256}));
  EXPECT_EQ(parse_pe_counts("1,3,256", "--pes"), (std::vector<unsigned>{1, 3, 256}));
  EXPECT_EQ(parse_pe_counts("1", "--pes"), (std::vector<unsigned>{1}));
  for (const char* bad : {"", "2,4", "1,257", "1,4,2", "1,1", "1,,2", "1,2,", "a", "1,0", "1,2.5"})
    EXPECT_THROW(parse_pe_counts(bad, "--pes"), InputError) << "'" << bad << "'";
  try {
    parse_pe_counts("2,4", "--pes");
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "--pes 2,4: the list must start at 1 (speedups are over one PE)");
  }
}

// 256 PEs end to end in the models: the kernel's golden values (the dense reference) and
// cycle model, more PEs than rows and rows not a multiple of the PEs, and the shell's
// golden layer and cycle model, whose identity reports the 256 PEs.
TEST(EiePes, ModelsRunAt256Pes) {
  const config::EieConfig cfg = eie_cfg(256);
  for (const int64_t m : {600, 100}) {
    Tensor w;
    std::vector<int64_t> x;
    random_layer(m, 40, 9, w, x);
    Chain c;
    Layer l;
    l.codebook = {0, 3, -5, 7, 11, -13, 17, 19, -23, 29, 31, -37, 41, 43, -47, 53};
    l.w_idx = w;
    c.layers.push_back(l);
    c.x = x;
    check_chain(cfg, c);
    const ChainResult r = run_chain(cfg, c);
    EXPECT_EQ(r.outputs.at(0), spmv(cfg, l.codebook, w, x)) << m << " rows";
    const LayerTiming& t = r.timing.at(0);
    EXPECT_EQ(t.writeback_cycles, static_cast<uint64_t>((m + 255) / 256));
    EXPECT_EQ(t.useful_macs, partition(matrix_of(w, x), 256).useful_macs);
    EXPECT_GT(t.cycles, t.writeback_cycles);

    ShellParams p;
    p.eie = cfg;
    EXPECT_EQ(shell_identity(p).array_rows, 256u);
    LayerDescriptor d;
    d.op = "spmv", d.out_type = "int16", d.relu = true;
    d.m = static_cast<uint32_t>(m), d.k = 40, d.n = 1;
    d.aux_addr = 0x1000, d.a_addr = 0x2000, d.out_addr = 0x3000, d.b_addr = 0x4000;
    std::vector<uint8_t> mem(0x4000, 0);
    const std::vector<uint8_t> image = weight_image(cfg, w);
    mem.insert(mem.end(), image.begin(), image.end());
    for (size_t i = 0; i < l.codebook.size(); ++i) shell::store(mem, d.aux_addr + 2 * i, 2, l.codebook[i]);
    for (size_t j = 0; j < x.size(); ++j) shell::store(mem, d.a_addr + 2 * j, 2, x[j]);
    ASSERT_EQ(check_layer(p, d, mem), 0u);
    const ShellTiming st = layer_cycles(p, d, mem, 20, 16);
    run_layer(p, d, mem);
    for (int64_t i = 0; i < m; ++i)
      EXPECT_EQ(shell::load(mem, d.out_addr + 2 * static_cast<uint64_t>(i), 2, true),
                r.outputs[0][static_cast<size_t>(i)])
          << "row " << i;
    EXPECT_EQ(st.useful_macs, t.useful_macs);
    EXPECT_GT(st.cycles, st.compute);
  }
}

}  // namespace
}  // namespace dnngen::eie
