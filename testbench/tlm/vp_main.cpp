// A virtual platform around dnngen::ShellTlm, self-checking: a host thread
// runs the C driver (vp_driver.c, registers only through the generated dnngen_regs.h)
// against the shell model over a small interconnect, as firmware would.
//
//   host (initiator) --+                  +--> shell.regs   0x4000_0000 .. +0x1000 (rebased to 0)
//                      +--> router.in --> |
//   shell.mem ---------+                  +--> memory       0x0000_0000 .. +1 MiB (bytes, 0 latency)
//   shell.irq --> sc_signal<bool> --> host.irq
//
// Covers, for the configuration given (WS or OS, any systolic preset with a shell), on the
// network of vp_network.hpp (which the RTL platform, testbench/shell/test_shell_vp.cpp, shares):
//   * a two-layer network: layer 1 GEMM A[M,K] x B[K,N] with int8 output, bias,
//     per-channel requantisation and ReLU into a strided buffer that layer 2 reads as its A
//     (A_STRIDE = layer 1's OUT_STRIDE), layer 2 int32 output; tensors at odd offsets
//     within their pages. The whole memory afterwards equals systolic::run_layer applied
//     twice to a host-side copy (so OUT rows are right and no other byte changed);
//   * each layer's simulated time, START access to interrupt, equals (layer_cycles +
//     ShellSystolicTlm::kStartCycles) x period, as on the RTL (test_shell_vp.cpp);
//     every counter read back (_LO then _HI) equals systolic::LayerTiming; the done
//     interrupt is the one cleared;
//   * a bad descriptor (M = 0) ends with ERROR_CODE zero_size, STATUS.ERROR and the error
//     interrupt, without touching memory; A or OUT outside the memory ends with axi_read /
//     axi_write; a good layer runs afterwards.
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
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen/tlm/shell_tlm.hpp"
#include "dnngen_regs.h"
#include "tlm_memory.hpp"
#include "vp_driver.h"
#include "vp_network.hpp"

namespace {

namespace config = dnngen::config;
namespace shell = dnngen::shell;
namespace systolic = dnngen::systolic;
namespace vp = dnngen::vp;
using ShellTlm = dnngen::tlm::ShellSystolicTlm;
using sc_core::sc_time;

constexpr uint64_t kRegBase = 0x4000'0000;
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
  void wait_irq() {
    while (!irq.read()) wait(irq.value_changed_event());
    irq_time = sc_core::sc_time_stamp();
  }

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
  // model; the golden memory follows the layer when it runs.
  uint32_t run_and_check(const dnngen_bus& bus, const dnngen_gemm& g, const shell::LayerDescriptor& d,
                         const std::string& label, std::vector<uint8_t>& golden, uint32_t expect_code) {
    const uint32_t code = dnngen_run_gemm(&bus, &g);
    check(code == expect_code, fmt::format("{}: ERROR_CODE {} (expected {})", label, code, expect_code));
    check(bus_errors == 0, fmt::format("{}: {} register accesses refused", label, bus_errors));
    const uint32_t expect_irq =
        expect_code == DNNGEN_ERROR_NONE ? DNNGEN_IRQ_STATUS_DONE_MASK : DNNGEN_IRQ_STATUS_ERROR_MASK;
    check(last_irq_clear == expect_irq,
          fmt::format("{}: interrupt causes 0x{:x} (expected 0x{:x})", label, last_irq_clear, expect_irq));
    const uint64_t cycles =
        dnngen_read_counter(&bus, DNNGEN_CYCLES_TOTAL_LO_OFFSET, DNNGEN_CYCLES_TOTAL_HI_OFFSET);
    const sc_time took = irq_time - start_time;
    if (expect_code == DNNGEN_ERROR_NONE) {
      const systolic::LayerTiming t = vp::expected_timing(cfg_, d);
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
              fmt::format("{}: {} = {} (layer_cycles: {})", label, names[i], counters[i], expect[i]));
      const sc_time expect_time =
          sc_time::from_value((t.cycles + ShellTlm::kStartCycles) * shell_.clock_period().value());
      check(took == expect_time, fmt::format("{}: took {} (expected {} = {} cycles)", label, took.to_string(),
                                             expect_time.to_string(), t.cycles));
      vp::expected_memory(cfg_, d, golden);
      std::cout << fmt::format("  {}: M={} N={} K={} out {}: {} cycles, {} compute, {} bytes read, took {}\n",
                               label, d.m, d.n, d.k, d.out_type, cycles, counters[1], counters[3],
                               took.to_string());
    } else {
      const uint32_t status = read32(DNNGEN_STATUS_OFFSET);
      check((status & DNNGEN_STATUS_ERROR_MASK) && !(status & DNNGEN_STATUS_BUSY_MASK),
            fmt::format("{}: STATUS 0x{:x} (expected ERROR, not BUSY)", label, status));
      std::cout << fmt::format("  {}: ERROR_CODE {} after {}\n", label, code, took.to_string());
    }
    check(memory_.bytes == golden,
          label + ": memory differs from the golden image" + first_difference(golden));
    return code;
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
    const uint32_t variant = (engine & DNNGEN_ENGINE_VARIANT_MASK) >> DNNGEN_ENGINE_VARIANT_SHIFT;
    check((engine & DNNGEN_ENGINE_KIND_MASK) >> DNNGEN_ENGINE_KIND_SHIFT == DNNGEN_ENGINE_SYSTOLIC,
          "ENGINE.KIND is not systolic");
    check(variant == (cfg_.systolic.dataflow == config::Dataflow::kWeightStationary ? 0u : 1u),
          fmt::format("ENGINE.VARIANT {}", variant));

