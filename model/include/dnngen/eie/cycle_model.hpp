#pragma once
// The cycle-exact model of the EIE engine's timing, register for register with
// rtl/eie (see docs/eie.md, "Cycle model"). Timing depends only on which input columns
// are non-zero and on how many entries (padding included) each PE holds per column, so
// the model takes exactly that: the same function times a co-simulated job and a
// published-size benchmark layer whose values are never materialised.
#include <cstdint>
#include <vector>

#include "dnngen/config/eie_config.hpp"
#include "dnngen/energy/energy.hpp"

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
  uint64_t groups = 0;   // LNZD group loads: one source word from every PE each
  // useful MACs / (cycles x pes)
  double efficiency(unsigned pes) const;
  // entries / (cycles x pes): padding entries counted as work, so this is the load
  // balance alone (padding is a property of the 4-bit relative index, not of balance)
  double entry_efficiency(unsigned pes) const;
};

LayerTiming simulate_layer(const config::EieConfig& cfg, const LayerWork& work);

// The engine's memories and the shell's. add_accesses() gives each the depth x width of one
// instance as the RTL builds it for `cfg` (one per PE; the codebook is one set of registers).
enum class Memory {
  kCodebook,      // cb_q: 2^index_bits x 16-bit registers
  kPointers,      // one of dnn_eie_ptr_banks' two SRAM banks: (max_cols+1)/2+1 x pointer bits
  kEntries,       // the sparse-matrix SRAM: max_entries x (index_bits + 4)
  kActQueue,      // dnn_fifo registers: fifo_depth x (pointer index + act_bits)
  kActFiles,      // one of dnn_eie_act_rw's two register files: ceil(max(limits) / pes) x act_bits
  kAccumulators,  // acc_q registers: ceil(max_rows / pes) x acc_bits
  // The shell's (dnn_shell_eie), one instance each:
  kSums,    // u_sums SRAM: ceil(max_rows / pes) words of pes x acc_bits (a local row of every PE)
  kBias,    // u_bias SRAM: max_rows x 32
  kStarts,  // starts_q registers: max_cols x pointer bits (a PE's non-empty columns' starts)
};
// Records `reads` and `writes` (over all instances) of `memory` in `actions`.
void add_accesses(energy::Actions& actions, const config::EieConfig& cfg, Memory memory, uint64_t reads,
                  uint64_t writes);
// Width of the pointer index a broadcast carries (dnn_eie_top's PtrIdxBits) and of a
// pointer (PtrBits).
unsigned pointer_index_bits(const config::EieConfig& cfg);
unsigned pointer_bits(const config::EieConfig& cfg);

// What the PEs and the scanner do in one job timed as `t` (one layer on one input vector,
// the weights and x already on chip, the outputs left in the destination files): MACs,
// accesses to the kernel's memories above (not the shell's), and the broadcast bits. No DRAM.
energy::Actions job_actions(const config::EieConfig& cfg, const LayerTiming& t);

}  // namespace dnngen::eie
