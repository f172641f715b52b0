#pragma once
// Transaction-level golden model of the systolic engine: a job goes in, the result,
// the cycle count and the per-row output schedule come out.
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {

struct GemmResult {
  Tensor c;
  CycleEstimate timing;
  std::vector<OutputEvent> events;
};

// Checks the operands (InputError on bad shapes/values), then computes C bit-exactly
// and the exact RTL schedule.
GemmResult run_gemm(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b);

}  // namespace dnngen::systolic
