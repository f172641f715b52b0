#pragma once
// Energy per action of one technology: the data file configs/energy/*.yaml (the default is
// configs/energy/horowitz_45nm.yaml, 45 nm after Horowitz, ISSCC 2014). The analytical
// energy (energy/energy.hpp) prices every engine's action counts with it.
// docs/energy_power.md describes the file, its sources and how to scale it.
#include <cstdint>
#include <map>
#include <string>

namespace dnngen::config {

struct EnergyTable {
  std::string name;
  std::string source;
  double node_nm = 45;
  double scale = 1;  // multiplies every figure (another node, another voltage)
  // Anchors: integer width in bits -> pJ. Between two anchors a power law through both;
  // outside them the nearest two anchors' law.
  std::map<unsigned, double> add_pj, mult_pj;
  // One access of `bits` bits: a small register file, an SRAM of `sram_bytes`, DRAM; a
  // word moved over the array.
  double rf_pj = 1, sram_pj = 5, dram_pj = 640, array_pj = 2;
  unsigned rf_bits = 32, sram_bits = 32, dram_bits = 32, array_bits = 32;
  int64_t sram_bytes = 8192;
  double sram_capacity_exponent = 0.5;

  // pJ of one integer add of `bits` bits.
  double add(unsigned bits) const;
  // pJ of one a_bits x b_bits integer multiply (at the width sqrt(a_bits * b_bits)).
  double mult(unsigned a_bits, unsigned b_bits) const;
  // pJ of one access of `bits` bits to a register file or scratchpad.
  double register_file(unsigned bits) const;
  // pJ of one access of `bits` bits to an SRAM of `capacity_bytes`: the reference access
  // scaled linearly in width and by (capacity / sram_bytes)^exponent, never below a
  // register-file access of the same width.
  double sram(int64_t capacity_bytes, unsigned bits) const;
  // pJ per bit moved between DRAM and the chip, and over the array.
  double dram_per_bit() const;
  double array_per_bit() const;
};

// The path of the default table: $DNNGEN_ENERGY_TABLE if set, else the source tree's
// configs/energy/horowitz_45nm.yaml.
std::string default_energy_table_path();

// Reads a table; InputError naming the file and the key for malformed YAML, unknown or
// missing keys and values out of range. An empty path reads the default table.
EnergyTable load_energy_table(const std::string& path = "");
EnergyTable parse_energy_table(const std::string& yaml_text, const std::string& source_name);

}  // namespace dnngen::config
