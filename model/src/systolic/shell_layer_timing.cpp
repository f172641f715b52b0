// The cycle-exact model of a GEMM layer on the systolic shell
// (dnngen/systolic/shell_layer_timing.hpp). Each struct below is one RTL block's registers
// (named after them) with the block's combinational outputs as methods; Shell::step() is
// one clock cycle: every block's outputs from the registers first, then every register's
// next value, as the RTL's always_comb / always_ff pairs do. Only the control is kept:
// beats, words and rows are counted, never carried.
#include "dnngen/systolic/shell_layer_timing.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {
namespace {

// ---------------------------------------------------------------- dnn_shell_job_walk
struct JobWalk {
  bool valid = false;
  uint64_t m = 0, n = 0, k = 0, m0 = 0, n0 = 0, k0 = 0;
  uint64_t max_m = 0, max_n = 0, max_k = 0;

  void start(uint64_t mm, uint64_t nn, uint64_t kk) {
    valid = true;
    m = mm, n = nn, k = kk;
    m0 = n0 = k0 = 0;
  }
  uint64_t mj() const { return std::min(max_m, m - m0); }
  uint64_t nj() const { return std::min(max_n, n - n0); }
  uint64_t kj() const { return std::min(max_k, k - k0); }
  bool first_k() const { return k0 == 0; }
  bool last_k() const { return k - k0 <= max_k; }
  void next() {
    if (!valid) return;
    if (k - k0 > max_k) {
      k0 += max_k;
    } else if (n - n0 > max_n) {
      k0 = 0;
      n0 += max_n;
    } else {
      k0 = n0 = 0;
      if (m - m0 <= max_m) valid = false;
      m0 += max_m;
    }
  }
};

// dnn_axi_burst: the next burst's beats.
uint64_t burst_beats(uint64_t addr, uint64_t left, unsigned bytes, unsigned max_burst) {
  const uint64_t to_page = (4096 - addr % 4096) / bytes;
  return std::min({left, uint64_t{max_burst}, to_page});
}

// A burst in the memory (axi_memory.hpp): beats, beats done, the cycle it may answer.
struct MemBurst {
  uint64_t beats = 0, done = 0, ready_at = 0;
};

// ---------------------------------------------------------------- segment info (loader FIFO)
struct Segment {
  unsigned skip = 0;
  uint64_t len = 0;    // bytes a row
  uint64_t rows = 1;   // rows back to back
  uint64_t bytes = 0;  // bytes the segment brings: len x rows, or a piece of a row
  unsigned wbytes = 0;
  bool zero = false;  // zeros, not read (im2col padding)
  bool cont = false;  // the segment goes on with the row of the one before
  bool job_end = false;
  unsigned bank = 0;
};

class Shell {
 public:
  Shell(const ShellParams& p, const LayerDescriptor& d, unsigned latency, double bytes_per_cycle)
      : p_(p), d_(d), latency_(latency), bpc_(bytes_per_cycle), bytes_(p.data_bits / 8) {
    for (JobWalk* w : {&lwalk_, &cwalk_}) w->max_m = p.max_m, w->max_n = p.max_n, w->max_k = p.max_k;
    sys_.rows = p.rows;
    sys_.cols = p.cols;
    sys_.max_m = p.max_m;
    sys_.max_n = p.max_n;
    sys_.max_k = p.max_k;
    sys_.dataflow = p.dataflow;
    r_credit_ = w_credit_ = bytes_;
    word_bytes_ = std::max({p.rows * (p.in_bits / 8), p.cols * (p.w_bits / 8), 8u});
    v_ = gemm_view(p, d);
    ap_ = v_.a_pitch;
    bp_ = v_.b_pitch;
    op_ = v_.out_pitch;
    ob_ = out_bytes(d);
    raw_ = d.out_type == "int32";
    const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8;
    a_contig_ = !v_.conv && v_.k <= p.max_k && ap_ == v_.k * in_b;
    b_contig_ = v_.n <= p.max_n && bp_ == v_.n * w_b;
    out_contig_ = v_.n <= p.max_n && op_ == v_.n * ob_;
    if (v_.conv) {
      sc_ = uint64_t{d.s} * d.in_c;
      wc_ = uint64_t{d.in_w} * d.in_c;
      pxc_ = uint64_t{d.pad_x} * d.in_c;
      sxc_ = uint64_t{d.stride_x} * d.in_c;
    }
  }

  LayerTiming run() {
    LayerTiming t;
    lstate_ = kCheck;
    while (lstate_ != kIdle) {
      step(t);
      if (t.cycles > (uint64_t{1} << 26))
        throw std::logic_error("shell timing model: the layer never ends: " + state());
    }
    t.macs = v_.m * v_.n * v_.k;
    return t;
  }

 private:
  enum LayerState { kIdle, kCheck, kRun };

