#pragma once
// A C++ AXI4 memory (slave) for Verilated masters with `m_axi_*` read ports, write ports or
// both (template flags), and the checks of the master's side of the protocol (AMBA AXI
// IHI 0022):
// - ARVALID / AWVALID, once high, stay high with the address fields unchanged until
//   xREADY; WVALID stays high with WDATA / WSTRB / WLAST unchanged until WREADY;
// - INCR bursts only, xSIZE the full bus width, addresses aligned to it, no burst crossing
//   a 4 KiB boundary, at most `max_burst` beats, at most `outstanding` bursts in flight
//   (reads: until their last beat; writes: until their response); WLAST on exactly the
//   last beat of each burst.
//
// Timing, deterministic unless stalls are asked for: ARREADY and AWREADY are high; a read
// burst taken at an edge may return its first beat `latency` edges later; beats come in
// order, one per cycle at most, each when `bytes_per_cycle` credit covers the bus width
// (from 0 at reset; the cycle models' rule, dnngen::shell::timing::link_credit: unspent
// credit banked up to one beat, a beat spends a beat's bytes and the rest carries on, so
// the link sustains bytes_per_cycle even where it does not divide the bus width). The read
// credit grows only in cycles with a read burst in the memory, so the first burst's first
// beat waits max(latency, ceil(bus bytes / bytes_per_cycle)) edges.
// Writes: W is taken only for a burst whose AW was taken, with its own credit, which grows
// every cycle; B comes `latency` edges after WLAST. With
// `stall` > 0, xREADY and each read beat are also held back with that probability
// (seeded), and, unless `early_w` is false, W is also taken ahead of its AW (a buffering
// slave may): that covers masters that let W run ahead, but it can also finish a write
// earlier than the deterministic memory would, so a test that holds a stalling memory to
// "no faster than the cycle model" turns it off. Addresses outside the memory or inside
// the error window answer SLVERR (reads return 0, writes are dropped).
//
// Clocking follows verilated_dut.hpp: call drive() after setting the master's other
// inputs (it sets the slave's outputs and evaluates), and commit() right after the edge.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "dnngen/shell/stream_timing.hpp"

namespace dnngen::testbench {

struct AxiMemoryTiming {
  unsigned latency = 10;       // edges from AR taken to the first beat; from WLAST to B
  double bytes_per_cycle = 8;  // sustained bandwidth, each direction
  double stall = 0.0;          // chance of an extra wait on xREADY and on each read beat
  bool early_w = true;         // with stalls: W taken ahead of its AW
  uint64_t seed = 1;
  unsigned max_burst = 256;    // the master's promise, checked
  unsigned outstanding = 255;  // the master's promise, checked
};

template <typename Top, unsigned DataBits, bool Reads = true, bool Writes = false>
class AxiMemory {
 public:
  static constexpr unsigned kBytes = DataBits / 8;

  AxiMemory(Top& top, std::size_t size_bytes, const AxiMemoryTiming& t)
      : top_(top), mem_(size_bytes), t_(t), rng_(t.seed) {}

  std::vector<uint8_t>& bytes() { return mem_; }
  const std::vector<uint8_t>& bytes() const { return mem_; }
  void set_error_window(uint64_t begin, uint64_t end) { err_begin_ = begin, err_end_ = end; }

  // Before the edge: the slave's outputs for this cycle, then the handshakes they make.
  void drive() {
    ++cycle_;
    if constexpr (Reads) drive_read();
    if constexpr (Writes) drive_write();
    top_.eval();
    if constexpr (Reads) sample_read();
    if constexpr (Writes) sample_write();
  }

  // After the edge: take what transferred.
  void commit() {
    if constexpr (Reads) commit_read();
    if constexpr (Writes) commit_write();
  }

