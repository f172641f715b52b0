// dnn_shell_eie, the EIE sparse engine behind the shell, driven as software drives it:
// descriptor registers over AXI4-Lite (a protocol-checking master), START, the interrupt;
// its AXI4 master runs against the C++ AXI memory (axi_memory.hpp, which checks the
// master's protocol). Every spmv layer's memory image afterwards must equal the golden
// model's (eie::run_layer on the image taken before START) byte for byte, and with a
// deterministic memory every counter the cycle model's (eie::layer_cycles); with a
// stalling memory the bytes still match and the cycles can only grow.
//
// Cases: random layers (M, K and the batch N from 1 to the limits; random density with
// empty columns and long zero runs, so padding entries where a PE has more than 16 rows;
// images with legal oddities: split zero runs, padding after a column's last weight, unused
// entries between the PEs' ranges; a codebook whose index 0 holds garbage; activations with
// many zeros; both output types, OUTPUT.BITS, bias, ReLU; random strides and element- but
// not bus-aligned addresses) at four memory timings and with a stalling memory; two chained
// layers; every descriptor and image error of eie::check_layer (and the limits that are
// not errors), each followed by a good layer; weights kept on chip (OP.KEEP_WEIGHTS);
// ABORT at several points; START while busy; the identity registers. DNNGEN_SEED overrides the base seed;
// failures print the command that replays them.
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

#include "Vdnn_shell_eie.h"
#include "axi_lite_master.hpp"
#include "axi_memory.hpp"
#include "dnngen/eie/encode.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/register_file.hpp"
#include "shell_abort_sweep.hpp"
#include "shell_eie_tb_params.hpp"
#include "shell_systolic_bench.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {
namespace {

using eie::check_layer;
using eie::entry_bytes;
using eie::entry_offset;
using eie::layer_cycles;
using eie::run_layer;
using eie::ShellParams;
using eie::ShellTiming;
using testbench::AxiMemoryTiming;
using Top = Vdnn_shell_eie;

constexpr std::size_t kMemoryBytes = 1 << 20;

uint32_t error(const char* name) { return register_map().enum_value("error", name); }

// The X and Y element: int8 containers up to 8 activation bits, int16 above.
constexpr unsigned kActBytes = TB_ActBits <= 8 ? 1 : 2;
const char* act_type() { return kActBytes == 1 ? "int8" : "int16"; }
unsigned out_bytes(const LayerDescriptor& d) { return d.out_type == "int32" ? 4 : kActBytes; }
uint64_t a_pitch(const LayerDescriptor& d) {
  return d.a_stride != 0 ? d.a_stride : uint64_t{d.k} * kActBytes;
}
uint64_t out_pitch(const LayerDescriptor& d) {
  return d.out_stride != 0 ? d.out_stride : uint64_t{d.m} * out_bytes(d);
}

// The command that replays the running test (DNNGEN_SEED is the base seed).
std::string replay() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::error_code ec;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  return "replay: DNNGEN_SEED=" + std::to_string(base_seed()) + " " + exe +
         " --gtest_filter=" + info->test_suite_name() + "." + info->name();
}

// The driver, with every register access checked: an error response fails the test. An
// FST trace goes to $DNNGEN_FST when the testbench is verilated with --trace-fst.
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
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  uint64_t raw() { return rng_(); }

 private:
  std::mt19937_64 rng_;
};

// A pruned index matrix W[m][k] of about `density` non-zero indices, with empty columns,
// columns whose only weight is in the last rows and a band of zero rows (long zero runs:
// padding entries where a PE has more than 16 rows).
Tensor random_weights(Rng& rng, uint32_t m, uint32_t k, double density) {
  const ShellParams p = eie_tb_params();
  Tensor w({m, k});
  const int64_t index_max = (int64_t{1} << p.eie.index_bits) - 1;
  uint32_t band_lo = 0, band_hi = 0;  // zero rows [band_lo, band_hi)
  if (rng.chance(0.3)) {
    band_lo = rng.pick(0, m - 1);
    band_hi = rng.pick(band_lo, m);
  }
  for (uint32_t j = 0; j < k; ++j) {
    const unsigned mode = rng.pick(0, 9);
    for (uint32_t i = 0; i < m; ++i) {
      bool keep = rng.chance(density) && !(i >= band_lo && i < band_hi);
      if (mode == 0) keep = false;                                  // an empty column
      if (mode == 1) keep = i + p.eie.pes >= m && rng.chance(0.7);  // only in the last rows
      if (keep) w.at(i, j) = rng.value(1, index_max);
    }
  }
  return w;
}

std::vector<uint64_t> entries_per_pe(const Tensor& w) {
  std::vector<uint64_t> n;
  for (const eie::PeImage& pe : eie::encode_layer(w, TB_NumPes)) n.push_back(pe.entries.size());
  return n;
}

// The weight image of `w` with the oddities the format allows and eie::weight_image never
// writes: zero runs split into several entries (padding entries with z below 15), padding
// entries after a column's last weight (past the PE's rows, which adds nothing), and unused
// entries before PE 0's and between the PEs' ranges (pointers need not start at 0; now and
// then above 2^16). Empty
// when a PE would exceed max_entries.
std::vector<uint8_t> odd_image(Rng& rng, const Tensor& w, std::string& note) {
  const ShellParams p = eie_tb_params();
  const unsigned pes = p.eie.pes, eb = entry_bytes(p.eie);
  const auto m = static_cast<uint32_t>(w.shape[0]), k = static_cast<uint32_t>(w.shape[1]);
  std::vector<uint32_t> ptr(uint64_t{pes} * (k + 1));
  std::vector<uint32_t> raw;  // every entry slot, as stored
  auto put = [&](uint32_t v, uint32_t z) { raw.push_back(v | z << (8 * eb - eie::kZBits)); };
  auto garbage = [&](unsigned count) {
    for (unsigned i = 0; i < count; ++i)
      raw.push_back(static_cast<uint32_t>(rng.raw()) & ((1u << (8 * eb)) - 1));
  };
  // At most one PE's range starts more than 2^16 entries after the one before (the paper's
  // pointers are 16-bit; these are 32-bit).
  const unsigned far = rng.chance(0.15) ? rng.pick(0, pes - 1) : pes;
  note = far < pes ? "odd image, PE " + std::to_string(far) + "'s pointers from 2^16" : "odd image";
  for (unsigned pe = 0; pe < pes; ++pe) {
    garbage(pe == far ? (1u << 16) + rng.pick(0, 5000) : rng.pick(0, 3));
    const auto start = static_cast<uint32_t>(raw.size());
    for (uint32_t j = 0; j < k; ++j) {
      ptr[pe * (k + 1) + j] = static_cast<uint32_t>(raw.size());
      uint32_t z = 0;  // zero rows since the last entry
      for (uint32_t r = 0; r * pes + pe < m; ++r) {
        const auto v = static_cast<uint32_t>(w.at(r * pes + pe, j));
        if (v == 0) {
          ++z;
          continue;
        }
        while (z > 15 || (z > 0 && rng.chance(0.25))) {
          const uint32_t s = rng.pick(0, std::min(15u, z - 1));  // advances s + 1 rows
          put(0, s);
          z -= s + 1;
        }
        put(v, z);
        z = 0;
      }
      if (rng.chance(0.25)) put(0, rng.pick(0, 15));
    }
    ptr[pe * (k + 1) + k] = static_cast<uint32_t>(raw.size());
    if (raw.size() - start > p.eie.max_entries) return {};
  }
  std::vector<uint8_t> image(entry_offset(pes, k) + raw.size() * eb);
  for (size_t i = 0; i < ptr.size(); ++i) store(image, 4 * i, 4, ptr[i]);
  for (size_t e = 0; e < raw.size(); ++e) store(image, entry_offset(pes, k) + e * eb, eb, raw[e]);
  return image;
}