  std::string state() const {
    std::string s;
    auto add = [&](const char* n, uint64_t v) { s += std::string(n) + "=" + std::to_string(v) + " "; };
    add("M", v_.m);
    add("N", v_.n);
    add("K", v_.k);
    add("a", d_.a_addr);
    add("b", d_.b_addr);
    add("out", d_.out_addr);
    add("as", d_.a_stride);
    add("bs", d_.b_stride);
    add("os", d_.out_stride);
    add("bias", d_.bias);
    add("pc", d_.per_channel);
    s += d_.out_type + " ";
    add("issue", issue_);
    add("ibank", ibank_);
    add("row", row_);
    add("info", info_.size());
    add("u_head", head_.valid);
    add("u_next", next_.valid);
    add("u_in_left", u_in_left_);
    add("u_left", u_left_);
    add("u_fill", u_fill_);
    add("rd_busy", rd_busy_);
    add("rd_issue", rd_issue_);
    add("rd_deliver", rd_deliver_);
    add("rd_inflight", rd_inflight_);
    add("rd_fifo", rd_fifo_);
    add("reads", reads_.size());
    add("claimed0", claimed_[0]);
    add("claimed1", claimed_[1]);
    add("full0", full_[0]);
    add("full1", full_[1]);
    add("crun", crun_);
    add("core_busy", core_busy_);
    add("events", events_.size());
    add("cwalk_valid", cwalk_.valid);
    add("lwalk_valid", lwalk_.valid);
    add("stage", stage_valid_);
    add("rq_occ", rq_occ_);
    add("pk_active", pk_active_);
    add("wstate", wstate_);
    add("wrow", wrow_);
    add("ob_full0", ob_full_[0]);
    add("ob_full1", ob_full_[1]);
    add("pk_cmd", pk_cmd_);
    add("pk_beats", pk_beats_);
    add("wr_busy", wr_busy_);
    add("wr_issue", wr_issue_);
    add("wr_pending", wr_pending_);
    add("wr_fifo", wr_fifo_);
    add("writes", writes_.size());
    add("responses", responses_.size());
    return s;
  }
  enum IssueState { kIssueIdle, kIssueWait, kIssueA, kIssueB, kIssueBias, kIssueQuant };

  uint64_t mask_addr(uint64_t a) const {
    return p_.addr_bits >= 64 ? a : a & ((uint64_t{1} << p_.addr_bits) - 1);
  }

  // ---- loader, command side: the segment of the current row
  struct SegmentPlan {
    uint64_t len = 0, rows = 1, bytes = 0;
    unsigned wbytes = 0;
    bool zero = false, more = false, cont = false;
    uint64_t elems = 0;  // conv2d A: the piece's elements
    bool last_row = false, job_end = false;
  };
  bool has_bias() const { return !raw_ && d_.bias && lwalk_.last_k(); }
  bool has_quant() const { return !raw_ && d_.per_channel && lwalk_.last_k(); }
  bool issuing() const { return issue_ >= kIssueA; }
  SegmentPlan plan() const {
    SegmentPlan s;
    const unsigned in_b = p_.in_bits / 8, w_b = p_.w_bits / 8;
    switch (issue_) {
      case kIssueA:
        s.len = lwalk_.kj() * in_b;
        s.wbytes = p_.rows * in_b;
        s.rows = a_contig_ ? lwalk_.mj() : 1;
        s.last_row = a_contig_ || row_ == lwalk_.mj() - 1;
        if (v_.conv) plan_piece(s);
        break;
      case kIssueB:
        s.len = lwalk_.nj() * w_b;
        s.wbytes = p_.cols * w_b;
        s.rows = b_contig_ ? lwalk_.kj() : 1;
        s.last_row = b_contig_ || row_ == lwalk_.kj() - 1;
        s.job_end = s.last_row && !has_bias() && !has_quant();
        break;
      case kIssueBias:
        s.len = lwalk_.nj() * 4;
        s.wbytes = 4;
        s.last_row = true;
        s.job_end = !has_quant();
        break;
      case kIssueQuant:
        s.len = lwalk_.nj() * 8;
        s.wbytes = 8;
        s.last_row = true;
        s.job_end = true;
        break;
      default:
        break;
    }
    return s;
  }

