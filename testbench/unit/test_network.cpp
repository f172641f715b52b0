// Workload tables and the network estimate: the parser accepts the documented format
// and rejects each class of bad row with FILE:LINE; conv layers lower to the known
// im2col GEMMs; the closed-form job split equals a brute-force sum over every job of
// systolic::estimate (seeded random shapes, limits, array sizes and both dataflows;
// replay with DNNGEN_SEED=<seed>); every workloads/*.csv loads with its published MACs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/systolic/network_estimate.hpp"
#include "dnngen/systolic/schedule.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::workload {
namespace {

using config::Dataflow;
using config::SystolicConfig;
using systolic::estimate_layer;
using systolic::estimate_network;
using systolic::GemmShape;

SystolicConfig array_config(unsigned rows, unsigned cols, Dataflow dataflow, unsigned max_m, unsigned max_n,
                            unsigned max_k) {
  SystolicConfig cfg;
  cfg.rows = rows;
  cfg.cols = cols;
  cfg.dataflow = dataflow;
  cfg.max_m = max_m;
  cfg.max_n = max_n;
  cfg.max_k = max_k;
  return cfg;
}

std::string error_of(const std::string& text) {
  try {
    parse_network(text, "x.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError for:\n" << text;
  return "";
}

// The same layer as it would be written in a file, for lowering tests.
Layer conv_layer(const std::string& row) { return parse_network(row, "t.csv").at(0); }

TEST(Network, ParsesBothRowTypesCommentsAndSpaces) {
  const auto layers = parse_network(
      "# a comment\n"
      "\n"
      "  conv1 , conv , 224,224,3,64,7,7,2,3,1\r\n"
      "   # indented comment\n"
      "fc,gemm,1,1000,2048,1\n"
      "heads,gemm,1024,1024,64,12",  // no final newline
      "x.csv");
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].name, "conv1");
  EXPECT_EQ(layers[0].type, LayerType::kConv);
  EXPECT_EQ(layers[0].line, 3);
  EXPECT_EQ(layers[0].conv.h, 224);
  EXPECT_EQ(layers[0].conv.filters, 64);
  EXPECT_EQ(layers[0].conv.stride, 2);
  EXPECT_EQ(layers[0].conv.pad, 3);
  EXPECT_EQ(layers[1].type, LayerType::kGemm);
  EXPECT_EQ(layers[1].line, 5);
  EXPECT_EQ(layers[1].gemm.m, 1);
  EXPECT_EQ(layers[1].gemm.n, 1000);
  EXPECT_EQ(layers[1].gemm.k, 2048);
  EXPECT_EQ(layers[2].groups, 12);
}

TEST(Network, RejectsBadRowsWithFileAndLine) {
  EXPECT_EQ(error_of("# c\nc1,conv,224,224,3,64,7,7,2,3\n"),
            "x.csv:2: a conv row has 11 fields (name,conv,H,W,C,K,R,S,stride,pad,groups), got 10");
  EXPECT_EQ(error_of("g,gemm,1,2,3,1,\n"),
            "x.csv:1: a gemm row has 6 fields (name,gemm,M,N,K,groups), got 7");
  EXPECT_EQ(error_of("just_a_name\n"), "x.csv:1: expected name,type,... (type conv or gemm), got 1 field(s)");
  EXPECT_EQ(error_of("Conv1,224,224,11,11,3,96,4,\n"),
            "x.csv:1: unknown layer type '224' (expected conv or gemm)");
  EXPECT_EQ(error_of("c,conv,224,22x,3,64,7,7,2,3,1\n"), "x.csv:1: W: expected an integer, got '22x'");
  EXPECT_EQ(error_of("c,conv,224,224,3,64,7,7,2,1.5,1\n"), "x.csv:1: pad: expected an integer, got '1.5'");
  EXPECT_EQ(error_of("g,gemm,1,,3,1\n"), "x.csv:1: N: expected an integer, got ''");
  EXPECT_EQ(error_of("c,conv,224,224,0,64,7,7,2,3,1\n"), "x.csv:1: C: must be >= 1, got 0");
  EXPECT_EQ(error_of("g,gemm,1,2,-3,1\n"), "x.csv:1: K: must be >= 1, got -3");
  EXPECT_EQ(error_of("c,conv,8,8,3,4,3,3,1,-1,1\n"), "x.csv:1: pad: must be >= 0, got -1");
  EXPECT_EQ(error_of("c,conv,8,8,3,4,3,3,0,1,1\n"), "x.csv:1: stride: must be >= 1, got 0");
  EXPECT_EQ(error_of("g,gemm,1,2,3,0\n"), "x.csv:1: groups: must be >= 1, got 0");
  EXPECT_EQ(error_of("g,gemm,99999999999,2,3,1\n"),
            "x.csv:1: M: 99999999999 is too large (limit 2147483648)");
  EXPECT_EQ(error_of("c,conv,4,8,3,4,7,3,1,1,1\n"),
            "x.csv:1: filter R=7 is larger than the padded input H+2*pad=6");
  EXPECT_EQ(error_of("c,conv,8,4,3,4,3,7,1,1,1\n"),
            "x.csv:1: filter S=7 is larger than the padded input W+2*pad=6");
  EXPECT_EQ(error_of("c,conv,8,8,6,4,3,3,1,1,4\n"), "x.csv:1: groups=4 must divide both C=6 and K=4");
  EXPECT_EQ(error_of("a,gemm,1,2,3,1\nb,gemm,1,2,3,1\n\na,gemm,4,5,6,1\n"),
            "x.csv:4: duplicate layer name 'a' (first on line 1)");
  EXPECT_EQ(error_of("a b,gemm,1,2,3,1\n"),
            "x.csv:1: layer name 'a b' may only use letters, digits and _ . - /");
  EXPECT_EQ(error_of(",gemm,1,2,3,1\n"), "x.csv:1: empty layer name");
  EXPECT_EQ(error_of("g,gemm,2147483648,2147483648,2147483648,1\n"),
            "x.csv:1: layer too large: groups*M*N*K exceeds 2^53 (M=2147483648, "
            "N=2147483648, K=2147483648, groups=1)");
  EXPECT_EQ(error_of("# only comments\n\n"), "x.csv: no layers in workload file");
}

TEST(Network, UnreadableFileIsInputError) {
  try {
    load_network("/nonexistent/dir/net.csv");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/dir/net.csv: cannot read workload file");
  }
}

TEST(Network, LowersKnownConvLayers) {
  // ResNet-50 conv1: 224x224x3, 64 filters 7x7/2 pad 3 -> 112x112 outputs.
  const Layer r1 = conv_layer("conv1,conv,224,224,3,64,7,7,2,3,1");
  EXPECT_EQ(r1.gemm.m, 112 * 112);
  EXPECT_EQ(r1.gemm.k, 147);
  EXPECT_EQ(r1.gemm.n, 64);
  // AlexNet conv1 on the 227x227 input without padding -> 55x55.
  const Layer a1 = conv_layer("conv1,conv,227,227,3,96,11,11,4,0,1");
  EXPECT_EQ(a1.gemm.m, 55 * 55);
  EXPECT_EQ(a1.gemm.k, 363);
  EXPECT_EQ(a1.gemm.n, 96);
  // AlexNet conv2, two groups: each sees 48 channels and makes 128 outputs.
  const Layer a2 = conv_layer("conv2,conv,27,27,96,256,5,5,1,2,2");
  EXPECT_EQ(a2.gemm.m, 27 * 27);
  EXPECT_EQ(a2.gemm.k, 48 * 25);
  EXPECT_EQ(a2.gemm.n, 128);
  EXPECT_EQ(a2.groups, 2);
  // ResNet-50 v1 stride-2 1x1 (no padding): 56x56 -> 28x28.
  const Layer d = conv_layer("res3a_branch1,conv,56,56,256,512,1,1,2,0,1");
  EXPECT_EQ(d.gemm.m, 28 * 28);
  EXPECT_EQ(d.gemm.k, 256);
  EXPECT_EQ(d.gemm.n, 512);
  // MobileNet depthwise 3x3/2: 32 one-filter convs on one channel each.
  const Layer dw = conv_layer("dw,conv,112,112,32,32,3,3,2,1,32");
  EXPECT_EQ(dw.gemm.m, 56 * 56);
  EXPECT_EQ(dw.gemm.k, 9);
  EXPECT_EQ(dw.gemm.n, 1);
  EXPECT_EQ(dw.groups, 32);
  // Odd leftover rows/columns are dropped by the floor: (7 + 2 - 3) / 2 + 1 = 4.
  EXPECT_EQ(conv_output_size(7, 3, 2, 1), 4);
  EXPECT_EQ(conv_output_size(6, 3, 2, 0), 2);
}

TEST(Network, UnsplitLayerIsOneEstimate) {
  for (Dataflow df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary}) {
    const SystolicConfig cfg = array_config(16, 16, df, 4096, 4096, 4096);
    const Layer layer = conv_layer("c,conv,56,56,64,64,3,3,1,1,1");
    const LayerEstimate e = estimate_layer(cfg, layer);
    const systolic::CycleEstimate ref = systolic::estimate(cfg, layer.gemm);
    EXPECT_EQ(e.jobs, 1u);
    EXPECT_EQ(e.cycles, ref.cycles);
    EXPECT_EQ(e.macs, ref.macs);
    EXPECT_DOUBLE_EQ(e.utilization, ref.utilization);
    EXPECT_EQ(e.scalesim_cycles, systolic::scalesim_cycles(cfg, layer.gemm));
    EXPECT_DOUBLE_EQ(e.scalesim_ratio,
                     static_cast<double>(e.cycles) / static_cast<double>(e.scalesim_cycles));
  }
}

