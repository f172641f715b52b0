// Register-for-register mirror of rtl/eie: the LNZD scanner (dnn_eie_lnzd), the
// activation FIFOs (dnn_fifo: ready while not full, a pushed word visible the next
// cycle) and each PE's pointer read, one-entry column register, column walker and the
// three pipeline stages behind it (entry read, multiply, accumulate). Each cycle below computes every next
// state from the state at the start of the cycle, as the flip-flops do.
#include "dnngen/eie/cycle_model.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "dnngen/eie/encode.hpp"

namespace dnngen::eie {

double LayerTiming::efficiency(unsigned pes) const {
  return cycles == 0 ? 0.0 : static_cast<double>(useful_macs) / (static_cast<double>(cycles) * pes);
}

double LayerTiming::entry_efficiency(unsigned pes) const {
  return cycles == 0 ? 0.0 : static_cast<double>(entries) / (static_cast<double>(cycles) * pes);
}

namespace {

struct PeState {
  std::deque<uint32_t> fifo;                // ordinals into LayerWork::nz_cols
  bool pv = false;                          // pointer read in flight / pointer data held
  uint32_t pk = 0;                          // its column (ordinal)
  bool hv = false;                          // a non-empty column waits in the column register
  uint32_t hk = 0;                          // its column (ordinal)
  bool active = false;                      // the walker is issuing entry reads
  uint32_t rem = 0;                         // entries left, including this cycle's
  bool ev = false, mv = false, av = false;  // entry-read, multiply, accumulate stages
  bool idle() const { return fifo.empty() && !pv && !hv && !active && !ev && !mv && !av; }
};

}  // namespace

LayerTiming simulate_layer(const config::EieConfig& cfg, const LayerWork& work) {
  const unsigned n_pe = cfg.pes;
  const size_t depth = cfg.fifo_depth;
  if (work.cols < 1 || work.rows < 1) throw std::invalid_argument("simulate_layer: empty layer");
  if (work.entries.size() != work.nz_cols.size())
    throw std::invalid_argument("simulate_layer: one entry-count row per non-zero column");
  const int64_t groups = (work.cols + n_pe - 1) / n_pe;
  // First ordinal of every group (the LNZD scans n_pe columns per group).
  std::vector<uint32_t> group_start(static_cast<size_t>(groups) + 1, 0);
  {
    size_t o = 0;
    for (int64_t g = 0; g <= groups; ++g) {
      while (o < work.nz_cols.size() && work.nz_cols[o] < g * n_pe) ++o;
      group_start[static_cast<size_t>(g)] = static_cast<uint32_t>(o);
    }
  }

  LayerTiming t;
  t.useful_macs = work.useful_macs;
  t.groups = 1;  // the accept cycle loads group 0
  std::vector<PeState> pes(n_pe);
  // The accept cycle loads group 0.
  bool scan = true;
  int64_t g = 0;
  uint32_t ord = group_start[0], group_end = group_start[1];
  uint64_t cycle = 0;
  for (;;) {
    ++cycle;
    const bool drained =
        !scan && std::all_of(pes.begin(), pes.end(), [](const PeState& s) { return s.idle(); });
    if (drained) break;
    const bool all_ready =
        std::all_of(pes.begin(), pes.end(), [&](const PeState& s) { return s.fifo.size() < depth; });
    int64_t push = -1;
    if (scan) {
      bool advance = false;
      if (ord < group_end) {
        if (all_ready) {
          push = ord++;
          ++t.broadcasts;
          advance = ord == group_end;
        } else {
          ++t.stall_cycles;
        }
      } else {
        advance = true;  // an empty group costs its one cycle
      }
      if (advance) {
        if (g + 1 >= groups) {
          scan = false;
        } else {
          ++g;
          ++t.groups;
          ord = group_start[static_cast<size_t>(g)];
          group_end = group_start[static_cast<size_t>(g) + 1];
        }
      }
    }
    for (unsigned p = 0; p < n_pe; ++p) {
      PeState& s = pes[p];
      const bool head = !s.fifo.empty();
      s.av = s.mv;
      s.mv = s.ev;
      s.ev = s.active;
      const bool wk_free = !(s.active && s.rem > 1);
      if (s.active && --s.rem == 0) s.active = false;
      // Pointer data of an empty column retires at once; a non-empty one goes straight
      // to a free walker, else into a free column register, else holds.
      const uint32_t pk_entries = s.pv ? work.entries[s.pk][p] : 0;
      const bool p_full = s.pv && pk_entries > 0;
      const bool take_h = s.hv && wk_free;
      const bool take_p = !s.hv && wk_free && p_full;
      const bool h_free = !s.hv || take_h;
      const bool consume = s.pv && (!p_full || h_free);
      if (take_h || take_p) {
        const uint32_t k = work.entries[take_h ? s.hk : s.pk][p];
        t.entries += k;
        s.active = true;
        s.rem = k;
      }
      s.hv = s.hv && !take_h;
      if (p_full && h_free && !take_p) {
        s.hv = true;
        s.hk = s.pk;
      }
      const bool pop = head && (!s.pv || consume);
      if (pop) {
        s.pk = s.fifo.front();
        s.fifo.pop_front();
      }
      s.pv = pop || (s.pv && !consume);
      if (push >= 0) s.fifo.push_back(static_cast<uint32_t>(push));
    }
  }
  t.compute_cycles = cycle;
  t.writeback_cycles = static_cast<uint64_t>(max_local_rows(work.rows, n_pe));
  t.cycles = t.compute_cycles + t.writeback_cycles;
  return t;
}

// ---------------------------------------------------------------- energy action counts

namespace {

// SystemVerilog's $clog2.
unsigned clog2(uint64_t n) {
  unsigned bits = 0;
  while ((uint64_t{1} << bits) < n) ++bits;
  return bits;
}

constexpr unsigned kCodebookBits = 16;  // cb_q holds int16 values; dnn_eie_au multiplies 16 x ActBits
constexpr unsigned kZBits = 4;          // the relative row index of an entry

struct Geometry {
  const char* name;
  energy::Level level;
  uint64_t depth;
  unsigned width_bits;
};

// One instance of `memory` as dnn_eie_top / dnn_eie_pe instantiate it. The SRAMs
// (dnn_sram_1r1w) are buffers; flip-flop arrays (codebook, FIFO, activation files,
// accumulators) are register files.
Geometry geometry(const config::EieConfig& cfg, Memory memory) {
  using energy::Level;
  const auto local_rows = [&](unsigned rows) { return static_cast<uint64_t>(max_local_rows(rows, cfg.pes)); };
  switch (memory) {
    case Memory::kCodebook:
      return {"eie.codebook", Level::kRegister, uint64_t{1} << cfg.index_bits, kCodebookBits};
    case Memory::kPointers:  // NumPtrs = MaxCols + 1 pointers, half in each bank, PtrBits wide
      return {"eie.pointers", Level::kBuffer, (cfg.max_cols + 1) / 2 + 1, pointer_bits(cfg)};
    case Memory::kEntries:  // one {v, z} entry per word
      return {"eie.entries", Level::kBuffer, cfg.max_entries, cfg.index_bits + kZBits};
    case Memory::kActQueue:  // a FIFO word is one broadcast {k, x}
      return {"eie.act_queue", Level::kRegister, cfg.fifo_depth, pointer_index_bits(cfg) + cfg.act_bits};
    case Memory::kActFiles:
      return {"eie.act_files", Level::kRegister, local_rows(std::max(cfg.max_rows, cfg.max_cols)),
              cfg.act_bits};
    case Memory::kAccumulators:
      return {"eie.accumulators", Level::kRegister, local_rows(cfg.max_rows), cfg.acc_bits};
    case Memory::kSums:
      return {"eie.shell_sums", Level::kBuffer, local_rows(cfg.max_rows), cfg.pes * cfg.acc_bits};
    case Memory::kBias:
      return {"eie.shell_bias", Level::kBuffer, cfg.max_rows, 32};
    case Memory::kStarts:
      return {"eie.shell_starts", Level::kRegister, cfg.max_cols, pointer_bits(cfg)};
  }
  throw std::logic_error("eie::geometry: unknown memory");
}

// The column walker's work: every entry it issues (padding included) is one entry-SRAM
// read, one codebook decode, one multiply and one accumulator read-modify-write. A padding
// entry (v = 0) decodes to weight 0, but dnn_eie_au has no zero gating, so its datapath
// runs as for any other entry; the accumulator is read even when the bypass supplies the
// operand (acc_raddr_o is driven every cycle of stage A).
void add_walker(energy::Actions& a, const config::EieConfig& cfg, uint64_t entries) {
  a.add_macs(cfg.act_bits, kCodebookBits, cfg.acc_bits, entries);
  add_accesses(a, cfg, Memory::kEntries, entries, 0);
  add_accesses(a, cfg, Memory::kCodebook, entries, 0);
  add_accesses(a, cfg, Memory::kAccumulators, entries, entries);
}

// The scanner and the queues: each LNZD group load reads one source word from every PE
// (dnn_eie_lnzd's rd_data_i), which travels to the central scanner; each non-zero goes
// as {k, x} over the broadcast bus into every PE's FIFO, is popped once per PE, and the
// pop reads both pointer banks (dnn_eie_ptr_banks' re_i = pop: p[k] and p[k+1]).
void add_scan(energy::Actions& a, const config::EieConfig& cfg, const LayerTiming& t) {
  const uint64_t words = t.groups * cfg.pes, received = t.broadcasts * cfg.pes;
  add_accesses(a, cfg, Memory::kActFiles, words, 0);
  add_accesses(a, cfg, Memory::kActQueue, received, received);
  add_accesses(a, cfg, Memory::kPointers, 2 * received, 0);
  a.array_bits += words * cfg.act_bits + received * (pointer_index_bits(cfg) + cfg.act_bits);
}

// Write-back: one local row of every PE a cycle, rows past M included (the top walks
// ceil(M / pes) rows in all PEs): the accumulator is read and cleared, and its
// requantised value written into the destination activation file.
void add_writeback(energy::Actions& a, const config::EieConfig& cfg, uint64_t cycles) {
  const uint64_t rows = cycles * cfg.pes;
  add_accesses(a, cfg, Memory::kAccumulators, rows, rows);
  add_accesses(a, cfg, Memory::kActFiles, 0, rows);
}

}  // namespace

unsigned pointer_index_bits(const config::EieConfig& cfg) { return clog2(uint64_t{cfg.max_cols} + 2); }
unsigned pointer_bits(const config::EieConfig& cfg) { return clog2(uint64_t{cfg.max_entries} + 1); }

void add_accesses(energy::Actions& actions, const config::EieConfig& cfg, Memory memory, uint64_t reads,
                  uint64_t writes) {
  const Geometry g = geometry(cfg, memory);
  const auto bytes = static_cast<int64_t>((g.depth * g.width_bits + 7) / 8);
  actions.add_memory(g.name, g.level, bytes, g.width_bits, reads, writes);
}

energy::Actions job_actions(const config::EieConfig& cfg, const LayerTiming& t) {
  energy::Actions a;
  add_walker(a, cfg, t.entries);
  add_scan(a, cfg, t);
  add_writeback(a, cfg, t.writeback_cycles);
  return a;
}

}  // namespace dnngen::eie
