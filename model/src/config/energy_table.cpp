// The energy table's reader and its interpolation (config/energy_table.hpp).
#include "dnngen/config/energy_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>

#include "config_internal.hpp"

namespace dnngen::config {
namespace {

using detail::MapReader;

constexpr double kMaxPj = 1e9;
constexpr unsigned kMaxBits = 4096;

// A power law through the two anchors nearest `x` (both ends extrapolate).
double power_law(const std::map<unsigned, double>& anchors, double x) {
  auto hi = anchors.lower_bound(static_cast<unsigned>(std::ceil(x)));
  if (hi == anchors.end()) --hi;
  if (hi == anchors.begin()) ++hi;
  const auto lo = std::prev(hi);
  const double exponent = std::log(hi->second / lo->second) / std::log(double(hi->first) / lo->first);
  return lo->second * std::pow(x / lo->first, exponent);
}

// {bits: pJ, ...} of at least two widths.
std::map<unsigned, double> read_anchors(const MapReader& parent, const std::string& key,
                                        const std::string& source) {
  const YAML::Node& node = parent.require(key);
  if (!node.IsMap()) parent.fail_at(key, "must be a mapping of bit widths to pJ, e.g. {8: 0.03, 32: 0.1}");
  MapReader r(node, key, source);
  std::map<unsigned, double> anchors;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string& width = it->first.Scalar();
    int64_t bits = 0;
    if (!detail::parse_decimal(width, bits) || bits < 1 || bits > kMaxBits) {
      r.fail(fmt::format("{}: keys must be bit widths in 1..{}, got '{}'", key, kMaxBits, width));
    }
    anchors[static_cast<unsigned>(bits)] = r.get_double(width, 1e-9, kMaxPj);
  }
  if (anchors.size() < 2) r.fail(key + ": needs at least two widths (the law between them scales the rest)");
  return anchors;
}

// {pj, bits} of one access; with `sram`, also its reference capacity and exponent.
void read_access(const MapReader& parent, const std::string& key, const std::string& source, double& pj,
                 unsigned& bits, EnergyTable* sram = nullptr) {
  const YAML::Node& node = parent.require(key);
  if (!node.IsMap()) parent.fail_at(key, "must be a mapping with keys pj, bits");
  MapReader r(node, key, source);
  if (sram != nullptr) {
    r.check_known({"pj", "bits", "bytes", "capacity_exponent"});
    sram->sram_bytes = r.get_int("bytes", 1, int64_t{1} << 40);
    sram->sram_capacity_exponent = r.get_double("capacity_exponent", 0, 2);
  } else {
    r.check_known({"pj", "bits"});
  }
  pj = r.get_double("pj", 1e-9, kMaxPj);
  bits = r.get_unsigned("bits", 1, kMaxBits);
}

}  // namespace

double EnergyTable::add(unsigned bits) const { return scale * power_law(add_pj, bits); }

double EnergyTable::mult(unsigned a_bits, unsigned b_bits) const {
  return scale * power_law(mult_pj, std::sqrt(double(a_bits) * b_bits));
}

double EnergyTable::register_file(unsigned bits) const { return scale * rf_pj * bits / rf_bits; }

double EnergyTable::sram(int64_t capacity_bytes, unsigned bits) const {
  const double capacity =
      std::pow(double(std::max<int64_t>(capacity_bytes, 1)) / sram_bytes, sram_capacity_exponent);
  return std::max(register_file(bits), scale * sram_pj * bits / sram_bits * capacity);
}

double EnergyTable::dram_per_bit() const { return scale * dram_pj / dram_bits; }
double EnergyTable::array_per_bit() const { return scale * array_pj / array_bits; }

std::string default_energy_table_path() {
  if (const char* env = std::getenv("DNNGEN_ENERGY_TABLE"); env != nullptr && *env != '\0') return env;
  return std::string(DNNGEN_SOURCE_DIR) + "/configs/energy/horowitz_45nm.yaml";
}

EnergyTable parse_energy_table(const std::string& yaml_text, const std::string& source_name) {
  const YAML::Node root =
      detail::parse_document(yaml_text, source_name, "an energy table: name, int_add_pj, ...");
  if (!root.IsMap()) {
    throw InputError(source_name + ": expected a mapping (an energy table), got " + detail::describe(root));
  }
  MapReader r(root, "", source_name);
  r.check_known({"name", "node_nm", "source", "scale", "int_add_pj", "int_mult_pj", "register_file", "sram",
                 "dram", "array"});
  EnergyTable t;
  t.name = r.get_string("name");
  t.source = r.get_string("source");
  t.node_nm = r.get_double("node_nm", 1, 1e4);
  t.scale = r.has("scale") ? r.get_double("scale", 1e-6, 1e6) : 1.0;
  t.add_pj = read_anchors(r, "int_add_pj", source_name);
  t.mult_pj = read_anchors(r, "int_mult_pj", source_name);
  read_access(r, "register_file", source_name, t.rf_pj, t.rf_bits);
  read_access(r, "sram", source_name, t.sram_pj, t.sram_bits, &t);
  read_access(r, "dram", source_name, t.dram_pj, t.dram_bits);
  read_access(r, "array", source_name, t.array_pj, t.array_bits);
  return t;
}

EnergyTable load_energy_table(const std::string& path) {
  const std::string file = path.empty() ? default_energy_table_path() : path;
  return parse_energy_table(detail::read_text_file(file), file);
}

}  // namespace dnngen::config
