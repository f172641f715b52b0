#include "dnngen/eie/pe_scaling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/eie/encode.hpp"

namespace dnngen::eie {
namespace {

// What every figure of the sweep counts, printed with it.
constexpr const char* kScope =
    "cycle model, kernel only: weights and activations already on chip, no data movement";

double ratio(double a, double b) { return b == 0 ? 0.0 : a / b; }

ScalingPoint measure(const config::EieConfig& base, const LayerMatrix& m, unsigned pes) {
  config::EieConfig cfg = base;
  cfg.pes = pes;
  const LayerWork work = partition(m, pes);
  std::vector<uint64_t> per_pe(pes, 0);
  for (const auto& column : work.entries)
    for (unsigned p = 0; p < pes; ++p) per_pe[p] += column[p];
  ScalingPoint s;
  s.pes = pes;
  s.timing = simulate_layer(cfg, work);
  s.padding = s.timing.entries - s.timing.useful_macs;
  s.max_pe = *std::max_element(per_pe.begin(), per_pe.end());
  const double mean = static_cast<double>(s.timing.entries) / pes;
  s.balance = s.max_pe == 0 ? 1.0 : mean / static_cast<double>(s.max_pe);
  s.busy = s.timing.entry_efficiency(pes);
  s.efficiency = s.timing.efficiency(pes);
  return s;
}

// One block of the table: a value per layer and PE count, and a summary row.
std::string block(const std::vector<ScalingRow>& rows, const std::string& title, const char* spec,
                  double (*value)(const ScalingPoint&), const std::string& summary_name,
                  double (*summary)(const std::vector<double>&)) {
  const auto& counts = rows.front().points;
  std::string out = title + "\n" + fmt::format("{:<9}", "layer");
  for (const auto& p : counts) out += fmt::format(" {:>9}", p.pes);
  out += "\n";
  std::vector<std::vector<double>> columns(counts.size());
  for (const auto& r : rows) {
    out += fmt::format("{:<9}", r.layer.name);
    for (size_t i = 0; i < r.points.size(); ++i) {
      const double v = value(r.points[i]);
      columns[i].push_back(v);
      out += fmt::format(" {:>9}", fmt::format(spec, v));
    }
    out += "\n";
  }
  out += fmt::format("{:<9}", summary_name);
  for (const auto& c : columns) out += fmt::format(" {:>9}", fmt::format(spec, summary(c)));
  return out + "\n";
}

double total_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

double mean_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : total_of(v) / static_cast<double>(v.size());
}

double geomean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::log(x);
  return v.empty() ? 0.0 : std::exp(s / static_cast<double>(v.size()));
}

}  // namespace

LayerMatrix synthetic_matrix(const BenchLayer& layer, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution act(layer.act_density);
  std::geometric_distribution<int64_t> gap(std::min(layer.weight_density, 0.999999));
  LayerMatrix m;
  m.rows = layer.outputs;
  m.cols = layer.inputs;
  for (int64_t j = 0; j < layer.inputs; ++j) {
    if (!act(rng)) continue;
    m.nz_cols.push_back(j);
    std::vector<uint32_t> rows;
    for (int64_t r = -1;;) {
      r += (layer.weight_density >= 1.0 ? 0 : gap(rng)) + 1;
      if (r >= layer.outputs) break;
      rows.push_back(static_cast<uint32_t>(r));
    }
    m.nz_rows.push_back(std::move(rows));
  }
  return m;
}

LayerWork partition(const LayerMatrix& m, unsigned pes) {
  if (pes < 1) throw std::invalid_argument("eie::partition: at least one PE");
  LayerWork w;
  w.rows = m.rows;
  w.cols = m.cols;
  w.nz_cols = m.nz_cols;
  std::vector<int64_t> last(pes);  // each PE's last local row with an entry in this column
  for (const auto& rows : m.nz_rows) {
    std::fill(last.begin(), last.end(), -1);
    std::vector<uint32_t> counts(pes, 0);
    for (const uint32_t r : rows) {
      const unsigned p = r % pes;
      const int64_t local = r / pes, zeros = local - last[p] - 1;
      counts[p] += static_cast<uint32_t>(zeros / (kMaxZ + 1) + 1);  // padding + the entry
      last[p] = local;
    }
    w.useful_macs += rows.size();
    w.entries.push_back(std::move(counts));
  }
  return w;
}

