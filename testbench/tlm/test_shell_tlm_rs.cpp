// Self-checking test of dnngen::tlm::ShellTlm on a row-stationary configuration, through
// its sockets alone (a test initiator on `regs`, a 4 MiB byte memory on `mem`, a signal on
// `irq`).
//
// Covers:
//   * identity: ENGINE.KIND row_stationary, OPS conv2d alone, ARRAY = rows | cols << 16,
//     CONFIG_HASH the configuration's config::shell_config_hash (non-zero);
//   * random conv2d layers (seeded) on CHW planes: filters 1 .. max_filter_size (square
//     or not), strides 1 .. 3, padding, channel counts that do not divide the array, every
//     output type, OUTPUT.BITS, bias, ReLU, per-tensor or per-channel scale (some table
//     shifts above 62), packed or strided ifmap and ofmap rows, each tensor in its own
//     256 KiB slot at a random element-aligned place. After each: the whole memory equals
//     rs::run_layer on a copy taken at START, every counter register equals
//     rs::layer_cycles, irq rose (CYCLES_TOTAL + kStartCycles) periods after the START
//     access, STATUS.DONE, IRQ_STATUS.DONE alone (cleared, W1C), LAYERS_DONE counts;
//   * the descriptor queue: START while a layer runs queues it (queue_depth() of them),
//     each following one period after the one before; one START more than the queue holds
//     ends with queue_full and the error interrupt at once while the layer goes on;
//   * descriptor errors (OP gemm, a size of 0, OP.CHW clear, a stride of 0, non-square
//     padding, B_STRIDE set, IN_W above ifmap_spad, a misaligned OUT stride for int16, a
//     tensor past the address space): ERROR_CODE as rs::check_descriptor gives it after the
//     check cycle (CYCLES_TOTAL 1), no memory byte changed, a good layer after each;
//   * ABORT in the middle of a layer: aborted soon after, CYCLES_TOTAL part of the
//     layer's, nothing written;
//   * bus errors: the ifmap, the weights, the bias and the per-channel table past the
//     memory (axi_read, counters 0, memory unchanged), OUT's last rows past it (axi_write,
//     the rows before them written, the layer's counters).
//
// Usage: test_shell_tlm_rs CONFIG.yaml [SEED] [LAYERS]   (defaults 1, 60; a failure prints
// the command that replays it)
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <systemc>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/tlm/shell_tlm.hpp"
#include "tlm_memory.hpp"
#include "tlm_test_host.hpp"

namespace {

namespace config = dnngen::config;
namespace rs = dnngen::rs;
namespace shell = dnngen::shell;
using dnngen::tlm::ShellTlm;
using dnngen::tlm_test::first_difference;
using sc_core::sc_time;
using shell::LayerDescriptor;

constexpr uint64_t kMemSize = 1u << 22;
constexpr unsigned kDefaultLayers = 60;

// Each tensor in its own 256 KiB slot of the memory, at a random aligned place in it.
constexpr uint64_t kSlotBytes = 0x40000;
enum Slot : uint64_t { kIfmapSlot = 1, kWeightSlot, kBiasSlot, kQuantSlot, kOutSlot, kOut2Slot };

uint32_t error(const char* name) { return shell::register_map().enum_value("error", name); }

uint64_t out_e(const LayerDescriptor& d) { return rs::ofmap_height(d); }
uint64_t out_f(const LayerDescriptor& d) { return rs::ofmap_width(d); }

// What a layer that runs leaves: the memory and the counters.
struct Expected {
  std::vector<uint8_t> memory;
  rs::ShellTiming timing;
};

class Tester : public dnngen::tlm_test::RegisterHost {
 public:
  using RegisterHost::RegisterHost;

 private:
  const rs::ShellParams p_ = rs::shell_params(cfg_);
  const unsigned ib_ = p_.rs.input_bits / 8, wb_ = p_.rs.weight_bits / 8;

  // ---- random values and layers ---------------------------------------------------------
  uint64_t place(Slot slot, unsigned align) { return slot * kSlotBytes + pick(0, 4000) / align * align; }
  uint64_t a_pitch(const LayerDescriptor& d) const {
    return d.a_stride != 0 ? d.a_stride : uint64_t{d.in_w} * ib_;
  }
  uint64_t out_pitch(const LayerDescriptor& d) const {
    return d.out_stride != 0 ? d.out_stride : out_f(d) * rs::out_bytes(d);
  }
  int64_t operand(unsigned bits) {
    if (p_.rs.is_signed) return value(-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1);
    return value(0, (int64_t{1} << bits) - 1);
  }

