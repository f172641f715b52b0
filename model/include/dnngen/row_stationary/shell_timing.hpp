#pragma once
// The cycle-exact model of a conv2d layer on the row-stationary shell
// (rtl/shell/dnn_shell_rs.sv) against a deterministic AXI memory: a fixed latency and a
// bandwidth in bytes per cycle each way, as testbench/common/axi_memory.hpp serves it
// without stalls. It steps the shell's control cycle by cycle without the data path's
// values: the load phases (bias, per-channel scale; then, while the job runs, the first
// filter group, the ifmap rows and the other filters) through the read DMA and the
// realigner, the core's job (its event-exact schedule, rs::schedule, frozen in every cycle
// a result waits for a free tile slot, or a filter read, rs::filter_reads, or an ifmap
// read, rs::ifmap_reads, waits for what is still streaming in), the output tiles' drain,
// the output pipeline, the write aligner and the write DMA. CYCLES_TOTAL and every other counter of
// the RTL equal the fields below. `actions` counts what the layer does for the analytical
// energy (energy::evaluate(t.actions, table)); docs/energy_rs.md says what is counted.
#include <cstdint>
#include <vector>

#include "dnngen/energy/energy.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"

namespace dnngen::rs {

struct ShellTiming {
  uint64_t cycles = 0;         // CYCLES_TOTAL: from the descriptor check to the layer's end
  uint64_t compute = 0;        // CYCLES_COMPUTE: the core runs the job (its stalls included)
  uint64_t mem_wait = 0;       // CYCLES_MEM_WAIT: every other cycle after the check
  uint64_t bytes_read = 0;     // BYTES_READ: bus beats read x bus bytes
  uint64_t bytes_written = 0;  // BYTES_WRITTEN: output bytes
  uint64_t core_cycles = 0;    // the layer on the kernel alone, compute only (rs::estimate)
  uint64_t stalls = 0;         // cycles the core waited for a tile slot
  uint64_t macs = 0;           // K*C*R*S*E*F
  energy::Actions actions;     // the core's (rs::core_actions), the shell's memories, DRAM bytes
};

// `d` must pass check_descriptor(); bytes_per_cycle > 0.
ShellTiming layer_cycles(const ShellParams& p, const LayerDescriptor& d, unsigned latency,
                         double bytes_per_cycle);

// Every memory the shell and its core instantiate (core_memories, then the output tile
// banks and the channel-parameter tables), and their bytes in all: the on-chip storage.
std::vector<Memory> shell_memories(const ShellParams& p);
int64_t on_chip_bytes(const ShellParams& p);

}  // namespace dnngen::rs
