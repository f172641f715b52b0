// The area model: NAND2 equivalents of Yosys's generic cells and the SRAM macros
// (their area, roles and report tables). docs/synthesis.md has the tables' sources.
#include "dnngen/synth/area.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "dnngen/common/error.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth {
namespace detail {

// ---------------------------------------------------------------- SRAM macros

std::string sram_role(const std::string& path) {
  const auto dot = path.find('.');
  std::string role = dot == std::string::npos ? path : path.substr(dot + 1);
  static const std::regex index(R"(\[[0-9]+\])");
  return std::regex_replace(role, index, "[*]");
}

std::map<std::string, SramRole> sram_roles(const SynthReport& r) {
  std::map<std::string, SramRole> roles;
  for (const auto& m : r.srams) {
    SramRole& g = roles[sram_role(m.path)];
    ++g.instances;
    g.depth = m.depth;  // the last one's shape: equal within a role in every engine here
    g.width = m.width;
    g.bits += m.bits;
    g.nand2_eq += m.nand2_eq;
  }
  return roles;
}

std::string sram_tables(const SynthReport& r, double total, double um2_per_nand2) {
  if (r.srams.empty()) return "";
  const auto roles = sram_roles(r);
  const bool um2 = um2_per_nand2 > 0;
  const double scale = um2 ? um2_per_nand2 : 1.0;
  const char* unit = um2 ? "um^2" : "NAND2-eq";
  std::string out = "\n";
  out += fmt::format("  {:<40} {:>5} {:>7} {:>6} {:>9} {:>13} {:>6}\n", "SRAM by role", "inst", "depth",
                     "width", "bits", unit, "share");
  for (const auto& [role, g] : roles) {
    const double area = g.nand2_eq * scale;
    out += fmt::format("  {:<40} {:>5} {:>7} {:>6} {:>9} {:>13.1f} {:>5.1f}%\n", role, g.instances, g.depth,
                       g.width, g.bits, area, total > 0 ? 100.0 * area / total : 0.0);
  }
  // Per macro only when short enough to read; the JSON report always lists every one.
  constexpr size_t kMaxMacroRows = 16;
  if (r.srams.size() > kMaxMacroRows) {
    return out + fmt::format("  ({} SRAM macros: each is listed in the --json report)\n", r.srams.size());
  }
  out += "\n";
  out += fmt::format("  {:<40} {:>7} {:>6} {:>9} {:>13}\n", "SRAM macro", "depth", "width", "bits", unit);
  for (const auto& m : r.srams) {
    out += fmt::format("  {:<40} {:>7} {:>6} {:>9} {:>13.1f}\n", m.path, m.depth, m.width, m.bits,
                       m.nand2_eq * scale);
  }
  return out;
}

void add_macros(const Census& census, SynthReport& report) {
  for (const auto& [path, mod] : census.macros) {
    SramMacro m;
    m.path = path;
    m.in_shell = census.shell_macros.count(path) > 0;
    const auto depth = mod->params.find("Depth");
    const auto width = mod->params.find("Width");
    if (depth == mod->params.end() || width == mod->params.end()) {
      throw ToolError(fmt::format("yosys netlist: SRAM {} has no Depth/Width parameters", path));
    }
    m.depth = depth->second;
    m.width = width->second;
    // Cross-check the parameters against the elaborated ports.
    for (const auto& port : mod->ports) {
      if ((port.name == "wdata_i" || port.name == "rdata_o") &&
          static_cast<int64_t>(port.bits.size()) != m.width) {
        throw ToolError(fmt::format("yosys netlist: SRAM {} has Width {} but {} is {} bits", path, m.width,
                                    port.name, port.bits.size()));
      }
    }
    m.bits = m.depth * m.width;
    m.area_um2 = static_cast<double>(m.bits) * kSramUm2PerBit;
    m.nand2_eq = m.area_um2 / kNand2AreaUm2;
    report.sram_bits += m.bits;
    report.sram_area_um2 += m.area_um2;
    report.sram_nand2_eq += m.nand2_eq;
    report.srams.push_back(std::move(m));
  }
  std::sort(report.srams.begin(), report.srams.end(),
            [](const SramMacro& a, const SramMacro& b) { return a.path < b.path; });
}

double shell_sram_nand2_eq(const SynthReport& r) {
  double sum = 0;
  for (const auto& m : r.srams) sum += m.in_shell ? m.nand2_eq : 0.0;
  return sum;
}

nlohmann::json sram_json(const SynthReport& r) {
  using nlohmann::json;
  json j = {{"bits", r.sram_bits},
            {"area_um2", r.sram_area_um2},
            {"um2_per_bit", kSramUm2PerBit},
            {"macros", json::array()}};
  j["roles"] = json::array();
  for (const auto& [role, g] : sram_roles(r)) {
    j["roles"].push_back({{"role", role},
                          {"instances", g.instances},
                          {"bits", g.bits},
                          {"area_um2", static_cast<double>(g.bits) * kSramUm2PerBit},
                          {"nand2_eq", g.nand2_eq}});
  }
  for (const auto& m : r.srams) {
    j["macros"].push_back({{"path", m.path},
                           {"depth", m.depth},
                           {"width", m.width},
                           {"bits", m.bits},
                           {"in_shell", m.in_shell},
                           {"area_um2", m.area_um2},
                           {"nand2_eq", m.nand2_eq}});
  }
  return j;
}

bool is_latch(const std::string& type) { return starts_with(type, "$_DLATCH") || starts_with(type, "$_SR_"); }

}  // namespace detail

