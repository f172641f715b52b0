#pragma once
// A bit-serial job as the front end and the simulator read it from the command line:
// op gemm, --in A=.. --in B=.., --param precision=P|auto, --out C=.. (run); with --shell
// also op conv2d, --in ifmap=.. --in weights=.., --param stride/pad/precision, --out ofmap=..
// (a convolution runs through the AXI shell only: the kernel top runs gemm jobs).
#include <string>

#include "dnngen/bitserial/random_job.hpp"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/golden/conv2d.hpp"

namespace dnngen::bitserial {

// Checks the op, parameters, bindings and output paths, and loads and checks the
// tensors when given: InputError (exit 2) before anything is built or written.
void check_job_options(const config::Config& cfg, const cli::JobOptions& opts);

// The job of --in A, --in B and --param precision (after check_job_options).
Job load_job(const config::Config& cfg, const cli::JobOptions& opts);

// A convolution through the shell: ifmap [C, H, W], weights [K, C, R, S].
struct Conv2dJob {
  Tensor ifmap, weights;
  golden::Conv2dParams params;
  Precision precision;
};

// The job of --in ifmap, --in weights and --param stride/pad/precision (after
// check_job_options).
Conv2dJob load_conv2d_job(const config::Config& cfg, const cli::JobOptions& opts);

// The --param precision text ("" when absent).
std::string precision_param(const cli::JobOptions& opts);

// Adds the result (C, or conv2d's ofmap; int32 when acc_bits <= 32, else int64), for its
// --out binding, to the outputs the command commits together.
void add_output(output::OutputSet& outputs, const config::Config& cfg, const cli::JobOptions& opts,
                const Tensor& c);

}  // namespace dnngen::bitserial
