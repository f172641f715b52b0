#pragma once
// Pieces of the synthesis flow shared by its files (not a public interface):
//   synth.cpp           the flow: options, work directory, report fields, dispatch
//   census.cpp          instances per module, SRAM macros, module categories
//   area.cpp            the area model (NAND2-eq per cell) and the SRAM macros' area
//   depth.cpp           logic depth on the hierarchical netlist
//   target_generic.cpp  target_asic.cpp  target_fpga.cpp (xilinx, ice40)
//   power.cpp           gate-level power on the asic target's flat netlist
// Running Yosys, reading its netlist and elaborating ports are eda/'s.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../config/text_internal.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eda/netlist.hpp"
#include "dnngen/eda/yosys.hpp"
#include "dnngen/synth/liberty.hpp"
#include "dnngen/synth/synth.hpp"

namespace dnngen::synth::detail {
namespace fs = std::filesystem;
using eda::kConstBit;
using eda::NetCell;
using eda::Netlist;
using eda::NetModule;
using text::join;
using text::starts_with;

inline constexpr const char* kScriptName = "synth.ys";
inline constexpr const char* kLogName = "yosys.log";
inline constexpr const char* kNetlistName = "netlist.json";
// The generic target's other files: the hierarchical flow's census (per_module.cpp) and
// the --flat-ltp cross-check's output (in either flow).
inline constexpr const char* kCensusJson = "census.json";
inline constexpr const char* kLtpName = "ltp.txt";

// ---------------------------------------------------------------- flow (synth.cpp)

// The design synthesized: the engine's kernel top with the configuration's parameters, or
// with options.shell the configured shell top (its generated sources in the work directory).
eda::Design synth_design(const config::Config& cfg, const SynthOptions& options);
// eda::yosys_front() of that design.
std::string yosys_front(const config::Config& cfg, const SynthOptions& options,
                        const std::vector<std::string>& extra_sources = {}, const std::string& top = "");
// The script line that turns every dnn_sram_1r1w into a black box (an SRAM macro).
std::string blackbox_srams();

fs::path prepare_work_dir(const std::string& requested, const std::string& config_name);

// ToolError "<tool> not found on PATH (needed for target T; Debian package P)".
void require_tool(const std::string& tool, const std::string& target, const std::string& package);

// Unique "Warning: " lines of a Yosys log, minus the expected ones and any line that
// contains one of `also_benign`.
void add_log_warnings(const fs::path& log, SynthReport& report,
                      const std::vector<std::string>& also_benign = {});

// Fills the fields every target reports (config, target, top, parameters, paths).
void init_report(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                 SynthReport& report);

// ---------------------------------------------------------------- census (census.cpp)

struct Census {
  // With --shell: the RTL module of the engine core inside the shell. Instances outside
  // its subtree are the shell's; empty when the top is the engine itself.
  std::string engine_core;
  std::map<std::string, int64_t> instances;        // Yosys module name -> instances in the design
  std::map<std::string, int64_t> shell_instances;  // of which outside the engine core
  std::set<std::string> shell_macros;              // paths of the SRAM macros outside it
  std::vector<std::pair<std::string, const NetModule*>> macros;  // instance path, module
  std::set<std::string> other_blackboxes;                        // not ours: no area for them
};

// Counts the instances of every module below `mod` (SRAM macros are leaves); `in_shell`:
// `mod` is part of the shell (outside census.engine_core).
void walk(const Netlist& netlist, const NetModule& mod, const std::string& path, Census& census,
          bool in_shell = false);

// walk() from the top, the shell split at report.engine_core when there is one.
Census take_census(const Netlist& netlist, const NetModule& top, const SynthReport& report);

// pe | array | skew | control | sram (| shell for what lies outside the engine core, set
// by module_rows): `overrides` (SynthOptions::categories) first,
// then the RTL module naming conventions.
std::string category_of(const std::string& base, const std::map<std::string, std::string>& overrides);

// The per-module table of every target: one Row per RTL module (all parameterizations
// and instances of it together), in module-name order, with module, category and
// instances filled in, and count_cell(row, module, cell, n) called for each cell of the
// module's own logic, which the design holds n times. A module's own cells are the ones
// that are no module of the netlist (submodules and SRAM macros have rows of their own,
// so rows add up). A module used both in the shell and in the engine core has a row for
// each, the shell's with category "shell"; SRAM macros stay in the "sram" row. With `blackbox_cells`,
// instances of black-box modules (vendor primitives) count as cells too.
template <typename Row, typename CountCell>
std::vector<Row> module_rows(const Netlist& netlist, const Census& census,
                             const std::map<std::string, std::string>& categories, bool blackbox_cells,
                             CountCell count_cell) {
  std::map<std::pair<bool, std::string>, Row> by_base;  // (in the shell, module)
  for (const auto& [name, total] : census.instances) {
    const NetModule& mod = netlist.at(name);
    const auto shell = census.shell_instances.find(name);
    const int64_t in_shell = (mod.macro || shell == census.shell_instances.end()) ? 0 : shell->second;
    for (const bool part_of_shell : {false, true}) {
      const int64_t count = part_of_shell ? in_shell : total - in_shell;
      if (count == 0) continue;
      Row& row = by_base[{part_of_shell, mod.base}];
      row.module = mod.base;
      row.category = part_of_shell ? "shell" : category_of(mod.base, categories);
      row.instances += count;
      if (mod.macro) continue;
      for (const auto& cell : mod.cells) {
        const auto child = netlist.find(cell.type);
        if (child != netlist.end() && !(blackbox_cells && child->second.blackbox)) continue;
        count_cell(row, mod, cell, count);
      }
    }
  }
  std::vector<Row> rows;
  for (auto& [base, row] : by_base) rows.push_back(std::move(row));
  return rows;
}

// ---------------------------------------------------------------- area model (area.cpp)

bool is_latch(const std::string& cell_type);

// An SRAM macro's role: its instance path below the top with generate indices folded
// (dnn_eie_top.g_pe[3].u_pe.u_entries -> g_pe[*].u_pe.u_entries), so the macros of
// every PE or bank of one kind add up in one row.
std::string sram_role(const std::string& path);
struct SramRole {
  int64_t instances = 0, depth = 0, width = 0, bits = 0;
  double nand2_eq = 0;
};
std::map<std::string, SramRole> sram_roles(const SynthReport& r);

// Fills report.srams and the sram_* totals from the macros found by walk().
void add_macros(const Census& census, SynthReport& report);

// The SRAM tables of a text report: one row per role (instances, bits, area, share of
// `total`), then one row per macro when there are few enough to read. `um2_per_nand2`
// 0 prints NAND2-eq, else um^2.
std::string sram_tables(const SynthReport& r, double total, double um2_per_nand2);
// NAND2-eq of the SRAM macros of the shell (SramMacro::in_shell).
double shell_sram_nand2_eq(const SynthReport& r);
// The "sram" object of the JSON report.
nlohmann::json sram_json(const SynthReport& r);

// ---------------------------------------------------------------- logic depth (depth.cpp)

struct LogicDepth {
  int depth = 0;                   // gates on the longest combinational path
  std::vector<std::string> loops;  // RTL modules with a combinational loop (left out)
};
LogicDepth logic_depth(const Netlist& netlist, const NetModule& top);

// ---------------------------------------------------------------- targets

// OpenSTA on the asic target's flat netlist (target_asic.cpp; power.cpp runs it again).
// run_asic() leaves these two files in the work directory: the flat netlist with the SRAM
// macros renamed to the cells of the generated macro library.
inline constexpr const char* kStaNetlistName = "netlist_sta.v";
inline constexpr const char* kSramLibName = "sram_macros.lib";
std::string slurp(const fs::path& path);
// Tcl word for a file name; InputError if it holds a brace, backslash or newline.
std::string tcl_quoted(const std::string& path);
// The start of every OpenSTA script on that netlist: both libraries, the netlist and the
// constraints (one clock of `period_ns` on clk_i; ports registered outside, driven by and
// loading the library's smallest inverter; rst_ni not timed).
std::string sta_setup(const AsicReport& asic, const std::string& top, double period_ns);
// The lines of an OpenSTA log. OpenSTA exits 0 even when its script fails, so an "Error"
// line is a ToolError naming the log; the first ten unique warnings go to `warnings`.
std::vector<std::string> read_sta_log(const fs::path& log, const std::string& what,
                                      std::vector<std::string>& warnings);

// The Liberty file the asic target maps to, read and checked (InputError if it does
// not exist or does not parse; ToolError if the default library is not installed).
Liberty load_asic_liberty(const SynthOptions& options);
// InputError unless `device` is "" or one of ice40_devices().
void check_ice40_device(const std::string& device);

std::string generic_script(const config::Config& cfg, const SynthOptions& options);
std::string asic_script(const config::Config& cfg, const SynthOptions& options);
std::string xilinx_script(const config::Config& cfg, const SynthOptions& options);
std::string ice40_script(const config::Config& cfg, const SynthOptions& options);

void run_generic(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                 SynthReport& report);
void run_asic(const config::Config& cfg, const SynthOptions& options, const Liberty& liberty,
              const fs::path& work, SynthReport& report);
void run_xilinx(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                SynthReport& report);
void run_ice40(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
               SynthReport& report);

// The generic target's hierarchical flow (per_module.cpp): the census script (the first
// Yosys run: elaboration only), then each distinct module synthesized alone; returns the
// census netlist with every synthesized module in place (and with options.flat_ltp,
// report.flat_ltp_depth from a flat run of its own).
struct Transistors {
  std::map<std::string, int64_t> per_module;  // Yosys module -> `stat -tech cmos` of its own cells
  bool lower_bound = false;                   // some count printed with "+"
  std::vector<std::string> missing;           // stat files without an estimate
};
std::string census_script(const config::Config& cfg, const SynthOptions& options);
Netlist run_hierarchical(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                         SynthReport& report, Transistors& transistors);
// The last "Estimated number of transistors: N[+]" of a `stat -tech cmos` output: (N, +).
std::optional<std::pair<int64_t, bool>> parse_transistors(const fs::path& stat_path);
// Script lines of the Yosys cross-check of the logic depth on a synthesized design:
// flatten, drop the SRAM macros, `ltp -noff` into `file`; and the length it printed.
std::string flat_ltp_lines(const std::string& top, const std::string& file);
int parse_flat_ltp(const fs::path& path, const std::string& top);

nlohmann::json generic_json(const SynthReport& r);  // fields at the top level
nlohmann::json asic_json(const SynthReport& r);
nlohmann::json xilinx_json(const SynthReport& r);
nlohmann::json ice40_json(const SynthReport& r);
std::string generic_table(const SynthReport& r);
std::string asic_table(const SynthReport& r);
std::string xilinx_table(const SynthReport& r);
std::string ice40_table(const SynthReport& r);

}  // namespace dnngen::synth::detail
