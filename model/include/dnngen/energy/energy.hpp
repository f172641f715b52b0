#pragma once
// Analytical energy: what an engine did (its action counts, counted by its cycle model)
// priced with an energy table (config/energy_table.hpp), level by level as in Accelergy
// and the Eyeriss energy model: DRAM, on-chip buffers (SRAM), the array's interconnect,
// register files and scratchpads, and the MACs. docs/energy.md.
#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "dnngen/config/energy_table.hpp"

namespace dnngen::energy {

// The levels of the breakdown, from the most to the least expensive access.
enum class Level { kDram, kBuffer, kArray, kRegister, kMac };
constexpr size_t kLevels = 5;
// "dram", "buffer", "array", "rf", "mac".
const char* level_name(Level level);

// Multiply-accumulates of a_bits x w_bits operands into an acc_bits sum (a bit-serial step
// is a 1 x w_bits one).
struct MacGroup {
  unsigned a_bits = 0, w_bits = 0, acc_bits = 0;
  uint64_t count = 0;
};

// Accesses to one on-chip memory (all instances together): an SRAM buffer (Level::kBuffer)
// or a register file / scratchpad (Level::kRegister) of `capacity_bytes` each, `width_bits`
// per access.
struct MemoryAccesses {
  std::string name;
  Level level = Level::kBuffer;
  int64_t capacity_bytes = 0;
  unsigned width_bits = 0;
  uint64_t reads = 0, writes = 0;
};

struct Actions {
  std::vector<MacGroup> macs;
  std::vector<MemoryAccesses> memories;
  uint64_t array_bits = 0;  // bits moved between PEs or over the array's buses (per receiver)
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t mac_ops = 0;  // the multiply-accumulates of the work (a bit-serial term is not one)

  // Adds to the group of the same widths / the memory of the same name (and geometry).
  void add_macs(unsigned a_bits, unsigned w_bits, unsigned acc_bits, uint64_t count);
  // A bit-serial engine's `terms` 1 x w_bits steps doing `macs` multiply-accumulates.
  void add_serial_terms(unsigned w_bits, unsigned acc_bits, uint64_t terms, uint64_t work_macs);
  void add_memory(const std::string& name, Level level, int64_t capacity_bytes, unsigned width_bits,
                  uint64_t reads, uint64_t writes);
  uint64_t mac_count() const { return mac_ops; }
  Actions& operator+=(const Actions& o);
  Actions& operator*=(uint64_t times);  // the same work `times` over (e.g. a layer's groups)

 private:
  void add_group(unsigned a_bits, unsigned w_bits, unsigned acc_bits, uint64_t count);
};

// pJ per level, and per memory.
struct Breakdown {
  std::array<double, kLevels> pj{};
  std::vector<std::pair<std::string, double>> memories;  // name -> pJ
  double total() const;
  double at(Level level) const { return pj[static_cast<size_t>(level)]; }
  Breakdown& operator*=(double factor);  // e.g. 1 / samples: per inference
};

Breakdown evaluate(const Actions& actions, const config::EnergyTable& table);

// The figures every report prints: total and per-level pJ, pJ per MAC, TOPS/W (2 ops a
// MAC) and, for `inferences` > 0, inferences per joule (perf/W: inferences/s per W).
// `scope` says what the energy counts (e.g. "compute, on-chip buffers and DRAM through the
// shell's DMA" or "on chip only: no data movement to DRAM").
nlohmann::json to_json(const Breakdown& b, uint64_t macs, const std::string& scope, uint64_t inferences = 0);
nlohmann::json to_json(const Actions& a);
// The inverse of to_json(Actions); nlohmann::json's exceptions (or std::invalid_argument,
// an unknown level) for anything else.
Actions actions_from_json(const nlohmann::json& j);

// One line: "energy 12.3 uJ (dram 40 %, buffer 30 %, ...), 1.23 pJ/MAC, 1.6 TOPS/W".
std::string summary(const Breakdown& b, uint64_t macs);

}  // namespace dnngen::energy