  // conv2d: the next piece of the current A row (dnn_shell_systolic_loader's im2col walk): up
  // to the next edge of the padding, of the filter row r, or of the job's K range.
  void plan_piece(SegmentPlan& s) const {
    const int64_t ih = ih0_ + static_cast<int64_t>(r_);
    const bool row_in = ih >= 0 && ih < static_cast<int64_t>(d_.in_h);
    const int64_t jl = std::max<int64_t>(0, -iwc_);
    const int64_t jh = std::min<int64_t>(static_cast<int64_t>(sc_), static_cast<int64_t>(wc_) - iwc_);
    const int64_t j = static_cast<int64_t>(j_);
    const int64_t slice_end = static_cast<int64_t>(std::min(sc_, j_ + rem_));
    int64_t end = slice_end;
    s.zero = true;
    if (row_in && j < jl) {
      end = std::min(jl, slice_end);
    } else if (row_in && j < jh) {
      end = std::min(jh, slice_end);
      s.zero = false;
    }
    s.elems = static_cast<uint64_t>(end - j);
    s.bytes = s.elems * (p_.in_bits / 8);
    s.cont = rem_ != lwalk_.kj();
    s.more = rem_ != s.elems;
    s.last_row = !s.more && row_ == lwalk_.mj() - 1;
  }
  uint64_t piece_addr() const { return pix_addr_ + roff_ + j_ * (p_.in_bits / 8); }
  // conv2d: the next output pixel.
  void step_pixel() {
    if (ow_ == v_.f - 1) {
      ow_ = 0;
      iwc_ = -static_cast<int64_t>(pxc_);
      ih0_ += d_.stride_y;
      rowstart_ += d_.stride_y * ap_;
      pix_addr_ = rowstart_;
    } else {
      ++ow_;
      iwc_ += static_cast<int64_t>(sxc_);
      pix_addr_ += sxc_ * (p_.in_bits / 8);
    }
  }
  struct Pixel {
    uint64_t ow = 0;
    int64_t ih0 = 0, iwc = 0;
    uint64_t pix_addr = 0, rowstart = 0;
  };
  Pixel pixel() const { return {ow_, ih0_, iwc_, pix_addr_, rowstart_}; }
  void set_pixel(const Pixel& x) {
    ow_ = x.ow, ih0_ = x.ih0, iwc_ = x.iwc, pix_addr_ = x.pix_addr, rowstart_ = x.rowstart;
  }

