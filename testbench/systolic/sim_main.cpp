// The per-configuration simulator that `dnngen run --backend rtl` and `dnngen cosim`
// build (Verilator, cached) and hand the job to. Same command-line syntax as dnngen:
//   sim run   CONFIG --op gemm|conv2d --in ... --out ... [--param ...] [--json R]
//   sim cosim CONFIG (--in ... | --random --seed S --count N | --layer FILE:NAME)
//                    [--ready P] [--json R]
// A job larger than the buffers (a conv2d's im2col GEMM, a real layer) runs as several
// engine jobs whose results the host sums, as a driver would.
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include "sim_main.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/engine_model.hpp"
#include "dnngen/systolic/host_job.hpp"
#include "dnngen/systolic/random_job.hpp"
#include "dnngen/systolic/scoreboard.hpp"
#include "systolic_harness.hpp"

namespace dnngen {
namespace {

using Clock = std::chrono::steady_clock;

// Wall time spent simulating RTL (loading and running jobs), for the speed figure.
double g_rtl_seconds = 0;

systolic::RtlRun run_on_rtl(systolic::SystolicHarness& h, const config::SystolicConfig& cfg, const Tensor& a,
                            const Tensor& b, double ready_probability, uint64_t seed) {
  const systolic::GemmShape shape{a.shape[0], b.shape[1], a.shape[1]};
  const uint64_t expected = systolic::estimate(cfg, shape).cycles;
  const auto words = systolic::pack_operands(cfg, a, b);
  const auto t0 = Clock::now();
  h.load(words);
  auto run = h.run_job(shape, ready_probability, seed, testbench::timeout_for(expected, ready_probability));
  g_rtl_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  return run;
}

nlohmann::json base_report(const config::Config& cfg, const std::string& op, const std::string& backend) {
  return {{"engine", cfg.engine},
          {"config", cfg.name},
          {"dataflow", config::to_string(cfg.systolic.dataflow)},
          {"rows", cfg.systolic.rows},
          {"cols", cfg.systolic.cols},
          {"op", op},
          {"backend", backend}};
}

double utilization(const config::SystolicConfig& cfg, uint64_t macs, uint64_t cycles) {
  return static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.rows * cfg.cols);
}

uint64_t macs_of(const systolic::HostJob& job) {
  return static_cast<uint64_t>(job.a.shape[0]) * static_cast<uint64_t>(job.a.shape[1]) *
         static_cast<uint64_t>(job.b.shape[1]);
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  cli::check_bindings(cfg, opts);
  const auto job = systolic::host_job_from_inputs(cfg, opts);
  systolic::SystolicHarness h(cfg.systolic, opts.fst_path, opts.x_seed);
  h.set_input_gaps(opts.input_gap, opts.seed);
  Tensor gemm_out({job.a.shape[0], job.b.shape[1]});
  uint64_t cycles = 0;
  const auto& plan = job.plan;
  for (size_t i = 0; i < plan.slices.size(); ++i) {
    const auto rtl = run_on_rtl(h, cfg.systolic, plan.a_parts[i], plan.b_parts[i], 1.0, 0);
    if (!rtl.protocol_errors.empty()) {
      std::cerr << "dnngen run: RTL protocol error: " << rtl.protocol_errors.front() << "\n";
      return 1;
    }
    workload::accumulate_slice(cfg.systolic, plan.slices[i], rtl.c, gemm_out);
    cycles += rtl.counter_cycles;
  }
  output::OutputSet outputs;
  cli::add_result(outputs, cfg, opts, job.output_from_gemm(gemm_out));
  auto report = base_report(cfg, opts.op, "rtl");
  report["cycles"] = cycles;
  report["macs"] = macs_of(job);
  report["utilization"] = utilization(cfg.systolic, macs_of(job), cycles);
  report["jobs"] = plan.slices.size();
  report["gemm"] = {{"M", job.a.shape[0]}, {"N", job.b.shape[1]}, {"K", job.a.shape[1]}};
  report["sim_seconds"] = g_rtl_seconds;
  cli::add_json_report(outputs, opts.json_path, report);
  outputs.commit();
  fmt::print("rtl: {} {}: {} job(s), {} cycles, utilization {:.1f} % (compute only)\n", cfg.name,
             job.description, plan.slices.size(), cycles, 100.0 * report["utilization"].get<double>());
  return 0;
}

// The whole output assembled from the RTL's jobs must equal the independent golden
// reference (direct convolution, or the GEMM of the whole operands).
bool check_assembled(const systolic::HostJob& job, const Tensor& gemm_out, nlohmann::json& report) {
  if (job.golden_output.data.empty()) {
    report["output_check"] = "skipped: saturation applies per job when K is split";
    return true;
  }
  const Tensor out = job.output_from_gemm(gemm_out);
  uint64_t wrong = 0;
  for (size_t i = 0; i < out.data.size(); ++i) wrong += out.data[i] != job.golden_output.data[i];
  report["output_check"] = wrong == 0 ? "pass" : fmt::format("{} elements differ", wrong);
  fmt::print("{}: output {} assembled from {} RTL job(s) vs golden reference: {}\n", job.description,
             shape_string(out.shape), job.plan.slices.size(),
             wrong == 0 ? "equal" : fmt::format("{} elements differ", wrong));
  return wrong == 0;
}

// --bad-jobs N: N jobs with one size out of range (0 or its limit + 1, seeded), each of
// which the RTL must refuse; then the first job again, which must still be exact.
void refuse_bad_jobs(const config::SystolicConfig& cfg, const cli::JobOptions& opts,
                     systolic::SystolicHarness& h, const systolic::GemmJob& good, nlohmann::json& report,
                     testbench::CosimTotals& totals) {
  testbench::refuse_bad_jobs(
      opts,
      [&](std::mt19937_64& rng) {
        systolic::GemmShape s{1 + static_cast<int64_t>(rng() % cfg.max_m),
                              1 + static_cast<int64_t>(rng() % cfg.max_n),
                              1 + static_cast<int64_t>(rng() % cfg.max_k)};
        const unsigned field = static_cast<unsigned>(rng() % 3);
        const bool zero = rng() % 2 == 0;
        int64_t& v = field == 0 ? s.m : field == 1 ? s.n : s.k;
        v = zero ? 0 : int64_t{field == 0 ? cfg.max_m : field == 1 ? cfg.max_n : cfg.max_k} + 1;
        return std::make_pair(fmt::format("bad job M={} N={} K={}", s.m, s.n, s.k), h.refuse_job(s));
      },
      report, totals);
  const auto model = systolic::run_gemm(cfg, good.a, good.b);
  const auto rtl = run_on_rtl(h, cfg, good.a, good.b, 1.0, opts.seed);
  const auto v = systolic::score(model, rtl);
  report["after_refused_jobs"] = {{"pass", v.pass}, {"problems", v.problems}};
  if (!v.pass) ++totals.failed;
  testbench::print_job(opts, totals.jobs + opts.bad_jobs, good.label + " after the refused jobs",
                       v.model_cycles, v.rtl_cycles, rtl.stall_cycles, v.pass, v.problems);
}

int cosim_command(const config::Config& cfg, const cli::JobOptions& opts) {
  cli::check_bindings(cfg, opts);
  // Either independent random jobs, or the engine jobs of one host job.
  std::vector<systolic::GemmJob> jobs;
  systolic::HostJob host;
  const bool whole = !opts.random;
  if (whole) {
    host = opts.layer.empty() ? systolic::host_job_from_inputs(cfg, opts)
                              : systolic::host_job_from_layer(cfg, opts.layer, opts.seed);
    for (size_t i = 0; i < host.plan.slices.size(); ++i) {
      const auto& sl = host.plan.slices[i];
      jobs.push_back({fmt::format("rows {}+{} cols {}+{} k {}+{}", sl.m0, sl.m, sl.n0, sl.n, sl.k0, sl.k),
                      host.plan.a_parts[i], host.plan.b_parts[i]});
    }
  } else {
    for (uint64_t i = 0; i < opts.count; ++i)
      jobs.push_back(systolic::random_gemm_job(cfg.systolic, opts.seed, i));
  }
  const std::string replay = testbench::replay_command(opts);
  if (!opts.quiet)
    fmt::print("cosim {}: {} job(s), seed {}, consumer ready {:.2f}\n", cfg.name, jobs.size(), opts.seed,
               opts.ready_probability);

  systolic::SystolicHarness h(cfg.systolic, opts.fst_path, opts.x_seed);
  h.set_input_gaps(opts.input_gap, opts.seed);
  auto report = base_report(cfg, opts.op, "cosim");
  report["seed"] = opts.seed;
  report["jobs"] = nlohmann::json::array();
  testbench::CosimTotals totals;
  totals.jobs = jobs.size();
  Tensor gemm_out;
  if (whole) gemm_out = Tensor({host.a.shape[0], host.b.shape[1]});
  const auto t0 = Clock::now();
  std::mt19937_64 disturb(opts.seed ^ 0x5EED'0DD5ull);
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    const auto model = systolic::run_gemm(cfg.systolic, job.a, job.b);
    if (opts.resets) {  // a reset at a seeded point first; the job then runs from scratch
      const systolic::GemmShape shape{job.a.shape[0], job.b.shape[1], job.a.shape[1]};
      const auto words = systolic::pack_operands(cfg.systolic, job.a, job.b);
      const auto [point, at] = testbench::reset_point<systolic::SystolicHarness::ResetPoint>(
          i, 3, disturb, words.size(), model.timing.cycles);
      h.reset_at(point, words, shape, at);
    }
    const auto rtl =
        run_on_rtl(h, cfg.systolic, job.a, job.b, opts.ready_probability, opts.seed * 1000003u + i);
    const auto v = systolic::score(model, rtl);
    if (whole) workload::accumulate_slice(cfg.systolic, host.plan.slices[i], rtl.c, gemm_out);
    totals.failed += v.pass ? 0 : 1;
    totals.cycles_agree = totals.cycles_agree && v.rtl_cycles == v.model_cycles;
    totals.mismatches += v.value_mismatches;
    totals.cycles += v.model_cycles;
    totals.macs += model.timing.macs;
    report["jobs"].push_back({{"label", job.label},
                              {"M", job.a.shape[0]},
                              {"N", job.b.shape[1]},
                              {"K", job.a.shape[1]},
                              {"model_cycles", v.model_cycles},
                              {"rtl_cycles", v.rtl_cycles},
                              {"stall_cycles", rtl.stall_cycles},
                              {"utilization", model.timing.utilization},
                              {"mismatches", v.value_mismatches},
                              {"pass", v.pass},
                              {"problems", v.problems}});
    testbench::print_job(opts, i, job.label, v.model_cycles, v.rtl_cycles, rtl.stall_cycles, v.pass,
                         v.problems);
  }
  if (opts.bad_jobs > 0) refuse_bad_jobs(cfg.systolic, opts, h, jobs.front(), report, totals);
  totals.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (whole && !check_assembled(host, gemm_out, report)) ++totals.failed;
  totals.utilization = utilization(cfg.systolic, totals.macs, totals.cycles);
  totals.sim_cycles = h.sim_cycles();
  totals.sim_seconds = g_rtl_seconds;
  return testbench::finish_cosim(cfg, opts, totals, replay, report);
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "gemm", dnngen::run_command, dnngen::cosim_command);
}
