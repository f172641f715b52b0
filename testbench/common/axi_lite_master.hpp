#pragma once
// An AXI4-Lite master for Verilated tops with an `s_axil_*` slave port, and the checks of
// the slave's side of the protocol (AMBA AXI IHI 0022, AXI4-Lite): B only after both AW
// and W were taken, R only after AR, and a response's valid and payload held until taken.
//
// Each access draws its own timing from the seeded generator: AW and W may come in either
// order or together, and the master may hold off BREADY / RREADY, so a slave that ties one
// channel to another shows up. Clocking follows verilated_dut.hpp: inputs change after a
// rising edge, tick() is the edge.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "verilated_dut.hpp"

namespace dnngen::testbench {

template <typename Top>
class AxiLiteMaster {
 public:
  // `stall`: the chance that each channel waits another cycle; 0 for back-to-back timing.
  AxiLiteMaster(VerilatedDut<Top>& dut, uint64_t seed, double stall = 0.3)
      : dut_(dut), rng_(seed), stall_(stall) {
    idle();
  }

  // Called every cycle before the edge (after inputs are set and evaluated), e.g. to
  // sample the slave's side outputs.
  void on_cycle(std::function<void()> f) { on_cycle_ = std::move(f); }

  // One write; returns BRESP (0 OKAY, 2 SLVERR).
  uint32_t write(uint32_t addr, uint32_t data, uint8_t wstrb = 0xF) {
    const unsigned aw_at = delay(), w_at = delay(), b_at = delay();
    bool aw_done = false, w_done = false, pending = false;
    uint32_t pending_resp = 0;
    for (unsigned cycle = 0;; ++cycle) {
      if (cycle > kTimeout) {
        errors_.push_back(fmt_access("write", addr) + ": no B response within the timeout");
        break;
      }
      dut_->s_axil_awvalid_i = !aw_done && cycle >= aw_at;
      dut_->s_axil_awaddr_i = addr;
      dut_->s_axil_awprot_i = 0;
      dut_->s_axil_wvalid_i = !w_done && cycle >= w_at;
      dut_->s_axil_wdata_i = data;
      dut_->s_axil_wstrb_i = wstrb;
      dut_->s_axil_bready_i = cycle >= b_at;
      dut_->eval();
      const bool aw_fire = dut_->s_axil_awvalid_i && dut_->s_axil_awready_o;
      const bool w_fire = dut_->s_axil_wvalid_i && dut_->s_axil_wready_o;
      const bool bvalid = dut_->s_axil_bvalid_o;
      if (bvalid && !(aw_done && w_done))
        errors_.push_back(fmt_access("write", addr) + ": BVALID before both AW and W were taken");
      if (pending && (!bvalid || dut_->s_axil_bresp_o != pending_resp))
        errors_.push_back(fmt_access("write", addr) + ": B changed or dropped before BREADY");
      pending = bvalid && !dut_->s_axil_bready_i;
      pending_resp = dut_->s_axil_bresp_o;
      const bool b_fire = bvalid && dut_->s_axil_bready_i;
      const uint32_t resp = dut_->s_axil_bresp_o;
      if (on_cycle_) on_cycle_();
      dut_.tick();
      aw_done |= aw_fire;
      w_done |= w_fire;
      if (b_fire) {
        idle();
        return resp;
      }
    }
    idle();
    return ~0u;
  }

  // One read; returns {RDATA, RRESP}.
  std::pair<uint32_t, uint32_t> read(uint32_t addr) {
    const unsigned ar_at = delay(), r_at = delay();
    bool ar_done = false, pending = false;
    uint64_t pending_payload = 0;
    for (unsigned cycle = 0;; ++cycle) {
      if (cycle > kTimeout) {
        errors_.push_back(fmt_access("read", addr) + ": no R response within the timeout");
        break;
      }
      dut_->s_axil_arvalid_i = !ar_done && cycle >= ar_at;
      dut_->s_axil_araddr_i = addr;
      dut_->s_axil_arprot_i = 0;
      dut_->s_axil_rready_i = cycle >= r_at;
      dut_->eval();
      const bool ar_fire = dut_->s_axil_arvalid_i && dut_->s_axil_arready_o;
      const bool rvalid = dut_->s_axil_rvalid_o;
      const uint64_t payload = (uint64_t{dut_->s_axil_rresp_o} << 32) | dut_->s_axil_rdata_o;
      if (rvalid && !ar_done) errors_.push_back(fmt_access("read", addr) + ": RVALID before AR was taken");
      if (pending && (!rvalid || payload != pending_payload))
        errors_.push_back(fmt_access("read", addr) + ": R changed or dropped before RREADY");
      pending = rvalid && !dut_->s_axil_rready_i;
      pending_payload = payload;
      const bool r_fire = rvalid && dut_->s_axil_rready_i;
      if (on_cycle_) on_cycle_();
      dut_.tick();
      ar_done |= ar_fire;
      if (r_fire) {
        idle();
        return {static_cast<uint32_t>(payload), static_cast<uint32_t>(payload >> 32)};
      }
    }
    idle();
    return {0, ~0u};
  }

  // Idle cycles with every channel quiet.
  void wait(unsigned cycles) {
    for (unsigned i = 0; i < cycles; ++i) {
      dut_->eval();
      if (on_cycle_) on_cycle_();
      dut_.tick();
    }
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  static constexpr unsigned kTimeout = 64;

  void idle() {
    dut_->s_axil_awvalid_i = 0;
    dut_->s_axil_wvalid_i = 0;
    dut_->s_axil_bready_i = 0;
    dut_->s_axil_arvalid_i = 0;
    dut_->s_axil_rready_i = 0;
  }

  // Cycles a channel waits before it acts: geometric with parameter stall_.
  unsigned delay() {
    unsigned d = 0;
    std::bernoulli_distribution more(stall_);
    while (stall_ > 0 && d < 8 && more(rng_)) ++d;
    return d;
  }

  static std::string fmt_access(const char* kind, uint32_t addr) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s 0x%03x", kind, addr);
    return buf;
  }

  VerilatedDut<Top>& dut_;
  std::mt19937_64 rng_;
  double stall_;
  std::function<void()> on_cycle_;
  std::vector<std::string> errors_;
};

}  // namespace dnngen::testbench
