#pragma once
// `dnngen sweep`: synthesis (and optionally the closed-form network estimate) over a
// grid of configurations, with a JSON / CSV / Markdown report and SVG plots.
//
// A grid is one or more base configs times the --set axes. Each point is the base's
// YAML text with the axis values written into it, parsed by config::parse_config, so it
// is validated exactly like a user's file; every point is built before anything runs.
// docs/synthesis.md ("Sweeps") describes the output.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/synth/synth.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::synth {

// "format" of sweep.json; a directory whose sweep.json has it holds a sweep report
// that write_sweep() may replace.
inline constexpr const char* kSweepFormat = "dnngen-sweep";

// One --set: each value in turn, given to every key of the axis at once
// (`systolic.rows,systolic.cols=4,8` makes 4x4 and 8x8, not a 2x2 grid).
struct SweepAxis {
  std::vector<std::string> keys;    // dotted config keys, e.g. systolic.rows
  std::vector<std::string> values;  // plain YAML scalars, e.g. 8, output_stationary, true
};

// Parses "KEY=V1,V2,..." or "KEY1,KEY2,...=V1,V2,...". Throws InputError naming the
// argument for a missing '=', an empty or malformed key, an empty or non-plain value,
// and a repeated key or value.
SweepAxis parse_axis(const std::string& text);

// `yaml` with the value at `key` (a dotted path through block mappings) replaced by
// `value`. A key missing from its mapping is added to it, so that the config parser
// reports it as unknown. InputError (naming source_name and the key) if the path runs
// into a value, a section would be overwritten, or a mapping is written in flow style.
std::string set_yaml_value(const std::string& yaml, const std::string& key,
                           const std::string& value, const std::string& source_name);

struct SweepBase {
  std::string source;  // file name, for messages and the report
  std::string yaml;    // its text
};

struct SweepPoint {
  size_t index = 0;                                           // position in grid order, from 0
  size_t base = 0;                                            // index into the bases
  std::vector<size_t> picks;                                  // per axis: the index of its value
  std::vector<std::pair<std::string, std::string>> settings;  // key = value, axis order
  config::Config config;
  std::string label;  // "systolic.rows=8 systolic.cols=8" ("" without axes)
};

// Every point: per base (in order) the product of the axes, the first axis slowest.
// Throws InputError for a duplicate key across axes and for any point that does not
// validate: "BASE with KEY=VALUE ...: <the parser's message naming the key>".
std::vector<SweepPoint> expand_grid(const std::vector<SweepBase>& bases,
                                    const std::vector<SweepAxis>& axes);

struct SweepOptions {
  std::vector<std::string> base_configs;  // YAML files
  std::vector<SweepAxis> axes;
  // Synthesis options of every point (target and the target's own options); its
  // work_dir is replaced by one directory per point under `work_dir` below.
  SynthOptions synth;
  std::string network;   // workload CSV for the network estimate ("" = none)
  std::string work_dir;  // Yosys work directories ("" = temporary, removed on success)
  std::string command;   // the command line, recorded in the report
};

struct SweepPointResult {
  SweepPoint point;
  SynthReport synth;
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

// Derived figures of one point. Areas use the Nangate 45 nm NAND2 area and the SRAM
// model of synth.hpp; fmax_mhz and the network fields are NaN when absent.
struct PointMetrics {
  int64_t pes = 0;  // processing elements (MAC units) of the array
  double logic_area_mm2 = 0;
  double sram_area_mm2 = 0;
  double total_area_mm2 = 0;
  double logic_um2_per_mac = 0;
  double total_um2_per_mac = 0;
  double fmax_mhz = 0;
  double macs_per_cycle = 0;          // network MACs / network cycles
  double macs_per_cycle_per_mm2 = 0;  // ... per mm^2 of total area
};
PointMetrics metrics(const SweepPointResult& r);

// Number of PEs (MAC units) of a configuration: rows x cols for the systolic engine.
int64_t array_size(const config::Config& cfg);

nlohmann::ordered_json to_json(const SweepResult& sweep);  // sweep.json
std::string to_csv(const SweepResult& sweep);
std::string to_markdown(const SweepResult& sweep);
// The plots as (file name, SVG text): area.svg, area_per_mac.svg, depth.svg (fmax.svg
// when every point has an Fmax), perf_per_area.svg with a network.
std::vector<std::pair<std::string, std::string>> plots(const SweepResult& sweep);

// Throws InputError ("refusing to overwrite ...") unless out_dir is absent, empty or a
// previous sweep report with nothing added; run_sweep() callers check this first.
void check_sweep_output(const std::string& out_dir);

// Writes sweep.json, sweep.csv, report.md and the plots into out_dir atomically (built
// in a staging directory beside it and renamed), replacing only a previous sweep.
void write_sweep(const SweepResult& sweep, const std::string& out_dir);

}  // namespace dnngen::synth
