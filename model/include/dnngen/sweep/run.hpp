#pragma once
// `dnngen sweep`: synthesis (and optionally the closed-form network estimate) of every
// point of a grid (sweep/grid.hpp), in grid order. The report is sweep/report.hpp's;
// docs/synthesis.md ("Sweeps") describes both.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/sweep/grid.hpp"
#include "dnngen/synth/synth.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::sweep {

// What the sweep needs to know about the engines; it knows none itself. The caller
// supplies every function (tools/ from its engine registry, tests their own).
struct EngineHooks {
  // Processing elements (MAC units) of a configuration; 0 if the engine has no array.
  std::function<int64_t(const config::Config&)> array_size;
  // Every config key of a configuration and its value as written in YAML, in the order
  // of the report's columns.
  std::function<std::vector<std::pair<std::string, std::string>>(const config::Config&)> config_fields;
  // Throws InputError naming the configuration if network_estimate cannot run on it.
  std::function<void(const config::Config&)> check_network;
  // The closed-form estimate of a network (a workload CSV) on a configuration.
  std::function<workload::NetworkEstimate(const config::Config&, const std::string& network)>
      network_estimate;
  // Module -> synthesis category overrides of the configuration's engine
  // (synth::SynthOptions::categories); empty = the naming rules alone.
  std::function<std::map<std::string, std::string>(const config::Config&)> synth_categories;
};

struct SweepOptions {
  std::vector<std::string> base_configs;  // YAML files
  std::vector<SweepAxis> axes;
  // Synthesis options of every point (target and the target's own options); its
  // work_dir is replaced by one directory per point under `work_dir` below.
  synth::SynthOptions synth;
  std::string network;   // workload CSV for the network estimate ("" = none)
  std::string work_dir;  // Yosys work directories ("" = temporary, removed on success)
  std::string command;   // the command line, recorded in the report
  EngineHooks engine;
};

struct SweepPointResult {
  SweepPoint point;
  int64_t pes = 0;                                                 // EngineHooks::array_size of the point
  std::vector<std::pair<std::string, std::string>> config_fields;  // EngineHooks::config_fields
  synth::SynthReport synth;
  nlohmann::json synth_json;  // to_json(synth), which carries target-specific fields (fmax_mhz)
  std::optional<workload::NetworkEstimate> network;
  double seconds = 0;  // wall time of the point
};

struct SweepResult {
  std::vector<SweepBase> bases;
  std::vector<SweepAxis> axes;
  std::string target;
  std::string network_path;  // as given
  std::string network_name;  // file stem
  std::string command;
  std::vector<SweepPointResult> points;
  double seconds = 0;  // wall time of the whole sweep
};

struct SweepProgress {
  size_t done = 0;  // points finished
  size_t total = 0;
  const SweepPoint* current = nullptr;  // the point starting now; null when all are done
  double elapsed_seconds = 0;
  double eta_seconds = -1;  // < 0: unknown (nothing finished yet)
};
using ProgressFn = std::function<void(const SweepProgress&)>;

// Reads and expands everything (configs, grid, network, target) before the first
// synthesis, then runs the points in grid order, calling `progress` before each point
// and once at the end. InputError for bad input; ToolError from the first point whose
// synthesis fails (its work directory is kept and named).
SweepResult run_sweep(const SweepOptions& options, const ProgressFn& progress = {});

// "[3/21] systolic_ws_4x4_int8 systolic.rows=8 ...  elapsed 0:12  ETA 0:40". The ETA
// weights points by array size (synthesis time grows with it).
std::string format_progress(const SweepProgress& p);

}  // namespace dnngen::sweep
