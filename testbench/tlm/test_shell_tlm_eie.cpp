// Self-checking test of dnngen::tlm::ShellTlm on an EIE configuration, through its sockets
// alone (a test initiator on `regs`, a 1 MiB byte memory on `mem`, a signal on `irq`).
//
// Covers:
//   * identity: ENGINE.KIND eie, ARRAY = PEs | 1 << 16, CONFIG_HASH the configuration's
//     config::shell_config_hash (non-zero);
//   * random spmv layers (seeded): M, K and N (1..4) random, a random sparse index matrix
//     as eie::weight_image 8-byte aligned, a random int16 codebook, random X rows (some
//     zeros), bias, ReLU, the activations' container or int32 out, OUTPUT.BITS, packed or
//     strided rows, each tensor in its own 64 KiB slot; now and then OP.KEEP_WEIGHTS on the
//     image loaded before with a new N and X. After each: the whole memory equals
//     eie::run_layer on a copy taken at START, every counter register equals
//     eie::layer_cycles, irq rose (CYCLES_TOTAL + kStartCycles) periods after the START
//     access, STATUS.DONE, IRQ_STATUS.DONE alone (cleared, W1C), LAYERS_DONE counts; a
//     KEEP_WEIGHTS layer's BYTES_READ is below the same layer's without it;
//   * the descriptor queue: START while a layer runs queues layers (here OP.KEEP_WEIGHTS on
//     the first one's image), each following one period after the one before; one START
//     more than the queue holds is refused with queue_full while the layer goes on;
//   * weight-image errors (a pointer below the one before, more than max_entries entries
//     in a PE, an entry below the PE's rows): ERROR_CODE as eie::check_layer gives it,
//     no memory byte changed; the failed load forgot the image (KEEP_WEIGHTS: bad_field);
//   * the image forgotten after SOFT_RESET and after an ABORT in the middle of a layer
//     (aborted soon after, CYCLES_TOTAL part of the layer's, nothing written), and kept
//     after a good load (KEEP_WEIGHTS with N changed runs);
//   * bus errors: X past the memory and an image whose entries are past it (axi_read,
//     counters 0, memory unchanged), OUT past it (axi_write, the rows before it written,
//     the layer's counters).
//
// Usage: test_shell_tlm_eie CONFIG.yaml [SEED] [LAYERS]   (defaults 1, 100; a failure
// prints the command that replays it)
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <systemc>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/eie/encode.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/tlm/shell_tlm.hpp"
#include "tlm_memory.hpp"
#include "tlm_test_host.hpp"

namespace {

namespace config = dnngen::config;
namespace eie = dnngen::eie;
namespace shell = dnngen::shell;
using dnngen::Tensor;
using dnngen::tlm::ShellTlm;
using dnngen::tlm_test::first_difference;
using dnngen::tlm_test::Memory;
using sc_core::sc_time;
using shell::LayerDescriptor;

constexpr uint64_t kMemSize = 1u << 20;
constexpr unsigned kDefaultLayers = 100;

// Each tensor in its own 64 KiB slot of the memory, at a random aligned place in it.
constexpr uint64_t kSlotBytes = 0x10000;
enum Slot : uint64_t { kCodebookSlot = 1, kImageSlot, kXSlot, kBiasSlot, kOutSlot };

uint32_t error(const char* name) { return shell::register_map().enum_value("error", name); }

// Layer sizes; 0: a random one.
struct Shape {
  uint32_t m = 0, k = 0, n = 0;
};

// What a layer that runs leaves: the memory and the counters.
struct Expected {
  std::vector<uint8_t> memory;
  eie::ShellTiming timing;
};

class Tester : public dnngen::tlm_test::RegisterHost {
 public:
  using RegisterHost::RegisterHost;

 private:
  const eie::ShellParams p_ = eie::shell_params(cfg_);

