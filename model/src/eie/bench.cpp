#include "dnngen/eie/bench.hpp"

#include <fmt/format.h>

#include <cmath>
#include <random>

#include "dnngen/common/csv.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/eie/encode.hpp"

namespace dnngen::eie {
namespace {

double density_field(const csv::Row& row, size_t i, const std::string& what) {
  const std::string& text = row[i];
  try {
    size_t used = 0;
    const double d = std::stod(text, &used);
    if (used == text.size() && d > 0.0 && d <= 1.0) return d;
  } catch (const std::exception&) {
  }
  row.fail(fmt::format("{} '{}': expected a density in (0, 1]", what, text));
}

int64_t size_field(const csv::Row& row, size_t i, const std::string& what) {
  const std::string& text = row[i];
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 1) return v;
  } catch (const std::exception&) {
  }
  row.fail(fmt::format("{} '{}': expected a positive integer", what, text));
}

// What the benchmark's energy covers: the kernel's job alone (no shell, no loads).
constexpr const char* kEnergyScope = "on chip only, weights already in SRAM, no DRAM";

// Average power per PE at EIE's clock: the energy over the time the cycles take at
// kEieClockMhz, shared by the PEs (pJ per ns is mW).
double mw_per_pe(const config::EieConfig& cfg, double pj, uint64_t cycles) {
  return cycles == 0 ? 0.0 : pj * (kEieClockMhz / 1e3) / static_cast<double>(cycles) / cfg.pes;
}

double per_mac(double pj, uint64_t macs) { return macs == 0 ? 0.0 : pj / static_cast<double>(macs); }

std::string format_energy(const config::EieConfig& cfg, const std::vector<BenchRow>& rows) {
  using energy::Level;
  std::string out = fmt::format(
      "Energy per layer, one input vector (analytical, energy table {}; {})\n"
      "{:<9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8}\n",
      rows.empty() ? "-" : rows.front().energy_table, kEnergyScope, "layer", "total nJ", "buffer nJ",
      "array nJ", "rf nJ", "mac nJ", "pJ/MAC", "mW/PE");
  double pj = 0;
  uint64_t cycles = 0;
  for (const auto& r : rows) {
    const auto& e = r.energy;
    out += fmt::format("{:<9} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f} {:>8.2f} {:>8.3f}\n",
                       r.layer.name, e.total() / 1e3, e.at(Level::kBuffer) / 1e3, e.at(Level::kArray) / 1e3,
                       e.at(Level::kRegister) / 1e3, e.at(Level::kMac) / 1e3,
                       per_mac(e.total(), r.timing.useful_macs), mw_per_pe(cfg, e.total(), r.timing.cycles));
    pj += e.total();
    cycles += r.timing.cycles;
  }
  out += fmt::format(
      "all layers {:.3f} mW per PE at {:.0f} MHz (energy / time); EIE reports {} mW per PE (64 PEs, 45 nm, "
      "the whole chip: clock tree, leakage and control included)\n",
      mw_per_pe(cfg, pj, cycles), kEieClockMhz, kEiePaperMwPerPe);
  out += "pJ/MAC = energy / useful MACs (padding entries cost energy but are not useful MACs)\n";
  return out;
}

nlohmann::json energy_json(const config::EieConfig& cfg, const BenchRow& r) {
  nlohmann::json j = energy::to_json(r.energy, r.timing.useful_macs, kEnergyScope);
  j["pj_per_entry"] = per_mac(r.energy.total(), r.timing.entries);
  j["mw_per_pe"] = mw_per_pe(cfg, r.energy.total(), r.timing.cycles);
  j["actions"] = energy::to_json(r.actions);
  return j;
}

}  // namespace

std::vector<BenchLayer> load_bench_layers(const std::string& path) {
  const auto rows = csv::read_file(path, "the EIE layer table");
  if (rows.empty()) throw InputError(path + ": no layers");
  const auto& head = rows.front();
  if (head.size() < 5 || head[0] != "name" || head[1] != "inputs" || head[2] != "outputs" ||
      head[3] != "weight_density" || head[4] != "act_density")
    throw InputError(
        path + ": expected the header name,inputs,outputs,weight_density,act_density (an EIE layer table)");
  std::vector<BenchLayer> layers;
  for (auto row = rows.begin() + 1; row != rows.end(); ++row) {
    if (row->size() < 5) row->fail("expected 5 fields");
    layers.push_back({(*row)[0], size_field(*row, 1, "inputs"), size_field(*row, 2, "outputs"),
                      density_field(*row, 3, "weight_density"), density_field(*row, 4, "act_density")});
  }
  if (layers.empty()) throw InputError(path + ": no layers");
  return layers;
}

