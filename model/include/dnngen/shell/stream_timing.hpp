#pragma once
// Cycle models of the shell's data movers, register for register with their RTL, for the
// engines' layer cycle models: the read DMA (rtl/shell/dnn_axi_dma_rd.sv) with the AXI
// memory's read side (testbench/common/axi_memory.hpp without stalls), the read realigner
// (dnn_shell_unpack.sv, segments of whole rows), the output pipeline's occupancy
// (dnn_shell_requant.sv), the write aligner (dnn_shell_pack.sv) and the write DMA
// (dnn_axi_dma_wr.sv) with the memory's write side. Only control is kept: beats, bytes and
// words are counted, never carried.
//
// Each block has comb(), which computes this cycle's outputs from its registers and the
// inputs it is given, and update(), which moves its registers to the next cycle; a layer
// model calls every block's comb() first, then every update(), as the RTL's always_comb
// and always_ff do.
#include <algorithm>
#include <cstdint>
#include <deque>

namespace dnngen::shell::timing {

// dnn_axi_burst: the next burst's beats.
inline uint64_t burst_beats(uint64_t addr, uint64_t left, unsigned bytes, unsigned max_burst) {
  const uint64_t to_page = (4096 - addr % 4096) / bytes;
  return std::min({left, uint64_t{max_burst}, to_page});
}

struct Bus {
  unsigned bytes = 8, max_burst = 16, outstanding = 4;
  unsigned latency = 10;
  double bytes_per_cycle = 8;
};

// A link of `per_cycle` bytes a cycle that moves `beat` bytes at a time: this cycle's
// credit from the last one's. Unspent credit is banked up to one beat (an idle link does
// not save up a burst), and what a beat leaves over carries on, so a streaming link moves
// per_cycle bytes a cycle even where that does not divide the beat (2.4 on a 16-byte bus:
// a beat after 7, 7, 6 cycles, and so on; the memory of the RTL testbenches uses it too).
inline double link_credit(double credit, double per_cycle, unsigned beat) {
  return std::min(credit, static_cast<double>(beat)) + per_cycle;
}

// A burst in the memory: beats, beats done, the cycle it may answer.
struct MemBurst {
  uint64_t beats = 0, done = 0, ready_at = 0;
};

// The read DMA, its two-entry R FIFO and the memory's read side. The memory's read credit
// (link_credit) grows only in cycles with a read burst in it and a beat spends one beat's
// bytes of it, so from reset a burst returns its first beat once `bytes / bytes_per_cycle`
// cycles of credit are in, even after a shorter latency.
class ReadDma {
 public:
  explicit ReadDma(const Bus& bus) : bus_(bus), credit_(0) {}

  bool cmd_ready() const { return issue_ == 0; }
  bool out_valid() const { return fifo_ != 0; }
  bool busy() const { return busy_; }

  // This cycle (`cycle` counts from 1), with the consumer's ready.
  void comb(uint64_t cycle, bool out_ready) {
    out_fire_ = out_valid() && out_ready;
    burst_ = burst_beats(addr_, issue_, bus_.bytes, bus_.max_burst);
    ar_fire_ = arvalid_;
    load_ar_ = busy_ && issue_ != 0 && inflight_ < bus_.outstanding;
    bool r_valid = false;
    if (!reads_.empty()) {
      credit_ = link_credit(credit_, bus_.bytes_per_cycle, bus_.bytes);
      r_valid = cycle >= reads_.front().ready_at && credit_ >= bus_.bytes;
    }
    r_fire_ = r_valid && fifo_ < 2;
    r_done_ = r_fire_ && reads_.front().done + 1 == reads_.front().beats;
    cycle_ = cycle;
  }
  bool out_fire() const { return out_fire_; }