std::vector<unsigned> default_pe_counts() {
  std::vector<unsigned> counts;
  for (unsigned n = 1; n <= config::kEieMaxPes; n *= 2) counts.push_back(n);
  return counts;
}

std::vector<unsigned> parse_pe_counts(const std::string& text, const std::string& option) {
  const auto bad = [&](const std::string& why) {
    return InputError(fmt::format("{} {}: {}", option, text, why));
  };
  std::vector<unsigned> counts;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || v < 1 || v > config::kEieMaxPes)
      throw bad(fmt::format("'{}' is not a PE count in 1..{} (expected a comma-separated list, e.g. 1,2,4,8)",
                            item, config::kEieMaxPes));
    if (!counts.empty() && static_cast<unsigned>(v) <= counts.back())
      throw bad("expected increasing PE counts");
    counts.push_back(static_cast<unsigned>(v));
  }
  if (counts.empty() || text.back() == ',')
    throw bad("expected a comma-separated list of PE counts, e.g. 1,2,4,8");
  if (counts.front() != 1) throw bad("the list must start at 1 (speedups are over one PE)");
  return counts;
}

std::vector<ScalingRow> run_pe_scaling(const config::EieConfig& cfg, const std::vector<BenchLayer>& layers,
                                       const std::vector<unsigned>& pe_counts) {
  if (pe_counts.empty() || pe_counts.front() != 1)
    throw std::invalid_argument("eie::run_pe_scaling: the PE counts start at 1");
  std::vector<ScalingRow> rows;
  uint64_t seed = 1;
  for (const auto& layer : layers) {
    const LayerMatrix m = synthetic_matrix(layer, seed++);
    ScalingRow r;
    r.layer = layer;
    for (const unsigned pes : pe_counts) r.points.push_back(measure(cfg, m, pes));
    const double one = static_cast<double>(r.points.front().timing.cycles);
    for (auto& p : r.points) p.speedup = ratio(one, static_cast<double>(p.timing.cycles));
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string format_pe_scaling(const config::EieConfig& cfg, const std::vector<ScalingRow>& rows) {
  if (rows.empty()) return "";
  std::string out = fmt::format(
      "EIE PE scaling, FIFO depth {}, {}-bit indices ({}); one random matrix and input vector per layer at "
      "its published size and densities, the same for every PE count\n\n",
      cfg.fifo_depth, cfg.index_bits, kScope);
  out += block(
      rows, "speedup over 1 PE (cycles on 1 PE / cycles on N)", "{:.2f}",
      [](const ScalingPoint& p) { return p.speedup; }, "geomean", geomean_of);
  out += "\n";
  out += block(
      rows, "load balance: entries per PE, mean / max (padding entries counted as work; 1 = evenly divided)",
      "{:.3f}", [](const ScalingPoint& p) { return p.balance; }, "mean", mean_of);
  out += "\n";
  out += block(
      rows, "busy fraction: entries / (cycles x PEs) (a PE's cycles on an entry, padding included)", "{:.3f}",
      [](const ScalingPoint& p) { return p.busy; }, "mean", mean_of);
  out += "\n";
  out += block(
      rows, "efficiency over useful MACs: useful MACs / (cycles x PEs)", "{:.3f}",
      [](const ScalingPoint& p) { return p.efficiency; }, "mean", mean_of);
  out += "\n";
  out += block(
      rows, "cycles (job accept to finish, write-back included)", "{:.0f}",
      [](const ScalingPoint& p) { return static_cast<double>(p.timing.cycles); }, "total", total_of);
  out += "\n";
  out += block(
      rows, "padding entries per useful MAC", "{:.3f}",
      [](const ScalingPoint& p) {
        return ratio(static_cast<double>(p.padding), static_cast<double>(p.timing.useful_macs));
      },
      "mean", mean_of);
  return out;
}

nlohmann::json pe_scaling_json(const config::EieConfig& cfg, const std::vector<ScalingRow>& rows) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : r.points)
      points.push_back({{"pes", p.pes},
                        {"cycles", p.timing.cycles},
                        {"compute_cycles", p.timing.compute_cycles},
                        {"writeback_cycles", p.timing.writeback_cycles},
                        {"stall_cycles", p.timing.stall_cycles},
                        {"useful_macs", p.timing.useful_macs},
                        {"entries", p.timing.entries},
                        {"padding", p.padding},
                        {"max_pe_entries", p.max_pe},
                        {"speedup", p.speedup},
                        {"load_balance", p.balance},
                        {"busy", p.busy},
                        {"efficiency", p.efficiency}});
    layers.push_back({{"name", r.layer.name},
                      {"inputs", r.layer.inputs},
                      {"outputs", r.layer.outputs},
                      {"weight_density", r.layer.weight_density},
                      {"act_density", r.layer.act_density},
                      {"points", points}});
  }
  nlohmann::json counts = nlohmann::json::array();
  if (!rows.empty())
    for (const auto& p : rows.front().points) counts.push_back(p.pes);
  return {{"fifo_depth", cfg.fifo_depth},
          {"index_bits", cfg.index_bits},
          {"pe_counts", counts},
          {"scope", kScope},
          {"load_balance", "entries per PE, mean / max, padding entries counted as work"},
          {"busy", "entries / (cycles x PEs), padding entries counted as work"},
          {"efficiency", "useful MACs / (cycles x PEs)"},
          {"layers", layers}};
}

