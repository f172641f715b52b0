#pragma once
// Yosys synthesis of a configured engine and the area / depth report behind
// `dnngen synth`. docs/synthesis.md describes the flow, the NAND2-equivalent table and
// the SRAM area model (synth/area.hpp).
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::synth {

struct SynthOptions {
  std::string target = "generic";  // see legal_targets()
  // Synthesize the engine behind its AXI shell (the configured shell top of the bundle,
  // shell/wrapper.hpp) instead of the engine's kernel top; config::has_shell engines only.
  bool shell = false;
  std::string work_dir;  // script, log and netlist go here ("" = a new temp dir)
  // Also run Yosys's own `flatten; ltp -noff` and report its length next to ours
  // (a cross-check of logic_depth; slow and memory-hungry for large arrays).
  bool flat_ltp = false;
  // generic: flatten before synthesis (one Yosys run, optimization across module
  // boundaries; the per-module table has the top and the SRAM macros only). By default
  // each distinct module is synthesized once, alone, and totals come from instance
  // counts (docs/synthesis.md, "Hierarchical and flat").
  bool flat = false;
  // generic, hierarchical: how many distinct modules are synthesized at once (one Yosys
  // process each). Sweeps run their points in parallel instead, one job each.
  int jobs = 1;
  // asic: the Liberty file to map to ("" = default_liberty(), OSU 0.18 um).
  std::string liberty;
  // ice40: the nextpnr device (see ice40_devices(); "" = the smallest that fits).
  std::string device;
  // RTL module -> category (pe | array | skew | control | sram) of the per-module
  // tables, consulted before the naming conventions (docs/synthesis.md).
  std::map<std::string, std::string> categories;
};

// One on-chip buffer (an instance of dnn_sram_1r1w), kept out of synthesis as a macro.
struct SramMacro {
  std::string path;   // hierarchical instance path, e.g. dnn_systolic_top.g_ws.u_core.u_abuf
  int64_t depth = 0;  // words
  int64_t width = 0;  // bits per word
  int64_t bits = 0;
  bool in_shell = false;  // with --shell: a buffer of the shell, not of the engine core
  double area_um2 = 0;    // kSramUm2PerBit model
  double nand2_eq = 0;
};

// One RTL module, all of its parameterizations and instances together. Counts are the
// module's own logic only (its submodules have rows of their own), so rows add up.
struct ModuleStats {
  std::string module;    // RTL name, e.g. dnn_systolic_ws_pe
  std::string category;  // pe | array | skew | control | sram
  int64_t instances = 0;
  int64_t cells = 0;
  int64_t flip_flops = 0;
  double nand2_eq = 0;
};

// ---------------------------------------------------------------- asic target

// One RTL module mapped to the Liberty library (hierarchical mapping; rows add up).
struct AsicModule {
  std::string module;
  std::string category;
  int64_t instances = 0;
  int64_t cells = 0;       // library cells, all instances together
  int64_t flip_flops = 0;  // sequential library cells
  double area_um2 = 0;
};

struct AsicReport {
  std::string liberty;  // the Liberty file
  std::string library;  // its library name
  bool default_liberty = false;
  std::string nand2_cell;  // smallest NAND2 of the library: the NAND2-eq unit
  double nand2_area_um2 = 0;
  std::string inverter_cell;  // smallest inverter: input driver and FO4 load unit
  double inverter_input_cap = 0;
  std::string capacitance_unit;  // of the library, e.g. "1,ff"

  // Hierarchical mapping (each module mapped once, without buffering): the breakdown.
  int64_t cells = 0;
  int64_t flip_flops = 0;
  double cell_area_um2 = 0;  // sum of `modules`
  std::map<std::string, int64_t> cells_by_type;
  std::vector<AsicModule> modules;  // largest area first
  // Flattened mapping with ABC buffering and sizing: the netlist OpenSTA times.
  int64_t flat_cells = 0;
  double flat_cell_area_um2 = 0;
  // SRAM macros in this library: the SRAM model's NAND2-eq times nand2_area_um2.
  double sram_area_um2 = 0;

  // OpenSTA on the flat netlist: one clock on clk_i, ports at the clock edge.
  double clock_period_ns = 0;   // nominal period of the analysis
  double output_load = 0;       // on every output, in capacitance_unit (4 inverter inputs)
  double worst_slack_ns = 0;    // at clock_period_ns
  double critical_path_ns = 0;  // clock_period_ns - worst_slack_ns: the minimum period
  double fmax_mhz = 0;          // 1000 / critical_path_ns
  std::string critical_from;    // register (its output net) or input port
  std::string critical_to;      // register (its output net), output port or macro pin
  double sta_seconds = 0;
  std::string sta_script;
  std::string sta_log;
  std::string sta_paths;  // OpenSTA's report_checks of the critical path
};

// ---------------------------------------------------------------- FPGA targets

// Resources of one RTL module (all instances together) on an FPGA.
struct FpgaModule {
  std::string module;
  std::string category;
  int64_t instances = 0;
  std::map<std::string, double> resources;  // e.g. lut, ff, carry, dsp, bram
};

// synth_xilinx (7 series) resource counts, as Vivado's utilisation report groups them.
struct XilinxResources {
  bool dsp = true;         // false: synth_xilinx -nodsp
  int64_t lut_logic = 0;   // LUT1..LUT6 (+ inverters that are real logic)
  int64_t lut_memory = 0;  // LUTs used as distributed RAM (RAM32M = 4, ...)
  int64_t lut_shift = 0;   // SRL16E / SRLC32E
  int64_t flip_flops = 0;  // FDRE, FDSE, FDCE, FDPE
  int64_t latches = 0;     // LDCE, LDPE
  int64_t carry = 0;       // CARRY4
  int64_t dsp48 = 0;       // DSP48E1
  int64_t ramb36 = 0;      // RAMB36E1
  int64_t ramb18 = 0;      // RAMB18E1
  double bram_tiles = 0;   // RAMB36 + RAMB18 / 2 (36 Kb tiles)
  int64_t muxf7 = 0;
  int64_t muxf8 = 0;
  int64_t reset_inverters = 0;  // INV cells that only invert an active-low async reset
  std::map<std::string, int64_t> cells_by_type;
  std::vector<FpgaModule> modules;  // most LUTs first
  int64_t luts() const { return lut_logic + lut_memory + lut_shift; }
};

struct XilinxReport {
  std::string family = "xc7";
  XilinxResources with_dsp;
  XilinxResources without_dsp;
};

// One iCE40 part nextpnr-ice40 can place and route for.
struct Ice40Device {
  std::string name;     // nextpnr option without "--", e.g. hx8k
  std::string package;  // nextpnr --package
  int64_t lcs = 0;      // logic cells
  int64_t brams = 0;    // 4 Kb block RAMs
};

struct Ice40Report {
  std::string device;  // the part placed and routed
  std::string package;
  bool auto_device = true;
  std::vector<std::string> rejected;  // "hx1k: 1602 of 1280 ICESTORM_LC" for smaller parts
  // synth_ice40 (flattened, whole design including the wrapper)
  int64_t luts = 0;        // SB_LUT4
  int64_t carries = 0;     // SB_CARRY
  int64_t flip_flops = 0;  // SB_DFF*
  int64_t rams = 0;        // SB_RAM40_4K
  std::map<std::string, int64_t> cells_by_type;
  // out-of-context wrapper: the core's ports behind a shift register and an XOR
  int64_t core_input_bits = 0;
  int64_t core_output_bits = 0;
  // nextpnr after routing: resource -> (used, available)
  std::map<std::string, std::pair<int64_t, int64_t>> utilisation;
  double fmax_mhz = 0;
  double nextpnr_seconds = 0;
  std::string nextpnr_log;
  std::string nextpnr_report;  // nextpnr's JSON report
};

struct SynthReport {
  std::string config_name;
  std::string target;
  std::string top;  // RTL top module
  // With --shell: the engine core inside the shell; module rows outside it have category
  // "shell" (see shell_totals()).
  std::string engine_core;
  std::vector<std::pair<std::string, int64_t>> parameters;

  // Whole design, flattened; SRAM macros are not cells.
  int64_t cells = 0;
  std::map<std::string, int64_t> cells_by_type;
  int64_t flip_flops = 0;
  int64_t latches = 0;
  int64_t transistors = 0;               // Yosys `stat -tech cmos`
  bool transistors_lower_bound = false;  // Yosys printed "N+": some cell types not modelled
  int logic_depth = 0;                   // gates on the longest combinational path
  int flat_ltp_depth = -1;               // Yosys `ltp -noff` on a flat copy (flat_ltp only)

  double logic_nand2_eq = 0;
  int64_t sram_bits = 0;
  double sram_area_um2 = 0;
  double sram_nand2_eq = 0;
  double total_nand2_eq = 0;

  std::vector<ModuleStats> modules;  // largest NAND2-eq first
  std::vector<SramMacro> srams;      // in instance-path order

  double yosys_seconds = 0;  // wall time of the Yosys run(s)
  double total_seconds = 0;  // wall time of run_synth (Yosys, OpenSTA, nextpnr, analysis)
  std::string work_dir;
  std::string script_path;
  std::string log_path;
  std::vector<std::string> warnings;  // unique Yosys warnings worth a look, and ours

  AsicReport asic;      // target asic
  XilinxReport xilinx;  // target xilinx
  Ice40Report ice40;    // target ice40
};

// Targets run_synth() accepts.
std::vector<std::string> legal_targets();

// The Liberty file of the asic target when none is given: the OSU 0.18 um standard
// cells of Debian's qflow-tech-osu018 package.
std::string default_liberty();

// iCE40 parts in the order the ice40 target tries them (smallest first).
std::vector<Ice40Device> ice40_devices();

// Synthesizes the configured engine. Throws InputError for an unknown target, a bad
// Liberty file or ice40 device, or a design that fits no device; ToolError when Yosys,
// OpenSTA or nextpnr is missing or fails (the message names the tool and its log file).
// Nothing is returned (so nothing is reported) unless every step succeeded.
SynthReport run_synth(const config::Config& cfg, const SynthOptions& options);

// The Yosys script run_synth() runs, given the work directory it runs in.
std::string synth_script(const config::Config& cfg, const SynthOptions& options);

nlohmann::json to_json(const SynthReport& report);
// The report to_json wrote, read back (a synthesis run in another process: sweep points
// on exec/batch.hpp's workers). Everything to_json writes for the generic and asic targets
// comes back; of xilinx and ice40 only the common fields and the SRAM macros (their
// resource tables stay in the JSON). ToolError if the JSON does not have the fields' types.
SynthReport from_json(const nlohmann::json& j);

// Human-readable summary for the CLI.
std::string format_table(const SynthReport& report);

}  // namespace dnngen::synth
