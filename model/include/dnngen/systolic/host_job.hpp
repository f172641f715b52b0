#pragma once
// A user's job as the host driver runs it on the systolic engine: the op (gemm or
// conv2d, lowered by im2col) becomes one GEMM, split into engine jobs that fit the
// buffers; the jobs' results are summed back into the GEMM's output, which becomes
// the op's output. golden_output is computed independently (direct convolution, or
// the GEMM of the whole operands) for the final check.
#include <string>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/workload/layer_jobs.hpp"

namespace dnngen::systolic {

struct HostJob {
  std::string op;           // "gemm" or "conv2d"
  std::string description;  // e.g. "conv2d ifmap [3, 8, 8] weights [4, 3, 3, 3] stride 1 pad 1"
  Tensor a, b;              // the whole GEMM
  workload::JobPlan plan;   // its engine jobs
  int64_t e = 0, f = 0;     // conv2d output height and width
  Tensor golden_output;

  Tensor output_from_gemm(const Tensor& c) const;
};

// From the job's --in tensors (InputError on bad input, before any simulation).
HostJob host_job_from_inputs(const config::Config& cfg, const cli::JobOptions& opts);

// Loads and checks the job's --in tensors only (no golden run): for failing fast on
// bad input before a simulator is built.
void check_job_inputs(const config::Config& cfg, const cli::JobOptions& opts);

// From a real layer (FILE.csv:NAME) with generated data; conv layers are lowered.
HostJob host_job_from_layer(const config::Config& cfg, const std::string& layer, uint64_t seed);

// Sum of the closed-form cycles of the plan's jobs (jobs run back to back).
uint64_t model_cycles(const config::SystolicConfig& cfg, const HostJob& job);

}  // namespace dnngen::systolic
