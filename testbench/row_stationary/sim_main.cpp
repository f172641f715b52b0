// The per-configuration simulator of the row-stationary engine that `dnngen run
// --backend rtl` and `dnngen cosim` build (Verilator, cached) and hand the job to:
//   sim run   CONFIG --op conv2d --in ifmap=.. --in weights=.. --out ofmap=.. [--param ..]
//   sim cosim CONFIG (--in .. | --random --seed S --count N | --layer FILE:NAME)
//                    [--ready P] [--json R]
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include "sim_main.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "rs_harness.hpp"

namespace dnngen::rs {
namespace {

using Clock = std::chrono::steady_clock;

nlohmann::json base_report(const config::Config& cfg, const std::string& backend) {
  return {{"engine", cfg.engine},
          {"config", cfg.name},
          {"dataflow", "row_stationary"},
          {"rows", cfg.row_stationary.rows},
          {"cols", cfg.row_stationary.cols},
          {"op", "conv2d"},
          {"backend", backend}};
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  check_rs_bindings(cfg, opts);
  const auto h = job_from_inputs(cfg, opts);
  RsHarness sim(cfg.row_stationary, opts.fst_path, opts.x_seed);
  sim.set_input_gaps(opts.input_gap, opts.seed);
  const auto t = estimate(cfg.row_stationary, h.job);
  sim.load(pack(cfg.row_stationary, h.ifmap, h.weights, h.job));
  const auto rtl = sim.run_job(h.job, 1.0, 0, testbench::timeout_for(t.cycles, 1.0));
  if (!rtl.protocol_errors.empty()) {
    std::cerr << "dnngen run: RTL protocol error: " << rtl.protocol_errors.front() << "\n";
    return 1;
  }
  output::OutputSet outputs;
  cli::add_result(outputs, cfg, opts, rtl.ofmap);
  auto report = base_report(cfg, "rtl");
  report["cycles"] = rtl.counter_cycles;
  report["macs"] = t.macs;
  report["utilization"] = static_cast<double>(t.macs) / (static_cast<double>(rtl.counter_cycles) *
                                                         cfg.row_stationary.rows * cfg.row_stationary.cols);
  cli::add_json_report(outputs, opts.json_path, report);
  outputs.commit();
  fmt::print("rtl: {} {}: {} cycles, utilization {:.1f} % (compute only)\n", cfg.name, h.label,
             rtl.counter_cycles, 100.0 * report["utilization"].get<double>());
  return 0;
}

int cosim_command(const config::Config& cfg, const cli::JobOptions& opts) {
  testbench::refuse_unimplemented(opts, "row-stationary");
  check_rs_bindings(cfg, opts);
  const auto jobs = jobs_of(cfg, opts);
  const std::string replay = testbench::replay_command(opts);
  if (!opts.quiet)
    fmt::print("cosim {}: {} job(s), seed {}, consumer ready {:.2f}\n", cfg.name, jobs.size(), opts.seed,
               opts.ready_probability);
  RsHarness sim(cfg.row_stationary, opts.fst_path, opts.x_seed);
  sim.set_input_gaps(opts.input_gap, opts.seed);
  auto report = base_report(cfg, "cosim");
  report["seed"] = opts.seed;
  report["jobs"] = nlohmann::json::array();
  const bool always_ready = opts.ready_probability >= 1.0;
  testbench::CosimTotals totals;
  totals.jobs = jobs.size();
  const auto t0 = Clock::now();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& h = jobs[i];
    const auto t = estimate(cfg.row_stationary, h.job);
    const auto s0 = Clock::now();
    sim.load(pack(cfg.row_stationary, h.ifmap, h.weights, h.job));
    const auto rtl = sim.run_job(h.job, opts.ready_probability, opts.seed * 1000003u + i,
                                 testbench::timeout_for(t.cycles, opts.ready_probability));
    totals.sim_seconds += std::chrono::duration<double>(Clock::now() - s0).count();
    const auto v = score(cfg.row_stationary, h.job, h.golden, rtl, always_ready);
    totals.failed += v.pass ? 0 : 1;
    totals.cycles_agree =
        totals.cycles_agree && v.rtl_cycles == v.model_cycles + (always_ready ? 0 : rtl.stall_cycles);
    totals.mismatches += v.value_mismatches;
    totals.cycles += v.model_cycles;
    totals.macs += t.macs;
    report["jobs"].push_back({{"label", h.label},
                              {"model_cycles", v.model_cycles},
                              {"rtl_cycles", v.rtl_cycles},
                              {"stall_cycles", rtl.stall_cycles},
                              {"passes", t.passes},
                              {"utilization", t.utilization},
                              {"mismatches", v.value_mismatches},
                              {"pass", v.pass},
                              {"problems", v.problems}});
    testbench::print_job(opts, i, h.label, v.model_cycles, v.rtl_cycles, rtl.stall_cycles, v.pass,
                         v.problems);
  }
  totals.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  totals.utilization = static_cast<double>(totals.macs) / (static_cast<double>(totals.cycles) *
                                                           cfg.row_stationary.rows * cfg.row_stationary.cols);
  totals.sim_cycles = sim.sim_cycles();
  return testbench::finish_cosim(cfg, opts, totals, replay, report);
}

}  // namespace
}  // namespace dnngen::rs

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "conv2d", dnngen::rs::run_command,
                                     dnngen::rs::cosim_command);
}
