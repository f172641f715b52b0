#pragma once
// The fast whole-network estimate of the systolic WS/OS engine: every layer of a
// workload table (lowered to GEMM, split into jobs that fit max_m/max_n/max_k) costs the
// closed-form cycles of estimate() (schedule.hpp), O(1) per layer; beside it the
// SCALE-Sim v2 WS formula for comparison.
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::systolic {

// Throws std::invalid_argument if cfg has a zero array dimension or job limit (a
// validated Config never does).
workload::LayerEstimate estimate_layer(const config::SystolicConfig& cfg, const workload::Layer& layer);
workload::NetworkEstimate estimate_network(const config::SystolicConfig& cfg,
                                           const std::vector<workload::Layer>& layers,
                                           const std::string& name = "");

}  // namespace dnngen::systolic
