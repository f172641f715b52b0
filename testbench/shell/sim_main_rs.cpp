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
//
// `sim serve CONFIG [--seed N]` keeps one simulator for many layers: the protocol and the
// serve loop are shell_serve.hpp's (shared with the systolic and EIE shells' simulators); a
// request's descriptors are checked as rs::check_descriptor checks them, each run checked as
// `run` checks its layer. Nothing stays on chip between layers.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "Vdnn_shell_rs.h"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "dnngen/row_stationary/shell_run.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "shell_serve.hpp"
#include "shell_sim_check.hpp"
#include "shell_systolic_bench.hpp"
#include "sim_main.hpp"

namespace dnngen {
namespace {

using Top = Vdnn_shell_rs;
using Bench = shell::ShellSystolicBench<Top, TB_DataBits>;
using CheckedLayer = shell::CheckedLayer<rs::ShellTiming>;

// One descriptor on the RTL, checked as `run` and `serve` check every layer. `want` holds the
// golden model's memory image before the layer and after it on return (the cycle model needs
// no image). `g`: the shell's parameters and the memory its cycles assume (its own layer is
// not used).
CheckedLayer run_checked_layer(Bench& bench, const rs::ShellRun& g, const shell::LayerDescriptor& d,
                               std::vector<uint8_t>& want) {
  const rs::ShellTiming model = rs::layer_cycles(g.params, d, g.latency, g.bytes_per_cycle);
  rs::run_layer(g.params, d, want);
  return shell::run_checked(bench, d, model, want);
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  rs::check_rs_bindings(cfg, opts);
  const rs::ShellRun g = rs::shell_run(cfg, opts);

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

  const rs::ShellTiming rtl = shell::with_rtl_counters(c.model, c.rtl);
  output::OutputSet outputs;
  cli::add_result(outputs, cfg, opts, rs::shell_run_result(g, bench.memory()));
  shell::add_rtl_report(outputs, opts.json_path, rs::shell_run_report(cfg, g, rtl, "rtl"), c.seconds);
  outputs.commit();
  fmt::print("{}", rs::shell_run_summary(cfg, g, rtl, "rtl"));
  fmt::print("rtl: the memory image equals the golden model's and every counter the cycle model's\n");
  return 0;
}

// ---------------------------------------------------------------------------- serve

// The engine's part of `serve` (shell_serve.hpp). Nothing stays on chip between layers, and
// the registers alone decide whether a layer runs.
class RsServe {
 public:
  explicit RsServe(const rs::ShellRun& g) : g_(g) {}
  uint32_t refuses(const std::vector<shell::LayerDescriptor>& layers, std::size_t i) const {
    return rs::check_descriptor(g_.params, layers[i]);
  }
  CheckedLayer run(Bench& bench, const shell::LayerDescriptor& d, std::vector<uint8_t>& want) const {
    return run_checked_layer(bench, g_, d, want);
  }
  void forget() {}

 private:
  const rs::ShellRun& g_;
};

int serve_command(const config::Config& cfg, uint64_t seed) {
  if (!cfg.systolic.row_stationary())
    throw InputError(fmt::format(
        "serve: {} is not the configuration this simulator was built for (not a row-stationary one)",
        cfg.source_path));
  rs::ShellRun g;  // the shell and the memory its cycles assume, as `run --shell` has them
  g.params = rs::shell_params(cfg);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = cfg.memory.bus_bytes_per_cycle();
  RsServe engine(g);
  return shell::serve<Bench>(engine, shell::memory_timing(g, seed), seed, g.params.config_hash,
                             cfg.source_path);
}

int cosim_command(const config::Config&, const cli::JobOptions&) {
  throw InputError(
      "cosim runs on the kernel top; the shell is co-simulated by the ctests shell_rs_* (docs/shell.md)");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "conv2d", dnngen::run_command, dnngen::cosim_command,
                                     dnngen::serve_command);
}
