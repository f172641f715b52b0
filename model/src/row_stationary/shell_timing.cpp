// The cycle-exact model of a conv2d layer on the row-stationary shell
// (dnngen/row_stationary/shell_timing.hpp). Shell::step() is one clock cycle of
// rtl/shell/dnn_shell_rs.sv: every block's outputs from its registers first, then every
// register's next value, as the RTL's always_comb / always_ff pairs do. The phase register
// (state_) follows the RTL's state_q, the drain's (drain_) its d_state_q.
#include "dnngen/row_stationary/shell_timing.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnngen/row_stationary/ring.hpp"
#include "dnngen/shell/stream_timing.hpp"

namespace dnngen::rs {
namespace {

namespace timing = shell::timing;

// dnn_shell_rs's own memories (dnn_sram_1r1w): the ring of output tiles, tile_words
// words of cols sums, and the bias, mult and shift tables of max_filters entries.
Memory tile_ring(const ShellParams& p) {
  const unsigned word = p.rs.cols * p.rs.acc_bits;
  return {"tile_ring", energy::Level::kBuffer, int64_t{p.rs.tile_words} * word / 8, word, 1};
}
Memory param_table(const ShellParams& p, const char* name, unsigned bits) {
  return {name, energy::Level::kBuffer, int64_t{p.rs.max_filters} * bits / 8, bits, 1};
}
Memory bias_table(const ShellParams& p) { return param_table(p, "bias_table", 32); }
Memory mult_table(const ShellParams& p) { return param_table(p, "mult_table", 32); }
Memory shift_table(const ShellParams& p) { return param_table(p, "shift_table", 6); }

// The layer's actions: the core's job once per image (the filter words written once), then
// what the shell adds around it.
energy::Actions layer_actions(const ShellParams& p, const LayerDescriptor& d, const ConvJob& job,
                              const Plan& plan, const ShellTiming& t) {
  const uint64_t n = images(d);
  energy::Actions a = core_actions(p.rs, job);
  a *= n;
  for (energy::MemoryAccesses& m : a.memories)
    if (m.name == "filter_buffer") m.writes /= n;
  const auto k = uint64_t{d.out_c} * n, e = uint64_t(plan.e), f = uint64_t(plan.f);
  // A tile-bank word is written per core result (cols sums of one output column) and read
  // per element drained (o_re: the whole word, one lane used).
  add_accesses(a, tile_ring(p), k * e * f, k * uint64_t(plan.ne) * f);
  // The tables are written as they load and read in every cycle of the layer (their re_i is
  // tied high), whether the layer uses them or not.
  const bool raw = d.out_type == "int32";
  const uint64_t bias = d.bias && !raw ? k : 0, quant = d.per_channel && !raw ? k : 0;
  add_accesses(a, bias_table(p), t.cycles, bias);
  add_accesses(a, mult_table(p), t.cycles, quant);
  add_accesses(a, shift_table(p), t.cycles, quant);
  a.dram_read_bytes = t.bytes_read;
  a.dram_write_bytes = t.bytes_written;
  return a;
}

class Shell {
 public:
  Shell(const ShellParams& p, const LayerDescriptor& d, unsigned latency, double bytes_per_cycle)
      : p_(p),
        d_(d),
        job_(conv_job(d)),
        plan_(plan(p.rs, job_)),
        bus_{p.data_bits / 8, p.max_burst, p.outstanding, latency, bytes_per_cycle},
        rd_(bus_),
        segs_(p.outstanding),
        unpack_(bus_.bytes, word_bytes(p.rs)),
        wr_(bus_),
        events_(schedule(p.rs, job_)) {
    const auto& cfg = p.rs;
    ring_ = cfg.ring_buffers;
    if (ring_) {
      // The core reads each stream word after word: read n waits for word n.
      const ReadStreams streams = read_streams(cfg, job_);
      for (const BufferRead& r : streams.filter) reads_.push_back(r.cycle);
      for (size_t n = 0; n < streams.ifmap.size(); ++n) ireads_.push_back({streams.ifmap[n].cycle, n});
      walk_ = load_walk(cfg, job_);
    } else {
      reads_ = filter_reads(cfg, job_);
      ireads_ = ifmap_reads(cfg, job_);
    }
    ib_ = cfg.input_bits / 8;
    wb_ = cfg.weight_bits / 8;
    ob_ = out_bytes(d);
    const bool raw = d.out_type == "int32";
    use_bias_ = d.bias && !raw;
    use_quant_ = d.per_channel && !raw;
    a_row_ = uint64_t{d.in_w} * ib_;
    a_pitch_ = d.a_stride != 0 ? d.a_stride : a_row_;
    out_row_ = uint64_t(plan_.f) * ob_;
    out_pitch_ = d.out_stride != 0 ? d.out_stride : out_row_;
    ifmap_rows_ = uint64_t{d.in_c} * d.in_h;
    cr_ = uint64_t{d.in_c} * d.r;
    filter_words_ = uint64_t{d.out_c} * uint64_t(plan_.nq);
    // The compute-only reference: the layer as the kernel runs it (its operands on chip, as
    // few filter groups as the psum buffer allows), not the shell's split job.
    ConvJob kernel_job = job_;
    kernel_job.tail_div = 0;
    const Timing t = estimate(cfg, kernel_job);
    images_ = images(d);
    timing_.core_cycles = t.cycles * images_;
    timing_.macs = t.macs * images_;
  }