// Every job of the split, one by one, the way a host driver would issue them.
uint64_t brute_force_cycles(const SystolicConfig& cfg, const GemmShape& g, int64_t groups) {
  uint64_t cycles = 0;
  for (int64_t m0 = 0; m0 < g.m; m0 += cfg.max_m) {
    for (int64_t n0 = 0; n0 < g.n; n0 += cfg.max_n) {
      for (int64_t k0 = 0; k0 < g.k; k0 += cfg.max_k) {
        const GemmShape job{std::min<int64_t>(cfg.max_m, g.m - m0), std::min<int64_t>(cfg.max_n, g.n - n0),
                            std::min<int64_t>(cfg.max_k, g.k - k0)};
        cycles += systolic::estimate(cfg, job).cycles;
      }
    }
  }
  return cycles * static_cast<uint64_t>(groups);
}

TEST(Network, SplitEqualsBruteForceSumOverJobs) {
  const char* env = std::getenv("DNNGEN_SEED");
  const uint64_t seed = env ? std::strtoull(env, nullptr, 0) : std::random_device{}();
  std::cout << "[ seed     ] DNNGEN_SEED=" << seed
            << " ./unit_tests --gtest_filter=Network.SplitEqualsBruteForceSumOverJobs\n";
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int trial = 0; trial < 2000; ++trial) {
    const auto df = pick(0, 1) ? Dataflow::kWeightStationary : Dataflow::kOutputStationary;
    // Limits from 1 (every element its own job) to above the dimension (no split).
    const SystolicConfig cfg =
        array_config(static_cast<unsigned>(pick(1, 32)), static_cast<unsigned>(pick(1, 32)), df,
                     static_cast<unsigned>(pick(1, 300)), static_cast<unsigned>(pick(1, 300)),
                     static_cast<unsigned>(pick(1, 300)));
    // At most 20 jobs per dimension keeps the brute force bounded (8000 jobs).
    auto pick_dim = [&](unsigned limit) { return pick(1, std::min<int64_t>(2000, 20 * limit)); };
    Layer layer;
    layer.name = "g";
    layer.gemm = {pick_dim(cfg.max_m), pick_dim(cfg.max_n), pick_dim(cfg.max_k)};
    layer.groups = pick(1, 3);
    const int64_t jobs = ((layer.gemm.m + cfg.max_m - 1) / cfg.max_m) *
                         ((layer.gemm.n + cfg.max_n - 1) / cfg.max_n) *
                         ((layer.gemm.k + cfg.max_k - 1) / cfg.max_k);
    const LayerEstimate e = estimate_layer(cfg, layer);
    ASSERT_EQ(e.cycles, brute_force_cycles(cfg, layer.gemm, layer.groups))
        << "seed " << seed << " trial " << trial << ": " << cfg.rows << "x" << cfg.cols << " "
        << config::to_string(df) << " limits " << cfg.max_m << "/" << cfg.max_n << "/" << cfg.max_k
        << " GEMM " << layer.gemm.m << "x" << layer.gemm.n << "x" << layer.gemm.k << " groups "
        << layer.groups;
    ASSERT_EQ(e.jobs, static_cast<uint64_t>(jobs * layer.groups));
    ASSERT_EQ(e.macs, static_cast<uint64_t>(layer.groups * layer.gemm.m * layer.gemm.n * layer.gemm.k));
    ASSERT_EQ(e.scalesim_cycles,
              static_cast<uint64_t>(layer.groups) * systolic::scalesim_cycles(cfg, layer.gemm));
  }
}

