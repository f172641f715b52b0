#pragma once
// Network workloads: the layer tables in workloads/*.csv, their lowering to GEMM, and
// the per-layer estimate records every engine's network estimate fills in
// (the systolic one: dnngen/systolic/network_estimate.hpp).
//
//  * load_network(): strict parser of the workload CSV format (docs/workloads.md).
//  * lower(): conv2d -> GEMM by im2col (one GEMM per group), as the host driver does.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/golden/gemm.hpp"

namespace dnngen::workload {

enum class LayerType { kConv, kGemm };

// conv2d with square stride and symmetric zero padding; groups split C and the
// filters into independent convolutions (groups == C == filters is depthwise).
struct ConvShape {
  int64_t h = 0, w = 0;  // ifmap height, width
  int64_t c = 0;         // input channels
  int64_t filters = 0;   // output channels (K in the conv literature)
  int64_t r = 0, s = 0;  // filter height, width
  int64_t stride = 1;
  int64_t pad = 0;
};

struct Layer {
  std::string name;
  LayerType type = LayerType::kGemm;
  ConvShape conv;          // conv only
  golden::GemmShape gemm;  // gemm: as written; conv: the im2col lowering of one group
  int64_t groups = 1;      // independent GEMMs of shape `gemm` (conv groups, heads)
  int line = 0;            // line in the source file, for messages
};

// Output height/width of a conv: floor((H + 2P - R) / S) + 1.
int64_t conv_output_size(int64_t in, int64_t filter, int64_t stride, int64_t pad);

// im2col lowering of one group: M = E*F, K = (C/groups)*R*S, N = filters/groups.
golden::GemmShape lower(const ConvShape& conv, int64_t groups);

// Parses a workload file. Throws InputError "FILE:LINE: message" for a bad row and
// "FILE: message" for an unreadable or empty file.
std::vector<Layer> load_network(const std::string& path);

// Same, from text (source_name is used in messages). For tests.
std::vector<Layer> parse_network(const std::string& text, const std::string& source_name);

struct LayerEstimate {
  std::string name;
  LayerType type = LayerType::kGemm;
  golden::GemmShape gemm;  // per group, unsplit
  int64_t groups = 1;
  uint64_t jobs = 0;  // engine jobs after splitting to max_m/max_n/max_k, all groups
  uint64_t macs = 0;
  uint64_t cycles = 0;           // sum of the jobs' cycles (jobs run back to back)
  double utilization = 0;        // macs / (cycles * rows * cols)
  uint64_t scalesim_cycles = 0;  // SCALE-Sim v2, same dataflow, on the unsplit GEMM, all groups
  double scalesim_ratio = 0;     // cycles / scalesim_cycles
  // Data movement through the shell (engines with a DRAM model; has_dram false: the
  // figures above are compute only and these are 0).
  bool has_dram = false;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t memory_cycles = 0;     // the bytes at the memory's effective bandwidth
  uint64_t cycles_with_dram = 0;  // jobs overlapped with their transfers, plus fill and drain
  double utilization_with_dram = 0;
  std::string bound;  // "compute" or "memory": which of the two takes longer
  // What the layer does, for the analytical energy (energy/energy.hpp): the engine's jobs,
  // and the DRAM bytes above when has_dram.
  energy::Actions actions;
};

struct NetworkEstimate {
  std::string name;  // network name (file stem)
  config::SystolicConfig cfg;
  std::vector<LayerEstimate> layers;
  uint64_t jobs = 0;
  uint64_t macs = 0;
  uint64_t cycles = 0;
  double utilization = 0;
  uint64_t scalesim_cycles = 0;
  double scalesim_ratio = 0;
  bool has_dram = false;
  config::MemoryConfig memory;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0, memory_cycles = 0, cycles_with_dram = 0;
  double utilization_with_dram = 0;
  energy::Actions actions;  // every layer's
};

// The energy of an estimate's actions priced with the table (energy::to_json and the
// table's name), its scope saying whether the DRAM bytes of the shell model are in.
nlohmann::json energy_json(const energy::Actions& a, uint64_t macs, bool has_dram,
                           const config::EnergyTable& table);

// With an energy table, each record also has its energy priced by it ("energy").
nlohmann::json to_json(const LayerEstimate& e, const config::EnergyTable* table = nullptr);
nlohmann::json to_json(const NetworkEstimate& e, const config::EnergyTable* table = nullptr);

// Aligned text table: one row per layer, then the totals; with an energy table, a pJ/MAC
// column and the network's energy by level.
std::string format_table(const NetworkEstimate& e, const config::EnergyTable* table = nullptr);

std::string to_string(LayerType t);  // "conv" / "gemm"

}  // namespace dnngen::workload
