// The generic target: Yosys `synth` to technology-independent gates. By default each
// distinct module is synthesized once, alone (per_module.cpp), so a 16x16 array costs one
// PE, not 256, and the grid that only wires PEs together costs no synthesis at all; with
// SynthOptions::flat, one run over the flattened design. Everything else is computed here
// from the netlist: per-module and flattened cell counts, NAND2 equivalents, the SRAM
// macros and the logic depth. docs/synthesis.md explains the choices.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "dnngen/common/error.hpp"
#include "dnngen/synth/area.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth::detail {
namespace {

const char* const kStatName = "stat_cmos.txt";

void add_cells(const Netlist& netlist, const Census& census, const SynthOptions& options,
               SynthReport& report) {
  std::set<std::string> unknown_types;
  const auto rows =
      module_rows<ModuleStats>(netlist, census, options.categories, false,
                               [&](ModuleStats& row, const NetModule&, const NetCell& cell, int64_t count) {
                                 const double eq = nand2_equivalents(cell.type);
                                 if (eq < 0) unknown_types.insert(cell.type);
                                 row.cells += count;
                                 row.nand2_eq += count * std::max(eq, 0.0);
                                 report.cells_by_type[cell.type] += count;
                                 if (is_storage_cell(cell.type)) {
                                   (is_latch(cell.type) ? report.latches : row.flip_flops) += count;
                                 }
                               });
  for (ModuleStats row : rows) {
    if (row.category == "sram") {
      for (const auto& m : report.srams) row.nand2_eq += m.nand2_eq;
    }
    report.cells += (row.category == "sram") ? 0 : row.cells;
    report.flip_flops += row.flip_flops;
    report.logic_nand2_eq += (row.category == "sram") ? 0 : row.nand2_eq;
    report.modules.push_back(row);
  }
  std::sort(report.modules.begin(), report.modules.end(),
            [](const ModuleStats& a, const ModuleStats& b) { return a.nand2_eq > b.nand2_eq; });
  for (const auto& type : unknown_types) {
    report.warnings.push_back("dnngen: no NAND2-eq area for cell type " + type + " (counted as 0)");
  }
  if (report.latches > 0) {
    report.warnings.push_back(fmt::format("dnngen: {} latch bits inferred", report.latches));
  }
}

}  // namespace

// "Estimated number of transistors: 99536+" of the design hierarchy section (the
// last one printed). Yosys 0.23's `stat -json` is not valid JSON (it prints the
// hierarchy tree inside it, or a trailing comma without one), so the text is parsed.
std::optional<std::pair<int64_t, bool>> parse_transistors(const fs::path& stat_path) {
  std::ifstream in(stat_path);
  std::string line, last;
  const std::string key = "Estimated number of transistors:";
  while (std::getline(in, line)) {
    if (line.find(key) != std::string::npos) last = line;
  }
  if (last.empty()) return std::nullopt;
  std::string value = last.substr(last.find(key) + key.size());
  value.erase(0, value.find_first_not_of(" \t"));
  return std::make_pair(int64_t{std::stoll(value)}, value.find('+') != std::string::npos);
}

std::string flat_ltp_lines(const std::string& top, const std::string& file) {
  std::string s = "# Cross-check of the hierarchical logic depth: the SRAM read is registered,\n";
  s += "# so macros are removed rather than seen as combinational paths.\n";
  s += "flatten\n";
  s += fmt::format("delete t:*{}\n", eda::kSramModule);
  s += fmt::format("tee -q -o {} ltp -noff {}\n", file, top);
  return s;
}

int parse_flat_ltp(const fs::path& path, const std::string& top) {
  std::ifstream in(path);
  std::string line;
  const std::string key = "Longest topological path in " + top + " (length=";
  while (std::getline(in, line)) {
    const size_t at = line.find(key);
    if (at != std::string::npos) return std::stoi(line.substr(at + key.size()));
  }
  throw ToolError("yosys ltp printed no path length; see " + path.string());
}

// --flat: one run, the design flattened before synthesis (`synth -flatten`), so ABC and
// the opt passes work across module boundaries. Without it, the census script.
std::string generic_script(const config::Config& cfg, const SynthOptions& options) {
  if (!options.flat) return census_script(cfg, options);
  const std::string top = synth_design(cfg, options).top;
  std::string s = yosys_front(cfg, options);
  s += blackbox_srams();
  s += "# --flat: flattened before synthesis, optimized across module boundaries.\n";
  s += "synth -flatten -top " + top + "\n";
  s += fmt::format("tee -q -o {} stat -tech cmos\n", kStatName);
  s += fmt::format("write_json {}\n", kNetlistName);
  if (options.flat_ltp) s += flat_ltp_lines(top, kLtpName);
  return s;
}