TEST(Network, ZeroLimitsAreRejected) {
  const Layer layer = conv_layer("c,conv,8,8,3,4,3,3,1,1,1");
  EXPECT_THROW(estimate_layer(array_config(4, 4, Dataflow::kWeightStationary, 0, 8, 8), layer),
               std::invalid_argument);
  EXPECT_THROW(estimate_layer(array_config(0, 4, Dataflow::kWeightStationary, 8, 8, 8), layer),
               std::invalid_argument);
}

TEST(Network, NetworkTotalsAreLayerSums) {
  const SystolicConfig cfg = array_config(8, 8, Dataflow::kWeightStationary, 64, 64, 64);
  const auto layers = parse_network(
      "c1,conv,16,16,3,8,3,3,1,1,1\n"
      "dw,conv,16,16,8,8,3,3,2,1,8\n"
      "fc,gemm,1,100,512,1\n",
      "x.csv");
  const NetworkEstimate n = estimate_network(cfg, layers, "tiny");
  ASSERT_EQ(n.layers.size(), 3u);
  uint64_t cycles = 0, macs = 0, scalesim = 0, jobs = 0;
  for (const LayerEstimate& e : n.layers) {
    cycles += e.cycles;
    macs += e.macs;
    scalesim += e.scalesim_cycles;
    jobs += e.jobs;
  }
  EXPECT_EQ(n.cycles, cycles);
  EXPECT_EQ(n.macs, macs);
  EXPECT_EQ(n.scalesim_cycles, scalesim);
  EXPECT_EQ(n.jobs, jobs);
  EXPECT_DOUBLE_EQ(n.utilization, static_cast<double>(macs) / (static_cast<double>(cycles) * 64));
  EXPECT_DOUBLE_EQ(n.scalesim_ratio, static_cast<double>(cycles) / static_cast<double>(scalesim));

  const nlohmann::json j = to_json(n);
  EXPECT_EQ(j.at("network"), "tiny");
  EXPECT_EQ(j.at("dataflow"), "weight_stationary");
  EXPECT_EQ(j.at("cycles").get<uint64_t>(), cycles);
  EXPECT_EQ(j.at("layers").size(), 3u);
  EXPECT_EQ(j.at("layers")[1].at("name"), "dw");
  EXPECT_EQ(j.at("layers")[1].at("groups"), 8);
  EXPECT_EQ(j.at("layers")[1].at("K"), 9);

  const std::string table = format_table(n);
  EXPECT_NE(table.find("tiny on 8x8 weight_stationary"), std::string::npos) << table;
  EXPECT_NE(table.find("\ntotal "), std::string::npos) << table;
  EXPECT_NE(table.find(std::to_string(cycles)), std::string::npos) << table;
  // Aligned: every line of the table body has the same length.
  EXPECT_NE(table.find("compute only"), std::string::npos) << table;  // says what it counts
  std::vector<size_t> lengths;
  size_t start = table.find("\nlayer") + 1;
  for (size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
    lengths.push_back(end - start);
  }
  ASSERT_EQ(lengths.size(), 7u) << table;  // header, rule, 3 layers, rule, total
  EXPECT_TRUE(std::all_of(lengths.begin(), lengths.end(), [&](size_t l) { return l == lengths.front(); }))
      << table;
}

