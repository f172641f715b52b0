// dnn_shell_rs, the row-stationary (Eyeriss) engine behind the shell, driven as software
// drives it: descriptor registers over AXI4-Lite (a protocol-checking master), START, the
// interrupt; its AXI4 master runs against the C++ AXI memory (axi_memory.hpp, which checks
// the master's protocol). Every conv2d layer's memory image afterwards must equal the
// golden model's (rs::run_layer on the image taken before START) byte for byte, and with a
// deterministic memory every counter the cycle model's (rs::layer_cycles); with a stalling
// memory the bytes still match and the cycles can only grow.
//
// Cases: random layers (every size from 1 to the buffers' limits, filters 1 to max_rs,
// strides 1 to 3, padding, channel counts that do not divide the array, so partial row
// folds, several E-folds and filter groups; int8 / int16 / int32 outputs, OUTPUT.BITS, bias,
// ReLU, per-tensor or per-channel scale; random strides and element- but not bus-aligned
// addresses, a quarter of them several images) at four memory timings and with a stalling
// memory; three images sharing the weights; two chained layers; every
// descriptor error of rs::check_descriptor, each followed by a good layer; ABORT at several
// points; AXI errors; START while busy; the identity registers. DNNGEN_SEED overrides the
// base seed; failures print the command that replays them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "Vdnn_shell_rs.h"
#include "axi_lite_master.hpp"
#include "axi_memory.hpp"
#include "dnngen/row_stationary/ring.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/register_file.hpp"
#include "shell_abort_sweep.hpp"
#include "shell_rs_tb_params.hpp"
#include "shell_systolic_bench.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {
namespace {

using rs::check_descriptor;
using rs::layer_cycles;
using rs::run_layer;
using rs::ShellParams;
using rs::ShellTiming;
using testbench::AxiMemoryTiming;
using Top = Vdnn_shell_rs;

constexpr std::size_t kMemoryBytes = 1 << 20;
constexpr unsigned kInBytes = TB_InBits / 8, kWBytes = TB_WBits / 8;

uint32_t error(const char* name) { return register_map().enum_value("error", name); }

uint64_t out_e(const LayerDescriptor& d) { return rs::ofmap_height(d); }
uint64_t out_f(const LayerDescriptor& d) { return rs::ofmap_width(d); }
uint64_t a_pitch(const LayerDescriptor& d) {
  return d.a_stride != 0 ? d.a_stride : uint64_t{d.in_w} * kInBytes;
}
uint64_t out_pitch(const LayerDescriptor& d) {
  return d.out_stride != 0 ? d.out_stride : out_f(d) * rs::out_bytes(d);
}

// The command that replays the running test (DNNGEN_SEED is the base seed).
std::string replay() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::error_code ec;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  return "replay: DNNGEN_SEED=" + std::to_string(base_seed()) + " " + exe +
         " --gtest_filter=" + info->test_suite_name() + "." + info->name();
}

// The driver, with every register access checked. An FST trace goes to $DNNGEN_FST when
// the testbench is verilated with --trace-fst.
class Bench : public ShellSystolicBench<Top, TB_DataBits> {
 public:
  Bench(const AxiMemoryTiming& t, uint64_t seed)
      : ShellSystolicBench(t, seed, kMemoryBytes,
                           std::getenv("DNNGEN_FST") ? std::getenv("DNNGEN_FST") : "") {}
};

AxiMemoryTiming deterministic(unsigned latency = 20, double bytes_per_cycle = TB_DataBits / 8) {
  AxiMemoryTiming t;
  t.latency = latency;
  t.bytes_per_cycle = bytes_per_cycle;
  t.max_burst = TB_MaxBurst;
  t.outstanding = TB_Outstanding;
  return t;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : rng_(seed) {}
  unsigned pick(unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng_); }
  int64_t value(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

 private:
  std::mt19937_64 rng_;
};

// Operand values: the full range of the element width, signed or not.
int64_t operand(Rng& rng, unsigned bits) {
  if (TB_Signed != 0) return rng.value(-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1);
  return rng.value(0, (int64_t{1} << bits) - 1);
}

// Writes the ifmap rows (every image's), the weights, the bias and the per-channel scale of
// `d`.
void write_operands(Rng& rng, const LayerDescriptor& d, std::vector<uint8_t>& mem) {
  for (uint64_t row = 0; row < rs::images(d) * d.in_c * d.in_h; ++row)
    for (uint64_t x = 0; x < d.in_w; ++x)
      store(mem, d.a_addr + row * a_pitch(d) + x * kInBytes, kInBytes, operand(rng, TB_InBits));
  for (uint64_t i = 0; i < uint64_t{d.out_c} * d.in_c * d.r * d.s; ++i)
    store(mem, d.b_addr + i * kWBytes, kWBytes, operand(rng, TB_WBits));
  for (uint64_t k = 0; k < d.out_c; ++k) {
    store(mem, d.bias_addr + 4 * k, 4, rng.value(-5000, 5000));
    store(mem, d.quant_addr + 8 * k, 4, rng.value(-3000, 3000));
    store(mem, d.quant_addr + 8 * k + 4, 4, rng.chance(0.1) ? rng.value(63, 100) : rng.value(0, 20));
  }
}

