// The per-configuration simulator of the row-stationary engine that `dnngen run
// --backend rtl` and `dnngen cosim` build (Verilator, cached) and hand the job to:
//   sim run   CONFIG --op conv2d --in ifmap=.. --in weights=.. --out ofmap=.. [--param ..]
//   sim cosim CONFIG (--in .. | --random --seed S --count N | --layer FILE:NAME)
//                    [--ready P] [--json R]
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "rs_harness.hpp"

namespace dnngen::rs {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t timeout_for(uint64_t cycles, double ready) {
  return static_cast<uint64_t>(static_cast<double>(cycles) * 4.0 / ready) + 10000;
}

nlohmann::json base_report(const config::Config& cfg, const std::string& backend) {
  return {{"engine", cfg.engine},   {"config", cfg.name},       {"dataflow", "row_stationary"},
          {"rows", cfg.systolic.rows}, {"cols", cfg.systolic.cols}, {"op", "conv2d"},
          {"backend", backend}};
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  check_rs_bindings(cfg, opts);
  const auto h = job_from_inputs(cfg, opts);
  RsHarness sim(cfg.systolic, opts.fst_path);
  const auto t = estimate(cfg.systolic, h.job);
  sim.load(pack(cfg.systolic, h.ifmap, h.weights, h.job));
  const auto rtl = sim.run_job(h.job, 1.0, 0, timeout_for(t.cycles, 1.0));
  if (!rtl.protocol_errors.empty()) {
    std::cerr << "dnngen run: RTL protocol error: " << rtl.protocol_errors.front() << "\n";
    return 1;
  }
  cli::write_result(cfg, opts, rtl.ofmap);
  auto report = base_report(cfg, "rtl");
  report["cycles"] = rtl.counter_cycles;
  report["macs"] = t.macs;
  report["utilization"] =
      static_cast<double>(t.macs) / (static_cast<double>(rtl.counter_cycles) * cfg.systolic.rows * cfg.systolic.cols);
  cli::write_json_report(opts.json_path, report);
  fmt::print("rtl: {} {}: {} cycles, utilization {:.1f} %\n", cfg.name, h.label, rtl.counter_cycles,
             100.0 * report["utilization"].get<double>());
  return 0;
}

int cosim_command(const config::Config& cfg, const cli::JobOptions& opts) {
  check_rs_bindings(cfg, opts);
  const auto jobs = jobs_of(cfg, opts);
  const std::string replay = replay_command(opts);
  if (!opts.quiet)
    fmt::print("cosim {}: {} job(s), seed {}, consumer ready {:.2f}\n", cfg.name, jobs.size(), opts.seed,
               opts.ready_probability);
  RsHarness sim(cfg.systolic, opts.fst_path);
  auto report = base_report(cfg, "cosim");
  report["seed"] = opts.seed;
  report["jobs"] = nlohmann::json::array();
  const bool always_ready = opts.ready_probability >= 1.0;
  uint64_t failed = 0, mismatches = 0, cycles = 0, macs = 0;
  bool cycles_agree = true;
  double sim_seconds = 0;
  const auto t0 = Clock::now();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& h = jobs[i];
    const auto t = estimate(cfg.systolic, h.job);
    const auto s0 = Clock::now();
    sim.load(pack(cfg.systolic, h.ifmap, h.weights, h.job));
    const auto rtl = sim.run_job(h.job, opts.ready_probability, opts.seed * 1000003u + i,
                                 timeout_for(t.cycles, opts.ready_probability));
    sim_seconds += std::chrono::duration<double>(Clock::now() - s0).count();
    const auto v = score(cfg.systolic, h.job, h.golden, rtl, always_ready);
    failed += v.pass ? 0 : 1;
    cycles_agree = cycles_agree && v.rtl_cycles == v.model_cycles + (always_ready ? 0 : rtl.stall_cycles);
    mismatches += v.value_mismatches;
    cycles += v.model_cycles;
    macs += t.macs;
    report["jobs"].push_back({{"label", h.label},
                              {"model_cycles", v.model_cycles},
                              {"rtl_cycles", v.rtl_cycles},
                              {"stall_cycles", rtl.stall_cycles},
                              {"passes", t.passes},
                              {"utilization", t.utilization},
                              {"mismatches", v.value_mismatches},
                              {"pass", v.pass},
                              {"problems", v.problems}});
    if (!opts.quiet || !v.pass)
      fmt::print("  [{}] {}: cycles model {} rtl {}{} -> {}\n", i, h.label, v.model_cycles, v.rtl_cycles,
                 rtl.stall_cycles ? fmt::format(" (+{} stalls)", rtl.stall_cycles) : "",
                 v.pass ? "ok" : "MISMATCH");
    for (const auto& p : v.problems) fmt::print("      {}\n", p);
  }
  const bool pass = failed == 0;
  report["pass"] = pass;
  report["failed_jobs"] = failed;
  report["cycles_agree"] = cycles_agree;
  report["mismatches"] = mismatches;
  report["cycles"] = cycles;
  report["macs"] = macs;
  report["utilization"] =
      static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.systolic.rows * cfg.systolic.cols);
  report["sim_cycles"] = sim.sim_cycles();
  report["wall_seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();
  report["sim_seconds"] = sim_seconds;
  report["sim_cycles_per_second"] = sim_seconds > 0 ? static_cast<double>(sim.sim_cycles()) / sim_seconds : 0.0;
  report["replay"] = replay;
  cli::write_json_report(opts.json_path, report);
  fmt::print("cosim {}: {} / {} jobs pass, {} value mismatches, cycles model==RTL on every job: {} "
             "({:.2f} M sim cycles/s)\n",
             cfg.name, jobs.size() - std::min<uint64_t>(failed, jobs.size()), jobs.size(), mismatches,
             cycles_agree ? "yes" : "NO", report["sim_cycles_per_second"].get<double>() / 1e6);
  if (!pass) fmt::print("replay: {}\n", replay);
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace dnngen::rs

int main(int argc, char** argv) {
  using namespace dnngen;
  try {
    if (argc < 2) throw InputError("usage: sim run|cosim CONFIG [options]");
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    auto opts = cli::parse_job_options(command, args);
    if (opts.config_path == "--help") {
      std::cout << cli::job_usage(command);
      return 0;
    }
    if (!opts.op_given) opts.op = "conv2d";
    const auto cfg = config::load_config(opts.config_path);
    if (command == "run") return rs::run_command(cfg, opts);
    return rs::cosim_command(cfg, opts);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
