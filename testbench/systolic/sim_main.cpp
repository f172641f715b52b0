// The per-configuration simulator that `dnngen run --backend rtl` and `dnngen cosim`
// build (Verilator, cached) and hand the job to. Same command-line syntax as dnngen:
//   sim run   CONFIG --in A=a.npy --in B=b.npy --out C=c.npy [--json R]
//   sim cosim CONFIG (--in A=.. --in B=.. | --random --seed S --count N) [--ready P] [--json R]
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/engine_model.hpp"
#include "dnngen/systolic/random_job.hpp"
#include "dnngen/systolic/scoreboard.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/golden/gemm.hpp"
#include "dnngen/workload/layer_jobs.hpp"
#include "systolic_harness.hpp"

namespace dnngen {
namespace {

using Clock = std::chrono::steady_clock;

// Wall time spent simulating RTL (loading and running jobs), for the speed figure.
double g_rtl_seconds = 0;

// Generous bound on a job's cycles: the model's count, stretched for backpressure.
uint64_t timeout_for(const systolic::GemmResult& model, double ready_probability) {
  return static_cast<uint64_t>(static_cast<double>(model.timing.cycles) * 4.0 / ready_probability) +
         10000;
}

systolic::RtlRun run_on_rtl(systolic::SystolicHarness& h, const config::SystolicConfig& cfg,
                            const Tensor& a, const Tensor& b, const systolic::GemmResult& model,
                            double ready_probability, uint64_t seed) {
  const auto words = systolic::pack_operands(cfg, a, b);
  const auto t0 = Clock::now();
  h.load(words);
  const systolic::GemmShape shape{a.shape[0], b.shape[1], a.shape[1]};
  auto run = h.run_job(shape, ready_probability, seed, timeout_for(model, ready_probability));
  g_rtl_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  return run;
}

nlohmann::json base_report(const config::Config& cfg, const std::string& backend) {
  return {{"engine", cfg.engine},
          {"config", cfg.name},
          {"dataflow", config::to_string(cfg.systolic.dataflow)},
          {"rows", cfg.systolic.rows},
          {"cols", cfg.systolic.cols},
          {"op", "gemm"},
          {"backend", backend}};
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  cli::check_bindings(cfg, opts);
  const auto ops = cli::load_gemm_operands(cfg, opts);
  // The model supplies the timeout and the shape checks; its result is not used here.
  const auto model = systolic::run_gemm(cfg.systolic, ops.a, ops.b);
  systolic::SystolicHarness h(cfg.systolic, opts.fst_path);
  const auto t0 = Clock::now();
  const auto rtl = run_on_rtl(h, cfg.systolic, ops.a, ops.b, model, 1.0, 0);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!rtl.protocol_errors.empty()) {
    std::cerr << "dnngen run: RTL protocol error: " << rtl.protocol_errors.front() << "\n";
    return 1;
  }
  cli::write_gemm_result(cfg, opts, rtl.c);
  auto report = base_report(cfg, "rtl");
  report["cycles"] = rtl.counter_cycles;
  report["macs"] = model.timing.macs;
  report["utilization"] = static_cast<double>(model.timing.macs) /
                          (static_cast<double>(rtl.counter_cycles) * cfg.systolic.rows * cfg.systolic.cols);
  report["shape"] = {{"M", ops.a.shape[0]}, {"N", ops.b.shape[1]}, {"K", ops.a.shape[1]}};
  report["sim_seconds"] = secs;
  cli::write_json_report(opts.json_path, report);
  fmt::print("rtl: {} M={} N={} K={}: {} cycles, utilization {:.1f} %\n", cfg.name, ops.a.shape[0],
             ops.b.shape[1], ops.a.shape[1], rtl.counter_cycles,
             100.0 * report["utilization"].get<double>());
  return 0;
}

// Host driver: adds one job's result into the layer's output (K-chunks sum on the
// host, in the accumulator's wrap-around arithmetic).
void accumulate_slice(const config::SystolicConfig& cfg, const workload::JobSlice& sl,
                      const Tensor& part, Tensor& whole) {
  for (int64_t i = 0; i < sl.m; ++i)
    for (int64_t j = 0; j < sl.n; ++j) {
      int64_t& v = whole.at(sl.m0 + i, sl.n0 + j);
      v = numerics::wrap_signed(v + part.at(i, j), cfg.acc_bits);
    }
}

// The assembled layer output must equal the golden GEMM of the whole, unsplit layer
// (with wrapping accumulators; saturation is applied per job, so a split K differs).
bool check_layer_result(const config::SystolicConfig& cfg, const workload::LayerOperands& ops,
                        const Tensor& assembled, nlohmann::json& report) {
  const bool k_split = ops.a.shape[1] > static_cast<int64_t>(cfg.max_k);
  if (cfg.overflow == config::Overflow::kSaturate && k_split) {
    report["layer_check"] = "skipped: saturation applies per job when K is split";
    return true;
  }
  auto whole = cfg;  // the reference has no job-size limits
  whole.max_m = static_cast<unsigned>(ops.a.shape[0]);
  whole.max_n = static_cast<unsigned>(ops.b.shape[1]);
  whole.max_k = static_cast<unsigned>(ops.a.shape[1]);
  const Tensor expected = golden::gemm(whole, ops.a, ops.b);
  uint64_t wrong = 0;
  for (size_t i = 0; i < expected.data.size(); ++i) wrong += expected.data[i] != assembled.data[i];
  report["layer_check"] = wrong == 0 ? "pass" : fmt::format("{} elements differ", wrong);
  fmt::print("layer output ({} x {}) assembled from {} RTL jobs vs golden GEMM of the whole layer: {}\n",
             expected.shape[0], expected.shape[1], report["jobs"].size(),
             wrong == 0 ? "equal" : fmt::format("{} elements differ", wrong));
  return wrong == 0;
}

int cosim_command(const config::Config& cfg, const cli::JobOptions& opts, const std::string& self) {
  cli::check_bindings(cfg, opts);
  std::vector<systolic::GemmJob> jobs;
  std::vector<workload::JobSlice> slices;  // --layer: where each job's result goes
  workload::LayerOperands layer_ops;
  if (!opts.layer.empty()) {
    const auto layer = workload::find_layer(opts.layer);
    layer_ops = workload::make_layer_operands(cfg.systolic, layer, opts.seed);
    const systolic::GemmShape shape{layer_ops.a.shape[0], layer_ops.b.shape[1], layer_ops.a.shape[1]};
    slices = workload::split_into_jobs(cfg.systolic, shape);
    for (const auto& sl : slices)
      jobs.push_back({fmt::format("{} rows {}+{} cols {}+{} k {}+{}", layer.name, sl.m0, sl.m, sl.n0,
                                  sl.n, sl.k0, sl.k),
                      workload::slice(layer_ops.a, sl.m0, sl.k0, sl.m, sl.k),
                      workload::slice(layer_ops.b, sl.k0, sl.n0, sl.k, sl.n)});
  } else if (opts.random) {
    for (uint64_t i = 0; i < opts.count; ++i)
      jobs.push_back(systolic::random_gemm_job(cfg.systolic, opts.seed, i));
  } else {
    const auto ops = cli::load_gemm_operands(cfg, opts);
    jobs.push_back({"given job", ops.a, ops.b});
  }
  std::string replay = fmt::format("dnngen cosim {}", opts.config_path);
  if (!opts.layer.empty()) replay += fmt::format(" --layer {} --seed {}", opts.layer, opts.seed);
  else if (opts.random) replay += fmt::format(" --random --seed {} --count {}", opts.seed, opts.count);
  else replay += fmt::format(" --in A={} --in B={}", opts.inputs.at("A"), opts.inputs.at("B"));
  if (opts.ready_probability < 1.0) replay += fmt::format(" --ready {}", opts.ready_probability);
  if (!opts.quiet)
    fmt::print("cosim {}: {} job(s), seed {}, consumer ready {:.2f}\n", cfg.name, jobs.size(),
               opts.seed, opts.ready_probability);

  systolic::SystolicHarness h(cfg.systolic, opts.fst_path);
  auto report = base_report(cfg, "cosim");
  report["seed"] = opts.seed;
  report["jobs"] = nlohmann::json::array();
  uint64_t failed = 0, mismatches = 0, total_cycles = 0, total_macs = 0;
  bool cycles_agree = true;
  Tensor assembled;  // --layer: the whole layer's output, summed from the RTL's jobs
  if (!slices.empty()) assembled = Tensor({layer_ops.a.shape[0], layer_ops.b.shape[1]});
  const auto t0 = Clock::now();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    const auto model = systolic::run_gemm(cfg.systolic, job.a, job.b);
    const auto rtl = run_on_rtl(h, cfg.systolic, job.a, job.b, model, opts.ready_probability,
                                opts.seed * 1000003u + i);
    const auto v = systolic::score(model, rtl);
    if (!slices.empty()) accumulate_slice(cfg.systolic, slices[i], rtl.c, assembled);
    failed += v.pass ? 0 : 1;
    cycles_agree = cycles_agree && v.rtl_cycles == v.model_cycles;
    mismatches += v.value_mismatches;
    total_cycles += v.model_cycles;
    total_macs += model.timing.macs;
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
    if (!opts.quiet || !v.pass)
      fmt::print("  [{}] {}: cycles model {} rtl {}{} -> {}\n", i, job.label, v.model_cycles,
                 v.rtl_cycles, rtl.stall_cycles ? fmt::format(" (+{} stalls)", rtl.stall_cycles) : "",
                 v.pass ? "ok" : "MISMATCH");
    for (const auto& p : v.problems) fmt::print("      {}\n", p);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!slices.empty()) failed += check_layer_result(cfg.systolic, layer_ops, assembled, report) ? 0 : 1;
  const bool pass = failed == 0;
  report["pass"] = pass;
  report["failed_jobs"] = failed;
  report["cycles_agree"] = cycles_agree;
  report["mismatches"] = mismatches;
  report["cycles"] = total_cycles;
  report["macs"] = total_macs;
  report["utilization"] = static_cast<double>(total_macs) /
                          (static_cast<double>(total_cycles) * cfg.systolic.rows * cfg.systolic.cols);
  report["sim_cycles"] = h.sim_cycles();
  report["wall_seconds"] = secs;
  report["sim_seconds"] = g_rtl_seconds;
  report["sim_cycles_per_second"] =
      g_rtl_seconds > 0 ? static_cast<double>(h.sim_cycles()) / g_rtl_seconds : 0.0;
  report["replay"] = replay;
  cli::write_json_report(opts.json_path, report);
  fmt::print("cosim {}: {} / {} jobs pass, {} value mismatches, cycles model==RTL on every job: {} "
             "({:.2f} M sim cycles/s)\n",
             cfg.name, jobs.size() - failed, jobs.size(), mismatches, cycles_agree ? "yes" : "NO",
             report["sim_cycles_per_second"].get<double>() / 1e6);
  if (!pass) fmt::print("replay: {}\n", replay);
  (void)self;
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  using namespace dnngen;
  try {
    if (argc < 2) throw InputError("usage: sim run|cosim CONFIG [options]");
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    const auto opts = cli::parse_job_options(command, args);
    if (opts.config_path == "--help") {
      std::cout << cli::job_usage(command);
      return 0;
    }
    const auto cfg = config::load_config(opts.config_path);
    if (command == "run") return run_command(cfg, opts);
    return cosim_command(cfg, opts, argv[0]);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