std::string describe(const LayerDescriptor& d) {
  return "conv2d C" + std::to_string(d.in_c) + " H" + std::to_string(d.in_h) + " W" + std::to_string(d.in_w) +
         " K" + std::to_string(d.out_c) + " R" + std::to_string(d.r) + " S" + std::to_string(d.s) +
         " stride " + std::to_string(d.stride_y) + " pad " + std::to_string(d.pad_y) + " -> " + d.out_type +
         (d.out_bits != 0 ? " bits " + std::to_string(d.out_bits) : "") + (d.bias ? " bias" : "") +
         (d.relu ? " relu" : "") + (d.per_channel ? " per-channel" : "") +
         (d.a_stride != 0 ? " a_stride " + std::to_string(d.a_stride) : "") +
         (d.out_stride != 0 ? " out_stride " + std::to_string(d.out_stride) : "") +
         (d.n > 1 ? " images " + std::to_string(d.n) : "");
}

// The most filters a layer of nq row folds may have: the filter buffer's words (rings: the
// bias and scale tables' depth).
uint64_t filters_fit(const config::RowStationaryConfig& cfg, uint64_t nq) {
  return cfg.ring_buffers ? cfg.max_filters : std::min<uint64_t>(cfg.max_filters, cfg.filter_words / nq);
}
// Ifmap rows a layer may have: the buffer's (rings hold any; these keep layers small).
unsigned rows_fit(const config::RowStationaryConfig& cfg) {
  return cfg.ring_buffers ? 12 * cfg.rows : cfg.ifmap_rows;
}

// A random layer the buffers hold, with its operands placed at random element-aligned
// addresses in `mem` (regions apart, so the layer's ofmap overlaps nothing it reads).
LayerDescriptor random_layer(Rng& rng, std::vector<uint8_t>& mem) {
  const ShellParams p = rs_tb_params();
  const auto& cfg = p.rs;
  for (;;) {
    LayerDescriptor d;
    d.op = "conv2d";
    d.chw = true;
    d.r = rng.pick(1, cfg.max_filter_size);
    d.s = rng.chance(0.8) ? d.r : rng.pick(1, cfg.max_filter_size);
    d.stride_y = d.stride_x = rng.chance(0.6) ? 1 : rng.pick(2, 3);
    d.pad_y = d.pad_x = rng.chance(0.5) ? 0 : rng.pick(0, std::min(d.r, d.s));
    d.in_w = rng.pick(1, cfg.ifmap_spad);
    d.in_c = rng.pick(1, std::min<unsigned>(rows_fit(cfg), 3 * cfg.rows));
    d.in_h = rng.pick(1, std::max<unsigned>(1, rows_fit(cfg) / d.in_c));
    d.out_c = rng.pick(1, static_cast<unsigned>(std::min<uint64_t>(2 * cfg.cols + 1, filters_fit(cfg, 1))));
    static const char* const kTypes[] = {"int8", "int16", "int32"};
    d.out_type = kTypes[rng.pick(0, 2)];
    if (d.out_type == "int32" && cfg.acc_bits > 32) d.out_type = "int16";
    const bool raw = d.out_type == "int32";
    if (!raw) {
      d.bias = rng.chance(0.5);
      d.relu = rng.chance(0.3);
      d.per_channel = rng.chance(0.4);
      d.out_mult = static_cast<int32_t>(rng.value(1, 3000));
      d.out_shift = rng.pick(0, 16);
      if (rng.chance(0.3)) d.out_bits = rng.pick(2, d.out_type == "int8" ? 8 : 16);
    }
    const unsigned ob = rs::out_bytes(d);
    if (rng.chance(0.3)) d.a_stride = d.in_w * kInBytes + kInBytes * rng.pick(1, 5);
    d.a_addr = 0x01000 + kInBytes * rng.pick(0, 40);
    d.b_addr = 0x40000 + kWBytes * rng.pick(0, 40);
    d.bias_addr = 0x60000 + 4 * rng.pick(0, 8);
    d.quant_addr = 0x61000 + 4 * rng.pick(0, 8);
    d.out_addr = 0x80000 + ob * rng.pick(0, 40);
    if (rng.chance(0.25)) d.n = rng.pick(2, 3);  // images: the filters stay, the ifmap reloads
    if (check_descriptor(p, d) != 0) continue;   // past a buffer: draw again
    if (rng.chance(0.3)) d.out_stride = static_cast<uint32_t>(out_f(d) * ob + ob * rng.pick(1, 4));
    // Every image's ifmap below the weights, every ofmap inside the memory: else draw again.
    const uint64_t n = rs::images(d);
    if (d.a_addr + n * d.in_c * d.in_h * a_pitch(d) > d.b_addr ||
        d.out_addr + n * d.out_c * out_e(d) * out_pitch(d) > mem.size())
      continue;
    write_operands(rng, d, mem);
    return d;
  }
}

void expect_clean(Bench& b) {
  EXPECT_TRUE(b.axi().errors().empty()) << "AXI4: " << b.axi().errors().front();
  EXPECT_TRUE(b.lite().errors().empty()) << "AXI4-Lite: " << b.lite().errors().front();
}

