#pragma once
// Pieces of the synthesis flow shared by the targets (synth.cpp: generic and the
// common parts; synth_asic.cpp; synth_fpga.cpp). Not a public interface.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/synth/liberty.hpp"
#include "dnngen/synth/synth.hpp"

namespace dnngen::synth::detail {
namespace fs = std::filesystem;

inline constexpr const char* kSramModule = "dnn_sram_1r1w";
// Module attribute we put on the (underived) SRAM module so that it can be selected
// even when an instance uses its default parameters; derived copies are found by their
// `hdlname` attribute instead.
inline constexpr const char* kMacroAttr = "dnngen_macro";
inline constexpr const char* kScriptName = "synth.ys";
inline constexpr const char* kLogName = "yosys.log";
inline constexpr const char* kNetlistName = "netlist.json";

bool starts_with(const std::string& s, const std::string& prefix);
void write_text(const fs::path& path, const std::string& text);
std::string quoted(const std::string& path);
std::string join(const std::vector<std::string>& items, const std::string& sep);

// read_verilog, setattr on the SRAM module, chparam, hierarchy -check -top. A wrapper
// (extra_sources, top) may instantiate the engine's top, which chparam has bound.
std::string yosys_front(const config::Config& cfg,
                        const std::vector<std::string>& extra_sources = {},
                        const std::string& top = "");
// The script line that turns every dnn_sram_1r1w into a black box (an SRAM macro).
std::string blackbox_srams();

fs::path prepare_work_dir(const std::string& requested, const std::string& config_name);

// Runs argv (argv[0] looked up on PATH) in work_dir with its output in work_dir/log_name
// (truncated); returns the wall time. A missing tool or a non-zero exit is a ToolError
// whose first line names the tool, what it was doing and the log file.
double run_tool(const std::vector<std::string>& argv, const fs::path& work_dir,
                const std::string& log_name, const std::string& what);
// Writes the script and runs `yosys -s script_name`.
double run_yosys(const fs::path& work_dir, const std::string& script_name,
                 const std::string& script_text, const std::string& log_name,
                 const std::string& what);
// ToolError "<tool> not found on PATH (needed for target T; Debian package P)".
void require_tool(const std::string& tool, const std::string& target, const std::string& package);

// ---------------------------------------------------------------- netlist model

inline constexpr int64_t kConstBit = -1;

struct NetPort {
  std::string name;
  std::string direction;
  std::vector<int64_t> bits;
  bool is_signed = false;
};

struct NetCell {
  std::string name;
  std::string type;
  std::vector<std::pair<std::string, std::vector<int64_t>>> connections;
  std::map<std::string, std::string> directions;  // port -> input/output (Yosys cells)
};

struct NetModule {
  std::string name;  // Yosys name, e.g. $paramod$<hash>\dnn_systolic_ws_pe
  std::string base;  // RTL name, e.g. dnn_systolic_ws_pe
  bool blackbox = false;
  bool macro = false;  // an SRAM macro (blackboxed dnn_sram_1r1w)
  std::map<std::string, int64_t> params;
  std::vector<NetPort> ports;
  std::vector<NetCell> cells;
};

using Netlist = std::map<std::string, NetModule>;

Netlist load_netlist(const fs::path& path);
const NetModule& find_top(const Netlist& netlist, const std::string& top, const fs::path& path);

struct Census {
  std::map<std::string, int64_t> instances;  // Yosys module name -> instances in the design
  std::vector<std::pair<std::string, const NetModule*>> macros;  // instance path, module
  std::set<std::string> other_blackboxes;                        // not ours: no area for them
};

// Counts the instances of every module below `mod` (SRAM macros are leaves).
void walk(const Netlist& netlist, const NetModule& mod, const std::string& path, Census& census);

// pe | array | skew | control | sram, from the RTL module name.
std::string category_of(const std::string& base);

// An SRAM macro's role: its instance path below the top with generate indices folded
// (dnn_eie_top.g_pe[3].u_pe.u_entries -> g_pe[*].u_pe.u_entries), so the macros of
// every PE or bank of one kind add up in one row.
std::string sram_role(const std::string& path);
struct SramRole {
  int64_t instances = 0, depth = 0, width = 0, bits = 0;
  double nand2_eq = 0;
};
std::map<std::string, SramRole> sram_roles(const SynthReport& r);

// The SRAM tables of a text report: one row per role (instances, bits, area, share of
// `total`), then one row per macro when there are few enough to read. `um2_per_nand2`
// 0 prints NAND2-eq, else um^2.
std::string sram_tables(const SynthReport& r, double total, double um2_per_nand2);

// Fills report.srams and the sram_* totals from the macros found by walk().
void add_macros(const Census& census, SynthReport& report);

// Unique "Warning: " lines of a Yosys log, minus the expected ones and any line that
// contains one of `also_benign`.
void add_log_warnings(const fs::path& log, SynthReport& report,
                      const std::vector<std::string>& also_benign = {});

// Fills the fields every target reports (config, target, top, parameters, paths).
void init_report(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                 SynthReport& report);

// ---------------------------------------------------------------- targets

// The Liberty file the asic target maps to, read and checked (InputError if it does
// not exist or does not parse; ToolError if the default library is not installed).
Liberty load_asic_liberty(const SynthOptions& options);
// InputError unless `device` is "" or one of ice40_devices().
void check_ice40_device(const std::string& device);

std::string asic_script(const config::Config& cfg, const SynthOptions& options);
std::string xilinx_script(const config::Config& cfg);
std::string ice40_script(const config::Config& cfg);

void run_asic(const config::Config& cfg, const SynthOptions& options, const Liberty& liberty,
              const fs::path& work, SynthReport& report);
void run_xilinx(const config::Config& cfg, const fs::path& work, SynthReport& report);
void run_ice40(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
               SynthReport& report);

nlohmann::json asic_json(const SynthReport& r);
nlohmann::json xilinx_json(const SynthReport& r);
nlohmann::json ice40_json(const SynthReport& r);
std::string asic_table(const SynthReport& r);
std::string xilinx_table(const SynthReport& r);
std::string ice40_table(const SynthReport& r);

}  // namespace dnngen::synth::detail