  void step(LayerTiming& t) {
    ++cycle_;
    const unsigned in_b = p_.in_bits / 8, w_b = p_.w_bits / 8;

    // ================================================================ outputs of the registers
    const bool run = lstate_ == kRun;
    const bool run_start = lstate_ == kCheck;  // the descriptor passed (check_descriptor)

    // loader command side -> read DMA
    const SegmentPlan seg = plan();
    const bool info_ready = info_.size() < p_.outstanding + 2;
    const bool rd_cmd_ready = rd_issue_ == 0;
    const bool seg_fire = issuing() && info_ready && (seg.zero || rd_cmd_ready);
    const bool piece = v_.conv && issue_ == kIssueA;
    const uint64_t seg_addr = mask_addr(piece ? piece_addr() : iaddr_);
    const unsigned seg_skip = seg.zero ? 0 : static_cast<unsigned>(seg_addr % bytes_);
    const uint64_t seg_bytes = piece ? seg.bytes : seg.len * seg.rows;
    const uint64_t seg_beats = (seg_skip + seg_bytes + bytes_ - 1) / bytes_;

    // read DMA
    const uint64_t rd_burst = burst_beats(rd_addr_, rd_issue_, bytes_, p_.max_burst);
    const bool ar_fire = rd_arvalid_;
    const bool load_ar = rd_busy_ && rd_issue_ != 0 && rd_inflight_ < p_.outstanding;
    // memory: read data
    bool r_valid = false;
    if (!reads_.empty()) {
      r_credit_ = std::min(r_credit_ + bpc_, static_cast<double>(bytes_));
      r_valid = cycle_ >= reads_.front().ready_at && r_credit_ >= bytes_;
    }
    const bool rready = rd_fifo_ < 2;
    const bool r_fire = r_valid && rready;
    const bool r_done = r_fire && reads_.front().done + 1 == reads_.front().beats;
    const bool rd_out_valid = rd_fifo_ > 0;

    // realigner (dnn_shell_unpack): the in side takes the next segment once the bytes of
    // the one before are in, while the out side hands out the head segment's words
    const uint64_t take = std::min<uint64_t>(head_.wbytes, u_left_);
    const bool word_valid = head_.valid && take <= u_fill_;
    const bool word_row_last = take == u_left_;
    const bool word_last = word_row_last && u_rows_ == 1;
    const bool head_done = word_valid && word_last;
    const bool u_room = u_in_left_ != 0 && u_fill_ < 2ull * word_bytes_;
    const bool u_in_ready = u_room && !u_zero_;
    const bool u_in_fire = rd_out_valid && u_in_ready;
    const bool u_zero_fire = u_room && u_zero_;
    const uint64_t beat_count = std::min<uint64_t>(u_first_ ? bytes_ - u_skip_ : bytes_, u_in_left_);
    const bool u_filled = u_in_fire || u_zero_fire;
    // the next segment comes in with the last beat of the one before
    const bool u_in_done = u_in_left_ == 0 || (u_filled && beat_count == u_in_left_);
    const bool info_pop = !info_.empty() && u_in_done && (!next_.valid || head_done);
    const bool bank_loaded = word_valid && word_last && head_.job_end;

    // compute
    const bool ob_free = !ob_claimed_[ob_acc_];
    const bool core_job_valid =
        run && cwalk_.valid && !crun_ && full_[cbank_] && (!cwalk_.last_k() || ob_free);
    const bool accept = core_job_valid && !core_busy_;
    bool core_event = false, core_emit = false;
    Event event;
    if (core_busy_ && !events_.empty() && events_.front().cycle == core_progress_ + 1) {
      core_event = true;
      event = events_.front();
      core_emit = event.emit;
    }
    const bool core_out_valid = core_event && core_emit;
    events_before_pop_ = events_.size();
    wseg_rows_before_ = wseg_rows_;
    chunk_len_before_ = chunk_len_;
    cwalk_m0_at_accept_ = cwalk_.m0, cwalk_n0_at_accept_ = cwalk_.n0;
    cwalk_mj_at_accept_ = cwalk_.mj(), cwalk_nj_at_accept_ = cwalk_.nj();
    const bool job_finish = crun_ && !core_busy_;

    // output stage, requantisation (its output always taken: the output tile buffer)
    const bool rq_in_ready = rq_occ_ < 4;
    const bool core_out_ready = !stage_valid_ || rq_in_ready;
    const bool stage_load = core_out_valid && core_out_ready;
    const bool rq_in_fire = stage_valid_ && rq_in_ready;
    const bool rq_out_fire = !rq_fifo_.empty();
    const bool rq_out_last = rq_out_fire && rq_fifo_.front().last;
    const bool emit_accept = accept && cwalk_.last_k();

    // the writer and the write aligner
    const unsigned rb = ob_rbank_;
    const uint64_t rmj = otile_[rb].mj, rnj = otile_[rb].nj;
    const bool rb_full = ob_full_[rb];
    const uint64_t wcols_left = rnj - wtile_ * p_.cols;
    const bool last_tile = wcols_left <= p_.cols;
    const bool pk_seg_ready = !pk_active_;
    const bool pk_in_ready = pk_active_ && pk_left_ != 0 && pk_fill_ < 2ull * bytes_;
    const bool pk_in_fire = chunk_valid_ && pk_in_ready;
    const bool ob_re = wstate_ == kWrChunks && wseg_rows_ != 0 && (!chunk_valid_ || pk_in_ready);
    const bool pk_seg_fire = wstate_ == kWrSeg && pk_seg_ready;
    const uint64_t pk_seg_addr = mask_addr(otile_[rb].row + wrow_ * op_ + otile_[rb].n0 * ob_);
    const uint64_t pk_seg_len = (out_contig_ ? rmj * rnj : rnj) * ob_;
    const bool pk_flush = pk_left_ == 0 && pk_fill_ != 0;
    const bool pk_out_valid = pk_active_ && !pk_cmd_ && (pk_fill_ >= bytes_ || pk_flush);

    // write DMA
    const bool wr_cmd_ready = wr_issue_ == 0;
    const bool wr_cmd_fire = pk_cmd_ && wr_cmd_ready;
    const uint64_t pk_addr = pk_addr_, pk_beats = pk_beats_;
    const bool awvalid_q = wr_awvalid_;
    const uint64_t awlen_q = wr_awlen_, arlen_q = rd_arlen_;
    const uint64_t wr_burst = burst_beats(wr_addr_, wr_issue_, bytes_, p_.max_burst);
    const bool aw_fire = wr_awvalid_;
    const bool load_aw =
        wr_busy_ && wr_issue_ != 0 && wr_pending_ < p_.outstanding && wr_lens_.size() < p_.outstanding;
    const bool wr_in_ready = wr_fifo_ < 2;
    const bool pk_out_fire = pk_out_valid && wr_in_ready;
    const bool wvalid = wr_fifo_ > 0 && !wr_lens_.empty();
    const bool wlast = wvalid && wr_wbeat_ == wr_lens_.front();
    // memory: write side
    w_credit_ = std::min(w_credit_ + bpc_, static_cast<double>(bytes_));
    const bool wready = !writes_.empty() && w_credit_ >= bytes_;
    const bool w_fire = wvalid && wready;
    const bool b_fire = !responses_.empty() && cycle_ >= responses_.front().ready_at;

    // layer
    const bool loader_idle = !issuing() && info_.empty() && u_in_left_ == 0 && !head_.valid && !rd_busy_;
    const bool drained = !crun_ && !core_busy_ && loader_idle && !stage_valid_ && rq_occ_ == 0 &&
                         !ob_full_[0] && !ob_full_[1] && wstate_ == kWrIdle && !pk_active_ && !wr_busy_;
    const bool all_jobs_done = !cwalk_.valid;
    const bool core_stalled = core_out_valid && !core_out_ready;

    // ================================================================ counters
    ++t.cycles;
    if (core_busy_ && !core_stalled) ++t.compute;
    if (core_stalled || (run && cwalk_.valid && !crun_ && (!full_[cbank_] || (cwalk_.last_k() && !ob_free))))
      ++t.mem_wait;
    if (rd_out_valid && u_in_ready) t.bytes_read += bytes_;
    if (pk_in_fire) t.bytes_written += chunk_len_;

    // ================================================================ next state
    // layer control
    if (run_start) {
      lstate_ = kRun;
      lwalk_.start(v_.m, v_.n, v_.k);
      cwalk_.start(v_.m, v_.n, v_.k);
    } else if (run && all_jobs_done && drained) {
      lstate_ = kIdle;
    }

    // banks
    const bool claim = issue_ == kIssueWait && lwalk_.valid && !claimed_[ibank_];
    if (run_start) {
      claimed_[0] = claimed_[1] = full_[0] = full_[1] = false;
    } else {
      if (claim) claimed_[ibank_] = true;
      if (bank_loaded) full_[head_.bank] = true;
      if (job_finish) claimed_[cbank_] = full_[cbank_] = false;
    }

    // loader, command side
    if (seg_fire)
      info_.push_back(
          {seg_skip, seg.len, seg.rows, seg_bytes, seg.wbytes, seg.zero, seg.cont, seg.job_end, ibank_});
    switch (issue_) {
      case kIssueIdle:
        if (run_start) {
          issue_ = kIssueWait;
          ibank_ = 0;
          // conv2d: the first pixel's window starts PAD_Y rows up, PAD_X pixels left.
          const uint64_t first = d_.a_addr - uint64_t{d_.pad_y} * ap_ - pxc_ * in_b;
          mbase_ = {0, -static_cast<int64_t>(d_.pad_y), -static_cast<int64_t>(pxc_), first, first};
          rb_ = jb_ = roffb_ = 0;
        }
        break;
      case kIssueWait:
        if (!lwalk_.valid) {
          issue_ = kIssueIdle;
        } else if (claim) {
          issue_ = kIssueA;
          row_ = 0;
          iaddr_ = mask_addr(d_.a_addr + lwalk_.m0 * ap_ + lwalk_.k0 * in_b);
          set_pixel(mbase_);
          r_ = rb_, j_ = jb_, roff_ = roffb_;
          rem_ = lwalk_.kj();
        }
        break;
      default:
        if (!seg_fire) break;
        if (piece) {
          step_piece(seg);
          break;
        }
        ++row_;
        if (issue_ == kIssueA) iaddr_ = mask_addr(iaddr_ + ap_);
        if (issue_ == kIssueB) iaddr_ = mask_addr(iaddr_ + bp_);
        if (seg.last_row) {
          row_ = 0;
          if (issue_ == kIssueA) {
            issue_ = kIssueB;
            iaddr_ = mask_addr(d_.b_addr + lwalk_.k0 * bp_ + lwalk_.n0 * w_b);
          } else if (issue_ == kIssueB && has_bias()) {
            issue_ = kIssueBias;
            iaddr_ = mask_addr(d_.bias_addr + lwalk_.n0 * 4);
          } else if ((issue_ == kIssueB || issue_ == kIssueBias) && has_quant()) {
            issue_ = kIssueQuant;
            iaddr_ = mask_addr(d_.quant_addr + lwalk_.n0 * 8);
          } else {
            issue_ = kIssueWait;
            ibank_ ^= 1;
            lwalk_.next();
          }
        }
        break;
    }

    // read DMA
    if (seg_fire && !seg.zero) {
      rd_busy_ = true;
      rd_addr_ = seg_addr - seg_skip;
      rd_issue_ = seg_beats;
    }
    if (ar_fire) rd_arvalid_ = false;
    if (load_ar) {
      rd_arvalid_ = true;
      rd_arlen_ = rd_burst - 1;
      rd_addr_ += rd_burst * bytes_;
      rd_issue_ -= rd_burst;
    }
    rd_inflight_ = rd_inflight_ + (load_ar ? 1 : 0) - (r_done ? 1 : 0);
    rd_deliver_ =
        rd_deliver_ + (seg_fire && !seg.zero ? seg_beats : 0) - (rd_out_valid && u_in_ready ? 1 : 0);
    if (rd_deliver_ == 0 && rd_issue_ == 0) rd_busy_ = false;
    rd_fifo_ = rd_fifo_ + (r_fire ? 1 : 0) - (u_in_fire ? 1 : 0);
    // memory, read side (after the edge)
    if (r_fire) {
      r_credit_ -= bytes_;
      if (++reads_.front().done == reads_.front().beats) reads_.pop_front();
    }
    if (ar_fire) reads_.push_back({arlen_q + 1, 0, cycle_ + latency_});
    // realigner and the loader's data side
    if (u_filled) {
      u_first_ = false;
      u_in_left_ -= beat_count;
    }
    const uint64_t kept = word_valid ? u_fill_ - take : u_fill_;
    u_fill_ = u_filled ? kept + beat_count : kept;
    if (word_valid) {
      u_left_ = word_row_last ? head_.len : u_left_ - take;
      if (word_row_last) --u_rows_;
    }
    // out side: the head moves on when it is done (or absent); the rows of a segment that
    // comes in go to the head if it is then free, else behind it (a segment that goes on
    // with a row brings none)
    if (!head_.valid || head_done) {
      if (next_.valid)
        set_head(next_);
      else
        head_.valid = false;
      next_.valid = false;
    }
    if (info_pop) {
      const Segment& s = info_.front();
      u_first_ = true;
      u_skip_ = s.skip;
      u_in_left_ = s.bytes;
      u_zero_ = s.zero;
      if (!s.cont) {
        const RowSegment r{true, s.len, s.rows, s.wbytes, s.job_end, s.bank};
        if (head_.valid)
          next_ = r;
        else
          set_head(r);
      }
      info_.pop_front();
    }

    // compute and the core
    if (run_start) {
      crun_ = false;
      cbank_ = 0;
    } else {
      if (accept) crun_ = true;
      if (job_finish) {
        crun_ = false;
        cbank_ ^= 1;
        cwalk_.next();
      }
    }
    if (core_busy_) {
      const bool advance = !core_event || !core_emit || core_out_ready;
      if (advance) {
        ++core_progress_;
        if (core_event) {
          events_.pop_front();
          if (events_.empty()) core_busy_ = false;
        }
      }
    }
    if (accept) start_core_job(t);

    // output stage: the row, its N-tile (counted per job) and whether it is the job's last
    const Run stage_run{stage_valid_, stage_last_};
    if (stage_load) {
      stage_valid_ = true;
      stage_last_ = events_before_pop_ == 1;
    } else if (rq_in_ready) {
      stage_valid_ = false;
    }

    // requantisation: two stages, then a FIFO of four; the credit count is the occupancy
    if (rq_out_fire) rq_fifo_.pop_front();
    if (rq_s2_.valid) rq_fifo_.push_back(rq_s2_);
    rq_s2_ = rq_s1_;
    rq_s1_ = {rq_in_fire, stage_run.last};
    rq_occ_ = rq_occ_ + (rq_in_fire ? 1 : 0) - (rq_out_fire ? 1 : 0);

    // output tile banks and the writer
    if (run_start) {
      ob_claimed_[0] = ob_claimed_[1] = ob_full_[0] = ob_full_[1] = false;
      ob_acc_ = ob_wbank_ = ob_rbank_ = 0;
    } else {
      if (emit_accept) {
        ob_claimed_[ob_acc_] = true;
        otile_[ob_acc_] = {cwalk_n0_at_accept_, cwalk_mj_at_accept_, cwalk_nj_at_accept_,
                           mask_addr(d_.out_addr + cwalk_m0_at_accept_ * op_)};
        ob_acc_ ^= 1;
      }
      if (rq_out_last) {
        ob_full_[ob_wbank_] = true;
        ob_wbank_ ^= 1;
      }
      if (pk_in_fire) chunk_valid_ = false;
      if (ob_re) {
        chunk_valid_ = true;
        chunk_len_ = (last_tile ? wcols_left : p_.cols) * ob_;
        if (last_tile) {
          wtile_ = 0;
          ++wrow_;
          --wseg_rows_;
        } else {
          ++wtile_;
        }
      }
      switch (wstate_) {
        case kWrIdle:
          if (rb_full) {
            wstate_ = kWrSeg;
            wrow_ = 0;
            wtile_ = 0;
          }
          break;
        case kWrSeg:
          if (pk_seg_ready) {
            wstate_ = kWrChunks;
            wseg_rows_ = out_contig_ ? rmj : 1;
          }
          break;
        case kWrChunks:
          if (wseg_rows_before_ == 0 && pk_in_fire) {
            if (wrow_ == rmj) {
              wstate_ = kWrIdle;
              ob_full_[rb] = ob_claimed_[rb] = false;
              ob_rbank_ ^= 1;
            } else {
              wstate_ = kWrSeg;
            }
          }
          break;
      }
    }

    // write aligner
    if (pk_seg_fire) {
      const uint64_t off = pk_seg_addr % bytes_;
      pk_active_ = pk_cmd_ = true;
      pk_addr_ = pk_seg_addr - off;
      pk_beats_ = (off + pk_seg_len + bytes_ - 1) / bytes_;
      pk_left_ = pk_seg_len;
      pk_fill_ = off;
    } else {
      if (wr_cmd_fire) pk_cmd_ = false;
      const uint64_t taken = std::min<uint64_t>(pk_fill_, bytes_);
      const uint64_t kept = pk_out_fire ? pk_fill_ - taken : pk_fill_;
      if (pk_in_fire) pk_left_ -= chunk_len_before_;
      pk_fill_ = pk_in_fire ? kept + chunk_len_before_ : kept;
      if (pk_out_fire && pk_flush && kept == 0) pk_active_ = false;
    }

    // write DMA
    if (wr_cmd_fire) {
      wr_busy_ = true;
      wr_addr_ = pk_addr;
      wr_issue_ = pk_beats;
    }
    if (aw_fire) wr_awvalid_ = false;
    if (load_aw) {
      wr_awvalid_ = true;
      wr_awlen_ = wr_burst - 1;
      wr_lens_.push_back(wr_burst - 1);
      wr_addr_ += wr_burst * bytes_;
      wr_issue_ -= wr_burst;
    }
    if (w_fire) wr_wbeat_ = wlast ? 0 : wr_wbeat_ + 1;
    if (w_fire && wlast) wr_lens_.pop_front();
    wr_pending_ = wr_pending_ + (load_aw ? 1 : 0) - (b_fire ? 1 : 0);
    if (wr_busy_ && !wr_cmd_fire && wr_issue_ == 0 && wr_pending_ == 0 && !awvalid_q) wr_busy_ = false;
    wr_fifo_ = wr_fifo_ + (pk_out_fire ? 1 : 0) - (w_fire ? 1 : 0);
    // memory, write side (after the edge)
    if (b_fire) responses_.pop_front();
    if (w_fire) {
      w_credit_ -= bytes_;
      MemBurst& b = writes_.front();
      if (++b.done == b.beats) {
        b.ready_at = cycle_ + latency_;
        responses_.push_back(b);
        writes_.pop_front();
      }
    }
    if (aw_fire) writes_.push_back({awlen_q + 1, 0, 0});
  }

