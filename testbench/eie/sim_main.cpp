// The per-configuration EIE simulator that `dnngen run --backend rtl` and `dnngen cosim`
// build and hand the job to (same syntax as dnngen):
//   sim run   CONFIG --op spmv --in codebook=C[,C2..] --in w_idx=W[,W2..] --in x=X --out y=Y [--json R]
//   sim cosim CONFIG (--in ... | --random --seed S --count N) [--json R]
// A chain of layers runs as one job per layer; the activation files swap in the engine.
// cosim compares every layer's output and cycle count with the golden model.
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include "sim_main.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/bench.hpp"
#include "dnngen/eie/job.hpp"
#include "dnngen/io/npy.hpp"
#include "eie_harness.hpp"

namespace dnngen {
namespace {

using Clock = std::chrono::steady_clock;
double g_rtl_seconds = 0;

struct ChainRun {
  std::vector<std::vector<int64_t>> outputs;
  std::vector<eie::RtlLayerRun> layers;
};

ChainRun run_on_rtl(eie::EieHarness& h, const config::EieConfig& cfg, const eie::Chain& chain,
                    const std::vector<uint64_t>& expected_cycles) {
  const auto prog = eie::build_program(cfg, chain);
  ChainRun run;
  const auto t0 = Clock::now();
  h.load(prog.image);
  for (size_t l = 0; l < prog.layers.size(); ++l) {
    h.load(prog.layers[l].codebook);
    const uint64_t timeout = (l < expected_cycles.size() ? expected_cycles[l] * 4 : 1000000) + 10000;
    run.layers.push_back(h.run_layer(prog.layers[l], timeout));
    run.outputs.push_back(h.read_activations(prog.layers[l].rows));
  }
  g_rtl_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  return run;
}

nlohmann::json base_report(const config::Config& cfg, const std::string& backend) {
  return {{"engine", cfg.engine}, {"config", cfg.name},
          {"pes", cfg.eie.pes},   {"fifo_depth", cfg.eie.fifo_depth},
          {"op", "spmv"},         {"backend", backend}};
}

double utilization(const config::EieConfig& cfg, uint64_t macs, uint64_t cycles) {
  return cycles == 0 ? 0.0 : static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.pes);
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  eie::check_job_options(opts);
  const auto chain = eie::load_chain(cfg.eie, opts);
  const auto model = eie::run_chain(cfg.eie, chain);  // for the macs and the timeout only
  std::vector<uint64_t> expected;
  for (const auto& t : model.timing) expected.push_back(t.cycles);
  eie::EieHarness h(cfg.eie, opts.fst_path, opts.x_seed);
  h.set_input_gaps(opts.input_gap, opts.seed);
  const auto rtl = run_on_rtl(h, cfg.eie, chain, expected);
  uint64_t cycles = 0;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : rtl.layers) {
    if (!l.protocol_errors.empty()) {
      std::cerr << "dnngen run: RTL protocol error: " << l.protocol_errors.front() << "\n";
      return 1;
    }
    cycles += l.counter_cycles;
    layers.push_back({{"cycles", l.counter_cycles}});
  }
  Tensor y({static_cast<int64_t>(rtl.outputs.back().size())});
  y.data = rtl.outputs.back();
  output::OutputSet outputs;
  outputs.add(opts.outputs.at("y"), io::npy_bytes(opts.outputs.at("y"), y, io::DType::kInt16), "--out y");
  auto report = base_report(cfg, "rtl");
  report["layers"] = layers;
  report["cycles"] = cycles;
  report["macs"] = model.useful_macs();
  report["utilization"] = utilization(cfg.eie, model.useful_macs(), cycles);
  report["sim_seconds"] = g_rtl_seconds;
  cli::add_json_report(outputs, opts.json_path, report);
  outputs.commit();
  fmt::print(
      "rtl: {} {} layer(s): {} cycles (compute only), {} useful MACs, load-balance efficiency {:.1f} %\n",
      cfg.name, rtl.layers.size(), cycles, model.useful_macs(), 100.0 * report["utilization"].get<double>());
  return 0;
}

