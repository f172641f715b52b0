#pragma once
// The cycle-exact model of a GEMM layer on the systolic shell (rtl/shell/dnn_shell_systolic.sv,
// with the systolic array or the bit-serial core)
// against a deterministic AXI memory: a fixed latency and a bandwidth in bytes per cycle
// each way, as testbench/common/axi_memory.hpp serves it without stalls. It steps the
// shell's control cycle by cycle without the data: the register stages of the DMAs, the
// realigner, the loader's command and data sides, the operand banks, the core's output
// schedule (systolic/schedule.hpp) with its freeze on back-pressure, the output stage,
// the requantisation pipeline, the write aligner and the write DMA, each as the RTL
// updates its registers. CYCLES_TOTAL of the RTL equals `cycles`.
#include <cstdint>
#include <vector>

#include "dnngen/energy/energy.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"

namespace dnngen::systolic {

struct LayerTiming {
  uint64_t cycles = 0;         // CYCLES_TOTAL: from the descriptor check to the layer's end
  uint64_t compute = 0;        // CYCLES_COMPUTE: the core busy and not frozen
  uint64_t mem_wait = 0;       // CYCLES_MEM_WAIT
  uint64_t bytes_read = 0;     // BYTES_READ: bus beats read x bus bytes
  uint64_t bytes_written = 0;  // BYTES_WRITTEN: output bytes
  uint64_t jobs = 0;
  uint64_t macs = 0;
  // What the layer did, for the analytical energy: every job's core and buffer actions
  // (systolic/energy_actions.hpp) and the DRAM bytes above.
  energy::Actions actions;
};

// Cycles from the completion of the CTRL.START write to the layer's first (check) cycle:
// the shell registers the START pulse, so its interrupt comes CYCLES_TOTAL + kStartCycles
// cycles after the write (the RTL, and the TLM model that waits the same).
constexpr uint64_t kStartCycles = 1;

// `d` must pass check_descriptor(). bytes_per_cycle > 0. `memory` holds the layer's
// operands (the bit-serial engine's time depends on its activations).
LayerTiming layer_cycles(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory,
                         unsigned latency, double bytes_per_cycle);

}  // namespace dnngen::systolic
