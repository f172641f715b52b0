#pragma once
// The grid of a sweep: one or more base configs times the --set axes. Each point is the
// base's YAML text with the axis values written into it (config::set_yaml_value),
// parsed by config::parse_config, so it is validated exactly like a user's file; every
// point is built before anything runs.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::sweep {

// One --set: each value in turn, given to every key of the axis at once
// (`systolic.rows,systolic.cols=4,8` makes 4x4 and 8x8, not a 2x2 grid).
struct SweepAxis {
  std::vector<std::string> keys;    // dotted config keys, e.g. systolic.rows
  std::vector<std::string> values;  // plain YAML scalars, e.g. 8, output_stationary, true
};

// Parses "KEY=V1,V2,..." or "KEY1,KEY2,...=V1,V2,...". Throws InputError naming the
// argument for a missing '=', an empty or malformed key, an empty or non-plain value,
// and a repeated key or value.
SweepAxis parse_axis(const std::string& text);

struct SweepBase {
  std::string source;  // file name, for messages and the report
  std::string yaml;    // its text
};

struct SweepPoint {
  size_t index = 0;                                           // position in grid order, from 0
  size_t base = 0;                                            // index into the bases
  std::vector<size_t> picks;                                  // per axis: the index of its value
  std::vector<std::pair<std::string, std::string>> settings;  // key = value, axis order
  config::Config config;
  std::string yaml;   // the point's config file: the base's text with the settings written in
  std::string label;  // "systolic.rows=8 systolic.cols=8" ("" without axes)
};

// Every point: per base (in order) the product of the axes, the first axis slowest.
// Throws InputError for a duplicate key across axes and for any point that does not
// validate: "BASE with KEY=VALUE ...: <the parser's message naming the key>".
std::vector<SweepPoint> expand_grid(const std::vector<SweepBase>& bases, const std::vector<SweepAxis>& axes);

}  // namespace dnngen::sweep
