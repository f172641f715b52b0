// The cycle-exact model of a GEMM layer on the systolic shell
// (dnngen/systolic/shell_layer_timing.hpp). Each struct below is one RTL block's registers
// (named after them) with the block's combinational outputs as methods; Shell::step() is
// one clock cycle: every block's outputs from the registers first, then every register's
// next value, as the RTL's always_comb / always_ff pairs do. Only the control is kept:
// beats, words and rows are counted, never carried.
#include "dnngen/systolic/shell_layer_timing.hpp"

#include <algorithm>
#include <deque>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnngen/bitserial/model.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/shell/stream_timing.hpp"
#include "dnngen/systolic/energy_actions.hpp"
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

namespace timing = shell::timing;

// ---------------------------------------------------------------- dnn_bitserial_core
// The bit-serial core's control at tile granularity: the sequencer runs a tile's bricks
// back to back (`work` cycles, bitserial::step_cycles) and hands the tile to the output
// bank in its last cycle, waiting there while the bank still holds the tile before; the
// bank hands out a row a cycle to the K-split stage, which stores it (a job that is not the
// last of its K split) or emits it. The job ends when its last row leaves that stage. A
// cascaded job (M = 1) runs brick by brick (bitserial::CascadeTiming), its tiles of filters
// overlapping, each captured by the bank as it completes.
struct BitserialCore {
  struct Tile {
    uint64_t work = 0, rows = 0;
  };
  bool busy = false;
  bool emit = false;  // the job is the last of its K split
  std::deque<Tile> tiles;
  std::optional<bitserial::CascadeTiming> cascade;
  unsigned start_delay = 0;  // the sequencer's first read: tiles start a cycle later
  uint64_t tile_pos = 0;     // cycles the current tile has run
  bool d_valid = false, d_last = false;
  uint64_t d_row = 0, d_rows = 0;
  bool s1_valid = false, s1_last = false;

