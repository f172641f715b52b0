#pragma once
// `dnngen run --op gemm --shell`: a whole GEMM as one layer descriptor of the engine's AXI
// shell, the same way for the model and the RTL backend. A (M x K), B (K x N) and C
// (M x N, int32, the raw sums) are packed in a memory image, each on its own 4 KiB page;
// the shell walks the tiles and sums K on chip, so a saturating configuration saturates
// the exact sum once (docs/shell.md). Cycles include data movement through the
// configuration's `memory:` (latency, bytes per cycle each way, bus, bursts).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"

namespace dnngen::systolic {

struct ShellGemm {
  ShellParams params;
  shell::LayerDescriptor descriptor;
  std::vector<uint8_t> memory;  // A and B in place; C's page zero
  unsigned latency = 0;         // of the memory the cycles assume
  double bytes_per_cycle = 0;   // each way, at most the bus width
};

// The layer of C = A B; InputError when the shell cannot run it (a size of 2^24 or more,
// or a configuration whose sums do not fit the raw int32 output).
ShellGemm shell_gemm(const config::Config& cfg, const Tensor& a, const Tensor& b);

// C read from a memory image after the layer.
Tensor shell_gemm_result(const ShellGemm& g, const std::vector<uint8_t>& memory);

// The JSON report of a run through the shell (every field of the kernel run's report that
// still means the same, plus the counters and the memory).
nlohmann::json shell_gemm_report(const config::Config& cfg, const ShellGemm& g, const LayerTiming& counters,
                                 const std::string& backend);

// The summary line: cycles including data movement, and their split.
std::string shell_gemm_summary(const config::Config& cfg, const ShellGemm& g, const LayerTiming& counters,
                               const std::string& backend);

}  // namespace dnngen::systolic
