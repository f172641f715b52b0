#pragma once
// The fast whole-network estimate of the systolic WS/OS engine: every layer of a
// workload table (lowered to GEMM, split into jobs that fit max_m/max_n/max_k) costs the
// closed-form cycles of estimate() (schedule.hpp), O(1) per layer; beside it the
// SCALE-Sim v2 WS formula for comparison.
//
// With a memory (config `memory:`), each layer also gets its data movement through the
// accelerator shell as planned for it (docs/shell.md, "Data movement model"): tiles in the
// order m, n, k (k innermost, partial sums stay on chip), operand tiles loaded while the
// previous job computes (double-buffered), an A tile kept across n when K fits one tile,
// a B tile kept across m when N and K fit one tile, each output tile written once with
// its bias and per-channel scales read once; a job takes max(compute, its transfers), the
// layer adds the first load and the last write (fill and drain).
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::systolic {

// Throws std::invalid_argument if cfg has a zero array dimension or job limit (a
// validated Config never does).
// memory nullptr: compute only (has_dram false).
workload::LayerEstimate estimate_layer(const config::SystolicConfig& cfg, const workload::Layer& layer,
                                       const config::MemoryConfig* memory = nullptr);
workload::NetworkEstimate estimate_network(const config::SystolicConfig& cfg,
                                           const std::vector<workload::Layer>& layers,
                                           const std::string& name = "",
                                           const config::MemoryConfig* memory = nullptr);

}  // namespace dnngen::systolic
