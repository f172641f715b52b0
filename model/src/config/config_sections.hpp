#pragma once
// Private to model/src/config: one parser per engine section, called by config.cpp
// with the section's mapping node.
#include <yaml-cpp/yaml.h>

#include <string>

#include "dnngen/config/config.hpp"

namespace dnngen::config::detail {

SystolicConfig parse_systolic(const YAML::Node& node, const std::string& source);
EieConfig parse_eie(const YAML::Node& node, const std::string& source);
BitserialConfig parse_bitserial(const YAML::Node& node, const std::string& source);

}  // namespace dnngen::config::detail