// An image of a random W (m x k, density) that fits max_entries; `note` says what it holds.
std::vector<uint8_t> random_image(Rng& rng, uint32_t m, uint32_t k, double density, bool odd,
                                  std::string& note) {
  const ShellParams p = eie_tb_params();
  for (;; density *= 0.7) {
    const Tensor w = random_weights(rng, m, k, density);
    const std::vector<uint64_t> counts = entries_per_pe(w);
    if (*std::max_element(counts.begin(), counts.end()) > p.eie.max_entries) continue;
    uint64_t nz = 0;
    for (int64_t v : w.data) nz += v != 0;
    note = "density " + std::to_string(static_cast<double>(nz) / (double{1} * m * k)).substr(0, 5);
    if (odd) {
      std::string odd_note;
      std::vector<uint8_t> image = odd_image(rng, w, odd_note);
      if (!image.empty()) {
        note += ", " + odd_note;
        return image;
      }
    }
    return eie::weight_image(p.eie, w);
  }
}

// The codebook (index 0 nonzero garbage: it must weigh 0), X, bias at d's addresses.
void write_operands(Rng& rng, const LayerDescriptor& d, std::vector<uint8_t>& mem) {
  const ShellParams p = eie_tb_params();
  const bool wide_codebook = rng.chance(0.3);
  for (uint32_t i = 0; i < (1u << p.eie.index_bits); ++i) {
    int64_t v = wide_codebook ? rng.value(-32768, 32767) : rng.value(-300, 300);
    if (i == 0)
      v = rng.value(1, 32767) * (rng.chance(0.5) ? 1 : -1);
    else if (rng.chance(0.05))
      v = 0;
    store(mem, d.aux_addr + 2 * i, 2, v);
  }
  const int64_t act_max = (int64_t{1} << (TB_ActBits - 1)) - 1;
  const double zeros = rng.pick(0, 4) == 0 ? 1.0 : rng.real(0.0, 0.8);
  const bool wide_act = rng.chance(0.3);
  for (uint32_t n = 0; n < d.n; ++n)
    for (uint32_t j = 0; j < d.k; ++j) {
      int64_t x = 0;
      if (!rng.chance(zeros))
        x = wide_act ? rng.value(-act_max - 1, act_max) : rng.value(-(act_max >> 4) - 1, act_max >> 4);
      store(mem, d.a_addr + n * a_pitch(d) + j * kActBytes, kActBytes, x);
    }
  const bool wide_bias = rng.chance(0.3);
  for (uint32_t i = 0; i < d.m; ++i)
    store(mem, d.bias_addr + 4 * i, 4,
          wide_bias ? static_cast<int32_t>(rng.raw()) : rng.value(-100, 100) << TB_FracBits);
}

// A size from 1 to `limit`, favouring 1, the limit and multiples of the PEs and one off.
uint32_t random_size(Rng& rng, uint32_t limit) {
  switch (rng.pick(0, 5)) {
    case 0:
      return 1;
    case 1:
      return limit;
    case 2:
      return rng.pick(1, std::min(4u, limit));
    case 3:
      return std::clamp<uint32_t>(TB_NumPes * rng.pick(1, limit / TB_NumPes + 1) + rng.pick(0, 2) - 1, 1,
                                  limit);
    default:
      return rng.pick(1, limit);
  }
}

std::string describe(const LayerDescriptor& d, const std::string& note = "") {
  auto u = [](uint64_t x) { return std::to_string(x); };
  return "spmv M " + u(d.m) + " K " + u(d.k) + " N " + u(d.n) + " out " + d.out_type +
         (d.out_bits != 0 ? " clamped to " + u(d.out_bits) + " bits" : "") + (d.bias ? " bias" : "") +
         (d.relu ? " relu" : "") + " strides " + u(d.a_stride) + "/" + u(d.out_stride) + " X@" + u(d.a_addr) +
         " W@" + u(d.b_addr) + " codebook@" + u(d.aux_addr) + " bias@" + u(d.bias_addr) + " Y@" +
         u(d.out_addr) + (note.empty() ? "" : " (" + note + ")");
}

// A random layer written into `mem`: the image, codebook, X and bias placed one after the
// other from a random start with random gaps, each aligned to its element, not to the bus.
LayerDescriptor random_layer(Rng& rng, std::vector<uint8_t>& mem, std::string& note) {
  const ShellParams p = eie_tb_params();
  LayerDescriptor d;
  d.op = "spmv";
  d.m = random_size(rng, p.eie.max_rows);
  d.k = random_size(rng, p.eie.max_cols);
  d.n = rng.pick(0, 5) == 0 ? rng.pick(5, 12) : rng.pick(1, 4);
  const unsigned dens = rng.pick(0, 6);
  const double density = dens == 0 ? 0.0 : dens == 1 ? 0.6 : rng.real(0.0, 0.6);
  const std::vector<uint8_t> image = random_image(rng, d.m, d.k, density, rng.chance(0.3), note);
  d.out_type = p.eie.acc_bits <= 32 && rng.pick(0, 3) == 0 ? "int32" : act_type();
  if (d.out_type != "int32" && rng.pick(0, 2) == 0) d.out_bits = rng.pick(2, TB_ActBits);
  d.bias = rng.chance(0.5);
  d.relu = rng.chance(0.5);
  const unsigned ob = out_bytes(d);
  d.a_stride = rng.chance(0.5) ? 0 : (d.k + rng.pick(0, 5)) * kActBytes;
  d.out_stride = rng.chance(0.5) ? 0 : (d.m + rng.pick(0, 5)) * ob;
  uint64_t at = rng.pick(0, 1 << 16);
  auto place = [&](uint64_t bytes, unsigned align) {
    at = (at + rng.pick(0, 300) + align - 1) / align * align;
    const uint64_t base = at;
    at += bytes;
    return base;
  };
  d.b_addr = place(image.size(), 8);
  d.aux_addr = place(2u << p.eie.index_bits, 2);
  d.a_addr = place((d.n - 1) * a_pitch(d) + d.k * kActBytes, kActBytes);
  d.bias_addr = place(4 * d.m, 4);
  d.out_addr = place((d.n - 1) * out_pitch(d) + d.m * ob, ob);
  std::copy(image.begin(), image.end(), mem.begin() + static_cast<std::ptrdiff_t>(d.b_addr));
  write_operands(rng, d, mem);
  return d;
}

void expect_clean(Bench& b) {
  EXPECT_TRUE(b.axi().errors().empty()) << "AXI4: " << b.axi().errors().front();
  EXPECT_TRUE(b.lite().errors().empty()) << "AXI4-Lite: " << b.lite().errors().front();
}

