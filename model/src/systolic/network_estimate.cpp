// The closed-form cycle estimate of whole networks on the systolic WS/OS engine
// (dnngen/systolic/network_estimate.hpp).
#include "dnngen/systolic/network_estimate.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// A dimension split into jobs of at most `limit`: `full` jobs of size `limit` and at
// most one edge job of size `edge` (0 if the limit divides the dimension).
struct DimSplit {
  std::array<int64_t, 2> size{};
  std::array<uint64_t, 2> count{};
  int parts = 0;
};

DimSplit split_dim(int64_t dim, unsigned limit) {
  DimSplit s;
  const int64_t full = dim / limit, edge = dim % limit;
  if (full > 0) {
    s.size[s.parts] = limit;
    s.count[s.parts++] = static_cast<uint64_t>(full);
  }
  if (edge > 0) {
    s.size[s.parts] = edge;
    s.count[s.parts++] = 1;
  }
  return s;
}

void check_config(const config::SystolicConfig& cfg) {
  if (cfg.rows == 0 || cfg.cols == 0 || cfg.max_m == 0 || cfg.max_n == 0 || cfg.max_k == 0) {
    throw std::invalid_argument("workload::estimate: rows, cols, max_m, max_n and max_k must all be >= 1");
  }
}

double ratio(uint64_t num, uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

double utilization(const config::SystolicConfig& cfg, uint64_t macs, uint64_t cycles) {
  return ratio(macs, cycles * uint64_t{cfg.rows} * cfg.cols);
}

}  // namespace

workload::LayerEstimate estimate_layer(const config::SystolicConfig& cfg, const workload::Layer& layer) {
  check_config(cfg);
  workload::LayerEstimate e;
  e.name = layer.name;
  e.type = layer.type;
  e.gemm = layer.gemm;
  e.groups = layer.groups;
  const auto groups = static_cast<uint64_t>(layer.groups);
  const GemmShape& g = layer.gemm;

  // At most 2 distinct sizes per dimension, so at most 8 distinct job shapes: the
  // cost is O(1) however many jobs the split produces.
  const DimSplit ms = split_dim(g.m, cfg.max_m), ns = split_dim(g.n, cfg.max_n),
                 ks = split_dim(g.k, cfg.max_k);
  uint64_t per_group = 0;
  for (int i = 0; i < ms.parts; ++i) {
    for (int j = 0; j < ns.parts; ++j) {
      for (int l = 0; l < ks.parts; ++l) {
        const GemmShape job{ms.size[i], ns.size[j], ks.size[l]};
        per_group += ms.count[i] * ns.count[j] * ks.count[l] * estimate(cfg, job).cycles;
      }
    }
  }
  e.cycles = groups * per_group;
  e.jobs = groups * ceil_div(g.m, cfg.max_m) * ceil_div(g.n, cfg.max_n) * ceil_div(g.k, cfg.max_k);
  e.macs = groups * static_cast<uint64_t>(g.m) * static_cast<uint64_t>(g.n) * static_cast<uint64_t>(g.k);
  e.utilization = utilization(cfg, e.macs, e.cycles);
  e.scalesim_cycles = groups * scalesim_ws_cycles(cfg.rows, cfg.cols, g);
  e.scalesim_ratio = ratio(e.cycles, e.scalesim_cycles);
  return e;
}

workload::NetworkEstimate estimate_network(const config::SystolicConfig& cfg,
                                           const std::vector<workload::Layer>& layers,
                                           const std::string& name) {
  workload::NetworkEstimate n;
  n.name = name;
  n.cfg = cfg;
  n.layers.reserve(layers.size());
  for (const workload::Layer& layer : layers) {
    workload::LayerEstimate e = estimate_layer(cfg, layer);
    n.jobs += e.jobs;
    n.macs += e.macs;
    n.cycles += e.cycles;
    n.scalesim_cycles += e.scalesim_cycles;
    n.layers.push_back(std::move(e));
  }
  n.utilization = utilization(cfg, n.macs, n.cycles);
  n.scalesim_ratio = ratio(n.cycles, n.scalesim_cycles);
  return n;
}

}  // namespace dnngen::systolic
