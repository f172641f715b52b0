#pragma once
// What the engines' simulators (testbench/<engine>/sim_main.cpp) share: the command line
// and exit status, the job timeout, and the per-job lines, totals and summary of cosim.
// One copy keeps the simulators' reports alike, so `dnngen cosim`, the tests and scripts
// read every engine's output the same way.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "verilated_dut.hpp"

namespace dnngen::testbench {

// Generous bound on a job's cycles: the model's count, stretched for backpressure.
inline uint64_t timeout_for(uint64_t model_cycles, double ready_probability) {
  return static_cast<uint64_t>(static_cast<double>(model_cycles) * 4.0 / ready_probability) + 10000;
}

// The dnngen command that reproduces this cosim run, printed when it fails.
inline std::string replay_command(const cli::JobOptions& opts) {
  std::string r = fmt::format("dnngen cosim {} --op {}", opts.config_path, opts.op);
  if (!opts.layer.empty())
    r += fmt::format(" --layer {} --seed {}", opts.layer, opts.seed);
  else if (opts.random)
    r += fmt::format(" --random --seed {} --count {}", opts.seed, opts.count);
  for (const auto& [name, path] : opts.inputs) r += fmt::format(" --in {}={}", name, path);
  for (const auto& [key, value] : opts.params) r += fmt::format(" --param {}={}", key, value);
  if (opts.ready_probability < 1.0) r += fmt::format(" --ready {}", opts.ready_probability);
  if (opts.input_gap > 0.0) r += fmt::format(" --gaps {}", opts.input_gap);
  if (opts.x_seed != 0) r += fmt::format(" --x-seed {}", opts.x_seed);
  if (opts.resets) r += " --resets";
  if (opts.bad_jobs != 0) r += fmt::format(" --bad-jobs {}", opts.bad_jobs);
  return r;
}

// One cosim job's line (every job, or with --quiet only failing ones) and its problems.
inline void print_job(const cli::JobOptions& opts, std::size_t i, const std::string& label,
                      uint64_t model_cycles, uint64_t rtl_cycles, uint64_t stall_cycles, bool pass,
                      const std::vector<std::string>& problems) {
  if (!opts.quiet || !pass)
    fmt::print("  [{}] {}: cycles model {} rtl {}{} -> {}\n", i, label, model_cycles, rtl_cycles,
               stall_cycles ? fmt::format(" (+{} stalls)", stall_cycles) : "", pass ? "ok" : "MISMATCH");
  for (const auto& p : problems) fmt::print("      {}\n", p);
}

// What a cosim run adds up over its jobs.
struct CosimTotals {
  uint64_t jobs = 0;
  uint64_t failed = 0;      // failing jobs (systolic: plus one when the assembled output differs)
  uint64_t mismatches = 0;  // output values
  uint64_t cycles = 0;      // the model's
  uint64_t macs = 0;
  bool cycles_agree = true;
  double utilization = 0;   // each engine defines its own
  uint64_t sim_cycles = 0;  // the harness's clock edges
  double wall_seconds = 0;  // the whole job loop
  double sim_seconds = 0;   // of which loading and running RTL
};

// The end of every cosim: totals into the JSON report (written to --json), the summary
// line, and on failure the replay command. `relation` is how RTL cycles must compare with
// the model's ("<=" where backpressure may only slow the RTL down). Returns the exit status.
inline int finish_cosim(const config::Config& cfg, const cli::JobOptions& opts, const CosimTotals& t,
                        const std::string& replay, nlohmann::json& report,
                        const std::string& relation = "==") {
  const uint64_t assertions = rtl_assertion_count();
  const bool pass = t.failed == 0 && assertions == 0;
  report["rtl_assertions"] = assertions;
  if (assertions > 0)
    fmt::print("cosim {}: {} RTL assertion(s) fired (messages above): the run fails\n", cfg.name, assertions);
  const double rate = t.sim_seconds > 0 ? static_cast<double>(t.sim_cycles) / t.sim_seconds : 0.0;
  report["pass"] = pass;
  report["failed_jobs"] = t.failed;
  report["cycles_agree"] = t.cycles_agree;
  report["mismatches"] = t.mismatches;
  report["cycles"] = t.cycles;
  report["macs"] = t.macs;
  report["utilization"] = t.utilization;
  report["sim_cycles"] = t.sim_cycles;
  report["wall_seconds"] = t.wall_seconds;
  report["sim_seconds"] = t.sim_seconds;
  report["sim_cycles_per_second"] = rate;
  report["replay"] = replay;
  cli::write_json_report(opts.json_path, report);
  fmt::print(
      "cosim {}: {} / {} jobs pass, {} value mismatches, cycles model{}RTL on every job: {} "
      "({:.2f} M sim cycles/s)\n",
      cfg.name, t.jobs - std::min(t.failed, t.jobs), t.jobs, t.mismatches, relation,
      t.cycles_agree ? "yes" : "NO", rate / 1e6);
  if (!pass) fmt::print("replay: {}\n", replay);
  return pass ? 0 : 1;
}

// --bad-jobs N: presents N out-of-range jobs that the RTL must refuse (`refuse(rng)` makes
// the next one from the seeded generator, presents it and returns its label and problems),
// reporting each under "refused_jobs"; the caller then runs a good job again.
template <class Refuse>
void refuse_bad_jobs(const cli::JobOptions& opts, Refuse refuse, nlohmann::json& report,
                     CosimTotals& totals) {
  std::mt19937_64 rng(opts.seed ^ 0xBAD'10B5ull);
  report["refused_jobs"] = nlohmann::json::array();
  for (uint64_t i = 0; i < opts.bad_jobs; ++i) {
    const auto [label, problems] = refuse(rng);
    report["refused_jobs"].push_back({{"label", label}, {"pass", problems.empty()}, {"problems", problems}});
    if (!problems.empty()) ++totals.failed;
    print_job(opts, totals.jobs + i, label + " refused", 0, 0, 0, problems.empty(), problems);
  }
}

// The reset point of job i of a --resets run (mid-load, mid-job, output stalled; engines
// without a result stream use the first two) and the seeded distance into it: up to all
// `words` of the load, or up to half the job's `cycles`.
template <class ResetPoint>
std::pair<ResetPoint, uint64_t> reset_point(std::size_t i, unsigned points, std::mt19937_64& rng,
                                            uint64_t words, uint64_t cycles) {
  const auto point = static_cast<ResetPoint>(i % points);
  return {point, rng() % (point == ResetPoint::kMidLoad ? words + 1 : cycles / 2 + 1)};
}

using Command = int (*)(const config::Config& cfg, const cli::JobOptions& opts);
// `sim serve CONFIG [--seed N]`: a simulator that serves requests on stdin until EOF (the
// shell simulators', testbench/shell/shell_serve.hpp). Returns the exit status.
using ServeCommand = int (*)(const config::Config& cfg, uint64_t seed);

// The CONFIG and --seed N (default 1) of `sim serve`.
inline std::pair<std::string, uint64_t> parse_serve_options(const std::vector<std::string>& args) {
  std::string config_path;
  uint64_t seed = 1;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string value;
    if (args[i] == "--seed" && i + 1 < args.size())
      value = args[++i];
    else if (args[i].rfind("--seed=", 0) == 0)
      value = args[i].substr(7);
    else if (config_path.empty() && args[i].rfind("-", 0) != 0) {
      config_path = args[i];
      continue;
    } else {
      throw InputError("serve: unexpected argument '" + args[i] + "' (usage: sim serve CONFIG [--seed N])");
    }
    if (value.empty() || value.size() > 19 || value.find_first_not_of("0123456789") != std::string::npos)
      throw InputError("serve: --seed " + value + ": expected a non-negative integer below 10^19");
    seed = std::stoull(value);
  }
  if (config_path.empty()) throw InputError("serve: missing CONFIG (usage: sim serve CONFIG [--seed N])");
  return {config_path, seed};
}

// A simulator's main: `sim run|cosim CONFIG [options]`, the same syntax as dnngen, with
// `default_op` when --op is not given; and `sim serve CONFIG [--seed N]` where the simulator
// passes `serve` (without it, serve is an unknown command). Exit status: 0 ok, 1 mismatch or
// failure, 2 bad input.
inline int sim_main(int argc, char** argv, const std::string& default_op, Command run, Command cosim,
                    ServeCommand serve = nullptr) {
  abort_on_rtl_assertion() = false;  // count RTL assertions; fail the run instead of aborting
  try {
    if (argc < 2)
      throw InputError(serve ? "usage: sim run|cosim|serve CONFIG [options]"
                             : "usage: sim run|cosim CONFIG [options]");
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "serve" && serve != nullptr) {
      const auto [config_path, seed] = parse_serve_options(args);
      return serve(config::load_config(config_path), seed);
    }
    auto opts = cli::parse_job_options(command, args);
    if (opts.config_path == "--help") {
      std::cout << cli::job_usage(command);
      return 0;
    }
    if (!opts.op_given) opts.op = default_op;
    const auto cfg = config::load_config(opts.config_path);
    if (command == "run") {
      const int rc = run(cfg, opts);
      if (rtl_assertion_count() == 0) return rc;
      std::cerr << "error: " << rtl_assertion_count() << " RTL assertion(s) fired (messages above)\n";
      return 1;
    }
    return cosim(cfg, opts);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace dnngen::testbench