  ShellTiming run() {
    state_ = kCheck;
    while (state_ != kIdle) {
      step();
      if (cycle_ > (uint64_t{1} << 34)) throw std::logic_error("rs::layer_cycles: the layer never ends");
    }
    timing_.actions = layer_actions(p_, d_, job_, plan_, timing_);
    return timing_;
  }

 private:
  // The RTL's phases in order (dnn_shell_rs's state_e): a command state is followed by its
  // data state.
  enum State { kIdle, kCheck, kBiasCmd, kBias, kQuantCmd, kQuant, kJob, kLoad, kRun, kDrain };
  enum Drain { kDIdle, kDSeg, kDOut };
  // A read's tag (dnn_shell_unpack's): its words are filter rows, or not (an ifmap row, a
  // table entry: the phase says which).
  static constexpr uint32_t kTagOther = 0, kTagFilter = 1;

  // The realigner's widest word: an ifmap row, a filter row, or a 4-byte parameter.
  static unsigned word_bytes(const config::RowStationaryConfig& cfg) {
    return std::max({cfg.ifmap_spad * (cfg.input_bits / 8), cfg.filter_spad * (cfg.weight_bits / 8), 4u});
  }

  // The first image's loads bring the filters too; the others' only their ifmap.
  bool is_cmd() const {
    return state_ == kBiasCmd || state_ == kQuantCmd ||
           (state_ == kLoad &&
            (ring_ ? run_read() || ring_filter() : (img_ == 0 ? !issued_all_ : l_rows_ < ifmap_rows_)));
  }
  // Rings: the walk's rows gather into a run of rows c*H + y after y (dnn_shell_rs's
  // run_*), read as one DMA read once it has run_rows_ rows (half the ring) or the rows
  // are not packed (a run is one row), the walk's next row does not continue it or waits
  // for its entry, the walk is done, or the core has read every row before it. A row
  // joins once its entry is free (the core has read word n - depth); the filter stream's
  // next word is requested likewise.
  bool iw_row_rd() const { return iw_ < walk_.size() && walk_[iw_] >= 0; }
  bool iw_free() const { return if_req_ - iread_ < p_.rs.ifmap_rows; }
  bool run_joins() const { return packed_ifmap() && static_cast<uint64_t>(walk_[iw_]) == run_row_ + run_n_; }
  bool run_read() const {
    return run_n_ != 0 && (run_n_ == run_rows_ || !packed_ifmap() || iw_ == walk_.size() ||
                           (iw_row_rd() && (!run_joins() || !iw_free())) || iread_ == if_req_ - run_n_);
  }
  bool ring_filter() const { return !issued_all_ && fw_req_ - read_ < p_.rs.filter_words; }
  bool packed_ifmap() const { return a_pitch_ == a_row_; }
  // The load walker's fold lq_: its PE-row slots end here (c*R + r, the last fold short).
  uint64_t fold_end() const { return std::min<uint64_t>((lq_ + 1) * p_.rs.rows, cr_); }
  bool one_fold() const { return !ring_ && cr_ <= p_.rs.rows; }
  // Its next read is ifmap rows while fold lq_ needs channels not yet read (rings: while
  // the ifmap stream may read).
  bool ifmap_next() const {
    if (ring_) return run_read();
    return l_rows_ < ifmap_rows_ && (img_ != 0 || l_ch_slots_ < fold_end());
  }
  State after_check() const { return use_bias_ ? kBiasCmd : (use_quant_ ? kQuantCmd : kJob); }

