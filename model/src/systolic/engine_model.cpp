#include "dnngen/systolic/engine_model.hpp"

#include "dnngen/golden/gemm.hpp"

namespace dnngen::systolic {

GemmResult run_gemm(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b) {
  golden::check_gemm_operands(cfg, a, b);
  const GemmShape shape{a.shape[0], b.shape[1], a.shape[1]};
  GemmResult result;
  result.c = golden::gemm(cfg, a, b);
  result.timing = estimate(cfg, shape);
  result.events = output_schedule(cfg, shape);
  return result;
}

}  // namespace dnngen::systolic
