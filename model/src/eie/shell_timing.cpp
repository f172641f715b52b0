// The cycle-exact model of an spmv layer on the EIE shell (dnngen/eie/shell_timing.hpp).
// Shell::step() is one clock cycle of rtl/shell/dnn_shell_eie.sv: every block's outputs
// from its registers first, then every register's next value, as the RTL's always_comb /
// always_ff pairs do. The phase register (state_) follows the RTL's state_q.
#include "dnngen/eie/shell_timing.hpp"

#include <stdexcept>
#include <string>

#include "dnngen/common/numerics.hpp"
#include "dnngen/eie/cycle_model.hpp"
#include "dnngen/eie/encode.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/stream_timing.hpp"

namespace dnngen::eie {
namespace {

using shell::load;
namespace timing = shell::timing;

// OUTPUT.BIAS applies unless the output is the raw int32 sum (then the bias phase is skipped).
bool uses_bias(const LayerDescriptor& d) { return d.bias && d.out_type != "int32"; }

class Shell {
 public:
  Shell(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& mem, unsigned latency,
        double bytes_per_cycle)
      : p_(p),
        d_(d),
        bus_{p.data_bits / 8, p.max_burst, p.outstanding, latency, bytes_per_cycle},
        rd_(bus_),
        unpack_(bus_.bytes, 4),
        wr_(bus_) {
    const auto& cfg = p.eie;
    ab_ = act_bytes(cfg);
    ob_ = d.out_type == "int32" ? 4 : ab_;
    eb_ = entry_bytes(cfg);
    a_pitch_ = d.a_stride != 0 ? d.a_stride : uint64_t{d.k} * ab_;
    out_pitch_ = d.out_stride != 0 ? d.out_stride : uint64_t{d.m} * ob_;
    use_bias_ = uses_bias(d);
    for (unsigned pe = 0; pe < cfg.pes; ++pe) {
      first_.push_back(pointer(mem, d, pe, 0));
      last_.push_back(pointer(mem, d, pe, d.k));
    }
    job_cycles_ = job_cycles(mem, timing_);
  }

  ShellTiming run() {
    state_ = kCheck;
    while (state_ != kIdle) {
      step();
      if (cycle_ > (uint64_t{1} << 32)) throw std::logic_error("eie::layer_cycles: the layer never ends");
    }
    return timing_;
  }

 private:
  enum State {
    kIdle,
    kCheck,
    kCbCmd,
    kCb,
    kPtrCmd,
    kPtr,
    kEntCmd,
    kEnt,
    kBiasCmd,
    kBias,
    kActCmd,
    kAct,
    kJob,
    kJobWait,
    kOutSeg,
    kOut,
    kDrain
  };

  // The core's busy cycles per input vector (eie::simulate_layer on the vector's non-zero
  // columns and the image's entries per PE and column; each column's counts read once).
  // Adds each job's useful MACs and energy actions (eie::job_actions) to `t`.
  std::vector<uint64_t> job_cycles(const std::vector<uint8_t>& mem, ShellTiming& t) const {
    const auto& cfg = p_.eie;
    std::vector<std::vector<uint32_t>> entries(d_.k, std::vector<uint32_t>(cfg.pes));
    std::vector<uint64_t> col_useful(d_.k, 0);  // non-padding entries of each column
    for (uint64_t k = 0; k < d_.k; ++k)
      for (unsigned pe = 0; pe < cfg.pes; ++pe) {
        const uint64_t b = pointer(mem, d_, pe, k), e = pointer(mem, d_, pe, k + 1);
        entries[k][pe] = static_cast<uint32_t>(e - b);
        for (uint64_t i = b; i < e; ++i) {
          const uint64_t at = d_.b_addr + entry_offset(cfg.pes, d_.k) + i * eb_;
          if ((load(mem, at, eb_, false) & ((1u << cfg.index_bits) - 1)) != 0) ++col_useful[k];
        }
      }
    std::vector<uint64_t> cycles;
    for (uint64_t n = 0; n < d_.n; ++n) {
      LayerWork w;
      w.rows = d_.m;
      w.cols = d_.k;
      for (uint64_t k = 0; k < d_.k; ++k) {
        const int64_t x =
            numerics::wrap_signed(load(mem, d_.a_addr + n * a_pitch_ + k * ab_, ab_, true), cfg.act_bits);
        if (x == 0) continue;
        w.nz_cols.push_back(static_cast<int64_t>(k));
        w.entries.push_back(entries[k]);
        w.useful_macs += col_useful[k];
      }
      const LayerTiming job = simulate_layer(cfg, w);
      t.useful_macs += job.useful_macs;
      t.actions += job_actions(cfg, job);
      cycles.push_back(job.cycles);
    }
    return cycles;
  }

  bool is_cmd() const {
    return state_ == kCbCmd || state_ == kPtrCmd || state_ == kEntCmd || state_ == kBiasCmd ||
           state_ == kActCmd;
  }