  // A random layer that passes rs::check_descriptor, at least `min_cycles` long, its
  // operands in memory.
  LayerDescriptor new_layer(uint64_t min_cycles = 0) {
    const config::RowStationaryConfig& c = p_.rs;
    for (;;) {
      LayerDescriptor d;
      d.op = "conv2d", d.chw = true;
      d.r = pick(1, c.max_filter_size);
      d.s = chance(0.8) ? d.r : pick(1, c.max_filter_size);
      d.stride_y = d.stride_x = chance(0.6) ? 1 : pick(2, 3);
      d.pad_y = d.pad_x = chance(0.5) ? 0 : pick(0, std::min(d.r, d.s));
      d.in_w = pick(1, c.ifmap_spad);
      d.in_c = pick(1, std::min(c.ifmap_rows, 3 * c.rows));
      d.in_h = pick(1, std::min(40u, std::max(1u, c.ifmap_rows / d.in_c)));
      d.out_c = pick(1, 2 * c.cols + 1);
      static const char* const kTypes[] = {"int8", "int16", "int32"};
      d.out_type = kTypes[pick(0, c.acc_bits > 32 ? 1 : 2)];
      if (d.out_type != "int32") {
        d.bias = chance(0.5), d.relu = chance(0.3), d.per_channel = chance(0.4);
        d.out_mult = static_cast<int32_t>(value(1, 3000));
        d.out_shift = pick(0, 16);
        if (chance(0.3)) d.out_bits = pick(2, d.out_type == "int8" ? 8 : 16);
      }
      const unsigned ob = rs::out_bytes(d);
      if (chance(0.3)) d.a_stride = static_cast<uint32_t>((d.in_w + pick(1, 5)) * ib_);
      if (chance(0.3)) d.out_stride = static_cast<uint32_t>((out_f(d) + pick(1, 4)) * ob);
      d.a_addr = place(kIfmapSlot, ib_), d.b_addr = place(kWeightSlot, wb_);
      d.bias_addr = place(kBiasSlot, 4), d.quant_addr = place(kQuantSlot, 4),
      d.out_addr = place(kOutSlot, ob);
      if (rs::check_descriptor(p_, d) != 0) continue;  // past a buffer: draw again
      if (timing(d).cycles < min_cycles) continue;
      put_operands(d);
      return d;
    }
  }

  // The ifmap rows, the weights, the bias and the per-channel table of `d`.
  void put_operands(const LayerDescriptor& d) {
    for (uint64_t row = 0; row < uint64_t{d.in_c} * d.in_h; ++row)
      for (uint64_t x = 0; x < d.in_w; ++x)
        shell::store(memory_.bytes, d.a_addr + row * a_pitch(d) + x * ib_, ib_, operand(p_.rs.input_bits));
    for (uint64_t i = 0; i < uint64_t{d.out_c} * d.in_c * d.r * d.s; ++i)
      shell::store(memory_.bytes, d.b_addr + i * wb_, wb_, operand(p_.rs.weight_bits));
    for (uint64_t k = 0; k < d.out_c; ++k) {
      shell::store(memory_.bytes, d.bias_addr + 4 * k, 4, value(-5000, 5000));
      shell::store(memory_.bytes, d.quant_addr + 8 * k, 4, value(-3000, 3000));
      shell::store(memory_.bytes, d.quant_addr + 8 * k + 4, 4, chance(0.1) ? value(63, 100) : value(0, 20));
    }
  }

  std::string describe(const std::string& what, const LayerDescriptor& d) const {
    return fmt::format("{} (conv2d C{} H{} W{} K{} R{} S{} stride {} pad {} -> {}{}{}{}{}{}{})", what, d.in_c,
                       d.in_h, d.in_w, d.out_c, d.r, d.s, d.stride_y, d.pad_y, d.out_type,
                       d.out_bits != 0 ? fmt::format(" bits {}", d.out_bits) : "", d.bias ? " bias" : "",
                       d.relu ? " relu" : "", d.per_channel ? " per-channel" : "",
                       d.a_stride != 0 ? fmt::format(" a_stride {}", d.a_stride) : "",
                       d.out_stride != 0 ? fmt::format(" out_stride {}", d.out_stride) : "");
  }

