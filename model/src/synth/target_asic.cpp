// The asic target: Yosys maps the design to a Liberty library twice, once with the
// hierarchy kept (the per-module area breakdown: each module is mapped once) and once
// flattened with ABC buffering and gate sizing (the netlist a timing analysis can
// trust: a control signal that fans out to every PE gets a buffer tree), and OpenSTA
// times the flat netlist. The SRAM black boxes become cells of a generated Liberty
// library, so that paths into and out of the buffers are timed. docs/synthesis.md.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dnngen/common/error.hpp"
#include "dnngen/eda/run.hpp"
#include "dnngen/synth/area.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth {
namespace detail {
namespace {

const char* const kStatHier = "stat_liberty.txt";
const char* const kStatFlat = "stat_flat.txt";
const char* const kFlatNetlist = "netlist_flat.v";
const char* const kStaNetlist = kStaNetlistName;
const char* const kSramLib = kSramLibName;
const char* const kConstr = "abc.constr";
const char* const kStaScript = "sta.tcl";
const char* const kStaLog = "sta.log";
const char* const kStaPaths = "sta_paths.txt";

// Nominal clock period of the analysis. The minimum period (period - worst slack)
// does not depend on it: every path starts and ends at a clock edge.
constexpr double kClockPeriodNs = 10.0;
// Output load and ABC's load: four inputs of the library's smallest inverter (FO4).
constexpr double kFanoutLoad = 4.0;

// Yosys warnings that every library produces and that say nothing about the design:
// scan flip-flops whose next-state function dfflibmap cannot use (it skips them).
const std::vector<std::string> kBenignAsicWarnings = {"Found unsupported expression"};

// "Chip area for module '\top': 123.4" / "Chip area for top module '\top': 123.4".
double chip_area(const fs::path& stat, const std::string& top) {
  std::ifstream in(stat);
  std::string line;
  double area = -1;
  const std::vector<std::string> keys = {"Chip area for top module '\\" + top + "': ",
                                         "Chip area for module '\\" + top + "': "};
  while (std::getline(in, line)) {
    for (const auto& key : keys) {
      const size_t at = line.find(key);
      if (at != std::string::npos) area = std::stod(line.substr(at + key.size()));
    }
  }
  if (area < 0) throw ToolError("yosys stat printed no chip area; see " + stat.string());
  return area;
}

int64_t stat_cells(const fs::path& stat) {
  std::ifstream in(stat);
  std::string line;
  int64_t cells = -1;
  const std::string key = "Number of cells:";
  while (std::getline(in, line)) {
    const size_t at = line.find(key);
    if (at != std::string::npos) cells = std::stoll(line.substr(at + key.size()));
  }
  return cells;
}

// Liberty cell name for an SRAM macro module: a readable one for Yosys's derived
// ($paramod...) names, the module name itself otherwise.
std::string macro_cell_name(const NetModule& mod) {
  if (mod.name.find('$') == std::string::npos) return mod.name;
  return fmt::format("dnngen_sram_{}x{}", mod.params.at("Depth"), mod.params.at("Width"));
}

// A Liberty library with one cell per SRAM macro: a registered read port and a
// synchronous write port on clk_i, modelled as ideal registers (no setup, no
// clock-to-output delay), so the logic before and after a buffer is timed; a real
// macro's access and setup times come on top.
std::string sram_liberty(const std::vector<const NetModule*>& macros) {
  std::set<int64_t> widths;
  std::string cells;
  const std::string check =
      "        timing () {{ related_pin : \"clk_i\"; timing_type : {}; "
      "rise_constraint (scalar) {{ values (\"0.0\"); }} fall_constraint (scalar) {{ values "
      "(\"0.0\"); }} }}\n";
  for (const NetModule* mod : macros) {
    const int64_t depth = mod->params.at("Depth");
    const int64_t width = mod->params.at("Width");
    cells += fmt::format("  cell ({}) {{\n", macro_cell_name(*mod));
    cells += fmt::format("    area : {:.3f};\n", static_cast<double>(depth * width) * kSramUm2PerBit);
    cells += "    dont_use : true;\n    dont_touch : true;\n";
    for (const auto& port : mod->ports) {
      const int64_t bits = static_cast<int64_t>(port.bits.size());
      if (bits > 1) widths.insert(bits);
      const std::string head =
          bits > 1 ? fmt::format("    bus ({}) {{\n      bus_type : bus{};\n", port.name, bits)
                   : fmt::format("    pin ({}) {{\n", port.name);
      cells += head;
      if (port.name == "clk_i") {
        cells += "      direction : input;\n      clock : true;\n      capacitance : 0.002;\n    }\n";
      } else if (port.direction == "output") {
        cells += "      direction : output;\n";
        cells +=
            "      timing () { related_pin : \"clk_i\"; timing_type : rising_edge; "
            "cell_rise (scalar) { values (\"0.0\"); } cell_fall (scalar) { values (\"0.0\"); } "
            "rise_transition (scalar) { values (\"0.0\"); } fall_transition (scalar) { values "
            "(\"0.0\"); } }\n";
        cells += "    }\n";
      } else {
        cells += "      direction : input;\n      capacitance : 0.002;\n";
        cells += fmt::format(fmt::runtime(check), "setup_rising");
        cells += fmt::format(fmt::runtime(check), "hold_rising");
        cells += "    }\n";
      }
    }
    cells += "  }\n";
  }
  std::string lib = "/* Generated by dnngen: the SRAM macros of the design as ideal registers. */\n";
  lib += "library (dnngen_sram_macros) {\n";
  lib += "  delay_model : table_lookup;\n";
  lib += "  time_unit : \"1ns\";\n  voltage_unit : \"1V\";\n  current_unit : \"1mA\";\n";
  lib += "  pulling_resistance_unit : \"1kohm\";\n  leakage_power_unit : \"1nW\";\n";
  lib += "  capacitive_load_unit (1, pf);\n";
  for (const char* edge : {"rise", "fall"}) {
    lib += fmt::format("  input_threshold_pct_{0} : 50;\n  output_threshold_pct_{0} : 50;\n", edge);
    lib += fmt::format("  slew_lower_threshold_pct_{0} : 20;\n  slew_upper_threshold_pct_{0} : 80;\n", edge);
  }
  for (int64_t w : widths) {
    lib += fmt::format(
        "  type (bus{0}) {{ base_type : array; data_type : bit; bit_width : {0}; "
        "bit_from : {1}; bit_to : 0; downto : true; }}\n",
        w, w - 1);
  }
  return lib + cells + "}\n";
}

std::string sta_script(const AsicReport& a, const std::string& top) {
  std::string s = "# Generated by dnngen: static timing of the flat mapped netlist.\n";
  s += sta_setup(a, top, kClockPeriodNs);
  s += fmt::format("report_checks -path_delay max -fields {{net}} -digits 3 > {}\n", kStaPaths);
  s += R"(# Machine-readable summary of the worst path (OpenSTA reports times in seconds).
proc dnngen_net_of {pin} {
  set net [$pin net]
  if {$net == "NULL"} { return [get_full_name $pin] }
  return [get_full_name $net]
}
set dnngen_ends [find_timing_paths -path_delay max]
if {[llength $dnngen_ends] == 0} {
  puts "dnngen_no_path"
} else {
  set pe [lindex $dnngen_ends 0]
  puts "dnngen_slack [$pe slack]"
  set pins [[$pe path] pins]
  set from ""
  foreach pin [lreverse $pins] {
    if {[get_full_name $pin] == "clk_i"} { continue }
    if {[$pin is_driver]} { set from [dnngen_net_of $pin]; break }
  }
  puts "dnngen_from $from"
  set endpin [lindex $pins 0]
  set to [get_full_name $endpin]
  if {![$endpin is_top_level_port]} {
    # The register's name is the net on its output; Yosys names unused outputs
    # (QN) and internal nets _N_.
    set named {}
    set all {}
    foreach pin [get_pins -of_objects [$endpin instance]] {
      if {![$pin is_driver] || [$pin net] == "NULL"} { continue }
      set name [dnngen_net_of $pin]
      lappend all $name
      if {![regexp {^_[0-9]+_$} $name]} { lappend named $name }
    }
    if {[llength $named] == 1} {
      set to [lindex $named 0]
    } elseif {[llength $all] == 1} {
      set to [lindex $all 0]
    }
  }
  puts "dnngen_to $to"
}
)";
  return s;
}

struct StaResult {
  bool has_path = false;
  double slack_ns = 0;
  std::string from, to;
  std::vector<std::string> warnings;
};

StaResult parse_sta_log(const fs::path& log, const std::string& what) {
  StaResult r;
  bool slack = false;
  for (const std::string& line : read_sta_log(log, what, r.warnings)) {
    if (starts_with(line, "dnngen_slack ")) {
      r.slack_ns = std::stod(line.substr(13)) * 1e9;
      slack = r.has_path = true;
    } else if (starts_with(line, "dnngen_from ")) {
      r.from = line.substr(12);
    } else if (starts_with(line, "dnngen_to ")) {
      r.to = line.substr(10);
    } else if (line == "dnngen_no_path") {
      slack = true;
    }
  }
  if (!slack) {
    throw ToolError(
        fmt::format("sta (OpenSTA) printed no timing summary during {}; see the log {}", what, log.string()));
  }
  return r;
}

// Per-module area from the hierarchical netlist, priced with the Liberty areas.
void add_asic_modules(const Netlist& netlist, const Census& census, const Liberty& lib,
                      const SynthOptions& options, SynthReport& report) {
  AsicReport& a = report.asic;
  std::set<std::string> unknown;
  const auto rows =
      module_rows<AsicModule>(netlist, census, options.categories, false,
                              [&](AsicModule& row, const NetModule&, const NetCell& cell, int64_t count) {
                                const auto it = lib.cells.find(cell.type);
                                if (it == lib.cells.end()) {
                                  unknown.insert(cell.type);
                                  return;
                                }
                                row.cells += count;
                                row.area_um2 += static_cast<double>(count) * it->second.area;
                                if (it->second.sequential) row.flip_flops += count;
                                a.cells_by_type[cell.type] += count;
                              });
  for (AsicModule row : rows) {
    if (row.category == "sram") {
      row.area_um2 = a.sram_area_um2;
    } else {
      a.cells += row.cells;
      a.flip_flops += row.flip_flops;
      a.cell_area_um2 += row.area_um2;
    }
    a.modules.push_back(row);
  }
  std::sort(a.modules.begin(), a.modules.end(),
            [](const AsicModule& x, const AsicModule& y) { return x.area_um2 > y.area_um2; });
  for (const auto& type : unknown) {
    report.warnings.push_back("dnngen: cell type " + type + " is not in the Liberty file (no area)");
  }
}

}  // namespace

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tcl_quoted(const std::string& path) {
  if (path.find_first_of("{}\\\n") != std::string::npos) {
    throw InputError(fmt::format("file name '{}' contains a brace, backslash or newline", path));
  }
  return "{" + path + "}";
}

