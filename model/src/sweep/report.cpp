// The report of a sweep: metrics, sweep.json, sweep.csv, report.md and writing them
// (sweep/report.hpp; the plots are plots.cpp's).
#include "dnngen/sweep/report.hpp"

#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/strings.hpp"
#include "dnngen/common/version.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/synth/area.hpp"
#include "dnngen/workload/network.hpp"
#include "sweep_internal.hpp"

namespace dnngen::sweep {
using ojson = nlohmann::ordered_json;
using namespace detail;

namespace {

constexpr int kFormatVersion = 1;
const char* const kSweepJson = "sweep.json";
const char* const kSweepCsv = "sweep.csv";
const char* const kReportMd = "report.md";

output::DirKind sweep_kind() { return {kSweepJson, kSweepFormat, "dnngen sweep report"}; }

// 1 234 567 (thin groups, as in docs/).
std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

// 4 significant digits (1.19, 0.003015).
std::string significant(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : std::string("-"); }

std::string fixed(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

// A number for CSV: integers exactly, reals to 6 significant digits, NaN empty.
std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  if (v == std::round(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", v);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

ojson number_or_null(double v) { return std::isfinite(v) ? ojson(v) : ojson(nullptr); }

bool any_has_fmax(const SweepResult& sweep) {
  return std::any_of(sweep.points.begin(), sweep.points.end(),
                     [](const auto& p) { return std::isfinite(find_fmax(p.synth_json)); });
}

}  // namespace

namespace detail {

double find_fmax(const nlohmann::json& j) {
  for (const auto* node : {&j, j.contains("timing") ? &j["timing"] : nullptr}) {
    if (node == nullptr || !node->is_object()) continue;
    const auto it = node->find("fmax_mhz");
    if (it != node->end() && it->is_number()) return it->get<double>();
  }
  return kNaN;
}

}  // namespace detail

PointMetrics metrics(const SweepPointResult& r) {
  PointMetrics m;
  const synth::SynthReport& s = r.synth;
  m.pes = r.pes;
  if (s.target == "asic") {
    // Mapped to a Liberty library: its cell areas, and the SRAM model in that library.
    m.logic_area_mm2 = s.asic.cell_area_um2 * 1e-6;
    m.sram_area_mm2 = s.asic.sram_area_um2 * 1e-6;
  } else {
    m.logic_area_mm2 = s.logic_nand2_eq * synth::kNand2AreaUm2 * 1e-6;
    m.sram_area_mm2 = s.sram_nand2_eq * synth::kNand2AreaUm2 * 1e-6;
  }
  m.total_area_mm2 = m.logic_area_mm2 + m.sram_area_mm2;
  const double pes = m.pes > 0 ? static_cast<double>(m.pes) : kNaN;
  m.logic_um2_per_mac = m.logic_area_mm2 * 1e6 / pes;
  m.total_um2_per_mac = m.total_area_mm2 * 1e6 / pes;
  m.fmax_mhz = find_fmax(r.synth_json);
  m.macs_per_cycle = kNaN;
  m.macs_per_cycle_per_mm2 = kNaN;
  if (r.network && r.network->cycles > 0) {
    m.macs_per_cycle = static_cast<double>(r.network->macs) / static_cast<double>(r.network->cycles);
    m.macs_per_cycle_per_mm2 = m.total_area_mm2 > 0 ? m.macs_per_cycle / m.total_area_mm2 : kNaN;
  }
  return m;
}

nlohmann::ordered_json to_json(const SweepResult& sweep) {
  const config::EnergyTable table = config::load_energy_table();
  ojson j;
  j["format"] = kSweepFormat;
  j["format_version"] = kFormatVersion;
  j["dnngen_version"] = kDnngenVersion;
  j["command"] = sweep.command;
  j["target"] = sweep.target;
  j["network"] = sweep.network_path.empty()
                     ? ojson(nullptr)
                     : ojson{{"path", sweep.network_path}, {"name", sweep.network_name}};
  j["bases"] = ojson::array();
  for (const auto& b : sweep.bases) j["bases"].push_back(b.source);
  j["axes"] = ojson::array();
  for (const auto& a : sweep.axes) j["axes"].push_back({{"keys", a.keys}, {"values", a.values}});
  j["seconds"] = sweep.seconds;
  j["files"] = ojson::array({kSweepJson, kSweepCsv, kReportMd});
  for (const auto& [name, text] : plots(sweep)) j["files"].push_back(name);
  j["points"] = ojson::array();
  for (const auto& r : sweep.points) {
    const PointMetrics m = metrics(r);
    ojson p;
    p["index"] = r.point.index;
    p["base"] = sweep.bases.at(r.point.base).source;
    p["label"] = r.point.label;
    p["settings"] = ojson::object();
    for (const auto& [k, v] : r.point.settings) p["settings"][k] = v;
    p["config"] = ojson::object();
    for (const auto& [k, v] : r.config_fields) p["config"][k] = v;
    p["pes"] = m.pes;
    p["metrics"] = {{"logic_area_mm2", m.logic_area_mm2},
                    {"sram_area_mm2", m.sram_area_mm2},
                    {"total_area_mm2", m.total_area_mm2},
                    {"logic_um2_per_mac", number_or_null(m.logic_um2_per_mac)},
                    {"total_um2_per_mac", number_or_null(m.total_um2_per_mac)},
                    {"logic_depth", r.synth.logic_depth},
                    {"fmax_mhz", number_or_null(m.fmax_mhz)},
                    {"macs_per_cycle", number_or_null(m.macs_per_cycle)},
                    {"macs_per_cycle_per_mm2", number_or_null(m.macs_per_cycle_per_mm2)}};
    if (r.network) {
      const auto& n = *r.network;
      p["network"] = {{"name", n.name},
                      {"jobs", n.jobs},
                      {"macs", n.macs},
                      {"cycles", n.cycles},
                      {"utilization", n.utilization},
                      {"scalesim_cycles", n.scalesim_cycles},
                      {"scalesim_ratio", n.scalesim_ratio},
                      {"compute_only", !n.has_dram},
                      {"dram_bytes", n.dram_read_bytes + n.dram_write_bytes},
                      {"cycles_with_dram", n.cycles_with_dram},
                      {"utilization_with_dram", n.utilization_with_dram}};
      if (n.actions.mac_count() > 0)
        p["network"]["energy"] = workload::energy_json(n.actions, n.macs, n.has_dram, table);
    } else {
      p["network"] = nullptr;
    }
    p["seconds"] = r.seconds;
    p["synth"] = r.synth_json;
    j["points"].push_back(std::move(p));
  }
  return j;
}

std::string to_csv(const SweepResult& sweep) {
  const config::EnergyTable table = config::load_energy_table();
  std::vector<std::string> header = {"index", "base", "settings"};
  if (!sweep.points.empty()) {
    for (const auto& [k, v] : sweep.points[0].config_fields) header.push_back(k);
  }
  for (const char* h : {"pes",
                        "target",
                        "cells",
                        "flip_flops",
                        "latches",
                        "transistors",
                        "logic_depth",
                        "fmax_mhz",
                        "logic_nand2_eq",
                        "sram_bits",
                        "sram_nand2_eq",
                        "total_nand2_eq",
                        "logic_area_mm2",
                        "sram_area_mm2",
                        "total_area_mm2",
                        "logic_um2_per_mac",
                        "total_um2_per_mac",
                        "network",
                        "network_macs",
                        "network_cycles",
                        "network_utilization",
                        "network_cycles_with_dram",
                        "network_utilization_with_dram",
                        "network_energy_uj",
                        "network_pj_per_mac",
                        "macs_per_cycle",
                        "macs_per_cycle_per_mm2",
                        "synth_seconds",
                        "seconds"}) {
    header.push_back(h);
  }
  std::string csv = join(header, ",") + "\n";
  for (const auto& r : sweep.points) {
    const PointMetrics m = metrics(r);
    const synth::SynthReport& s = r.synth;
    std::vector<std::string> row = {std::to_string(r.point.index),
                                    csv_field(sweep.bases.at(r.point.base).source), csv_field(r.point.label)};
    for (const auto& [k, v] : r.config_fields) row.push_back(csv_field(v));
    const auto n = [](double v) { return csv_number(v); };
    const auto i = [](int64_t v) { return std::to_string(v); };
    const bool net = r.network.has_value();
    const double energy_pj = net ? energy::evaluate(r.network->actions, table).total() : 0.0;
    for (const std::string& f :
         {i(m.pes),
          csv_field(s.target),
          i(s.cells),
          i(s.flip_flops),
          i(s.latches),
          i(s.transistors),
          i(s.logic_depth),
          n(m.fmax_mhz),
          n(s.logic_nand2_eq),
          i(s.sram_bits),
          n(s.sram_nand2_eq),
          n(s.total_nand2_eq),
          n(m.logic_area_mm2),
          n(m.sram_area_mm2),
          n(m.total_area_mm2),
          n(m.logic_um2_per_mac),
          n(m.total_um2_per_mac),
          net ? csv_field(r.network->name) : "",
          net ? std::to_string(r.network->macs) : "",
          net ? std::to_string(r.network->cycles) : "",
          net ? n(r.network->utilization) : "",
          net && r.network->has_dram ? std::to_string(r.network->cycles_with_dram) : "",
          net && r.network->has_dram ? n(r.network->utilization_with_dram) : "",
          energy_pj > 0 ? n(energy_pj / 1e6) : "",
          energy_pj > 0 ? n(energy_pj / static_cast<double>(r.network->macs)) : "",
          n(m.macs_per_cycle),
          n(m.macs_per_cycle_per_mm2),
          n(s.yosys_seconds),
          n(r.seconds)}) {
      row.push_back(f);
    }
    csv += join(row, ",") + "\n";
  }
  return csv;
}

std::string to_markdown(const SweepResult& sweep) {
  std::string md =
      fmt::format("# dnngen sweep: {} point{}\n\n", sweep.points.size(), sweep.points.size() == 1 ? "" : "s");
  if (!sweep.command.empty()) md += "Generated by `" + sweep.command + "`.\n\n";
  std::vector<std::string> bases;
  for (const auto& b : sweep.bases) bases.push_back("`" + b.source + "`");
  md += "- base config" + std::string(bases.size() == 1 ? "" : "s") + ": " + join(bases, ", ") + "\n";
  for (const auto& a : sweep.axes) {
    md += "- `" + join(a.keys, ",") + "` = " + join(a.values, ", ") +
          (a.keys.size() > 1 ? " (the keys take each value together)" : "") + "\n";
  }
  md += "- synthesis target: `" + sweep.target + "`";
  if (!sweep.network_name.empty()) {
    md += "; network: " + sweep.network_name + " (`" + sweep.network_path +
          "`), closed-form cycle estimate: cycles and utilization count compute only; the columns "
          "marked with DRAM include data movement through the shell (engines that model it)";
  }
  md += "\n- wall time: " + strings::format_duration(sweep.seconds) + "\n\n";
  md +=
      "Areas are Nangate 45 nm NAND2 equivalents (0.798 um^2 each) of Yosys's generic cells, SRAM "
      "buffers from the SRAM area model (docs/synthesis.md); a size measure for comparing "
      "configurations, not a sign-off area. Depth is gates on the longest combinational path.\n\n";

  const bool fmax = any_has_fmax(sweep);
  const bool net = !sweep.network_name.empty();
  md += "## Results\n\n";
  md += "| # | config | settings | PEs | cells | flip-flops | depth |";
  if (fmax) md += " Fmax MHz |";
  md += " logic NAND2-eq | SRAM NAND2-eq | area mm^2 | logic um^2/MAC |";
  if (net)
    md +=
        " cycles (compute only) | utilization (compute only) | cycles with DRAM | utilization with DRAM | "
        "MACs/cycle/mm^2 |";
  md += " time |\n";
  md += "|---:|---|---|---:|---:|---:|---:|";
  if (fmax) md += "---:|";
  md += "---:|---:|---:|---:|";
  if (net) md += "---:|---:|---:|---:|---:|";
  md += "---:|\n";
  for (const auto& r : sweep.points) {
    const PointMetrics m = metrics(r);
    const synth::SynthReport& s = r.synth;
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |", r.point.index,
                      stem(sweep.bases.at(r.point.base).source), r.point.label.empty() ? "-" : r.point.label,
                      m.pes, grouped(s.cells), grouped(s.flip_flops), s.logic_depth);
    if (fmax) md += " " + fixed(m.fmax_mhz, 1) + " |";
    md += fmt::format(" {} | {} | {} | {} |", grouped(std::llround(s.logic_nand2_eq)),
                      grouped(std::llround(s.sram_nand2_eq)), significant(m.total_area_mm2),
                      fixed(m.logic_um2_per_mac, 0));
    if (net) {
      const bool dram = r.network->has_dram;
      md += fmt::format(" {} | {:.1f} % | {} | {} | {} |", grouped(static_cast<int64_t>(r.network->cycles)),
                        100 * r.network->utilization,
                        dram ? grouped(static_cast<int64_t>(r.network->cycles_with_dram)) : "-",
                        dram ? fmt::format("{:.1f} %", 100 * r.network->utilization_with_dram) : "-",
                        fixed(m.macs_per_cycle_per_mm2, 1));
    }
    md += fmt::format(" {:.1f} s |\n", r.seconds);
  }
  md += "\n## Plots\n\n";
  for (const auto& [name, text] : plots(sweep)) {
    const size_t a = text.find("<title>") + 7;
    const std::string title = text.substr(a, text.find("</title>") - a);
    md += "![" + title + "](" + name + ")\n\n";
  }
  md +=
      "Data: `sweep.csv` (one row per point), `sweep.json` (with the full synthesis report of "
      "every point).\n";
  return md;
}

void check_sweep_output(const std::string& out_dir) {
  output::classify(output::normalize(out_dir), sweep_kind());
}

void write_sweep(const SweepResult& sweep, const std::string& out_dir) {
  output::StagedDir staged(out_dir, sweep_kind());
  output::write_text_file(staged.path() / kSweepJson, to_json(sweep).dump(2) + "\n");
  output::write_text_file(staged.path() / kSweepCsv, to_csv(sweep));
  output::write_text_file(staged.path() / kReportMd, to_markdown(sweep));
  for (const auto& [name, text] : plots(sweep)) output::write_text_file(staged.path() / name, text);
  staged.commit();
}

}  // namespace dnngen::sweep