LayerWork synthetic_work(const BenchLayer& layer, unsigned pes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution act(layer.act_density);
  std::geometric_distribution<int64_t> gap(std::min(layer.weight_density, 0.999999));
  LayerWork w;
  w.rows = layer.outputs;
  w.cols = layer.inputs;
  for (int64_t j = 0; j < layer.inputs; ++j) {
    if (!act(rng)) continue;
    w.nz_cols.push_back(j);
    std::vector<uint32_t> counts(pes, 0);
    for (unsigned p = 0; p < pes; ++p) {
      const int64_t rows = local_rows(layer.outputs, pes, p);
      for (int64_t r = -1;;) {
        const int64_t zeros = layer.weight_density >= 1.0 ? 0 : gap(rng);
        r += zeros + 1;
        if (r >= rows) break;
        counts[p] += static_cast<uint32_t>(zeros / (kMaxZ + 1) + 1);  // padding + the entry
        ++w.useful_macs;
      }
    }
    w.entries.push_back(std::move(counts));
  }
  return w;
}

std::vector<PeImage> synthetic_pe_images(const BenchLayer& layer, unsigned pes, unsigned index_bits,
                                         uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::geometric_distribution<int64_t> gap(std::min(layer.weight_density, 0.999999));
  std::uniform_int_distribution<uint32_t> index(1, (1u << index_bits) - 1);
  std::vector<PeImage> images(pes);
  for (unsigned p = 0; p < pes; ++p) {
    PeImage& pe = images[p];
    const int64_t rows = local_rows(layer.outputs, pes, p);
    pe.pointers.push_back(0);
    for (int64_t j = 0; j < layer.inputs; ++j) {
      for (int64_t r = -1;;) {
        int64_t zeros = layer.weight_density >= 1.0 ? 0 : gap(rng);
        r += zeros + 1;
        if (r >= rows) break;
        for (; zeros > kMaxZ; zeros -= kMaxZ + 1) pe.entries.push_back({0, static_cast<uint32_t>(kMaxZ)});
        pe.entries.push_back({index(rng), static_cast<uint32_t>(zeros)});
      }
      pe.pointers.push_back(static_cast<uint32_t>(pe.entries.size()));
    }
  }
  return images;
}

Chain scaled_chain(const config::EieConfig& cfg, const BenchLayer& layer, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int64_t scale = 1;; scale *= 2) {
    const int64_t m = std::max<int64_t>(1, layer.outputs / scale),
                  n = std::max<int64_t>(1, layer.inputs / scale);
    if (m > cfg.max_rows || n > cfg.max_cols) continue;
    Chain c;
    c.label = fmt::format("{} scaled 1/{}: {}x{}", layer.name, scale, m, n);
    Layer l;
    const int64_t cb = int64_t{1} << cfg.index_bits;
    l.codebook.push_back(0);
    for (int64_t i = 1; i < cb; ++i)
      l.codebook.push_back(static_cast<int64_t>((u(rng) - 0.5) * (1 << cfg.frac_bits)));
    l.w_idx = Tensor({m, n});
    for (auto& v : l.w_idx.data)
      v = u(rng) < layer.weight_density ? 1 + static_cast<int64_t>(u(rng) * (cb - 1)) % (cb - 1) : 0;
    c.layers.push_back(std::move(l));
    for (int64_t j = 0; j < n; ++j)
      c.x.push_back(u(rng) < layer.act_density ? 1 + static_cast<int64_t>(u(rng) * (1 << cfg.frac_bits)) : 0);
    try {
      check_chain(cfg, c);
      return c;
    } catch (const InputError&) {
      if (m == 1 && n == 1) throw;
    }
  }
}

std::vector<BenchRow> run_bench(const config::EieConfig& cfg, const std::vector<BenchLayer>& layers,
                                const config::EnergyTable& table) {
  std::vector<BenchRow> rows;
  uint64_t seed = 1;
  for (const auto& layer : layers) {
    BenchRow r;
    r.layer = layer;
    r.timing = simulate_layer(cfg, synthetic_work(layer, cfg.pes, seed++));
    const uint64_t dense_macs = static_cast<uint64_t>(layer.inputs) * static_cast<uint64_t>(layer.outputs);
    r.dense_cycles = (dense_macs + cfg.pes - 1) / cfg.pes;
    r.actions = job_actions(cfg, r.timing);
    r.energy = energy::evaluate(r.actions, table);
    r.energy_table = table.name;
    rows.push_back(r);
  }
  return rows;
}

