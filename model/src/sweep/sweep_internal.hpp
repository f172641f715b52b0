#pragma once
// Helpers shared by the sweep's files (grid.cpp, run.cpp, report.cpp, plots.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../config/text_internal.hpp"
#include "dnngen/sweep/grid.hpp"

namespace dnngen::sweep::detail {

using text::join;
using text::split;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Short names of the swept keys: the last segment when no other key has the same one.
std::map<std::string, std::string> short_names(const std::vector<SweepAxis>& axes);

inline std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

// Fmax from a target's JSON report: "fmax_mhz" at the top or in "timing"; NaN if none.
double find_fmax(const nlohmann::json& j);

}  // namespace dnngen::sweep::detail
