// Self-checking test of dnngen::tlm::ShellSystolicTlm through its sockets alone (a test
// initiator on `regs`, a byte memory on `mem`, a signal on `irq`).
//
// Covers, for the configuration given (WS or OS):
//   * refused register accesses: byte enables, lengths 2 and 8, a short streaming width, a
//     misaligned offset, an offset without a register (SLVERR) and one past 2^32; each
//     gives its response status and a last_error(); TLM_IGNORE_COMMAND is accepted;
//   * random layers (seeded): gemm with every output type, bias, ReLU, per-channel or
//     per-tensor requantisation, packed or strided rows, tensors at random aligned
//     addresses; and conv2d with random filter, stride and padding. Programmed with
//     shell::encode's register image and CTRL.START; afterwards the whole memory equals
//     systolic::run_layer on a copy, irq rose exactly layer_cycles x period after the START
//     access, CYCLES_TOTAL and BYTES_READ equal LayerTiming, LAYERS_DONE counts the layers;
//   * ABORT while a layer runs: the error interrupt a few periods later (not at the layer's
//     end), ERROR_CODE aborted, CYCLES_TOTAL below the layer's, memory unchanged.
//
// Usage: test_shell_tlm CONFIG.yaml [SEED] [LAYERS]   (defaults 1, 200; failures print the
// replay command)
#include <fmt/format.h>

#include <cstdint>
#include <random>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen/tlm/shell_tlm.hpp"
#include "tlm_test_host.hpp"

namespace {

namespace config = dnngen::config;
namespace shell = dnngen::shell;
namespace systolic = dnngen::systolic;
using ShellTlm = dnngen::tlm::ShellTlm;
using sc_core::sc_time;

constexpr uint64_t kMemSize = 1u << 20;
constexpr unsigned kDefaultLayers = 200;

class Tester : public dnngen::tlm_test::RegisterHost {
 public:
  using RegisterHost::RegisterHost;

 private:
  const systolic::ShellParams params_ = systolic::shell_params(cfg_);

  // The layer's cycles and bytes read by systolic::layer_cycles (on the memory as it is).
  systolic::LayerTiming timing(const shell::LayerDescriptor& d) const {
    return systolic::layer_cycles(params_, d, memory_.bytes, cfg_.memory.latency,
                                  cfg_.memory.bytes_per_cycle);
  }
  void enable_irqs() { write("IRQ_ENABLE", bits({"IRQ_ENABLE.DONE", "IRQ_ENABLE.ERROR"})); }
  void clear_irqs() { write("IRQ_STATUS", bits({"IRQ_STATUS.DONE", "IRQ_STATUS.ERROR"})); }

