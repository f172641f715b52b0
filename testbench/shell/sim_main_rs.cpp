// The simulator behind `dnngen run --op conv2d --shell --backend rtl` on the row-stationary
// engine: the whole convolution runs as one conv2d descriptor (OP.CHW) through the shell's
// registers (dnn_shell_rs), with the ifmap rows (c, y) and the KCRS weights in a memory image
// behind its AXI4 master (the configuration's `memory:` section) and the ofmap's rows (k, e)
// of raw int32 sums written back by its DMA.
//
// The run is checked before anything is written: the memory image after the layer must
// equal the golden model's (rs::run_layer) byte for byte, and every counter (CYCLES_TOTAL,
// CYCLES_COMPUTE, CYCLES_MEM_WAIT, BYTES_READ, BYTES_WRITTEN) the cycle model's
// (rs::layer_cycles). Built by tools/sim_builder.cpp with -DTB_DataBits=N.
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include <fmt/format.h>

#include <chrono>
#include <string>
#include <vector>

#include "Vdnn_shell_rs.h"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "dnngen/row_stationary/shell_run.hpp"
#include "shell_sim_check.hpp"
#include "shell_systolic_bench.hpp"
#include "sim_main.hpp"

namespace dnngen {
namespace {

using Top = Vdnn_shell_rs;
using Bench = shell::ShellSystolicBench<Top, TB_DataBits>;

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  rs::check_rs_bindings(cfg, opts);
  const rs::ShellRun g = rs::shell_run(cfg, opts);
  const shell::LayerDescriptor& d = g.descriptor;

  const testbench::AxiMemoryTiming t = shell::memory_timing(g, opts.seed);
  Bench bench(t, opts.seed, g.memory.size(), opts.fst_path, opts.x_seed);
  bench.memory() = g.memory;
  std::vector<uint8_t> want = g.memory;
  rs::run_layer(g.params, d, want);
  const rs::ShellTiming model = rs::layer_cycles(g.params, d, g.latency, g.bytes_per_cycle);

  bench.load_descriptor(d);
  const uint64_t watchdog = 2 * model.cycles + 100'000;
  const auto t0 = std::chrono::steady_clock::now();
  const shell::LayerRun r = bench.run(0, watchdog);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const std::vector<std::string> problems =
      shell::run_problems(r, watchdog, bench.memory(), want, shell::counters_of(model));
  if (!problems.empty()) {
    for (const auto& problem : problems) fmt::print(stderr, "dnngen run: shell RTL vs model: {}\n", problem);
    return 1;
  }

  const rs::ShellTiming rtl = shell::with_rtl_counters(model, r);
  output::OutputSet outputs;
  cli::add_result(outputs, cfg, opts, rs::shell_run_result(g, bench.memory()));
  shell::add_rtl_report(outputs, opts.json_path, rs::shell_run_report(cfg, g, rtl, "rtl"), seconds);
  outputs.commit();
  fmt::print("{}", rs::shell_run_summary(cfg, g, rtl, "rtl"));
  fmt::print("rtl: the memory image equals the golden model's and every counter the cycle model's\n");
  return 0;
}

int cosim_command(const config::Config&, const cli::JobOptions&) {
  throw InputError(
      "cosim runs on the kernel top; the shell is co-simulated by the ctests shell_rs_* (docs/shell.md)");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "conv2d", dnngen::run_command, dnngen::cosim_command);
}