// Data movement through the shell: one 64x64x64 GEMM that fits one tile moves A, B, the
// channel parameters and C once; the job overlaps its transfers; fill and drain add the
// first load and the last write, each after the latency.
TEST(Network, DramEstimateOfOneTile) {
  config::SystolicConfig cfg;
  cfg.rows = 8, cfg.cols = 8, cfg.max_m = 64, cfg.max_n = 64, cfg.max_k = 64;
  config::MemoryConfig mem;
  mem.bytes_per_cycle = 8, mem.latency = 10, mem.data_bits = 64, mem.max_burst = 16, mem.outstanding = 8;
  ASSERT_DOUBLE_EQ(mem.effective_bytes_per_cycle(), 8.0);
  Layer l;
  l.name = "g";
  l.type = LayerType::kGemm;
  l.gemm = {64, 64, 64};
  const LayerEstimate e = systolic::estimate_layer(cfg, l, &mem);
  ASSERT_TRUE(e.has_dram);
  EXPECT_EQ(e.dram_read_bytes, 64u * 64 + 64u * 64 + 64u * 12);
  EXPECT_EQ(e.dram_write_bytes, 64u * 64);
  EXPECT_EQ(e.memory_cycles, (e.dram_read_bytes + e.dram_write_bytes) / 8);
  const uint64_t fill = 10 + (64 * 64 * 2) / 8, drain = 10 + 64 * 64 / 8;
  EXPECT_EQ(e.cycles_with_dram, std::max(e.cycles, e.memory_cycles) + fill + drain);
  EXPECT_EQ(e.bound, e.memory_cycles > e.cycles ? "memory" : "compute");
}

