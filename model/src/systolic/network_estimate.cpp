// The closed-form cycle estimate of whole networks on the systolic WS/OS engine
// (dnngen/systolic/network_estimate.hpp).
#include "dnngen/systolic/network_estimate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "dnngen/common/numerics.hpp"
#include "dnngen/systolic/energy_actions.hpp"
#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {
namespace {

using numerics::ceil_div;

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

uint64_t bytes_of(unsigned bits) { return (bits + 7) / 8; }

// Bias (int32) and per-channel scale (int32 mult, int32 shift) of one output channel.
constexpr uint64_t kChannelParamBytes = 12;

// The data movement of one group of a layer (see the header): fills e's DRAM fields
// except the group multiplication, given the job split and each job class's compute.
struct DramPlan {
  double read = 0, write = 0;             // bytes
  double busy = 0;                        // sum over jobs of max(compute, transfer)
  double first_load = 0, last_write = 0;  // bytes of the fill and the drain
};

DramPlan plan_dram(const config::SystolicConfig& cfg, const config::MemoryConfig& mem, const GemmShape& g,
                   const DimSplit& ms, const DimSplit& ns, const DimSplit& ks) {
  const double rate = mem.effective_bytes_per_cycle();
  const uint64_t mt = ceil_div(g.m, cfg.max_m), nt = ceil_div(g.n, cfg.max_n), kt = ceil_div(g.k, cfg.max_k);
  const double in_b = bytes_of(cfg.input_bits), w_b = bytes_of(cfg.weight_bits);
  const double out_b = in_b;  // outputs in the input width: the next layer reads them
  // Share of a job in each tile load: A kept across the n tiles when K is one tile, B
  // kept across the m tiles when N and K are one tile; an output tile (and its channel
  // parameters) once per m, n pair, i.e. once in kt jobs.
  const double a_share = kt == 1 ? 1.0 / static_cast<double>(nt) : 1.0;
  const double b_share = (nt == 1 && kt == 1) ? 1.0 / static_cast<double>(mt) : 1.0;
  DramPlan p;
  for (int i = 0; i < ms.parts; ++i) {
    for (int j = 0; j < ns.parts; ++j) {
      for (int l = 0; l < ks.parts; ++l) {
        const double tm = ms.size[i], tn = ns.size[j], tk = ks.size[l];
        const double count = static_cast<double>(ms.count[i] * ns.count[j] * ks.count[l]);
        const double read = tm * tk * in_b * a_share + tk * tn * w_b * b_share + tn * kChannelParamBytes / kt;
        const double write = tm * tn * out_b / static_cast<double>(kt);
        const double compute =
            static_cast<double>(estimate(cfg, GemmShape{ms.size[i], ns.size[j], ks.size[l]}).cycles);
        p.read += count * read;
        p.write += count * write;
        p.busy += count * std::max(compute, (read + write) / rate);
      }
    }
  }
  p.first_load = static_cast<double>(ms.size[0]) * ks.size[0] * in_b +
                 static_cast<double>(ks.size[0]) * ns.size[0] * w_b;
  p.last_write = static_cast<double>(ms.size[ms.parts - 1]) * ns.size[ns.parts - 1] * out_b;
  return p;
}

}  // namespace

workload::LayerEstimate estimate_layer(const config::SystolicConfig& cfg, const workload::Layer& layer,
                                       const config::MemoryConfig* memory) {
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
  e.scalesim_cycles = groups * scalesim_cycles(cfg, g);  // a group is a SCALE-Sim layer
  e.scalesim_ratio = ratio(e.cycles, e.scalesim_cycles);
  e.actions = gemm_actions(kernel_params(cfg), g.m, g.n, g.k, memory != nullptr);
  e.actions *= groups;
  if (memory != nullptr) {
    const DramPlan p = plan_dram(cfg, *memory, g, ms, ns, ks);
    const double rate = memory->effective_bytes_per_cycle();
    const double gr = static_cast<double>(groups);
    e.has_dram = true;
    e.dram_read_bytes = static_cast<uint64_t>(std::ceil(gr * p.read));
    e.dram_write_bytes = static_cast<uint64_t>(std::ceil(gr * p.write));
    e.memory_cycles = static_cast<uint64_t>(std::ceil(gr * (p.read + p.write) / rate));
    // Fill: the first tiles arrive after the latency; drain: the last tile's write.
    const double fill = memory->latency + p.first_load / rate, drain = memory->latency + p.last_write / rate;
    e.cycles_with_dram = static_cast<uint64_t>(std::ceil(gr * p.busy + fill + drain));
    e.utilization_with_dram = utilization(cfg, e.macs, e.cycles_with_dram);
    e.bound = e.memory_cycles > e.cycles ? "memory" : "compute";
    e.actions.dram_read_bytes = e.dram_read_bytes, e.actions.dram_write_bytes = e.dram_write_bytes;
  }
  return e;
}

workload::NetworkEstimate estimate_network(const config::SystolicConfig& cfg,
                                           const std::vector<workload::Layer>& layers,
                                           const std::string& name, const config::MemoryConfig* memory) {
  workload::NetworkEstimate n;
  n.name = name;
  n.cfg = cfg;
  n.has_dram = memory != nullptr;
  if (memory != nullptr) n.memory = *memory;
  n.layers.reserve(layers.size());
  for (const workload::Layer& layer : layers) {
    workload::LayerEstimate e = estimate_layer(cfg, layer, memory);
    n.dram_read_bytes += e.dram_read_bytes;
    n.dram_write_bytes += e.dram_write_bytes;
    n.memory_cycles += e.memory_cycles;
    n.cycles_with_dram += e.cycles_with_dram;
    n.jobs += e.jobs;
    n.macs += e.macs;
    n.cycles += e.cycles;
    n.scalesim_cycles += e.scalesim_cycles;
    n.actions += e.actions;
    n.layers.push_back(std::move(e));
  }
  n.utilization = utilization(cfg, n.macs, n.cycles);
  n.utilization_with_dram = utilization(cfg, n.macs, n.cycles_with_dram);
  n.scalesim_ratio = ratio(n.cycles, n.scalesim_cycles);
  return n;
}

}  // namespace dnngen::systolic
