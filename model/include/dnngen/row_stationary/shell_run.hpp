#pragma once
// `dnngen run --op conv2d --shell` on the row-stationary engine: the whole convolution as one
// conv2d descriptor of its AXI shell (rtl/shell/dnn_shell_rs.sv), the same way for the model
// and the RTL backend. The CLI's ifmap [C, H, W] and weights [K, C, R, S] are already the
// shell's CHW rows and KCRS filter rows (OP.CHW); each is packed on its own 4 KiB page of a
// memory image, and the ofmap [K, E, F] comes back as rows (k, e) of F raw int32 sums
// (OUTPUT.TYPE int32), what the kernel run writes. Cycles include every byte the shell's
// DMAs move through the configuration's `memory:` (latency, bytes per cycle each way, bus,
// bursts); the core's compute-only cycles (rs::estimate, the kernel run's figure) are
// reported beside them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/golden/conv2d.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"

namespace dnngen::rs {

struct ShellRun {
  ShellParams params;
  LayerDescriptor descriptor;
  std::vector<uint8_t> memory;  // the ifmap and the weights in place; the ofmap's page zero
  unsigned latency = 0;         // of the memory the cycles assume
  double bytes_per_cycle = 0;   // each way, at most the bus width
  bool batch = false;           // the ifmap was a batch [N, C, H, W] (the ofmap is [N, K, E, F])
};

// Why the shell refuses `d` (rs::check_descriptor != 0): the ERROR_CODE and the limit or
// field it trips, in one line; empty when the layer runs.
std::string refusal(const ShellParams& p, const LayerDescriptor& d);

// The conv2d descriptor of a layer (int32 output, packed tensors, no addresses yet).
LayerDescriptor conv2d_descriptor(const ConvJob& j);

// The layer of ofmap = conv2d(ifmap, weights); InputError (one line naming the limit) when
// the shell refuses it. A batch ifmap [N, C, H, W] is one descriptor of N images.
ShellRun shell_conv2d(const config::Config& cfg, const Tensor& ifmap, const Tensor& weights,
                      const golden::Conv2dParams& params);

// The layer of a `run --shell` command line: --in ifmap/weights and --param stride/pad,
// checked as the kernel run checks the operands, then against the shell's limits.
ShellRun shell_run(const config::Config& cfg, const cli::JobOptions& opts);

// The ofmap [K, E, F] (a batch's [N, K, E, F]) read from a memory image after the layer.
Tensor shell_run_result(const ShellRun& g, const std::vector<uint8_t>& memory);

// The JSON report: the kernel run's fields that still mean the same, the shell's counters
// (shell::run_report_fields) and the core's compute-only cycles, labelled.
nlohmann::json shell_run_report(const config::Config& cfg, const ShellRun& g, const ShellTiming& t,
                                const std::string& backend);

// The summary line: cycles including data movement, their split, and the core alone.
std::string shell_run_summary(const config::Config& cfg, const ShellRun& g, const ShellTiming& t,
                              const std::string& backend);

// run --shell --backend model: the layer on the golden model (rs::run_layer) and the cycle
// model (rs::layer_cycles); writes the ofmap and the JSON report, prints the summary.
int run_model_through_shell(const config::Config& cfg, const cli::JobOptions& opts);

}  // namespace dnngen::rs
