#pragma once
// Private to model/src/config: one parser per engine section, called by config.cpp
// with the section's mapping node.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::config::detail {

// The `systolic:` section: its key set (by dataflow), array and numerics; with
// dataflow row_stationary nothing more (parse_row_stationary reads the rest).
SystolicConfig parse_systolic(const YAML::Node& node, const std::string& source);
// The keys only dataflow row_stationary has, and the row-stationary engine's config.
extern const std::vector<std::string> kRowStationaryKeys;
RowStationaryConfig parse_row_stationary(const YAML::Node& node, const std::string& source,
                                         const ArrayConfig& array);
// The RTL parameters every systolic top starts with (NumRows ... Saturate).
std::vector<std::pair<std::string, int64_t>> array_rtl_parameters(const ArrayConfig& a);
EieConfig parse_eie(const YAML::Node& node, const std::string& source);
BitserialConfig parse_bitserial(const YAML::Node& node, const std::string& source);

}  // namespace dnngen::config::detail
