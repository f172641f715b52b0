// A virtual platform around dnngen::tlm::ShellTlm, self-checking: a host thread runs the C
// driver (vp_driver.c, registers only through the generated dnngen_regs.h) against the
// shell model over a small interconnect, as firmware would.
//
//   host (initiator) --+                  +--> shell.regs   0x4000_0000 .. +0x1000 (rebased to 0)
//                      +--> router.in --> |
//   shell.mem ---------+                  +--> memory       0x0000_0000 .. +1 MiB (bytes, 0 latency)
//   shell.irq --> sc_signal<bool> --> host.irq
//
// Runs, for the configuration given (a systolic, bit-serial or row-stationary preset with a
// shell, or an EIE preset whose sums fit the int32 output), the program
// of vp_network.hpp (which the RTL platform, testbench/shell/test_shell_vp.cpp, shares): a
// two-layer network (the second layer reads the first's output; EIE: then the second again
// with its weights kept on chip), layers that end in errors, and a good layer again. After
// every layer:
//   * the ERROR_CODE, STATUS and the interrupt cause the driver cleared are the expected;
//   * the whole memory equals the engine's golden layer model applied to a host-side copy
//     (so OUT rows are right and no other byte changed);
//   * for a layer that finishes, every counter read back (_LO then _HI) equals the engine's
//     cycle model, and the simulated time from the START access to the interrupt equals
//     (CYCLES_TOTAL + ShellTlm::kStartCycles) x period, as on the RTL; a descriptor error
//     (M = 0) ends one period after the START cycle with CYCLES_TOTAL 1.
//
// Usage: tlm_vp CONFIG.yaml [SEED]   (default seed 1; failures print the replay command)
#include <fmt/format.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/tlm/shell_tlm.hpp"
#include "dnngen_regs.h"
#include "tlm_memory.hpp"
#include "vp_driver.h"
#include "vp_network.hpp"

namespace {

namespace config = dnngen::config;
namespace shell = dnngen::shell;
namespace vp = dnngen::vp;
using ShellTlm = dnngen::tlm::ShellTlm;
using sc_core::sc_time;

constexpr uint64_t kRegBase = 0x4000'0000;
const sc_time kIrqLimit(100, sc_core::SC_MS);  // far beyond any layer of the program
constexpr uint64_t kRegSize = 0x1000;

using dnngen::tlm_test::Memory;

// Address decoding for every initiator: the shell's register window (rebased to offset 0)
// and the memory window below it; anything else is an address error.
struct Router : sc_core::sc_module {
  tlm_utils::multi_passthrough_target_socket<Router> in;
  tlm_utils::simple_initiator_socket<Router> to_regs, to_mem;

  explicit Router(sc_core::sc_module_name name)
      : sc_module(name), in("in"), to_regs("to_regs"), to_mem("to_mem") {
    in.register_b_transport(this, &Router::b_transport);
  }

  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& delay) {
    const uint64_t addr = t.get_address(), end = addr + t.get_data_length();
    if (addr >= kRegBase && end <= kRegBase + kRegSize) {
      t.set_address(addr - kRegBase);
      to_regs->b_transport(t, delay);
      t.set_address(addr);
    } else if (end <= kRegBase) {
      to_mem->b_transport(t, delay);
    } else {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
  }
};

// The CPU: runs the test program (the C driver) in a thread.
struct Host : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Host> socket;
  sc_core::sc_in<bool> irq;

  int failures = 0;
  unsigned bus_errors = 0;
  sc_time start_time, irq_time;
  uint32_t last_irq_clear = 0;  // the last value written to IRQ_STATUS

  SC_HAS_PROCESS(Host);
  Host(sc_core::sc_module_name name, const config::Config& cfg, Memory& memory, ShellTlm& shell,
       std::string replay, uint64_t seed)
      : sc_module(name),
        socket("socket"),
        irq("irq"),
        cfg_(cfg),
        memory_(memory),
        shell_(shell),
        replay_(std::move(replay)),
        seed_(seed) {
    SC_THREAD(run);
  }