  // ---- random values and layers ---------------------------------------------------------
  unsigned act_bytes() const { return eie::act_bytes(p_.eie); }
  unsigned out_bytes(const LayerDescriptor& d) const { return d.out_type == "int32" ? 4 : act_bytes(); }
  uint64_t place(Slot slot, unsigned align) { return slot * kSlotBytes + pick(0, 4000) / align * align; }
  // 0 (packed) or longer than the row by a few elements.
  uint32_t stride(uint64_t row, unsigned elem) { return chance(0.5) ? 0 : row + elem * pick(1, 8); }
  Shape small_shape() const {
    return {std::min(p_.eie.max_rows, 2 * p_.eie.pes + 1), std::min(p_.eie.max_cols, 6u), 2};
  }
  Shape long_shape() const { return {p_.eie.max_rows, p_.eie.max_cols, 8}; }

  // A random layer that passes eie::check_descriptor; with `keep`, OP.KEEP_WEIGHTS on
  // keep's image (its B_ADDR, AUX_ADDR, M and K).
  LayerDescriptor random_layer(const LayerDescriptor* keep, Shape s) {
    const config::EieConfig& e = p_.eie;
    LayerDescriptor d;
    d.op = "spmv";
    if (keep != nullptr) {
      d.keep_weights = true;
      d.m = keep->m, d.k = keep->k, d.b_addr = keep->b_addr, d.aux_addr = keep->aux_addr;
    } else {
      d.m = s.m != 0 ? s.m : pick(1, e.max_rows);
      d.k = s.k != 0 ? s.k : pick(1, e.max_cols);
      d.b_addr = place(kImageSlot, 8), d.aux_addr = place(kCodebookSlot, 2);
    }
    d.n = s.n != 0 ? s.n : pick(1, 4);
    d.out_type = e.acc_bits <= 32 && chance(0.3) ? "int32" : act_bytes() == 1 ? "int8" : "int16";
    d.out_bits = d.out_type == "int32" || chance(0.5) ? 0 : pick(2, e.act_bits);
    d.bias = chance(0.5), d.relu = chance(0.5);
    const unsigned ab = act_bytes(), ob = out_bytes(d);
    d.a_stride = stride(uint64_t{d.k} * ab, ab), d.out_stride = stride(uint64_t{d.m} * ob, ob);
    d.a_addr = place(kXSlot, ab), d.bias_addr = place(kBiasSlot, 4), d.out_addr = place(kOutSlot, ob);
    return d;
  }

  // A random index matrix whose image fits max_entries in every PE (the density lowered
  // until it does); W[0][0] non-zero if `first`.
  Tensor random_weights(uint32_t m, uint32_t k, bool first) {
    const int64_t top = (int64_t{1} << p_.eie.index_bits) - 1;
    for (double density = std::uniform_real_distribution<double>(0.02, 0.7)(rng_);; density *= 0.7) {
      Tensor w({m, k});
      for (int64_t& v : w.data) v = chance(density) ? value(1, top) : 0;
      if (first) w.at(0, 0) = value(1, top);
      const std::vector<eie::PeImage> pes = eie::encode_layer(w, p_.eie.pes);
      if (std::all_of(pes.begin(), pes.end(),
                      [&](const eie::PeImage& pe) { return pe.entries.size() <= p_.eie.max_entries; }))
        return w;
    }
  }

  // A fresh codebook (index 0 too: it must weigh 0) and the image of `w` at d's addresses.
  void put_weights(const LayerDescriptor& d, const Tensor& w) {
    const int64_t range = chance(0.3) ? 32767 : 300;
    for (uint64_t i = 0; i < (uint64_t{1} << p_.eie.index_bits); ++i)
      shell::store(memory_.bytes, d.aux_addr + 2 * i, 2, value(-range, range));
    const std::vector<uint8_t> image = eie::weight_image(p_.eie, w);
    std::copy(image.begin(), image.end(), memory_.bytes.begin() + static_cast<std::ptrdiff_t>(d.b_addr));
  }

