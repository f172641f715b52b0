// The simulator behind `dnngen run --op gemm|conv2d --shell --backend rtl` for an engine
// in dnn_shell_systolic (the systolic array, or the bit-serial engine: gemm): the whole GEMM or convolution
// runs as one layer descriptor through the shell's registers, with its tensors in a memory image behind its
// AXI4 master (the configuration's `memory:` section: latency, bytes per cycle, bus width,
// bursts). No host tiling, im2col or partial-sum addition: the shell walks the tiles,
// gathers the convolution windows and sums K on chip, so a saturating configuration
// saturates the exact sum once.
//
// The run is checked before anything is written: the memory image after the layer must
// equal the golden model's (systolic::run_layer) byte for byte, and every counter
// (CYCLES_TOTAL, CYCLES_COMPUTE, CYCLES_MEM_WAIT, BYTES_READ, BYTES_WRITTEN) the cycle
// model's (systolic::layer_cycles). Built by tools/sim_builder.cpp with -DTB_DataBits=N.
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include "sim_main.hpp"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "Vdnn_shell_systolic.h"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/shell_run.hpp"
#include "shell_sim_check.hpp"
#include "shell_systolic_bench.hpp"

namespace dnngen {
namespace {

using Top = Vdnn_shell_systolic;
using Bench = shell::ShellSystolicBench<Top, TB_DataBits>;

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  systolic::check_shell_options(cfg, opts);
  if (opts.op != "gemm" && opts.op != "conv2d")
    throw InputError(fmt::format("--op {}: the shell simulator runs gemm and conv2d layers", opts.op));
  const systolic::ShellRun g = systolic::shell_run(cfg, opts);
  const shell::LayerDescriptor& d = g.descriptor;

  const testbench::AxiMemoryTiming t = shell::memory_timing(g, opts.seed);
  Bench bench(t, opts.seed, g.memory.size(), opts.fst_path, opts.x_seed);
  bench.memory() = g.memory;
  std::vector<uint8_t> want = g.memory;
  systolic::run_layer(g.params, d, want);
  const systolic::LayerTiming model =
      systolic::layer_cycles(g.params, d, g.memory, g.latency, g.bytes_per_cycle);

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

  const systolic::LayerTiming rtl = shell::with_rtl_counters(model, r);
  output::OutputSet outputs;
  systolic::add_shell_result(outputs, cfg, opts, systolic::shell_run_result(g, bench.memory()));
  shell::add_rtl_report(outputs, opts.json_path, systolic::shell_run_report(cfg, g, rtl, "rtl"), seconds);
  outputs.commit();
  fmt::print("{}", systolic::shell_run_summary(cfg, g, rtl, "rtl"));
  fmt::print("rtl: the memory image equals the golden model's and every counter the cycle model's\n");
  return 0;
}

int cosim_command(const config::Config&, const cli::JobOptions&) {
  throw InputError(
      "cosim runs on the kernel top; the shell is co-simulated by the ctests shell_systolic_* "
      "(docs/shell.md)");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "gemm", dnngen::run_command, dnngen::cosim_command);
}