  // The running command state's read: address, a row's bytes, rows, a word's bytes.
  struct Read {
    uint64_t addr = 0, len = 4, rows = 1;
    unsigned wbytes = 4;
    uint32_t tag = kTagOther;
  };
  Read read() const {
    const auto& cfg = p_.rs;
    switch (state_) {
      case kLoad: {
        if (ring_ && ifmap_next())  // the ring's run of rows
          return {ifm_addr_ + run_row_ * a_pitch_, a_row_, run_n_, cfg.ifmap_spad * ib_, kTagOther};
        if (ifmap_next())  // a channel's rows (packed), or one row
          return {ifm_addr_, a_row_, packed_ifmap() ? uint64_t{d_.in_h} : 1, cfg.ifmap_spad * ib_, kTagOther};
        // filter k's rows of fold lq_ (KCRS: contiguous), one filter-buffer word; with one
        // fold the group's filters are contiguous too: one read
        const uint64_t k = lk0_ + lkk_, slot0 = lq_ * cfg.rows;
        return {d_.b_addr + (k * cr_ + slot0) * d_.s * wb_, uint64_t{d_.s} * wb_,
                one_fold() ? lkgs_ * cr_ : fold_end() - slot0, cfg.filter_spad * wb_, kTagFilter};
      }
      case kBiasCmd:
        return {d_.bias_addr, 4, d_.out_c, 4};
      case kQuantCmd:
        return {d_.quant_addr, 4, 2 * uint64_t{d_.out_c}, 4};
      default:
        return {};
    }
  }

  // The load walker after a read is issued: the ifmap rows it read, or the next filter of
  // the fold, the next fold, the next group.
  void walk_on(bool ifmap) {
    if (ring_) {
      if (ifmap) return;  // the run's rows were counted as they joined it
      ++fw_req_;
    }
    if (ifmap) {
      if (packed_ifmap()) {
        l_rows_ += d_.in_h;
        l_ch_slots_ += d_.r;
        ifm_addr_ += uint64_t{d_.in_h} * a_row_;
      } else {
        ++l_rows_;
        ifm_addr_ += a_pitch_;
        if (++l_row_in_ch_ == d_.in_h) {
          l_row_in_ch_ = 0;
          l_ch_slots_ += d_.r;
        }
      }
      return;
    }
    if (!one_fold() && ++lkk_ != lkgs_) return;
    lkk_ = 0;
    if (++lq_ != uint64_t(plan_.nq)) return;
    lq_ = 0;
    lk0_ += lkgs_;
    if (ring_ && lk0_ == d_.out_c && fe0_ + p_.rs.cols < uint64_t(plan_.e)) {  // the next E-fold
      fe0_ += p_.rs.cols;
      lk0_ = 0;
    }
    lkgs_ = std::min<uint64_t>(uint64_t(plan_.kg), d_.out_c - lk0_);
    issued_all_ = lk0_ == d_.out_c;
  }

  // The filter walker (and, with rings, both streams' counts) at a layer's or image's start.
  void restart_filter_stream() {
    fw_cnt_ = fi_ = 0;
    lk0_ = lq_ = lkk_ = fe0_ = 0;
    lkgs_ = std::min<uint64_t>(uint64_t(plan_.kg), d_.out_c);
    issued_all_ = false;
    if_req_ = fw_req_ = 0;
  }

  uint64_t ncv() const { return std::min<uint64_t>(p_.rs.cols, uint64_t(plan_.e) - de0_); }
  bool out_packed() const { return out_pitch_ == out_row_; }

