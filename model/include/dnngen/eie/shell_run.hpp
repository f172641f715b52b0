#pragma once
// `dnngen run --op spmv --shell` on EIE: a chain of fully connected layers (--in
// codebook=..., w_idx=L0.npy,L1.npy,..., x=X.npy) as one spmv descriptor per layer through
// the engine's AXI shell, the same way for the model and the RTL backend. Each layer's
// weight image (the paper's format, eie::weight_image) and codebook sit on their own 4 KiB
// pages of a memory image; layer l writes its activations (the EIE write-back: round,
// >>> frac_bits, saturate to act_bits, the configuration's ReLU) where layer l+1 reads its
// X, so the layers chain with no host work. x may be one vector [K] or a batch [N, K]: a
// batch runs as N vectors of one descriptor per layer. Unlike the kernel run, which loads
// the whole chain into the SRAMs at once, each layer only has to fit them by itself. The
// cycles include all data movement through the configuration's `memory:` section.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"

namespace dnngen::eie {

struct ShellRun {
  ShellParams params;
  std::vector<LayerDescriptor> layers;  // in order; layer l+1's A_ADDR is layer l's OUT_ADDR
  std::vector<uint8_t> memory;          // codebooks, images and X in place; outputs zero
  bool batch = false;                   // x was [N, K] (the result is [N, M]) rather than [K]
  unsigned latency = 0;                 // of the memory the cycles assume
  double bytes_per_cycle = 0;           // each way, at most the bus width
};

// The descriptors and memory image of a `run --shell` command line; InputError (naming
// the tensor, the layer and what was expected) when a tensor is malformed or a layer does
// not fit the engine: the kernel run's checks, per layer.
ShellRun shell_run(const config::Config& cfg, const cli::JobOptions& opts);

// Runs every layer on the golden model (memory) and the cycle model: each layer's counters.
std::vector<ShellTiming> run_shell_layers(const ShellRun& g, std::vector<uint8_t>& memory);

// The last layer's output read from a memory image: y [M] (one vector) or [N, M].
Tensor shell_run_result(const ShellRun& g, const std::vector<uint8_t>& memory);

// The JSON report (per layer and in total) and the summary line.
nlohmann::json shell_run_report(const config::Config& cfg, const ShellRun& g,
                                const std::vector<ShellTiming>& layers, const std::string& backend);
std::string shell_run_summary(const config::Config& cfg, const ShellRun& g,
                              const std::vector<ShellTiming>& layers, const std::string& backend);

}  // namespace dnngen::eie