  // Fresh X rows (a random share of zeros, which the cycle model counts) and bias.
  void put_inputs(const LayerDescriptor& d) {
    const unsigned ab = act_bytes();
    const uint64_t pitch = d.a_stride != 0 ? d.a_stride : uint64_t{d.k} * ab;
    const int64_t top = (int64_t{1} << (p_.eie.act_bits - 1)) - 1;
    const double zeros = std::uniform_real_distribution<double>(0, 0.8)(rng_);
    for (uint64_t n = 0; n < d.n; ++n)
      for (uint64_t k = 0; k < d.k; ++k)
        shell::store(memory_.bytes, d.a_addr + n * pitch + k * ab, ab,
                     chance(zeros) ? 0 : value(-top - 1, top));
    const bool wide = chance(0.3);
    for (uint64_t m = 0; m < d.m; ++m)
      shell::store(
          memory_.bytes, d.bias_addr + 4 * m, 4,
          wide ? value(INT32_MIN, INT32_MAX) : value(-1000, 1000) * (int64_t{1} << p_.eie.frac_bits));
  }

  // A random layer loading a fresh image, its operands in memory.
  LayerDescriptor new_layer(Shape s = {}, bool first_weight = false) {
    const LayerDescriptor d = random_layer(nullptr, s);
    put_weights(d, random_weights(d.m, d.k, first_weight));
    put_inputs(d);
    return d;
  }
  // OP.KEEP_WEIGHTS on `loaded`'s image with new X (and N unless s.n says).
  LayerDescriptor keep_layer(const LayerDescriptor& loaded, Shape s = {}) {
    const LayerDescriptor d = random_layer(&loaded, s);
    put_inputs(d);
    return d;
  }

  std::string describe(const std::string& what, const LayerDescriptor& d) const {
    return fmt::format("{} (M {} K {} N {}, out {} bits {}{}{}{})", what, d.m, d.k, d.n, d.out_type,
                       d.out_bits, d.bias ? ", bias" : "", d.relu ? ", relu" : "",
                       d.keep_weights ? ", KEEP_WEIGHTS" : "");
  }

  // ---- the golden models ----------------------------------------------------------------
  // ERROR_CODE of `d` on the memory as it is, with the image the test last loaded kept.
  uint32_t expected_code(const LayerDescriptor& d) const {
    return eie::check_layer(p_, d, memory_.bytes, loaded_ ? &*loaded_ : nullptr);
  }
  // The memory and counters of `d` run on the memory as it is (extended by `beyond` bytes
  // the layer may write past its end, which are then cut off).
  Expected expected_run(const LayerDescriptor& d, uint64_t beyond = 0) const {
    Expected e{memory_.bytes, {}};
    e.memory.resize(memory_.bytes.size() + beyond);
    e.timing = eie::layer_cycles(p_, d, e.memory, cfg_.memory.latency, cfg_.memory.bytes_per_cycle);
    eie::run_layer(p_, d, e.memory);
    e.memory.resize(memory_.bytes.size());
    return e;
  }
  Expected expect_good(const LayerDescriptor& d, const std::string& label) {
    check(expected_code(d) == 0, label + ": the test made a layer that does not run");
    return expected_run(d);
  }

  // ---- driving and checking layers ------------------------------------------------------
  // Programs `d`, both interrupts enabled, and writes CTRL.START; the time the START
  // access completed.
  sc_time start(const LayerDescriptor& d) {
    check(!irq.read(), "irq high before START");
    write("IRQ_ENABLE", bits({"IRQ_ENABLE.DONE", "IRQ_ENABLE.ERROR"}));
    write_descriptor(d);
    control("CTRL.START");
    return sc_core::sc_time_stamp();
  }

  void clear_irq(const std::string& label) {
    write("IRQ_STATUS", bits({"IRQ_STATUS.DONE", "IRQ_STATUS.ERROR"}));
    check(read("IRQ_STATUS") == 0 && !irq.read(), label + ": the interrupt not cleared by IRQ_STATUS (W1C)");
  }

  // Every counter register against `expect`; the values read.
  eie::ShellTiming check_counters(const eie::ShellTiming& expect, const std::string& label) {
    const struct {
      const char* reg;
      uint64_t eie::ShellTiming::*member;
    } counters[] = {{"CYCLES_TOTAL", &eie::ShellTiming::cycles},
                    {"CYCLES_COMPUTE", &eie::ShellTiming::compute},
                    {"CYCLES_MEM_WAIT", &eie::ShellTiming::mem_wait},
                    {"BYTES_READ", &eie::ShellTiming::bytes_read},
                    {"BYTES_WRITTEN", &eie::ShellTiming::bytes_written}};
    eie::ShellTiming got;
    for (const auto& c : counters) {
      got.*c.member = read_pair(c.reg);
      check(got.*c.member == expect.*c.member,
            fmt::format("{}: {} {} (expected {})", label, c.reg, got.*c.member, expect.*c.member));
    }
    return got;
  }

