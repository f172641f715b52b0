#pragma once
// The report of a sweep (sweep/run.hpp): sweep.json, sweep.csv, report.md and SVG
// plots, written atomically. docs/synthesis.md ("Sweeps") describes them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/sweep/run.hpp"

namespace dnngen::sweep {

// "format" of sweep.json; a directory whose sweep.json has it holds a sweep report
// that write_sweep() may replace.
inline constexpr const char* kSweepFormat = "dnngen-sweep";

// Derived figures of one point. Areas use the Nangate 45 nm NAND2 area and the SRAM
// model of synth/area.hpp; fmax_mhz and the network fields are NaN when absent.
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

}  // namespace dnngen::sweep