  struct Event {
    uint64_t cycle = 0;
    uint64_t row = 0, col = 0;
    bool emit = false;
  };
  struct Run {
    bool valid = false;
    bool last = false;  // the job's last result
  };
  struct OutputTile {
    uint64_t n0 = 0, mj = 0, nj = 0, row = 0;  // the emitting job; row: OUT + m0 * pitch
  };
  enum WriterState { kWrIdle, kWrSeg, kWrChunks };

  // The realigner's out side: the rows of a segment.
  struct RowSegment {
    bool valid = false;
    uint64_t len = 0, rows = 0;
    unsigned wbytes = 0;
    bool job_end = false;
    unsigned bank = 0;
  };
  void set_head(const RowSegment& r) {
    head_ = r;
    u_left_ = r.len;
    u_rows_ = r.rows;
  }

  // conv2d: after a piece of an A row is issued.
  void step_piece(const SegmentPlan& seg) {
    j_ += seg.elems;
    rem_ -= seg.elems;
    if (j_ == sc_) {
      j_ = 0;
      ++r_;
      roff_ += ap_;
    }
    if (rem_ != 0) return;
    step_pixel();
    if (!seg.last_row) {  // the next row of the job starts at the job's k0 again
      ++row_;
      r_ = rb_, j_ = jb_, roff_ = roffb_;
      rem_ = lwalk_.kj();
      return;
    }
    // The A rows are issued: the next job of this K split starts at k0 + kj; the next
    // M tile at the pixel after this one's last.
    if (lwalk_.last_k()) {
      rb_ = jb_ = roffb_ = 0;
      if (lwalk_.n0 + lwalk_.nj() == lwalk_.n) mbase_ = pixel();
    } else {
      rb_ = r_, jb_ = j_, roffb_ = roff_;
    }
    row_ = 0;
    issue_ = kIssueB;
    iaddr_ = mask_addr(d_.b_addr + lwalk_.k0 * bp_ + lwalk_.n0 * (p_.w_bits / 8));
  }