int cosim_command(const config::Config& cfg, const cli::JobOptions& opts) {
  eie::check_job_options(opts);
  std::vector<eie::Chain> chains;
  if (opts.random) {
    for (uint64_t i = 0; i < opts.count; ++i) chains.push_back(eie::random_chain(cfg.eie, opts.seed, i));
  } else if (!opts.layer.empty()) {
    // A benchmark layer at its densities, scaled down to fit the configured SRAMs.
    const auto colon = opts.layer.rfind(':');
    for (const auto& l : eie::load_bench_layers(opts.layer.substr(0, colon)))
      if (l.name == opts.layer.substr(colon + 1)) chains.push_back(eie::scaled_chain(cfg.eie, l, opts.seed));
    if (chains.empty()) throw InputError("--layer " + opts.layer + ": no such layer");
  } else {
    chains.push_back(eie::load_chain(cfg.eie, opts));
  }
  const std::string replay = testbench::replay_command(opts);
  if (!opts.quiet) fmt::print("cosim {}: {} job(s), seed {}\n", cfg.name, chains.size(), opts.seed);
  eie::EieHarness h(cfg.eie, opts.fst_path, opts.x_seed);
  h.set_input_gaps(opts.input_gap, opts.seed);
  auto report = base_report(cfg, "cosim");
  report["seed"] = opts.seed;
  report["jobs"] = nlohmann::json::array();
  testbench::CosimTotals totals;
  totals.jobs = chains.size();
  const auto t0 = Clock::now();
  std::mt19937_64 disturb(opts.seed ^ 0x5EED'0DD5ull);
  for (size_t i = 0; i < chains.size(); ++i) {
    const auto& chain = chains[i];
    const auto model = eie::run_chain(cfg.eie, chain);
    std::vector<uint64_t> expected;
    for (const auto& t : model.timing) expected.push_back(t.cycles);
    if (opts.resets) {  // a reset at a seeded point of the first layer; the chain then runs from scratch
      const auto prog = eie::build_program(cfg.eie, chain);
      const auto [point, at] = testbench::reset_point<eie::EieHarness::ResetPoint>(
          i, 2, disturb, prog.image.size(), model.timing.front().cycles);
      h.reset_at(point, prog, at);
    }
    const auto rtl = run_on_rtl(h, cfg.eie, chain, expected);
    std::vector<std::string> problems;
    uint64_t wrong = 0;
    nlohmann::json layers = nlohmann::json::array();
    for (size_t l = 0; l < chain.layers.size(); ++l) {
      const auto& r = rtl.layers[l];
      for (const auto& e : r.protocol_errors) problems.push_back(fmt::format("layer {}: {}", l, e));
      const uint64_t mc = model.timing[l].cycles;
      if (r.counter_cycles != mc || r.measured_cycles != mc) {
        totals.cycles_agree = false;
        problems.push_back(fmt::format("layer {}: cycles model {} rtl counter {} measured {}", l, mc,
                                       r.counter_cycles, r.measured_cycles));
      }
      uint64_t layer_wrong = 0;
      for (size_t k = 0; k < model.outputs[l].size(); ++k) {
        if (model.outputs[l][k] == rtl.outputs[l][k]) continue;
        if (layer_wrong++ < 3)
          problems.push_back(
              fmt::format("layer {} y[{}]: model {} rtl {}", l, k, model.outputs[l][k], rtl.outputs[l][k]));
      }
      wrong += layer_wrong;
      layers.push_back({{"M", chain.layers[l].w_idx.shape[0]},
                        {"N", chain.layers[l].w_idx.shape[1]},
                        {"model_cycles", mc},
                        {"rtl_cycles", r.counter_cycles},
                        {"useful_macs", model.timing[l].useful_macs},
                        {"stall_cycles", model.timing[l].stall_cycles},
                        {"mismatches", layer_wrong}});
    }
    const bool pass = problems.empty();
    totals.failed += pass ? 0 : 1;
    totals.mismatches += wrong;
    totals.cycles += model.cycles();
    totals.macs += model.useful_macs();
    report["jobs"].push_back(
        {{"label", chain.label}, {"layers", layers}, {"pass", pass}, {"problems", problems}});
    uint64_t rtl_cycles = 0;
    for (const auto& l : rtl.layers) rtl_cycles += l.counter_cycles;
    // No result port, so no backpressure and no stalls to show.
    testbench::print_job(opts, i, chain.label, model.cycles(), rtl_cycles, 0, pass, problems);
  }
  if (opts.bad_jobs > 0) {
    // Layers outside 1..max_rows x 1..max_cols, each refused; then the first chain again.
    testbench::refuse_bad_jobs(
        opts,
        [&](std::mt19937_64& rng) {
          int64_t rows = 1 + static_cast<int64_t>(rng() % cfg.eie.max_rows);
          int64_t cols = 1 + static_cast<int64_t>(rng() % cfg.eie.max_cols);
          const bool zero = rng() % 2 == 0;
          if (rng() % 2 == 0)
            rows = zero ? 0 : int64_t{cfg.eie.max_rows} + 1;
          else
            cols = zero ? 0 : int64_t{cfg.eie.max_cols} + 1;
          return std::make_pair(fmt::format("bad layer M={} N={}", rows, cols), h.refuse_job(rows, cols, 0));
        },
        report, totals);
    const auto model = eie::run_chain(cfg.eie, chains.front());
    std::vector<uint64_t> expected;
    for (const auto& t : model.timing) expected.push_back(t.cycles);
    const auto rtl = run_on_rtl(h, cfg.eie, chains.front(), expected);
    std::vector<std::string> problems;
    uint64_t rtl_cycles = 0;
    for (size_t l = 0; l < rtl.layers.size(); ++l) {
      rtl_cycles += rtl.layers[l].counter_cycles;
      for (const auto& e : rtl.layers[l].protocol_errors)
        problems.push_back(fmt::format("layer {}: {}", l, e));
      if (rtl.outputs[l] != model.outputs[l] || rtl.layers[l].counter_cycles != model.timing[l].cycles)
        problems.push_back(fmt::format("layer {}: outputs or cycles differ from the model", l));
    }
    report["after_refused_jobs"] = {{"pass", problems.empty()}, {"problems", problems}};
    if (!problems.empty()) ++totals.failed;
    testbench::print_job(opts, totals.jobs + opts.bad_jobs, chains.front().label + " after the refused jobs",
                         model.cycles(), rtl_cycles, 0, problems.empty(), problems);
  }
  totals.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  totals.utilization = utilization(cfg.eie, totals.macs, totals.cycles);
  totals.sim_cycles = h.sim_cycles();
  totals.sim_seconds = g_rtl_seconds;
  return testbench::finish_cosim(cfg, opts, totals, replay, report);
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "spmv", dnngen::run_command, dnngen::cosim_command);
}
