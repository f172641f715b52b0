#pragma once
// The cycle-exact model of an spmv layer on the EIE shell (rtl/shell/dnn_shell_eie.sv)
// against a deterministic AXI memory: a fixed latency and a bandwidth in bytes per cycle
// each way, as testbench/common/axi_memory.hpp serves it without stalls. It steps the
// shell's control cycle by cycle without the data path's values: the layer's phases (the
// codebook, each PE's pointers and entries, the bias, each vector's x, job and output),
// the read DMA and the realigner, the core's job (its own cycle model, eie::simulate_layer,
// from the vector's non-zero columns and the image's entries), the output pipeline, the
// write aligner and the write DMA. CYCLES_TOTAL and every other counter of the RTL equal
// the fields below.
#include <cstdint>
#include <vector>

#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/energy/energy.hpp"

namespace dnngen::eie {

struct ShellTiming {
  uint64_t cycles = 0;         // CYCLES_TOTAL: from the descriptor check to the layer's end
  uint64_t compute = 0;        // CYCLES_COMPUTE: the core runs a job
  uint64_t mem_wait = 0;       // CYCLES_MEM_WAIT: every other cycle after the check
  uint64_t bytes_read = 0;     // BYTES_READ: bus beats read x bus bytes
  uint64_t bytes_written = 0;  // BYTES_WRITTEN: output bytes
  uint64_t useful_macs = 0;    // non-padding entries of non-zero columns, over the batch
  // What the layer did, for energy::evaluate: the core's jobs (eie::job_actions), the image
  // phases' writes into the PEs (none with KEEP_WEIGHTS), x into the activation files, the
  // sums and bias buffers of the output drain, and DRAM = bytes_read / bytes_written.
  energy::Actions actions;
};

// `d` must pass check_layer() on `memory` (the layer's image and vectors are read from it);
// with OP.KEEP_WEIGHTS, on an engine that holds d's image (the image phases are skipped).
// bytes_per_cycle > 0.
ShellTiming layer_cycles(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory,
                         unsigned latency, double bytes_per_cycle);

}  // namespace dnngen::eie