std::string format_bench(const config::EieConfig& cfg, const std::vector<BenchRow>& rows) {
  std::string out = fmt::format(
      "EIE {} PEs, FIFO depth {} (cycle model, published sizes and densities; cycles: compute only, no data "
      "movement)\n",
      cfg.pes, cfg.fifo_depth);
  out += fmt::format("{:<9} {:>6} {:>6} {:>6} {:>6} {:>10} {:>12} {:>10} {:>7} {:>7} {:>12} {:>8}\n", "layer",
                     "N", "M", "w %", "act %", "cycles", "useful MACs", "entries", "eff %", "ent %",
                     "dense cyc", "speedup");
  double eff_sum = 0, ent_sum = 0;
  for (const auto& r : rows) {
    const double eff = r.timing.efficiency(cfg.pes), ent = r.timing.entry_efficiency(cfg.pes);
    eff_sum += eff;
    ent_sum += ent;
    out += fmt::format(
        "{:<9} {:>6} {:>6} {:>6.1f} {:>6.1f} {:>10} {:>12} {:>10} {:>7.1f} {:>7.1f} {:>12} {:>7.1f}x\n",
        r.layer.name, r.layer.inputs, r.layer.outputs, 100 * r.layer.weight_density,
        100 * r.layer.act_density, r.timing.cycles, r.timing.useful_macs, r.timing.entries, 100 * eff,
        100 * ent, r.dense_cycles,
        static_cast<double>(r.dense_cycles) / static_cast<double>(r.timing.cycles));
  }
  out += fmt::format(
      "mean load-balance efficiency {:.1f} % over {} layers (useful MACs; {:.1f} % over entries)\n",
      100 * eff_sum / rows.size(), rows.size(), 100 * ent_sum / rows.size());
  out +=
      "eff % = useful MACs / (cycles x PEs); ent % = entries / (cycles x PEs), padding entries counted as "
      "work\n";
  return out + format_energy(cfg, rows);
}

nlohmann::json bench_json(const config::EieConfig& cfg, const std::vector<BenchRow>& rows) {
  nlohmann::json layers = nlohmann::json::array();
  uint64_t cycles = 0, macs = 0;
  double eff_sum = 0, ent_sum = 0, pj = 0;
  for (const auto& r : rows) {
    const double eff = r.timing.efficiency(cfg.pes), ent = r.timing.entry_efficiency(cfg.pes);
    eff_sum += eff;
    ent_sum += ent;
    cycles += r.timing.cycles;
    macs += r.timing.useful_macs;
    pj += r.energy.total();
    layers.push_back({{"name", r.layer.name},
                      {"inputs", r.layer.inputs},
                      {"outputs", r.layer.outputs},
                      {"weight_density", r.layer.weight_density},
                      {"act_density", r.layer.act_density},
                      {"cycles", r.timing.cycles},
                      {"useful_macs", r.timing.useful_macs},
                      {"entries", r.timing.entries},
                      {"stall_cycles", r.timing.stall_cycles},
                      {"efficiency", eff},
                      {"entry_efficiency", ent},
                      {"dense_cycles", r.dense_cycles},
                      {"speedup", static_cast<double>(r.dense_cycles) / static_cast<double>(r.timing.cycles)},
                      {"energy", energy_json(cfg, r)}});
  }
  return {{"pes", cfg.pes},
          {"fifo_depth", cfg.fifo_depth},
          {"layers", layers},
          {"cycles", cycles},
          {"macs", macs},
          {"utilization", static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.pes)},
          {"mean_efficiency", eff_sum / static_cast<double>(rows.size())},
          {"mean_entry_efficiency", ent_sum / static_cast<double>(rows.size())},
          {"energy_scope", kEnergyScope},
          {"energy_table", rows.empty() ? "" : rows.front().energy_table},
          {"energy_pj", pj},
          {"clock_mhz", kEieClockMhz},
          {"mw_per_pe", mw_per_pe(cfg, pj, cycles)},
          {"eie_paper_mw_per_pe", kEiePaperMwPerPe}};
}

}  // namespace dnngen::eie
