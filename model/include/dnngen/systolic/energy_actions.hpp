#pragma once
// What one job of the GEMM shell's core does, as action counts for the analytical energy
// (energy/energy.hpp): the systolic array (weight or output stationary) or the bit-serial
// core, its operand banks, its K-split accumulator, and the shell's output tile and channel
// parameter buffers around it. The cycle model of the shell (shell_layer_timing.cpp) adds
// them job by job; the closed-form network estimate does the same for its jobs.
// Buffer geometry is the RTL's (rtl/systolic/*_core.sv, rtl/bitserial/dnn_bitserial_core.sv,
// rtl/shell/dnn_shell_systolic.sv); docs/energy_power.md lists what each count is.
#include <cstdint>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/systolic/shell_layer.hpp"

namespace dnngen::systolic {

// One core job: M x N x K of a layer, and where it sits in its K split (the first job
// starts the sums, the last one emits them).
struct CoreJob {
  uint64_t m = 0, n = 0, k = 0;
  bool first_k = true, last_k = true;
};

// Adds the job's actions. `bitserial_sip_cycles`: the bit-serial core's busy SIP cycles,
// each tile's cycles times the SIPs it uses (windows x filters in M and N; 0 for the
// systolic array and the bit-parallel baseline).
// Operand loads into the banks count as buffer writes; DRAM bytes are the caller's.
void add_job_actions(const ShellParams& p, const CoreJob& job, uint64_t bitserial_sip_cycles,
                     energy::Actions& a);

// The core's part alone (the kernel top: no output tile, bias or quant buffers).
void add_core_job_actions(const ShellParams& p, const CoreJob& job, uint64_t bitserial_sip_cycles,
                          energy::Actions& a);

// A bit-serial configuration's kernel job of `run`'s --in A, --in B and --param precision
// (gemm only), counted on the core the shell holds (its buffers' layout): the tiles' busy
// SIP cycles from the activations' bits, as the cycle model times them.
energy::Actions bitserial_job_actions(const config::Config& cfg, const cli::JobOptions& opts);

// The WS / OS array's parameters for these counts (the kernel top's: no shell).
ShellParams kernel_params(const config::SystolicConfig& cfg);

// The actions of a whole M x N x K GEMM split into jobs of at most max_m x max_n x max_k
// (m outer, k inner, as the shell and the host driver walk them), on the systolic array;
// `shell`: with the shell's output path.
energy::Actions gemm_actions(const ShellParams& p, uint64_t m, uint64_t n, uint64_t k, bool shell);

}  // namespace dnngen::systolic