  uint32_t read32(uint32_t offset) {
    uint32_t value = 0;
    access(tlm::TLM_READ_COMMAND, offset, &value);
    return value;
  }
  void write32(uint32_t offset, uint32_t value) {
    access(tlm::TLM_WRITE_COMMAND, offset, &value);
    if (offset == DNNGEN_CTRL_OFFSET && (value & DNNGEN_CTRL_START_MASK))
      start_time = sc_core::sc_time_stamp();
    if (offset == DNNGEN_IRQ_STATUS_OFFSET) last_irq_clear = value;
  }
  // Until irq rises, at most kIrqLimit (a failure then: the driver goes on and its checks
  // fail rather than the simulation running out of events).
  void wait_irq() {
    const sc_time until = sc_core::sc_time_stamp() + kIrqLimit;
    while (!irq.read() && sc_core::sc_time_stamp() < until)
      wait(until - sc_core::sc_time_stamp(), irq.value_changed_event());
    check(irq.read(), "no interrupt within " + kIrqLimit.to_string());
    irq_time = sc_core::sc_time_stamp();
  }
  bool finished = false;  // the program ran to its end

 private:
  void access(tlm::tlm_command cmd, uint32_t offset, uint32_t* value) {
    tlm::tlm_generic_payload t;
    sc_time delay = sc_core::SC_ZERO_TIME;
    t.set_command(cmd);
    t.set_address(kRegBase + offset);
    t.set_data_ptr(reinterpret_cast<unsigned char*>(value));
    t.set_data_length(4);
    t.set_streaming_width(4);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(t, delay);
    wait(delay);
    if (!t.is_response_ok()) ++bus_errors;
  }

  void check(bool ok, const std::string& what) {
    if (ok) return;
    ++failures;
    std::cout << "FAIL: " << what << "\n  replay: " << replay_ << "\n";
  }

  // One layer through the driver: the error code, the time and the counters against the
  // models; the golden memory follows the layer when it runs.
  void run_and_check(const dnngen_bus& bus, const vp::Layer& layer, std::vector<uint8_t>& golden) {
    const std::string& label = layer.label;
    const uint32_t expect_code = layer.expect;
    // The cycle model reads the memory as the layer finds it.
    const shell::Counters t = expect_code == DNNGEN_ERROR_NONE
                                  ? vp::expected_counters(cfg_, layer.desc, golden)
                                  : shell::Counters{};
    const uint32_t code = vp::run(&bus, layer);
    check(code == expect_code, fmt::format("{}: ERROR_CODE {} (expected {})", label, code, expect_code));
    check(bus_errors == 0, fmt::format("{}: {} register accesses refused", label, bus_errors));
    const uint32_t expect_irq =
        expect_code == DNNGEN_ERROR_NONE ? DNNGEN_IRQ_STATUS_DONE_MASK : DNNGEN_IRQ_STATUS_ERROR_MASK;
    check(last_irq_clear == expect_irq,
          fmt::format("{}: interrupt causes 0x{:x} (expected 0x{:x})", label, last_irq_clear, expect_irq));
    const uint64_t cycles =
        dnngen_read_counter(&bus, DNNGEN_CYCLES_TOTAL_LO_OFFSET, DNNGEN_CYCLES_TOTAL_HI_OFFSET);
    const sc_time took = irq_time - start_time;
    const uint64_t period = shell_.clock_period().value();
    if (expect_code == DNNGEN_ERROR_NONE) {
      const uint64_t counters[] = {
          cycles, dnngen_read_counter(&bus, DNNGEN_CYCLES_COMPUTE_LO_OFFSET, DNNGEN_CYCLES_COMPUTE_HI_OFFSET),
          dnngen_read_counter(&bus, DNNGEN_CYCLES_MEM_WAIT_LO_OFFSET, DNNGEN_CYCLES_MEM_WAIT_HI_OFFSET),
          dnngen_read_counter(&bus, DNNGEN_BYTES_READ_LO_OFFSET, DNNGEN_BYTES_READ_HI_OFFSET),
          dnngen_read_counter(&bus, DNNGEN_BYTES_WRITTEN_LO_OFFSET, DNNGEN_BYTES_WRITTEN_HI_OFFSET)};
      const uint64_t expect[] = {t.cycles, t.compute, t.mem_wait, t.bytes_read, t.bytes_written};
      const char* names[] = {"CYCLES_TOTAL", "CYCLES_COMPUTE", "CYCLES_MEM_WAIT", "BYTES_READ",
                             "BYTES_WRITTEN"};
      for (int i = 0; i < 5; ++i)
        check(counters[i] == expect[i],
              fmt::format("{}: {} = {} (cycle model: {})", label, names[i], counters[i], expect[i]));
      const sc_time expect_time = sc_time::from_value((t.cycles + ShellTlm::kStartCycles) * period);
      check(took == expect_time, fmt::format("{}: took {} (expected {} = {} cycles)", label, took.to_string(),
                                             expect_time.to_string(), t.cycles));
      vp::expected_memory(cfg_, layer.desc, golden);
      std::cout << fmt::format("  {}: {} out {}: {} cycles, {} compute, {} bytes read, took {}\n", label,
                               vp::sizes(layer.desc), layer.desc.out_type, cycles, counters[1], counters[3],
                               took.to_string());
    } else {
      const uint32_t status = read32(DNNGEN_STATUS_OFFSET);
      check((status & DNNGEN_STATUS_ERROR_MASK) && !(status & DNNGEN_STATUS_BUSY_MASK),
            fmt::format("{}: STATUS 0x{:x} (expected ERROR, not BUSY)", label, status));
      if (expect_code == DNNGEN_ERROR_ZERO_SIZE) {  // a descriptor error: the check cycle only
        check(cycles == 1, label + ": CYCLES_TOTAL is not 1 (the check cycle)");
        check(took == sc_time::from_value((1 + ShellTlm::kStartCycles) * period),
              label + ": did not end one clock period after the START cycle");
      }
      std::cout << fmt::format("  {}: ERROR_CODE {} after {}\n", label, code, took.to_string());
    }
    check(memory_.bytes == golden,
          label + ": memory differs from the golden image" + first_difference(golden));
  }