// Where two memory images first differ, relative to the ofmap, and how many bytes differ.
std::string differences(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                        const LayerDescriptor& d) {
  std::string first;
  uint64_t count = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) continue;
    if (count++ != 0) continue;
    const int64_t rel = static_cast<int64_t>(i) - static_cast<int64_t>(d.out_addr);
    const auto pitch = static_cast<int64_t>(out_pitch(d));
    first = "first at byte " + std::to_string(i) + " (OFMAP + " + std::to_string(rel) + ": row (k, e) " +
            std::to_string(rel / pitch) + ", byte " + std::to_string(rel % pitch) + "): rtl " +
            std::to_string(got[i]) + ", model " + std::to_string(want[i]);
  }
  return std::to_string(count) + " bytes differ, " + first;
}

struct Checked {
  LayerRun run;
  std::vector<uint8_t> before;  // the memory at START
  bool bytes_ok = false;
};

// Runs `d` and checks the memory image afterwards against the golden model's.
Checked expect_matches_model(Bench& b, const LayerDescriptor& d, const std::string& what,
                             uint64_t watchdog = 4'000'000) {
  const ShellParams p = rs_tb_params();
  Checked c;
  c.before = b.memory();
  EXPECT_EQ(check_descriptor(p, d), 0u) << what;
  std::vector<uint8_t> want = c.before;
  run_layer(p, d, want);
  b.load_descriptor(d);
  c.run = b.run(0, watchdog);
  EXPECT_TRUE(c.run.finished) << what << ": no interrupt\n" << replay();
  EXPECT_EQ(c.run.error_code, 0u) << what << "\n" << replay();
  EXPECT_EQ(c.run.irq_status, 1u) << what << "\n" << replay();
  c.bytes_ok = b.memory() == want;
  EXPECT_TRUE(c.bytes_ok) << what << ": the memory differs from the model, "
                          << differences(b.memory(), want, d) << "\n"
                          << replay();
  return c;
}

// Every counter against the cycle model. Returns whether all agree; `report` prints the
// mismatch as a test failure.
bool counters_match(const LayerRun& r, const ShellTiming& m, const std::string& what, bool report) {
  const bool ok = r.cycles == m.cycles && r.compute == m.compute && r.mem_wait == m.mem_wait &&
                  r.bytes_read == m.bytes_read && r.bytes_written == m.bytes_written;
  if (!ok && report) {
    auto pair = [](const char* name, uint64_t rtl, uint64_t model) {
      return std::string(name) + " " + std::to_string(rtl) +
             (rtl == model ? "" : " (model " + std::to_string(model) + ")");
    };
    ADD_FAILURE() << what << ": counters differ from rs::layer_cycles: " << pair("cycles", r.cycles, m.cycles)
                  << ", " << pair("compute", r.compute, m.compute) << ", "
                  << pair("mem_wait", r.mem_wait, m.mem_wait) << ", "
                  << pair("bytes_read", r.bytes_read, m.bytes_read) << ", "
                  << pair("bytes_written", r.bytes_written, m.bytes_written) << "\n"
                  << replay();
  }
  return ok;
}

// `count` random layers on one bench. With a deterministic memory every counter must be
// the cycle model's; with a stalling one the cycles can only grow, except with ring
// buffers: which stream's next word is read first depends on the cycle (the ifmap's when
// both may), so a late beat can give a better order and a few cycles less (a review found
// 285 against 288). How many ifmap rows a run gathers depends on the cycle too, so the
// bytes read may differ from the model's; they must cover both streams' words.
void run_random_layers(const AxiMemoryTiming& t, unsigned count) {
  const ShellParams p = rs_tb_params();
  const uint64_t seed = base_seed() + t.latency * 7 + static_cast<uint64_t>(t.bytes_per_cycle * 10) +
                        (t.stall > 0 ? 1 : 0) + (t.early_w ? 0 : 2);
  Bench b(t, seed);
  Rng rng(seed);
  unsigned mismatched = 0;
  for (unsigned i = 0; i < count; ++i) {
    const LayerDescriptor d = random_layer(rng, b.memory());
    const std::string what = "layer " + std::to_string(i) + ": " + describe(d) + " (seed " +
                             std::to_string(seed) + ", memory latency " + std::to_string(t.latency) + ", " +
                             std::to_string(t.bytes_per_cycle) + " bytes/cycle" +
                             (t.stall > 0 ? ", stalling" : "") + ")";
    const Checked c = expect_matches_model(b, d, what);
    const ShellTiming m = layer_cycles(p, d, t.latency, t.bytes_per_cycle);
    if (t.stall == 0) {
      if (!counters_match(c.run, m, what, mismatched == 0)) ++mismatched;
    } else if ((!t.early_w && !p.rs.ring_buffers && c.run.cycles < m.cycles) ||
               c.run.bytes_written != m.bytes_written ||
               (p.rs.ring_buffers &&
                c.run.bytes_read < rs::images(d) * rs::stream_bytes(p.rs, rs::conv_job(d)))) {
      if (mismatched++ == 0)
        ADD_FAILURE() << what << ": " << c.run.cycles << " cycles (the deterministic model's " << m.cycles
                      << "), " << c.run.bytes_written << " bytes written (model " << m.bytes_written << "), "
                      << c.run.bytes_read << " read (model " << m.bytes_read << ")\n"
                      << replay();
    }
    if (std::getenv("TB_VERBOSE"))
      std::printf(
          "%s: %llu cycles (model %llu), compute %llu (core alone %llu, stalled %llu), memory wait %llu\n",
          what.c_str(), static_cast<unsigned long long>(c.run.cycles),
          static_cast<unsigned long long>(m.cycles), static_cast<unsigned long long>(c.run.compute),
          static_cast<unsigned long long>(m.core_cycles), static_cast<unsigned long long>(m.stalls),
          static_cast<unsigned long long>(c.run.mem_wait));
    expect_clean(b);
    if (!c.bytes_ok || !c.run.finished || c.run.error_code != 0 || !b.axi().errors().empty() ||
        !b.lite().errors().empty())
      return;
  }
  EXPECT_EQ(mismatched, 0u) << "of " << count << " layers (seed " << seed << "), the counters of "
                            << mismatched << " disagree with the cycle model's";
}

