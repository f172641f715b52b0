#pragma once
// Gate-level power of a configured engine with switching activity measured in an RTL
// simulation: the asic target's flat netlist (synth.hpp), the toggle rates of an FST
// waveform (eda/fst_activity.hpp) applied to the netlist's register outputs and input
// ports, and OpenSTA's report_power at a given clock. docs/energy_power.md.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/eda/fst_activity.hpp"
#include "dnngen/synth/synth.hpp"

namespace dnngen::synth {

struct PowerOptions {
  std::string liberty;     // "" = default_liberty()
  double clock_mhz = 200;  // the clock the power is computed at
  std::string work_dir;    // synthesis and OpenSTA files ("" = a new temp dir)
  // Toggles per cycle of every net without a measurement; < 0: the mean of the measured
  // register bits (OpenSTA 2019 does not propagate activity through logic).
  double default_activity = -1;
  std::map<std::string, std::string> categories;  // as SynthOptions::categories
};

// Watts, as OpenSTA reports them.
struct Power {
  double internal = 0, switching = 0, leakage = 0;
  double dynamic() const { return internal + switching; }
  double total() const { return internal + switching + leakage; }
  Power& operator+=(const Power& o) {
    internal += o.internal;
    switching += o.switching;
    leakage += o.leakage;
    return *this;
  }
};

// The cells of one part of the design: a category (pe, array, skew, control, sram) or a
// role (instance path with generate indices folded, e.g. g_ws.u_core.u_array.g_row[*].g_col[*].u_pe).
struct PowerGroup {
  std::string name;
  std::string category;
  int64_t cells = 0;
  Power power;
};

// How much of the netlist got a measured activity.
struct ActivityCoverage {
  int64_t flops = 0, flops_measured = 0;    // sequential cells, by their output nets
  int64_t inputs = 0, inputs_measured = 0;  // input port bits, clock excluded
  int64_t nets = 0, nets_measured = 0;      // all nets of the flat netlist
  double default_activity = 0;              // toggles per cycle of the other nets
  double default_duty = 0.5;
  std::vector<std::string> unmatched;  // a few register nets without a signal in the FST
};

struct PowerReport {
  SynthReport synth;  // the asic run whose flat netlist is analysed
  std::string fst;
  std::string fst_clock;
  uint64_t cycles = 0;  // rising edges of the clock in the FST: the simulated job
  double clock_mhz = 0;
  Power total;
  std::map<std::string, Power> by_class;  // OpenSTA's Sequential / Combinational / Macro / Pad
  std::vector<PowerGroup> categories;     // largest total first
  std::vector<PowerGroup> roles;          // largest total first
  // Categories pe and array together: the PE registers are named after the array's wires
  // they drive (Yosys keeps the outer name of a port net), so only the sum is meaningful.
  PowerGroup pe_array;
  ActivityCoverage coverage;
  double fst_seconds = 0;  // reading the waveform (the caller's, filled in by it)
  double synth_seconds = 0, sta_seconds = 0;
  std::string sta_script, sta_log;
  std::vector<std::string> warnings;

  double job_seconds() const { return static_cast<double>(cycles) / (clock_mhz * 1e6); }
  // Energy of the simulated job: power x cycles / f.
  double energy_pj(const Power& p) const { return p.total() * job_seconds() * 1e12; }
};

// Synthesizes cfg for the Liberty target, applies `activity` and runs OpenSTA's power
// analysis. InputError for a bad clock, a Liberty file that cannot be used or an FST
// that does not belong to this configuration's top (missing ports or widths that
// differ); ToolError when Yosys or OpenSTA fails.
PowerReport run_power(const config::Config& cfg, const eda::FstActivity& activity,
                      const PowerOptions& options);

nlohmann::json to_json(const PowerReport& report);
std::string format_table(const PowerReport& report);

// ---------------------------------------------------------------- parts, for the tests

// OpenSTA's `report_power` (design) text: its group rows (Sequential, Combinational,
// Macro, Pad, Total). ToolError if there is no Total row.
std::map<std::string, Power> parse_power_report(const std::string& text);
// `report_power -instances` text: (instance, power) per row.
std::vector<std::pair<std::string, Power>> parse_instance_power(const std::string& text);

// Finds the FST signal bit of a netlist net. Netlist names are the flat netlist's
// (g_ws.u_core.u_array.g_row[0].g_col[1].u_pe.acc_q, bit 3); FST names are below the
// scope of the top module (TOP.dnn_systolic_top.g_ws...). Verilator's (i) for indices
// and Yosys's [i] are the same thing.
class SignalMap {
 public:
  SignalMap(const eda::FstActivity& activity, const std::string& top);
  // The scope of the top module in the FST ("" when the file has none).
  const std::string& scope() const { return scope_; }
  struct Bit {
    const eda::SignalActivity* signal = nullptr;
    size_t bit = 0;
  };
  // The bit of `name` (a wire of the netlist; bit = its declared index, or -1 for a scalar).
  std::optional<Bit> find(const std::string& name, int64_t bit) const;
  // A signal by its name below the top scope (a port), or nullptr.
  const eda::SignalActivity* signal(const std::string& name) const;

 private:
  std::string scope_;
  std::map<std::string, const eda::SignalActivity*> by_name_;  // normalised name below the scope
};

}  // namespace dnngen::synth
