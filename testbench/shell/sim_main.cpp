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
//
// `sim serve CONFIG [--seed N]` keeps one simulator for many layers: the protocol and the
// serve loop are shell_serve.hpp's (shared with the EIE shell's simulator); a request's
// descriptors are checked as check_descriptor checks them, each run checked as `run` checks
// its layer.
#include "sim_main.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "Vdnn_shell_systolic.h"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_run.hpp"
#include "shell_serve.hpp"
#include "shell_sim_check.hpp"
#include "shell_systolic_bench.hpp"

namespace dnngen {
namespace {

using Top = Vdnn_shell_systolic;
using Bench = shell::ShellSystolicBench<Top, TB_DataBits>;

using CheckedLayer = shell::CheckedLayer<systolic::LayerTiming>;

// One descriptor on the RTL, checked as `run` and `serve` check every layer. `want` holds the
// golden model's memory image before the layer (the bench's equals it when every layer
// before ran right) and after it on return; the cycle model runs on the image before.
// `g`: the shell's parameters and the memory its cycles assume (its own layer is not used).
CheckedLayer run_checked_layer(Bench& bench, const systolic::ShellRun& g, const shell::LayerDescriptor& d,
                               std::vector<uint8_t>& want) {
  const systolic::LayerTiming model = systolic::layer_cycles(g.params, d, want, g.latency, g.bytes_per_cycle);
  systolic::run_layer(g.params, d, want);
  return shell::run_checked(bench, d, model, want);
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  systolic::check_shell_options(cfg, opts);
  if (opts.op != "gemm" && opts.op != "conv2d")
    throw InputError(fmt::format("--op {}: the shell simulator runs gemm and conv2d layers", opts.op));
  const systolic::ShellRun g = systolic::shell_run(cfg, opts);

  const testbench::AxiMemoryTiming t = shell::memory_timing(g, opts.seed);
  Bench bench(t, opts.seed, g.memory.size(), opts.fst_path, opts.x_seed);
  bench.memory() = g.memory;
  std::vector<uint8_t> want = g.memory;
  const CheckedLayer c = run_checked_layer(bench, g, g.descriptor, want);
  if (!c.problems.empty()) {
    for (const auto& problem : c.problems)
      fmt::print(stderr, "dnngen run: shell RTL vs model: {}\n", problem);
    return 1;
  }

  const systolic::LayerTiming rtl = shell::with_rtl_counters(c.model, c.rtl);
  output::OutputSet outputs;
  systolic::add_shell_result(outputs, cfg, opts, systolic::shell_run_result(g, bench.memory()));
  shell::add_rtl_report(outputs, opts.json_path, systolic::shell_run_report(cfg, g, rtl, "rtl"), c.seconds);
  outputs.commit();
  fmt::print("{}", systolic::shell_run_summary(cfg, g, rtl, "rtl"));
  fmt::print("rtl: the memory image equals the golden model's and every counter the cycle model's\n");
  return 0;
}

// ---------------------------------------------------------------------------- serve

// The engine's part of `serve` (shell_serve.hpp). Nothing stays on chip between layers.
class SystolicServe {
 public:
  explicit SystolicServe(const systolic::ShellRun& g) : g_(g) {}
  uint32_t refuses(const std::vector<shell::LayerDescriptor>& layers, std::size_t i) const {
    return systolic::check_descriptor(g_.params, layers[i]);
  }
  CheckedLayer run(Bench& bench, const shell::LayerDescriptor& d, std::vector<uint8_t>& want) const {
    return run_checked_layer(bench, g_, d, want);
  }
  void forget() {}

 private:
  const systolic::ShellRun& g_;
};

int serve_command(const config::Config& cfg, uint64_t seed) {
  systolic::ShellRun g;  // the shell and the memory its cycles assume, as `run --shell` has them
  g.params = systolic::shell_params(cfg);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = cfg.memory.bus_bytes_per_cycle();
  SystolicServe engine(g);
  return shell::serve<Bench>(engine, shell::memory_timing(g, seed), seed, g.params.config_hash,
                             cfg.source_path);
}

int cosim_command(const config::Config&, const cli::JobOptions&) {
  throw InputError(
      "cosim runs on the kernel top; the shell is co-simulated by the ctests shell_systolic_* "
      "(docs/shell.md)");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "gemm", dnngen::run_command, dnngen::cosim_command,
                                     dnngen::serve_command);
}