    // The network (vp_network.hpp): the memory image and the two layers.
    vp::init_memory(memory_.bytes, seed_);
    std::vector<uint8_t> golden = memory_.bytes;
    const vp::Network net = vp::network();
    const dnngen_gemm& g2 = net.layer2.gemm;
    const shell::LayerDescriptor& d2 = net.layer2.desc;
    run_and_check(bus, net.layer1.gemm, net.layer1.desc, "layer 1", golden, DNNGEN_ERROR_NONE);
    run_and_check(bus, g2, d2, "layer 2", golden, DNNGEN_ERROR_NONE);

    // Layers that end in errors, then a good one again.
    dnngen_gemm bad = g2;
    bad.m = 0;
    run_and_check(bus, bad, d2, "M = 0", golden, DNNGEN_ERROR_ZERO_SIZE);
    check(dnngen_read_counter(&bus, DNNGEN_CYCLES_TOTAL_LO_OFFSET, DNNGEN_CYCLES_TOTAL_HI_OFFSET) == 1,
          "M = 0: CYCLES_TOTAL is not 1 (the check cycle)");
    check(irq_time - start_time == static_cast<double>(1 + ShellTlm::kStartCycles) * shell_.clock_period(),
          "M = 0: did not end one clock period after the START cycle");
    bad = g2;
    bad.a_addr = vp::kPastMemory;  // in the memory window, past the memory
    run_and_check(bus, bad, d2, "A past the memory", golden, DNNGEN_ERROR_AXI_READ);
    bad = g2;
    bad.out_addr = vp::kPastMemory;
    run_and_check(bus, bad, d2, "OUT past the memory", golden, DNNGEN_ERROR_AXI_WRITE);
    run_and_check(bus, g2, d2, "layer 2 again", golden, DNNGEN_ERROR_NONE);
    check(read32(DNNGEN_LAYERS_DONE_OFFSET) == 3, "LAYERS_DONE is not 3");
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
    std::cout << fmt::format("tlm_vp: {} at {}: {}\n", cfg.name, sc_core::sc_time_stamp().to_string(),
                             host.failures == 0 ? "PASS" : fmt::format("FAIL ({} checks)", host.failures));
    return host.failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "tlm_vp: " << e.what() << "\n";
    return 1;
  }
}
