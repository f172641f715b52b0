// The config_fields helpers of dnngen/engine/engine.hpp.
#include <string>
#include <utility>
#include <vector>

#include "dnngen/engine/engine.hpp"

namespace dnngen::engine {

std::vector<std::pair<std::string, std::string>> rtl_parameter_fields(const config::Config& cfg) {
  std::vector<std::pair<std::string, std::string>> fields = {{"name", cfg.name}, {"engine", cfg.engine}};
  for (const auto& [name, value] : config::rtl_parameters(cfg))
    fields.emplace_back("rtl." + name, std::to_string(value));
  return fields;
}

std::vector<std::pair<std::string, std::string>> systolic_section_fields(const config::Config& cfg) {
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

}  // namespace dnngen::engine
