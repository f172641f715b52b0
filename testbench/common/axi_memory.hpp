#pragma once
// A C++ AXI4 memory (slave) for Verilated masters with `m_axi_*` read ports, and the
// checks of the master's side of the protocol (AMBA AXI IHI 0022):
// - ARVALID, once high, stays high with ARADDR / ARLEN / ARSIZE / ARBURST unchanged until
//   ARREADY;
// - INCR bursts only, ARSIZE the full bus width, addresses aligned to it, no burst crossing
//   a 4 KiB boundary, at most `max_burst` beats, at most `outstanding` bursts in flight.
//
// Timing, deterministic unless stalls are asked for: ARREADY is high; a burst taken at an
// edge may return its first beat `latency` edges later; beats come in order, one per
// cycle at most, each when `bytes_per_cycle` credit (accumulated every cycle while a beat
// waits, capped at one beat) covers the bus width. With `stall` > 0, ARREADY and each
// beat are also held back with that probability (seeded). Addresses outside the memory or
// inside an error window answer SLVERR (data 0).
//
// Clocking follows verilated_dut.hpp: call drive() after setting the master's inputs and
// evaluating (it sets ARREADY and the R channel and evaluates again), and commit() right
// after the edge.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace dnngen::testbench {

struct AxiMemoryTiming {
  unsigned latency = 10;       // edges from AR accepted to the first beat's edge
  double bytes_per_cycle = 8;  // sustained bandwidth
  double stall = 0.0;          // chance of an extra wait on AR and on each beat
  uint64_t seed = 1;
  unsigned max_burst = 256;    // the master's promise, checked
  unsigned outstanding = 255;  // the master's promise, checked
};

template <typename Top, unsigned DataBits>
class AxiMemory {
 public:
  static constexpr unsigned kBytes = DataBits / 8;

  AxiMemory(Top& top, std::size_t size_bytes, const AxiMemoryTiming& t)
      : top_(top), mem_(size_bytes), t_(t), rng_(t.seed) {}

  std::vector<uint8_t>& bytes() { return mem_; }
  void set_error_window(uint64_t begin, uint64_t end) { err_begin_ = begin, err_end_ = end; }

  // Before the edge: decide ARREADY and the R beat for this cycle.
  void drive() {
    ++cycle_;
    top_.m_axi_arready_i = t_.stall <= 0 || !chance(t_.stall);
    r_valid_ = false;
    if (!bursts_.empty()) {
      Burst& b = bursts_.front();
      credit_ = std::min(credit_ + t_.bytes_per_cycle, static_cast<double>(kBytes));
      if (cycle_ >= b.ready_at && credit_ >= kBytes && !(t_.stall > 0 && chance(t_.stall))) r_valid_ = true;
    }
    top_.m_axi_rvalid_i = r_valid_;
    if (r_valid_) {
      const Burst& b = bursts_.front();
      const uint64_t addr = b.addr + uint64_t{b.done} * kBytes;
      const bool bad = b.error;
      for (unsigned w = 0; w < DataBits / 32; ++w) {
        uint32_t word = 0;
        for (unsigned i = 0; i < 4; ++i)
          if (!bad) word |= uint32_t{mem_[addr + w * 4 + i]} << (8 * i);
        set_word(top_.m_axi_rdata_i, w, word);
      }
      top_.m_axi_rresp_i = bad ? 2 : 0;
      top_.m_axi_rlast_i = b.done + 1 == b.beats;
    }
    top_.eval();
    check_ar();
    ar_fire_ = top_.m_axi_arvalid_o && top_.m_axi_arready_i;
    r_fire_ = r_valid_ && top_.m_axi_rready_o;
    ar_ = {top_.m_axi_araddr_o, top_.m_axi_arlen_o, top_.m_axi_arsize_o, top_.m_axi_arburst_o};
    ar_pending_ = top_.m_axi_arvalid_o && !top_.m_axi_arready_i;
  }

  // After the edge: take the burst and retire the beat that transferred.
  void commit() {
    if (r_fire_) {
      Burst& b = bursts_.front();
      credit_ -= kBytes;
      ++beats_;
      if (++b.done == b.beats) bursts_.pop_front();
    }
    if (ar_fire_) {
      const uint64_t addr = ar_.addr;
      const unsigned beats = ar_.len + 1u;
      const bool in_range = addr + uint64_t{beats} * kBytes <= mem_.size();
      const bool error = !in_range || (addr < err_end_ && addr + uint64_t{beats} * kBytes > err_begin_);
      bursts_.push_back({addr, beats, 0, cycle_ + t_.latency, error});
      ++burst_count_;
      if (bursts_.size() > t_.outstanding)
        fail("more than " + std::to_string(t_.outstanding) + " bursts in flight");
    }
  }

  uint64_t beats() const { return beats_; }
  uint64_t bursts() const { return burst_count_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  struct Ar {
    uint64_t addr = 0;
    unsigned len = 0, size = 0, burst = 0;
    bool operator!=(const Ar& o) const {
      return addr != o.addr || len != o.len || size != o.size || burst != o.burst;
    }
  };
  struct Burst {
    uint64_t addr;
    unsigned beats, done;
    uint64_t ready_at;
    bool error;
  };

  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  template <typename P>
  static void set_word(P& port, unsigned w, uint32_t v) {
    if constexpr (DataBits <= 64) {
      const uint64_t mask = uint64_t{0xFFFF'FFFFu} << (32 * w);
      port = static_cast<P>((static_cast<uint64_t>(port) & ~mask) | (uint64_t{v} << (32 * w)));
    } else {
      port[w] = v;
    }
  }

  void check_ar() {
    const bool valid = top_.m_axi_arvalid_o;
    const Ar now{top_.m_axi_araddr_o, top_.m_axi_arlen_o, top_.m_axi_arsize_o, top_.m_axi_arburst_o};
    if (ar_pending_ && (!valid || now != ar_)) fail("AR changed or dropped before ARREADY");
    if (!valid) return;
    const unsigned beats = now.len + 1u;
    if (now.burst != 1) fail("ARBURST is not INCR");
    if ((1u << now.size) != kBytes) fail("ARSIZE is not the bus width");
    if (now.addr % kBytes != 0) fail("ARADDR not aligned to the bus width");
    if ((now.addr % 4096) + uint64_t{beats} * kBytes > 4096) fail("burst crosses a 4 KiB boundary");
    if (beats > t_.max_burst) fail("burst longer than " + std::to_string(t_.max_burst) + " beats");
  }

  void fail(const std::string& what) {
    if (errors_.size() < 20) errors_.push_back("cycle " + std::to_string(cycle_) + ": " + what);
  }

  Top& top_;
  std::vector<uint8_t> mem_;
  AxiMemoryTiming t_;
  std::mt19937_64 rng_;
  std::deque<Burst> bursts_;
  double credit_ = 0;
  uint64_t cycle_ = 0, beats_ = 0, burst_count_ = 0;
  uint64_t err_begin_ = 0, err_end_ = 0;
  bool r_valid_ = false, ar_fire_ = false, r_fire_ = false, ar_pending_ = false;
  Ar ar_;
  std::vector<std::string> errors_;
};

}  // namespace dnngen::testbench
