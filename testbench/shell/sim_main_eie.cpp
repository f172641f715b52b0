// The simulator behind `dnngen run --op spmv --shell --backend rtl` on EIE: each layer of
// the chain runs as one spmv descriptor through the shell's registers (a batch of input
// vectors per descriptor), with the weight images, codebooks and activations in a memory
// image behind its AXI4 master (the configuration's `memory:` section). Layer l writes its
// activations where layer l+1 reads them; the host does nothing between layers but START.
//
// Each layer is checked before anything is written: the memory image after it must equal
// the golden model's (eie::run_layer) byte for byte, and every counter the cycle model's
// (eie::layer_cycles). Built by tools/sim_builder.cpp with -DTB_DataBits=N.
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
#include <fmt/format.h>

#include <chrono>
#include <string>
#include <vector>

#include "Vdnn_shell_eie.h"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/job.hpp"
#include "dnngen/eie/shell_run.hpp"
#include "dnngen/io/npy.hpp"
#include "shell_sim_check.hpp"
#include "shell_systolic_bench.hpp"
#include "sim_main.hpp"

namespace dnngen {
namespace {

using Top = Vdnn_shell_eie;
using Bench = shell::ShellSystolicBench<Top, TB_DataBits>;

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  eie::check_job_options(opts);
  const eie::ShellRun g = eie::shell_run(cfg, opts);

  const testbench::AxiMemoryTiming t = shell::memory_timing(g, opts.seed);
  Bench bench(t, opts.seed, g.memory.size(), opts.fst_path, opts.x_seed);
  bench.memory() = g.memory;
  std::vector<uint8_t> want = g.memory;

  std::vector<eie::ShellTiming> rtl;
  double seconds = 0;
  for (size_t l = 0; l < g.layers.size(); ++l) {
    const shell::LayerDescriptor& d = g.layers[l];
    const eie::ShellTiming model = eie::layer_cycles(g.params, d, want, g.latency, g.bytes_per_cycle);
    eie::run_layer(g.params, d, want);
    bench.load_descriptor(d);
    const uint64_t watchdog = 2 * model.cycles + 100'000;
    const auto t0 = std::chrono::steady_clock::now();
    const shell::LayerRun r = bench.run(0, watchdog);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::vector<std::string> problems =
        shell::run_problems(r, watchdog, bench.memory(), want, shell::counters_of(model));
    if (!problems.empty()) {
      for (const auto& problem : problems)
        fmt::print(stderr, "dnngen run: shell RTL vs model, layer {}: {}\n", l, problem);
      return 1;
    }
    rtl.push_back(shell::with_rtl_counters(model, r));
  }

  output::OutputSet outputs;
  const std::string& path = opts.outputs.at("y");
  outputs.add(path, io::npy_bytes(path, eie::shell_run_result(g, bench.memory()), io::DType::kInt16),
              "--out y");
  shell::add_rtl_report(outputs, opts.json_path, eie::shell_run_report(cfg, g, rtl, "rtl"), seconds);
  outputs.commit();
  fmt::print("{}", eie::shell_run_summary(cfg, g, rtl, "rtl"));
  fmt::print(
      "rtl: after every layer the memory image equals the golden model's and every counter the cycle "
      "model's\n");
  return 0;
}

int cosim_command(const config::Config&, const cli::JobOptions&) {
  throw InputError(
      "cosim runs on the kernel top; the shell is co-simulated by the ctests shell_eie_* (docs/shell.md)");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "spmv", dnngen::run_command, dnngen::cosim_command);
}
