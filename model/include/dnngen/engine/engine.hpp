#pragma once
// What every engine gives the dnngen front end. Each engine defines one Engine in its own
// folder, model/src/<engine>/engine.cpp, and exposes it as `const engine::Engine&
// <namespace>::engine()` (declared in dnngen/<engine>/engine.hpp). tools/engines.cpp
// lists the engines and picks one by configuration; all dispatch on engines happens
// in tools/. Nothing in model/ looks an engine up.
//
// An engine's RTL -- its top module, the parameters bound from the configuration and
// its file list rtl/filelists/<variant>.f -- is read from the configuration with
// config::rtl_top_module / rtl_parameters / rtl_variant (one half per config_<engine>.cpp),
// because generate/, synth/ and rtl/, below this layer, need it too.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::engine {

struct Engine {
  // The engine variant: "systolic" (weight and output stationary), "row_stationary",
  // "eie", "bitserial".
  std::string name;
  // True for the configurations this engine builds; exactly one engine handles a
  // validated configuration.
  bool (*handles)(const config::Config& cfg);
  // --op values of `run` and `cosim`; the first is the default.
  std::vector<std::string> ops;
  // `dnngen validate`: the lines printed after "<file>: ok", each starting with two spaces.
  std::string (*describe)(const config::Config& cfg);
  // Checks bindings, --param values, output paths and --in tensors of `run` and `cosim`
  // before any build or run: InputError (exit 2) on anything wrong, nothing written.
  void (*check_job)(const config::Config& cfg, const cli::JobOptions& opts);
  // `dnngen run --backend model`: runs the golden model, writes --out and --json.
  int (*run_model)(const config::Config& cfg, const cli::JobOptions& opts);
  // `dnngen bench --network FILE [--json J]`: the closed-form estimate of a network.
  int (*bench)(const config::Config& cfg, const std::string& network, const std::string& json);
  // `dnngen sweep --network FILE`: the totals of the closed-form estimate of a network
  // table; nullptr for an engine sweep cannot estimate.
  workload::NetworkEstimate (*network_estimate)(const config::Config& cfg, const std::string& network);
  // Sweep's array-size axis: rows x cols of a 2-D PE array, 0 for the other engines.
  int64_t (*array_size)(const config::Config& cfg);
  // Synthesis report categories (pe, array, skew, control, sram) of the engine's own
  // modules that synth's generic naming rules (*_pe, *_array, the SRAM, FIFO and delay
  // line of rtl/common, ...) would not place; the rules cover every other module.
  std::map<std::string, std::string> synth_categories;
  // The Verilator harness: testbench/<harness>/sim_main.cpp and its headers, compiled
  // into the engine's simulator by tools/sim_builder.
  std::string harness;
  // Every configuration key and its value as written in YAML, in the order of the
  // columns of a sweep report.
  std::vector<std::pair<std::string, std::string>> (*config_fields)(const config::Config& cfg);
  // The analytical action counts (energy/energy.hpp) of the kernel job of `run`'s --in
  // tensors, --op and --param: on chip only, no DRAM (`dnngen power` prints them beside the
  // gate-level power of the same job). InputError on bad input.
  energy::Actions (*job_actions)(const config::Config& cfg, const cli::JobOptions& opts);
};

// The array_size of an engine without a 2-D PE array.
inline int64_t no_array(const config::Config& /*cfg*/) { return 0; }

// config_fields of an engine whose RTL parameters map one to one onto its keys: name,
// engine, then "rtl.<Parameter>" for each.
std::vector<std::pair<std::string, std::string>> rtl_parameter_fields(const config::Config& cfg);

// config_fields of the systolic section (every dataflow): name, engine, then
// "systolic.<key>" for the array, numerics and job limits.
std::vector<std::pair<std::string, std::string>> systolic_section_fields(const config::Config& cfg);

}  // namespace dnngen::engine