  void start_core_job(LayerTiming& t) {
    ++t.jobs;
    const systolic::GemmShape shape{static_cast<int64_t>(cwalk_.mj()), static_cast<int64_t>(cwalk_.nj()),
                                    static_cast<int64_t>(cwalk_.kj())};
    // The schedule of rows leaving the array: emitted by the last job of a K split,
    // stored (at the same cycles) by the others. The last row ends the job.
    const bool emit = cwalk_.last_k();
    // The output-stationary core's K-split stage (a row waits a cycle while its earlier
    // sums are read) delays every row by one; the weight-stationary core reads them ahead.
    const uint64_t stage = sys_.dataflow == config::Dataflow::kOutputStationary ? 1 : 0;
    events_.clear();
    for (const auto& e : systolic::output_schedule(sys_, shape))
      events_.push_back({e.cycle + stage, static_cast<uint64_t>(e.row), static_cast<uint64_t>(e.col0), emit});
    core_busy_ = true;
    core_progress_ = 0;
  }

 private:
  const ShellParams p_;
  const LayerDescriptor d_;
  const unsigned latency_;
  const double bpc_;
  const unsigned bytes_;
  config::SystolicConfig sys_;
  GemmView v_;
  uint64_t ap_ = 0, bp_ = 0, op_ = 0, ob_ = 0;
  uint64_t sc_ = 0, wc_ = 0, pxc_ = 0,
           sxc_ = 0;  // conv2d: S x IN_C, IN_W x IN_C, PAD_X x IN_C, STRIDE_X x IN_C
  bool raw_ = false;
  bool a_contig_ = false, b_contig_ = false, out_contig_ = false;  // rows back to back in memory
  uint64_t cycle_ = 0;