using detail::starts_with;

// ---------------------------------------------------------------- generic cells

bool is_storage_cell(const std::string& t) {
  return starts_with(t, "$_DFF") || starts_with(t, "$_SDFF") || starts_with(t, "$_ALDFF") ||
         starts_with(t, "$_DLATCH") || starts_with(t, "$_SR_") || t == "$_FF_";
}

double nand2_equivalents(const std::string& t) {
  // Nangate 45 nm Open Cell Library, X1 drive, um^2 (NangateOpenCellLibrary typical).
  constexpr double kInv = 0.532, kBuf = 0.798, kNand2 = 0.798, kNor2 = 0.798, kAnd2 = 1.064, kOr2 = 1.064,
                   kXor2 = 1.596, kMux2 = 1.862, kAoi21 = 1.064, kAoi22 = 1.330, kTbuf = 2.128, kDff = 4.522,
                   kDffr = 5.320, kDffrs = 6.384, kLatch = 2.660;
  static const std::map<std::string, double> kCombinational = {
      {"$_BUF_", kBuf},
      {"$_NOT_", kInv},
      {"$_AND_", kAnd2},
      {"$_NAND_", kNand2},
      {"$_OR_", kOr2},
      {"$_NOR_", kNor2},
      {"$_XOR_", kXor2},
      {"$_XNOR_", kXor2},
      {"$_ANDNOT_", kInv + kNor2},  // A & ~B = NOR2(~A, B)
      {"$_ORNOT_", kInv + kNand2},  // A | ~B = NAND2(~A, B)
      {"$_MUX_", kMux2},
      {"$_NMUX_", kMux2 + kInv},
      {"$_AOI3_", kAoi21},
      {"$_OAI3_", kAoi21},  // OAI21_X1 has the same area
      {"$_AOI4_", kAoi22},
      {"$_OAI4_", kAoi22},
      {"$_MUX4_", 3 * kMux2},
      {"$_MUX8_", 7 * kMux2},
      {"$_MUX16_", 15 * kMux2},
      {"$_TBUF_", kTbuf},
  };
  double um2 = -1;
  if (auto it = kCombinational.find(t); it != kCombinational.end()) {
    um2 = it->second;
  } else if (starts_with(t, "$_DFFSRE_") || starts_with(t, "$_ALDFFE_")) {
    um2 = kDffrs + kMux2;  // set + reset flop, enable as a feedback mux
  } else if (starts_with(t, "$_DFFSR_") || starts_with(t, "$_ALDFF_")) {
    um2 = kDffrs;
  } else if (starts_with(t, "$_DFFE_")) {
    um2 = (t.size() > 10 ? kDffr : kDff) + kMux2;  // $_DFFE_PN0P_ has an async reset
  } else if (starts_with(t, "$_DFF_")) {
    um2 = t.size() > 8 ? kDffr : kDff;  // $_DFF_PN0_ has an async reset, $_DFF_P_ not
  } else if (starts_with(t, "$_SDFFE_") || starts_with(t, "$_SDFFCE_")) {
    um2 = kDff + kMux2 + kAnd2;  // synchronous reset as a gate on D
  } else if (starts_with(t, "$_SDFF_")) {
    um2 = kDff + kAnd2;
  } else if (starts_with(t, "$_DLATCHSR_")) {
    um2 = kLatch + kAnd2 + kOr2;
  } else if (starts_with(t, "$_DLATCH_")) {
    um2 = t.size() > 11 ? kLatch + kAnd2 : kLatch;
  } else if (starts_with(t, "$_SR_")) {
    um2 = 2 * kNor2;
  } else if (t == "$_FF_") {
    um2 = kDff;
  }
  return um2 < 0 ? -1.0 : um2 / kNand2AreaUm2;
}

}  // namespace dnngen::synth
