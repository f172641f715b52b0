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
//
// `sim serve CONFIG [--seed N]` keeps one simulator for many layers: the protocol and the
// serve loop are shell_serve.hpp's (shared with the systolic shell's simulator). A request's
// descriptors are checked as the shell checks them (eie::check_descriptor, then
// eie::check_image on the image before each layer), each run checked as `run` checks its
// layers. OP.KEEP_WEIGHTS: the server tracks the image the bench holds on chip as the RTL
// does (the last layer that loaded one), across the descriptors of a request and across
// requests; it forgets it after a request that does not pass and when the bench is rebuilt.
// A KEEP_WEIGHTS descriptor whose image or codebook in memory differs from what was loaded is
// refused: the RTL would compute with the weights it holds, the golden model with the
// memory's.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
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
#include "dnngen/shell/descriptor.hpp"
#include "shell_serve.hpp"
#include "shell_sim_check.hpp"
#include "shell_systolic_bench.hpp"
#include "sim_main.hpp"

namespace dnngen {
namespace {

using Top = Vdnn_shell_eie;
using Bench = shell::ShellSystolicBench<Top, TB_DataBits>;
using CheckedLayer = shell::CheckedLayer<eie::ShellTiming>;

// One descriptor on the RTL, checked as `run` and `serve` check every layer. `want` holds the
// golden model's memory image before the layer and after it on return; the cycle model runs
// on the image before. `g`: the shell's parameters and the memory its cycles assume.
CheckedLayer run_checked_layer(Bench& bench, const eie::ShellRun& g, const shell::LayerDescriptor& d,
                               std::vector<uint8_t>& want) {
  const eie::ShellTiming model = eie::layer_cycles(g.params, d, want, g.latency, g.bytes_per_cycle);
  eie::run_layer(g.params, d, want);
  return shell::run_checked(bench, d, model, want);
}

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
    const CheckedLayer c = run_checked_layer(bench, g, g.layers[l], want);
    seconds += c.seconds;
    if (!c.problems.empty()) {
      for (const auto& problem : c.problems)
        fmt::print(stderr, "dnngen run: shell RTL vs model, layer {}: {}\n", l, problem);
      return 1;
    }
    rtl.push_back(shell::with_rtl_counters(c.model, c.rtl));
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

// ---------------------------------------------------------------------------- serve

// The engine's part of `serve` (shell_serve.hpp): the image the bench holds on chip.
class EieServe {
 public:
  explicit EieServe(const eie::ShellRun& g) : g_(g) {}

  // With the image on chip after the layers before i: the last of them that loads one, else
  // what the requests before left.
  uint32_t refuses(const std::vector<shell::LayerDescriptor>& layers, std::size_t i) const {
    const shell::LayerDescriptor* loaded = loaded_ ? &loaded_->d : nullptr;
    for (std::size_t j = i; j-- > 0;)
      if (!layers[j].keep_weights) {
        loaded = &layers[j];
        break;
      }
    return eie::check_descriptor(g_.params, layers[i], loaded);
  }

  CheckedLayer run(Bench& bench, const shell::LayerDescriptor& d, std::vector<uint8_t>& want) {
    if (const uint32_t code = eie::check_layer(g_.params, d, want, loaded_ ? &loaded_->d : nullptr))
      throw InputError(shell::refusal(code));
    if (d.keep_weights && !loaded_->same_weights(g_.params, want))
      throw InputError(fmt::format(
          "OP.KEEP_WEIGHTS: the weight image at B_ADDR 0x{:x} or the codebook at AUX_ADDR 0x{:x} differs "
          "from the one the engine holds (the RTL would compute with that, the golden model with the "
          "memory's)",
          d.b_addr, d.aux_addr));
    std::optional<Loaded> image;
    if (!d.keep_weights) image = Loaded::of(g_.params, d, want);
    CheckedLayer c = run_checked_layer(bench, g_, d, want);
    // What the RTL holds if the layer ran as the models say; if not, the request fails and
    // the image is forgotten.
    if (image) loaded_ = std::move(image);
    return c;
  }

  void forget() { loaded_.reset(); }

 private:
  // A layer's weights as the engine read them: the bytes of its weight image and of its
  // codebook's entries 1 and up (entry 0 weighs 0 whatever it holds).
  struct Loaded {
    shell::LayerDescriptor d;
    std::vector<uint8_t> image, codebook;

    // `d` must pass check_layer on `memory`.
    static Loaded of(const eie::ShellParams& p, const shell::LayerDescriptor& d,
                     const std::vector<uint8_t>& memory) {
      uint64_t entries = 0;
      for (unsigned pe = 0; pe < p.eie.pes; ++pe)
        entries = std::max(entries, eie::pointer(memory, d, pe, d.k));
      return {d,
              bytes(memory, d.b_addr, eie::entry_offset(p.eie.pes, d.k) + entries * eie::entry_bytes(p.eie)),
              bytes(memory, d.aux_addr + 2, codebook_bytes(p))};
    }
    bool same_weights(const eie::ShellParams& p, const std::vector<uint8_t>& memory) const {
      return bytes(memory, d.b_addr, image.size()) == image &&
             bytes(memory, d.aux_addr + 2, codebook_bytes(p)) == codebook;
    }
    static uint64_t codebook_bytes(const eie::ShellParams& p) {
      return 2 * ((uint64_t{1} << p.eie.index_bits) - 1);
    }
    // memory[at, at + n), shorter where the image ends.
    static std::vector<uint8_t> bytes(const std::vector<uint8_t>& memory, uint64_t at, uint64_t n) {
      const uint64_t begin = std::min<uint64_t>(at, memory.size());
      const uint64_t end = std::min<uint64_t>(at + n, memory.size());
      return {memory.begin() + static_cast<std::ptrdiff_t>(begin),
              memory.begin() + static_cast<std::ptrdiff_t>(end)};
    }
  };

  const eie::ShellRun& g_;
  std::optional<Loaded> loaded_;
};

int serve_command(const config::Config& cfg, uint64_t seed) {
  eie::ShellRun g;  // the shell and the memory its cycles assume, as `run --shell` has them
  g.params = eie::shell_params(cfg);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = cfg.memory.bus_bytes_per_cycle();
  EieServe engine(g);
  return shell::serve<Bench>(engine, shell::memory_timing(g, seed), seed, g.params.config_hash,
                             cfg.source_path);
}

int cosim_command(const config::Config&, const cli::JobOptions&) {
  throw InputError(
      "cosim runs on the kernel top; the shell is co-simulated by the ctests shell_eie_* (docs/shell.md)");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "spmv", dnngen::run_command, dnngen::cosim_command,
                                     dnngen::serve_command);
}