  void step() {
    ++cycle_;
    const unsigned bytes = bus_.bytes;
    const uint64_t F = plan_.f;

    // ================================================================ this cycle
    const Read r = read();
    const bool ifmap_cmd = state_ == kLoad && ifmap_next();
    rd_.comb(cycle_, unpack_.in_ready());
    unpack_.comb(rd_.out_valid());
    const bool read_fire = is_cmd() && rd_.cmd_ready() && segs_.in_ready();
    const bool seg_fire = segs_.out_valid() && unpack_.seg_ready();
    const bool word_valid = unpack_.word_valid();
    const bool phase_end = word_valid && unpack_.word_last();
    const bool filter_word = word_valid && unpack_.head_tag() == kTagFilter;
    const bool loads_in = ring_ ? iw_ == walk_.size() && issued_all_ && !k_busy_
                                : ifm_rows_ == ifmap_rows_ && fw_cnt_ == filter_words_;
    // The ring's walk steps past a zero row, and past a row once it joins a run (as the
    // run is read, the next run).
    const bool run_take = ring_ && state_ == kLoad && iw_row_rd() && iw_free() &&
                          (run_read() ? read_fire : run_n_ == 0 || run_joins());
    const bool iw_step = ring_ && iw_ < walk_.size() && (walk_[iw_] < 0 || run_take);

    const bool accept = state_ == kJob && !k_busy_;
    // The core's own clock stops while the filter word or ifmap row it reads is not in yet,
    // or a result waits for a tile slot; a result is offered only while it may advance.
    const bool read_now = k_busy_ && read_ < reads_.size() && reads_[read_] == k_cnt_;
    const bool f_wait = read_now && read_ >= fw_cnt_;
    const bool iread_now = k_busy_ && iread_ < ireads_.size() && ireads_[iread_].cycle == k_cnt_;
    const bool i_wait = iread_now && ireads_[iread_].addr >= ifm_rows_;
    const bool ev_valid = k_busy_ && ev_ < events_.size() && events_[ev_].cycle == k_cnt_;
    const bool c_valid = ev_valid && !f_wait && !i_wait;
    const bool c_ready = tiles_ < tile_slots_;
    const bool tile_we = c_valid && c_ready;
    const bool tile_fill = tile_we && uint64_t(events_[ev_].f) + 1 == F;
    const bool finish = tile_we && ev_ + 1 == events_.size();

    const bool rq_in_ready = rq_.in_ready();
    const bool o_re = drain_ == kDOut && !o_last_ && (!o_valid_ || rq_in_ready);
    const bool rq_in_fire = o_valid_ && rq_in_ready;
    const bool seg_end = drain_ == kDOut && o_last_ && rq_in_fire;
    const bool tile_end = seg_end && o_tile_last_;
    wr_.comb(cycle_, rq_.out_valid(), ob_);
    const bool rq_out_fire = wr_.in_fire();
    const bool pk_seg_fire = drain_ == kDSeg && wr_.seg_ready();
    const bool core_idle = !k_busy_;
    const bool outputs_done = core_idle && drain_ == kDIdle && tiles_ == 0;
    const bool drained = !rd_.busy() && !segs_.out_valid() && unpack_.idle() && outputs_done && !o_valid_ &&
                         rq_.empty() && wr_.idle() && !wr_.busy();
    const uint64_t seg_len = out_packed() ? ncv() * out_row_ : out_row_;
    const bool drain_start = drain_ == kDIdle && tiles_ > 0;

    // counters
    ++timing_.cycles;
    if (k_busy_) ++timing_.compute;
    if (state_ != kCheck && !k_busy_) ++timing_.mem_wait;
    if (c_valid && !c_ready) ++timing_.stalls;
    if (rd_.out_fire()) timing_.bytes_read += bytes;
    if (rq_out_fire) timing_.bytes_written += ob_;

    // ================================================================ next state
    const uint64_t skip = r.addr % bytes;
    const uint64_t read_bytes = r.len * r.rows;
    rd_.update(read_fire, r.addr - skip, (skip + read_bytes + bytes - 1) / bytes);
    unpack_.update(seg_fire, seg_fire ? segs_.head() : timing::Unpack::Segment{});
    segs_.update(read_fire,
                 {static_cast<unsigned>(skip), r.len, r.rows, read_bytes, r.wbytes, false, false, r.tag},
                 seg_fire);
    rq_.update(rq_in_fire, false, rq_out_fire);
    wr_.update(pk_seg_fire, row_addr_, seg_len);

    if (run_take) ++if_req_;
    if (ring_ && read_fire && ifmap_cmd) {
      run_n_ = run_take ? 1 : 0;
      run_row_ = run_take ? static_cast<uint64_t>(walk_[iw_]) : 0;
    } else if (run_take) {
      if (run_n_++ == 0) run_row_ = static_cast<uint64_t>(walk_[iw_]);
    }
    if (iw_step) ++iw_;
    // the core: its clock stops while a result waits for a tile slot
    if (accept) {
      iw_ = 0;
      k_busy_ = true;
      k_cnt_ = 1;
      ev_ = 0;
      read_ = 0;
      iread_ = 0;
    } else if (k_busy_ && !f_wait && !i_wait && !(ev_valid && !c_ready)) {
      if (tile_we) ++ev_;
      if (finish) k_busy_ = false;
      if (read_now) ++read_;
      if (iread_now) ++iread_;
      ++k_cnt_;
    }

    // the ring of tile slots
    tiles_ += uint64_t{tile_fill} - uint64_t{tile_end};

    // the drain
    if (o_re) {
      const bool row_last = rf_ + 1 == F, tile_last = row_last && rj_ + 1 == ncv();
      o_last_ = row_last && (!out_packed() || tile_last);
      o_tile_last_ = tile_last;
      if (row_last) {
        rf_ = 0;
        ++rj_;
      } else {
        ++rf_;
      }
    }
    const bool o_valid_next = o_re ? true : (rq_in_ready ? false : o_valid_);
    switch (drain_) {
      case kDIdle:
        if (drain_start) drain_ = kDSeg;
        break;
      case kDSeg:
        if (pk_seg_fire) {
          drain_ = kDOut;
          o_last_ = false;
        }
        break;
      case kDOut:
        if (seg_end) {
          if (o_tile_last_) {
            drain_ = kDIdle;
            rj_ = rf_ = 0;
            if (dk_ + 1 == d_.out_c && de0_ + p_.rs.cols >= uint64_t(plan_.e)) {  // the next image
              dk_ = de0_ = 0;
              img_out_ += uint64_t{d_.out_c} * uint64_t(plan_.e) * out_pitch_;
              efold_addr_ = tile_addr_ = row_addr_ = img_out_;
            } else if (dk_ + 1 == d_.out_c) {
              dk_ = 0;
              de0_ += p_.rs.cols;
              efold_addr_ += uint64_t{p_.rs.cols} * out_pitch_;
              tile_addr_ = row_addr_ = efold_addr_;
            } else {
              ++dk_;
              tile_addr_ += uint64_t(plan_.e) * out_pitch_;
              row_addr_ = tile_addr_;
            }
          } else {
            drain_ = kDSeg;
            row_addr_ += out_pitch_;
          }
        }
        break;
    }
    o_valid_ = o_valid_next;

    // the phases
    switch (state_) {
      case kCheck:
        state_ = after_check();
        ifm_addr_ = d_.a_addr;
        ifm_rows_ = 0;
        l_rows_ = l_ch_slots_ = l_row_in_ch_ = 0;
        restart_filter_stream();
        efold_addr_ = tile_addr_ = row_addr_ = img_out_ = d_.out_addr;
        img_ = 0;
        break;
      case kBiasCmd:
      case kQuantCmd:
        if (read_fire) state_ = static_cast<State>(state_ + 1);
        break;
      case kBias:
        if (phase_end) state_ = use_quant_ ? kQuantCmd : kJob;
        break;
      case kQuant:
        if (phase_end) state_ = kJob;
        break;
      case kJob:
        if (accept) state_ = kLoad;
        break;
      case kLoad:
        // Once the job runs its loads complete whatever stops (ABORT, an AXI error): the
        // core waits for them.
        if (read_fire) walk_on(ifmap_cmd);
        if (word_valid) {
          if (!filter_word)
            ++ifm_rows_;
          else if (unpack_.word_last() || fi_ + 1 == p_.rs.rows || fi_ + 1 == cr_) {
            fi_ = 0;
            ++fw_cnt_;  // the fold's last row: the filter-buffer word is written
          } else {
            ++fi_;
          }
        }
        if (loads_in) state_ = kRun;
        break;
      case kRun:
        if (core_idle && img_ + 1 < images_) {  // the next image: its ifmap, the same filters
          state_ = kJob;
          ++img_;
          ifm_rows_ = l_rows_ = l_ch_slots_ = l_row_in_ch_ = 0;
          if (ring_) {  // both streams again from their start (rings keep no filters)
            ifm_addr_ += ifmap_rows_ * a_pitch_;
            restart_filter_stream();
          }
        } else if (outputs_done) {
          state_ = kDrain;
        }
        break;
      case kDrain:
        if (drained) state_ = kIdle;
        break;
      default:
        throw std::logic_error("rs::layer_cycles: unknown state " + std::to_string(state_));
    }
  }

