#pragma once
// Yosys synthesis of a configured engine and the area / depth report behind
// `dnngen synth`. docs/synthesis.md describes the flow, the NAND2-equivalent table and
// the SRAM area model.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::synth {

struct SynthOptions {
  std::string target = "generic";  // see legal_targets()
  std::string work_dir;            // script, log and netlist go here ("" = a new temp dir)
  // Also run Yosys's own `flatten; ltp -noff` and report its length next to ours
  // (a cross-check of logic_depth; slow and memory-hungry for large arrays).
  bool flat_ltp = false;
};

// One on-chip buffer (an instance of dnn_sram_1r1w), kept out of synthesis as a macro.
struct SramMacro {
  std::string path;    // hierarchical instance path, e.g. dnn_systolic_top.g_ws.u_core.u_abuf
  int64_t depth = 0;   // words
  int64_t width = 0;   // bits per word
  int64_t bits = 0;
  double area_um2 = 0;  // kSramUm2PerBit model
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

struct SynthReport {
  std::string config_name;
  std::string target;
  std::string top;  // RTL top module
  std::vector<std::pair<std::string, int64_t>> parameters;

  // Whole design, flattened; SRAM macros are not cells.
  int64_t cells = 0;
  std::map<std::string, int64_t> cells_by_type;
  int64_t flip_flops = 0;
  int64_t latches = 0;
  int64_t transistors = 0;              // Yosys `stat -tech cmos`
  bool transistors_lower_bound = false;  // Yosys printed "N+": some cell types not modelled
  int logic_depth = 0;                  // gates on the longest combinational path
  int flat_ltp_depth = -1;              // Yosys `ltp -noff` on a flat copy (flat_ltp only)

  double logic_nand2_eq = 0;
  int64_t sram_bits = 0;
  double sram_area_um2 = 0;
  double sram_nand2_eq = 0;
  double total_nand2_eq = 0;

  std::vector<ModuleStats> modules;  // largest NAND2-eq first
  std::vector<SramMacro> srams;      // in instance-path order

  double yosys_seconds = 0;  // wall time of the Yosys run
  std::string work_dir;
  std::string script_path;
  std::string log_path;
  std::vector<std::string> warnings;  // unique Yosys warnings worth a look, and ours
};

// Targets run_synth() accepts.
std::vector<std::string> legal_targets();

// Synthesizes the configured engine. Throws InputError for an unknown target and
// ToolError when Yosys is missing or fails (the message names the log file).
SynthReport run_synth(const config::Config& cfg, const SynthOptions& options);

// The Yosys script run_synth() runs, given the work directory it runs in.
std::string synth_script(const config::Config& cfg, const SynthOptions& options);

nlohmann::json to_json(const SynthReport& report);

// Human-readable summary for the CLI.
std::string format_table(const SynthReport& report);

// ---------------------------------------------------------------- area model
// Area of a NAND2_X1 in the Nangate 45 nm Open Cell Library (FreePDK45), um^2.
inline constexpr double kNand2AreaUm2 = 0.798;
// 6T SRAM bit cell of a 45 nm process (Intel 45 nm HKMG, IEDM 2007: 0.346 um^2) and the
// share of a small macro's area that is bit cells (the rest: decoders, sense amps,
// write drivers, I/O); 50 % is typical of KiB-sized compiled macros.
inline constexpr double kSramBitcellUm2 = 0.346;
inline constexpr double kSramArrayEfficiency = 0.5;
inline constexpr double kSramUm2PerBit = kSramBitcellUm2 / kSramArrayEfficiency;

// NAND2 equivalents of one Yosys generic cell ($_AND_, $_DFFE_PN0P_, ...), from the
// Nangate 45 nm areas of the cell(s) that implement it; -1 for a type not in the table.
double nand2_equivalents(const std::string& cell_type);

// True for Yosys's flip-flop and latch cell types (the ones `ltp -noff` skips).
bool is_storage_cell(const std::string& cell_type);

// ---------------------------------------------------------------- elaboration
struct Port {
  std::string name;
  std::string direction;  // input | output | inout
  int width = 0;
  bool is_signed = false;
};

// Ports of the engine's top module as Yosys elaborates it with the config's
// parameters, in declaration order. Runs Yosys in work_dir (created if missing).
std::vector<Port> elaborate_top_ports(const config::Config& cfg, const std::string& work_dir);

}  // namespace dnngen::synth