  std::string first_difference(const std::vector<uint8_t>& golden) const {
    for (size_t i = 0; i < golden.size(); ++i)
      if (memory_.bytes[i] != golden[i])
        return fmt::format(" (first at 0x{:x}: 0x{:02x}, expected 0x{:02x})", i, memory_.bytes[i], golden[i]);
    return "";
  }

  void run() {
    dnngen_bus bus{
        this, [](void* ctx, uint32_t offset) { return static_cast<Host*>(ctx)->read32(offset); },
        [](void* ctx, uint32_t offset, uint32_t value) { static_cast<Host*>(ctx)->write32(offset, value); },
        [](void* ctx) { static_cast<Host*>(ctx)->wait_irq(); }};
    check(dnngen_present(&bus) == 1, "ID register: no dnngen shell");
    const uint32_t engine = read32(DNNGEN_ENGINE_OFFSET);
    check((engine & DNNGEN_ENGINE_KIND_MASK) >> DNNGEN_ENGINE_KIND_SHIFT == vp::engine_kind(cfg_),
          fmt::format("ENGINE.KIND is not {}'s", cfg_.engine));
    const uint32_t variant = (engine & DNNGEN_ENGINE_VARIANT_MASK) >> DNNGEN_ENGINE_VARIANT_SHIFT;
    check(variant == vp::engine_variant(cfg_), fmt::format("ENGINE.VARIANT {}", variant));

    vp::init_memory(cfg_, memory_.bytes, seed_);
    std::vector<uint8_t> golden = memory_.bytes;
    uint32_t finished = 0;
    for (const vp::Layer& layer : vp::program(cfg_)) {
      run_and_check(bus, layer, golden);
      finished += layer.expect == DNNGEN_ERROR_NONE;
    }
    check(read32(DNNGEN_LAYERS_DONE_OFFSET) == finished, fmt::format("LAYERS_DONE is not {}", finished));
    this->finished = true;
    sc_core::sc_stop();
  }

  const config::Config& cfg_;
  Memory& memory_;
  ShellTlm& shell_;
  std::string replay_;
  uint64_t seed_;
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: " << argv[0] << " CONFIG.yaml [SEED]\n";
    return 2;
  }
  try {
    const config::Config cfg = config::load_config(argv[1]);
    const uint64_t seed = argc == 3 ? std::stoull(argv[2]) : 1;
    const std::string replay = fmt::format("{} {} {}", argv[0], argv[1], seed);
    std::cout << fmt::format("tlm_vp: {} (seed {})\n", cfg.name, seed);

    const sc_time period(1, sc_core::SC_NS);
    Memory memory("memory", vp::kMemSize);
    Router router("router");
    ShellTlm shell("shell", cfg, period);
    Host host("host", cfg, memory, shell, replay, seed);
    sc_core::sc_signal<bool> irq("irq");
    host.socket.bind(router.in);
    shell.mem.bind(router.in);
    router.to_regs.bind(shell.regs);
    router.to_mem.bind(memory.socket);
    shell.irq(irq);
    host.irq(irq);
    sc_core::sc_start();
    if (!host.finished) ++host.failures, std::cout << "FAIL: the program did not run to its end\n";
    std::cout << fmt::format("tlm_vp: {} at {}: {}\n", cfg.name, sc_core::sc_time_stamp().to_string(),
                             host.failures == 0 ? "PASS" : fmt::format("FAIL ({} checks)", host.failures));
    return host.failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "tlm_vp: " << e.what() << "\n";
    return 1;
  }
}
