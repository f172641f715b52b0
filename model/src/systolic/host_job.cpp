#include "dnngen/systolic/host_job.hpp"

#include <fmt/format.h>

#include "dnngen/golden/conv2d.hpp"
#include "dnngen/golden/gemm.hpp"
#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {
namespace {

// The golden GEMM of the whole operands, which may exceed the job limits.
Tensor whole_gemm(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b) {
  auto unlimited = cfg;
  unlimited.max_m = static_cast<unsigned>(a.shape[0]);
  unlimited.max_k = static_cast<unsigned>(a.shape[1]);
  unlimited.max_n = static_cast<unsigned>(b.shape[1]);
  return golden::gemm(unlimited, a, b);
}

}  // namespace

Tensor HostJob::output_from_gemm(const Tensor& c) const {
  return op == "conv2d" ? workload::gemm_to_ofmap(c, e, f) : c;
}

HostJob host_job_from_inputs(const config::Config& cfg, const cli::JobOptions& opts) {
  HostJob job;
  job.op = opts.op;
  if (opts.op == "conv2d") {
    const auto ops = cli::load_conv2d_operands(cfg, opts);
    auto low =
        workload::lower_conv2d(cfg.systolic, ops.ifmap, ops.weights, ops.params.stride, ops.params.pad);
    job.a = std::move(low.a);
    job.b = std::move(low.b);
    job.e = low.e;
    job.f = low.f;
    job.golden_output = golden::conv2d(cfg.systolic, ops.ifmap, ops.weights, ops.params);
    job.description =
        fmt::format("conv2d ifmap {} weights {} stride {} pad {}", shape_string(ops.ifmap.shape),
                    shape_string(ops.weights.shape), ops.params.stride, ops.params.pad);
  } else {
    auto ops = cli::load_gemm_operands(cfg, opts);
    job.a = std::move(ops.a);
    job.b = std::move(ops.b);
    job.golden_output = golden::gemm(cfg.systolic, job.a, job.b);
    job.description = fmt::format("gemm M={} N={} K={}", job.a.shape[0], job.b.shape[1], job.a.shape[1]);
  }
  job.plan = workload::plan_jobs(cfg.systolic, job.a, job.b);
  return job;
}

void check_job_inputs(const config::Config& cfg, const cli::JobOptions& opts) {
  if (opts.op != "conv2d") {
    cli::load_gemm_operands(cfg, opts);
    return;
  }
  const auto ops = cli::load_conv2d_operands(cfg, opts);
  workload::lower_conv2d(cfg.systolic, ops.ifmap, ops.weights, ops.params.stride, ops.params.pad);
}

HostJob host_job_from_layer(const config::Config& cfg, const std::string& layer_ref, uint64_t seed) {
  const auto layer = workload::find_layer(layer_ref);
  auto ops = workload::make_layer_operands(cfg.systolic, layer, seed);
  HostJob job;
  job.op = "gemm";  // conv layers arrive already lowered by im2col
  job.a = std::move(ops.a);
  job.b = std::move(ops.b);
  job.description = fmt::format("layer {} as gemm M={} N={} K={}", layer.name, job.a.shape[0], job.b.shape[1],
                                job.a.shape[1]);
  // Saturation is applied per job: a K split across jobs has no single golden answer.
  const bool k_split = job.a.shape[1] > static_cast<int64_t>(cfg.systolic.max_k);
  if (!(cfg.systolic.overflow == config::Overflow::kSaturate && k_split))
    job.golden_output = whole_gemm(cfg.systolic, job.a, job.b);
  job.plan = workload::plan_jobs(cfg.systolic, job.a, job.b);
  return job;
}

uint64_t model_cycles(const config::SystolicConfig& cfg, const HostJob& job) {
  uint64_t cycles = 0;
  for (const auto& sl : job.plan.slices) cycles += estimate(cfg, {sl.m, sl.n, sl.k}).cycles;
  return cycles;
}

}  // namespace dnngen::systolic
