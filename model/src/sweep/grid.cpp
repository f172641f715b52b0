// The grid of a sweep: --set axes and the points (sweep/grid.hpp).
#include "dnngen/sweep/grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "dnngen/common/error.hpp"
#include "dnngen/config/yaml_edit.hpp"
#include "sweep_internal.hpp"

namespace dnngen::sweep {
using namespace detail;

namespace {

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_plain_value(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '+' || c == '-';
  });
}

}  // namespace

namespace detail {

std::map<std::string, std::string> short_names(const std::vector<SweepAxis>& axes) {
  std::map<std::string, int> count;
  for (const auto& a : axes) {
    for (const auto& k : a.keys) ++count[k.substr(k.rfind('.') + 1)];
  }
  std::map<std::string, std::string> names;
  for (const auto& a : axes) {
    for (const auto& k : a.keys) {
      const std::string last = k.substr(k.rfind('.') + 1);
      names[k] = count[last] == 1 ? last : k;
    }
  }
  return names;
}

}  // namespace detail

SweepAxis parse_axis(const std::string& text) {
  const std::string where = "--set '" + text + "'";
  const size_t eq = text.find('=');
  if (eq == std::string::npos) {
    throw InputError(where + ": expected KEY=V1,V2,... (e.g. systolic.rows=4,8,16)");
  }
  SweepAxis axis;
  axis.keys = split(text.substr(0, eq), ',');
  axis.values = split(text.substr(eq + 1), ',');
  for (const auto& key : axis.keys) {
    const auto segments = split(key, '.');
    if (key.empty() || !std::all_of(segments.begin(), segments.end(), is_identifier)) {
      throw InputError(
          fmt::format("{}: '{}' is not a config key (dotted names such as systolic.rows)", where, key));
    }
    if (std::count(axis.keys.begin(), axis.keys.end(), key) > 1) {
      throw InputError(fmt::format("{}: key '{}' is given twice", where, key));
    }
  }
  for (const auto& value : axis.values) {
    if (!is_plain_value(value)) {
      throw InputError(
          fmt::format("{}: value '{}' for {} must be a plain word or number "
                      "(letters, digits, _ . + -)",
                      where, value, join(axis.keys, ",")));
    }
    if (std::count(axis.values.begin(), axis.values.end(), value) > 1) {
      throw InputError(fmt::format("{}: value '{}' is given twice", where, value));
    }
  }
  return axis;
}

std::vector<SweepPoint> expand_grid(const std::vector<SweepBase>& bases, const std::vector<SweepAxis>& axes) {
  std::set<std::string> seen;
  for (const auto& axis : axes) {
    if (axis.keys.empty() || axis.values.empty()) throw InputError("--set: an axis needs a key and a value");
    for (const auto& key : axis.keys) {
      if (!seen.insert(key).second) throw InputError(fmt::format("--set: key '{}' is swept twice", key));
    }
  }
  const auto names = short_names(axes);
  std::vector<SweepPoint> points;
  for (size_t b = 0; b < bases.size(); ++b) {
    std::vector<size_t> picks(axes.size(), 0);
    for (;;) {
      SweepPoint p;
      p.index = points.size();
      p.base = b;
      p.picks = picks;
      std::vector<std::string> label, full;
      for (size_t a = 0; a < axes.size(); ++a) {
        for (const auto& key : axes[a].keys) {
          p.settings.emplace_back(key, axes[a].values[picks[a]]);
          label.push_back(names.at(key) + "=" + axes[a].values[picks[a]]);
          full.push_back(key + "=" + axes[a].values[picks[a]]);
        }
      }
      p.label = join(label, " ");
      const std::string source =
          full.empty() ? bases[b].source : bases[b].source + " with " + join(full, " ");
      std::string yaml = bases[b].yaml;
      for (const auto& [key, value] : p.settings) yaml = config::set_yaml_value(yaml, key, value, source);
      p.config = config::parse_config(yaml, source);
      p.config.source_path = bases[b].source;
      p.yaml = std::move(yaml);
      points.push_back(std::move(p));
      // Next combination, the last axis fastest.
      size_t a = axes.size();
      while (a > 0 && ++picks[a - 1] == axes[a - 1].values.size()) picks[--a] = 0;
      if (a == 0) break;
    }
  }
  return points;
}

}  // namespace dnngen::sweep
