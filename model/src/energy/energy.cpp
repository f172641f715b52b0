// Pricing action counts with an energy table (energy/energy.hpp).
#include "dnngen/energy/energy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace dnngen::energy {
namespace {

size_t index(Level level) { return static_cast<size_t>(level); }

constexpr std::array<Level, kLevels> kAllLevels = {Level::kDram, Level::kBuffer, Level::kArray,
                                                   Level::kRegister, Level::kMac};

// "12.3 uJ": the unit that keeps 1-3 digits before the point.
std::string format_pj(double pj) {
  if (pj >= 1e9) return fmt::format("{:.3g} mJ", pj / 1e9);
  if (pj >= 1e6) return fmt::format("{:.3g} uJ", pj / 1e6);
  if (pj >= 1e3) return fmt::format("{:.3g} nJ", pj / 1e3);
  return fmt::format("{:.3g} pJ", pj);
}

}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::kDram:
      return "dram";
    case Level::kBuffer:
      return "buffer";
    case Level::kArray:
      return "array";
    case Level::kRegister:
      return "rf";
    case Level::kMac:
      return "mac";
  }
  return "?";
}

void Actions::add_macs(unsigned a_bits, unsigned w_bits, unsigned acc_bits, uint64_t count) {
  mac_ops += count;
  add_group(a_bits, w_bits, acc_bits, count);
}

void Actions::add_serial_terms(unsigned w_bits, unsigned acc_bits, uint64_t terms, uint64_t work_macs) {
  mac_ops += work_macs;
  add_group(1, w_bits, acc_bits, terms);
}

void Actions::add_group(unsigned a_bits, unsigned w_bits, unsigned acc_bits, uint64_t count) {
  if (count == 0) return;
  for (auto& g : macs) {
    if (g.a_bits == a_bits && g.w_bits == w_bits && g.acc_bits == acc_bits) {
      g.count += count;
      return;
    }
  }
  macs.push_back({a_bits, w_bits, acc_bits, count});
}

void Actions::add_memory(const std::string& name, Level level, int64_t capacity_bytes, unsigned width_bits,
                         uint64_t reads, uint64_t writes) {
  for (auto& m : memories) {
    if (m.name == name && m.level == level && m.capacity_bytes == capacity_bytes &&
        m.width_bits == width_bits) {
      m.reads += reads, m.writes += writes;
      return;
    }
  }
  memories.push_back({name, level, capacity_bytes, width_bits, reads, writes});
}

Actions& Actions::operator+=(const Actions& o) {
  for (const auto& g : o.macs) add_group(g.a_bits, g.w_bits, g.acc_bits, g.count);
  mac_ops += o.mac_ops;
  for (const auto& m : o.memories)
    add_memory(m.name, m.level, m.capacity_bytes, m.width_bits, m.reads, m.writes);
  array_bits += o.array_bits;
  dram_read_bytes += o.dram_read_bytes, dram_write_bytes += o.dram_write_bytes;
  return *this;
}

Actions& Actions::operator*=(uint64_t times) {
  for (auto& g : macs) g.count *= times;
  mac_ops *= times;
  for (auto& m : memories) m.reads *= times, m.writes *= times;
  array_bits *= times;
  dram_read_bytes *= times, dram_write_bytes *= times;
  return *this;
}

double Breakdown::total() const {
  double t = 0;
  for (double v : pj) t += v;
  return t;
}

Breakdown& Breakdown::operator*=(double factor) {
  for (double& v : pj) v *= factor;
  for (auto& m : memories) m.second *= factor;
  return *this;
}

Breakdown evaluate(const Actions& actions, const config::EnergyTable& table) {
  Breakdown b;
  for (const auto& g : actions.macs) {
    b.pj[index(Level::kMac)] += g.count * (table.mult(g.a_bits, g.w_bits) + table.add(g.acc_bits));
  }
  for (const auto& m : actions.memories) {
    const double per_access = m.level == Level::kBuffer ? table.sram(m.capacity_bytes, m.width_bits)
                                                        : table.register_file(m.width_bits);
    const double pj = per_access * static_cast<double>(m.reads + m.writes);
    b.pj[index(m.level)] += pj;
    b.memories.emplace_back(m.name, pj);
  }
  b.pj[index(Level::kArray)] += table.array_per_bit() * static_cast<double>(actions.array_bits);
  b.pj[index(Level::kDram)] +=
      table.dram_per_bit() * 8.0 * static_cast<double>(actions.dram_read_bytes + actions.dram_write_bytes);
  return b;
}