  const ShellParams p_;
  const LayerDescriptor d_;
  const ConvJob job_;
  const Plan plan_;
  const timing::Bus bus_;
  timing::ReadDma rd_;
  timing::Fifo<timing::Unpack::Segment> segs_;  // the reads issued, not yet taken by the realigner
  timing::Unpack unpack_;
  timing::Requant rq_;
  timing::WritePath wr_;
  const std::vector<OutEvent> events_;
  // Busy cycles of the filter reads the core may wait for: the first E-fold's (rings:
  // all, in stream order); the ifmap reads that need a new row (rings: all, each with its
  // index in the stream as its address, since read n waits for word n).
  std::vector<uint64_t> reads_;
  std::vector<IfmapRead> ireads_;
  bool ring_ = false;
  // Rings: the shell's copy of the load walk (c*H + y of a row to read, -1 a zero row),
  // its next step, the words of each stream requested, the filter stream's E-fold.
  std::vector<int64_t> walk_;
  std::size_t iw_ = 0;
  uint64_t if_req_ = 0, fw_req_ = 0, fe0_ = 0;
  // Rings: the ifmap run (its first row c*H + y, its rows) and its longest.
  uint64_t run_row_ = 0, run_n_ = 0;
  const uint64_t run_rows_ = (uint64_t{p_.rs.ifmap_rows} + 1) / 2;
  unsigned ib_ = 1, wb_ = 1, ob_ = 4;
  bool use_bias_ = false, use_quant_ = false;
  uint64_t a_row_ = 0, a_pitch_ = 0, out_row_ = 0, out_pitch_ = 0, ifmap_rows_ = 0;
  uint64_t cr_ = 0, filter_words_ = 0;
  ShellTiming timing_;
  uint64_t cycle_ = 0;

