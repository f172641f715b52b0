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
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <iostream>
#include <random>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen/tlm/shell_tlm.hpp"
#include "tlm_memory.hpp"

namespace {

namespace config = dnngen::config;
namespace shell = dnngen::shell;
namespace systolic = dnngen::systolic;
using ShellTlm = dnngen::tlm::ShellTlm;
using sc_core::sc_time;

constexpr uint64_t kMemSize = 1u << 20;

using dnngen::tlm_test::Memory;

struct Tester : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Tester> socket;
  sc_core::sc_in<bool> irq;
  int failures = 0;

  SC_HAS_PROCESS(Tester);
  Tester(sc_core::sc_module_name name, const config::Config& cfg, Memory& memory, ShellTlm& shell,
         std::string replay, uint64_t seed, unsigned layers)
      : sc_module(name),
        socket("socket"),
        irq("irq"),
        cfg_(cfg),
        params_(systolic::shell_params(cfg)),
        memory_(memory),
        shell_(shell),
        replay_(std::move(replay)),
        rng_(seed),
        layers_(layers) {
    SC_THREAD(run);
  }

 private:
  const shell::RegisterMap& map_ = shell::register_map();

  void check(bool ok, const std::string& what) {
    if (ok) return;
    ++failures;
    std::cout << "FAIL: " << what << "\n  replay: " << replay_ << "\n";
  }

