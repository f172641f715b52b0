// dnn_shell_systolic, the weight-stationary engine behind the shell, driven as software
// drives it: descriptor registers over AXI4-Lite (a protocol-checking master), START, the
// interrupt; its AXI4 master runs against the C++ AXI memory (axi_memory.hpp, which checks
// the master's protocol). Every layer's memory image afterwards must equal the golden
// model's (systolic::run_layer) byte for byte, and its cycle count (CYCLES_TOTAL) the cycle
// model's given a deterministic memory (systolic::layer_cycles); with a stalling memory the
// bytes still match and the cycles can only grow.
//
// Cases: random GEMM layers (sizes across the job limits, so K splits, N and M tiles and
// edge jobs; random strides, unaligned addresses, every output type, bias, per-channel
// scale, ReLU), two chained layers, every descriptor error, abort mid-layer, an AXI read
// error. DNNGEN_SEED overrides the base seed; failures print it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "Vdnn_shell_systolic.h"
#include "axi_lite_master.hpp"
#include "axi_memory.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "shell_abort_sweep.hpp"
#include "shell_systolic_bench.hpp"
#include "shell_tb.hpp"
#include "shell_tb_params.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {
namespace {

using systolic::a_pitch;
using systolic::b_pitch;
using systolic::check_descriptor;
using systolic::kSizeBits;
using systolic::layer_cycles;
using systolic::LayerTiming;
using systolic::out_bytes;
using systolic::out_pitch;
using systolic::run_layer;
using systolic::ShellParams;
using testbench::AxiLiteMaster;
using testbench::AxiMemory;
using testbench::AxiMemoryTiming;
using testbench::VerilatedDut;
using Top = Vdnn_shell_systolic;

constexpr std::size_t kMemoryBytes = 1 << 21;

uint32_t error(const char* name) { return register_map().enum_value("error", name); }

// The driver, with every register access checked: an error response fails the test.
class Bench : public ShellSystolicBench<Top, TB_DataBits> {
 public:
  Bench(const AxiMemoryTiming& t, uint64_t seed) : ShellSystolicBench(t, seed, kMemoryBytes) {}
};

AxiMemoryTiming deterministic(unsigned latency = 20, double bytes_per_cycle = TB_DataBits / 8) {
  AxiMemoryTiming t;
  t.latency = latency;
  t.bytes_per_cycle = bytes_per_cycle;
  t.max_burst = TB_MaxBurst;
  t.outstanding = TB_Outstanding;
  return t;
}

// Places the layer's tensors one after the other from a random start, with random gaps,
// each aligned to its element (not to the bus): A (`a_bytes`), B, bias, quant, OUT.
void place_tensors(std::mt19937_64& rng, const ShellParams& p, LayerDescriptor& d, uint64_t a_bytes) {
  auto pick = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
  const systolic::GemmView v = systolic::gemm_view(p, d);
  uint64_t at = pick(0, 4096);
  auto place = [&](uint64_t bytes, unsigned align) {
    at = (at + pick(0, 300) + align - 1) / align * align;
    const uint64_t base = at;
    at += bytes;
    return base;
  };
  d.a_addr = place(a_bytes, p.in_bits / 8);
  d.b_addr = place(v.k * v.b_pitch, p.w_bits / 8);
  d.bias_addr = place(v.n * 4, 4);
  d.quant_addr = place(v.n * 8, 4);
  d.out_addr = place(v.m * v.out_pitch, out_bytes(d));
}

// Bit-serial: the activations' precision, fixed (activations wider than it are cut to it)
// or detected; 0 stands for IN_BITS.
void random_precision(std::mt19937_64& rng, const ShellParams& p, LayerDescriptor& d) {
  if (!p.bitserial) return;
  auto pick = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
  d.auto_precision = pick(0, 3) == 0;
  d.precision = pick(0, p.in_bits);
}

// A random layer that fits the memory: sizes across the job limits, random pitches and
// element-aligned (not bus-aligned) addresses, tensors placed one after the other.
LayerDescriptor random_layer(std::mt19937_64& rng, const ShellParams& p, unsigned scale) {
  auto pick = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
  LayerDescriptor d;
  d.op = "gemm";
  // Sizes around the job limits (so splits and edge jobs come up), kept small enough for
  // the test memory on large configurations (the real-layer test covers those).
  const unsigned limit[3] = {std::min(p.max_m, 80u), std::min(p.max_n, 80u), std::min(p.max_k, 80u)};
  uint32_t* size[3] = {&d.m, &d.n, &d.k};
  for (int i = 0; i < 3; ++i) {
    switch (pick(0, 3)) {
      case 0:
        *size[i] = pick(1, 4);
        break;
      case 1:
        *size[i] = limit[i];
        break;
      default:
        *size[i] = pick(1, scale * limit[i] + 3);
        break;
    }
  }
  // Bit-serial with cascade: a third of the layers are fully connected ones of one row, whose
  // bricks spread over the windows.
  if (p.cascade && pick(0, 2) == 0) d.m = 1;
  const char* types[3] = {"int8", "int16", "int32"};
  d.out_type = types[pick(0, p.acc_bits > 32 ? 1 : 2)];
  if (d.out_type != "int32" && pick(0, 2) == 0) d.out_bits = pick(2, d.out_type == "int8" ? 8 : 16);
  d.bias = pick(0, 1) == 1;
  d.relu = pick(0, 1) == 1;
  d.per_channel = pick(0, 1) == 1;
  d.out_mult = static_cast<int32_t>(pick(0, 1) ? pick(1, 1u << 16) : rng());
  d.out_shift = pick(0, 40);
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8, o_b = out_bytes(d);
  d.a_stride = pick(0, 1) ? 0 : d.k * in_b + pick(0, 5) * in_b;
  d.b_stride = pick(0, 1) ? 0 : d.n * w_b + pick(0, 5) * w_b;
  d.out_stride = pick(0, 1) ? 0 : d.n * o_b + pick(0, 5) * o_b;
  random_precision(rng, p, d);
  place_tensors(rng, p, d, uint64_t{d.m} * a_pitch(p, d));
  return d;
}

// A random conv2d layer (implicit im2col): small images, filters up to 5x5, strides up to
// 3, padding up to the filter size, channel counts around the job limits, random pitches;
// now and then a 1x1 unpadded layer (a plain GEMM on the ifmap).
LayerDescriptor random_conv_layer(std::mt19937_64& rng, const ShellParams& p) {
  auto pick = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
  LayerDescriptor d;
  d.op = "conv2d";
  d.r = pick(1, 5), d.s = pick(1, 5);
  d.stride_y = pick(1, 3), d.stride_x = pick(1, 3);
  // Padding: mostly none or "same"-like, sometimes the whole filter.
  auto pad = [&](unsigned f) { return pick(0, 4) == 0 ? f : pick(0, 1) * (f / 2); };
  d.pad_y = pad(d.r), d.pad_x = pad(d.s);
  if (pick(0, 7) == 0) d.r = d.s = d.stride_y = d.stride_x = 1, d.pad_y = d.pad_x = 0;
  d.in_h = std::max(pick(1, 9), d.r > 2 * d.pad_y ? d.r - 2 * d.pad_y : 1u);
  d.in_w = std::max(pick(1, 9), d.s > 2 * d.pad_x ? d.s - 2 * d.pad_x : 1u);
  const unsigned c_limit = std::max(1u, std::min(p.max_k, 64u) / 2);
  d.in_c = pick(0, 2) == 0 ? pick(1, 3) : pick(1, c_limit);
  d.out_c = pick(0, 2) == 0 ? pick(1, 4) : pick(1, std::min(p.max_n, 40u) + 5);
  const char* types[3] = {"int8", "int16", "int32"};
  d.out_type = types[pick(0, p.acc_bits > 32 ? 1 : 2)];
  if (d.out_type != "int32" && pick(0, 2) == 0) d.out_bits = pick(2, d.out_type == "int8" ? 8 : 16);
  d.bias = pick(0, 1) == 1;
  d.relu = pick(0, 1) == 1;
  d.per_channel = pick(0, 1) == 1;
  d.out_mult = static_cast<int32_t>(pick(1, 1u << 16));
  d.out_shift = pick(0, 30);
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8, o_b = out_bytes(d);
  d.a_stride = pick(0, 2) ? 0 : (d.in_w * d.in_c + pick(0, 7)) * in_b;
  d.b_stride = pick(0, 1) ? 0 : (d.out_c + pick(0, 5)) * w_b;
  d.out_stride = pick(0, 1) ? 0 : (d.out_c + pick(0, 5)) * o_b;
  const uint64_t ifmap_pitch = d.a_stride != 0 ? d.a_stride : uint64_t{d.in_w} * d.in_c * in_b;
  random_precision(rng, p, d);
  place_tensors(rng, p, d, d.in_h * ifmap_pitch);
  return d;
}

// Per-channel shifts in a sensible range (the table is random memory otherwise).
void sensible_quant_table(std::vector<uint8_t>& mem, const LayerDescriptor& d, std::mt19937_64& rng) {
  const uint32_t channels = d.op == "conv2d" ? d.out_c : d.n;
  for (uint32_t n = 0; n < channels; ++n) {
    const uint32_t shift = static_cast<uint32_t>(rng() % 40);
    for (unsigned i = 0; i < 4; ++i)
      mem[d.quant_addr + n * 8 + 4 + i] = static_cast<uint8_t>(shift >> (8 * i));
  }
}

std::string describe(const LayerDescriptor& d) {
  const std::string bits = (d.out_bits != 0 ? " clamped to " + std::to_string(d.out_bits) + " bits" : "") +
                           (d.auto_precision   ? " precision auto"
                            : d.precision != 0 ? " precision " + std::to_string(d.precision)
                                               : "");
  if (d.op == "conv2d") {
    auto u = [](uint32_t x) { return std::to_string(x); };
    return "conv2d " + u(d.in_h) + "x" + u(d.in_w) + "x" + u(d.in_c) + " -> " + u(d.out_c) + " filters " +
           u(d.r) + "x" + u(d.s) + " stride " + u(d.stride_y) + "," + u(d.stride_x) + " pad " + u(d.pad_y) +
           "," + u(d.pad_x) + " out " + d.out_type + bits + (d.bias ? " bias" : "") +
           (d.per_channel ? " per-channel" : "") + (d.relu ? " relu" : "") + " strides " + u(d.a_stride) +
           "/" + u(d.b_stride) + "/" + u(d.out_stride) + " A@" + std::to_string(d.a_addr) + " B@" +
           std::to_string(d.b_addr) + " OUT@" + std::to_string(d.out_addr);
  }
  return "M " + std::to_string(d.m) + " N " + std::to_string(d.n) + " K " + std::to_string(d.k) + " out " +
         d.out_type + bits + (d.bias ? " bias" : "") + (d.per_channel ? " per-channel" : "") +
         (d.relu ? " relu" : "") + " strides " + std::to_string(d.a_stride) + "/" +
         std::to_string(d.b_stride) + "/" + std::to_string(d.out_stride) + " A@" + std::to_string(d.a_addr) +
         " B@" + std::to_string(d.b_addr) + " OUT@" + std::to_string(d.out_addr);
}

void expect_clean(Bench& b) {
  EXPECT_TRUE(b.axi().errors().empty()) << "AXI4: " << b.axi().errors().front();
  EXPECT_TRUE(b.lite().errors().empty()) << "AXI4-Lite: " << b.lite().errors().front();
}

// Where two memory images first differ, relative to the output tensor.
std::string first_difference(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                             const LayerDescriptor& d) {
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) continue;
    const int64_t rel = static_cast<int64_t>(i) - static_cast<int64_t>(d.out_addr);
    const uint64_t pitch = out_pitch(tb_params(), d);
    return "first at byte " + std::to_string(i) + " (OUT + " + std::to_string(rel) + ": row " +
           std::to_string(rel / static_cast<int64_t>(pitch)) + ", byte " +
           std::to_string(rel % static_cast<int64_t>(pitch)) + "): rtl " + std::to_string(got[i]) +
           ", model " + std::to_string(want[i]);
  }
  return "no difference";
}