  // `cmd`: a command (bus-aligned address, beats) is taken this cycle.
  void update(bool cmd, uint64_t cmd_addr, uint64_t cmd_beats) {
    const uint64_t arlen_q = arlen_;
    if (cmd) {
      busy_ = true;
      addr_ = cmd_addr;
      issue_ = cmd_beats;
    }
    if (ar_fire_) arvalid_ = false;
    if (load_ar_) {
      arvalid_ = true;
      arlen_ = burst_ - 1;
      addr_ += burst_ * bus_.bytes;
      issue_ -= burst_;
    }
    inflight_ = inflight_ + (load_ar_ ? 1 : 0) - (r_done_ ? 1 : 0);
    deliver_ = deliver_ + (cmd ? cmd_beats : 0) - (out_fire_ ? 1 : 0);
    if (deliver_ == 0 && issue_ == 0) busy_ = false;
    fifo_ = fifo_ + (r_fire_ ? 1 : 0) - (out_fire_ ? 1 : 0);
    if (r_fire_) {
      credit_ -= bus_.bytes;
      if (++reads_.front().done == reads_.front().beats) reads_.pop_front();
    }
    if (ar_fire_) reads_.push_back({arlen_q + 1, 0, cycle_ + bus_.latency});
  }

 private:
  Bus bus_;
  bool busy_ = false, arvalid_ = false;
  uint64_t addr_ = 0, issue_ = 0, deliver_ = 0, arlen_ = 0;
  unsigned inflight_ = 0, fifo_ = 0;
  std::deque<MemBurst> reads_;
  double credit_;
  uint64_t cycle_ = 0, burst_ = 0;
  bool out_fire_ = false, ar_fire_ = false, load_ar_ = false, r_fire_ = false, r_done_ = false;
};

// A dnn_fifo (fall-through, `depth` entries): an entry pushed in a cycle is at the head
// from the next; the input is ready while the FIFO is not full.
template <typename T>
class Fifo {
 public:
  explicit Fifo(unsigned depth) : depth_(depth) {}
  bool in_ready() const { return q_.size() < depth_; }
  bool out_valid() const { return !q_.empty(); }
  const T& head() const { return q_.front(); }
  void update(bool push, const T& in, bool pop) {
    if (pop) q_.pop_front();
    if (push) q_.push_back(in);
  }

 private:
  unsigned depth_;
  std::deque<T> q_;
};

// The read realigner (dnn_shell_unpack): a segment brings `bytes` from a `skip` into its
// first beat (or, `zero`, that many zeros without beats) and hands them out as the words of
// `rows` rows of `len` bytes, `wbytes` a word; a `cont` segment goes on with the row of the
// one before (im2col pieces). A segment's `tag` (the caller's: a bank, a job's end) comes
// with its rows. The consumer is always ready.
class Unpack {
 public:
  struct Segment {
    unsigned skip = 0;
    uint64_t len = 0, rows = 1, bytes = 0;
    unsigned wbytes = 0;
    bool zero = false, cont = false;
    uint32_t tag = 0;
  };

  Unpack(unsigned bus_bytes, unsigned word_bytes) : bytes_(bus_bytes), word_bytes_(word_bytes) {}

  // From the registers: a beat is taken while fewer than two of the widest words are held.
  bool in_ready() const { return room() && !zero_; }

  // This cycle, given whether the read DMA has a beat.
  void comb(bool beat_valid) {
    take_ = std::min<uint64_t>(head_.wbytes, left_);
    word_valid_ = head_.valid && take_ <= fill_;
    row_last_ = take_ == left_;
    word_last_ = row_last_ && rows_ == 1;
    head_done_ = word_valid_ && word_last_;
    filled_ = (beat_valid && in_ready()) || (room() && zero_);
    beat_count_ = std::min<uint64_t>(first_ ? bytes_ - skip_ : bytes_, in_left_);
    const bool in_done = in_left_ == 0 || (filled_ && beat_count_ == in_left_);
    seg_ready_ = in_done && (!next_.valid || head_done_);
  }
  bool seg_ready() const { return seg_ready_; }
  bool word_valid() const { return word_valid_; }
  bool word_last() const { return word_last_; }
  uint32_t head_tag() const { return head_.tag; }  // the handed-out word's segment's
  bool idle() const { return in_left_ == 0 && !head_.valid; }

