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

}  // namespace dnngen::eie
