// The census of a synthesized design: how many times each module is instantiated,
// which SRAM macros it holds, and the category of each RTL module.
#include "synth_internal.hpp"

namespace dnngen::synth::detail {
namespace {

std::string instance_name(const std::string& cell_name) {
  return (!cell_name.empty() && cell_name[0] == '\\') ? cell_name.substr(1) : cell_name;
}

}  // namespace

void walk(const Netlist& netlist, const NetModule& mod, const std::string& path, Census& census,
          bool in_shell) {
  ++census.instances[mod.name];
  if (in_shell) ++census.shell_instances[mod.name];
  for (const auto& cell : mod.cells) {
    const auto it = netlist.find(cell.type);
    if (it == netlist.end()) continue;  // a generic cell
    const std::string child_path = path + "." + instance_name(cell.name);
    if (it->second.macro) {
      ++census.instances[it->second.name];
      census.macros.emplace_back(child_path, &it->second);
      if (in_shell) census.shell_macros.insert(child_path);
    } else if (it->second.blackbox) {
      census.other_blackboxes.insert(it->second.base);
    } else {
      walk(netlist, it->second, child_path, census, in_shell && it->second.base != census.engine_core);
    }
  }
}

std::string category_of(const std::string& base, const std::map<std::string, std::string>& overrides) {
  if (const auto it = overrides.find(base); it != overrides.end()) return it->second;
  auto ends_with = [&](const std::string& suffix) {
    return base.size() >= suffix.size() &&
           base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (base == eda::kSramModule) return "sram";
  // The naming convention every engine follows; what it does not place (an engine's
  // multiplier, arithmetic unit, ...) comes in as overrides from the engine.
  if (ends_with("_pe") || base == "dnn_adder_tree") return "pe";
  if (ends_with("_array")) return "array";
  if (base == "dnn_delay" || base == "dnn_fifo") return "skew";
  return "control";
}

}  // namespace dnngen::synth::detail