// What the data-movement estimate must respect on every shipped table: never faster than
// compute or than the bytes at the bandwidth, monotone in bandwidth, memory-bound when the
// memory is starved, and K splits re-read A (no reuse across n).
TEST(Network, DramEstimateBoundsAndMonotonicity) {
  config::SystolicConfig cfg;
  cfg.rows = 16, cfg.cols = 16, cfg.max_m = 256, cfg.max_n = 256, cfg.max_k = 256;
  const auto layers = load_network(std::string(DNNGEN_CONFIGS_DIR) + "/../workloads/resnet50.csv");
  config::MemoryConfig slow, fast;
  slow.bytes_per_cycle = 1;
  fast.bytes_per_cycle = 64, fast.data_bits = 512;
  const NetworkEstimate s = systolic::estimate_network(cfg, layers, "r", &slow);
  const NetworkEstimate f = systolic::estimate_network(cfg, layers, "r", &fast);
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerEstimate& a = s.layers[i];
    const LayerEstimate& b = f.layers[i];
    EXPECT_GE(a.cycles_with_dram, std::max(a.cycles, a.memory_cycles)) << a.name;
    EXPECT_GE(a.cycles_with_dram, b.cycles_with_dram) << a.name;
    EXPECT_EQ(a.dram_read_bytes, b.dram_read_bytes) << a.name;  // the plan does not depend on speed
  }
  EXPECT_GT(s.memory_cycles, s.cycles);
  EXPECT_EQ(format_table(s).find("memory") != std::string::npos, true);
  EXPECT_LE(f.cycles_with_dram, s.cycles_with_dram);

  Layer one_k, split_k;
  one_k.name = split_k.name = "g";
  one_k.type = split_k.type = LayerType::kGemm;
  one_k.gemm = {512, 512, 256};    // K one tile: A kept across the two n tiles
  split_k.gemm = {512, 512, 512};  // two K tiles: A read once per n tile
  const auto e1 = systolic::estimate_layer(cfg, one_k, &fast),
             e2 = systolic::estimate_layer(cfg, split_k, &fast);
  EXPECT_EQ(e1.dram_read_bytes, 512u * 256 + 256u * 512 * 2 + 512u * 12 * 2);
  EXPECT_EQ(e2.dram_read_bytes, 512u * 512 * 2 + 512u * 512 * 2 + 512u * 12 * 2);
}

// Layer count and total MACs of every shipped table, cross-checked against the
// published figures (see workloads/README.md).
TEST(Network, ShippedWorkloadsLoad) {
  const std::map<std::string, std::pair<size_t, uint64_t>> expected = {
      {"alexnet.csv", {8, 724406816}},
      {"alexnet_conv.csv", {5, 665784864}},  // Eyeriss: 666 M conv MACs
      {"vgg16.csv", {16, 15470264320}},
      {"resnet50.csv", {54, 3857973248}},
      {"mobilenet_v1.csv", {28, 568740352}},
      {"transformer_gpt2.csv", {73, 145824153600}},
  };
  const std::filesystem::path dir = std::filesystem::path(DNNGEN_SOURCE_DIR) / "workloads";
  size_t found = 0;
  const SystolicConfig cfg = array_config(16, 16, Dataflow::kWeightStationary, 4096, 4096, 4096);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    // Layer tables of the other engines (eie_*.csv, bitserial_*.csv) have their own
    // formats and loaders, tested in their engines' suites.
    const std::string file = entry.path().filename().string();
    if (file.rfind("eie_", 0) == 0 || file.rfind("bitserial_", 0) == 0) continue;
    SCOPED_TRACE(entry.path().string());
    const auto layers = load_network(entry.path().string());
    const NetworkEstimate n = estimate_network(cfg, layers);
    EXPECT_GT(n.cycles, 0u);
    const auto it = expected.find(entry.path().filename().string());
    ASSERT_NE(it, expected.end()) << "new workload: add its layer count and MACs here";
    EXPECT_EQ(layers.size(), it->second.first);
    EXPECT_EQ(n.macs, it->second.second);
    ++found;
  }
  EXPECT_EQ(found, expected.size());
}

}  // namespace
}  // namespace dnngen::workload
