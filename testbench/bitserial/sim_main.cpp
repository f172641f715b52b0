// The per-configuration simulator of the bit-serial engine that `dnngen run --backend
// rtl` and `dnngen cosim` build (Verilator, cached) and hand the job to:
//   sim run   CONFIG --op gemm --in A=.. --in B=.. --out C=.. [--param precision=P|auto] [--json R]
//   sim cosim CONFIG (--in A=.. --in B=.. | --random --seed S --count N) [--param precision=..]
//                    [--ready P] [--json R]
// cosim checks every job three ways: RTL == model (values and cycles), model == the
// exact product. Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include "sim_main.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bitserial_harness.hpp"
#include "dnngen/bitserial/job.hpp"
#include "dnngen/bitserial/model.hpp"
#include "dnngen/bitserial/packing.hpp"
#include "dnngen/bitserial/random_job.hpp"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen {
namespace {

using Clock = std::chrono::steady_clock;
using namespace bitserial;

double g_rtl_seconds = 0;  // wall time spent simulating, for the speed figure

RtlRun run_on_rtl(BitserialHarness& h, const config::BitserialConfig& cfg, const Job& job,
                  uint64_t model_cycles, double ready_probability, uint64_t seed) {
  const GemmShape shape{job.a.shape[0], job.b.shape[1], job.a.shape[1]};
  const auto t0 = Clock::now();
  h.load(pack_operands(cfg, job.a, job.b));
  auto run = h.run_job(shape, job.precision, ready_probability, seed,
                       testbench::timeout_for(model_cycles, ready_probability));
  g_rtl_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  return run;
}

nlohmann::json base_report(const config::Config& cfg, const std::string& op, const std::string& backend) {
  const auto& b = cfg.bitserial;
  return {{"engine", cfg.engine},
          {"config", cfg.name},
          {"mode", config::to_string(b.mode)},
          {"lanes", b.lanes},
          {"tile_rows", b.tile_rows},
          {"tile_cols", b.tile_cols},
          {"op", op},
          {"backend", backend}};
}

// dnngen hands this simulator bitserial configurations only; one run by hand may get another.
void check_options(const config::Config& cfg, const cli::JobOptions& opts) {
  if (cfg.engine != "bitserial")
    throw InputError(opts.config_path + ": this simulator runs engine bitserial");
  check_job_options(cfg, opts);
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  check_options(cfg, opts);
  const Job job = load_job(cfg, opts);
  const auto model = run_gemm(cfg.bitserial, job.a, job.b, job.precision);
  BitserialHarness h(cfg.bitserial, opts.fst_path, opts.x_seed);
  h.set_input_gaps(opts.input_gap, opts.seed);
  const auto rtl = run_on_rtl(h, cfg.bitserial, job, model.timing.cycles, 1.0, 0);
  if (!rtl.protocol_errors.empty()) {
    std::cerr << "dnngen run: RTL protocol error: " << rtl.protocol_errors.front() << "\n";
    return 1;
  }
  output::OutputSet outputs;
  add_output(outputs, cfg, opts, rtl.c);
  auto report = base_report(cfg, opts.op, "rtl");
  report["precision"] = to_string(job.precision);
  report["gemm"] = {{"M", job.a.shape[0]}, {"N", job.b.shape[1]}, {"K", job.a.shape[1]}};
  report["cycles"] = rtl.counter_cycles;
  report["macs"] = model.timing.macs;
  report["utilization"] = utilization(cfg.bitserial, model.timing.macs, rtl.counter_cycles);
  report["sim_seconds"] = g_rtl_seconds;
  cli::add_json_report(outputs, opts.json_path, report);
  outputs.commit();
  fmt::print("rtl: {} gemm {}: {} cycles, utilization {:.1f} % (compute only)\n", cfg.name, job.label,
             rtl.counter_cycles, 100.0 * report["utilization"].get<double>());
  return 0;
}

int cosim_command(const config::Config& cfg, const cli::JobOptions& opts) {
  check_options(cfg, opts);
  const auto& bcfg = cfg.bitserial;
  std::vector<Job> jobs;
  if (opts.random) {
    for (uint64_t i = 0; i < opts.count; ++i)
      jobs.push_back(random_job(bcfg, opts.seed, i, precision_param(opts)));
  } else {
    jobs.push_back(load_job(cfg, opts));
  }
  const std::string replay = testbench::replay_command(opts);
  const bool always_ready = opts.ready_probability >= 1.0;
  if (!opts.quiet)
    fmt::print("cosim {}: {} job(s), seed {}, consumer ready {:.2f}\n", cfg.name, jobs.size(), opts.seed,
               opts.ready_probability);

  BitserialHarness h(bcfg, opts.fst_path, opts.x_seed);
  h.set_input_gaps(opts.input_gap, opts.seed);
  auto report = base_report(cfg, opts.op, "cosim");
  report["seed"] = opts.seed;
  report["jobs"] = nlohmann::json::array();
  testbench::CosimTotals totals;
  totals.jobs = jobs.size();
  const auto t0 = Clock::now();
  std::mt19937_64 disturb(opts.seed ^ 0x5EED'0DD5ull);
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    const auto model = run_gemm(bcfg, job.a, job.b, job.precision);
    if (opts.resets) {  // a reset at a seeded point first; the job then runs from scratch
      const GemmShape shape{job.a.shape[0], job.b.shape[1], job.a.shape[1]};
      const auto words = pack_operands(bcfg, job.a, job.b);
      const auto [point, at] = testbench::reset_point<BitserialHarness::ResetPoint>(
          i, 3, disturb, words.size(), model.timing.cycles);
      h.reset_at(point, words, shape, job.precision, at);
    }
    const auto rtl =
        run_on_rtl(h, bcfg, job, model.timing.cycles, opts.ready_probability, opts.seed * 1000003u + i);
    auto v = score(model, rtl, always_ready);
    // The bit-serial arithmetic must equal the bit-parallel product.
    const Tensor exact = reference_gemm(bcfg, job.a, job.b);
    if (exact.data != model.c.data) {
      v.pass = false;
      v.problems.push_back("model differs from the exact product");
    }
    totals.failed += v.pass ? 0 : 1;
    // With backpressure the RTL may only be slower than the model (checked by score()).
    const bool cycles_ok = always_ready ? rtl.measured_cycles == model.timing.cycles
                                        : rtl.measured_cycles >= model.timing.cycles;
    totals.cycles_agree = totals.cycles_agree && cycles_ok;
    totals.mismatches += v.value_mismatches;
    totals.cycles += model.timing.cycles;
    totals.macs += model.timing.macs;
    report["jobs"].push_back({{"label", job.label},
                              {"M", job.a.shape[0]},
                              {"N", job.b.shape[1]},
                              {"K", job.a.shape[1]},
                              {"precision", to_string(job.precision)},
                              {"model_cycles", model.timing.cycles},
                              {"rtl_cycles", rtl.measured_cycles},
                              {"stall_cycles", rtl.stall_cycles},
                              {"utilization", model.timing.utilization},
                              {"mismatches", v.value_mismatches},
                              {"pass", v.pass},
                              {"problems", v.problems}});
    testbench::print_job(opts, i, job.label, model.timing.cycles, rtl.measured_cycles, rtl.stall_cycles,
                         v.pass, v.problems);
  }
  if (opts.bad_jobs > 0) {
    // Sizes outside 1..max or a fixed precision outside 1..input_bits, each refused; then
    // the first job again.
    testbench::refuse_bad_jobs(
        opts,
        [&](std::mt19937_64& rng) {
          GemmShape s{1 + static_cast<int64_t>(rng() % bcfg.max_m),
                      1 + static_cast<int64_t>(rng() % bcfg.max_n),
                      1 + static_cast<int64_t>(rng() % bcfg.max_k)};
          Precision p;
          p.bits = bcfg.input_bits;
          const unsigned field = static_cast<unsigned>(rng() % 4);
          const bool zero = rng() % 2 == 0;
          if (field == 3) {
            p.bits = zero ? 0 : bcfg.input_bits + 1;
          } else {
            int64_t& v = field == 0 ? s.m : field == 1 ? s.n : s.k;
            v = zero ? 0 : int64_t{field == 0 ? bcfg.max_m : field == 1 ? bcfg.max_n : bcfg.max_k} + 1;
          }
          return std::make_pair(fmt::format("bad job M={} N={} K={} precision {}", s.m, s.n, s.k, p.bits),
                                h.refuse_job(s, p));
        },
        report, totals);
    const auto& good = jobs.front();
    const auto model = run_gemm(bcfg, good.a, good.b, good.precision);
    const auto rtl = run_on_rtl(h, bcfg, good, model.timing.cycles, 1.0, opts.seed);
    const auto v = score(model, rtl, true);
    report["after_refused_jobs"] = {{"pass", v.pass}, {"problems", v.problems}};
    if (!v.pass) ++totals.failed;
    testbench::print_job(opts, totals.jobs + opts.bad_jobs, good.label + " after the refused jobs",
                         model.timing.cycles, rtl.measured_cycles, rtl.stall_cycles, v.pass, v.problems);
  }
  totals.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  totals.utilization = utilization(bcfg, totals.macs, totals.cycles);
  totals.sim_cycles = h.sim_cycles();
  totals.sim_seconds = g_rtl_seconds;
  return testbench::finish_cosim(cfg, opts, totals, replay, report, always_ready ? "==" : "<=");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "gemm", dnngen::run_command, dnngen::cosim_command);
}
