// The row-stationary engine's part of the dnngen front end (see dnngen/cli/engine_cli.hpp):
// validate's description, job checks, golden-model runs and the network bench.
#include <iostream>

#include <fmt/format.h>

#include "dnngen/cli/engine_cli.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/row_stationary/rs_host.hpp"

namespace dnngen::rs {
namespace {

std::string describe(const config::Config& cfg) {
  const auto& s = cfg.row_stationary;
  const char* kind = s.is_signed ? "int" : "uint";
  return fmt::format(
      "  engine systolic (row_stationary), {} x {} PEs, {}{} x {}{} -> acc {} bits ({})\n"
      "  PE scratchpads: filter 2 x {} weights, ifmap {} entries (one row); psum buffer {} per column\n"
      "  job limits: R, S <= {}, W <= {}, C*H <= {} (ifmap_rows), K*ceil(C*R/{}) <= {} (filter_words)\n",
      s.rows, s.cols, kind, s.input_bits, kind, s.weight_bits, s.acc_bits, config::to_string(s.overflow),
      s.filter_spad, s.ifmap_spad, s.psum_spad, s.max_filter_size, s.ifmap_spad, s.ifmap_rows, s.rows,
      s.filter_words);
}

void check_job(const config::Config& cfg, const cli::JobOptions& opts) {
  check_rs_bindings(cfg, opts);
  if (!opts.inputs.empty()) job_from_inputs(cfg, opts);  // operands and limits, before a build
  if (!opts.layer.empty()) job_from_layer(cfg, opts.layer, opts.seed);
}

int run_model(const config::Config& cfg, const cli::JobOptions& opts) {
  const auto h = job_from_inputs(cfg, opts);
  const auto t = estimate(cfg.row_stationary, h.job);
  cli::write_result(cfg, opts, h.golden);
  cli::write_json_report(opts.json_path, {{"engine", cfg.engine},
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
  fmt::print("model: {} {}: {} passes, {} cycles, utilization {:.1f} %\n", cfg.name, h.label, t.passes,
             t.cycles, 100.0 * t.utilization);
  return 0;
}

int bench(const config::Config& cfg, const std::string& network, const std::string& json) {
  const auto rows = bench_network(cfg.row_stationary, network);
  std::cout << format_bench(cfg.row_stationary, rows);
  cli::write_json_report(json, bench_json(cfg, network, rows));
  return 0;
}

}  // namespace

const cli::EngineCli& engine_cli() {
  static const cli::EngineCli cli{{"conv2d"}, describe, check_job, run_model, bench};
  return cli;
}

}  // namespace dnngen::rs
