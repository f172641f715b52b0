#pragma once
// The weight-stationary engine behind the shell (dnn_shell_systolic), driven as software
// drives it: descriptor registers over a protocol-checking AXI4-Lite master, START, the
// interrupt; its AXI4 master against the C++ AXI memory (which checks the protocol). Used by
// the shell's co-simulation tests and by the simulator behind `dnngen run --backend rtl`.
#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "axi_lite_master.hpp"
#include "axi_memory.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {

inline uint32_t reg(const char* name) { return register_map().reg(name).offset; }

// The counters of one layer, read back after its interrupt.
struct LayerRun {
  bool finished = false;
  uint32_t status = 0, error_code = 0, irq_status = 0;
  uint64_t cycles = 0, compute = 0, mem_wait = 0, bytes_read = 0, bytes_written = 0;
};

template <typename Top, unsigned DataBits>
class ShellSystolicBench {
 public:
  using Memory = testbench::AxiMemory<Top, DataBits, true, true>;

  // The memory starts with seeded random bytes (so a layer that reads what it should not,
  // or writes too little, shows); the register master waits a seeded random 20 % of cycles.
  ShellSystolicBench(const testbench::AxiMemoryTiming& t, uint64_t seed, std::size_t memory_bytes,
                     const std::string& fst_path = "", uint64_t x_seed = 0)
      : dut_(fst_path, x_seed), mem_(*dut_.operator->(), memory_bytes, t), lite_(dut_, seed, 0.2) {
    std::mt19937_64 rng(seed ^ 0x5eed);
    for (auto& b : mem_.bytes()) b = static_cast<uint8_t>(rng());
    dut_->s_axil_awvalid_i = 0;
    dut_->s_axil_wvalid_i = 0;
    dut_->s_axil_bready_i = 0;
    dut_->s_axil_arvalid_i = 0;
    dut_->s_axil_rready_i = 0;
    dut_->m_axi_arready_i = 0;
    dut_->m_axi_rvalid_i = 0;
    dut_->m_axi_awready_i = 0;
    dut_->m_axi_wready_i = 0;
    dut_->m_axi_bvalid_i = 0;
    reset(dut_);
    // The memory runs in every cycle, also while the register master waits.
    lite_.on_cycle([this] { memory_cycle(); });
    write(reg("IRQ_ENABLE"), 3);
  }

  std::vector<uint8_t>& memory() { return mem_.bytes(); }
  Memory& axi() { return mem_; }
  testbench::AxiLiteMaster<Top>& lite() { return lite_; }
  // The DUT, e.g. to watch its ports from on_cycle().
  Top& top() { return *dut_.operator->(); }
  // Called in every cycle before its edge, once the register master and the memory have
  // driven the DUT's inputs (so the ports show this cycle's transfers).
  void on_cycle(std::function<void()> f) { on_cycle_ = std::move(f); }
  // Rising edges since the reset.
  uint64_t cycle() const { return cycle_; }

  // Register accesses; an error response throws (the map has no register there).
  void write(uint32_t offset, uint32_t value) {
    if (const uint32_t resp = lite_.write(offset, value); resp != 0)
      throw std::runtime_error(fmt::format("AXI4-Lite write of 0x{:x}: response {}", offset, resp));
  }
  uint32_t read(uint32_t offset) {
    const auto [data, resp] = lite_.read(offset);
    if (resp != 0)
      throw std::runtime_error(fmt::format("AXI4-Lite read of 0x{:x}: response {}", offset, resp));
    return data;
  }
  uint64_t read64(const char* name) {
    const uint32_t lo = read(reg(name));
    return lo | uint64_t{read(reg(name) + 4)} << 32;
  }

  void load_descriptor(const LayerDescriptor& d) {
    for (const auto& [offset, value] : encode(d)) write(offset, value);
  }

  // START, then cycles until the interrupt (or `abort_after` cycles, then ABORT).
  LayerRun run(uint64_t abort_after = 0, uint64_t watchdog = 4'000'000) {
    LayerRun r;
    write(reg("IRQ_STATUS"), 3);
    write(reg("CTRL"), 1);
    for (uint64_t c = 0; c < watchdog; ++c) {
      if (dut_->irq_o) {
        r.finished = true;
        break;
      }
      if (abort_after != 0 && c == abort_after) write(reg("CTRL"), 2);
      idle_cycle();
    }
    r.status = read(reg("STATUS"));
    r.error_code = read(reg("ERROR_CODE"));
    r.irq_status = read(reg("IRQ_STATUS"));
    r.cycles = read64("CYCLES_TOTAL");
    r.compute = read64("CYCLES_COMPUTE");
    r.mem_wait = read64("CYCLES_MEM_WAIT");
    r.bytes_read = read64("BYTES_READ");
    r.bytes_written = read64("BYTES_WRITTEN");
    return r;
  }

  // The memory's drive() evaluates the DUT with its inputs set; tick() is the edge.
  void idle_cycle() {
    memory_cycle();
    dut_.tick();
  }

 private:
  // The memory's part of a cycle: take the last edge's transfers, drive this cycle (its
  // eval() is the clock's falling half).
  void memory_cycle() {
    if (pending_) mem_.commit();
    dut_.lower_clock();
    mem_.drive();
    pending_ = true;
    if (on_cycle_) on_cycle_();
    ++cycle_;
  }

  testbench::VerilatedDut<Top> dut_;
  Memory mem_;
  testbench::AxiLiteMaster<Top> lite_;
  bool pending_ = false;
  std::function<void()> on_cycle_;
  uint64_t cycle_ = 0;
};

}  // namespace dnngen::shell