std::string pe_scaling_csv(const std::vector<ScalingRow>& rows) {
  std::string out =
      "layer,pes,cycles,speedup,load_balance,busy,efficiency,useful_macs,entries,padding,max_pe_entries,"
      "stall_cycles,writeback_cycles\n";
  for (const auto& r : rows)
    for (const auto& p : r.points)
      out += fmt::format("{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{},{},{}\n", r.layer.name, p.pes,
                         p.timing.cycles, p.speedup, p.balance, p.busy, p.efficiency, p.timing.useful_macs,
                         p.timing.entries, p.padding, p.max_pe, p.timing.stall_cycles,
                         p.timing.writeback_cycles);
  return out;
}

int pe_scaling_command(const config::Config& cfg, const PeScalingOptions& options) {
  if (cfg.engine != "eie")
    throw InputError(
        fmt::format("--pe-scaling: {} is a {} configuration; the PE-scaling sweep is EIE's (engine eie)",
                    cfg.source_path, cfg.engine));
  const std::vector<unsigned> counts =
      options.pes.empty() ? default_pe_counts() : parse_pe_counts(options.pes, "--pes");
  if (!options.json_path.empty()) cli::check_output_path(options.json_path, "--json");
  if (!options.csv_path.empty()) cli::check_output_path(options.csv_path, "--csv");
  const auto layers = load_bench_layers(options.network);
  const auto rows = run_pe_scaling(cfg.eie, layers, counts);
  output::OutputSet outputs;
  nlohmann::json report = pe_scaling_json(cfg.eie, rows);
  report["engine"] = cfg.engine;
  report["config"] = cfg.name;
  report["network"] = options.network;
  cli::add_json_report(outputs, options.json_path, report);
  if (!options.csv_path.empty()) outputs.add(options.csv_path, pe_scaling_csv(rows), "--csv");
  outputs.commit();
  std::cout << format_pe_scaling(cfg.eie, rows);
  return 0;
}

}  // namespace dnngen::eie