  void refused_accesses() {
    uint32_t v = 0;
    unsigned char be[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    const uint32_t id = map_.reg("ID").offset;
    const struct {
      const char* what;
      tlm::tlm_response_status got, expect;
    } cases[] = {
        {"byte enables", transport(tlm::TLM_READ_COMMAND, id, v, 4, 4, be),
         tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE},
        {"length 2", transport(tlm::TLM_READ_COMMAND, id, v, 2, 2), tlm::TLM_GENERIC_ERROR_RESPONSE},
        {"length 8", transport(tlm::TLM_WRITE_COMMAND, id, v, 8, 8), tlm::TLM_GENERIC_ERROR_RESPONSE},
        {"streaming width 2", transport(tlm::TLM_READ_COMMAND, id, v, 4, 2), tlm::TLM_BURST_ERROR_RESPONSE},
        {"misaligned", transport(tlm::TLM_READ_COMMAND, 0x102, v), tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"no register (0xFFC)", transport(tlm::TLM_READ_COMMAND, 0xFFC, v), tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"no register, write", transport(tlm::TLM_WRITE_COMMAND, 0xFFC, v), tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"offset 2^32", transport(tlm::TLM_READ_COMMAND, uint64_t{1} << 32, v),
         tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"ignore command", transport(tlm::TLM_IGNORE_COMMAND, id, v), tlm::TLM_OK_RESPONSE},
    };
    for (const auto& c : cases)
      check(c.got == c.expect,
            fmt::format("{}: response {} (expected {})", c.what, dnngen::tlm_test::response_name(c.got),
                        dnngen::tlm_test::response_name(c.expect)));
    check(!shell_.last_error().empty(), "last_error() is empty after refused accesses");
    check(read("ID") == map_.id, "ID register");
    check(read("CONFIG_HASH") == params_.config_hash && params_.config_hash != 0,
          "CONFIG_HASH register: the configuration's config::shell_config_hash");
  }

  // A random layer that runs, its tensors in disjoint 64 KiB slots of the memory.
  shell::LayerDescriptor random_layer() {
    auto pick = [&](uint64_t lo, uint64_t hi) {
      return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
    };
    const systolic::ShellParams p = params_;
    const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8;
    shell::LayerDescriptor d;
    const char* types[] = {"int8", "int16", "int32"};
    d.out_type = types[pick(0, p.acc_bits > 32 ? 1 : 2)];
    d.bias = pick(0, 1), d.relu = pick(0, 1), d.per_channel = pick(0, 1);
    d.out_mult = static_cast<int32_t>(pick(1, 30000)) - 5000;
    d.out_shift = static_cast<uint32_t>(pick(0, 24));
    if (p.bitserial) {  // fixed (activations wider than it cut to it) or detected
      d.auto_precision = pick(0, 3) == 0;
      d.precision = static_cast<uint32_t>(pick(0, p.in_bits));
    }
    const unsigned o_b = systolic::out_bytes(d);
    uint64_t a_row = 0;
    if (pick(0, 3) == 0) {
      d.op = "conv2d";
      d.r = pick(1, 3), d.s = pick(1, 3), d.stride_y = pick(1, 2), d.stride_x = pick(1, 2);
      d.pad_y = pick(0, d.r - 1), d.pad_x = pick(0, d.s - 1);
      d.in_h = pick(d.r, 7), d.in_w = pick(d.s, 7), d.in_c = pick(1, 4), d.out_c = pick(1, 9);
      a_row = uint64_t{d.in_w} * d.in_c * in_b;
    } else {
      d.m = pick(1, 20), d.n = pick(1, 20), d.k = pick(1, 20);
      a_row = uint64_t{d.k} * in_b;
    }
    const systolic::GemmView v = systolic::gemm_view(p, d);
    auto stride = [&](uint64_t row, unsigned elem) {
      return pick(0, 1) ? 0u : static_cast<uint32_t>(row + elem * pick(0, 5));
    };
    d.a_stride = stride(a_row, in_b), d.b_stride = stride(v.b_row_bytes, w_b);
    d.out_stride = stride(v.out_row_bytes, o_b);
    auto place = [&](unsigned slot, unsigned align) {
      return slot * 0x10000 + pick(0, 4000) / align * align;
    };
    d.a_addr = place(1, in_b), d.b_addr = place(3, w_b), d.out_addr = place(5, o_b);
    d.bias_addr = place(7, 4), d.quant_addr = place(8, 4);
    return d;
  }

  void fill_memory() {
    for (auto& b : memory_.bytes) b = static_cast<uint8_t>(rng_());
    // Per-channel tables (slot 8): multipliers below 2^16 and shifts below 31, so the
    // outputs are not all saturated or zero.
    for (uint64_t a = 8 * 0x10000; a < 9 * 0x10000; a += 8) {
      memory_.bytes[a + 2] = memory_.bytes[a + 3] = 0;
      memory_.bytes[a + 4] = static_cast<uint8_t>(rng_() % 31);
      memory_.bytes[a + 5] = memory_.bytes[a + 6] = memory_.bytes[a + 7] = 0;
    }
  }

  void run_layers() {
    uint32_t done_before = read("LAYERS_DONE");
    for (unsigned i = 0; i < layers_; ++i) {
      const shell::LayerDescriptor d = random_layer();
      const std::string label = fmt::format("layer {} ({} {}x{}x{} conv {}x{}, out {})", i, d.op, d.m, d.n,
                                            d.k, d.r, d.s, d.out_type);
      check(systolic::check_descriptor(params_, d) == 0, label + ": the test made a bad descriptor");
      fill_memory();
      std::vector<uint8_t> golden = memory_.bytes;
      systolic::run_layer(params_, d, golden);
      const systolic::LayerTiming t = timing(d);
      write_descriptor(d);
      enable_irqs();
      control("CTRL.START");
      const sc_time start = sc_core::sc_time_stamp();
      check(read_field("STATUS.BUSY") == 1, label + ": STATUS.BUSY not set after START");
      wait_irq(label);
      const sc_time took = sc_core::sc_time_stamp() - start;
      const sc_time expect = periods(t.cycles + ShellTlm::kStartCycles);
      check(took == expect,
            fmt::format("{}: irq after {} (expected {})", label, took.to_string(), expect.to_string()));
      check(read("ERROR_CODE") == 0, label + ": ERROR_CODE not none");
      check(read_pair("CYCLES_TOTAL") == t.cycles, label + ": CYCLES_TOTAL");
      check(read_pair("BYTES_READ") == t.bytes_read, label + ": BYTES_READ");
      check(memory_.bytes == golden, label + ": memory differs from run_layer");
      clear_irqs();
      check(read("LAYERS_DONE") == ++done_before, label + ": LAYERS_DONE");
    }
  }

  void abort_layer() {
    shell::LayerDescriptor d;
    d.m = d.n = d.k = 20;
    d.a_addr = 0x10000, d.b_addr = 0x30000, d.out_addr = 0x50000;
    fill_memory();
    const std::vector<uint8_t> before = memory_.bytes;
    write_descriptor(d);
    enable_irqs();
    const uint64_t full = timing(d).cycles;
    control("CTRL.START");
    const sc_core::sc_time started = sc_core::sc_time_stamp();
    control("CTRL.ABORT");
    wait_irq("abort");
    const double periods = (sc_core::sc_time_stamp() - started) / shell_.clock_period();
    check(periods < 8, fmt::format("abort: the interrupt came {} periods after START (the layer takes {})",
                                   periods, full));
    check(read("ERROR_CODE") == map_.enum_value("error", "aborted"), "abort: ERROR_CODE not aborted");
    const uint64_t total = read_pair("CYCLES_TOTAL");
    check(total >= 1 && total < full,
          fmt::format("abort: CYCLES_TOTAL {} (the layer takes {})", total, full));
    check(memory_.bytes == before, "abort: memory changed");
    clear_irqs();
  }

  // Two layers started back to back (the second's descriptor written while the first runs,
  // its output 384 KiB further on), a third START refused with the queue full: both
  // outputs as run_layer's, the second done interrupt its cycles + 1 periods after the first.
  void queued_layers() {
    // The first layer long enough to queue behind (the second's registers take 40-odd
    // periods to write).
    shell::LayerDescriptor d1 = random_layer();
    auto cycles = [&](const shell::LayerDescriptor& d) { return timing(d).cycles; };
    for (int i = 0; i < 1000 && cycles(d1) < 500; ++i) d1 = random_layer();
    check(cycles(d1) >= 500, "queue: no random layer of 500 cycles or more");
    shell::LayerDescriptor d2 = d1;
    d2.out_addr += 0x60000;
    fill_memory();
    std::vector<uint8_t> golden = memory_.bytes;
    systolic::run_layer(params_, d1, golden);
    systolic::run_layer(params_, d2, golden);
    const uint64_t c2 = cycles(d2);
    write("IRQ_ENABLE", bits({"IRQ_ENABLE.DONE"}));
    write_descriptor(d1);
    control("CTRL.START");
    write_descriptor(d2);
    control("CTRL.START");
    check(read_field("STATUS.QUEUE_LEVEL") == 1, "queue: QUEUE_LEVEL not 1 after the second START");
    for (unsigned i = 1; i < params_.queue_depth; ++i) control("CTRL.START");
    control("CTRL.START");  // one more than the queue holds
    check(read("ERROR_CODE") == map_.enum_value("error", "queue_full"), "queue: ERROR_CODE not queue_full");
    wait_irq("queue: the first layer");
    const sc_time first = sc_core::sc_time_stamp();
    write("IRQ_STATUS", bits({"IRQ_STATUS.DONE"}));
    wait_irq("queue: the second layer");
    const sc_time gap = sc_core::sc_time_stamp() - first;
    check(gap == periods(c2 + 1),
          fmt::format("queue: second interrupt {} after the first (expected {} periods)", gap.to_string(),
                      c2 + 1));
    while (read_field("STATUS.BUSY") != 0) wait(shell_.clock_period());
    check(memory_.bytes == golden, "queue: memory differs from run_layer of both layers");
    clear_irqs();
    enable_irqs();
  }

  void run() override {
    refused_accesses();
    run_layers();
    queued_layers();
    abort_layer();
  }
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  return dnngen::tlm_test::run_shell_test<Tester>("test_shell_tlm", argc, argv, kMemSize, kDefaultLayers);
}