void run_generic(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                 SynthReport& report) {
  for (const char* stale : {kNetlistName, kStatName, kLtpName}) fs::remove(work / stale);
  Netlist netlist;
  Transistors transistors;
  if (options.flat) {
    report.yosys_seconds = eda::run_yosys(work, kScriptName, generic_script(cfg, options), kLogName,
                                          "flat synthesis of " + cfg.name);
    add_log_warnings(work / kLogName, report);
    netlist = eda::load_netlist(work / kNetlistName);
  } else {
    netlist = run_hierarchical(cfg, options, work, report, transistors);
  }

  const fs::path netlist_path = work / (options.flat ? kNetlistName : kCensusJson);
  const NetModule& top = eda::find_top(netlist, report.top, netlist_path);
  Census census = take_census(netlist, top, report);
  add_macros(census, report);
  for (const auto& name : census.other_blackboxes) {
    report.warnings.push_back("dnngen: black box " + name + " has no area model (counted as 0)");
  }
  add_cells(netlist, census, options, report);
  if (options.flat) {
    const auto count = parse_transistors(work / kStatName);
    if (!count) transistors.missing.push_back((work / kStatName).string());
    if (count) std::tie(report.transistors, report.transistors_lower_bound) = *count;
  } else {
    for (const auto& [name, count] : transistors.per_module)
      report.transistors += census.instances[name] * count;
    report.transistors_lower_bound = transistors.lower_bound;
  }
  for (const auto& path : transistors.missing) {
    report.warnings.push_back("dnngen: no transistor estimate in " + path);
  }
  report.total_nand2_eq = report.logic_nand2_eq + report.sram_nand2_eq;

  const LogicDepth depth = logic_depth(netlist, top);
  report.logic_depth = depth.depth;
  for (const auto& mod : depth.loops) {
    report.warnings.push_back("dnngen: combinational loop in " + mod + " (left out of the logic depth)");
  }
  if (options.flat && options.flat_ltp) report.flat_ltp_depth = parse_flat_ltp(work / kLtpName, report.top);
}

// ---------------------------------------------------------------- output

namespace {

// With --shell: the NAND2-eq of the logic outside the engine core (rows of category shell).
double shell_logic_nand2_eq(const SynthReport& r) {
  double sum = 0;
  for (const auto& m : r.modules) sum += m.category == "shell" ? m.nand2_eq : 0.0;
  return sum;
}

}  // namespace

nlohmann::json generic_json(const SynthReport& r) {
  nlohmann::json j;
  j["cells"] = r.cells;
  j["cells_by_type"] = r.cells_by_type;
  j["flip_flops"] = r.flip_flops;
  j["latches"] = r.latches;
  j["transistors"] = r.transistors;
  j["transistors_lower_bound"] = r.transistors_lower_bound;
  j["logic_depth"] = r.logic_depth;
  if (r.flat_ltp_depth >= 0) j["flat_ltp_depth"] = r.flat_ltp_depth;
  j["area"] = {{"unit", "NAND2-eq"},
               {"nand2_um2", kNand2AreaUm2},
               {"logic", r.logic_nand2_eq},
               {"sram", r.sram_nand2_eq},
               {"total", r.total_nand2_eq}};
  if (!r.engine_core.empty()) {
    const double logic = shell_logic_nand2_eq(r), sram = shell_sram_nand2_eq(r);
    j["area"]["shell"] = {
        {"engine_core", r.engine_core}, {"logic", logic}, {"sram", sram}, {"total", logic + sram}};
  }
  j["sram"] = sram_json(r);
  j["modules"] = nlohmann::json::array();
  for (const auto& m : r.modules) {
    j["modules"].push_back({{"module", m.module},
                            {"category", m.category},
                            {"instances", m.instances},
                            {"cells", m.cells},
                            {"flip_flops", m.flip_flops},
                            {"nand2_eq", m.nand2_eq}});
  }
  return j;
}

std::string generic_table(const SynthReport& r) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  auto pct = [&r](double v) { return r.total_nand2_eq > 0 ? 100.0 * v / r.total_nand2_eq : 0.0; };
  line(fmt::format("synth {} (target {}, top {}): Yosys {:.1f} s", r.config_name, r.target, r.top,
                   r.yosys_seconds));
  line(fmt::format("  generic cells    {:>12}", r.cells));
  line(fmt::format("  flip-flops       {:>12}", r.flip_flops));
  line(fmt::format("  transistors      {:>12}{}", r.transistors,
                   r.transistors_lower_bound ? "+  (Yosys cmos model: gates and plain flops only)" : ""));
  line(fmt::format(
      "  logic depth      {:>12}  gates{}", r.logic_depth,
      r.flat_ltp_depth >= 0 ? fmt::format(" (Yosys flat ltp: {})", r.flat_ltp_depth) : std::string()));
  line(fmt::format("  logic area       {:>12.0f}  NAND2-eq", r.logic_nand2_eq));
  line(fmt::format("  SRAM area        {:>12.0f}  NAND2-eq  ({} bits, {:.0f} um^2 at 45 nm)", r.sram_nand2_eq,
                   r.sram_bits, r.sram_area_um2));
  line(fmt::format("  total area       {:>12.0f}  NAND2-eq  ({:.3f} mm^2 at 45 nm)", r.total_nand2_eq,
                   r.total_nand2_eq * kNand2AreaUm2 / 1e6));
  if (!r.engine_core.empty()) {
    const double logic = shell_logic_nand2_eq(r), sram = shell_sram_nand2_eq(r);
    line(fmt::format(
        "  of which shell   {:>12.0f}  NAND2-eq  ({:.1f} %: logic {:.0f}, SRAM {:.0f}; the rest is {})",
        logic + sram, pct(logic + sram), logic, sram, r.engine_core));
  }
  line("");
  line(fmt::format("  {:<26} {:<8} {:>6} {:>9} {:>7} {:>11} {:>6}", "module", "category", "inst", "cells",
                   "flops", "NAND2-eq", "share"));
  for (const auto& m : r.modules) {
    line(fmt::format("  {:<26} {:<8} {:>6} {:>9} {:>7} {:>11.0f} {:>5.1f}%", m.module, m.category,
                     m.instances, m.cells, m.flip_flops, m.nand2_eq, pct(m.nand2_eq)));
  }
  out += sram_tables(r, r.total_nand2_eq, 0.0);
  line("");
  std::string types;
  for (const auto& [type, count] : r.cells_by_type) {
    types += fmt::format("{}{} {}", types.empty() ? "" : ", ", type, count);
  }
  line("  cells by type: " + types);
  for (const auto& w : r.warnings) line("  warning: " + w);
  line("  log: " + r.log_path);
  return out;
}

}  // namespace dnngen::synth::detail
