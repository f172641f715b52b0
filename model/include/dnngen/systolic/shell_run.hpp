#pragma once
// `dnngen run --op gemm|conv2d --shell`: a whole GEMM or convolution as one layer
// descriptor of the engine's AXI shell, the same way for the model and the RTL backend.
// gemm: A (M x K), B (K x N) and C (M x N); conv2d: the ifmap (NHWC), the weights (RSCK)
// and the ofmap (NHWC), converted from and to the CLI's [C, H, W], [K, C, R, S] and
// [K, E, F]. Outputs are int32, the raw sums; each tensor is packed on its own 4 KiB page
// of a memory image. The shell walks the tiles, gathers conv2d windows itself (implicit
// im2col) and sums K on chip, so a saturating configuration saturates the exact sum once
// (docs/shell.md). Cycles include data movement through the configuration's `memory:`
// (latency, bytes per cycle each way, bus, bursts).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/golden/conv2d.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"

namespace dnngen::systolic {

struct ShellRun {
  ShellParams params;
  shell::LayerDescriptor descriptor;
  std::vector<uint8_t> memory;  // A and B in place; C's page zero
  unsigned latency = 0;         // of the memory the cycles assume
  double bytes_per_cycle = 0;   // each way, at most the bus width
};

// The layer of C = A B; InputError when the shell cannot run it (a size of 2^24 or more,
// or a configuration whose sums do not fit the raw int32 output).
ShellRun shell_gemm(const config::Config& cfg, const Tensor& a, const Tensor& b);

// The layer of ofmap = conv2d(ifmap [C, H, W], weights [K, C, R, S]); InputError when the
// shell cannot run it (a size out of its range, padding wider than the filter).
ShellRun shell_conv2d(const config::Config& cfg, const Tensor& ifmap, const Tensor& weights,
                      const golden::Conv2dParams& params);

// The layer of a `run --shell` command line: its op's operands from --in (and conv2d's
// --param stride/pad), checked as the kernel run checks them but without the job limits.
ShellRun shell_run(const config::Config& cfg, const cli::JobOptions& opts);

// The result read from a memory image after the layer: C [M, N], or the ofmap [K, E, F].
Tensor shell_run_result(const ShellRun& g, const std::vector<uint8_t>& memory);

// The JSON report of a run through the shell (every field of the kernel run's report that
// still means the same, plus the counters and the memory).
nlohmann::json shell_run_report(const config::Config& cfg, const ShellRun& g, const LayerTiming& counters,
                                const std::string& backend);

// The op, bindings, --param values (bit-serial: precision=P|auto) and output paths of a
// `run --shell` on cfg's engine, as its kernel run checks them: InputError.
void check_shell_options(const config::Config& cfg, const cli::JobOptions& opts);

// Adds the result for its --out binding, in the dtype of the engine's kernel run.
void add_shell_result(output::OutputSet& outputs, const config::Config& cfg, const cli::JobOptions& opts,
                      const Tensor& result);

// run --shell --backend model: the layer on the golden model (bytes) and the shell's cycle
// model; writes the result and the JSON report, prints the summary.
int run_model_through_shell(const config::Config& cfg, const cli::JobOptions& opts);

// The summary line: cycles including data movement, and their split.
std::string shell_run_summary(const config::Config& cfg, const ShellRun& g, const LayerTiming& counters,
                              const std::string& backend);

}  // namespace dnngen::systolic