  // One access as the test describes it; returns the response status.
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t offset, uint32_t* value, unsigned len = 4,
                                  unsigned streaming = 4, unsigned char* byte_enable = nullptr) {
    tlm::tlm_generic_payload t;
    sc_time delay = sc_core::SC_ZERO_TIME;
    uint8_t buffer[8] = {};
    if (len <= 4) std::memcpy(buffer, value, 4);
    t.set_command(cmd);
    t.set_address(offset);
    t.set_data_ptr(buffer);
    t.set_data_length(len);
    t.set_streaming_width(streaming);
    t.set_byte_enable_ptr(byte_enable);
    t.set_byte_enable_length(byte_enable ? 4 : 0);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(t, delay);
    wait(delay);
    if (len <= 4) std::memcpy(value, buffer, 4);
    return t.get_response_status();
  }
  uint32_t read(const std::string& reg) {
    uint32_t v = 0;
    check(access(tlm::TLM_READ_COMMAND, map_.reg(reg).offset, &v) == tlm::TLM_OK_RESPONSE, "read " + reg);
    return v;
  }
  void write(uint32_t offset, uint32_t v) {
    check(access(tlm::TLM_WRITE_COMMAND, offset, &v) == tlm::TLM_OK_RESPONSE,
          fmt::format("write 0x{:x}", offset));
  }
  uint64_t read_pair(const std::string& reg) {
    const uint64_t lo = read(reg);  // _LO first: the register name is the pair's
    uint32_t hi = 0;
    access(tlm::TLM_READ_COMMAND, map_.reg(reg).offset + 4, &hi);
    return lo | uint64_t{hi} << 32;
  }

  void refused_accesses() {
    uint32_t v = 0;
    unsigned char be[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    const uint32_t id = map_.reg("ID").offset;
    const struct {
      const char* what;
      tlm::tlm_response_status got, expect;
    } cases[] = {
        {"byte enables", access(tlm::TLM_READ_COMMAND, id, &v, 4, 4, be),
         tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE},
        {"length 2", access(tlm::TLM_READ_COMMAND, id, &v, 2, 2), tlm::TLM_GENERIC_ERROR_RESPONSE},
        {"length 8", access(tlm::TLM_WRITE_COMMAND, id, &v, 8, 8), tlm::TLM_GENERIC_ERROR_RESPONSE},
        {"streaming width 2", access(tlm::TLM_READ_COMMAND, id, &v, 4, 2), tlm::TLM_BURST_ERROR_RESPONSE},
        {"misaligned", access(tlm::TLM_READ_COMMAND, 0x102, &v), tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"no register (0xFFC)", access(tlm::TLM_READ_COMMAND, 0xFFC, &v), tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"no register, write", access(tlm::TLM_WRITE_COMMAND, 0xFFC, &v), tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"offset 2^32", access(tlm::TLM_READ_COMMAND, uint64_t{1} << 32, &v),
         tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"ignore command", access(tlm::TLM_IGNORE_COMMAND, id, &v), tlm::TLM_OK_RESPONSE},
    };
    for (const auto& c : cases)
      check(c.got == c.expect, fmt::format("{}: response {} (expected {})", c.what, static_cast<int>(c.got),
                                           static_cast<int>(c.expect)));
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
      const systolic::LayerTiming t =
          systolic::layer_cycles(params_, d, cfg_.memory.latency, cfg_.memory.bytes_per_cycle);
      for (const auto& [offset, word] : shell::encode(d)) write(offset, word);
      write(map_.reg("IRQ_ENABLE").offset, 3);
      write(map_.reg("CTRL").offset, 1);
      const sc_time start = sc_core::sc_time_stamp();
      check((read("STATUS") & 1) != 0, label + ": STATUS.BUSY not set after START");
      while (!irq.read()) wait(irq.value_changed_event());
      const sc_time took = sc_core::sc_time_stamp() - start;
      const sc_time expect =
          sc_time::from_value((t.cycles + ShellTlm::kStartCycles) * shell_.clock_period().value());
      check(took == expect,
            fmt::format("{}: irq after {} (expected {})", label, took.to_string(), expect.to_string()));
      check(read("ERROR_CODE") == 0, label + ": ERROR_CODE not none");
      check(read_pair("CYCLES_TOTAL") == t.cycles, label + ": CYCLES_TOTAL");
      check(read_pair("BYTES_READ") == t.bytes_read, label + ": BYTES_READ");
      check(memory_.bytes == golden, label + ": memory differs from run_layer");
      write(map_.reg("IRQ_STATUS").offset, 3);
      check(read("LAYERS_DONE") == ++done_before, label + ": LAYERS_DONE");
    }
  }

  void abort_layer() {
    shell::LayerDescriptor d;
    d.m = d.n = d.k = 20;
    d.a_addr = 0x10000, d.b_addr = 0x30000, d.out_addr = 0x50000;
    fill_memory();
    const std::vector<uint8_t> before = memory_.bytes;
    for (const auto& [offset, word] : shell::encode(d)) write(offset, word);
    write(map_.reg("IRQ_ENABLE").offset, 3);
    const uint64_t full =
        systolic::layer_cycles(params_, d, cfg_.memory.latency, cfg_.memory.bytes_per_cycle).cycles;
    write(map_.reg("CTRL").offset, 1);
    const sc_core::sc_time started = sc_core::sc_time_stamp();
    write(map_.reg("CTRL").offset, 2);  // ABORT
    while (!irq.read()) wait(irq.value_changed_event());
    const double periods = (sc_core::sc_time_stamp() - started) / shell_.clock_period();
    check(periods < 8, fmt::format("abort: the interrupt came {} periods after START (the layer takes {})",
                                   periods, full));
    check(read("ERROR_CODE") == map_.enum_value("error", "aborted"), "abort: ERROR_CODE not aborted");
    const uint64_t total = read_pair("CYCLES_TOTAL");
    check(total >= 1 && total < full,
          fmt::format("abort: CYCLES_TOTAL {} (the layer takes {})", total, full));
    check(memory_.bytes == before, "abort: memory changed");
    write(map_.reg("IRQ_STATUS").offset, 3);
  }

  // Two layers started back to back (the second's descriptor written while the first runs,
  // its output 384 KiB further on), a third START refused with the queue full: both
  // outputs as run_layer's, the second done interrupt its cycles + 1 periods after the first.
  void queued_layers() {
    // The first layer long enough to queue behind (the second's registers take 40-odd
    // periods to write).
    shell::LayerDescriptor d1 = random_layer();
    auto cycles = [&](const shell::LayerDescriptor& d) {
      return systolic::layer_cycles(params_, d, cfg_.memory.latency, cfg_.memory.bytes_per_cycle).cycles;
    };
    for (int i = 0; i < 1000 && cycles(d1) < 500; ++i) d1 = random_layer();
    check(cycles(d1) >= 500, "queue: no random layer of 500 cycles or more");
    shell::LayerDescriptor d2 = d1;
    d2.out_addr += 0x60000;
    fill_memory();
    std::vector<uint8_t> golden = memory_.bytes;
    systolic::run_layer(params_, d1, golden);
    systolic::run_layer(params_, d2, golden);
    const uint64_t c2 = cycles(d2);
    write(map_.reg("IRQ_ENABLE").offset, 1);
    for (const auto& [offset, word] : shell::encode(d1)) write(offset, word);
    write(map_.reg("CTRL").offset, 1);
    for (const auto& [offset, word] : shell::encode(d2)) write(offset, word);
    write(map_.reg("CTRL").offset, 1);
    check(((read("STATUS") >> 8) & 0xF) == 1, "queue: QUEUE_LEVEL not 1 after the second START");
    for (unsigned i = 1; i < params_.queue_depth; ++i) write(map_.reg("CTRL").offset, 1);
    write(map_.reg("CTRL").offset, 1);  // one more than the queue holds
    check(read("ERROR_CODE") == map_.enum_value("error", "queue_full"), "queue: ERROR_CODE not queue_full");
    while (!irq.read()) wait(irq.value_changed_event());
    const sc_time first = sc_core::sc_time_stamp();
    write(map_.reg("IRQ_STATUS").offset, 1);
    while (!irq.read()) wait(irq.value_changed_event());
    const sc_time gap = sc_core::sc_time_stamp() - first;
    check(gap == sc_time::from_value((c2 + 1) * shell_.clock_period().value()),
          fmt::format("queue: second interrupt {} after the first (expected {} periods)", gap.to_string(),
                      c2 + 1));
    while ((read("STATUS") & 1) != 0) wait(shell_.clock_period());
    check(memory_.bytes == golden, "queue: memory differs from run_layer of both layers");
    write(map_.reg("IRQ_STATUS").offset, 3);
    write(map_.reg("IRQ_ENABLE").offset, 3);
  }

  void run() {
    refused_accesses();
    run_layers();
    queued_layers();
    abort_layer();
    sc_core::sc_stop();
  }

  const config::Config& cfg_;
  const systolic::ShellParams params_;
  Memory& memory_;
  ShellTlm& shell_;
  std::string replay_;
  std::mt19937_64 rng_;
  unsigned layers_;
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc < 2 || argc > 4) {
    std::cerr << "usage: " << argv[0] << " CONFIG.yaml [SEED] [LAYERS]\n";
    return 2;
  }
  try {
    const config::Config cfg = config::load_config(argv[1]);
    const uint64_t seed = argc >= 3 ? std::stoull(argv[2]) : 1;
    const unsigned layers = argc >= 4 ? std::stoul(argv[3]) : 200;
    const std::string replay = fmt::format("{} {} {} {}", argv[0], argv[1], seed, layers);
    std::cout << fmt::format("test_shell_tlm: {} (seed {}, {} layers)\n", cfg.name, seed, layers);
    Memory memory("memory", kMemSize);
    ShellTlm shell("shell", cfg, sc_time(1, sc_core::SC_NS));
    Tester tester("tester", cfg, memory, shell, replay, seed, layers);
    sc_core::sc_signal<bool> irq("irq");
    tester.socket.bind(shell.regs);
    shell.mem.bind(memory.socket);
    shell.irq(irq);
    tester.irq(irq);
    sc_core::sc_start();
    std::cout << fmt::format("test_shell_tlm: {}\n", tester.failures == 0
                                                         ? "PASS"
                                                         : fmt::format("FAIL ({} checks)", tester.failures));
    return tester.failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "test_shell_tlm: " << e.what() << "\n";
    return 1;
  }
}