  State state_ = kIdle;
  uint64_t ifm_addr_ = 0, ifm_rows_ = 0;
  // the core
  bool k_busy_ = false;
  uint64_t k_cnt_ = 0;
  std::size_t ev_ = 0, read_ = 0, iread_ = 0;
  // the load walker: ifmap rows read, the slots of the channels read whole (x R), the row
  // within the channel (rows read one at a time); the group's first filter and size, the
  // fold, the filter within the group; the filter words written and the PE row of the
  // next filter row
  uint64_t l_rows_ = 0, l_ch_slots_ = 0, l_row_in_ch_ = 0;
  uint64_t lk0_ = 0, lkgs_ = 0, lq_ = 0, lkk_ = 0, fw_cnt_ = 0, fi_ = 0;
  bool issued_all_ = false;
  // the ring of output tile slots (the RTL's u_tiles: tile_words words, F a tile) and
  // its drain
  const uint64_t tile_slots_ = uint64_t{p_.rs.tile_words} / plan_.f;
  uint64_t tiles_ = 0;
  Drain drain_ = kDIdle;
  uint64_t dk_ = 0, de0_ = 0, rj_ = 0, rf_ = 0;
  bool o_valid_ = false, o_last_ = false, o_tile_last_ = false;
  uint64_t efold_addr_ = 0, tile_addr_ = 0, row_addr_ = 0, img_out_ = 0;
  // the images: their count, the one the core runs
  uint64_t images_ = 1, img_ = 0;
};

}  // namespace

std::vector<Memory> shell_memories(const ShellParams& p) {
  std::vector<Memory> m = core_memories(p.rs);
  for (const Memory& own : {tile_ring(p), bias_table(p), mult_table(p), shift_table(p)}) m.push_back(own);
  return m;
}

int64_t on_chip_bytes(const ShellParams& p) {
  int64_t bytes = 0;
  for (const Memory& m : shell_memories(p)) bytes += m.bytes * m.instances;
  return bytes;
}

ShellTiming layer_cycles(const ShellParams& p, const LayerDescriptor& d, unsigned latency,
                         double bytes_per_cycle) {
  if (check_descriptor(p, d) != 0) throw std::invalid_argument("rs::layer_cycles: the layer does not run");
  if (!(bytes_per_cycle > 0)) throw std::invalid_argument("rs::layer_cycles: bytes_per_cycle must be > 0");
  Shell s(p, d, latency, bytes_per_cycle);
  return s.run();
}

}  // namespace dnngen::rs