// The last timing is Eyeriss's off-chip rate, which divides no bus width: the memory's
// credit carries what each beat leaves over (shell::timing::link_credit).
TEST(ShellRs, RandomLayersMatchGoldenAndCycleModel) {
  const double bus = TB_DataBits / 8;
  for (const AxiMemoryTiming& t :
       {deterministic(1, bus), deterministic(20, bus), deterministic(60, bus), deterministic(20, 2.4)}) {
    run_random_layers(t, 12);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// A memory whose latency is short next to its rate: a burst's first beat waits for the read
// credit (bus bytes at bytes_per_cycle, grown while a read is in flight), not for the
// latency alone.
TEST(ShellRs, RandomLayersLowLatencyNarrowMemory) {
  for (const AxiMemoryTiming& t : {deterministic(3, 1.0), deterministic(5, 2.0)}) {
    run_random_layers(t, 6);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(ShellRs, StallingMemoryStillMatchesBytes) {
  AxiMemoryTiming t = deterministic(37, 3);
  t.stall = 0.3;
  t.seed = base_seed();
  t.early_w = false;  // cycles no fewer than the cycle model's
  run_random_layers(t, 8);
  t.early_w = true;  // W taken ahead of its AW: the bytes
  run_random_layers(t, 4);
}

// A square-filter conv2d layer at the fixed addresses of the tests below (far enough apart
// for the buffers' largest tensors), int16 output scaled per tensor.
LayerDescriptor fixed_layer(uint32_t c, uint32_t h, uint32_t w, uint32_t k, uint32_t r) {
  LayerDescriptor d;
  d.op = "conv2d";
  d.chw = true;
  d.in_c = c, d.in_h = h, d.in_w = w, d.out_c = k;
  d.r = d.s = r;
  d.out_type = "int16";
  d.out_mult = 5;
  d.out_shift = 2;
  d.a_addr = 0x1000, d.b_addr = 0x40000, d.bias_addr = 0x60000, d.quant_addr = 0x61000, d.out_addr = 0x80000;
  return d;
}

// 1x1 filters over a tall, narrow ifmap: each filter's tile (cols rows of F = 2) comes in
// F cycles and drains in cols * F, so the tiles pile up in the ring until every slot is
// full and the core waits for one. The model must see those stalls, and the RTL match it.
TEST(ShellRs, TilesFillTheRingAndStallTheCore) {
  const ShellParams p = rs_tb_params();
  const auto& cfg = p.rs;
  // With rings every filter word streams in while the core runs: a fast memory and rings
  // of a few words keep up with a filter every F cycles; one word does not.
  if (cfg.ring_buffers && cfg.filter_words < 4)
    GTEST_SKIP() << "a filter ring of " << cfg.filter_words
                 << " word(s): the filter stream, not the tile ring, paces the core";
  const AxiMemoryTiming t = deterministic(cfg.ring_buffers ? 1 : 20, TB_DataBits / 8);
  Bench b(t, base_seed());
  Rng rng(base_seed());
  const LayerDescriptor d =
      fixed_layer(cfg.rows, cfg.cols, 2,
                  static_cast<uint32_t>(std::min<uint64_t>(filters_fit(cfg, 1), 8 * cfg.psum_spad)), 1);
  write_operands(rng, d, b.memory());
  const std::string what = "1x1 layer " + describe(d);
  const Checked c = expect_matches_model(b, d, what);
  const ShellTiming m = layer_cycles(p, d, t.latency, t.bytes_per_cycle);
  EXPECT_GT(m.stalls, 0u) << what << ": the tiles never fill the ring, so this test checks nothing";
  counters_match(c.run, m, what, true);
  expect_clean(b);
}

// A descriptor of three images: every image's ofmap equals the golden model's, every counter
// the cycle model's, and the weights are read once: the layer reads the one-image layer's
// bytes and two more ifmaps (the ifmap rows fill whole bus beats here, so the bytes add up).
TEST(ShellRs, ImagesShareTheWeights) {
  const ShellParams p = rs_tb_params();
  const AxiMemoryTiming t = deterministic(20, TB_DataBits / 8);
  Bench b(t, base_seed());
  Rng rng(base_seed());
  const uint32_t nq = (4 * 3 + p.rs.rows - 1) / p.rs.rows;
  LayerDescriptor d =
      fixed_layer(4, 8, 8, static_cast<uint32_t>(std::min<uint64_t>(filters_fit(p.rs, nq), 9)), 3);
  d.pad_y = d.pad_x = 1;
  d.bias = d.relu = true;
  d.n = 3;
  write_operands(rng, d, b.memory());
  const std::string what = "3 images of " + describe(d);
  const Checked c = expect_matches_model(b, d, what);
  const ShellTiming m = layer_cycles(p, d, t.latency, t.bytes_per_cycle);
  counters_match(c.run, m, what, true);
  LayerDescriptor one = d;
  one.n = 0;
  const ShellTiming m1 = layer_cycles(p, one, t.latency, t.bytes_per_cycle);
  const uint64_t ifmap_bytes = uint64_t{d.in_c} * d.in_h * d.in_w * kInBytes;
  if (p.rs.ring_buffers)  // rings keep no filters: every image streams both again
    EXPECT_GT(m.bytes_read, 2 * m1.bytes_read) << what;
  else
    EXPECT_EQ(m.bytes_read, m1.bytes_read + 2 * ifmap_bytes) << what;
  EXPECT_EQ(m.bytes_written, 3 * m1.bytes_written) << what;
  EXPECT_EQ(m.core_cycles, 3 * m1.core_cycles) << what;
  expect_clean(b);
}

// A layer as big as the buffers allow, at fixed addresses none aligned to the bus.
LayerDescriptor big_layer(Rng& rng, std::vector<uint8_t>& mem) {
  const ShellParams p = rs_tb_params();
  const auto& cfg = p.rs;
  LayerDescriptor d;
  d.op = "conv2d";
  d.chw = true;
  d.r = d.s = std::min(3u, cfg.max_filter_size);
  d.pad_y = d.pad_x = d.r / 2;
  d.in_w = cfg.ifmap_spad;
  d.in_c = std::min(cfg.rows + 1, rows_fit(cfg));
  d.in_h = cfg.ring_buffers ? 12 : rows_fit(cfg) / d.in_c;
  const uint64_t nq = (uint64_t{d.in_c} * d.r + cfg.rows - 1) / cfg.rows;
  d.out_c = static_cast<uint32_t>(std::min<uint64_t>(2 * cfg.cols + 3, filters_fit(cfg, nq)));
  d.out_type = "int16";
  d.bias = true;
  d.relu = true;
  d.out_mult = 77;
  d.out_shift = 6;
  d.a_addr = 0x1000 + kInBytes, d.b_addr = 0x40000 + 3 * kWBytes, d.bias_addr = 0x60004,
  d.quant_addr = 0x61000, d.out_addr = 0x80000 + 2 * 3;
  write_operands(rng, d, mem);
  return d;
}

// Layer 1 writes its ofmap in the operands' type; layer 2 reads it as its ifmap (its
// channels layer 1's filters), with no host work and no reset between.
TEST(ShellRs, ChainedLayers) {
  const ShellParams p = rs_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed());
  Rng rng(base_seed());
  LayerDescriptor l1;
  LayerDescriptor l2;
  for (;;) {
    l1 = random_layer(rng, b.memory());
    l1.out_type = kInBytes == 1 ? "int8" : "int16";
    l1.out_stride = 0;
    l1.relu = true;
    l1.out_addr = 0x80000 + 2 * kInBytes;
    l2 = l1;
    l2.in_c = l1.out_c;
    l2.in_h = static_cast<uint32_t>(out_e(l1));
    l2.in_w = static_cast<uint32_t>(out_f(l1));
    l2.a_addr = l1.out_addr;
    l2.a_stride = 0;
    l2.out_c = rng.pick(1, 9);
    l2.b_addr = 0x50000;
    l2.out_addr = 0xA0000;
    l2.r = l2.s = rng.pick(1, std::min(l2.in_w, std::min(l2.in_h, p.rs.max_filter_size)));
    l2.pad_y = l2.pad_x = 0;
    l2.stride_y = l2.stride_x = 1;
    if (check_descriptor(p, l1) == 0 && check_descriptor(p, l2) == 0) break;
  }
  {
    LayerDescriptor scratch = l2;  // weights and scale of layer 2; its ifmap is layer 1's output
    scratch.a_addr = 0xC0000;
    scratch.bias_addr = 0x62000, scratch.quant_addr = 0x63000;
    l2.bias_addr = scratch.bias_addr, l2.quant_addr = scratch.quant_addr;
    write_operands(rng, scratch, b.memory());
  }
  const std::string what = "layer 1: " + describe(l1) + "; layer 2: " + describe(l2);
  std::vector<uint8_t> want = b.memory();
  run_layer(p, l1, want);
  run_layer(p, l2, want);
  b.load_descriptor(l1);
  const LayerRun r1 = b.run();
  EXPECT_TRUE(r1.finished && r1.error_code == 0) << what;
  b.load_descriptor(l2);
  const LayerRun r2 = b.run();
  EXPECT_TRUE(r2.finished && r2.error_code == 0) << what;
  EXPECT_TRUE(b.memory() == want) << what << ": chained layers differ from the model, "
                                  << differences(b.memory(), want, l2) << "\n"
                                  << replay();
  counters_match(r2, layer_cycles(p, l2, t.latency, t.bytes_per_cycle), "layer 2 of " + what, true);
  expect_clean(b);
}

// Every error of rs::check_descriptor, each followed by the good layer: no AXI transfer at
// all, the memory untouched. And limits that are not errors: a layer of exactly the buffers.
TEST(ShellRs, BadDescriptorsEndWithTheirErrorCode) {
  const ShellParams p = rs_tb_params();
  const auto& cfg = p.rs;
  Bench b(deterministic(), base_seed());
  Rng rng(base_seed());
  const LayerDescriptor good = big_layer(rng, b.memory());
  ASSERT_EQ(check_descriptor(p, good), 0u);
  struct Case {
    const char* error;
    const char* what;
    std::function<void(LayerDescriptor&)> spoil;
  };
  using D = LayerDescriptor;
  std::vector<Case> cases = {
      {"bad_op", "op gemm", [](D& d) { d.op = "gemm"; }},
      {"bad_op", "op spmv", [](D& d) { d.op = "spmv"; }},
      {"zero_size", "IN_C 0", [](D& d) { d.in_c = 0; }},
      {"zero_size", "IN_H 0", [](D& d) { d.in_h = 0; }},
      {"zero_size", "OUT_C 0", [](D& d) { d.out_c = 0; }},
      {"zero_size", "KERNEL.S 0", [](D& d) { d.s = 0; }},
      {"bad_field", "stride 0", [](D& d) { d.stride_y = d.stride_x = 0; }},
      {"bad_field", "STRIDE.X != STRIDE.Y", [](D& d) { d.stride_x = 2; }},
      {"bad_field", "PAD.X != PAD.Y", [](D& d) { d.pad_x = 0, d.pad_y = 1; }},
      {"bad_field", "padding above the filter", [](D& d) { d.pad_y = d.pad_x = d.r + 1; }},
      {"size_range", "IN_W above ifmap_spad", [&](D& d) { d.in_w = cfg.ifmap_spad + 1; }},
      {"size_range", "R above max_filter_size", [&](D& d) { d.r = cfg.max_filter_size + 1; }},
      {"size_range", "filters past max_filters", [&](D& d) { d.out_c = cfg.max_filters + 1; }},
      {"size_range", "the filter taller than the padded input",
       [](D& d) { d.in_h = 1, d.pad_y = d.pad_x = 0; }},
      {"size_range", "IN_C 2^16", [](D& d) { d.in_c = 1u << 16; }},
      {"size_range", "N 2^16 images", [](D& d) { d.n = 1u << 16; }},
      {"bad_field", "OP.CHW clear", [](D& d) { d.chw = false; }},
      {"bad_field", "B_STRIDE set", [](D& d) { d.b_stride = 64; }},
      {"bad_field", "OUT_SHIFT 63", [](D& d) { d.out_shift = 63; }},
      {"bad_field", "OUTPUT.BITS 1", [](D& d) { d.out_bits = 1; }},
      {"bad_field", "OUTPUT.BITS 17", [](D& d) { d.out_bits = 17; }},
      {"bad_field", "int32 with OUTPUT.BITS", [](D& d) { d.out_type = "int32", d.out_bits = 8; }},
      {"bad_field", "A_STRIDE below the row", [](D& d) { d.a_stride = (d.in_w - 1) * kInBytes; }},
      {"bad_field", "OUT_STRIDE below the row", [](D& d) { d.out_stride = 2; }},
      {"addr_align", "int16 OFMAP odd", [](D& d) { d.out_addr += 1; }},
      {"addr_align", "BIAS_ADDR 2-aligned", [](D& d) { d.bias_addr += 2; }},
      {"addr_align", "int16 OUT_STRIDE odd", [](D& d) { d.out_stride = 4096 + 1; }},
      {"addr_range", "OFMAP past 2^32", [](D& d) { d.out_addr = 0xFFFF'FF00u; }},
      {"addr_range", "IFMAP past 2^32", [](D& d) { d.a_addr = 0xFFFF'FFF0u; }},
      {"addr_range", "the last of 65535 images past 2^32",
       [](D& d) { d.n = 0xFFFF, d.a_addr = 0xFFFF'0000u; }},
      {"addr_range", "weights past 2^32", [](D& d) { d.b_addr = 0xFFFF'FFF0u; }},
      {"addr_range", "bias past 2^32", [](D& d) { d.bias_addr = 0xFFFF'FFF0u; }},
      {"addr_range", "the scale table past 2^32",
       [](D& d) { d.per_channel = true, d.quant_addr = 0xFFFF'FFF0u; }},
  };
  if (kInBytes == 2)
    cases.push_back({"addr_align", "int16 A_STRIDE odd", [](D& d) { d.a_stride = 4096 + 1; }});
  if (!cfg.ring_buffers) {  // rings hold any C*H and any number of filter words
    cases.push_back(
        {"size_range", "IN_C x IN_H above ifmap_rows", [&](D& d) { d.in_h = cfg.ifmap_rows / d.in_c + 1; }});
    cases.push_back(
        {"size_range", "filters past filter_words", [&](D& d) { d.out_c = cfg.filter_words + 1; }});
  }
  for (const Case& c : cases) {
    D d = good;
    c.spoil(d);
    const std::string what = std::string(c.what) + " (" + describe(d) + ")";
    EXPECT_EQ(check_descriptor(p, d), error(c.error)) << what << ": the golden model's check";
    const std::vector<uint8_t> before = b.memory();
    const uint64_t bursts = b.axi().bursts();
    b.load_descriptor(d);
    const LayerRun r = b.run();
    EXPECT_TRUE(r.finished) << what << ": no interrupt\n" << replay();
    EXPECT_EQ(r.error_code, error(c.error)) << what << "\n" << replay();
    EXPECT_EQ(r.irq_status, 2u) << what << "\n" << replay();
    EXPECT_EQ(b.axi().bursts(), bursts) << what << ": touched memory";
    EXPECT_TRUE(b.memory() == before) << what << ": the memory changed";
    expect_matches_model(b, good, "the good layer after " + what);
    if (::testing::Test::HasFailure()) break;
  }
  expect_clean(b);
}

TEST(ShellRs, AbortMidLayer) {
  const ShellParams p = rs_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed());
  Rng rng(base_seed());
  const LayerDescriptor big = big_layer(rng, b.memory());
  const Checked full = expect_matches_model(b, big, "the layer to abort: " + describe(big));
  ASSERT_TRUE(full.run.finished);
  const uint64_t cycles = full.run.cycles;
  // Aborts during the loads end the layer early; once the core runs, it completes first.
  for (const uint64_t at : {uint64_t{3}, uint64_t{40}, cycles / 10, cycles / 2}) {
    const std::string what =
        "abort after " + std::to_string(at) + " of " + std::to_string(cycles) + " cycles";
    b.load_descriptor(big);
    const LayerRun r = b.run(at);
    ASSERT_TRUE(r.finished) << what << ": abort did not end the layer\n" << replay();
    EXPECT_EQ(r.error_code, error("aborted")) << what << "\n" << replay();
    EXPECT_EQ(r.irq_status, 2u) << what << "\n" << replay();
    EXPECT_LE(r.cycles, cycles) << what << "\n" << replay();
    const LayerDescriptor small = random_layer(rng, b.memory());
    expect_matches_model(b, small, "the layer after " + what + ": " + describe(small));
    const Checked again = expect_matches_model(b, big, "the aborted layer again after " + what);
    EXPECT_TRUE(counters_match(again.run, layer_cycles(p, big, t.latency, t.bytes_per_cycle), "again", false))
        << "the aborted layer again after " << what << ": other counters than the model's\n"
        << replay();
    if (::testing::Test::HasFailure()) break;
  }
  counters_match(full.run, layer_cycles(p, big, t.latency, t.bytes_per_cycle), "the layer to abort", true);
  expect_clean(b);
}

// An error response on a read of each phase (an ifmap row, the weights, the bias, the scale
// table) ends the layer with axi_read, one on a write of the ofmap with axi_write, and
// writes nothing outside the ofmap; each time the same layer then runs correctly.
TEST(ShellRs, AxiErrorsEndTheLayer) {
  Bench b(deterministic(), base_seed());
  Rng rng(base_seed());
  LayerDescriptor big = big_layer(rng, b.memory());
  big.per_channel = true;
  struct Case {
    const char* what;
    uint64_t at;
    const char* error;
  };
  const uint64_t w_bytes = uint64_t{big.out_c} * big.in_c * big.r * big.s * kWBytes;
  const uint64_t out_end = big.out_addr + (uint64_t{big.out_c} * out_e(big) - 1) * out_pitch(big) +
                           out_f(big) * rs::out_bytes(big);
  const Case cases[] = {
      {"the first ifmap row", big.a_addr, "axi_read"},
      {"the last weights", big.b_addr + w_bytes - 1, "axi_read"},
      {"the bias", big.bias_addr + 4, "axi_read"},
      {"the scale table", big.quant_addr + 8 * (big.out_c - 1), "axi_read"},
      {"the ofmap's first row", big.out_addr + 1, "axi_write"},
      {"the ofmap's last byte", out_end - 1, "axi_write"},
  };
  for (const Case& c : cases) {
    b.axi().set_error_window(c.at, c.at + 1);
    const std::vector<uint8_t> before = b.memory();
    b.load_descriptor(big);
    const LayerRun r = b.run();
    const std::string what = std::string("an error response on ") + c.what;
    ASSERT_TRUE(r.finished) << what << " hung the layer\n" << replay();
    EXPECT_EQ(r.error_code, error(c.error)) << what << "\n" << replay();
    EXPECT_EQ(r.irq_status, 2u) << what << "\n" << replay();
    // The ofmap of an errored layer is undefined (rows computed before a late error may be
    // written); nothing else is.
    for (std::size_t i = 0; i < before.size(); ++i)
      if ((i < big.out_addr || i >= out_end) && b.memory()[i] != before[i]) {
        ADD_FAILURE() << what << ": byte " << i << " outside the ofmap was written\n" << replay();
        break;
      }
    b.axi().set_error_window(0, 0);
    expect_matches_model(b, big, "the layer after " + what);
    if (::testing::Test::HasFailure()) break;
  }
  expect_clean(b);
}

// START while a layer runs queues up to QueueDepth descriptors; one more is refused with
// queue_full. The queued layers follow back to back, each starting in the cycle after an
// idle one. Bytes equal the golden model's, the counters the last layer's.
TEST(ShellRs, QueuedLayersRunBackToBack) {
  if (TB_QueueDepth < 1) GTEST_SKIP() << "needs a queue";
  const ShellParams p = rs_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed());
  Rng rng(base_seed());
  std::vector<LayerDescriptor> layers = {big_layer(rng, b.memory())};
  for (unsigned i = 0; i < TB_QueueDepth; ++i) {
    LayerDescriptor d = random_layer(rng, b.memory());
    d.out_addr = 0xB0000 + 0x8000 * i;  // apart from the others' outputs
    layers.push_back(d);
  }
  std::vector<uint8_t> want = b.memory();
  std::vector<uint64_t> cycles;
  for (const LayerDescriptor& d : layers) {
    ASSERT_EQ(check_descriptor(p, d), 0u);
    cycles.push_back(layer_cycles(p, d, t.latency, t.bytes_per_cycle).cycles);
    run_layer(p, d, want);
  }
  std::vector<uint64_t> rises;
  bool irq_before = false;
  b.on_cycle([&] {
    if (b.top().irq_o && !irq_before) rises.push_back(b.cycle());
    irq_before = b.top().irq_o;
  });
  b.write(reg("IRQ_ENABLE"), 1);
  for (const LayerDescriptor& d : layers) {
    b.load_descriptor(d);
    b.write(reg("CTRL"), 1);
  }
  const uint32_t status = b.read(reg("STATUS"));
  EXPECT_EQ((status >> 8) & 0xF, layers.size() - 1) << "the layers wait behind the first";
  EXPECT_EQ((status >> 12) & 1, 1u) << "QUEUE_FULL";
  b.write(reg("CTRL"), 1);  // refused: the queue is full
  EXPECT_EQ(b.read(reg("ERROR_CODE")), error("queue_full"));
  for (uint64_t c = 0; rises.size() < layers.size() && c < 4'000'000; ++c) {
    if (b.top().irq_o)
      b.write(reg("IRQ_STATUS"), 1);
    else
      b.idle_cycle();
  }
  ASSERT_EQ(rises.size(), layers.size()) << "a done interrupt per layer";
  for (size_t i = 1; i < layers.size(); ++i)
    EXPECT_EQ(rises[i] - rises[i - 1], cycles[i] + 1)
        << "layer " << i << " follows its predecessor by its cycles + 1";
  EXPECT_TRUE(b.memory() == want) << differences(b.memory(), want, layers.back());
  EXPECT_EQ(b.read64("CYCLES_TOTAL"), cycles.back()) << "the counters describe the last layer";
  expect_clean(b);
}

// The identity registers describe the build: ENGINE kind row_stationary, ops {conv2d};
// ARRAY rows x cols; DATATYPE; the memory port; CONFIG_HASH the parameter.
TEST(ShellRs, IdentityRegistersDescribeTheBuild) {
  const ShellParams p = rs_tb_params();
  Bench b(deterministic(), base_seed());
  RegisterFile model(rs::shell_identity(p));
  for (const char* name :
       {"ID", "VERSION", "ENGINE", "CONFIG_HASH", "ARRAY", "DATATYPE", "MEMORY", "ADDR_BITS"})
    EXPECT_EQ(b.read(reg(name)), model.read(reg(name)).first) << name;
  EXPECT_EQ(b.read(reg("ENGINE")), 2u | (1u << 1) << 16);
  EXPECT_EQ(b.read(reg("ARRAY")), uint32_t{TB_NumRows} | uint32_t{TB_NumCols} << 16);
  EXPECT_EQ(b.read(reg("CONFIG_HASH")), uint32_t{TB_ConfigHash});
}

// ABORT in any cycle around one layer's end and the next one's start (its check included)
// stops both (shell_abort_sweep.hpp).
TEST(ShellRs, AbortAroundTheNextLayersStart) {
  if (TB_QueueDepth < 1) GTEST_SKIP() << "needs a queue";
  const ShellParams p = rs_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed() + 21);
  Rng rng(base_seed() + 21);
  LayerDescriptor layers[2] = {big_layer(rng, b.memory()), {}};
  layers[1] = layers[0];
  layers[1].out_addr = 0xB0000;
  expect_abort_stops_the_queue(
      b, [&](int i) { b.load_descriptor(layers[i]); },
      layer_cycles(p, layers[0], t.latency, t.bytes_per_cycle).cycles, replay);
  expect_matches_model(b, layers[0], "the layer after the aborts");
  expect_clean(b);
}

}  // namespace
}  // namespace dnngen::shell