  // The running command state's read: address, bytes, element size.
  struct Read {
    uint64_t addr = 0, bytes = 0;
    unsigned wbytes = 4;
  };
  Read read() const {
    const auto& cfg = p_.eie;
    switch (state_) {
      case kCbCmd:
        return {d_.aux_addr, uint64_t{2} << cfg.index_bits, 2};
      case kPtrCmd:
        return {d_.b_addr + 4 * uint64_t{pe_} * (d_.k + 1), 4 * (uint64_t{d_.k} + 1), 4};
      case kEntCmd:
        return {d_.b_addr + entry_offset(cfg.pes, d_.k) + first_[pe_] * eb_, (last_[pe_] - first_[pe_]) * eb_,
                eb_};
      case kBiasCmd:
        return {d_.bias_addr, 4 * uint64_t{d_.m}, 4};
      case kActCmd:
        return {d_.a_addr + vec_ * a_pitch_, uint64_t{d_.k} * ab_, ab_};
      default:
        return {};
    }
  }

  // After the last PE's entries (or pointers, for a PE without entries).
  State after_image() const { return use_bias_ ? kBiasCmd : kActCmd; }
  bool last_pe() const { return pe_ + 1 == p_.eie.pes; }

  void step() {
    ++cycle_;
    const unsigned bytes = bus_.bytes;

    // ================================================================ this cycle
    const Read r = read();
    rd_.comb(cycle_, unpack_.in_ready());
    unpack_.comb(rd_.out_valid());
    const bool read_fire = is_cmd() && rd_.cmd_ready() && unpack_.seg_ready();
    const bool word_valid = unpack_.word_valid();
    const bool phase_end = word_valid && unpack_.word_last();

    const bool accept = state_ == kJob && !k_busy_;
    const bool k_done = k_done_, k_finish = k_busy_ && k_left_ == 1;
    const bool rq_in_ready = rq_.in_ready();
    const bool o_re = state_ == kOut && !o_last_ && (!o_valid_ || rq_in_ready);
    const bool rq_in_fire = o_valid_ && rq_in_ready;
    const bool vec_end = state_ == kOut && o_last_ && rq_in_fire;  // the vector's last sum is taken
    wr_.comb(cycle_, rq_.out_valid(), ob_);
    const bool rq_out_fire = wr_.in_fire();
    const bool pk_seg_fire = state_ == kOutSeg && wr_.seg_ready();
    const bool drained =
        !rd_.busy() && unpack_.idle() && !k_busy_ && !o_valid_ && rq_.empty() && wr_.idle() && !wr_.busy();

    // counters
    ++timing_.cycles;
    if (k_busy_) ++timing_.compute;
    if (state_ != kCheck && !k_busy_) ++timing_.mem_wait;
    if (rd_.out_fire()) timing_.bytes_read += bytes;
    if (rq_out_fire) timing_.bytes_written += ob_;

    // ================================================================ next state
    const uint64_t skip = r.addr % bytes;
    rd_.update(read_fire, r.addr - skip, (skip + r.bytes + bytes - 1) / bytes);
    unpack_.update(read_fire, {static_cast<unsigned>(skip), r.bytes, 1, r.bytes, r.wbytes});
    rq_.update(rq_in_fire, false, rq_out_fire);
    wr_.update(pk_seg_fire, d_.out_addr + vec_ * out_pitch_, uint64_t{d_.m} * ob_);

    // the core: busy for the vector's job cycles, done the cycle after
    k_done_ = k_finish;
    if (k_busy_) --k_left_;
    if (k_finish) k_busy_ = false;
    if (accept) {
      k_busy_ = true;
      k_left_ = job_cycles_.at(vec_);
    }

    if (o_re) {
      o_last_ = o_row_ + 1 == d_.m;
      ++o_row_;
    }
    const bool o_valid_next = o_re ? true : (rq_in_ready ? false : o_valid_);

    switch (state_) {
      case kCheck:
        state_ = d_.keep_weights ? after_image() : kCbCmd;
        pe_ = 0;
        vec_ = 0;
        break;
      case kCbCmd:
      case kBiasCmd:
      case kEntCmd:
      case kPtrCmd:
      case kActCmd:
        if (read_fire) state_ = static_cast<State>(state_ + 1);
        break;
      case kCb:
        if (phase_end) state_ = kPtrCmd;
        break;
      case kPtr:
        if (phase_end) {
          if (last_[pe_] != first_[pe_]) {
            state_ = kEntCmd;
          } else if (!last_pe()) {
            state_ = kPtrCmd;
            ++pe_;
          } else {
            state_ = after_image();
          }
        }
        break;
      case kEnt:
        if (phase_end) {
          if (!last_pe()) {
            state_ = kPtrCmd;
            ++pe_;
          } else {
            state_ = after_image();
          }
        }
        break;
      case kBias:
        if (phase_end) state_ = kActCmd;
        break;
      case kAct:
        if (phase_end) state_ = kJob;
        break;
      case kJob:
        if (accept) state_ = kJobWait;
        break;
      case kJobWait:
        if (k_done) state_ = kOutSeg;
        break;
      case kOutSeg:
        if (pk_seg_fire) {
          state_ = kOut;
          o_row_ = 0;
          o_last_ = false;
        }
        break;
      case kOut:
        if (vec_end) {
          ++vec_;
          state_ = vec_ == d_.n ? kDrain : kActCmd;
        }
        break;
      case kDrain:
        if (drained) state_ = kIdle;
        break;
      default:
        throw std::logic_error("eie::layer_cycles: unknown state " + std::to_string(state_));
    }
    o_valid_ = o_valid_next;
  }