  // ---- the golden models ----------------------------------------------------------------
  rs::ShellTiming timing(const LayerDescriptor& d) const {
    return rs::layer_cycles(p_, d, cfg_.memory.latency, cfg_.memory.bytes_per_cycle);
  }
  // The memory and counters of `d` run on the memory as it is (extended by `beyond` bytes
  // the layer may write past its end, which are then cut off).
  Expected expected_run(const LayerDescriptor& d, uint64_t beyond = 0) const {
    Expected e{memory_.bytes, timing(d)};
    e.memory.resize(memory_.bytes.size() + beyond);
    rs::run_layer(p_, d, e.memory);
    e.memory.resize(memory_.bytes.size());
    return e;
  }
  Expected expect_good(const LayerDescriptor& d, const std::string& label) {
    check(rs::check_descriptor(p_, d) == 0, label + ": the test made a layer that does not run");
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

  // Every counter register against `expect`.
  void check_counters(const rs::ShellTiming& expect, const std::string& label) {
    const struct {
      const char* reg;
      uint64_t rs::ShellTiming::*member;
    } counters[] = {{"CYCLES_TOTAL", &rs::ShellTiming::cycles},
                    {"CYCLES_COMPUTE", &rs::ShellTiming::compute},
                    {"CYCLES_MEM_WAIT", &rs::ShellTiming::mem_wait},
                    {"BYTES_READ", &rs::ShellTiming::bytes_read},
                    {"BYTES_WRITTEN", &rs::ShellTiming::bytes_written}};
    for (const auto& c : counters) {
      const uint64_t got = read_pair(c.reg);
      check(got == expect.*c.member,
            fmt::format("{}: {} {} (expected {})", label, c.reg, got, expect.*c.member));
    }
  }

  void check_memory(const std::vector<uint8_t>& expect, const std::string& label) {
    check(memory_.bytes == expect,
          label + ": memory differs from the golden model's" + first_difference(memory_.bytes, expect));
  }

  void run_good(const LayerDescriptor& d, const std::string& label) {
    const Expected e = expect_good(d, label);
    const sc_time started = start(d);
    wait_irq(label);
    const sc_time took = sc_core::sc_time_stamp() - started;
    const sc_time expect = periods(e.timing.cycles + ShellTlm::kStartCycles);
    check(took == expect,
          fmt::format("{}: irq {} after START (expected {})", label, took.to_string(), expect.to_string()));
    const uint32_t status = read("STATUS");
    check(field("STATUS.DONE", status) == 1 && field("STATUS.BUSY", status) == 0 &&
              field("STATUS.ERROR", status) == 0,
          fmt::format("{}: STATUS 0x{:x}", label, status));
    check(read("ERROR_CODE") == 0, label + ": ERROR_CODE not none");
    check(read("IRQ_STATUS") == bits({"IRQ_STATUS.DONE"}),
          label + ": IRQ_STATUS not the done interrupt alone");
    check_counters(e.timing, label);
    check_memory(e.memory, label);
    check(read("LAYERS_DONE") == ++layers_done_, label + ": LAYERS_DONE");
    clear_irq(label);
  }

  // After START of a layer that ends with `code` (non-zero): the error interrupt within
  // `limit`, ERROR_CODE, STATUS, IRQ_STATUS, the memory and LAYERS_DONE unchanged.
  void finish_failing(uint32_t code, const std::vector<uint8_t>& expect, const std::string& label,
                      const sc_time& limit = sc_time(100, sc_core::SC_MS)) {
    wait_irq(label, limit);
    irq_time_ = sc_core::sc_time_stamp();
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

  // ---- the cases ------------------------------------------------------------------------
  void identity() {
    check(read_field("ENGINE.KIND") == map_.enum_value("engine", "row_stationary"),
          "ENGINE.KIND not row_stationary");
    check(read("ARRAY") == (p_.rs.rows | p_.rs.cols << 16), "ARRAY not rows | cols << 16");
    check(shell_.queue_depth() == p_.queue_depth && p_.queue_depth > 0,
          "the row-stationary shell model's queue is not the configuration's");
    const uint32_t hash = config::shell_config_hash(cfg_);
    check(hash != 0 && read("CONFIG_HASH") == hash, "CONFIG_HASH not config::shell_config_hash (or 0)");
  }

  void random_layers() {
    for (unsigned i = 0; i < layers_; ++i) {
      const LayerDescriptor d = new_layer();
      run_good(d, describe(fmt::format("layer {}", i), d));
    }
    std::cout << fmt::format("  {} random layers\n", layers_);
  }

  // START while a layer runs queues the descriptor (the second's output in another slot):
  // the queued layers follow one period after the one before, their counters their own;
  // one START more than the queue holds ends with queue_full and the error interrupt at
  // once while the running layer goes on.
  void queued_layers() {
    const LayerDescriptor d1 = new_layer(500);  // long enough to queue behind
    LayerDescriptor d2 = d1;
    d2.out_addr += (kOut2Slot - kOutSlot) * kSlotBytes;
    const std::string label = describe("queue: the first layer", d1);
    const Expected e1 = expect_good(d1, label);
    std::vector<uint8_t> golden = e1.memory;
    rs::run_layer(p_, d2, golden);
    const uint64_t c2 = timing(d2).cycles;
    const sc_time started = start(d1);
    write_descriptor(d2);
    for (unsigned i = 0; i < p_.queue_depth; ++i) control("CTRL.START");
    const uint32_t status = read("STATUS");
    check(field("STATUS.QUEUE_LEVEL", status) == p_.queue_depth && field("STATUS.QUEUE_FULL", status) == 1,
          fmt::format("queue: STATUS 0x{:x}, not QUEUE_LEVEL {} and QUEUE_FULL", status, p_.queue_depth));
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
    for (unsigned i = 0; i < p_.queue_depth; ++i) {
      wait_irq("queue: a queued layer");
      check(sc_core::sc_time_stamp() - first == periods((i + 1) * (c2 + 1)),
            fmt::format("queue: queued layer {} not {} periods after the one before", i + 1, c2 + 1));
      write("IRQ_STATUS", bits({"IRQ_STATUS.DONE"}));
    }
    while (read_field("STATUS.BUSY") != 0) wait(shell_.clock_period());
    check_counters(timing(d2), "queue: the last layer");
    check_memory(golden, "queue");
    layers_done_ += 1 + p_.queue_depth;
    check(read("LAYERS_DONE") == layers_done_, "queue: LAYERS_DONE");
    clear_irq("queue");
  }

  // Descriptors rs::check_descriptor refuses: its code after the check cycle, nothing
  // written; a good layer after each.
  void descriptor_errors() {
    const struct {
      const char* what;
      const char* code;
      std::function<void(LayerDescriptor&)> spoil;
    } cases[] = {
        {"OP gemm", "bad_op", [](LayerDescriptor& d) { d.op = "gemm"; }},
        {"IN_C 0", "zero_size", [](LayerDescriptor& d) { d.in_c = 0; }},
        {"KERNEL.S 0", "zero_size", [](LayerDescriptor& d) { d.s = 0; }},
        {"OP.CHW clear", "bad_field", [](LayerDescriptor& d) { d.chw = false; }},
        {"stride 0", "bad_field", [](LayerDescriptor& d) { d.stride_y = d.stride_x = 0; }},
        {"non-square padding", "bad_field", [](LayerDescriptor& d) { d.pad_x = d.pad_y + 1; }},
        {"B_STRIDE set", "bad_field", [](LayerDescriptor& d) { d.b_stride = 64; }},
        {"IN_W above ifmap_spad", "size_range",
         [this](LayerDescriptor& d) { d.in_w = p_.rs.ifmap_spad + 1; }},
        {"odd OUT_STRIDE for int16", "addr_align",
         [](LayerDescriptor& d) { d.out_type = "int16", d.out_stride = 2 * out_f(d) + 1; }},
        {"OUT past the address space", "addr_range",
         [](LayerDescriptor& d) { d.out_type = "int8", d.out_bits = 0, d.out_addr = 0xFFFF'FFF0u; }},
    };
    for (const auto& c : cases) {
      LayerDescriptor d = new_layer();
      d.r = d.s = 1, d.pad_y = d.pad_x = 0, d.stride_y = d.stride_x = 1;  // only the spoil fails
      d.out_stride = 0;
      c.spoil(d);
      const std::string label = describe(c.what, d);
      const uint32_t code = rs::check_descriptor(p_, d);
      check(code == error(c.code),
            fmt::format("{}: rs::check_descriptor gives {} (the test meant {})", label, code, c.code));
      const sc_time started = start(d);
      finish_failing(code, std::vector<uint8_t>(memory_.bytes), label);
      check(read_pair("CYCLES_TOTAL") == 1, label + ": CYCLES_TOTAL not 1 (the check cycle)");
      check(irq_time_ - started == periods(1 + ShellTlm::kStartCycles),
            label + ": the error interrupt not one period after the START cycle");
      const LayerDescriptor good = new_layer();
      run_good(good, describe(std::string("after ") + c.what, good));
    }
  }

  // ABORT in the middle of a layer: the error interrupt soon after, aborted, CYCLES_TOTAL
  // part of the layer's, nothing written.
  void abort_mid_layer() {
    const LayerDescriptor d = new_layer(500);
    const std::string label = describe("ABORT", d);
    const std::vector<uint8_t> before = memory_.bytes;
    const uint64_t full = timing(d).cycles;
    start(d);
    wait(periods(ShellTlm::kStartCycles + full / 2));
    control("CTRL.ABORT");
    finish_failing(error("aborted"), before, label, periods(3));
    const uint64_t total = read_pair("CYCLES_TOTAL");
    check(total > full / 2 && total < full,
          fmt::format("{}: CYCLES_TOTAL {} (the layer takes {})", label, total, full));
    check(read_pair("BYTES_WRITTEN") == 0, label + ": BYTES_WRITTEN not 0");
  }

  // Each input tensor past the memory (its last element just beyond it): axi_read with
  // the counters 0 and nothing written. OUT's second half of rows past it: axi_write, the
  // rows before them written, the layer's counters.
  void bus_errors() {
    const uint64_t size = memory_.bytes.size();
    // The address that puts the last `elem` bytes of a tensor of `span` bytes past the memory.
    auto past = [&](uint64_t span, unsigned elem) { return size + elem - span; };
    auto spoiled = [&](const char* what, const std::function<void(LayerDescriptor&)>& spoil) {
      LayerDescriptor d = new_layer();
      while (d.out_type == "int32") d = new_layer();  // the bias and table are read
      d.bias = d.per_channel = true;
      spoil(d);
      const std::string label = describe(what, d);
      check(rs::check_descriptor(p_, d) == 0, label + ": the test made a layer that does not run");
      start(d);
      finish_failing(error("axi_read"), std::vector<uint8_t>(memory_.bytes), label);
      check_counters({}, label);
    };
    spoiled("ifmap past the memory", [&](LayerDescriptor& d) {
      d.a_addr = past((uint64_t{d.in_c} * d.in_h - 1) * a_pitch(d) + uint64_t{d.in_w} * ib_, ib_);
    });
    spoiled("weights past the memory",
            [&](LayerDescriptor& d) { d.b_addr = past(uint64_t{d.out_c} * d.in_c * d.r * d.s * wb_, wb_); });
    spoiled("bias past the memory",
            [&](LayerDescriptor& d) { d.bias_addr = past(4 * uint64_t{d.out_c}, 4); });
    spoiled("scale table past the memory",
            [&](LayerDescriptor& d) { d.quant_addr = past(8 * uint64_t{d.out_c}, 4); });

    // Rows from the middle one on past the memory (the first of them starts at its end).
    LayerDescriptor d = new_layer();
    const uint64_t rows = uint64_t{d.out_c} * out_e(d);
    d.out_addr = size - (rows / 2) * out_pitch(d);
    const std::string label = describe("OUT past the memory", d);
    const Expected e = expected_run(d, rows * out_pitch(d));
    start(d);
    finish_failing(error("axi_write"), e.memory, label);
    check_counters(e.timing, label);
  }

  void run() override {
    for (uint8_t& b : memory_.bytes) b = static_cast<uint8_t>(rng_());
    identity();
    random_layers();
    queued_layers();
    descriptor_errors();
    abort_mid_layer();
    bus_errors();
  }

  uint32_t layers_done_ = 0;
  sc_time irq_time_;  // when the last failing layer's interrupt rose
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  return dnngen::tlm_test::run_shell_test<Tester>("test_shell_tlm_rs", argc, argv, kMemSize, kDefaultLayers);
}