  void check_memory(const std::vector<uint8_t>& expect, const std::string& label) {
    check(memory_.bytes == expect,
          label + ": memory differs from the golden model's" + first_difference(memory_.bytes, expect));
  }

  // After START of `d` at `started`: the done interrupt on time, STATUS, IRQ_STATUS, the
  // counters, the memory and LAYERS_DONE; the counters read.
  eie::ShellTiming finish_good(const LayerDescriptor& d, const Expected& e, const sc_time& started,
                               const std::string& label) {
    wait_irq(label);
    const sc_time took = sc_core::sc_time_stamp() - started;
    const sc_time expect = periods(e.timing.cycles + ShellTlm::kStartCycles);
    check(took == expect,
          fmt::format("{}: irq {} after START (expected {})", label, took.to_string(), expect.to_string()));
    const uint32_t status = read("STATUS");
    check(field("STATUS.DONE", status) == 1 && field("STATUS.BUSY", status) == 0,
          fmt::format("{}: STATUS 0x{:x}", label, status));
    check(read("IRQ_STATUS") == bits({"IRQ_STATUS.DONE"}),
          label + ": IRQ_STATUS not the done interrupt alone");
    const eie::ShellTiming got = check_counters(e.timing, label);
    check_memory(e.memory, label);
    check(read("LAYERS_DONE") == ++layers_done_, label + ": LAYERS_DONE");
    clear_irq(label);
    if (!d.keep_weights) loaded_ = d;
    return got;
  }

  eie::ShellTiming run_good(const LayerDescriptor& d, const std::string& label) {
    const Expected e = expect_good(d, label);
    const eie::ShellTiming got = finish_good(d, e, start(d), label);
    check(read("ERROR_CODE") == 0 && read_field("STATUS.ERROR") == 0, label + ": an error reported");
    return got;
  }

  // After START of a layer that ends with `code` (non-zero): the error interrupt within
  // `limit`, ERROR_CODE, STATUS, IRQ_STATUS, the memory and LAYERS_DONE unchanged.
  void finish_failing(uint32_t code, const std::vector<uint8_t>& expect, const std::string& label,
                      const sc_time& limit = sc_time(100, sc_core::SC_MS)) {
    wait_irq(label, limit);
    const uint32_t got = read("ERROR_CODE");
    check(code != 0 && got == code, fmt::format("{}: ERROR_CODE {} (expected {})", label, got, code));
    const uint32_t status = read("STATUS");
    check(field("STATUS.ERROR", status) == 1 && field("STATUS.DONE", status) == 0 &&
              field("STATUS.BUSY", status) == 0,
          fmt::format("{}: STATUS 0x{:x}", label, status));
    check(read("IRQ_STATUS") == bits({"IRQ_STATUS.ERROR"}),
          label + ": IRQ_STATUS not the error interrupt alone");
    check_memory(expect, label);
    check(read("LAYERS_DONE") == layers_done_, label + ": LAYERS_DONE changed");
    clear_irq(label);
  }

  void run_failing(const LayerDescriptor& d, uint32_t code, const std::vector<uint8_t>& expect,
                   const std::string& label) {
    start(d);
    finish_failing(code, expect, label);
  }

  // A layer eie::check_layer refuses with `intended` (its descriptor, its image, or
  // KEEP_WEIGHTS without that image on chip): that ERROR_CODE, no memory byte changed. A
  // failed image load forgets the image loaded before.
  void run_refused(const LayerDescriptor& d, const char* intended, const std::string& label) {
    const uint32_t code = expected_code(d);
    check(code == error(intended),
          fmt::format("{}: eie::check_layer gives {} (the test meant {})", label, code, intended));
    run_failing(d, code, std::vector<uint8_t>(memory_.bytes), label);
    if (!d.keep_weights) loaded_.reset();
  }