  const ShellParams p_;
  const LayerDescriptor d_;
  const timing::Bus bus_;
  timing::ReadDma rd_;
  timing::Unpack unpack_;
  timing::Requant rq_;
  timing::WritePath wr_;
  unsigned ab_ = 2, ob_ = 2, eb_ = 1;
  uint64_t a_pitch_ = 0, out_pitch_ = 0;
  bool use_bias_ = false;
  std::vector<uint64_t> first_, last_;  // each PE's first and end pointer
  std::vector<uint64_t> job_cycles_;
  ShellTiming timing_;
  uint64_t cycle_ = 0;

  State state_ = kIdle;
  unsigned pe_ = 0;
  uint64_t vec_ = 0;
  // the core
  bool k_busy_ = false, k_done_ = false;
  uint64_t k_left_ = 0;
  // the output buffer's read side
  bool o_valid_ = false, o_last_ = false;
  uint64_t o_row_ = 0;
};

// ---------------------------------------------------------------- energy: the shell's part
// The core's jobs are counted per vector in Shell::job_cycles; these add what the shell
// makes the core and its own buffers do around them (rtl/shell/dnn_shell_eie.sv).

// The image phases (skipped with KEEP_WEIGHTS): the codebook into cb_q with index 0 written
// as 0 too, every PE's K + 1 pointers into its pointer banks (one bank per pointer), its
// entries into its entry SRAM, and the start of each of its non-empty columns pushed on and
// popped off the starts list that checks the entries' rows. Pointers and entries cross the
// loader bus to their PE at their stored width.
void add_image_load(energy::Actions& a, const config::EieConfig& cfg, const LayerDescriptor& d,
                    const std::vector<uint8_t>& mem) {
  uint64_t entries = 0, columns = 0;  // over all PEs; non-empty columns
  for (unsigned pe = 0; pe < cfg.pes; ++pe) {
    uint64_t prev = pointer(mem, d, pe, 0);
    const uint64_t first = prev;
    for (uint64_t k = 1; k <= d.k; ++k) {
      const uint64_t next = pointer(mem, d, pe, k);
      if (next > prev) ++columns;
      prev = next;
    }
    entries += prev - first;
  }
  const uint64_t pointers = uint64_t{cfg.pes} * (d.k + 1);
  add_accesses(a, cfg, Memory::kCodebook, 0, uint64_t{1} << cfg.index_bits);
  add_accesses(a, cfg, Memory::kPointers, 0, pointers);
  add_accesses(a, cfg, Memory::kEntries, 0, entries);
  add_accesses(a, cfg, Memory::kStarts, columns, columns);
  a.array_bits += pointers * pointer_bits(cfg) + entries * (cfg.index_bits + 4);
}

// Per vector: x's K elements over the loader bus into the source activation files; at
// write-back every PE's raw sum of one local row over the write-back bus into u_sums; the
// drain reads u_sums and u_bias once per output (both read enables are o_re, whether or
// not the layer adds a bias). The bias phase writes u_bias once per layer.
void add_vectors(energy::Actions& a, const config::EieConfig& cfg, const LayerDescriptor& d, bool use_bias) {
  const uint64_t n = d.n, wb_rows = static_cast<uint64_t>(max_local_rows(d.m, cfg.pes));
  add_accesses(a, cfg, Memory::kActFiles, 0, n * d.k);
  add_accesses(a, cfg, Memory::kSums, n * d.m, n * wb_rows);
  add_accesses(a, cfg, Memory::kBias, n * d.m, use_bias ? d.m : 0);
  a.array_bits += n * (uint64_t{d.k} * cfg.act_bits + wb_rows * cfg.pes * cfg.acc_bits);
}

}  // namespace

ShellTiming layer_cycles(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory,
                         unsigned latency, double bytes_per_cycle) {
  // With KEEP_WEIGHTS the engine holds the image d names (the caller's promise).
  if (check_layer(p, d, memory, d.keep_weights ? &d : nullptr) != 0)
    throw std::invalid_argument("eie::layer_cycles: the layer does not run");
  if (!(bytes_per_cycle > 0)) throw std::invalid_argument("eie::layer_cycles: bytes_per_cycle must be > 0");
  Shell s(p, d, memory, latency, bytes_per_cycle);
  ShellTiming t = s.run();
  if (!d.keep_weights) add_image_load(t.actions, p.eie, d, memory);
  add_vectors(t.actions, p.eie, d, uses_bias(d));
  t.actions.dram_read_bytes = t.bytes_read;
  t.actions.dram_write_bytes = t.bytes_written;
  return t;
}

}  // namespace dnngen::eie