  uint64_t beats() const { return beats_; }
  uint64_t bursts() const { return burst_count_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  struct Addr {
    uint64_t addr = 0;
    unsigned len = 0, size = 0, burst = 0;
    bool operator!=(const Addr& o) const {
      return addr != o.addr || len != o.len || size != o.size || burst != o.burst;
    }
  };
  struct Burst {
    uint64_t addr;
    unsigned beats, done;
    uint64_t ready_at;
    bool error;
  };

  bool chance(double p) { return t_.stall > 0 && std::bernoulli_distribution(p)(rng_); }

  Burst make_burst(const Addr& a) const {
    const unsigned beats = a.len + 1u;
    const uint64_t end = a.addr + uint64_t{beats} * kBytes;
    const bool error = end > mem_.size() || (a.addr < err_end_ && end > err_begin_);
    return {a.addr, beats, 0, cycle_ + t_.latency, error};
  }

  // ---- reads ---------------------------------------------------------------------------
  void drive_read() {
    top_.m_axi_arready_i = !chance(t_.stall);
    r_valid_ = false;
    if (!reads_.empty()) {
      const Burst& b = reads_.front();
      r_credit_ = shell::timing::link_credit(r_credit_, t_.bytes_per_cycle, kBytes);
      r_valid_ = cycle_ >= b.ready_at && r_credit_ >= kBytes && !chance(t_.stall);
    }
    top_.m_axi_rvalid_i = r_valid_;
    if (!r_valid_) return;
    const Burst& b = reads_.front();
    const uint64_t addr = b.addr + uint64_t{b.done} * kBytes;
    for (unsigned w = 0; w < DataBits / 32; ++w) {
      uint32_t word = 0;
      for (unsigned i = 0; i < 4 && !b.error; ++i) word |= uint32_t{mem_[addr + w * 4 + i]} << (8 * i);
      set_word(top_.m_axi_rdata_i, w, word);
    }
    top_.m_axi_rresp_i = b.error ? 2 : 0;
    top_.m_axi_rlast_i = b.done + 1 == b.beats;
  }

  void sample_read() {
    const Addr now{top_.m_axi_araddr_o, top_.m_axi_arlen_o, top_.m_axi_arsize_o, top_.m_axi_arburst_o};
    check_address("AR", top_.m_axi_arvalid_o, now, ar_pending_, ar_);
    ar_fire_ = top_.m_axi_arvalid_o && top_.m_axi_arready_i;
    ar_pending_ = top_.m_axi_arvalid_o && !top_.m_axi_arready_i;
    ar_ = now;
    r_fire_ = r_valid_ && top_.m_axi_rready_o;
  }

  void commit_read() {
    if (r_fire_) {
      r_credit_ -= kBytes;
      ++beats_;
      if (++reads_.front().done == reads_.front().beats) reads_.pop_front();
    }
    if (ar_fire_) {
      reads_.push_back(make_burst(ar_));
      ++burst_count_;
      if (reads_.size() > t_.outstanding)
        fail("more than " + std::to_string(t_.outstanding) + " reads in flight");
    }
  }

  // ---- writes --------------------------------------------------------------------------
  void drive_write() {
    top_.m_axi_awready_i = !chance(t_.stall);
    w_credit_ = shell::timing::link_credit(w_credit_, t_.bytes_per_cycle, kBytes);
    // With stalls, the memory also takes W ahead of its AW (a buffering slave may), so a
    // master that lets W run ahead of its own address shows up.
    const bool early = t_.stall > 0 && t_.early_w;
    top_.m_axi_wready_i = (!writes_.empty() || early) && w_credit_ >= kBytes && !chance(t_.stall);
    b_valid_ = !responses_.empty() && cycle_ >= responses_.front().ready_at;
    top_.m_axi_bvalid_i = b_valid_;
    top_.m_axi_bresp_i = b_valid_ && responses_.front().error ? 2 : 0;
  }

  void sample_write() {
    const Addr now{top_.m_axi_awaddr_o, top_.m_axi_awlen_o, top_.m_axi_awsize_o, top_.m_axi_awburst_o};
    check_address("AW", top_.m_axi_awvalid_o, now, aw_pending_, aw_);
    aw_fire_ = top_.m_axi_awvalid_o && top_.m_axi_awready_i;
    aw_pending_ = top_.m_axi_awvalid_o && !top_.m_axi_awready_i;
    aw_ = now;
    const std::vector<uint32_t> data = words(top_.m_axi_wdata_o);
    const uint64_t strb = static_cast<uint64_t>(top_.m_axi_wstrb_o);
    const bool last = top_.m_axi_wlast_o;
    if (w_pending_ && (!top_.m_axi_wvalid_o || data != w_data_ || strb != w_strb_ || last != w_last_))
      fail("W changed or dropped before WREADY");
    w_fire_ = top_.m_axi_wvalid_o && top_.m_axi_wready_i;
    w_pending_ = top_.m_axi_wvalid_o && !top_.m_axi_wready_i;
    w_data_ = data, w_strb_ = strb, w_last_ = last;
    b_fire_ = b_valid_ && top_.m_axi_bready_o;
  }

  void commit_write() {
    if (b_fire_) responses_.pop_front();
    if (w_fire_) {
      w_credit_ -= kBytes;
      ++beats_;
      early_.push_back({w_data_, w_strb_, w_last_});
    }
    if (aw_fire_) {
      writes_.push_back(make_burst(aw_));
      ++burst_count_;
      if (writes_.size() + responses_.size() > t_.outstanding)
        fail("more than " + std::to_string(t_.outstanding) + " writes awaiting a response");
    }
    // W beats meet their burst in order (a beat may have come before its AW).
    while (!early_.empty() && !writes_.empty()) {
      const WBeat beat = early_.front();
      early_.pop_front();
      Burst& b = writes_.front();
      const uint64_t addr = b.addr + uint64_t{b.done} * kBytes;
      for (unsigned i = 0; i < kBytes && !b.error; ++i)
        if ((beat.strb >> i) & 1) mem_[addr + i] = static_cast<uint8_t>(beat.data[i / 4] >> (8 * (i % 4)));
      const bool last = ++b.done == b.beats;
      if (beat.last != last)
        fail("WLAST " + std::string(beat.last ? "on" : "missing on") + " beat " + std::to_string(b.done) +
             " of " + std::to_string(b.beats));
      if (last) {
        b.ready_at = cycle_ + t_.latency;
        responses_.push_back(b);
        writes_.pop_front();
      }
    }
  }

  // ---- shared --------------------------------------------------------------------------
  void check_address(const char* channel, bool valid, const Addr& now, bool pending, const Addr& before) {
    const std::string c = channel;
    if (pending && (!valid || now != before)) fail(c + " changed or dropped before " + c + "READY");
    if (!valid) return;
    const unsigned beats = now.len + 1u;
    if (now.burst != 1) fail(c + "BURST is not INCR");
    if ((1u << now.size) != kBytes) fail(c + "SIZE is not the bus width");
    if (now.addr % kBytes != 0) fail(c + "ADDR is not aligned to the bus width");
    if ((now.addr % 4096) + uint64_t{beats} * kBytes > 4096) fail(c + " burst crosses a 4 KiB boundary");
    if (beats > t_.max_burst) fail(c + " burst longer than " + std::to_string(t_.max_burst) + " beats");
  }

  template <typename P>
  static void set_word(P& port, unsigned w, uint32_t v) {
    if constexpr (DataBits <= 64) {
      const uint64_t mask = uint64_t{0xFFFF'FFFFu} << (32 * w);
      port = static_cast<P>((static_cast<uint64_t>(port) & ~mask) | (uint64_t{v} << (32 * w)));
    } else {
      port[w] = v;
    }
  }

  template <typename P>
  static std::vector<uint32_t> words(const P& port) {
    std::vector<uint32_t> w(DataBits / 32);
    for (unsigned i = 0; i < w.size(); ++i) {
      if constexpr (DataBits <= 64)
        w[i] = static_cast<uint32_t>(static_cast<uint64_t>(port) >> (32 * i));
      else
        w[i] = port[i];
    }
    return w;
  }

  void fail(const std::string& what) {
    if (errors_.size() < 20) errors_.push_back("cycle " + std::to_string(cycle_) + ": " + what);
  }

  Top& top_;
  std::vector<uint8_t> mem_;
  AxiMemoryTiming t_;
  std::mt19937_64 rng_;
  uint64_t cycle_ = 0, beats_ = 0, burst_count_ = 0;
  uint64_t err_begin_ = 0, err_end_ = 0;
  std::deque<Burst> reads_;
  double r_credit_ = 0;
  bool r_valid_ = false, ar_fire_ = false, r_fire_ = false, ar_pending_ = false;
  Addr ar_, aw_;
  std::deque<Burst> writes_, responses_;  // bursts taking W beats; bursts awaiting B
  double w_credit_ = 0;
  bool aw_fire_ = false, aw_pending_ = false, w_fire_ = false, w_pending_ = false, w_last_ = false;
  bool b_valid_ = false, b_fire_ = false;
  std::vector<uint32_t> w_data_;
  uint64_t w_strb_ = 0;
  struct WBeat {
    std::vector<uint32_t> data;
    uint64_t strb;
    bool last;
  };
  std::deque<WBeat> early_;  // W beats taken, not yet matched with their burst
  std::vector<std::string> errors_;
};

}  // namespace dnngen::testbench
