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
#include "dnngen/exec/batch.hpp"
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
  std::string network;  // workload CSV for the network estimate ("" = none)
  // The batch directory (exec/batch.hpp): one task per point, with its config, log,
  // report and Yosys work directory. A sweep run again on the same directory skips the
  // points that finished. "" = a new temporary directory.
  std::string work_dir;
  bool keep_work_dir = false;  // false: removed after a successful sweep (a failed one keeps it)
  std::string command;         // the command line, recorded in the report
  // The dnngen executable that synthesizes each point (`dnngen synth POINT.yaml --json`),
  // in a task of the batch: on this machine's workers or on Slurm, the same command.
  std::string dnngen;
  exec::BatchOptions batch;
  EngineHooks engine;
};

struct SweepPointResult {
  SweepPoint point;
  int64_t pes = 0;                                                 // EngineHooks::array_size of the point
  std::vector<std::pair<std::string, std::string>> config_fields;  // EngineHooks::config_fields
  synth::SynthReport synth;
  nlohmann::json synth_json;  // to_json(synth), which carries target-specific fields (fmax_mhz)
  std::optional<workload::NetworkEstimate> network;
  double seconds = 0;  // wall time of the point's synthesis task
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

// Reads and expands everything (configs, grid, network, target) before the first
// synthesis, then synthesizes the points as one batch (options.batch: local workers or
// Slurm; progress as exec::run_batch reports it, the ETA weighting points by array size)
// and estimates the network of each in grid order. InputError for bad input; ToolError
// after the batch when any point failed (every failed point with its log; the work
// directory is kept, so the same sweep run again resumes).
SweepResult run_sweep(const SweepOptions& options, const exec::ProgressFn& progress = {});

}  // namespace dnngen::sweep
