// The engine-specific parts of `dnngen sweep` (sweep_engines.hpp).
#include "sweep_engines.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen {
namespace {

// Number of PEs (MAC units): rows x cols for the systolic engine, 0 for the others.
int64_t array_size(const config::Config& cfg) {
  if (cfg.engine == "systolic") return int64_t{cfg.systolic.rows} * cfg.systolic.cols;
  return 0;
}

// Every config key and its value, as written in YAML.
std::vector<std::pair<std::string, std::string>> config_fields(const config::Config& cfg) {
  if (cfg.engine != "systolic") {
    // The other engines: their RTL parameters, which map one to one onto their keys.
    std::vector<std::pair<std::string, std::string>> fields = {{"name", cfg.name}, {"engine", cfg.engine}};
    for (const auto& [name, value] : config::rtl_parameters(cfg))
      fields.emplace_back("rtl." + name, std::to_string(value));
    return fields;
  }
  const config::SystolicConfig& s = cfg.systolic;
  return {{"name", cfg.name},
          {"engine", cfg.engine},
          {"systolic.rows", std::to_string(s.rows)},
          {"systolic.cols", std::to_string(s.cols)},
          {"systolic.dataflow", config::to_string(s.dataflow)},
          {"systolic.input_bits", std::to_string(s.input_bits)},
          {"systolic.weight_bits", std::to_string(s.weight_bits)},
          {"systolic.acc_bits", std::to_string(s.acc_bits)},
          {"systolic.signed", s.is_signed ? "true" : "false"},
          {"systolic.overflow", config::to_string(s.overflow)},
          {"systolic.max_m", std::to_string(s.max_m)},
          {"systolic.max_n", std::to_string(s.max_n)},
          {"systolic.max_k", std::to_string(s.max_k)}};
}

void check_network(const config::Config& cfg) {
  if (cfg.engine != "systolic") {
    throw InputError(fmt::format("{}: --network estimates need a systolic engine, got '{}'",
                                 cfg.source_path, cfg.engine));
  }
}

// The closed-form network estimate of one point: the WS/OS estimate over im2col GEMMs,
// or the row-stationary engine's own (its layers split to its scratchpads).
workload::NetworkEstimate network_estimate(const config::Config& cfg, const std::string& path) {
  const std::string name = std::filesystem::path(path).stem().string();
  if (cfg.systolic.dataflow != config::Dataflow::kRowStationary)
    return workload::estimate_network(cfg.systolic, workload::load_network(path), name);
  workload::NetworkEstimate n;
  n.name = name;
  n.cfg = cfg.systolic;
  for (const auto& row : rs::bench_network(cfg.row_stationary, path)) {
    n.jobs += row.jobs;
    n.macs += row.macs;
    n.cycles += row.cycles;
  }
  const double pes = static_cast<double>(cfg.systolic.rows) * cfg.systolic.cols;
  n.utilization = n.cycles == 0 ? 0.0 : static_cast<double>(n.macs) / (static_cast<double>(n.cycles) * pes);
  return n;
}

}  // namespace

sweep::EngineHooks sweep_engine_hooks() {
  return {array_size, config_fields, check_network, network_estimate};
}

}  // namespace dnngen