  void start(std::deque<Tile> job_tiles, bool last_k) {
    busy = true;
    emit = last_k;
    tiles = std::move(job_tiles);
    cascade.reset();
    start_delay = 1;
    tile_pos = 0;
  }
  void start_cascade(bitserial::CascadeTiming job, bool last_k) {
    busy = true;
    emit = last_k;
    tiles.clear();
    cascade.emplace(std::move(job));
  }
  bool out_valid() const { return s1_valid && emit; }
  bool out_last() const { return s1_last; }
  // One cycle: `out_ready` is the consumer's ready. Returns true when the job finishes.
  bool step(bool out_ready) {
    const bool s1_leave = s1_valid && (!emit || out_ready);
    const bool d_ready = !s1_valid || s1_leave;
    const bool d_last_row = d_row + 1 == d_rows;
    const bool bank_free = !d_valid || (d_ready && d_last_row);
    const bool computing = !cascade && start_delay == 0 && !tiles.empty();
    const bool at_end = computing && tile_pos + 1 == tiles.front().work;
    const bool capture = cascade ? !cascade->done() && cascade->step(bank_free) : at_end && bank_free;
    const bool finish = s1_leave && s1_last;
    if (d_ready) {
      s1_valid = d_valid;
      s1_last = d_valid && d_last && d_last_row;
    }
    if (capture) {
      d_valid = true;
      d_last = cascade ? cascade->done() : tiles.size() == 1;
      d_row = 0;
      d_rows = cascade ? 1 : tiles.front().rows;
    } else if (d_valid && d_ready) {
      d_valid = !d_last_row;
      ++d_row;
    }
    if (!cascade) {
      if (start_delay > 0) {
        --start_delay;
      } else if (capture) {
        tiles.pop_front();
        tile_pos = 0;
      } else if (computing && !at_end) {
        ++tile_pos;
      }
    }
    if (finish) busy = false;
    return finish;
  }
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
  Shell(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory, unsigned latency,
        double bytes_per_cycle)
      : p_(p),
        d_(d),
        memory_(memory),
        bytes_(p.data_bits / 8),
        bus_{bytes_, p.max_burst, p.outstanding, latency, bytes_per_cycle},
        rd_(bus_),
        // the realigner's widest word: an A or B buffer row, at least 8 bytes
        unpack_(bytes_, std::max({a_word_elements(p) * (p.in_bits / 8), p.cols * (p.w_bits / 8), 8u})),
        wr_(bus_) {
    for (JobWalk* w : {&lwalk_, &cwalk_}) w->max_m = p.max_m, w->max_n = p.max_n, w->max_k = p.max_k;
    sys_.rows = p.rows;
    sys_.cols = p.cols;
    sys_.max_m = p.max_m;
    sys_.max_n = p.max_n;
    sys_.max_k = p.max_k;
    sys_.dataflow = p.dataflow;
    v_ = gemm_view(p, d);
    if (p.bitserial) {
      bs_cfg_ = bitserial_config(p);
      bs_prec_ = layer_precision(p, d);
    }
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
    add("unpack_idle", unpack_.idle());
    add("rd_busy", rd_.busy());
    add("rq_empty", rq_.empty());
    add("pk_idle", wr_.idle());
    add("wr_busy", wr_.busy());
    add("wstate", wstate_);
    add("wrow", wrow_);
    add("ob_full0", ob_full_[0]);
    add("ob_full1", ob_full_[1]);
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
        s.wbytes = a_word_elements(p_) * in_b;
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
    const bool seg_fire = issuing() && info_ready && (seg.zero || rd_.cmd_ready());
    const bool piece = v_.conv && issue_ == kIssueA;
    const uint64_t seg_addr = mask_addr(piece ? piece_addr() : iaddr_);
    const unsigned seg_skip = seg.zero ? 0 : static_cast<unsigned>(seg_addr % bytes_);
    const uint64_t seg_bytes = piece ? seg.bytes : seg.len * seg.rows;
    const uint64_t seg_beats = (seg_skip + seg_bytes + bytes_ - 1) / bytes_;

    // read DMA and memory, then the realigner (dnn_shell_unpack): its in side takes the
    // next segment once the bytes of the one before are in, while the out side hands out the
    // head segment's words
    rd_.comb(cycle_, unpack_.in_ready());
    unpack_.comb(rd_.out_valid());
    const bool word_valid = unpack_.word_valid(), word_last = unpack_.word_last();
    const bool info_pop = !info_.empty() && unpack_.seg_ready();
    const bool bank_loaded = word_valid && word_last && (unpack_.head_tag() & 1) != 0;
    const unsigned loaded_bank = unpack_.head_tag() >> 1;

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
    const bool core_out_valid = p_.bitserial ? bs_.out_valid() : core_event && core_emit;
    // the row entering the output stage is the job's last
    const bool core_out_last = p_.bitserial ? bs_.out_last() : events_.size() == 1;
    wseg_rows_before_ = wseg_rows_;
    cwalk_m0_at_accept_ = cwalk_.m0, cwalk_n0_at_accept_ = cwalk_.n0;
    cwalk_mj_at_accept_ = cwalk_.mj(), cwalk_nj_at_accept_ = cwalk_.nj();
    const bool job_finish = crun_ && !core_busy_;

    // output stage, requantisation (its output always taken: the output tile buffer)
    const bool rq_in_ready = rq_.in_ready();
    const bool core_out_ready = !stage_valid_ || rq_in_ready;
    const bool stage_load = core_out_valid && core_out_ready;
    const bool rq_in_fire = stage_valid_ && rq_in_ready;
    const bool rq_out_fire = rq_.out_valid();  // the output tile buffer always takes it
    const bool rq_out_last = rq_out_fire && rq_.out_flag();
    const bool emit_accept = accept && cwalk_.last_k();

    // the writer and the write aligner
    const unsigned rb = ob_rbank_;
    const uint64_t rmj = otile_[rb].mj, rnj = otile_[rb].nj;
    const bool rb_full = ob_full_[rb];
    const uint64_t wcols_left = rnj - wtile_ * p_.cols;
    const bool last_tile = wcols_left <= p_.cols;
    // the write aligner (dnn_shell_pack), the write DMA and the memory's write side
    wr_.comb(cycle_, chunk_valid_, chunk_len_);
    const bool pk_in_fire = wr_.in_fire();
    const bool ob_re = wstate_ == kWrChunks && wseg_rows_ != 0 && (!chunk_valid_ || wr_.in_ready());
    const bool pk_seg_ready = wr_.seg_ready();
    const bool pk_seg_fire = wstate_ == kWrSeg && pk_seg_ready;
    const uint64_t pk_seg_addr = mask_addr(otile_[rb].row + wrow_ * op_ + otile_[rb].n0 * ob_);
    const uint64_t pk_seg_len = (out_contig_ ? rmj * rnj : rnj) * ob_;

    // layer
    const bool loader_idle = !issuing() && info_.empty() && unpack_.idle() && !rd_.busy();
    const bool drained = !crun_ && !core_busy_ && loader_idle && !stage_valid_ && rq_.empty() &&
                         !ob_full_[0] && !ob_full_[1] && wstate_ == kWrIdle && wr_.idle() && !wr_.busy();
    const bool all_jobs_done = !cwalk_.valid;
    const bool core_stalled = core_out_valid && !core_out_ready;

    // ================================================================ counters
    ++t.cycles;
    if (core_busy_ && !core_stalled) ++t.compute;
    if (core_stalled || (run && cwalk_.valid && !crun_ && (!full_[cbank_] || (cwalk_.last_k() && !ob_free))))
      ++t.mem_wait;
    if (rd_.out_fire()) t.bytes_read += bytes_;
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
      if (bank_loaded) full_[loaded_bank] = true;
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

    // read DMA and memory; the realigner and the loader's data side
    rd_.update(seg_fire && !seg.zero, seg_addr - seg_skip, seg_beats);
    {
      timing::Unpack::Segment in;
      if (info_pop) {
        const Segment& f = info_.front();
        in = {f.skip,   f.len,  f.rows, f.bytes,
              f.wbytes, f.zero, f.cont, (f.bank << 1) | (f.job_end ? 1u : 0u)};
        info_.pop_front();
      }
      unpack_.update(info_pop, in);
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
    if (core_busy_ && p_.bitserial) {
      bs_.step(core_out_ready);
      core_busy_ = bs_.busy;
    } else if (core_busy_) {
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
      stage_last_ = core_out_last;
    } else if (rq_in_ready) {
      stage_valid_ = false;
    }

    // requantisation: two stages, then a FIFO of four; the credit count is the occupancy
    rq_.update(rq_in_fire, stage_run.last, rq_out_fire);

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

    // write aligner, write DMA and the memory's write side
    wr_.update(pk_seg_fire, pk_seg_addr, pk_seg_len);
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

  // The tiles of the bit-serial job at the compute walk: windows outer, filters inner; a
  // tile's bricks take bitserial::step_cycles on the job's activations (rows past M are
  // zeros, as the core reads them).
  // The job's activations as the core reads them.
  Tensor bitserial_activations() const {
    const uint64_t mj = cwalk_.mj(), kj = cwalk_.kj();
    Tensor a({static_cast<int64_t>(mj), static_cast<int64_t>(kj)});
    for (uint64_t m = 0; m < mj; ++m)
      for (uint64_t k = 0; k < kj; ++k)
        a.at(static_cast<int64_t>(m), static_cast<int64_t>(k)) =
            effective_activation(p_, bs_prec_, a_element(p_, d_, v_, memory_, cwalk_.m0 + m, cwalk_.k0 + k));
    return a;
  }

  std::deque<BitserialCore::Tile> bitserial_tiles(const Tensor& a) const {
    const uint64_t mj = cwalk_.mj(), nj = cwalk_.nj();
    const uint64_t rows = p_.rows, cols = p_.cols;
    std::deque<BitserialCore::Tile> tiles;
    for (uint64_t m0 = 0; m0 < mj; m0 += rows) {
      const uint64_t work = bitserial::tile_cycles(bs_cfg_, a, static_cast<int64_t>(m0 / rows), bs_prec_);
      for (uint64_t n0 = 0; n0 < nj; n0 += cols) tiles.push_back({work, std::min(rows, mj - m0)});
    }
    return tiles;
  }

  // The SIP cycles of a bit-serial job's tiles (filters outer within a window tile, as
  // bitserial_tiles lists them).
  uint64_t bitserial_sip_cycles(const std::deque<BitserialCore::Tile>& tiles) const {
    const uint64_t nj = cwalk_.nj(), cols = p_.cols;
    uint64_t sip_cycles = 0, n0 = 0;
    for (const auto& tile : tiles) {
      sip_cycles += tile.work * tile.rows * std::min(cols, nj - n0);
      n0 = n0 + cols < nj ? n0 + cols : 0;
    }
    return sip_cycles;
  }

  void start_core_job(LayerTiming& t) {
    ++t.jobs;
    const systolic::GemmShape shape{static_cast<int64_t>(cwalk_.mj()), static_cast<int64_t>(cwalk_.nj()),
                                    static_cast<int64_t>(cwalk_.kj())};
    // The schedule of rows leaving the array: emitted by the last job of a K split,
    // stored (at the same cycles) by the others. The last row ends the job.
    const bool emit = cwalk_.last_k();
    const CoreJob job{cwalk_.mj(), cwalk_.nj(), cwalk_.kj(), cwalk_.first_k(), emit};
    if (p_.bitserial) {
      const Tensor a = bitserial_activations();
      if (bitserial::cascaded(bs_cfg_, a.shape[0])) {
        // Every tile of filters runs the same bricks, one window each: nj SIPs a brick-cycle.
        auto costs = bitserial::cascade_costs(bs_cfg_, a, bs_prec_);
        add_job_actions(p_, job, std::accumulate(costs.begin(), costs.end(), uint64_t{0}) * cwalk_.nj(),
                        t.actions);
        bs_.start_cascade({std::move(costs), (cwalk_.nj() + p_.cols - 1) / p_.cols, p_.rows}, emit);
      } else {
        auto tiles = bitserial_tiles(a);
        add_job_actions(p_, job, bitserial_sip_cycles(tiles), t.actions);
        bs_.start(std::move(tiles), emit);
      }
      core_busy_ = true;
      return;
    }
    add_job_actions(p_, job, 0, t.actions);
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
  const std::vector<uint8_t>& memory_;
  const unsigned bytes_;
  const timing::Bus bus_;
  // the data movers: read DMA and memory, realigner, requantiser, write aligner and DMA
  timing::ReadDma rd_;
  timing::Unpack unpack_;
  timing::Requant rq_;
  timing::WritePath wr_;
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
  // compute and the core
  bool crun_ = false, core_busy_ = false;
  unsigned cbank_ = 0;
  uint64_t core_progress_ = 0;
  std::deque<Event> events_;
  BitserialCore bs_;
  config::BitserialConfig bs_cfg_;
  bitserial::Precision bs_prec_;
  // output stage
  bool stage_valid_ = false, stage_last_ = false;
  // output tiles and the writer
  bool ob_claimed_[2] = {false, false}, ob_full_[2] = {false, false};
  unsigned ob_acc_ = 0, ob_wbank_ = 0, ob_rbank_ = 0;
  OutputTile otile_[2];
  WriterState wstate_ = kWrIdle;
  uint64_t wrow_ = 0, wseg_rows_ = 0, wtile_ = 0;
  bool chunk_valid_ = false;
  uint64_t chunk_len_ = 0;
  // values of this cycle's registers that step() reads after updating them
  uint64_t wseg_rows_before_ = 0;
  uint64_t cwalk_m0_at_accept_ = 0, cwalk_n0_at_accept_ = 0, cwalk_mj_at_accept_ = 0, cwalk_nj_at_accept_ = 0;
};

}  // namespace

LayerTiming layer_cycles(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory,
                         unsigned latency, double bytes_per_cycle) {
  if (check_descriptor(p, d) != 0)
    throw std::invalid_argument("systolic::layer_cycles: the descriptor does not run");
  if (!(bytes_per_cycle > 0))
    throw std::invalid_argument("systolic::layer_cycles: bytes_per_cycle must be > 0");
  Shell s(p, d, memory, latency, bytes_per_cycle);
  LayerTiming t = s.run();
  t.actions.dram_read_bytes = t.bytes_read;
  t.actions.dram_write_bytes = t.bytes_written;
  return t;
}

}  // namespace dnngen::systolic