  // `seg`: segment `s` is taken this cycle.
  void update(bool seg, const Segment& s) {
    if (filled_) {
      first_ = false;
      in_left_ -= beat_count_;
    }
    const uint64_t kept = word_valid_ ? fill_ - take_ : fill_;
    fill_ = filled_ ? kept + beat_count_ : kept;
    if (word_valid_) {
      left_ = row_last_ ? head_.len : left_ - take_;
      if (row_last_) --rows_;
    }
    // The head moves on when it is done (or absent); a segment's rows go to the head if it
    // is then free, else behind it (a segment that goes on with a row brings none).
    if (!head_.valid || head_done_) {
      if (next_.valid)
        set_head(next_);
      else
        head_.valid = false;
      next_.valid = false;
    }
    if (seg) {
      first_ = true;
      skip_ = s.skip;
      in_left_ = s.bytes;
      zero_ = s.zero;
      if (!s.cont) {
        const Rows r{true, s.len, s.rows, s.wbytes, s.tag};
        if (head_.valid)
          next_ = r;
        else
          set_head(r);
      }
    }
  }

 private:
  struct Rows {
    bool valid = false;
    uint64_t len = 0, rows = 0;
    unsigned wbytes = 0;
    uint32_t tag = 0;
  };
  bool room() const { return in_left_ != 0 && fill_ < 2ull * word_bytes_; }
  void set_head(const Rows& r) {
    head_ = r;
    left_ = r.len;
    rows_ = r.rows;
  }

  unsigned bytes_, word_bytes_;
  bool first_ = false, zero_ = false;
  unsigned skip_ = 0;
  uint64_t in_left_ = 0, fill_ = 0;
  Rows head_, next_;
  uint64_t left_ = 0, rows_ = 0;
  // this cycle
  uint64_t take_ = 0, beat_count_ = 0;
  bool word_valid_ = false, row_last_ = false, word_last_ = false, head_done_ = false;
  bool filled_ = false, seg_ready_ = false;
};

// The output pipeline (dnn_shell_requant): two register stages, then a FIFO; a result is
// taken while fewer than kDepth are inside. Each carries a flag (the caller's: a job's last).
class Requant {
 public:
  static constexpr unsigned kDepth = 4;
  bool in_ready() const { return occ_ < kDepth; }
  bool out_valid() const { return count_ != 0; }
  bool out_flag() const { return count_ != 0 && flags_[head_]; }
  bool empty() const { return occ_ == 0; }
  void update(bool in_fire, bool in_flag, bool out_fire) {
    if (out_fire) head_ = (head_ + 1) % kDepth, --count_;
    if (s2_.valid) flags_[(head_ + count_++) % kDepth] = s2_.flag;
    s2_ = s1_;
    s1_ = {in_fire, in_flag};
    occ_ = occ_ + (in_fire ? 1 : 0) - (out_fire ? 1 : 0);
  }

 private:
  struct Stage {
    bool valid = false, flag = false;
  };
  Stage s1_, s2_;
  // The FIFO's flags, a ring (the credit count keeps it at kDepth at most).
  bool flags_[kDepth] = {};
  unsigned head_ = 0, count_ = 0, occ_ = 0;
};

// The write aligner and the write DMA with the memory's write side. The memory's write
// credit grows every cycle, so it is full again by a layer's first W beat (which follows
// the layer's first read beat, itself a full credit's cycles after the layer began).
class WritePath {
 public:
  explicit WritePath(const Bus& bus) : bus_(bus), credit_(bus.bytes) {}

  bool seg_ready() const { return !pk_active_; }
  bool in_ready() const { return pk_active_ && pk_left_ != 0 && pk_fill_ < 2ull * bus_.bytes; }
  bool idle() const { return !pk_active_; }
  bool busy() const { return wr_busy_; }

  // This cycle, given whether a chunk of `chunk_len` bytes is offered.
  void comb(uint64_t cycle, bool chunk_valid, uint64_t chunk_len) {
    in_fire_ = chunk_valid && in_ready();
    chunk_len_ = chunk_len;
    pk_flush_ = pk_left_ == 0 && pk_fill_ != 0;
    const bool pk_out_valid = pk_active_ && !pk_cmd_ && (pk_fill_ >= bus_.bytes || pk_flush_);
    cmd_fire_ = pk_cmd_ && wr_issue_ == 0;
    burst_ = burst_beats(wr_addr_, wr_issue_, bus_.bytes, bus_.max_burst);
    aw_fire_ = wr_awvalid_;
    load_aw_ =
        wr_busy_ && wr_issue_ != 0 && wr_pending_ < bus_.outstanding && lens_.size() < bus_.outstanding;
    out_fire_ = pk_out_valid && wr_fifo_ < 2;
    const bool wvalid = wr_fifo_ > 0 && !lens_.empty();
    wlast_ = wvalid && wbeat_ == lens_.front();
    credit_ = link_credit(credit_, bus_.bytes_per_cycle, bus_.bytes);
    w_fire_ = wvalid && !writes_.empty() && credit_ >= bus_.bytes;
    b_fire_ = !responses_.empty() && cycle >= responses_.front().ready_at;
    cycle_ = cycle;
  }
  bool in_fire() const { return in_fire_; }

