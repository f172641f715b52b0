// The row-stationary engine's part of the dnngen front end (see dnngen/engine/engine.hpp):
// validate's description, job checks, golden-model runs and the network bench. The RTL
// backend and cosim run in the simulator built from testbench/row_stationary/sim_main.cpp.
#include "dnngen/row_stationary/engine.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "dnngen/common/output_dir.hpp"
#include "dnngen/row_stationary/ring.hpp"
#include "dnngen/row_stationary/rs_host.hpp"

namespace dnngen::rs {
namespace {

bool handles(const config::Config& cfg) { return cfg.engine == "systolic" && cfg.systolic.row_stationary(); }

std::string describe(const config::Config& cfg) {
  const auto& s = cfg.row_stationary;
  const char* kind = s.is_signed ? "int" : "uint";
  return fmt::format(
      "  engine systolic (row_stationary), {} x {} PEs, {}{} x {}{} -> acc {} bits ({})\n"
      "  PE scratchpads: filter 2 x {} weights, ifmap {} x {} entries (one row a bank); psum buffer {} per "
      "column\n"
      "  job limits: R, S <= {}, W <= {}, {}\n",
      s.rows, s.cols, kind, s.input_bits, kind, s.weight_bits, s.acc_bits, config::to_string(s.overflow),
      s.filter_spad, s.ifmap_spad_banks, s.ifmap_spad, s.psum_spad, s.max_filter_size, s.ifmap_spad,
      s.ring_buffers ? fmt::format("C*H and K any (ring buffers of {} ifmap rows and {} filter words, "
                                   "streamed in, in read order)",
                                   s.ifmap_rows, s.filter_words)
                     : fmt::format("C*H <= {} (ifmap_rows), K*ceil(C*R/{}) <= {} (filter_words)",
                                   s.ifmap_rows, s.rows, s.filter_words));
}

void check_job(const config::Config& cfg, const cli::JobOptions& opts) {
  check_rs_bindings(cfg, opts);
  if (!opts.inputs.empty()) job_from_inputs(cfg, opts);  // operands and limits, before a build
  if (!opts.layer.empty()) job_from_layer(cfg, opts.layer, opts.seed);
}

int run_model(const config::Config& cfg, const cli::JobOptions& opts) {
  const auto h = job_from_inputs(cfg, opts);
  const auto t = job_timing(cfg.row_stationary, h.job);
  output::OutputSet outputs;
  cli::add_result(outputs, cfg, opts, h.golden);
  cli::add_json_report(outputs, opts.json_path,
                       {{"engine", cfg.engine},
                        {"config", cfg.name},
                        {"dataflow", "row_stationary"},
                        {"rows", cfg.systolic.rows},
                        {"cols", cfg.systolic.cols},
                        {"op", opts.op},
                        {"backend", "model"},
                        {"passes", t.passes},
                        {"cycles", t.cycles},
                        {"macs", t.macs},
                        {"utilization", t.utilization}});
  outputs.commit();
  fmt::print("model: {} {}: {} passes, {} cycles, utilization {:.1f} % ({})\n", cfg.name, h.label, t.passes,
             t.cycles, 100.0 * t.utilization, cycles_scope(cfg.row_stationary));
  return 0;
}

int bench(const config::Config& cfg, const std::string& network, const std::string& json) {
  const auto rows = bench_network(cfg.row_stationary, network);
  std::cout << format_bench(cfg.row_stationary, rows);
  cli::write_json_report(json, bench_json(cfg, network, rows));
  return 0;
}

// The totals of bench_network: its layers split into jobs that fit the scratchpads.
workload::NetworkEstimate network_estimate(const config::Config& cfg, const std::string& network) {
  workload::NetworkEstimate n;
  n.name = std::filesystem::path(network).stem().string();
  n.cfg = cfg.systolic;
  for (const auto& row : bench_network(cfg.row_stationary, network)) {
    n.jobs += row.jobs;
    n.macs += row.macs;
    n.cycles += row.cycles;
  }
  const double pes = static_cast<double>(cfg.systolic.rows) * cfg.systolic.cols;
  n.utilization = n.cycles == 0 ? 0.0 : static_cast<double>(n.macs) / (static_cast<double>(n.cycles) * pes);
  return n;
}

int64_t array_size(const config::Config& cfg) { return int64_t{cfg.systolic.rows} * cfg.systolic.cols; }

}  // namespace

const engine::Engine& engine() {
  static const engine::Engine e{"row_stationary",
                                handles,
                                {"conv2d"},
                                describe,
                                check_job,
                                run_model,
                                bench,
                                network_estimate,
                                array_size,
                                {{"dnn_systolic_mul", "pe"}, {"dnn_systolic_skew", "skew"}},
                                "row_stationary",
                                engine::systolic_section_fields,
                                [](const config::Config& cfg, const cli::JobOptions& opts) {
                                  return core_actions(cfg.row_stationary, job_from_inputs(cfg, opts).job);
                                }};
  return e;
}

}  // namespace dnngen::rs