std::string sta_setup(const AsicReport& a, const std::string& top, double period_ns) {
  std::string s = fmt::format("read_liberty {}\n", tcl_quoted(a.liberty));
  s += fmt::format("read_liberty {}\n", kSramLib);
  s += fmt::format("read_verilog {}\n", kStaNetlist);
  s += fmt::format("link_design {}\n", top);
  s += "# One clock on clk_i. Ports are registered outside the engine on the same clock:\n";
  s += "# inputs change at the clock edge, driven by the library's smallest inverter;\n";
  s += "# outputs must arrive by the next edge and drive four such inverters. The\n";
  s += "# asynchronous reset is not timed (it is synchronised outside).\n";
  s += fmt::format("create_clock -name clk -period {:.6g} [get_ports clk_i]\n", period_ns);
  s += "set dnngen_inputs [delete_from_list [all_inputs] [get_ports {clk_i rst_ni}]]\n";
  s += "set_input_delay 0 -clock clk $dnngen_inputs\n";
  s += fmt::format("set_driving_cell -lib_cell {} $dnngen_inputs\n", a.inverter_cell);
  s += "set_output_delay 0 -clock clk [all_outputs]\n";
  s += fmt::format("set_load {:.6g} [all_outputs]\n", a.output_load);
  s += "set_false_path -from [get_ports rst_ni]\n";
  return s;
}

