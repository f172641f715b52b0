#pragma once
// The cycle-exact model of the EIE engine's timing, register for register with
// rtl/eie (see docs/eie.md, "Cycle model"). Timing depends only on which input columns
// are non-zero and on how many entries (padding included) each PE holds per column, so
// the model takes exactly that: the same function times a co-simulated job and a
// published-size benchmark layer whose values are never materialised.
#include <cstdint>
#include <vector>

#include "dnngen/config/eie_config.hpp"

namespace dnngen::eie {

struct LayerWork {
  int64_t rows = 0;  // M: the write-back walks ceil(M / pes) local rows
  int64_t cols = 0;  // N
  // For every column j with x_j != 0, in increasing j: the column and its entry count
  // in each PE (padding included).
  std::vector<int64_t> nz_cols;
  std::vector<std::vector<uint32_t>> entries;  // [nz column][pe]
  uint64_t useful_macs = 0;                    // non-padding entries of non-zero columns
};

struct LayerTiming {
  uint64_t cycles = 0;            // job accept to finish, as dnn_job_ctrl counts them
  uint64_t compute_cycles = 0;    // broadcast and pipelines, up to the drained check
  uint64_t writeback_cycles = 0;  // ceil(M / pes)
  uint64_t broadcasts = 0;        // non-zero activations sent
  uint64_t stall_cycles = 0;      // cycles a broadcast waited for a full FIFO
  uint64_t useful_macs = 0;
  uint64_t entries = 0;  // entries read (padding included)
  // useful MACs / (cycles x pes)
  double efficiency(unsigned pes) const;
  // entries / (cycles x pes): padding entries counted as work, so this is the load
  // balance alone (padding is a property of the 4-bit relative index, not of balance)
  double entry_efficiency(unsigned pes) const;
};

LayerTiming simulate_layer(const config::EieConfig& cfg, const LayerWork& work);

}  // namespace dnngen::eie
