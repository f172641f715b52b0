// Network benchmark of the bit-serial engine: see dnngen/bitserial/bench.hpp.
#include "dnngen/bitserial/bench.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <vector>

#include "dnngen/common/csv.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::bitserial {
namespace {

// Default zero fraction of post-ReLU activations: Cnvlutin (ISCA 2016) reports 44 % of
// conv-layer input activations zero on average.
constexpr double kDefaultZeroFraction = 0.44;

std::map<std::string, LayerProfile> load_profile(const std::string& path) {
  std::map<std::string, LayerProfile> out;
  for (const auto& f : csv::read_file(path, "the precision profile")) {
    LayerProfile p;
    try {
      if (f.size() != 3) throw std::invalid_argument("fields");
      size_t u1 = 0, u2 = 0;
      p.precision = static_cast<unsigned>(std::stoul(f[1], &u1));
      p.zero_fraction = std::stod(f[2], &u2);
      if (u1 != f[1].size() || u2 != f[2].size() || p.precision < 1 || p.precision > 16 ||
          p.zero_fraction < 0 || p.zero_fraction > 1)
        throw std::invalid_argument("range");
    } catch (const std::exception&) {
      f.fail("expected layer,precision (1..16),zero_fraction (0..1)");
    }
    out[f[0]] = p;
  }
  return out;
}

// Seeded xorshift and a quantised half-normal table: fast enough for ~10^8 draws.
struct Synth {
  uint64_t s;
  explicit Synth(uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull | 1u) {}
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// Inverse CDF of |N(0,1)| at 4096 evenly spaced probabilities (midpoints).
const std::vector<double>& half_normal_table() {
  static const std::vector<double> table = [] {
    std::vector<double> t(4096);
    for (size_t i = 0; i < t.size(); ++i) {
      const double u = (static_cast<double>(i) + 0.5) / static_cast<double>(t.size());
      // Solve erf(x / sqrt 2) = u by bisection.
      double lo = 0, hi = 10;
      for (int it = 0; it < 60; ++it) {
        const double mid = 0.5 * (lo + hi);
        (std::erf(mid / std::sqrt(2.0)) < u ? lo : hi) = mid;
      }
      t[i] = 0.5 * (lo + hi);
    }
    return t;
  }();
  return table;
}

// One activation as the benchmark draws it: 0 with the zero fraction, else a half-normal
// magnitude with sigma 2^q / 4, at least 1, at most 2^q - 1.
struct ActivationDraw {
  int64_t vmax;
  double sigma;
  uint64_t zero_threshold;
  const std::vector<double>& table = half_normal_table();
  ActivationDraw(const config::BitserialConfig& cfg, const LayerProfile& prof) {
    const unsigned q = cfg.is_signed ? std::max(1u, prof.precision) - 1 : prof.precision;
    vmax = (int64_t{1} << q) - 1;
    sigma = std::ldexp(1.0, static_cast<int>(q)) / 4.0;
    zero_threshold = static_cast<uint64_t>(prof.zero_fraction * 4294967296.0);
  }
  int64_t operator()(uint64_t r) const {
    if ((r & 0xffffffffu) < zero_threshold || vmax == 0) return 0;
    return std::clamp<int64_t>(std::llround(table[(r >> 32) & 4095] * sigma), 1, vmax);
  }
};

uint64_t pragmatic_cycles(const config::BitserialConfig& cfg, const GemmShape& s, const LayerProfile& prof,
                          uint64_t seed) {
  const ActivationDraw draw(cfg, prof);
  Synth rng(seed);
  const int64_t kbs = (s.k + cfg.lanes - 1) / cfg.lanes;
  if (cascaded(cfg, s.m)) {  // one window's bricks, spread over the windows
    std::vector<unsigned> costs(static_cast<size_t>(kbs));
    for (int64_t kb = 0; kb < kbs; ++kb) {
      std::vector<uint64_t> patterns(static_cast<size_t>(std::min<int64_t>(cfg.lanes, s.k - kb * cfg.lanes)));
      for (auto& pattern : patterns) pattern = static_cast<uint64_t>(draw(rng.next()));
      costs[static_cast<size_t>(kb)] = brick_cycles(cfg, patterns.data(), patterns.size());
    }
    return cascade_schedule(cfg, s, costs).cycles;
  }
  const auto cfg_p = cfg;  // the schedule's tile cycles for row block mt
  return schedule(cfg_p, s,
                  [&](int64_t mt) {
                    const int64_t rows = std::min<int64_t>(cfg.tile_rows, s.m - mt * cfg.tile_rows);
                    // Each window's cycles per brick (windows past M have no one bits: 1 cycle).
                    std::vector<unsigned> costs(static_cast<size_t>(kbs) * cfg.tile_rows, 1u);
                    for (int64_t kb = 0; kb < kbs; ++kb) {
                      const int64_t lanes = std::min<int64_t>(cfg.lanes, s.k - kb * cfg.lanes);
                      std::vector<uint64_t> patterns(static_cast<size_t>(lanes));
                      for (int64_t r = 0; r < rows; ++r) {
                        for (auto& pattern : patterns) pattern = static_cast<uint64_t>(draw(rng.next()));
                        costs[static_cast<size_t>(kb * cfg.tile_rows + r)] =
                            brick_cycles(cfg, patterns.data(), patterns.size());
                      }
                    }
                    return synchronised_cycles(cfg, costs.data(), static_cast<size_t>(kbs), cfg.tile_rows);
                  })
      .cycles;
}

}  // namespace

std::map<std::string, LayerProfile> network_profile(const std::string& network_path, std::string* found) {
  const auto path = std::filesystem::path(network_path).parent_path() /
                    ("bitserial_" + std::filesystem::path(network_path).stem().string() + ".csv");
  found->clear();
  if (!std::filesystem::exists(path)) return {};
  *found = path.string();
  return load_profile(*found);
}

LayerProfile layer_profile(const config::BitserialConfig& cfg,
                           const std::map<std::string, LayerProfile>& profile, const std::string& layer,
                           bool* profiled) {
  LayerProfile prof{cfg.input_bits, kDefaultZeroFraction};
  const auto it = profile.find(layer);
  if (it != profile.end()) prof = it->second;
  if (profiled != nullptr) *profiled = it != profile.end();
  prof.precision = std::min(prof.precision, cfg.input_bits);
  return prof;
}

Tensor synthetic_activations(const config::BitserialConfig& cfg, int64_t m, int64_t k,
                             const LayerProfile& prof, uint64_t seed) {
  const ActivationDraw draw(cfg, prof);
  Synth rng(seed);
  Tensor a({m, k});
  for (auto& v : a.data) v = draw(rng.next());
  return a;
}

NetworkBench bench_network(const config::BitserialConfig& cfg, const std::string& network_path,
                           uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  NetworkBench b;
  b.network = std::filesystem::path(network_path).stem().string();
  const auto layers = workload::load_network(network_path);
  const auto profile = network_profile(network_path, &b.profile_path);
  uint64_t layer_seed = seed;
  for (const auto& layer : layers) {
    LayerBench lb;
    lb.name = layer.name;
    lb.gemm = {layer.gemm.m, layer.gemm.n, layer.gemm.k};
    lb.groups = layer.groups;
    const LayerProfile prof = layer_profile(cfg, profile, layer.name, &lb.profiled);
    lb.precision = prof.precision;
    lb.zero_fraction = prof.zero_fraction;
    const auto g = static_cast<uint64_t>(layer.groups);
    const int64_t kbs = (lb.gemm.k + cfg.lanes - 1) / cfg.lanes;
    const auto fixed = [&](unsigned per_brick) {
      if (cascaded(cfg, lb.gemm.m))
        return cascade_schedule(cfg, lb.gemm, std::vector<unsigned>(static_cast<size_t>(kbs), per_brick));
      return schedule(cfg, lb.gemm, [&](int64_t) { return per_brick * static_cast<uint64_t>(kbs); });
    };
    // The baseline at equal peak throughput: a bit-parallel tile input_bits times fewer
    // windows (serial tile at full precision: tile_rows*tile_cols*lanes/input_bits MACs
    // per cycle). When tile_rows is not a multiple of input_bits, the same tile's cycles
    // scaled by input_bits instead (exact except for drain stalls).
    auto base = cfg;
    base.mode = config::BitserialMode::kParallel;
    const bool exact_base = cfg.tile_rows % cfg.input_bits == 0;
    if (exact_base) base.tile_rows = cfg.tile_rows / cfg.input_bits;
    const auto par = schedule(base, lb.gemm, [&](int64_t) { return static_cast<uint64_t>(kbs); });
    lb.macs = par.macs * g;
    lb.parallel = par.cycles * g * (exact_base ? 1u : cfg.input_bits);
    lb.stripes = fixed(prof.precision).cycles * g;
    for (uint64_t i = 0; i < g; ++i) lb.pragmatic += pragmatic_cycles(cfg, lb.gemm, prof, ++layer_seed);
    b.parallel += lb.parallel;
    b.stripes += lb.stripes;
    b.pragmatic += lb.pragmatic;
    b.macs += lb.macs;
    b.layers.push_back(lb);
  }
  b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return b;
}

std::string format_table(const config::BitserialConfig& cfg, const NetworkBench& b) {
  std::string out = fmt::format(
      "{}: tile {} windows x {} filters x {} lanes ({} MACs/cycle peak), mode {}; precision profile: {}\n"
      "cycles: compute only (no data movement)\n",
      b.network, cfg.tile_rows, cfg.tile_cols, cfg.lanes, cfg.tile_rows * cfg.tile_cols * cfg.lanes,
      config::to_string(cfg.mode), b.profile_path.empty() ? "none (input_bits everywhere)" : b.profile_path);
  out += fmt::format("{:<10} {:>7} {:>6} {:>6} {:>3} {:>5} {:>13} {:>13} {:>13} {:>8} {:>8} {:>8}\n", "layer",
                     "M", "N", "K", "p", "zeros", "parallel", "stripes", "pragmatic", "str x", "prag x",
                     "prag/str");
  const auto row = [&](const std::string& name, const std::string& m, const std::string& n,
                       const std::string& k, const std::string& p, const std::string& z, uint64_t par,
                       uint64_t str, uint64_t prag) {
    out +=
        fmt::format("{:<10} {:>7} {:>6} {:>6} {:>3} {:>5} {:>13} {:>13} {:>13} {:>8.2f} {:>8.2f} {:>8.2f}\n",
                    name, m, n, k, p, z, par, str, prag, double(par) / double(str),
                    double(par) / double(prag), double(str) / double(prag));
  };
  for (const auto& l : b.layers)
    row(l.name, std::to_string(l.gemm.m), std::to_string(l.gemm.n * l.groups), std::to_string(l.gemm.k),
        std::to_string(l.precision) + (l.profiled ? "" : "*"), fmt::format("{:.2f}", l.zero_fraction),
        l.parallel, l.stripes, l.pragmatic);
  row("total", "", "", "", "", "", b.parallel, b.stripes, b.pragmatic);
  out += fmt::format(
      "(* no profile for the layer: input_bits. parallel: bit-parallel baseline of equal peak "
      "throughput, {}; {:.2f} s)\n",
      cfg.tile_rows % cfg.input_bits == 0
          ? fmt::format("{} window(s) x {} filters x {} lanes", cfg.tile_rows / cfg.input_bits, cfg.tile_cols,
                        cfg.lanes)
          : fmt::format("the same tile's cycles x {} (tile_rows not a multiple of input_bits)",
                        cfg.input_bits),
      b.seconds);
  return out;
}

nlohmann::json to_json(const config::BitserialConfig& cfg, const NetworkBench& b) {
  const uint64_t mode_cycles =
      cfg.mode == config::BitserialMode::kStripes
          ? b.stripes
          : (cfg.mode == config::BitserialMode::kPragmatic ? b.pragmatic : b.parallel);
  nlohmann::json j = {{"network", b.network},
                      {"mode", config::to_string(cfg.mode)},
                      {"profile", b.profile_path},
                      {"cycles", mode_cycles},
                      {"baseline_cycles", b.parallel},
                      {"speedup", double(b.parallel) / double(mode_cycles)},
                      {"stripes_cycles", b.stripes},
                      {"pragmatic_cycles", b.pragmatic},
                      {"macs", b.macs},
                      {"utilization", utilization(cfg, b.macs, mode_cycles)},
                      {"seconds", b.seconds},
                      {"layers", nlohmann::json::array()}};
  for (const auto& l : b.layers)
    j["layers"].push_back({{"name", l.name},
                           {"M", l.gemm.m},
                           {"N", l.gemm.n},
                           {"K", l.gemm.k},
                           {"groups", l.groups},
                           {"precision", l.precision},
                           {"profiled", l.profiled},
                           {"zero_fraction", l.zero_fraction},
                           {"macs", l.macs},
                           {"parallel_cycles", l.parallel},
                           {"stripes_cycles", l.stripes},
                           {"pragmatic_cycles", l.pragmatic}});
  return j;
}

}  // namespace dnngen::bitserial
