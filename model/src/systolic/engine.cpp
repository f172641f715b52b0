// The systolic weight/output-stationary engine's part of the dnngen front end (see
// dnngen/engine/engine.hpp): validate's summary, job checks, golden-model runs through
// the host driver (conv2d lowered by im2col, jobs split to fit the buffers) and the
// closed-form network estimate. The RTL backend and cosim run in the simulator built
// from testbench/systolic/sim_main.cpp.
#include "dnngen/systolic/engine.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/systolic/energy_actions.hpp"
#include "dnngen/systolic/host_job.hpp"
#include "dnngen/systolic/network_estimate.hpp"
#include "dnngen/systolic/shell_run.hpp"

namespace dnngen::systolic {
namespace {

bool handles(const config::Config& cfg) { return cfg.engine == "systolic" && !cfg.systolic.row_stationary(); }

std::string describe(const config::Config& cfg) {
  const auto& s = cfg.systolic;
  const char* kind = s.is_signed ? "int" : "uint";
  return fmt::format(
      "  engine {} ({}), {} x {} PEs, {}{} x {}{} -> acc {} bits ({})\n"
      "  job limits M <= {}, N <= {}, K <= {}\n",
      cfg.engine, config::to_string(s.dataflow), s.rows, s.cols, kind, s.input_bits, kind, s.weight_bits,
      s.acc_bits, config::to_string(s.overflow), s.max_m, s.max_n, s.max_k);
}

void check_job(const config::Config& cfg, const cli::JobOptions& opts) {
  cli::check_bindings(cfg, opts);
  if (opts.inputs.empty()) return;
  if (opts.shell)
    shell_run(cfg, opts);  // the shell's own checks: any size its descriptor takes
  else
    check_job_inputs(cfg, opts);
}

int run_model(const config::Config& cfg, const cli::JobOptions& opts) {
  if (opts.shell) return run_model_through_shell(cfg, opts);
  const auto job = host_job_from_inputs(cfg, opts);
  const uint64_t cycles = model_cycles(cfg.systolic, job);
  const uint64_t macs = static_cast<uint64_t>(job.a.shape[0]) * static_cast<uint64_t>(job.a.shape[1]) *
                        static_cast<uint64_t>(job.b.shape[1]);
  const double utilization =
      static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.systolic.rows * cfg.systolic.cols);
  output::OutputSet outputs;
  cli::add_result(outputs, cfg, opts, job.golden_output);
  cli::add_json_report(outputs, opts.json_path,
                       {{"engine", cfg.engine},
                        {"config", cfg.name},
                        {"dataflow", config::to_string(cfg.systolic.dataflow)},
                        {"rows", cfg.systolic.rows},
                        {"cols", cfg.systolic.cols},
                        {"op", opts.op},
                        {"backend", "model"},
                        {"gemm", {{"M", job.a.shape[0]}, {"N", job.b.shape[1]}, {"K", job.a.shape[1]}}},
                        {"jobs", job.plan.slices.size()},
                        {"cycles", cycles},
                        {"macs", macs},
                        {"utilization", utilization}});
  outputs.commit();
  fmt::print("model: {} {}: {} job(s), {} cycles, utilization {:.1f} % (compute only)\n", cfg.name,
             job.description, job.plan.slices.size(), cycles, 100.0 * utilization);
  return 0;
}

// Every layer lowered to GEMMs (im2col) and split into jobs; named after the file.
workload::NetworkEstimate network_estimate(const config::Config& cfg, const std::string& network) {
  return systolic::estimate_network(cfg.systolic, workload::load_network(network),
                                    std::filesystem::path(network).stem().string(), &cfg.memory);
}

int bench(const config::Config& cfg, const std::string& network, const std::string& json) {
  const auto estimate = network_estimate(cfg, network);
  const config::EnergyTable table = config::load_energy_table();
  std::cout << workload::format_table(estimate, &table);
  nlohmann::json report = workload::to_json(estimate, &table);
  report["engine"] = cfg.engine;
  report["config"] = cfg.name;
  report["network"] = network;
  cli::write_json_report(json, report);
  return 0;
}

int64_t array_size(const config::Config& cfg) { return int64_t{cfg.systolic.rows} * cfg.systolic.cols; }

// The job's GEMM (a conv2d lowered by im2col, as the host runs it) on the kernel.
energy::Actions job_actions(const config::Config& cfg, const cli::JobOptions& opts) {
  const auto job = host_job_from_inputs(cfg, opts);
  return gemm_actions(kernel_params(cfg.systolic), static_cast<uint64_t>(job.a.shape[0]),
                      static_cast<uint64_t>(job.b.shape[1]), static_cast<uint64_t>(job.a.shape[1]), false);
}

}  // namespace

const engine::Engine& engine() {
  static const engine::Engine e{"systolic",
                                handles,
                                {"gemm", "conv2d"},
                                describe,
                                check_job,
                                run_model,
                                bench,
                                network_estimate,
                                array_size,
                                {{"dnn_systolic_mul", "pe"}, {"dnn_systolic_skew", "skew"}},
                                "systolic",
                                engine::systolic_section_fields,
                                job_actions};
  return e;
}

}  // namespace dnngen::systolic