// Where two memory images first differ, relative to Y, and how many bytes differ.
std::string differences(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                        const LayerDescriptor& d) {
  std::string first;
  uint64_t count = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) continue;
    if (count++ != 0) continue;
    const int64_t rel = static_cast<int64_t>(i) - static_cast<int64_t>(d.out_addr);
    const auto pitch = static_cast<int64_t>(out_pitch(d));
    first = "first at byte " + std::to_string(i) + " (Y + " + std::to_string(rel) + ": vector " +
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
                             uint64_t watchdog = 2'000'000) {
  const ShellParams p = eie_tb_params();
  Checked c;
  c.before = b.memory();
  EXPECT_EQ(check_layer(p, d, c.before), 0u) << what;
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

// The counters against the cycle model: every one, as the model steps the same registers.
// Returns whether all agree; `report` prints the mismatch as a test failure.
bool counters_match(const LayerRun& r, const ShellTiming& m, const std::string& what, bool report) {
  const bool ok = r.cycles == m.cycles && r.compute == m.compute && r.mem_wait == m.mem_wait &&
                  r.bytes_read == m.bytes_read && r.bytes_written == m.bytes_written;
  if (!ok && report) {
    auto pair = [](const char* name, uint64_t rtl, uint64_t model) {
      return std::string(name) + " " + std::to_string(rtl) +
             (rtl == model ? "" : " (model " + std::to_string(model) + ")");
    };
    ADD_FAILURE() << what
                  << ": counters differ from eie::layer_cycles: " << pair("cycles", r.cycles, m.cycles)
                  << ", " << pair("compute", r.compute, m.compute) << ", "
                  << pair("mem_wait", r.mem_wait, m.mem_wait) << ", "
                  << pair("bytes_read", r.bytes_read, m.bytes_read) << ", "
                  << pair("bytes_written", r.bytes_written, m.bytes_written) << "\n"
                  << replay();
  }
  return ok;
}

// `count` random layers on one bench. With a deterministic memory every counter must be the
// cycle model's (the first mismatch is printed in full, the rest counted, and the layers go
// on: the bytes are checked on every one); with a stalling one the cycles can only grow.
void run_random_layers(const AxiMemoryTiming& t, unsigned count) {
  const ShellParams p = eie_tb_params();
  const uint64_t seed = base_seed() + t.latency * 7 + static_cast<uint64_t>(t.bytes_per_cycle * 10) +
                        (t.stall > 0 ? 1 : 0) + (t.early_w ? 0 : 2);
  Bench b(t, seed);
  Rng rng(seed);
  unsigned mismatched = 0;
  for (unsigned i = 0; i < count; ++i) {
    std::string note;
    const LayerDescriptor d = random_layer(rng, b.memory(), note);
    const std::string what = "layer " + std::to_string(i) + ": " + describe(d, note) + " (seed " +
                             std::to_string(seed) + ", memory latency " + std::to_string(t.latency) + ", " +
                             std::to_string(t.bytes_per_cycle) + " bytes/cycle" +
                             (t.stall > 0 ? ", stalling" : "") + ")";
    ASSERT_EQ(check_layer(p, d, b.memory()), 0u) << what;
    const Checked c = expect_matches_model(b, d, what);
    const ShellTiming m = layer_cycles(p, d, c.before, t.latency, t.bytes_per_cycle);
    if (t.stall == 0) {
      if (!counters_match(c.run, m, what, mismatched == 0)) ++mismatched;
    } else if ((!t.early_w && c.run.cycles < m.cycles) || c.run.bytes_written != m.bytes_written) {
      // A stalling memory can only slow the layer down (one that takes W ahead of AW can
      // finish a write sooner: then the bytes alone count); it writes the same bytes.
      if (mismatched++ == 0)
        ADD_FAILURE() << what << ": " << c.run.cycles << " cycles (the deterministic model's " << m.cycles
                      << "), " << c.run.bytes_written << " bytes written (model " << m.bytes_written << ")\n"
                      << replay();
    }
    if (std::getenv("TB_VERBOSE"))
      std::printf("%s: %llu cycles (model %llu), compute %llu, memory wait %llu\n", what.c_str(),
                  static_cast<unsigned long long>(c.run.cycles), static_cast<unsigned long long>(m.cycles),
                  static_cast<unsigned long long>(c.run.compute),
                  static_cast<unsigned long long>(c.run.mem_wait));
    expect_clean(b);
    if (!c.bytes_ok || !c.run.finished || c.run.error_code != 0 || !b.axi().errors().empty() ||
        !b.lite().errors().empty())
      return;
  }
  EXPECT_EQ(mismatched, 0u) << "of " << count << " layers (seed " << seed << "), the counters of "
                            << mismatched << " disagree with the cycle model's";
}

TEST(ShellEie, RandomLayersMatchGoldenAndCycleModel) {
  const double bus = TB_DataBits / 8;
  for (const AxiMemoryTiming& t :
       {deterministic(1, bus), deterministic(20, bus), deterministic(60, bus), deterministic(20, 3.0)}) {
    run_random_layers(t, 12);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// A memory whose latency is short next to its rate: a burst's first beat waits for the read
// credit (bus bytes at bytes_per_cycle, grown while a read is in flight), not for the
// latency alone.
TEST(ShellEie, RandomLayersLowLatencyNarrowMemory) {
  for (const AxiMemoryTiming& t : {deterministic(3, 1.0), deterministic(5, 2.0)}) {
    run_random_layers(t, 6);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(ShellEie, StallingMemoryStillMatchesBytes) {
  AxiMemoryTiming t = deterministic(37, 3);
  t.stall = 0.3;
  t.seed = base_seed();
  t.early_w = false;  // cycles no fewer than the cycle model's
  run_random_layers(t, 10);
  t.early_w = true;  // W taken ahead of its AW: the bytes
  run_random_layers(t, 5);
}

// Layer 1 writes Y in the activations' type; layer 2 reads it as its X (its K layer 1's M),
// with no host work and no reset between.
TEST(ShellEie, ChainedLayers) {
  const ShellParams p = eie_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed());
  Rng rng(base_seed());
  std::string note1, note2;
  LayerDescriptor l1;
  for (;;) {
    l1 = random_layer(rng, b.memory(), note1);
    if (l1.m <= p.eie.max_cols && l1.n > 1) break;
  }
  l1.out_type = act_type();
  l1.out_bits = 0;
  l1.relu = true;  // many zero activations for layer 2
  l1.out_addr = 0x40000 + kActBytes;
  ASSERT_EQ(check_layer(p, l1, b.memory()), 0u) << describe(l1, note1);
  LayerDescriptor l2;
  l2.op = "spmv";
  l2.m = random_size(rng, p.eie.max_rows);
  l2.k = l1.m;
  l2.n = l1.n;
  l2.out_type = act_type();
  l2.bias = true;
  l2.a_addr = l1.out_addr;
  l2.a_stride = l1.out_stride;
  l2.b_addr = 0x50000, l2.aux_addr = 0x58002, l2.bias_addr = 0x59004, l2.out_addr = 0x60000;
  const std::vector<uint8_t> image = random_image(rng, l2.m, l2.k, 0.4, true, note2);
  std::copy(image.begin(), image.end(), b.memory().begin() + static_cast<std::ptrdiff_t>(l2.b_addr));
  {
    // The codebook and bias (write_operands writes X too: give it a scratch place).
    LayerDescriptor scratch = l2;
    scratch.a_addr = 0x70000;
    write_operands(rng, scratch, b.memory());
  }
  const std::string what = "layer 1: " + describe(l1, note1) + "; layer 2: " + describe(l2, note2);
  std::vector<uint8_t> want = b.memory();
  run_layer(p, l1, want);
  const std::vector<uint8_t> between = want;
  ASSERT_EQ(check_layer(p, l2, between), 0u) << what;
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
  counters_match(r2, layer_cycles(p, l2, between, t.latency, t.bytes_per_cycle), "layer 2 of " + what, true);
  expect_clean(b);
}

// A good layer (M 23, K 20, N 2: no multiple of the PEs) at fixed addresses, none aligned
// to the bus. PE 0's first entry is its only one in column 0, on its last row; the last
// PE's last entry its only one in column K - 1, on its last row (one more zero row before
// either puts a weight just past the PE's rows).
LayerDescriptor good_layer(Rng& rng, std::vector<uint8_t>& mem) {
  const unsigned pes = TB_NumPes;
  LayerDescriptor d;
  d.op = "spmv";
  d.out_type = act_type();
  d.m = 23, d.k = 20, d.n = 2;
  d.bias = true;
  d.b_addr = 0x1008, d.aux_addr = 0x3002, d.a_addr = 0x4000 + kActBytes, d.bias_addr = 0x6004,
  d.out_addr = 0x8000 + 3 * kActBytes;
  Tensor w = random_weights(rng, d.m, d.k, 0.4);
  const int64_t last = d.k - 1;
  for (uint32_t i = 0; i < d.m; ++i) {
    if (i % pes == 0) w.at(i, 0) = 0;
    if (i % pes == pes - 1) w.at(i, last) = 0;
  }
  w.at((eie::local_rows(d.m, pes, 0) - 1) * pes, 0) = 1;
  w.at((eie::local_rows(d.m, pes, pes - 1) - 1) * pes + pes - 1, last) = 2;
  const std::vector<uint8_t> image = eie::weight_image(eie_tb_params().eie, w);
  std::copy(image.begin(), image.end(), mem.begin() + static_cast<std::ptrdiff_t>(d.b_addr));
  write_operands(rng, d, mem);
  return d;
}

// Every error of eie::check_layer, each followed by the good layer (the state is clean):
// the descriptor's (no AXI transfer at all), then the image's, found while it streams (no
// byte written). And the limits that are not errors: a PE of exactly max_entries entries,
// pointers up to the top of the address space for an empty PE, a bias that is not read.
TEST(ShellEie, BadDescriptorsEndWithTheirErrorCode) {
  const ShellParams p = eie_tb_params();
  const unsigned pes = p.eie.pes, eb = entry_bytes(p.eie);
  Bench b(deterministic(), base_seed());
  Rng rng(base_seed());
  const LayerDescriptor good = good_layer(rng, b.memory());
  ASSERT_EQ(check_layer(p, good, b.memory()), 0u);
  // The image cases spoil a copy of the good image at kScratch.
  constexpr uint64_t kScratch = 0x20000;
  const uint64_t image_bytes =
      entry_offset(pes, good.k) + load(b.memory(), good.b_addr + 4 * (pes * (good.k + 1) - 1), 4, false) * eb;
  auto ptr_at = [&](const LayerDescriptor& d, unsigned pe, uint32_t j) {
    return d.b_addr + 4 * (pe * (d.k + 1) + j);
  };
  auto get_ptr = [&](std::vector<uint8_t>& m, const LayerDescriptor& d, unsigned pe, uint32_t j) {
    return static_cast<uint32_t>(load(m, ptr_at(d, pe, j), 4, false));
  };
  auto set_ptr = [&](std::vector<uint8_t>& m, const LayerDescriptor& d, unsigned pe, uint32_t j, uint64_t v) {
    store(m, ptr_at(d, pe, j), 4, static_cast<int64_t>(v));
  };
  auto copy_image = [&](LayerDescriptor& d, std::vector<uint8_t>& m) {
    std::copy_n(m.begin() + static_cast<std::ptrdiff_t>(good.b_addr), image_bytes, m.begin() + kScratch);
    d.b_addr = kScratch;
  };
  auto entry_addr = [&](const LayerDescriptor& d, uint64_t e) {
    return d.b_addr + entry_offset(pes, d.k) + e * eb;
  };
  const uint32_t bad_entry = eb == 1 ? 0xF1 : 0xF001;  // v 1, z 15: row 15 and up, past a PE's 6 or 8 rows
  auto one_row_down = [&](std::vector<uint8_t>& m, uint64_t at) {  // z + 1
    store(m, at, eb, load(m, at, eb, false) + (int64_t{1} << (8 * eb - eie::kZBits)));
  };
  const uint64_t ent_base = kScratch + entry_offset(pes, good.k);
  // PE 0's pointers all at `top`: no entries, ending past (or at) the top of the space.
  const uint64_t top = ((uint64_t{1} << 32) - ent_base) / eb;

  struct Case {
    // "none": a limit that is no error, the layer runs; axi_read / axi_write: a tensor that
    // ends exactly at the top of the address space passes the checks, and its transfer
    // then fails (the test memory is 1 MiB).
    const char* error;
    const char* what;
    std::function<void(LayerDescriptor&, std::vector<uint8_t>&)> spoil;
  };
  using D = LayerDescriptor;
  using M = std::vector<uint8_t>;
  std::vector<Case> cases = {
      {"bad_op", "op gemm", [](D& d, M&) { d.op = "gemm"; }},
      {"bad_op", "op conv2d", [](D& d, M&) { d.op = "conv2d"; }},
      {"zero_size", "M 0", [](D& d, M&) { d.m = 0; }},
      {"zero_size", "K 0", [](D& d, M&) { d.k = 0; }},
      {"zero_size", "N 0", [](D& d, M&) { d.n = 0; }},
      {"size_range", "M above max_rows", [&](D& d, M&) { d.m = p.eie.max_rows + 1; }},
      {"size_range", "K above max_cols", [&](D& d, M&) { d.k = p.eie.max_cols + 1; }},
      {"size_range", "N 2^24", [](D& d, M&) { d.n = 1u << 24; }},
      {"bad_field", "the other activation type",
       [](D& d, M&) { d.out_type = kActBytes == 1 ? "int16" : "int8"; }},
      {"bad_field", "int32 with OUTPUT.BITS", [](D& d, M&) { d.out_type = "int32", d.out_bits = 8; }},
      {"bad_field", "OUTPUT.BITS 1", [](D& d, M&) { d.out_bits = 1; }},
      {"bad_field", "OUTPUT.BITS above act_bits", [](D& d, M&) { d.out_bits = TB_ActBits + 1; }},
      {"bad_field", "PER_CHANNEL", [](D& d, M&) { d.per_channel = true; }},
      {"bad_field", "OP.CHW", [](D& d, M&) { d.chw = true; }},
      {"bad_field", "A_STRIDE below the row", [](D& d, M&) { d.a_stride = (d.k - 1) * kActBytes; }},
      {"bad_field", "OUT_STRIDE below the row", [](D& d, M&) { d.out_stride = (d.m - 1) * kActBytes; }},
      {"addr_align", "B_ADDR 4-aligned", [](D& d, M&) { d.b_addr += 4; }},
      {"addr_align", "AUX_ADDR odd", [](D& d, M&) { d.aux_addr += 1; }},
      {"addr_align", "BIAS_ADDR 2-aligned", [](D& d, M&) { d.bias_addr += 2; }},
      {"addr_align", "int32 Y 2-aligned", [](D& d, M&) { d.out_type = "int32", d.out_addr = 0x8002; }},
      {"addr_align", "int32 OUT_STRIDE 2-aligned",
       [](D& d, M&) { d.out_type = "int32", d.out_addr = 0x8000, d.out_stride = 4 * d.m + 2; }},
      {"addr_range", "Y past 2^32", [](D& d, M&) { d.out_addr = 0xFFFF'FFF0u; }},
      {"addr_range", "Y's last vector past 2^32", [](D& d, M&) { d.n = 3, d.out_stride = 0x8000'0000u; }},
      {"addr_range", "X past 2^32", [](D& d, M&) { d.a_addr = 0xFFFF'FFF0u; }},
      {"addr_range", "codebook past 2^32", [](D& d, M&) { d.aux_addr = 0xFFFF'FFF0u; }},
      {"addr_range", "bias past 2^32", [](D& d, M&) { d.bias_addr = 0xFFFF'FFC0u; }},
      {"addr_range", "pointers past 2^32", [](D& d, M&) { d.b_addr = 0xFFFF'FF80u; }},
      {"addr_range", "B_ADDR 2^32", [](D& d, M&) { d.b_addr = uint64_t{1} << 32; }},
      {"axi_read", "X ends at 2^32",
       [](D& d, M&) { d.a_addr = (uint64_t{1} << 32) - d.n * d.k * kActBytes; }},
      {"axi_write", "Y ends at 2^32",
       [](D& d, M&) { d.out_addr = (uint64_t{1} << 32) - d.n * d.m * kActBytes; }},
      {"axi_read", "the codebook ends at 2^32",
       [](D& d, M&) { d.aux_addr = (uint64_t{1} << 32) - (2u << TB_IndexBits); }},
      {"axi_read", "the bias ends at 2^32", [](D& d, M&) { d.bias_addr = (uint64_t{1} << 32) - 4 * d.m; }},
      // Not errors: a bias neither read with int32 output nor without OUTPUT.BIAS.
      {"none", "int32 ignores a misaligned bias",
       [](D& d, M&) { d.out_type = "int32", d.bias_addr = 0xFFFF'FFFEu, d.out_addr = 0x8000; }},
      {"none", "no bias: BIAS_ADDR not read", [](D& d, M&) { d.bias = false, d.bias_addr = 0xFFFF'FFFFu; }},
      // The image's errors, found while it streams.
      {"bad_field", "PE 0's pointer 1 above its end",
       [&](D& d, M& m) { copy_image(d, m), set_ptr(m, d, 0, 1, get_ptr(m, d, 0, d.k) + 1); }},
      {"bad_field", "the last PE's end pointer below the one before",
       [&](D& d, M& m) {
         copy_image(d, m), set_ptr(m, d, pes - 1, d.k, get_ptr(m, d, pes - 1, d.k - 1) - 1);
       }},
      {"size_range", "PE 0 over max_entries",
       [&](D& d, M& m) {
         copy_image(d, m), set_ptr(m, d, 0, d.k, get_ptr(m, d, 0, 0) + p.eie.max_entries + 1);
       }},
      {"size_range", "PE 0 with 2^16 + 1 entries",
       [&](D& d, M& m) { copy_image(d, m), set_ptr(m, d, 0, d.k, get_ptr(m, d, 0, 0) + (1u << 16) + 1); }},
      {"size_range", "PE 0 with 2^24 + 1 entries",
       [&](D& d, M& m) { copy_image(d, m), set_ptr(m, d, 0, d.k, get_ptr(m, d, 0, 0) + (1u << 24) + 1); }},
      {"size_range", "the last PE over max_entries",
       [&](D& d, M& m) {
         copy_image(d, m), set_ptr(m, d, pes - 1, d.k, get_ptr(m, d, pes - 1, 0) + p.eie.max_entries + 1);
       }},
      {"addr_range", "PE 0's entries end past 2^32",
       [&](D& d, M& m) {
         copy_image(d, m);
         for (uint32_t j = 0; j <= d.k; ++j) set_ptr(m, d, 0, j, top + 1);
       }},
      {"bad_field", "PE 0's first entry below its rows",
       [&](D& d, M& m) { copy_image(d, m), store(m, entry_addr(d, get_ptr(m, d, 0, 0)), eb, bad_entry); }},
      {"bad_field", "the last PE's last entry below its rows",
       [&](D& d, M& m) {
         copy_image(d, m), store(m, entry_addr(d, get_ptr(m, d, pes - 1, d.k) - 1), eb, bad_entry);
       }},
      {"bad_field", "PE 0's first entry one row past its rows",
       [&](D& d, M& m) { copy_image(d, m), one_row_down(m, entry_addr(d, get_ptr(m, d, 0, 0))); }},
      {"bad_field", "the last PE's last entry one row past its rows",
       [&](D& d, M& m) {
         copy_image(d, m), one_row_down(m, entry_addr(d, get_ptr(m, d, pes - 1, d.k) - 1));
       }},
      // Limits of the image that are not errors.
      {"none", "the last PE at exactly max_entries (padding entries in its last column)",
       [&](D& d, M& m) {
         copy_image(d, m);
         const uint32_t end = get_ptr(m, d, pes - 1, 0) + p.eie.max_entries;
         for (uint64_t e = get_ptr(m, d, pes - 1, d.k); e < end; ++e) store(m, entry_addr(d, e), eb, 0);
         set_ptr(m, d, pes - 1, d.k, end);
       }},
      {"none", "the last PE's entries 70000 further (pointers above 2^16)",
       [&](D& d, M& m) {
         copy_image(d, m);
         constexpr uint32_t kFar = 70'000;
         const uint32_t first = get_ptr(m, d, pes - 1, 0), end = get_ptr(m, d, pes - 1, d.k);
         for (uint64_t e = first; e < end; ++e)
           store(m, entry_addr(d, e + kFar), eb, load(m, entry_addr(d, e), eb, false));
         for (uint32_t j = 0; j <= d.k; ++j) set_ptr(m, d, pes - 1, j, get_ptr(m, d, pes - 1, j) + kFar);
       }},
      {"none", "PE 0 empty, its pointers ending at the top of the space",
       [&](D& d, M& m) {
         copy_image(d, m);
         for (uint32_t j = 0; j <= d.k; ++j) set_ptr(m, d, 0, j, top);
       }},
  };
  if (kActBytes > 1) {
    cases.push_back({"addr_align", "X odd", [](D& d, M&) { d.a_addr |= 1; }});
    cases.push_back({"addr_align", "A_STRIDE odd", [](D& d, M&) { d.a_stride = 2 * d.k + 1; }});
    cases.push_back({"addr_align", "Y odd", [](D& d, M&) { d.out_addr |= 1; }});
  }
  for (const Case& c : cases) {
    LayerDescriptor d = good;
    c.spoil(d, b.memory());
    const std::string what = std::string(c.error) + ": " + c.what + ": " + describe(d);
    if (std::string(c.error) == "none") {
      ASSERT_EQ(check_layer(p, d, b.memory()), 0u) << what;
      expect_matches_model(b, d, what);
      continue;
    }
    const bool axi = std::string(c.error).rfind("axi_", 0) == 0;
    ASSERT_EQ(check_layer(p, d, b.memory()), axi ? 0u : error(c.error)) << what;
    const std::vector<uint8_t> before = b.memory();
    const uint64_t beats = b.axi().beats();
    const bool image_error = d.b_addr == kScratch;
    b.load_descriptor(d);
    const LayerRun r = b.run(0, image_error || axi ? 200'000 : 100);
    EXPECT_TRUE(r.finished) << what << ": no interrupt\n" << replay();
    EXPECT_EQ(r.error_code, error(c.error)) << what << "\n" << replay();
    EXPECT_EQ(r.irq_status, 2u) << what << "\n" << replay();
    EXPECT_EQ(r.status & 0x7, 0x4u) << what << ": STATUS not idle with ERROR\n" << replay();
    if (!image_error && !axi) {
      EXPECT_EQ(b.axi().beats(), beats) << what << ": the layer touched memory\n" << replay();
    }
    EXPECT_TRUE(b.memory() == before) << what << ": " << differences(b.memory(), before, good) << "\n"
                                      << replay();
    expect_matches_model(b, good, "the good layer after " + what);
    if (::testing::Test::HasFailure()) break;
  }
  expect_clean(b);
}

// A layer long enough to abort: M and K at their limits, a batch of 12, half dense.
LayerDescriptor big_layer(Rng& rng, std::vector<uint8_t>& mem) {
  const ShellParams p = eie_tb_params();
  LayerDescriptor d;
  d.op = "spmv";
  d.out_type = act_type();
  d.m = p.eie.max_rows, d.k = p.eie.max_cols, d.n = 12;
  d.bias = d.relu = true;
  // Above where random_layer() places its tensors (below 0x20000).
  d.b_addr = 0x80000, d.aux_addr = 0xA0000, d.a_addr = 0xA1000, d.bias_addr = 0xA8000, d.out_addr = 0xB0000;
  std::string note;
  const std::vector<uint8_t> image = random_image(rng, d.m, d.k, 0.5, false, note);
  std::copy(image.begin(), image.end(), mem.begin() + static_cast<std::ptrdiff_t>(d.b_addr));
  write_operands(rng, d, mem);
  return d;
}

// ABORT at several points of a layer (the image streaming, the first vector, mid-batch)
// ends it with ERROR_CODE aborted and the error interrupt; the next layers run from a clean
// state, the same layer again with the same counters.
// OP.KEEP_WEIGHTS: the image a layer read stays on chip, and a descriptor that names it
// (B_ADDR, AUX_ADDR, M and K) runs new vectors without reading it again: bytes equal to the
// golden model's, counters to the cycle model's, and fewer cycles and bytes than loading.
// Refused with bad_field (no byte written) when nothing is loaded (after reset, an image
// error, SOFT_RESET) or the descriptor names another image.
TEST(ShellEie, KeptWeightsSkipTheImage) {
  const ShellParams p = eie_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed() + 11);
  Rng rng(base_seed() + 11);
  const LayerDescriptor first = good_layer(rng, b.memory());
  auto refused = [&](const LayerDescriptor& d, const std::string& what) {
    const std::vector<uint8_t> before = b.memory();
    b.load_descriptor(d);
    const LayerRun r = b.run();
    EXPECT_TRUE(r.finished) << what << ": no interrupt\n" << replay();
    EXPECT_EQ(r.error_code, error("bad_field")) << what << "\n" << replay();
    EXPECT_EQ(r.irq_status, 2u) << what << "\n" << replay();
    EXPECT_TRUE(b.memory() == before) << what << ": a refused layer wrote memory\n" << replay();
  };
  // New vectors for the kept image, elsewhere: X, bias and Y, the image and codebook untouched.
  auto kept_layer = [&](const LayerDescriptor& loaded, uint32_t n) {
    LayerDescriptor d = loaded;
    d.keep_weights = true;
    d.n = n;
    d.relu = !loaded.relu;
    d.a_addr = 0x30000 + kActBytes, d.bias_addr = 0x34000, d.out_addr = 0x38000;
    for (uint32_t v = 0; v < n; ++v)
      for (uint32_t j = 0; j < d.k; ++j)
        store(b.memory(), d.a_addr + v * a_pitch(d) + j * kActBytes, kActBytes,
              rng.chance(0.4) ? 0 : rng.value(-100, 100));
    for (uint32_t i = 0; i < d.m; ++i) store(b.memory(), d.bias_addr + 4 * i, 4, rng.value(-100, 100));
    return d;
  };
  LayerDescriptor keep = kept_layer(first, 3);
  EXPECT_EQ(check_layer(p, keep, b.memory()), error("bad_field"));
  refused(keep, "KEEP_WEIGHTS after reset");

  const Checked load = expect_matches_model(b, first, "the layer that loads the image: " + describe(first));
  ASSERT_TRUE(load.run.finished);
  {
    const std::vector<uint8_t> before = b.memory();
    ASSERT_EQ(check_layer(p, keep, before, &first), 0u);
    std::vector<uint8_t> want = before;
    run_layer(p, keep, want);
    b.load_descriptor(keep);
    const LayerRun r = b.run();
    EXPECT_TRUE(r.finished && r.error_code == 0) << "KEEP_WEIGHTS: error " << r.error_code << "\n"
                                                 << replay();
    EXPECT_TRUE(b.memory() == want) << "KEEP_WEIGHTS: the memory differs from the model, "
                                    << differences(b.memory(), want, keep) << "\n"
                                    << replay();
    counters_match(r, layer_cycles(p, keep, before, t.latency, t.bytes_per_cycle), "KEEP_WEIGHTS", true);
    EXPECT_LT(r.bytes_read, load.run.bytes_read) << "the kept image was read again";
  }
  for (const auto& [what, change] :
       std::vector<std::pair<std::string, std::function<void(LayerDescriptor&)>>>{
           {"another M", [](LayerDescriptor& d) { d.m -= 1; }},
           {"another K", [](LayerDescriptor& d) { d.k -= 1; }},
           {"another B_ADDR", [](LayerDescriptor& d) { d.b_addr += 8; }},
           {"another AUX_ADDR", [](LayerDescriptor& d) { d.aux_addr += 2; }}}) {
    LayerDescriptor d = keep;
    change(d);
    EXPECT_EQ(check_layer(p, d, b.memory(), &first), error("bad_field")) << what;
    refused(d, "KEEP_WEIGHTS naming " + what);
  }
  // The image is still there after those refusals.
  expect_matches_model(b, first, "the loading layer again");
  // An image error clears it: the codebook and pointers started to load.
  {
    LayerDescriptor bad = first;
    bad.b_addr = 0x20000;
    std::copy_n(b.memory().begin() + static_cast<std::ptrdiff_t>(first.b_addr), 0x1000,
                b.memory().begin() + 0x20000);
    store(b.memory(), bad.b_addr + 4, 4, 1 << 20);  // PE 0's pointer 1 above its last
    ASSERT_NE(check_layer(p, bad, b.memory()), 0u);
    b.load_descriptor(bad);
    const LayerRun r = b.run();
    EXPECT_TRUE(r.finished && r.error_code != 0) << "the bad image ran\n" << replay();
    refused(keep, "KEEP_WEIGHTS after an image error");
  }
  // SOFT_RESET clears it too.
  expect_matches_model(b, first, "the loading layer after the image error");
  b.write(reg("CTRL"), 4);
  refused(keep, "KEEP_WEIGHTS after SOFT_RESET");
  expect_clean(b);
}

TEST(ShellEie, AbortMidLayer) {
  const ShellParams p = eie_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed());
  Rng rng(base_seed());
  const LayerDescriptor big = big_layer(rng, b.memory());
  const Checked full = expect_matches_model(b, big, "the layer to abort: " + describe(big));
  ASSERT_TRUE(full.run.finished);
  const uint64_t cycles = full.run.cycles;
  for (const uint64_t at : {uint64_t{3}, uint64_t{40}, cycles / 5, cycles / 2}) {
    const std::string what =
        "abort after " + std::to_string(at) + " of " + std::to_string(cycles) + " cycles";
    b.load_descriptor(big);
    const LayerRun r = b.run(at);
    ASSERT_TRUE(r.finished) << what << ": abort did not end the layer\n" << replay();
    EXPECT_EQ(r.error_code, error("aborted")) << what << "\n" << replay();
    EXPECT_EQ(r.irq_status, 2u) << what << "\n" << replay();
    EXPECT_LT(r.cycles, cycles) << what << ": the aborted layer ran to its end\n" << replay();
    std::string note;
    const LayerDescriptor small = random_layer(rng, b.memory(), note);
    expect_matches_model(b, small, "the layer after " + what + ": " + describe(small, note));
    const Checked again = expect_matches_model(b, big, "the aborted layer again after " + what);
    EXPECT_TRUE(again.run.cycles == full.run.cycles && again.run.compute == full.run.compute &&
                again.run.mem_wait == full.run.mem_wait && again.run.bytes_read == full.run.bytes_read &&
                again.run.bytes_written == full.run.bytes_written)
        << "the aborted layer again after " << what << ": other counters than its first run\n"
        << replay();
    if (::testing::Test::HasFailure()) break;
  }
  counters_match(full.run, layer_cycles(p, big, full.before, t.latency, t.bytes_per_cycle),
                 "the layer to abort", true);
  expect_clean(b);
}

// An error response on a read of each phase (the codebook, PE 0's pointers, the last PE's
// entries, the bias, a vector's X) ends the layer with axi_read, one on a write of Y with
// axi_write; each time the same layer then runs correctly.
TEST(ShellEie, AxiErrorsEndTheLayer) {
  const ShellParams p = eie_tb_params();
  Bench b(deterministic(), base_seed());
  Rng rng(base_seed());
  const LayerDescriptor big = big_layer(rng, b.memory());
  const uint64_t last_entry =
      big.b_addr + entry_offset(p.eie.pes, big.k) +
      (load(b.memory(), big.b_addr + 4 * (p.eie.pes * (big.k + 1) - 1), 4, false) - 1) * entry_bytes(p.eie);
  struct Case {
    const char* what;
    uint64_t at;
    const char* error;
  };
  const uint64_t out_bytes = big.out_type == "int32" ? 4 : eie::act_bytes(p.eie);
  const Case cases[] = {
      {"the codebook", big.aux_addr, "axi_read"},
      {"PE 0's pointers", big.b_addr, "axi_read"},
      {"the last PE's entries", last_entry, "axi_read"},
      {"the bias", big.bias_addr + 4 * (big.m - 1), "axi_read"},
      {"vector 5's X", big.a_addr + 5 * a_pitch(big), "axi_read"},
      {"vector 3's Y", big.out_addr + 3 * out_pitch(big) + 1, "axi_write"},
      // The layer's last burst: its response comes as everything else has drained.
      {"the last vector's Y", big.out_addr + (big.n - 1) * out_pitch(big) + big.m * out_bytes - 1,
       "axi_write"},
  };
  for (const Case& c : cases) {
    b.axi().set_error_window(c.at, c.at + 1);
    b.load_descriptor(big);
    const LayerRun r = b.run();
    const std::string what = std::string("an error response on ") + c.what;
    ASSERT_TRUE(r.finished) << what << " hung the layer\n" << replay();
    EXPECT_EQ(r.error_code, error(c.error)) << what << "\n" << replay();
    EXPECT_EQ(r.irq_status, 2u) << what << "\n" << replay();
    b.axi().set_error_window(0, 0);
    expect_matches_model(b, big, "the layer after " + what);
    if (::testing::Test::HasFailure()) break;
  }
  expect_clean(b);
}

// The descriptor queue (dnn_shell_desc_queue, as in the systolic shell): START while a layer
// runs queues up to QueueDepth descriptors (STATUS.QUEUE_LEVEL, QUEUE_FULL); one more is
// refused with queue_full and the error interrupt while the running layer goes on. The
// queued layers follow back to back, each starting in the cycle after an idle one: the
// image loaded, then kept on chip for new vectors (OP.KEEP_WEIGHTS), then a small layer
// with its own image. Bytes equal the golden model's, the counters the last layer's.
TEST(ShellEie, QueuedLayersRunBackToBack) {
  if (TB_QueueDepth < 1) GTEST_SKIP() << "needs a queue";
  const ShellParams p = eie_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed());
  Rng rng(base_seed());
  std::vector<LayerDescriptor> layers = {big_layer(rng, b.memory())};
  LayerDescriptor kept = layers[0];  // the same image, new vectors, Y elsewhere
  kept.keep_weights = true;
  kept.n = 5;
  kept.a_addr = 0xC0000, kept.out_addr = 0xD0000;
  write_operands(rng, kept, b.memory());
  layers.push_back(kept);
  std::string note;
  layers.push_back(random_layer(rng, b.memory(), note));
  layers.resize(std::min<size_t>(layers.size(), TB_QueueDepth + 1));
  std::vector<uint8_t> want = b.memory();
  std::vector<uint64_t> cycles;
  for (const LayerDescriptor& d : layers) {
    ASSERT_EQ(check_layer(p, d, want, d.keep_weights ? &layers[0] : nullptr), 0u);
    cycles.push_back(layer_cycles(p, d, want, t.latency, t.bytes_per_cycle).cycles);
    run_layer(p, d, want);
  }
  std::vector<uint64_t> rises;  // cycles where irq_o rises (done interrupts only)
  bool irq_before = false;
  b.on_cycle([&] {
    if (b.top().irq_o && !irq_before) rises.push_back(b.cycle());
    irq_before = b.top().irq_o;
  });
  EXPECT_EQ(b.read(reg("STATUS")) & 0x1F01, 0u) << "idle: not busy, nothing queued";
  b.write(reg("IRQ_ENABLE"), 1);
  for (const LayerDescriptor& d : layers) {
    b.load_descriptor(d);
    b.write(reg("CTRL"), 1);
  }
  const uint32_t status = b.read(reg("STATUS"));
  EXPECT_EQ((status >> 8) & 0xF, layers.size() - 1) << "the layers wait behind the first";
  EXPECT_EQ((status >> 12) & 1, layers.size() - 1 == TB_QueueDepth ? 1u : 0u) << "QUEUE_FULL";
  if (layers.size() - 1 == TB_QueueDepth) {
    b.write(reg("CTRL"), 1);  // refused: the queue is full
    EXPECT_EQ(b.read(reg("ERROR_CODE")), error("queue_full"));
  }
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
  EXPECT_EQ(b.read(reg("LAYERS_DONE")), layers.size());
  EXPECT_EQ(b.read64("CYCLES_TOTAL"), cycles.back()) << "the counters describe the last layer";
  EXPECT_EQ(b.read(reg("STATUS")) & 0x1F01, 0u) << "not busy, nothing queued";
  expect_clean(b);
}

// The identity registers describe the build (docs/shell.md, "The other engines"): ENGINE
// kind eie, variant 0, ops {spmv}; ARRAY NumPes x 1; DATATYPE act_bits, 16 (the codebook),
// acc_bits, signed, not saturating; the memory port; CONFIG_HASH the parameter.
// A layer of the build's full size (max_rows x max_cols, 10 % of the weights, 35 % non-zero
// activations, a batch of 8), as a driver runs it: once loading its image, then on new
// vectors with the image kept on chip. Bytes and every counter against the models; prints
// both runs and the RTL simulation speed (make demo shows them).
TEST(ShellEie, FullSizeLayerLoadedThenKept) {
  const ShellParams p = eie_tb_params();
  const AxiMemoryTiming t = deterministic(100, TB_DataBits / 8);
  Bench b(t, base_seed() + 13);
  Rng rng(base_seed() + 13);
  LayerDescriptor d;
  d.op = "spmv";
  d.out_type = act_type();
  d.relu = true;
  d.bias = true;
  d.m = p.eie.max_rows, d.k = p.eie.max_cols, d.n = 8;
  Tensor w({d.m, d.k});
  for (auto& v : w.data) v = rng.chance(0.1) ? rng.value(1, (int64_t{1} << p.eie.index_bits) - 1) : 0;
  const std::vector<uint8_t> image = eie::weight_image(p.eie, w);
  d.aux_addr = 0x1000, d.bias_addr = 0x2000, d.b_addr = 0x4000;
  d.a_addr = (d.b_addr + image.size() + 0xFFF) / 0x1000 * 0x1000;
  d.out_addr = d.a_addr + 0x10000;
  ASSERT_LE(d.out_addr + 2 * uint64_t{d.n} * d.m * kActBytes, b.memory().size())
      << "the test memory is too small";
  std::copy(image.begin(), image.end(), b.memory().begin() + static_cast<std::ptrdiff_t>(d.b_addr));
  for (uint32_t i = 0; i < (1u << p.eie.index_bits); ++i)
    store(b.memory(), d.aux_addr + 2 * i, 2, rng.value(-64, 64));
  for (uint32_t i = 0; i < d.m; ++i) store(b.memory(), d.bias_addr + 4 * i, 4, rng.value(-100, 100));
  auto vectors = [&](const LayerDescriptor& l) {
    for (uint64_t i = 0; i < uint64_t{l.n} * l.k; ++i)
      store(b.memory(), l.a_addr + i * kActBytes, kActBytes, rng.chance(0.35) ? rng.value(-60, 60) : 0);
  };
  vectors(d);
  const std::string what = describe(d);
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t c0 = b.cycle();
  const Checked load = expect_matches_model(b, d, "the layer loading its image: " + what);
  counters_match(load.run, layer_cycles(p, d, load.before, t.latency, t.bytes_per_cycle), "loading", true);
  LayerDescriptor kept = d;
  kept.keep_weights = true;
  kept.a_addr = d.out_addr + 0x8000;
  kept.out_addr = kept.a_addr + 0x8000;
  vectors(kept);
  const std::vector<uint8_t> before = b.memory();
  std::vector<uint8_t> want = before;
  run_layer(p, kept, want);
  b.load_descriptor(kept);
  const LayerRun r = b.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.finished && r.error_code == 0) << "kept: error " << r.error_code << "\n" << replay();
  EXPECT_TRUE(b.memory() == want) << "kept: " << differences(b.memory(), want, kept) << "\n" << replay();
  const ShellTiming m = layer_cycles(p, kept, before, t.latency, t.bytes_per_cycle);
  counters_match(r, m, "kept", true);
  std::printf(
      "spmv %ux%u, batch %u, %zu-byte image, through the shell: %llu cycles loading the image (model %llu), "
      "%llu with it kept on chip (model %llu), computing %llu; %llu bytes read, %llu written; RTL simulation "
      "%.2f M cycles/s\n",
      d.m, d.k, d.n, image.size(), static_cast<unsigned long long>(load.run.cycles),
      static_cast<unsigned long long>(layer_cycles(p, d, load.before, t.latency, t.bytes_per_cycle).cycles),
      static_cast<unsigned long long>(r.cycles), static_cast<unsigned long long>(m.cycles),
      static_cast<unsigned long long>(r.compute), static_cast<unsigned long long>(r.bytes_read),
      static_cast<unsigned long long>(r.bytes_written), static_cast<double>(b.cycle() - c0) / seconds / 1e6);
  expect_clean(b);
}

TEST(ShellEie, IdentityRegistersDescribeTheBuild) {
  const ShellParams p = eie_tb_params();
  Bench b(deterministic(), base_seed());
  RegisterFile model(eie::shell_identity(p));
  for (const char* name :
       {"ID", "VERSION", "ENGINE", "CONFIG_HASH", "ARRAY", "DATATYPE", "MEMORY", "ADDR_BITS"})
    EXPECT_EQ(b.read(reg(name)), model.read(reg(name)).first) << name;
  EXPECT_EQ(b.read(reg("ENGINE")), 3u | (1u << 2) << 16);
  EXPECT_EQ(b.read(reg("ARRAY")), uint32_t{TB_NumPes} | 1u << 16);
  EXPECT_EQ(b.read(reg("CONFIG_HASH")), uint32_t{TB_ConfigHash});
}

// ABORT in any cycle around one layer's end and the next one's start (its check included)
// stops both (shell_abort_sweep.hpp).
TEST(ShellEie, AbortAroundTheNextLayersStart) {
  if (TB_QueueDepth < 1) GTEST_SKIP() << "needs a queue";
  const ShellParams p = eie_tb_params();
  const AxiMemoryTiming t = deterministic();
  Bench b(t, base_seed() + 21);
  Rng rng(base_seed() + 21);
  LayerDescriptor layers[2] = {big_layer(rng, b.memory()), {}};
  layers[1] = layers[0];
  layers[1].out_addr = 0xD0000;
  const uint64_t cycles = layer_cycles(p, layers[0], b.memory(), t.latency, t.bytes_per_cycle).cycles;
  expect_abort_stops_the_queue(
      b, [&](int i) { b.load_descriptor(layers[i]); }, cycles, replay);
  expect_matches_model(b, layers[0], "the layer after the aborts");
  expect_clean(b);
}

}  // namespace
}  // namespace dnngen::shell