std::vector<std::string> read_sta_log(const fs::path& log, const std::string& what,
                                      std::vector<std::string>& warnings) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  std::set<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    if (starts_with(line, "Error")) {
      throw ToolError(
          fmt::format("sta (OpenSTA) failed during {}; see the log {}: {}", what, log.string(), line));
    }
    if (starts_with(line, "Warning") && seen.insert(line).second && warnings.size() < 10) {
      warnings.push_back("sta: " + line);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

Liberty load_asic_liberty(const SynthOptions& options) {
  std::string path = options.liberty;
  if (path.empty()) {
    path = default_liberty();
    if (!fs::exists(path)) {
      throw ToolError(
          fmt::format("the default Liberty file {} is not installed (Debian package qflow-tech-osu018); "
                      "install it or pass --liberty FILE",
                      path));
    }
  }
  Liberty lib = read_liberty(path);
  if (smallest_inverter(lib) == nullptr || smallest_nand2(lib) == nullptr) {
    throw InputError(fmt::format("Liberty file {} (library {}) has no usable inverter or 2-input NAND cell",
                                 path, lib.name));
  }
  lib.path = fs::absolute(path).string();
  return lib;
}

std::string asic_script(const config::Config& cfg, const SynthOptions& options) {
  const std::string top = synth_design(cfg, options).top;
  const std::string lib =
      eda::quoted(fs::absolute(options.liberty.empty() ? default_liberty() : options.liberty).string());
  std::string s = yosys_front(cfg, options);
  s += blackbox_srams();
  s += "synth -top " + top + "\n";
  s += "design -save generic\n";
  s += "# 1. Area breakdown: hierarchy kept, each module mapped once.\n";
  s += "dfflibmap -liberty " + lib + "\n";
  s += "abc -liberty " + lib + "\n";
  s += "opt_clean\n";
  s += fmt::format("tee -q -o {} stat -liberty {}\n", kStatHier, lib);
  s += fmt::format("write_json {}\n", kNetlistName);
  s += "# 2. Timing netlist: flattened, so that ABC buffers high-fanout nets and sizes gates\n";
  s += "#    (driving cell and load in abc.constr).\n";
  s += "design -load generic\n";
  s += "flatten\n";
  s += "dfflibmap -liberty " + lib + "\n";
  s += fmt::format("abc -liberty {} -constr {}\n", lib, kConstr);
  s += "opt_clean -purge\n";
  s += fmt::format("tee -q -o {} stat -liberty {}\n", kStatFlat, lib);
  s += fmt::format("write_verilog -noattr -noexpr -simple-lhs {}\n", kFlatNetlist);
  return s;
}

void run_asic(const config::Config& cfg, const SynthOptions& options, const Liberty& lib,
              const fs::path& work, SynthReport& report) {
  for (const char* stale :
       {kNetlistName, kStatHier, kStatFlat, kFlatNetlist, kStaNetlist, kSramLib, kStaLog, kStaPaths}) {
    fs::remove(work / stale);
  }
  AsicReport& a = report.asic;
  a.liberty = lib.path;
  a.library = lib.name;
  a.default_liberty = options.liberty.empty();
  a.capacitance_unit = lib.capacitance_unit;
  const LibertyCell* inv = smallest_inverter(lib);
  const LibertyCell* nand2 = smallest_nand2(lib);
  a.inverter_cell = inv->name;
  a.nand2_cell = nand2->name;
  a.nand2_area_um2 = nand2->area;
  for (const auto& pin : inv->pins) {
    if (pin.direction == "input") a.inverter_input_cap = pin.capacitance;
  }
  a.output_load = kFanoutLoad * a.inverter_input_cap;
  a.clock_period_ns = kClockPeriodNs;

  eda::write_text(work / kConstr,
                  fmt::format("set_driving_cell {}\nset_load {:.6g}\n", a.inverter_cell, a.output_load));
  report.yosys_seconds = eda::run_yosys(work, kScriptName, asic_script(cfg, options), kLogName,
                                        "synthesis of " + cfg.name + " to " + lib.path);
  add_log_warnings(work / kLogName, report, kBenignAsicWarnings);

  const Netlist netlist = eda::load_netlist(work / kNetlistName);
  const NetModule& top = eda::find_top(netlist, report.top, work / kNetlistName);
  Census census = take_census(netlist, top, report);
  add_macros(census, report);
  a.sram_area_um2 = report.sram_nand2_eq * a.nand2_area_um2;
  add_asic_modules(netlist, census, lib, options, report);
  const double yosys_area = chip_area(work / kStatHier, report.top);
  if (std::abs(yosys_area - a.cell_area_um2) > 1e-6 * std::max(1.0, yosys_area)) {
    report.warnings.push_back(fmt::format(
        "dnngen: module areas add up to {:.1f} um^2, Yosys stat says {:.1f}", a.cell_area_um2, yosys_area));
  }
  a.flat_cell_area_um2 = chip_area(work / kStatFlat, report.top);
  a.flat_cells = stat_cells(work / kStatFlat) - static_cast<int64_t>(census.macros.size());

  // The flat netlist with the SRAM macros renamed to the cells of sram_macros.lib.
  std::vector<const NetModule*> macros;
  std::string verilog = slurp(work / kFlatNetlist);
  for (const auto& [name, mod] : netlist) {
    if (!mod.macro || census.instances.count(name) == 0) continue;
    macros.push_back(&mod);
    const std::string cell = macro_cell_name(mod);
    if (cell == mod.name) continue;
    const std::string escaped = "\\" + mod.name + " ";
    for (size_t at = verilog.find(escaped); at != std::string::npos; at = verilog.find(escaped, at)) {
      verilog.replace(at, escaped.size(), cell + " ");
      at += cell.size() + 1;
    }
  }
  eda::write_text(work / kStaNetlist, verilog);
  verilog.clear();
  eda::write_text(work / kSramLib, sram_liberty(macros));

  a.sta_script = (work / kStaScript).string();
  a.sta_log = (work / kStaLog).string();
  a.sta_paths = (work / kStaPaths).string();
  eda::write_text(work / kStaScript, sta_script(a, report.top));
  const std::string what = "static timing of " + cfg.name;
  a.sta_seconds = eda::run_checked({"sta", "-no_splash", "-exit", kStaScript}, work, work / kStaLog, what);
  const StaResult sta = parse_sta_log(work / kStaLog, what);
  report.warnings.insert(report.warnings.end(), sta.warnings.begin(), sta.warnings.end());
  if (!sta.has_path) {
    report.warnings.push_back("dnngen: OpenSTA found no constrained path (no Fmax)");
    return;
  }
  a.worst_slack_ns = sta.slack_ns;
  a.critical_path_ns = kClockPeriodNs - sta.slack_ns;
  a.fmax_mhz = a.critical_path_ns > 0 ? 1000.0 / a.critical_path_ns : 0;
  a.critical_from = sta.from;
  a.critical_to = sta.to;
}

// ---------------------------------------------------------------- output

namespace {

// With --shell: the cell area outside the engine core (rows of category shell).
double asic_shell_logic_um2(const SynthReport& r) {
  double sum = 0;
  for (const auto& m : r.asic.modules) sum += m.category == "shell" ? m.area_um2 : 0.0;
  return sum;
}

}  // namespace

nlohmann::json asic_json(const SynthReport& r) {
  const AsicReport& a = r.asic;
  nlohmann::json j;
  j["liberty"] = a.liberty;
  j["library"] = a.library;
  j["default_liberty"] = a.default_liberty;
  j["nand2_cell"] = a.nand2_cell;
  j["nand2_area_um2"] = a.nand2_area_um2;
  j["cells"] = a.cells;
  j["flip_flops"] = a.flip_flops;
  j["cells_by_type"] = a.cells_by_type;
  j["area_um2"] = {{"logic", a.cell_area_um2},
                   {"logic_nand2_eq", a.nand2_area_um2 > 0 ? a.cell_area_um2 / a.nand2_area_um2 : 0},
                   {"sram", a.sram_area_um2},
                   {"total", a.cell_area_um2 + a.sram_area_um2},
                   {"flat_logic", a.flat_cell_area_um2}};
  j["flat_cells"] = a.flat_cells;
  j["timing"] = {{"tool", "OpenSTA"},
                 {"clock_port", "clk_i"},
                 {"clock_period_ns", a.clock_period_ns},
                 {"input_delay_ns", 0.0},
                 {"output_delay_ns", 0.0},
                 {"driving_cell", a.inverter_cell},
                 {"output_load", a.output_load},
                 {"capacitance_unit", a.capacitance_unit},
                 {"worst_slack_ns", a.worst_slack_ns},
                 {"critical_path_ns", a.critical_path_ns},
                 {"fmax_mhz", a.fmax_mhz},
                 {"from", a.critical_from},
                 {"to", a.critical_to},
                 {"sta_seconds", a.sta_seconds},
                 {"script", a.sta_script},
                 {"log", a.sta_log},
                 {"paths", a.sta_paths}};
  if (!r.engine_core.empty()) {
    const double logic = asic_shell_logic_um2(r), sram = shell_sram_nand2_eq(r) * a.nand2_area_um2;
    j["shell"] = {{"engine_core", r.engine_core},
                  {"logic_um2", logic},
                  {"sram_um2", sram},
                  {"total_um2", logic + sram}};
  }
  j["modules"] = nlohmann::json::array();
  for (const auto& m : a.modules) {
    j["modules"].push_back({{"module", m.module},
                            {"category", m.category},
                            {"instances", m.instances},
                            {"cells", m.cells},
                            {"flip_flops", m.flip_flops},
                            {"area_um2", m.area_um2}});
  }
  return j;
}

std::string asic_table(const SynthReport& r) {
  const AsicReport& a = r.asic;
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  const double total = a.cell_area_um2 + a.sram_area_um2;
  auto pct = [total](double v) { return total > 0 ? 100.0 * v / total : 0.0; };
  line(fmt::format("synth {} (target asic, top {}): Yosys {:.1f} s, OpenSTA {:.1f} s", r.config_name, r.top,
                   r.yosys_seconds, a.sta_seconds));
  line(fmt::format("  library          {} ({}{})", a.library, a.liberty,
                   a.default_liberty ? ", default" : ""));
  line(fmt::format("  cells            {:>12}  ({} flip-flops)", a.cells, a.flip_flops));
  line(fmt::format("  logic area       {:>12.1f}  um^2  ({:.0f} x {} = NAND2-eq)", a.cell_area_um2,
                   a.nand2_area_um2 > 0 ? a.cell_area_um2 / a.nand2_area_um2 : 0.0, a.nand2_cell));
  line(fmt::format("  SRAM area        {:>12.1f}  um^2  ({} bits; model: {:.0f} NAND2-eq x {} area)",
                   a.sram_area_um2, r.sram_bits, r.sram_nand2_eq, a.nand2_cell));
  line(fmt::format("  total area       {:>12.1f}  um^2  ({:.4f} mm^2)", total, total / 1e6));
  if (!r.engine_core.empty()) {
    const double logic = asic_shell_logic_um2(r), sram = shell_sram_nand2_eq(r) * a.nand2_area_um2;
    line(fmt::format(
        "  of which shell   {:>12.1f}  um^2  ({:.1f} %: logic {:.1f}, SRAM {:.1f}; the rest is {})",
        logic + sram, pct(logic + sram), logic, sram, r.engine_core));
  }
  line(fmt::format("  flat netlist     {:>12.1f}  um^2  ({} cells, buffered; the netlist timed)",
                   a.flat_cell_area_um2, a.flat_cells));
  line(fmt::format("  critical path    {:>12.3f}  ns    (Fmax {:.1f} MHz)", a.critical_path_ns, a.fmax_mhz));
  line(fmt::format("    from {}", a.critical_from));
  line(fmt::format("    to   {}", a.critical_to));
  line("");
  line(fmt::format("  {:<26} {:<8} {:>6} {:>9} {:>7} {:>13} {:>6}", "module", "category", "inst", "cells",
                   "flops", "um^2", "share"));
  for (const auto& m : a.modules) {
    line(fmt::format("  {:<26} {:<8} {:>6} {:>9} {:>7} {:>13.1f} {:>5.1f}%", m.module, m.category,
                     m.instances, m.cells, m.flip_flops, m.area_um2, pct(m.area_um2)));
  }
  out += sram_tables(r, total, a.nand2_area_um2);
  line("");
  for (const auto& w : r.warnings) line("  warning: " + w);
  line("  log: " + r.log_path);
  line("  timing: " + a.sta_paths);
  return out;
}

}  // namespace detail

std::string default_liberty() { return "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"; }

}  // namespace dnngen::synth