  // `seg`: a segment of `len` bytes at `addr` starts this cycle.
  void update(bool seg, uint64_t addr, uint64_t len) {
    const bool awvalid_q = wr_awvalid_;
    const uint64_t awlen_q = wr_awlen_;
    const uint64_t pk_addr = pk_addr_, pk_beats = pk_beats_;
    if (seg) {
      const uint64_t off = addr % bus_.bytes;
      pk_active_ = pk_cmd_ = true;
      pk_addr_ = addr - off;
      pk_beats_ = (off + len + bus_.bytes - 1) / bus_.bytes;
      pk_left_ = len;
      pk_fill_ = off;
    } else {
      if (cmd_fire_) pk_cmd_ = false;
      const uint64_t taken = std::min<uint64_t>(pk_fill_, bus_.bytes);
      const uint64_t kept = out_fire_ ? pk_fill_ - taken : pk_fill_;
      if (in_fire_) pk_left_ -= chunk_len_;
      pk_fill_ = in_fire_ ? kept + chunk_len_ : kept;
      if (out_fire_ && pk_flush_ && kept == 0) pk_active_ = false;
    }
    if (cmd_fire_) {
      wr_busy_ = true;
      wr_addr_ = pk_addr;
      wr_issue_ = pk_beats;
    }
    if (aw_fire_) wr_awvalid_ = false;
    if (load_aw_) {
      wr_awvalid_ = true;
      wr_awlen_ = burst_ - 1;
      lens_.push_back(burst_ - 1);
      wr_addr_ += burst_ * bus_.bytes;
      wr_issue_ -= burst_;
    }
    if (w_fire_) wbeat_ = wlast_ ? 0 : wbeat_ + 1;
    if (w_fire_ && wlast_) lens_.pop_front();
    wr_pending_ = wr_pending_ + (load_aw_ ? 1 : 0) - (b_fire_ ? 1 : 0);
    if (wr_busy_ && !cmd_fire_ && wr_issue_ == 0 && wr_pending_ == 0 && !awvalid_q) wr_busy_ = false;
    wr_fifo_ = wr_fifo_ + (out_fire_ ? 1 : 0) - (w_fire_ ? 1 : 0);
    if (b_fire_) responses_.pop_front();
    if (w_fire_) {
      credit_ -= bus_.bytes;
      MemBurst& b = writes_.front();
      if (++b.done == b.beats) {
        b.ready_at = cycle_ + bus_.latency;
        responses_.push_back(b);
        writes_.pop_front();
      }
    }
    if (aw_fire_) writes_.push_back({awlen_q + 1, 0, 0});
  }

 private:
  Bus bus_;
  // write aligner
  bool pk_active_ = false, pk_cmd_ = false;
  uint64_t pk_beats_ = 0, pk_addr_ = 0, pk_left_ = 0, pk_fill_ = 0;
  // write DMA and the memory's write side
  bool wr_busy_ = false, wr_awvalid_ = false;
  uint64_t wr_addr_ = 0, wr_issue_ = 0, wr_awlen_ = 0, wbeat_ = 0;
  unsigned wr_pending_ = 0, wr_fifo_ = 0;
  std::deque<uint64_t> lens_;
  std::deque<MemBurst> writes_, responses_;
  double credit_;
  // this cycle
  uint64_t cycle_ = 0, burst_ = 0, chunk_len_ = 0;
  bool in_fire_ = false, pk_flush_ = false, cmd_fire_ = false, aw_fire_ = false, load_aw_ = false;
  bool out_fire_ = false, wlast_ = false, w_fire_ = false, b_fire_ = false;
};

}  // namespace dnngen::shell::timing
