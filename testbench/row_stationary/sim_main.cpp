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
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>

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
  const auto t = job_timing(cfg.row_stationary, h.job, {opts.input_gap, 0});  // run_job's seed 0
  sim.load(h.job, pack(cfg.row_stationary, h.ifmap, h.weights, h.job));
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
  fmt::print("rtl: {} {}: {} cycles, utilization {:.1f} % ({})\n", cfg.name, h.label, rtl.counter_cycles,
             100.0 * report["utilization"].get<double>(), cycles_scope(cfg.row_stationary));
  return 0;
}

// --bad-jobs N: the first job's fields with one of them out of range (0, or past the limit
// the RTL checks), each of which the RTL must refuse; then the first job again, exact.
void refuse_bad_jobs(const config::RowStationaryConfig& cfg, const cli::JobOptions& opts, RsHarness& sim,
                     const HostJob& good, nlohmann::json& report, testbench::CosimTotals& totals) {
  testbench::refuse_bad_jobs(
      opts,
      [&](std::mt19937_64& rng) {
        RsHarness::JobFields f = sim.fields(good.job);
        int64_t* all[] = {&f.c, &f.h, &f.w, &f.k, &f.r, &f.s, &f.stride, &f.e, &f.f, &f.kg};
        switch (rng() % 6) {
          case 0:
            f.r = cfg.max_filter_size + 1;
            break;
          case 1:
            f.w = cfg.ifmap_spad + 1;
            break;
          case 2:
            if (cfg.ring_buffers)
              f.s = cfg.max_filter_size + 1;  // (a ring holds any C*H)
            else
              f.h = cfg.ifmap_rows / f.c + 1;  // C*H rows past the ifmap buffer
            break;
          case 3:
            f.kg = cfg.psum_spad / f.f + 1;  // psum rows past the psum buffer
            break;
          default:
            *all[rng() % std::size(all)] = 0;
            break;
        }
        return std::make_pair(
            fmt::format("bad job C={} H={} W={} K={} R={} S={} stride={} E={} F={} groups of {}", f.c, f.h,
                        f.w, f.k, f.r, f.s, f.stride, f.e, f.f, f.kg),
            sim.refuse_job(f));
      },
      report, totals);
  sim.load(good.job, pack(cfg, good.ifmap, good.weights, good.job));
  const auto t = job_timing(cfg, good.job, {opts.input_gap, opts.seed});
  const auto rtl = sim.run_job(good.job, 1.0, opts.seed, testbench::timeout_for(t.cycles, 1.0));
  const auto v = score(cfg, good.job, good.golden, rtl, true);
  report["after_refused_jobs"] = {{"pass", v.pass}, {"problems", v.problems}};
  if (!v.pass) ++totals.failed;
  testbench::print_job(opts, totals.jobs + opts.bad_jobs, good.label + " after the refused jobs",
                       v.model_cycles, v.rtl_cycles, rtl.stall_cycles, v.pass, v.problems);
}

int cosim_command(const config::Config& cfg, const cli::JobOptions& opts) {
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
  std::mt19937_64 disturb(opts.seed ^ 0x5EED'0DD5ull);
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& h = jobs[i];
    const uint64_t job_seed = opts.seed * 1000003u + i;
    const auto t = job_timing(cfg.row_stationary, h.job, {opts.input_gap, job_seed});
    const auto s0 = Clock::now();
    const auto words = pack(cfg.row_stationary, h.ifmap, h.weights, h.job);
    if (opts.resets) {  // a reset at a seeded point first; the job then runs from scratch
      const auto [point, at] =
          testbench::reset_point<RsHarness::ResetPoint>(i, 3, disturb, words.size(), t.cycles);
      sim.reset_at(point, words, h.job, at);
    }
    sim.load(h.job, words);
    const auto rtl = sim.run_job(h.job, opts.ready_probability, job_seed,
                                 testbench::timeout_for(t.cycles, opts.ready_probability));
    totals.sim_seconds += std::chrono::duration<double>(Clock::now() - s0).count();
    const auto v = score(cfg.row_stationary, h.job, h.golden, rtl, always_ready);
    totals.failed += v.pass ? 0 : 1;
    totals.cycles_agree = totals.cycles_agree && v.cycles_agree;
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
  if (opts.bad_jobs > 0) refuse_bad_jobs(cfg.row_stationary, opts, sim, jobs.front(), report, totals);
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