  // ---- the cases ------------------------------------------------------------------------
  void identity() {
    check(read_field("ENGINE.KIND") == map_.enum_value("engine", "eie"), "ENGINE.KIND not eie");
    check(read("ARRAY") == (p_.eie.pes | 1u << 16), "ARRAY not PEs | 1 << 16");
    const uint32_t hash = config::shell_config_hash(cfg_);
    check(hash != 0 && read("CONFIG_HASH") == hash, "CONFIG_HASH not config::shell_config_hash (or 0)");
  }

  void random_layers() {
    unsigned kept = 0;
    for (unsigned i = 0; i < layers_; ++i) {
      const bool keep = loaded_ && (i == 1 || chance(0.3));
      const LayerDescriptor d = keep ? keep_layer(*loaded_) : new_layer();
      const std::string label = describe(fmt::format("layer {}", i), d);
      const eie::ShellTiming got = run_good(d, label);
      if (!keep) continue;
      ++kept;
      LayerDescriptor load = d;
      load.keep_weights = false;
      const uint64_t full = expected_run(load).timing.bytes_read;
      check(got.bytes_read < full,
            fmt::format("{}: BYTES_READ {}, not below the layer's without KEEP_WEIGHTS ({})", label,
                        got.bytes_read, full));
    }
    check(layers_ < 2 || kept > 0, "no random layer with KEEP_WEIGHTS");
    std::cout << fmt::format("  {} random layers, {} of them KEEP_WEIGHTS\n", layers_, kept);
  }

  // START while a layer runs queues the descriptor (queue_depth() of them, the
  // configuration's, as the RTL): the queued layer, on the image the first one loaded
  // (OP.KEEP_WEIGHTS), follows one period after the first one's end (the RTL's idle cycle),
  // its counters its own; one START more than the queue holds ends with queue_full and
  // the error interrupt at once while the running layer goes on.
  void queued_layers() {
    check(shell_.queue_depth() == p_.queue_depth && p_.queue_depth > 0,
          "the EIE shell model's queue is not the configuration's");
    const LayerDescriptor d1 = new_layer(long_shape());
    const std::string label = describe("queue: the first layer", d1);
    const LayerDescriptor d2 = keep_layer(d1);  // its X may land where d1's was: d1 runs on that
    const Expected e1 = expect_good(d1, label);
    std::vector<uint8_t> golden = memory_.bytes;
    eie::run_layer(p_, d1, golden);
    const eie::ShellTiming t2 =
        eie::layer_cycles(p_, d2, golden, cfg_.memory.latency, cfg_.memory.bytes_per_cycle);
    eie::run_layer(p_, d2, golden);
    const sc_time started = start(d1);
    write_descriptor(d2);
    control("CTRL.START");
    for (unsigned i = 1; i < p_.queue_depth; ++i) control("CTRL.START");
    const uint32_t status = read("STATUS");
    check(field("STATUS.QUEUE_LEVEL", status) == p_.queue_depth && field("STATUS.QUEUE_FULL", status) == 1,
          fmt::format("queue: STATUS 0x{:x}, not QUEUE_LEVEL {} and QUEUE_FULL (the first layer: {} cycles)",
                      status, p_.queue_depth, e1.timing.cycles));
    control("CTRL.START");  // one more than the queue holds
    check(read("ERROR_CODE") == error("queue_full"), label + ": ERROR_CODE not queue_full");
    check(irq.read() && read("IRQ_STATUS") == bits({"IRQ_STATUS.ERROR"}),
          label + ": not the error interrupt at once");
    check(read_field("STATUS.BUSY") == 1, label + ": the running layer ended");
    write("IRQ_STATUS", bits({"IRQ_STATUS.ERROR"}));
    wait_irq(label);
    const sc_time first = sc_core::sc_time_stamp();
    check(first - started == periods(e1.timing.cycles + ShellTlm::kStartCycles), label + ": not on time");
    write("IRQ_STATUS", bits({"IRQ_STATUS.DONE"}));
    for (unsigned i = 0; i < p_.queue_depth; ++i) {  // the second layer, then its copies
      wait_irq("queue: a queued layer");
      check(sc_core::sc_time_stamp() - first == periods((i + 1) * (t2.cycles + 1)),
            fmt::format("queue: queued layer {} not {} periods after the one before", i + 1, t2.cycles + 1));
      write("IRQ_STATUS", bits({"IRQ_STATUS.DONE"}));
    }
    while (read_field("STATUS.BUSY") != 0) wait(shell_.clock_period());
    check_counters(t2, "queue: the last layer");
    check_memory(golden, "queue");
    layers_done_ += 1 + p_.queue_depth;
    check(read("LAYERS_DONE") == layers_done_, "queue: LAYERS_DONE");
    // ABORT as the first layer's interrupt rises, in the idle cycle before the queued one
    // starts: the queue is emptied and no layer is stopped (no error; the engine goes idle).
    const sc_time again = start(d1);
    write_descriptor(d2);
    control("CTRL.START");
    wait_irq("queue, then ABORT: the first layer");
    check(sc_core::sc_time_stamp() - again == periods(e1.timing.cycles + ShellTlm::kStartCycles),
          "queue, then ABORT: the first layer not on time");
    control("CTRL.ABORT");
    wait(periods(3));
    const uint32_t stopped = read("STATUS");
    check(field("STATUS.BUSY", stopped) == 0 && field("STATUS.QUEUE_LEVEL", stopped) == 0 &&
              field("STATUS.ERROR", stopped) == 0 && field("STATUS.DONE", stopped) == 1,
          fmt::format("queue, then ABORT: STATUS 0x{:x} (expected idle, nothing queued, DONE, no error)",
                      stopped));
    check(read("LAYERS_DONE") == ++layers_done_, "queue, then ABORT: LAYERS_DONE");
    eie::run_layer(p_, d1, golden);  // d1 again (d2's Y may share its slot), d2 not at all
    check_memory(golden, "queue, then ABORT");
    clear_irq("queue, then ABORT");
    loaded_ = d1;
  }

