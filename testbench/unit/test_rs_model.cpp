// Row-stationary model: configuration keys and checks, the job plan's limits, the
// event-exact schedule against the pass-by-pass total (random shapes on several arrays), the
// buffer packing layout, and the AlexNet / ResNet-50 bench (Eyeriss comparison goals).
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/ring.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "dnngen/row_stationary/rs_model.hpp"
#include "dnngen/row_stationary/shell_run.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"

namespace dnngen::rs {
namespace {

std::string rs_yaml(const std::string& extra_keys, unsigned rows = 4, unsigned cols = 4,
                    unsigned filter_spad = 11) {
  return "name: t\nengine: systolic\nsystolic:\n  rows: " + std::to_string(rows) +
         "\n  cols: " + std::to_string(cols) +
         "\n  dataflow: row_stationary\n  input_bits: 8\n  weight_bits: 8\n  acc_bits: 32\n"
         "  signed: true\n  overflow: wrap\n  max_filter_size: 11\n  filter_spad: " +
         std::to_string(filter_spad) +
         "\n  ifmap_spad: 32\n  psum_spad: 64\n  ifmap_rows: 512\n  filter_words: 512\n" + extra_keys;
}

config::RowStationaryConfig rs_config(unsigned rows, unsigned cols) {
  return config::parse_config(rs_yaml("", rows, cols), "t.yaml").row_stationary;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// A random job: filters up to max_rs (square or not), strides, padding and filters up to
// their maxima, W <= 32, H <= 30, C*H <= 512 (the 4x4 preset's ifmap rows).
struct JobRanges {
  int64_t max_rs = 11;
  bool square = false;
  int64_t max_stride = 4, max_pad = 3, max_k = 9;
};
ConvJob draw_job(std::mt19937_64& rng, const JobRanges& g) {
  const auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  ConvJob j;
  j.r = pick(1, g.max_rs);
  j.s = g.square ? j.r : pick(1, g.max_rs);
  j.stride = pick(1, g.max_stride);
  j.pad = pick(0, g.max_pad);
  j.w = pick(std::max<int64_t>(1, j.s - 2 * j.pad), 32);
  j.h = pick(std::max<int64_t>(1, j.r - 2 * j.pad), 30);
  j.c = pick(1, 512 / j.h);
  j.k = pick(1, g.max_k);
  return j;
}

// The job's plan, or false when the configuration's buffers cannot hold it.
bool try_plan(const config::RowStationaryConfig& cfg, const ConvJob& j, Plan& p) {
  try {
    p = plan(cfg, j);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

TEST(RsConfig, ParsesAndNamesTheRtl) {
  const auto cfg = config::parse_config(rs_yaml(""), "t.yaml");
  EXPECT_TRUE(cfg.systolic.row_stationary());
  EXPECT_EQ(config::rtl_top_module(cfg), "dnn_rs_top");
  EXPECT_EQ(config::rtl_variant(cfg), "row_stationary");
  EXPECT_EQ(config::to_string(cfg.systolic.dataflow), "row_stationary");
  // The section's array lands in both structs; the GEMM job limits stay zero.
  EXPECT_EQ(cfg.systolic.rows, 4u);
  EXPECT_EQ(cfg.systolic.max_m, 0u);
  const config::RowStationaryConfig& rs = cfg.row_stationary;
  EXPECT_EQ(rs.rows, 4u);
  EXPECT_EQ(rs.acc_bits, 32u);
  EXPECT_EQ(rs.filter_spad, 11u);
  EXPECT_EQ(rs.filter_words, 512u);
  const std::vector<std::pair<std::string, int64_t>> params = {
      {"NumRows", 4},    {"NumCols", 4},   {"InBits", 8},      {"WBits", 8},         {"AccBits", 32},
      {"Signed", 1},     {"Saturate", 0},  {"MaxRS", 11},      {"FilterSpad", 11},   {"IfmapSpad", 32},
      {"IfmapBanks", 2}, {"PsumSpad", 64}, {"IfmapRows", 512}, {"FilterWords", 512}, {"RingBuffers", 0}};
  EXPECT_EQ(config::rtl_parameters(cfg), params);
  // ifmap_spad_banks: 2 unless set; 1 or 2.
  EXPECT_EQ(
      config::parse_config(rs_yaml("  ifmap_spad_banks: 1\n"), "t.yaml").row_stationary.ifmap_spad_banks, 1u);
  const std::string e = error_of([] { config::parse_config(rs_yaml("  ifmap_spad_banks: 3\n"), "t.yaml"); });
  EXPECT_NE(e.find("systolic.ifmap_spad_banks"), std::string::npos) << e;
  EXPECT_NE(e.find("1..2"), std::string::npos) << e;
}

TEST(RsConfig, RejectsGemmKeysAndSmallScratchpad) {
  EXPECT_NE(error_of([] {
              config::parse_config(rs_yaml("  max_m: 4\n"), "t.yaml");
            }).find("unknown key 'systolic.max_m'"),
            std::string::npos);
  const std::string e = error_of([] { config::parse_config(rs_yaml("", 4, 4, 5), "t.yaml"); });
  EXPECT_NE(e.find("filter_spad"), std::string::npos) << e;
  EXPECT_NE(e.find("max_filter_size = 11"), std::string::npos) << e;
}

TEST(RsPlan, LimitsNameTheirKey) {
  const auto cfg = rs_config(4, 4);
  const auto msg = [&](ConvJob j) { return error_of([&] { plan(cfg, j); }); };
  EXPECT_NE(msg({1, 4, 33, 1, 3, 3, 1, 0}).find("ifmap_spad"), std::string::npos);
  EXPECT_NE(msg({1, 20, 20, 1, 13, 3, 1, 0}).find("max_filter_size"), std::string::npos);
  EXPECT_NE(msg({40, 20, 20, 1, 3, 3, 1, 0}).find("ifmap_rows"), std::string::npos);
  EXPECT_NE(msg({20, 20, 20, 200, 3, 3, 1, 0}).find("filter_words"), std::string::npos);
  EXPECT_EQ(msg({3, 8, 8, 2, 3, 3, 1, 1}), "");
  // psum_spad 64 / F 8 = 8 filters per group: 20 filters make 3 groups.
  const Plan p = plan(cfg, {3, 8, 8, 20, 3, 3, 1, 1});
  EXPECT_EQ(p.kg, 8);
  EXPECT_EQ(p.nk, 3);
  EXPECT_EQ(p.nq, 3);  // ceil(3*3 / 4)
  EXPECT_EQ(p.ne, 2);  // ceil(8 / 4)
}

// The pass-by-pass total must equal the event-exact walk on every job (last event == cycles),
// and the walk emits one event per (filter, E-fold, output column).
// The ifmap multicast reads each row a fold needs once: per channel's run of w rows over
// ncv columns, w + (ncv - 1) * min(w, stride) cycles, instead of one per PE (rows*cols).
TEST(RsSchedule, MulticastReadsEachIfmapRowOnce) {
  const auto cfg = rs_config(12, 14);
  // (The loads depend on the output height E only: the plan's other fields need buffers
  // larger than this configuration's.)
  const auto with_e = [](int64_t e) {
    Plan p;
    p.e = e;
    return p;
  };
  // AlexNet CONV5 (one group): C = 192, 13 x 13, 3 x 3, pad 1: E = 13 on 14 columns. A
  // fold is four channels of three filter rows: 4 * (3 + 12 * 1) = 60 reads, not 168.
  ConvJob conv5{192, 13, 13, 128, 3, 3, 1, 1};
  const Plan p5 = with_e(13);
  EXPECT_EQ(pass_load_cycles(cfg, conv5, p5, 0, 0), 60u);
  // AlexNet CONV1: C = 3, 227 x 227, 11 x 11, stride 4: E = 55, four E-folds. Fold 0 is
  // channel 0's 11 rows (11 + 13 * 4) and channel 1's row 0 (1 + 13 * 1); fold 2 is
  // channel 2's rows 2-10 (9 + 13 * 4); the last E-fold has 13 columns.
  ConvJob conv1{3, 227, 227, 96, 11, 11, 4, 0};
  const Plan p1 = with_e(55);
  EXPECT_EQ(pass_load_cycles(cfg, conv1, p1, 0, 0), 63u + 14u);
  EXPECT_EQ(pass_load_cycles(cfg, conv1, p1, 0, 2), 61u);
  EXPECT_EQ(pass_load_cycles(cfg, conv1, p1, 3, 2), 9u + 12u * 4u);
  // A 1x1 convolution shares no rows: every PE of a column range reads its own, and
  // columns past E read nothing (7 x 7 output on 14 columns: 12 * 7).
  ConvJob pointwise{64, 7, 7, 32, 1, 1, 1, 0};
  EXPECT_EQ(pass_load_cycles(cfg, pointwise, with_e(7), 0, 0), 84u);
}

TEST(RsSchedule, TotalEqualsEventWalk) {
  std::mt19937_64 rng(42);
  for (const auto& [rows, cols] : {std::pair{4u, 4u}, {1u, 3u}, {12u, 14u}, {3u, 5u}}) {
    const auto cfg = rs_config(rows, cols);
    for (int i = 0; i < 200; ++i) {
      const ConvJob j = draw_job(rng, {11, false, 4, 3, 9});
      Plan p;
      if (!try_plan(cfg, j, p)) continue;
      const auto ev = schedule(cfg, j);
      const auto t = estimate(cfg, j);
      ASSERT_EQ(ev.size(), static_cast<size_t>(j.k * p.ne * p.f));
      EXPECT_EQ(ev.back().cycle, t.cycles) << rows << "x" << cols;
      EXPECT_TRUE(ev.back().last);
      for (size_t e = 1; e < ev.size(); ++e) EXPECT_GT(ev[e].cycle, ev[e - 1].cycle);
      EXPECT_EQ(t.macs, static_cast<uint64_t>(j.k * j.c * j.r * j.s * p.e * p.f));
    }
  }
}

// With one ifmap bank a pass loads only after the pass before has stepped: the first
// version's closed form, nk * sum of the loads + ne*nq*K*F*S + rows + 2. With two, every
// pass's loads but the first overlap the steps before them wherever they are shorter, so
// the job takes no more cycles, and at least the steps, the first loads, a cycle between
// passes for the first filter word and the pipeline.
TEST(RsSchedule, TwoIfmapBanksOverlapTheLoads) {
  std::mt19937_64 rng(7);
  for (const auto& [rows, cols] : {std::pair{4u, 4u}, {12u, 14u}, {3u, 5u}}) {
    auto two = rs_config(rows, cols);
    auto one = two;
    one.ifmap_spad_banks = 1;
    for (int i = 0; i < 200; ++i) {
      const ConvJob j = draw_job(rng, {5, true, 2, 0, 20});
      Plan p;
      if (!try_plan(two, j, p)) continue;
      uint64_t loads = 0;
      for (int64_t eo = 0; eo < p.ne; ++eo)
        for (int64_t q = 0; q < p.nq; ++q) loads += pass_load_cycles(two, j, p, eo, q);
      const auto steps = static_cast<uint64_t>(p.ne * p.nq * j.k * p.f * j.s);
      const uint64_t passes = static_cast<uint64_t>(p.ne * p.nk * p.nq);
      const uint64_t serial = static_cast<uint64_t>(p.nk) * loads + steps + rows + 2;
      EXPECT_EQ(estimate(one, j).cycles, serial);
      EXPECT_EQ(schedule(one, j).back().cycle, serial);
      const uint64_t overlapped = estimate(two, j).cycles;
      EXPECT_LE(overlapped, serial);
      EXPECT_GE(overlapped, steps + pass_load_cycles(two, j, p, 0, 0) + (passes - 1) + rows + 2);
      EXPECT_EQ(schedule(two, j).back().cycle, overlapped);
    }
  }
  // Hand-worked, 4 x 4: C = 8, 3 x 3, H = W = 6, pad 1, 2 filters: E = F = 6, two E-folds
  // (4 and 2 columns), six row folds of four slots, one group. Steps a pass: 2 * 6 * 3 =
  // 36. A fold of channels (c, c+1, c+2 part) loads 3 + 3 * 1 + ... (pass_load_cycles);
  // every pass's loads after the first fit in the 36 steps before it, so the passes step
  // back to back one cycle apart: L(0) + 12 * 36 + 11 + 4 + 2.
  const auto cfg = rs_config(4, 4);
  const ConvJob hand{8, 6, 6, 2, 3, 3, 1, 1};
  const Plan hp = plan(cfg, hand);
  ASSERT_EQ(hp.ne * hp.nk * hp.nq, 12);
  for (int64_t eo = 0; eo < hp.ne; ++eo)
    for (int64_t q = 0; q < hp.nq; ++q) ASSERT_LT(pass_load_cycles(cfg, hand, hp, eo, q), 36u);
  EXPECT_EQ(estimate(cfg, hand).cycles, pass_load_cycles(cfg, hand, hp, 0, 0) + 12 * 36 + 11 + 4 + 2);
  const std::vector<PassStart> starts = pass_starts(cfg, hand);
  for (size_t n = 1; n < starts.size(); ++n) EXPECT_EQ(starts[n].steps_at, starts[n - 1].steps_at + 37);
}

TEST(RsPack, FilterWordLanesFollowTheSlotOrder) {
  const auto cfg = rs_config(4, 4);
  const ConvJob j{2, 3, 3, 1, 3, 2, 1, 0};  // C*R = 6 slots: folds {c0r0..c1r0}, {c1r1, c1r2}
  Tensor x({2, 3, 3}), w({1, 2, 3, 2});
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<int64_t>(i) - 5;
  for (size_t i = 0; i < w.data.size(); ++i) w.data[i] = static_cast<int64_t>(i) + 1;
  const auto words = pack(cfg, x, w, j);
  ASSERT_EQ(words.size(), 6u + 2u);  // 6 ifmap rows, 1 filter x 2 folds
  EXPECT_FALSE(words[4].to_b);
  EXPECT_EQ(words[4].addr, 4u);  // c = 1, y = 1
  EXPECT_EQ(static_cast<int8_t>(get_field(words[4].data, 8, 8)), x.data[13]);
  // Fold 1, lane 0 = (c 1, r 1), weight s = 1: w[0, 1, 1, 1] = index 9 -> value 10.
  EXPECT_TRUE(words[7].to_b);
  EXPECT_EQ(get_field(words[7].data, (0 * 11 + 1) * 8, 8), 10u);
  EXPECT_EQ(get_field(words[7].data, (2 * 11 + 0) * 8, 8), 0u);  // lane past C*R
}

TEST(RsBench, AlexNetBeatsEyeriss) {
  const auto cfg = config::load_config(std::string(DNNGEN_CONFIGS_DIR) + "/systolic_rs_12x14_int16.yaml");
  const auto rows =
      bench_network(cfg.row_stationary, std::string(DNNGEN_CONFIGS_DIR) + "/../workloads/alexnet_conv.csv");
  ASSERT_EQ(rows.size(), 5u);
  uint64_t cycles = 0, macs = 0;
  for (const auto& r : rows) {
    cycles += r.cycles;
    macs += r.macs;
    if (r.name != "conv1") EXPECT_GE(r.utilization, 0.85) << r.name;
  }
  EXPECT_EQ(macs, 665784864u);
  EXPECT_LT(cycles, 5770000u);  // Eyeriss: 5.77 M cycles per image
}

// AlexNet's conv layers (one group of the grouped ones) with Eyeriss's per-image total and
// processing latency (JSSC 2017 Table V, shared/ANCHORS.md), and the descriptor of one
// such layer as bench_shell runs it (int16 out, bias, per-channel scale).
struct EyerissLayer {
  ConvJob j;
  uint64_t groups, processing, total;
};
const EyerissLayer kAlexNetOnEyeriss[] = {{{3, 227, 227, 96, 11, 11, 4, 0}, 1, 825'000, 1'045'000},
                                          {{48, 27, 27, 128, 5, 5, 1, 2}, 2, 1'960'000, 2'095'000},
                                          {{256, 13, 13, 384, 3, 3, 1, 1}, 1, 1'090'000, 1'180'000},
                                          {{192, 13, 13, 192, 3, 3, 1, 1}, 2, 800'000, 920'000},
                                          {{192, 13, 13, 128, 3, 3, 1, 1}, 2, 500'000, 525'000}};

LayerDescriptor alexnet_descriptor(const ConvJob& j) {
  LayerDescriptor d = conv2d_descriptor(j);
  d.out_type = "int16";
  d.bias = d.per_channel = true;
  d.out_shift = 8;
  d.a_addr = 0x100000, d.b_addr = 0x1000000, d.bias_addr = 0x2000000, d.quant_addr = 0x2100000;
  d.out_addr = 0x3000000;
  return d;
}

// The comparison with the chip: AlexNet's conv layers (one group of the grouped
// ones, each a conv2d descriptor) through the shell's cycle model with every DRAM byte, at
// 8 and at Eyeriss's 2.4 bytes/cycle, against Eyeriss's per-image processing latency (DRAM
// overlapped) and total latency (JSSC 2017 Table V). The loads stream in the order the core
// reads them; were they read ahead of the compute, CONV4 and CONV5 would not be below.
// Every layer is below both at both bandwidths, one image a descriptor and per image of
// Eyeriss's own batch of 4 (one descriptor, the weights read once).
TEST(RsBench, AlexNetThroughTheShellBelowEyeriss) {
  const auto cfg = config::load_config(std::string(DNNGEN_CONFIGS_DIR) + "/systolic_rs_12x14_int16.yaml");
  const ShellParams p = shell_params(cfg);
  for (const EyerissLayer& l : kAlexNetOnEyeriss) {
    LayerDescriptor d = alexnet_descriptor(l.j);
    const std::string what = "AlexNet layer C" + std::to_string(l.j.c) + " K" + std::to_string(l.j.k);
    const uint64_t at8 = l.groups * layer_cycles(p, d, 100, 8.0).cycles;
    const uint64_t at2_4 = l.groups * layer_cycles(p, d, 100, 2.4).cycles;
    EXPECT_LT(at8, l.processing) << what << " at 8 bytes/cycle";
    EXPECT_LT(at2_4, l.total) << what << " at 2.4 bytes/cycle";
    EXPECT_LT(at2_4, l.processing) << what << " at 2.4 bytes/cycle";
    d.n = 4;
    const uint64_t batch4 = l.groups * layer_cycles(p, d, 100, 2.4).cycles / 4;
    EXPECT_LT(batch4, l.processing) << what << " at 2.4 bytes/cycle, per image of a batch of 4";
  }
}

// The same comparison on the preset with Eyeriss's global-buffer budget and link width:
// ring buffers the shell fills from DRAM (106.8 KB of buffers in all against the chip's
// 108 KB; a 64-bit bus). At 8 bytes/cycle every layer is below both Eyeriss figures. At
// 2.4 bytes/cycle CONV2-4 are below both and the network below the total, but CONV1 and
// CONV5 are not: every filter group streams the whole ifmap from DRAM again (rings keep
// nothing for reuse) and every image the weights, so each layer takes at least its bytes
// over the link, 12.0 MB in all. Those bytes are the streams' payload and little more: the
// shell reads a run of consecutive ifmap rows as one burst (CONV3-5's rows are 26 bytes;
// read one by one on a 128-bit bus, 32-48 bytes each, the layers read 1.16-1.25x their
// payload; as runs on this bus 1.00-1.01x).
TEST(RsBench, AlexNetThroughTheShellOnEyerissSizedRings) {
  const auto cfg =
      config::load_config(std::string(DNNGEN_CONFIGS_DIR) + "/systolic_rs_12x14_int16_ring.yaml");
  const ShellParams p = shell_params(cfg);
  ASSERT_TRUE(p.rs.ring_buffers);
  int64_t buffers = 0;
  for (const Memory& m : shell_memories(p))
    if (m.level == energy::Level::kBuffer) buffers += m.bytes * m.instances;
  EXPECT_LE(buffers, 108 * 1024);
  uint64_t sum8 = 0, sum2_4 = 0;
  for (std::size_t i = 0; i < std::size(kAlexNetOnEyeriss); ++i) {
    const EyerissLayer& l = kAlexNetOnEyeriss[i];
    LayerDescriptor d = alexnet_descriptor(l.j);
    ASSERT_EQ(check_descriptor(p, d), 0u) << explain_descriptor(p, d).why;
    const std::string what = "AlexNet CONV" + std::to_string(i + 1);
    const ShellTiming at8 = layer_cycles(p, d, 100, 8.0), at2_4 = layer_cycles(p, d, 100, 2.4);
    sum8 += l.groups * at8.cycles;
    sum2_4 += l.groups * at2_4.cycles;
    EXPECT_LT(l.groups * at8.cycles, l.processing) << what << " at 8 bytes/cycle";
    if (i >= 1 && i <= 3) EXPECT_LT(l.groups * at2_4.cycles, l.processing) << what << " at 2.4 bytes/cycle";
    const double payload = static_cast<double>(stream_bytes(p.rs, conv_job(d)));
    for (const ShellTiming& t : {at8, at2_4}) {
      EXPECT_GE(static_cast<double>(t.bytes_read), payload) << what;
      EXPECT_LT(static_cast<double>(t.bytes_read), 1.02 * payload) << what;
    }
    EXPECT_GE(static_cast<double>(at2_4.cycles), static_cast<double>(at2_4.bytes_read) / 2.4) << what;
  }
  EXPECT_LT(sum8, 5'175'000u);    // Eyeriss's processing latency per image
  EXPECT_LT(sum2_4, 5'765'000u);  // and its total latency
}

TEST(RsBench, ResNet50UnderOneSecond) {
  const auto cfg = config::load_config(std::string(DNNGEN_CONFIGS_DIR) + "/systolic_rs_12x14_int16.yaml");
  const auto t0 = std::chrono::steady_clock::now();
  const auto rows =
      bench_network(cfg.row_stationary, std::string(DNNGEN_CONFIGS_DIR) + "/../workloads/resnet50.csv");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(s, 1.0);
  uint64_t macs = 0;
  for (const auto& r : rows) {
    EXPECT_GT(r.cycles, 0u) << r.name;
    macs += r.macs;
  }
  EXPECT_GT(macs, 3'000'000'000u);
}

}  // namespace
}  // namespace dnngen::rs