nlohmann::json to_json(const Breakdown& b, uint64_t macs, const std::string& scope, uint64_t inferences) {
  nlohmann::json levels = nlohmann::json::object();
  for (Level l : kAllLevels) levels[level_name(l)] = b.at(l);
  nlohmann::json memories = nlohmann::json::object();
  for (const auto& [name, pj] : b.memories) memories[name] = pj;
  const double total = b.total();
  nlohmann::json j = {{"scope", scope},
                      {"total_pj", total},
                      {"levels_pj", levels},
                      {"memories_pj", memories},
                      {"pj_per_mac", macs > 0 ? total / macs : 0.0},
                      // 2 ops per MAC; ops per pJ is tera-ops per joule, i.e. TOPS/W.
                      {"tops_per_w", total > 0 ? 2.0 * macs / total : 0.0}};
  if (inferences > 0) {
    j["pj_per_inference"] = total / inferences;
    j["inferences_per_joule"] = total > 0 ? 1e12 * inferences / total : 0.0;
  }
  return j;
}

nlohmann::json to_json(const Actions& a) {
  nlohmann::json macs = nlohmann::json::array();
  for (const auto& g : a.macs) {
    macs.push_back(
        {{"a_bits", g.a_bits}, {"w_bits", g.w_bits}, {"acc_bits", g.acc_bits}, {"count", g.count}});
  }
  nlohmann::json memories = nlohmann::json::array();
  for (const auto& m : a.memories) {
    memories.push_back({{"name", m.name},
                        {"level", level_name(m.level)},
                        {"capacity_bytes", m.capacity_bytes},
                        {"width_bits", m.width_bits},
                        {"reads", m.reads},
                        {"writes", m.writes}});
  }
  return {{"macs", macs},
          {"mac_ops", a.mac_ops},
          {"memories", memories},
          {"array_bits", a.array_bits},
          {"dram_read_bytes", a.dram_read_bytes},
          {"dram_write_bytes", a.dram_write_bytes}};
}

Actions actions_from_json(const nlohmann::json& j) {
  Actions a;
  for (const auto& g : j.at("macs")) {
    a.macs.push_back({g.at("a_bits").get<unsigned>(), g.at("w_bits").get<unsigned>(),
                      g.at("acc_bits").get<unsigned>(), g.at("count").get<uint64_t>()});
  }
  a.mac_ops = j.at("mac_ops").get<uint64_t>();
  for (const auto& m : j.at("memories")) {
    const std::string level = m.at("level").get<std::string>();
    const auto l =
        std::find_if(kAllLevels.begin(), kAllLevels.end(), [&](Level x) { return level == level_name(x); });
    if (l == kAllLevels.end()) throw std::invalid_argument("unknown energy level '" + level + "'");
    a.memories.push_back({m.at("name").get<std::string>(), *l, m.at("capacity_bytes").get<int64_t>(),
                          m.at("width_bits").get<unsigned>(), m.at("reads").get<uint64_t>(),
                          m.at("writes").get<uint64_t>()});
  }
  a.array_bits = j.at("array_bits").get<uint64_t>();
  a.dram_read_bytes = j.at("dram_read_bytes").get<uint64_t>();
  a.dram_write_bytes = j.at("dram_write_bytes").get<uint64_t>();
  return a;
}

std::string summary(const Breakdown& b, uint64_t macs) {
  const double total = b.total();
  std::string levels;
  for (Level l : kAllLevels) {
    levels += fmt::format("{}{} {:.0f} %", levels.empty() ? "" : ", ", level_name(l),
                          total > 0 ? 100.0 * b.at(l) / total : 0.0);
  }
  return fmt::format("energy {} ({}), {:.3g} pJ/MAC, {:.3g} TOPS/W", format_pj(total), levels,
                     macs > 0 ? total / macs : 0.0, total > 0 ? 2.0 * macs / total : 0.0);
}

}  // namespace dnngen::energy