  void set_pointer(const LayerDescriptor& d, unsigned pe, uint64_t k, uint64_t v) {
    shell::store(memory_.bytes, d.b_addr + 4 * (uint64_t{pe} * (d.k + 1) + k), 4, static_cast<int64_t>(v));
  }

  // Each corruption of a good image, loaded first: the error eie::check_layer finds, then
  // KEEP_WEIGHTS (the image restored) ends with bad_field.
  void image_errors() {
    const unsigned last = p_.eie.pes - 1;
    const unsigned eb = eie::entry_bytes(p_.eie);
    const struct {
      const char* what;
      const char* code;
      std::function<void(const LayerDescriptor&)> corrupt;
    } cases[] = {
        {"image pointer below the one before", "bad_field",
         [&](const LayerDescriptor& d) {
           set_pointer(d, last, 0, eie::pointer(memory_.bytes, d, last, 1) + 1);
         }},
        {"image with more than max_entries entries in a PE", "size_range",
         [&](const LayerDescriptor& d) {
           set_pointer(d, last, d.k, eie::pointer(memory_.bytes, d, last, 0) + p_.eie.max_entries + 1);
         }},
        {"image entries past the address space", "addr_range",
         [&](const LayerDescriptor& d) {  // the last PE's (empty) columns at pointer 2^32 - 16
           for (uint64_t k = 0; k <= d.k; ++k) set_pointer(d, last, k, 0xFFFF'FFF0u);
         }},
        {"image entry below the PE's rows", "bad_field",
         [&](const LayerDescriptor& d) {  // W[0][0]'s entry moved 15 rows down PE 0's column 0
           const uint64_t at =
               d.b_addr + eie::entry_offset(p_.eie.pes, d.k) + eie::pointer(memory_.bytes, d, 0, 0) * eb;
           shell::store(memory_.bytes, at, eb, 1 | int64_t{eie::kMaxZ} << (8 * eb - eie::kZBits));
         }},
    };
    for (const auto& c : cases) {
      const LayerDescriptor d = new_layer(small_shape(), true);
      run_good(d, describe(std::string(c.what) + ", the load before", d));
      const std::vector<uint8_t> good = memory_.bytes;
      c.corrupt(d);
      run_refused(d, c.code, describe(c.what, d));
      memory_.bytes = good;
      const LayerDescriptor again = keep_layer(d);
      run_refused(again, "bad_field", describe(std::string("KEEP_WEIGHTS after ") + c.what, again));
    }
  }

  // ABORT in the middle of `d`: the error interrupt soon after, aborted, CYCLES_TOTAL
  // part of the layer's, nothing written.
  void abort_mid_layer(const LayerDescriptor& d, const std::string& label) {
    const std::vector<uint8_t> before = memory_.bytes;
    const uint64_t full = expect_good(d, label).timing.cycles;
    check(full >= 500, fmt::format("{}: the test's long layer takes only {} cycles", label, full));
    start(d);
    wait(periods(ShellTlm::kStartCycles + full / 2));
    control("CTRL.ABORT");
    finish_failing(error("aborted"), before, label, periods(3));
    const uint64_t total = read_pair("CYCLES_TOTAL");
    check(total > full / 2 && total < full,
          fmt::format("{}: CYCLES_TOTAL {} (the layer takes {})", label, total, full));
    check(read_pair("BYTES_WRITTEN") == 0, label + ": BYTES_WRITTEN not 0");
    loaded_.reset();
  }

  void forgotten_images() {
    LayerDescriptor d = new_layer();
    run_good(d, describe("load before SOFT_RESET", d));
    control("CTRL.SOFT_RESET");
    layers_done_ = 0, loaded_.reset();
    check(read("LAYERS_DONE") == 0, "SOFT_RESET: LAYERS_DONE not cleared");
    LayerDescriptor again = keep_layer(d);
    run_refused(again, "bad_field", describe("KEEP_WEIGHTS after SOFT_RESET", again));

    d = new_layer(long_shape());
    run_good(d, describe("load before ABORT", d));
    again = keep_layer(d, long_shape());
    abort_mid_layer(again, describe("ABORT of KEEP_WEIGHTS", again));
    again = keep_layer(d);
    run_refused(again, "bad_field", describe("KEEP_WEIGHTS after ABORT", again));

    d = new_layer();
    run_good(d, describe("load before KEEP_WEIGHTS", d));
    again = keep_layer(d, {0, 0, d.n % 4 + 1});
    run_good(again, describe("KEEP_WEIGHTS with N changed", again));
  }

  // X past the memory, the image's entries past it (its pointers in its last bytes): an
  // address error reading, axi_read with the counters 0 and nothing written. OUT's second
  // row past it: axi_write, the first row written, the layer's counters.
  void bus_errors() {
    const uint64_t size = memory_.bytes.size();
    LayerDescriptor d = new_layer(small_shape(), true);
    d.a_stride = 0, d.a_addr = size - act_bytes();
    run_failing(d, error("axi_read"), std::vector<uint8_t>(memory_.bytes), describe("X past the memory", d));
    check_counters({}, "X past the memory");

    d = new_layer(small_shape(), true);
    const uint64_t pointers = eie::entry_offset(p_.eie.pes, d.k);
    std::copy_n(memory_.bytes.begin() + static_cast<std::ptrdiff_t>(d.b_addr), pointers,
                memory_.bytes.end() - static_cast<std::ptrdiff_t>(pointers));
    d.b_addr = size - pointers;
    run_failing(d, error("axi_read"), std::vector<uint8_t>(memory_.bytes),
                describe("image entries past the memory", d));
    check_counters({}, "image entries past the memory");

    d = new_layer(small_shape(), true);
    d.out_stride = 0, d.out_addr = size - uint64_t{d.m} * out_bytes(d);
    const std::string label = describe("OUT past the memory", d);
    const Expected e = expected_run(d, uint64_t{d.n} * d.m * out_bytes(d));
    run_failing(d, error("axi_write"), e.memory, label);
    check_counters(e.timing, label);
  }

  void run() override {
    for (uint8_t& b : memory_.bytes) b = static_cast<uint8_t>(rng_());
    identity();
    random_layers();
    queued_layers();
    image_errors();
    forgotten_images();
    bus_errors();
  }

  std::optional<LayerDescriptor> loaded_;  // the image the shell holds, as the test tracks it
  uint32_t layers_done_ = 0;
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  return dnngen::tlm_test::run_shell_test<Tester>("test_shell_tlm_eie", argc, argv, kMemSize, kDefaultLayers);
}