// Runs `d` and checks the memory image afterwards against the golden model's.
LayerRun expect_matches_model(Bench& b, const LayerDescriptor& d, const std::string& what,
                              uint64_t watchdog = 4'000'000) {
  std::vector<uint8_t> want = b.memory();
  run_layer(tb_params(), d, want);
  b.load_descriptor(d);
  const LayerRun r = b.run(0, watchdog);
  EXPECT_TRUE(r.finished) << what << ": no interrupt";
  EXPECT_EQ(r.error_code, 0u) << what;
  EXPECT_EQ(r.irq_status, 1u) << what;
  EXPECT_TRUE(b.memory() == want) << what << ": the memory differs from the model, "
                                  << first_difference(b.memory(), want, d);
  return r;
}

// A random layer with int8 output that runs (int8 may not fit a random layer's strides or
// its configuration: then another).
LayerDescriptor random_int8_layer(std::mt19937_64& rng, const ShellParams& p) {
  for (;;) {
    LayerDescriptor d = random_layer(rng, p, 1);
    d.out_type = "int8";
    if (check_descriptor(p, d) == 0) return d;
  }
}

void run_random_layers(const AxiMemoryTiming& t, unsigned count, unsigned scale, bool exact_cycles,
                       bool conv = false) {
  const ShellParams p = tb_params();
  const uint64_t seed = base_seed() + t.latency * 7 + (t.stall > 0 ? 1 : 0) + (conv ? 2 : 0);
  Bench b(t, seed);
  std::mt19937_64 rng(seed);
  for (unsigned i = 0; i < count; ++i) {
    const LayerDescriptor d = conv ? random_conv_layer(rng, p) : random_layer(rng, p, scale);
    sensible_quant_table(b.memory(), d, rng);
    ASSERT_EQ(check_descriptor(p, d), 0u) << describe(d);
    const std::string what =
        "layer " + std::to_string(i) + ": " + describe(d) + " (seed " + std::to_string(seed) + ")";
    const std::vector<uint8_t> before = b.memory();
    const LayerRun r = expect_matches_model(b, d, what);
    if (exact_cycles) {
      // Every counter, not only the total: the model steps the same registers.
      const LayerTiming m = layer_cycles(p, d, before, t.latency, t.bytes_per_cycle);
      EXPECT_EQ(r.cycles, m.cycles) << what;
      EXPECT_EQ(r.compute, m.compute) << what;
      EXPECT_EQ(r.mem_wait, m.mem_wait) << what;
      EXPECT_EQ(r.bytes_read, m.bytes_read) << what;
      EXPECT_EQ(r.bytes_written, m.bytes_written) << what;
      if (std::getenv("TB_VERBOSE"))
        std::printf("%s: %llu cycles (model %llu), compute %llu, memory wait %llu\n", what.c_str(),
                    static_cast<unsigned long long>(r.cycles), static_cast<unsigned long long>(m.cycles),
                    static_cast<unsigned long long>(r.compute), static_cast<unsigned long long>(r.mem_wait));
    } else if (!t.early_w) {
      // A stalling memory can only slow the layer down (one that takes W ahead of AW can
      // finish a write sooner than the deterministic memory: the bytes alone are checked).
      EXPECT_GE(r.cycles, layer_cycles(p, d, before, t.latency, t.bytes_per_cycle).cycles) << what;
    }
    expect_clean(b);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(ShellSystolic, RandomLayersDeterministicMemory) { run_random_layers(deterministic(), 40, 2, true); }

// conv2d by implicit im2col: the loader gathers every A row from the ifmap, zeros for the
// padding, with no lowering on the host.
TEST(ShellSystolic, RandomConvLayersDeterministicMemory) {
  run_random_layers(deterministic(), 40, 1, true, true);
}

// A memory whose latency is short next to its rate: a burst's first beat waits for the read
// credit (bus bytes at bytes_per_cycle, grown while a read is in flight), not for the
// latency alone.
TEST(ShellSystolic, RandomLayersLowLatencyNarrowMemory) {
  for (const AxiMemoryTiming& t : {deterministic(3, 1.0), deterministic(5, 2.0)}) {
    run_random_layers(t, 6, 1, true);
    if (::testing::Test::HasFailure()) return;
    run_random_layers(t, 4, 1, true, true);
    if (::testing::Test::HasFailure()) return;
  }
}

// With a stalling memory: the bytes, and (the gemm layers, W not taken ahead of AW) cycles
// no fewer than the cycle model's; the conv layers with W taken ahead of its AW.
TEST(ShellSystolic, RandomConvLayersStallingMemory) {
  AxiMemoryTiming t = deterministic(37, 3);
  t.stall = 0.3;
  t.seed = base_seed();
  run_random_layers(t, 10, 1, false, true);
}

TEST(ShellSystolic, RandomLayersStallingMemory) {
  AxiMemoryTiming t = deterministic(37, 3);
  t.stall = 0.3;
  t.early_w = false;
  t.seed = base_seed();
  run_random_layers(t, 12, 1, false);
}

TEST(ShellSystolic, TwoChainedLayers) {
  // Layer 1 writes int8 rows that layer 2 reads as its A, with no host work between.
  if (TB_InBits != 8) GTEST_SKIP() << "chaining int8 outputs needs int8 inputs";
  const ShellParams p = tb_params();
  Bench b(deterministic(), base_seed());
  std::mt19937_64 rng(base_seed());
  LayerDescriptor l1 = random_int8_layer(rng, p);
  l1.per_channel = false;
  l1.out_shift = 12;
  l1.out_mult = 77;
  LayerDescriptor l2 = random_layer(rng, p, 1);
  l2.m = l1.m;
  l2.k = l1.n;
  l2.a_addr = l1.out_addr;
  l2.a_stride = static_cast<uint32_t>(out_pitch(p, l1));
  l2.b_addr = 200'000;
  l2.b_stride = 0;
  l2.out_addr = 400'000;
  l2.out_stride = 0;
  ASSERT_EQ(check_descriptor(p, l2), 0u);
  sensible_quant_table(b.memory(), l2, rng);
  std::vector<uint8_t> want = b.memory();
  run_layer(p, l1, want);
  run_layer(p, l2, want);
  b.load_descriptor(l1);
  EXPECT_TRUE(b.run().finished);
  b.load_descriptor(l2);
  EXPECT_TRUE(b.run().finished);
  EXPECT_TRUE(b.memory() == want) << "chained layers differ from the model";
  expect_clean(b);
}

TEST(ShellSystolic, BadDescriptorsEndWithTheirErrorCode) {
  const ShellParams p = tb_params();
  Bench b(deterministic(), base_seed());
  std::mt19937_64 rng(base_seed());
  LayerDescriptor good;
  good.out_type = "int8";
  good.m = 5, good.n = 6, good.k = 9;
  good.a_addr = 4096, good.b_addr = 100'000, good.bias_addr = 200'000, good.quant_addr = 210'000,
  good.out_addr = 300'000;
  auto conv = [](LayerDescriptor& d) {
    d.op = "conv2d";
    d.in_h = 5, d.in_w = 6, d.in_c = 3, d.out_c = 4, d.r = d.s = 3, d.pad_y = d.pad_x = 1;
  };
  struct Case {
    const char* error;
    std::function<void(LayerDescriptor&)> spoil;
  };
  std::vector<Case> cases = {
      {"bad_op", [](LayerDescriptor& d) { d.op = "spmv"; }},
      {"zero_size", [](LayerDescriptor& d) { d.m = 0; }},
      {"zero_size", [](LayerDescriptor& d) { d.k = 0; }},
      {"size_range", [](LayerDescriptor& d) { d.n = 1u << kSizeBits; }},
      {"bad_field", [](LayerDescriptor& d) { d.out_shift = 63; }},
      {"bad_field", [](LayerDescriptor& d) { d.a_stride = 1; }},
      {"bad_field", [](LayerDescriptor& d) { d.out_bits = 9; }},  // above int8's width
      {"bad_field", [](LayerDescriptor& d) { d.out_bits = 1; }},
      {"bad_field",
       [](LayerDescriptor& d) {
         d.out_type = "int32";
         d.out_bits = 8;
       }},
      {"addr_align",
       [&](LayerDescriptor& d) {
         d.out_type = "int16";
         d.out_addr |= 1;
       }},
      {"addr_align",
       [](LayerDescriptor& d) {
         d.bias = true;
         d.bias_addr |= 2;
       }},
      {"addr_range", [](LayerDescriptor& d) { d.out_addr = 0xFFFF'FFF0u; }},
      {"addr_range", [](LayerDescriptor& d) { d.b_addr = uint64_t{1} << 32; }},
      // conv2d (a good one: 5x6x3 -> 4 filters of 3x3, padding 1)
      {"zero_size", [&](LayerDescriptor& d) { conv(d), d.in_c = 0; }},
      {"zero_size", [&](LayerDescriptor& d) { conv(d), d.s = 0; }},
      {"bad_field", [&](LayerDescriptor& d) { conv(d), d.stride_x = 0; }},
      {"bad_field", [&](LayerDescriptor& d) { conv(d), d.pad_y = 4; }},
      {"bad_field", [&](LayerDescriptor& d) { conv(d), d.chw = true; }},  // the row-stationary layout
      {"bad_field", [&](LayerDescriptor& d) { conv(d), d.a_stride = 6 * 3 * (p.in_bits / 8) - 1; }},
      {"size_range", [&](LayerDescriptor& d) { conv(d), d.in_w = 1u << 16; }},
      {"size_range", [&](LayerDescriptor& d) { conv(d), d.in_h = 1, d.pad_y = 0; }},
      {"size_range", [&](LayerDescriptor& d) { conv(d), d.in_c = 1u << 21; }},
      {"addr_range", [&](LayerDescriptor& d) { conv(d), d.a_addr = 0xFFFF'FFC0u; }},
  };
  // A bit-serial engine takes precisions 1..IN_BITS (the systolic array ignores PRECISION).
  if (p.bitserial) cases.push_back({"bad_field", [&](LayerDescriptor& d) { d.precision = p.in_bits + 1; }});
  for (const Case& c : cases) {
    LayerDescriptor d = good;
    c.spoil(d);
    ASSERT_EQ(check_descriptor(p, d), error(c.error)) << c.error;
    const std::vector<uint8_t> before = b.memory();
    const uint64_t beats = b.axi().beats();
    b.load_descriptor(d);
    const LayerRun r = b.run(0, 100);
    EXPECT_TRUE(r.finished) << c.error << ": no interrupt";
    EXPECT_EQ(r.error_code, error(c.error)) << c.error;
    EXPECT_EQ(r.irq_status, 2u) << c.error;
    EXPECT_EQ(b.axi().beats(), beats) << c.error << ": the layer touched memory";
    EXPECT_TRUE(b.memory() == before) << c.error;
  }
  expect_matches_model(b, good, "a good layer after the bad ones");
  LayerDescriptor good_conv = good;
  conv(good_conv);
  ASSERT_EQ(check_descriptor(p, good_conv), 0u);
  expect_matches_model(b, good_conv, "a good conv2d layer after the bad ones");
  expect_clean(b);
}

// A layer long enough to abort: 3 x 2 x 2 core jobs' worth, no bias or scale table.
LayerDescriptor big_layer(std::mt19937_64& rng, const ShellParams& p) {
  LayerDescriptor big = random_layer(rng, p, 3);
  big.m = 3 * p.max_m;
  big.n = 2 * p.max_n;
  big.k = 2 * p.max_k;
  big.a_stride = big.b_stride = big.out_stride = 0;
  big.a_addr = 4096;
  big.b_addr = 200'000;
  big.out_addr = 500'000;
  big.bias = big.per_channel = false;
  return big;
}

TEST(ShellSystolic, AbortMidLayerThenRunAgain) {
  const ShellParams p = tb_params();
  Bench b(deterministic(), base_seed());
  std::mt19937_64 rng(base_seed());
  const LayerDescriptor big = big_layer(rng, p);
  ASSERT_EQ(check_descriptor(p, big), 0u);
  const uint64_t full = layer_cycles(p, big, b.memory(), 20, TB_DataBits / 8).cycles;
  b.load_descriptor(big);
  const LayerRun r = b.run(full / 3);
  ASSERT_TRUE(r.finished) << "abort did not end the layer";
  EXPECT_EQ(r.error_code, error("aborted"));
  EXPECT_EQ(r.irq_status, 2u);
  EXPECT_LT(r.cycles, full) << "the aborted layer ran to its end";
  // A layer after the abort runs from a clean state.
  LayerDescriptor small = random_layer(rng, p, 1);
  sensible_quant_table(b.memory(), small, rng);
  expect_matches_model(b, small, "the layer after an abort");
  expect_clean(b);
}

// An error response ends the layer with its code, wherever it comes: on B (the first
// reads), or on the last byte of OUT (the layer's last burst, whose response comes as
// everything else drains).
TEST(ShellSystolic, AxiErrorsEndTheLayer) {
  const ShellParams p = tb_params();
  Bench b(deterministic(), base_seed());
  std::mt19937_64 rng(base_seed());
  const LayerDescriptor d = random_int8_layer(rng, p);
  const uint64_t out_end = d.out_addr + (uint64_t{d.m} - 1) * out_pitch(p, d) + d.n;
  const struct {
    const char* what;
    uint64_t at;
    const char* error;
  } cases[] = {{"B", d.b_addr, "axi_read"}, {"OUT's last byte", out_end - 1, "axi_write"}};
  for (const auto& c : cases) {
    b.axi().set_error_window(c.at, c.at + 1);
    b.load_descriptor(d);
    const LayerRun r = b.run();
    ASSERT_TRUE(r.finished) << "an AXI error on " << c.what << " hung the layer";
    EXPECT_EQ(r.error_code, error(c.error)) << "an AXI error on " << c.what;
    EXPECT_EQ(r.irq_status, 2u) << "an AXI error on " << c.what;
    b.axi().set_error_window(0, 0);
    expect_matches_model(b, d, std::string("the layer after an AXI error on ") + c.what);
  }
  expect_clean(b);
}

// Runs a real layer (int8 outputs, bias, per-channel scales, ReLU; packed tensors one after
// the other, 4 KiB aligned, A of `a_bytes`) against a deterministic memory of 100 cycles
// latency: bytes equal to the golden model's, every counter to the cycle model's. Prints
// what `make demo` shows: cycles computing and waiting on memory, bytes moved, speed.
void run_real_layer(LayerDescriptor d, uint64_t a_bytes, const std::string& name) {
  const ShellParams p = tb_params();
  AxiMemoryTiming t = deterministic(100, TB_DataBits / 8);
  Bench b(t, base_seed());
  std::mt19937_64 rng(base_seed());
  d.out_type = "int8";
  d.bias = d.per_channel = d.relu = true;
  const systolic::GemmView v = systolic::gemm_view(p, d);
  uint64_t at = 0x1000;
  auto place = [&at](uint64_t bytes) {
    const uint64_t base = at;
    at = (at + bytes + 0xFFF) / 0x1000 * 0x1000;
    return base;
  };
  d.a_addr = place(a_bytes);
  d.b_addr = place(v.k * v.n * (p.w_bits / 8));
  d.bias_addr = place(v.n * 4);
  d.quant_addr = place(v.n * 8);
  d.out_addr = place(v.m * v.n);
  sensible_quant_table(b.memory(), d, rng);
  ASSERT_EQ(check_descriptor(p, d), 0u);
  const LayerTiming m = layer_cycles(p, d, b.memory(), t.latency, t.bytes_per_cycle);
  std::vector<uint8_t> want = b.memory();
  run_layer(p, d, want);
  b.load_descriptor(d);
  // Simulation speed: the layer's cycles over the wall time of running them (registers,
  // memory model and all).
  const auto t0 = std::chrono::steady_clock::now();
  const LayerRun r = b.run(0, 2 * m.cycles + 10'000);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_TRUE(b.memory() == want) << name << ": " << first_difference(b.memory(), want, d);
  EXPECT_EQ(r.cycles, m.cycles);
  EXPECT_EQ(r.compute, m.compute);
  EXPECT_EQ(r.mem_wait, m.mem_wait);
  EXPECT_EQ(r.bytes_read, m.bytes_read);
  EXPECT_EQ(r.bytes_written, m.bytes_written);
  expect_clean(b);
  std::printf(
      "%s (%s %llu x %llu x %llu, int8 out, bias, per-channel scale, ReLU) on a %ux%u array through "
      "AXI: %llu cycles (model %llu): core computing %llu, waiting on memory %llu; %llu bytes read, %llu "
      "written (%llu AXI4 bursts); utilisation %.1f %%; RTL simulation %.2f M cycles/s\n",
      name.c_str(), d.op == "conv2d" ? "conv2d by implicit im2col, GEMM" : "GEMM",
      static_cast<unsigned long long>(v.m), static_cast<unsigned long long>(v.n),
      static_cast<unsigned long long>(v.k), p.rows, p.cols, static_cast<unsigned long long>(r.cycles),
      static_cast<unsigned long long>(m.cycles), static_cast<unsigned long long>(r.compute),
      static_cast<unsigned long long>(r.mem_wait), static_cast<unsigned long long>(r.bytes_read),
      static_cast<unsigned long long>(r.bytes_written), static_cast<unsigned long long>(b.axi().bursts()),
      100.0 * static_cast<double>(m.macs) / (static_cast<double>(r.cycles) * p.rows * p.cols),
      static_cast<double>(r.cycles) / seconds / 1e6);
}

// The AXI ports through one small layer, a character a cycle, from the IRQ_STATUS clear
// and the START write to the interrupt (docs/shell.md, "AXI port timing", shows this
// output): '.' idle, '-' valid and waiting for ready, '#' a transfer, 'L' a transfer with
// LAST. It also checks what the picture shows: one R and one W LAST per burst, a B per AW,
// AR only after the START write's response, results and cycles as the models have them.
TEST(ShellSystolic, AxiPortTimingDiagram) {
  if (TB_Engine != 1 || TB_NumRows != 4 || TB_NumCols != 4 || TB_DataBits != 64 || TB_Dataflow != 0 ||
      TB_MaxK < 8)
    GTEST_SKIP() << "drawn on the default 4x4 weight-stationary shell";
  const ShellParams p = tb_params();
  const AxiMemoryTiming t = deterministic(6);
  Bench b(t, base_seed());
  std::mt19937_64 rng(base_seed());
  for (uint8_t& byte : b.memory()) byte = static_cast<uint8_t>(rng());
  LayerDescriptor d;
  d.op = "gemm";
  d.m = 4, d.n = 4, d.k = 8;
  d.out_type = "int32";
  d.a_addr = 0x1000, d.b_addr = 0x2000, d.out_addr = 0x3000;
  ASSERT_EQ(check_descriptor(p, d), 0u);
  std::vector<uint8_t> want = b.memory();
  run_layer(p, d, want);
  b.load_descriptor(d);

  struct Lane {
    const char* name;
    std::string wave;
  };
  std::vector<Lane> lanes = {{"s_axil AW", ""}, {"s_axil W", ""}, {"s_axil B", ""},
                             {"m_axi AR", ""},  {"m_axi R", ""},  {"m_axi AW", ""},
                             {"m_axi W", ""},   {"m_axi B", ""},  {"irq_o", ""}};
  b.on_cycle([&] {
    const Top& top = b.top();
    auto mark = [](bool valid, bool ready, bool last) {
      return !valid ? '.' : !ready ? '-' : last ? 'L' : '#';
    };
    lanes[0].wave += mark(top.s_axil_awvalid_i, top.s_axil_awready_o, false);
    lanes[1].wave += mark(top.s_axil_wvalid_i, top.s_axil_wready_o, false);
    lanes[2].wave += mark(top.s_axil_bvalid_o, top.s_axil_bready_i, false);
    lanes[3].wave += mark(top.m_axi_arvalid_o, top.m_axi_arready_i, false);
    lanes[4].wave += mark(top.m_axi_rvalid_i, top.m_axi_rready_o, top.m_axi_rlast_i);
    lanes[5].wave += mark(top.m_axi_awvalid_o, top.m_axi_awready_i, false);
    lanes[6].wave += mark(top.m_axi_wvalid_o, top.m_axi_wready_i, top.m_axi_wlast_o);
    lanes[7].wave += mark(top.m_axi_bvalid_i, top.m_axi_bready_o, false);
    lanes[8].wave += top.irq_o ? '1' : '0';
  });
  const LayerRun r = b.run();
  ASSERT_TRUE(r.finished);
  EXPECT_TRUE(b.memory() == want);
  EXPECT_EQ(r.cycles, layer_cycles(p, d, b.memory(), t.latency, t.bytes_per_cycle).cycles);

  auto count = [&](size_t lane, const char* chars) {
    return std::count_if(lanes[lane].wave.begin(), lanes[lane].wave.end(),
                         [&](char c) { return std::string(chars).find(c) != std::string::npos; });
  };
  EXPECT_EQ(count(4, "L"), count(3, "#")) << "one R LAST per read burst";
  EXPECT_EQ(count(6, "L"), count(5, "#")) << "one W LAST per write burst";
  EXPECT_EQ(count(7, "#"), count(5, "#")) << "one B per write burst";
  EXPECT_EQ(count(2, "#"), 2) << "IRQ_STATUS and CTRL: two register writes";
  EXPECT_GT(lanes[3].wave.find('#'), lanes[2].wave.rfind('#')) << "no read before START's response";

  // Up to two cycles after the interrupt (the register reads that follow are not drawn).
  const size_t width = lanes[8].wave.find('1') + 3;
  ASSERT_LE(width, lanes[8].wave.size());
  for (Lane& lane : lanes) lane.wave.resize(width);
  std::string ruler(width, ' ');
  for (size_t c = 0; c < ruler.size(); c += 10) ruler.replace(c, std::to_string(c).size(), std::to_string(c));
  std::printf("%-10s %s\n", "cycle", ruler.c_str());
  for (const Lane& lane : lanes) std::printf("%-10s %s\n", lane.name, lane.wave.c_str());
}

// The descriptor queue: three layers started back to back while the first runs (a fourth
// START finds the queue full: ERROR_CODE queue_full, nothing lost), each layer's results
// as the golden model's, and each queued layer's done interrupt exactly its cycle model's
// count plus the idle cycle after the layer before it.
TEST(ShellSystolic, QueuedLayersRunBackToBack) {
  if (TB_QueueDepth < 2) GTEST_SKIP() << "needs a queue of two";
  const ShellParams p = tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed());
  std::vector<LayerDescriptor> layers(3);
  const unsigned dims[3][3] = {{128, 96, 256}, {20, 24, 40}, {33, 17, 50}};
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerDescriptor& d = layers[i];
    d.op = "gemm";
    d.m = dims[i][0], d.n = dims[i][1], d.k = dims[i][2];
    d.out_type = "int16";
    d.out_shift = 10;
    const uint64_t base = 0x20000 + i * 0x80000;
    d.a_addr = base, d.b_addr = base + 0x20000, d.out_addr = base + 0x40000;
    ASSERT_EQ(check_descriptor(p, d), 0u) << "layer " << i;
  }
  std::vector<uint8_t> want = b.memory();
  std::vector<uint64_t> cycles;
  for (const LayerDescriptor& d : layers) {
    cycles.push_back(layer_cycles(p, d, want, t.latency, t.bytes_per_cycle).cycles);
    run_layer(p, d, want);
  }
  std::vector<uint64_t> rises;  // cycles where irq_o rises (done interrupts only)
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
  EXPECT_EQ((status >> 8) & 0xF, 2u) << "two layers wait behind the first";
  EXPECT_EQ((status >> 12) & 1, 1u) << "QUEUE_FULL";
  b.write(reg("CTRL"), 1);  // refused: the queue is full
  EXPECT_EQ(b.read(reg("ERROR_CODE")), error("queue_full"));
  for (uint64_t c = 0; rises.size() < 3 && c < 4'000'000; ++c) {
    if (b.top().irq_o)
      b.write(reg("IRQ_STATUS"), 1);
    else
      b.idle_cycle();
  }
  ASSERT_EQ(rises.size(), 3u) << "three done interrupts";
  EXPECT_EQ(rises[1] - rises[0], cycles[1] + 1) << "layer 2 follows layer 1's end by its cycles + 1";
  EXPECT_EQ(rises[2] - rises[1], cycles[2] + 1) << "layer 3 follows layer 2's end by its cycles + 1";
  EXPECT_TRUE(b.memory() == want);
  EXPECT_EQ(b.read(reg("LAYERS_DONE")), 3u);
  EXPECT_EQ(b.read64("CYCLES_TOTAL"), cycles[2]) << "the counters describe the last layer";
  EXPECT_EQ(b.read(reg("STATUS")) & 0x1F01, 0u) << "not busy, nothing queued";
}

// The configuration read-back registers describe the parameters the shell was built with,
// as the register file model of the same parameters answers them; CONFIG_HASH is the
// ConfigHash parameter (ctest shell_systolic_ws_3x5_int16_sat sets one, `make demo` the
// preset's config::shell_config_hash).
TEST(ShellSystolic, IdentityRegistersDescribeTheBuild) {
  Bench b(deterministic(), base_seed());
  RegisterFile model(systolic::shell_identity(tb_params()));
  for (const char* name :
       {"ID", "VERSION", "ENGINE", "CONFIG_HASH", "ARRAY", "DATATYPE", "MEMORY", "ADDR_BITS"})
    EXPECT_EQ(b.read(reg(name)), model.read(reg(name)).first) << name;
  EXPECT_EQ(b.read(reg("CONFIG_HASH")), uint32_t{TB_ConfigHash});
}

// ResNet-50 res4a_branch2a: a 1x1 convolution as its GEMM 196 x 256 x 512 (two K jobs, all
// 196 rows in one M job on the large geometry).
TEST(ShellSystolic, RealResNet50Layer) {
  LayerDescriptor d;
  d.op = "gemm";
  d.m = 196, d.n = 256, d.k = 512;
  run_real_layer(d, uint64_t{d.m} * d.k * (TB_InBits / 8), "res4a_branch2a");
}

// ResNet-50 res2a_branch2b: a 3x3 convolution, 56x56x64 -> 64, padding 1, as one conv2d
// descriptor (the shell gathers the 3x3x64 windows itself). 115 M MACs: run on the 16x16
// geometry only (about 0.5 M cycles there, 16 times more on a 4x4 array).
TEST(ShellSystolic, RealResNet50ConvLayer) {
  if (TB_NumRows * TB_NumCols < 256) GTEST_SKIP() << "115 M MACs: run on the 16x16 geometry only";
  LayerDescriptor d;
  d.op = "conv2d";
  d.in_h = d.in_w = 56, d.in_c = 64, d.out_c = 64;
  d.r = d.s = 3, d.pad_y = d.pad_x = 1;
  run_real_layer(d, uint64_t{56} * 56 * 64 * (TB_InBits / 8), "res2a_branch2b");
}

// ABORT in any cycle around one layer's end and the next one's start (its check included)
// stops both (shell_abort_sweep.hpp).
TEST(ShellSystolic, AbortAroundTheNextLayersStart) {
  if (TB_QueueDepth < 1) GTEST_SKIP() << "needs a queue";
  const ShellParams p = tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed() + 21);
  std::mt19937_64 rng(base_seed() + 21);
  LayerDescriptor layers[2] = {big_layer(rng, p), {}};
  layers[1] = layers[0];
  layers[1].out_addr = 900'000;
  ASSERT_EQ(check_descriptor(p, layers[1]), 0u);
  const uint64_t cycles = layer_cycles(p, layers[0], b.memory(), t.latency, t.bytes_per_cycle).cycles;
  expect_abort_stops_the_queue(
      b, [&](int i) { b.load_descriptor(layers[i]); }, cycles,
      [] { return fmt::format("(DNNGEN_SEED={} reruns it)", base_seed()); });
  LayerDescriptor small = random_layer(rng, p, 1);
  sensible_quant_table(b.memory(), small, rng);
  expect_matches_model(b, small, "the layer after the aborts");
  expect_clean(b);
}

}  // namespace
}  // namespace dnngen::shell
