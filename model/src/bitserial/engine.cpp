// The bitserial engine's part of the dnngen front end (see dnngen/engine/engine.hpp):
// validate, run --backend model, and bench. The RTL backend and cosim run in the
// simulator built from testbench/bitserial/sim_main.cpp. The engine runs in the systolic
// shell (--shell): tools/engines.cpp routes those jobs to systolic/shell_run.hpp, which
// sits above this area.
#include "dnngen/bitserial/engine.hpp"

#include <fmt/format.h>

#include <iostream>

#include "dnngen/bitserial/bench.hpp"
#include "dnngen/bitserial/job.hpp"
#include "dnngen/bitserial/model.hpp"
#include "dnngen/common/output_dir.hpp"

namespace dnngen::bitserial {
namespace {

bool handles(const config::Config& cfg) { return cfg.engine == "bitserial"; }

std::string describe(const config::Config& cfg) {
  const auto& b = cfg.bitserial;
  std::string cycles = b.mode == config::BitserialMode::kStripes ? "p cycles per brick" : "1 cycle per brick";
  if (b.mode == config::BitserialMode::kPragmatic) {
    cycles = b.window_sync
                 ? "each window its lanes' max oneffsets per brick, up to a brick ahead of the slowest"
                 : "max oneffsets per brick group";
    if (b.two_stage_shift)
      cycles += fmt::format("; two-stage shifting, {}-bit first stage", b.first_stage_bits);
  }
  if (b.cascade)
    cycles +=
        fmt::format("; a job of one window (M = 1) spreads its bricks over the {} windows", b.tile_rows);
  return fmt::format(
      "  engine bitserial ({}: {}), tile {} windows x {} filters of SIPs, {} lanes per brick\n"
      "  activations {} up to {} bits, weights int{}, acc {} bits (wrap)\n"
      "  job limits M <= {}, N <= {}, K <= {}\n",
      config::to_string(b.mode), cycles, b.tile_rows, b.tile_cols, b.lanes,
      b.is_signed ? "signed" : "unsigned", b.input_bits, b.weight_bits, b.acc_bits, b.max_m, b.max_n,
      b.max_k);
}

void check_job(const config::Config& cfg, const cli::JobOptions& opts) { check_job_options(cfg, opts); }

int run_model(const config::Config& cfg, const cli::JobOptions& opts) {
  const Job job = load_job(cfg, opts);
  const Result r = run_gemm(cfg.bitserial, job.a, job.b, job.precision);
  output::OutputSet outputs;
  add_output(outputs, cfg, opts, r.c);
  cli::add_json_report(outputs, opts.json_path,
                       {{"engine", cfg.engine},
                        {"config", cfg.name},
                        {"mode", config::to_string(cfg.bitserial.mode)},
                        {"op", opts.op},
                        {"backend", "model"},
                        {"precision", to_string(job.precision)},
                        {"gemm", {{"M", job.a.shape[0]}, {"N", job.b.shape[1]}, {"K", job.a.shape[1]}}},
                        {"cycles", r.timing.cycles},
                        {"step_cycles", r.timing.step_cycles},
                        {"steps", r.timing.steps},
                        {"macs", r.timing.macs},
                        {"utilization", r.timing.utilization}});
  outputs.commit();
  fmt::print("model: {} gemm {}: {} cycles ({} brick steps), utilization {:.1f} % (compute only)\n", cfg.name,
             job.label, r.timing.cycles, r.timing.steps, 100.0 * r.timing.utilization);
  return 0;
}

int bench(const config::Config& cfg, const std::string& network, const std::string& json) {
  const auto b = bench_network(cfg.bitserial, network);
  std::cout << format_table(cfg.bitserial, b);
  auto report = to_json(cfg.bitserial, b);
  report["engine"] = cfg.engine;
  report["config"] = cfg.name;
  cli::write_json_report(json, report);
  return 0;
}

}  // namespace

const engine::Engine& engine() {
  static const engine::Engine e{"bitserial",
                                handles,
                                {"gemm"},
                                describe,
                                check_job,
                                run_model,
                                bench,
                                nullptr,
                                engine::no_array,
                                {{"dnn_bitserial_sip", "pe"}},
                                "bitserial",
                                engine::rtl_parameter_fields,
                                nullptr};  // tools/engines.cpp: systolic::bitserial_job_actions
  return e;
}

}  // namespace dnngen::bitserial
