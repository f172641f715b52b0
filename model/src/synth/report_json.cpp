// synth::from_json: a synthesis report read back from the JSON `dnngen synth --json`
// wrote, so a sweep point synthesized in another process (exec/batch.hpp: a local worker
// or a Slurm task) gives the sweep the same report as one synthesized in place.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "dnngen/common/error.hpp"
#include "dnngen/synth/synth.hpp"

namespace dnngen::synth {
namespace {

using nlohmann::json;

template <typename T>
void read(const json& j, const char* key, T& into) {
  const auto it = j.find(key);
  if (it != j.end() && !it->is_null()) into = it->get<T>();
}

void read_srams(const json& j, SynthReport& r) {
  if (!j.contains("sram")) return;
  const json& s = j["sram"];
  read(s, "bits", r.sram_bits);
  read(s, "area_um2", r.sram_area_um2);
  for (const auto& m : s.value("macros", json::array())) {
    SramMacro macro;
    read(m, "path", macro.path);
    read(m, "depth", macro.depth);
    read(m, "width", macro.width);
    read(m, "bits", macro.bits);
    read(m, "in_shell", macro.in_shell);
    read(m, "area_um2", macro.area_um2);
    read(m, "nand2_eq", macro.nand2_eq);
    r.srams.push_back(macro);
  }
}

void read_generic(const json& j, SynthReport& r) {
  read(j, "cells", r.cells);
  read(j, "cells_by_type", r.cells_by_type);
  read(j, "flip_flops", r.flip_flops);
  read(j, "latches", r.latches);
  read(j, "transistors", r.transistors);
  read(j, "transistors_lower_bound", r.transistors_lower_bound);
  read(j, "logic_depth", r.logic_depth);
  read(j, "flat_ltp_depth", r.flat_ltp_depth);
  if (j.contains("area")) {
    read(j["area"], "logic", r.logic_nand2_eq);
    read(j["area"], "sram", r.sram_nand2_eq);
    read(j["area"], "total", r.total_nand2_eq);
    if (j["area"].contains("shell")) read(j["area"]["shell"], "engine_core", r.engine_core);
  }
  for (const auto& m : j.value("modules", json::array())) {
    ModuleStats row;
    read(m, "module", row.module);
    read(m, "category", row.category);
    read(m, "instances", row.instances);
    read(m, "cells", row.cells);
    read(m, "flip_flops", row.flip_flops);
    read(m, "nand2_eq", row.nand2_eq);
    r.modules.push_back(row);
  }
}

void read_asic(const json& a, SynthReport& r) {
  AsicReport& x = r.asic;
  read(a, "liberty", x.liberty);
  read(a, "library", x.library);
  read(a, "default_liberty", x.default_liberty);
  read(a, "nand2_cell", x.nand2_cell);
  read(a, "nand2_area_um2", x.nand2_area_um2);
  read(a, "cells", x.cells);
  read(a, "flip_flops", x.flip_flops);
  read(a, "cells_by_type", x.cells_by_type);
  read(a, "flat_cells", x.flat_cells);
  if (a.contains("area_um2")) {
    read(a["area_um2"], "logic", x.cell_area_um2);
    read(a["area_um2"], "sram", x.sram_area_um2);
    read(a["area_um2"], "flat_logic", x.flat_cell_area_um2);
  }
  if (a.contains("timing")) {
    const json& t = a["timing"];
    read(t, "clock_period_ns", x.clock_period_ns);
    read(t, "driving_cell", x.inverter_cell);
    read(t, "output_load", x.output_load);
    read(t, "capacitance_unit", x.capacitance_unit);
    read(t, "worst_slack_ns", x.worst_slack_ns);
    read(t, "critical_path_ns", x.critical_path_ns);
    read(t, "fmax_mhz", x.fmax_mhz);
    read(t, "from", x.critical_from);
    read(t, "to", x.critical_to);
    read(t, "sta_seconds", x.sta_seconds);
    read(t, "script", x.sta_script);
    read(t, "log", x.sta_log);
    read(t, "paths", x.sta_paths);
  }
  if (a.contains("shell")) read(a["shell"], "engine_core", r.engine_core);
  for (const auto& m : a.value("modules", json::array())) {
    AsicModule row;
    read(m, "module", row.module);
    read(m, "category", row.category);
    read(m, "instances", row.instances);
    read(m, "cells", row.cells);
    read(m, "flip_flops", row.flip_flops);
    read(m, "area_um2", row.area_um2);
    x.modules.push_back(row);
  }
}

}  // namespace

SynthReport from_json(const nlohmann::json& j) {
  try {
    SynthReport r;
    read(j, "config", r.config_name);
    read(j, "target", r.target);
    read(j, "top", r.top);
    const json parameters = j.value("parameters", json::object());
    for (const auto& [name, value] : parameters.items())
      r.parameters.emplace_back(name, value.get<int64_t>());
    if (r.target == "asic" && j.contains("asic")) read_asic(j["asic"], r);
    if (r.target == "generic") read_generic(j, r);
    read_srams(j, r);
    // The SRAM model's NAND2-eq in every target (the asic target prices it in its library).
    if (r.target != "generic") {
      for (const auto& m : r.srams) r.sram_nand2_eq += m.nand2_eq;
    }
    read(j, "yosys_seconds", r.yosys_seconds);
    read(j, "total_seconds", r.total_seconds);
    read(j, "work_dir", r.work_dir);
    read(j, "script", r.script_path);
    read(j, "log", r.log_path);
    read(j, "warnings", r.warnings);
    return r;
  } catch (const json::exception& e) {
    throw ToolError(fmt::format("a synthesis report (JSON) does not read back: {}", e.what()));
  }
}

}  // namespace dnngen::synth