  LayerState lstate_ = kIdle;
  JobWalk lwalk_, cwalk_;
  bool claimed_[2] = {false, false}, full_[2] = {false, false};

  // loader
  IssueState issue_ = kIssueIdle;
  unsigned ibank_ = 0;
  uint64_t row_ = 0, iaddr_ = 0;
  std::deque<Segment> info_;
  // conv2d im2col walk: the pixel of the current A row (ow, ih0 = oh*STRIDE_Y - PAD_Y,
  // iwc = (ow*STRIDE_X - PAD_X)*IN_C, its window's first byte, its output row's), the
  // position in K (filter row r, element j of its S x IN_C run, r x pitch), the row's
  // elements left; the M tile's first pixel and the job's first K position.
  uint64_t ow_ = 0, pix_addr_ = 0, rowstart_ = 0, r_ = 0, j_ = 0, roff_ = 0, rem_ = 0;
  int64_t ih0_ = 0, iwc_ = 0;
  Pixel mbase_;
  uint64_t rb_ = 0, jb_ = 0, roffb_ = 0;
  // realigner: in side, out side (the head segment's row count and the segment after it)
  unsigned word_bytes_ = 8;  // its widest word
  bool u_first_ = false, u_zero_ = false;
  unsigned u_skip_ = 0;
  uint64_t u_in_left_ = 0, u_fill_ = 0;
  RowSegment head_, next_;
  uint64_t u_left_ = 0, u_rows_ = 0;
  // read DMA and the memory's read side
  bool rd_busy_ = false, rd_arvalid_ = false;
  uint64_t rd_addr_ = 0, rd_issue_ = 0, rd_deliver_ = 0, rd_arlen_ = 0;
  unsigned rd_inflight_ = 0, rd_fifo_ = 0;
  std::deque<MemBurst> reads_;
  double r_credit_ = 0;
  // compute and the core
  bool crun_ = false, core_busy_ = false;
  unsigned cbank_ = 0;
  uint64_t core_progress_ = 0;
  std::deque<Event> events_;
  // output stage, requantisation, write aligner
  bool stage_valid_ = false, stage_last_ = false;
  unsigned rq_occ_ = 0;
  Run rq_s1_, rq_s2_;
  std::deque<Run> rq_fifo_;
  // output tiles and the writer
  bool ob_claimed_[2] = {false, false}, ob_full_[2] = {false, false};
  unsigned ob_acc_ = 0, ob_wbank_ = 0, ob_rbank_ = 0;
  OutputTile otile_[2];
  WriterState wstate_ = kWrIdle;
  uint64_t wrow_ = 0, wseg_rows_ = 0, wtile_ = 0;
  bool chunk_valid_ = false;
  uint64_t chunk_len_ = 0;
  // values of this cycle's registers that step() reads after updating them
  uint64_t events_before_pop_ = 0, wseg_rows_before_ = 0, chunk_len_before_ = 0;
  uint64_t cwalk_m0_at_accept_ = 0, cwalk_n0_at_accept_ = 0, cwalk_mj_at_accept_ = 0, cwalk_nj_at_accept_ = 0;
  // write aligner
  bool pk_active_ = false, pk_cmd_ = false;
  uint64_t pk_beats_ = 0, pk_addr_ = 0, pk_left_ = 0, pk_fill_ = 0;
  // write DMA and the memory's write side
  bool wr_busy_ = false, wr_awvalid_ = false;
  uint64_t wr_addr_ = 0, wr_issue_ = 0, wr_awlen_ = 0, wr_wbeat_ = 0;
  unsigned wr_pending_ = 0, wr_fifo_ = 0;
  std::deque<uint64_t> wr_lens_;
  std::deque<MemBurst> writes_, responses_;
  double w_credit_ = 0;
};

}  // namespace

LayerTiming layer_cycles(const ShellParams& p, const LayerDescriptor& d, unsigned latency,
                         double bytes_per_cycle) {
  if (check_descriptor(p, d) != 0)
    throw std::invalid_argument("systolic::layer_cycles: the descriptor does not run");
  if (!(bytes_per_cycle > 0))
    throw std::invalid_argument("systolic::layer_cycles: bytes_per_cycle must be > 0");
  Shell s(p, d, latency, bytes_per_cycle);
  return s.run();
}

}  // namespace dnngen::systolic
