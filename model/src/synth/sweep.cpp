// `dnngen sweep`: grid expansion by editing the base YAML text, the synthesis and
// network-estimate runs, and the report (JSON, CSV, Markdown, SVG plots).
#include "dnngen/synth/sweep.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/svg_plot.hpp"
#include "dnngen/generate/bundle.hpp"
#include "dnngen/row_stationary/rs_host.hpp"

namespace dnngen::synth {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

constexpr int kFormatVersion = 1;
const char* const kSweepJson = "sweep.json";
const char* const kSweepCsv = "sweep.csv";
const char* const kReportMd = "report.md";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

output::DirKind sweep_kind() { return {kSweepJson, kSweepFormat, "dnngen sweep report"}; }

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Fields between separators, trimmed; "" is one empty field.
std::vector<std::string> split(const std::string& s, char sep) {
  if (s.empty()) return {""};
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(trim(part));
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_plain_value(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '+' ||
           c == '-';
  });
}

// ---------------------------------------------------------------- YAML text editing

// One line of a block-style YAML document, as far as key paths need it.
struct YamlLine {
  std::string text;
  int indent = 0;
  bool content = false;  // not blank, not a comment
  std::string key;       // "key" of a `key: ...` line, else ""
  std::string rest;      // after the colon, without a trailing comment
};

YamlLine classify_line(const std::string& text) {
  YamlLine line;
  line.text = text;
  const size_t first = text.find_first_not_of(' ');
  if (first == std::string::npos || text[first] == '#') return line;
  line.indent = static_cast<int>(first);
  line.content = true;
  size_t end = first;
  while (end < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
    ++end;
  size_t colon = end;
  while (colon < text.size() && text[colon] == ' ') ++colon;
  if (end > first && colon < text.size() && text[colon] == ':' &&
      (colon + 1 == text.size() || text[colon + 1] == ' ')) {
    line.key = text.substr(first, end - first);
    std::string rest = text.substr(colon + 1);
    const size_t hash = rest.find(" #");
    if (hash != std::string::npos) rest = rest.substr(0, hash);
    line.rest = trim(rest);
  }
  return line;
}

// The line index after the last line that belongs to the mapping entry at `at` (its
// nested or continuation lines are the following content lines indented deeper).
size_t entry_end(const std::vector<YamlLine>& lines, size_t at, size_t end) {
  size_t last = at;
  for (size_t i = at + 1; i < end; ++i) {
    if (!lines[i].content) continue;
    if (lines[i].indent <= lines[at].indent) break;
    last = i;
  }
  return last + 1;
}

// Sets path[depth..] inside lines [begin, end), a mapping nested at parent_indent.
void set_in(std::vector<YamlLine>& lines, size_t begin, size_t end, int parent_indent,
            const std::vector<std::string>& path, size_t depth, const std::string& value,
            const std::string& where) {
  int indent = -1;
  size_t insert_at = begin;  // after the mapping's last content line
  for (size_t i = begin; i < end; ++i) {
    if (!lines[i].content) continue;
    if (indent < 0) indent = lines[i].indent;
    insert_at = i + 1;
  }
  if (indent < 0) indent = parent_indent < 0 ? 0 : parent_indent + 2;
  const std::string& key = path[depth];
  const bool leaf = depth + 1 == path.size();
  std::string dotted;
  for (size_t i = 0; i <= depth; ++i) dotted += (i ? "." : "") + path[i];

  for (size_t i = begin; i < end; ++i) {
    if (!lines[i].content || lines[i].indent != indent || lines[i].key != key) continue;
    const size_t stop = entry_end(lines, i, end);
    if (leaf) {
      const bool has_children = stop > i + 1 && lines[i].rest.empty();
      if (has_children)
        throw InputError(
            fmt::format("{}: cannot set '{}': it is a section, not a value", where, dotted));
      // Drop continuation lines of a multi-line value along with the value.
      lines.erase(lines.begin() + static_cast<long>(i) + 1,
                  lines.begin() + static_cast<long>(stop));
      lines[i] = classify_line(std::string(static_cast<size_t>(indent), ' ') + key + ": " + value);
      return;
    }
    if (!lines[i].rest.empty()) {
      if (lines[i].rest[0] == '{') {
        throw InputError(
            fmt::format("{}: cannot set '{}' inside '{}': it is a flow-style mapping "
                        "({{...}}); write the base config in block style",
                        where, join(path, "."), dotted));
      }
      throw InputError(fmt::format("{}: cannot set '{}': '{}' is a value, not a section", where,
                                   join(path, "."), dotted));
    }
    set_in(lines, i + 1, stop, indent, path, depth + 1, value, where);
    return;
  }
  // Not there: add it (with any missing sections), so the parser names it if unknown.
  std::vector<YamlLine> added;
  int at = indent;
  for (size_t d = depth; d < path.size(); ++d, at += 2) {
    const bool last = d + 1 == path.size();
    added.push_back(classify_line(std::string(static_cast<size_t>(at), ' ') + path[d] + ":" +
                                  (last ? " " + value : "")));
  }
  lines.insert(lines.begin() + static_cast<long>(insert_at), added.begin(), added.end());
}

// Short names of the swept keys: the last segment when no other key has the same one.
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

// ---------------------------------------------------------------- formatting

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

std::string duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// 1 234 567 (thin groups, as in docs/).
std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

// 4 significant digits (1.19, 0.003015).
std::string significant(double v) {
  return std::isfinite(v) ? fmt::format("{:.4g}", v) : std::string("-");
}

std::string fixed(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

// A number for CSV: integers exactly, reals to 6 significant digits, NaN empty.
std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  if (v == std::round(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", v);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
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

// Fmax from a target's JSON report: "fmax_mhz" at the top or in "timing".
double find_fmax(const nlohmann::json& j) {
  for (const auto* node : {&j, j.contains("timing") ? &j["timing"] : nullptr}) {
    if (node == nullptr || !node->is_object()) continue;
    const auto it = node->find("fmax_mhz");
    if (it != node->end() && it->is_number()) return it->get<double>();
  }
  return kNaN;
}

ojson number_or_null(double v) { return std::isfinite(v) ? ojson(v) : ojson(nullptr); }

// ---------------------------------------------------------------- plots

// How the points are laid out in the plots: the x value of every point and the
// series (line) it belongs to.
struct Layout {
  svg::Axis x;
  std::vector<double> xs;          // per point
  std::vector<size_t> series;      // per point
  std::vector<std::string> names;  // per series
  std::string x_title;             // "array size" or the axis key
};

Layout layout(const SweepResult& sweep) {
  const auto& pts = sweep.points;
  const size_t naxes = sweep.axes.size();
  Layout l;
  // Axes along which the array size changes get the x axis; the others make series.
  std::vector<bool> size_axis(naxes, false);
  for (size_t a = 0; a < naxes; ++a) {
    std::map<std::vector<size_t>, std::set<int64_t>> sizes;
    for (const auto& p : pts) {
      std::vector<size_t> key = p.point.picks;
      key[a] = 0;
      key.push_back(p.point.base);
      sizes[key].insert(array_size(p.point.config));
    }
    for (const auto& [key, set] : sizes) size_axis[a] = size_axis[a] || set.size() > 1;
  }
  const bool by_size =
      naxes == 0 || std::find(size_axis.begin(), size_axis.end(), true) != size_axis.end();
  std::vector<bool> on_x = size_axis;
  if (!by_size) on_x[0] = true;

  bool numeric = true;
  if (!by_size) {
    for (const auto& v : sweep.axes[0].values) {
      char* end = nullptr;
      std::strtod(v.c_str(), &end);
      numeric = numeric && end != nullptr && *end == '\0';
    }
  }
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& p : pts) {
    double x = 0;
    if (by_size) {
      x = static_cast<double>(array_size(p.point.config));
    } else if (numeric) {
      x = std::strtod(sweep.axes[0].values[p.point.picks[0]].c_str(), nullptr);
    } else {
      x = static_cast<double>(p.point.picks[0]);
    }
    l.xs.push_back(x);
    lo = std::min(lo, x), hi = std::max(hi, x);
  }
  const auto names = short_names(sweep.axes);
  if (by_size) {
    l.x_title = "array size";
    l.x.scale = (lo > 0 && hi / lo >= 4) ? svg::Scale::kLog2 : svg::Scale::kLinear;
    l.x.label = l.x.scale == svg::Scale::kLog2 ? "PEs (MAC units), log scale" : "PEs (MAC units)";
    l.x.from_zero = false;
  } else {
    l.x_title = join(sweep.axes[0].keys, ",");
    l.x.label = join(sweep.axes[0].keys, ", ");
    l.x.from_zero = false;
    if (!numeric) {
      for (size_t i = 0; i < sweep.axes[0].values.size(); ++i) {
        l.x.ticks.emplace_back(static_cast<double>(i), sweep.axes[0].values[i]);
      }
    }
  }
  // Series: the base and the values of the axes not on x, in order of appearance.
  std::map<std::vector<size_t>, size_t> index;
  for (const auto& p : pts) {
    std::vector<size_t> key = {p.point.base};
    for (size_t a = 0; a < naxes; ++a) key.push_back(on_x[a] ? 0 : p.point.picks[a]);
    const auto [it, added] = index.emplace(key, l.names.size());
    if (added) {
      std::vector<std::string> parts;
      if (sweep.bases.size() > 1 || naxes == 0 ||
          std::count(on_x.begin(), on_x.end(), false) == 0) {
        parts.push_back(stem(sweep.bases[p.point.base].source));
      }
      for (size_t a = 0; a < naxes; ++a) {
        if (on_x[a]) continue;
        std::vector<std::string> kv;
        for (const auto& k : sweep.axes[a].keys) kv.push_back(names.at(k));
        parts.push_back(join(kv, ",") + "=" + sweep.axes[a].values[p.point.picks[a]]);
      }
      l.names.push_back(join(parts, " "));
    }
    l.series.push_back(it->second);
  }
  return l;
}

// One plot of `value(point)` against the layout's x, one line per series.
svg::LinePlot make_plot(
    const SweepResult& sweep, const Layout& l, const std::string& title, const std::string& caption,
    const std::string& y_label,
    const std::function<double(const SweepPointResult&, const PointMetrics&)>& value,
    bool log_y_if_wide) {
  svg::LinePlot plot;
  plot.title = title;
  plot.caption = caption;
  plot.x = l.x;
  plot.y.label = y_label;
  plot.series.resize(l.names.size());
  for (size_t s = 0; s < l.names.size(); ++s)
    plot.series[s].name = l.names[s], plot.series[s].color = s;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (size_t i = 0; i < sweep.points.size(); ++i) {
    const double y = value(sweep.points[i], metrics(sweep.points[i]));
    plot.series[l.series[i]].points.emplace_back(l.xs[i], y);
    if (std::isfinite(y) && y > 0) lo = std::min(lo, y), hi = std::max(hi, y);
  }
  if (log_y_if_wide && hi / lo > 30) plot.y.scale = svg::Scale::kLog10;
  return plot;
}

bool all_have_fmax(const SweepResult& sweep) {
  return !sweep.points.empty() &&
         std::all_of(sweep.points.begin(), sweep.points.end(),
                     [](const auto& p) { return std::isfinite(find_fmax(p.synth_json)); });
}

bool any_has_fmax(const SweepResult& sweep) {
  return std::any_of(sweep.points.begin(), sweep.points.end(),
                     [](const auto& p) { return std::isfinite(find_fmax(p.synth_json)); });
}

// The closed-form network estimate of one point: the WS/OS estimate over im2col GEMMs,
// or the row-stationary engine's own (its layers split to its scratchpads).
workload::NetworkEstimate network_estimate(const config::Config& cfg,
                                           const std::vector<workload::Layer>& layers,
                                           const std::string& path, const std::string& name) {
  if (cfg.systolic.dataflow != config::Dataflow::kRowStationary)
    return workload::estimate_network(cfg.systolic, layers, name);
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

// ---------------------------------------------------------------- running

double weight(const SweepPoint& p) { return 1 + static_cast<double>(array_size(p.config)) / 64; }

}  // namespace

// ---------------------------------------------------------------- grid

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
      throw InputError(fmt::format(
          "{}: '{}' is not a config key (dotted names such as systolic.rows)", where, key));
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

std::string set_yaml_value(const std::string& yaml, const std::string& key,
                           const std::string& value, const std::string& source_name) {
  std::vector<YamlLine> lines;
  std::istringstream in(yaml);
  std::string text;
  while (std::getline(in, text)) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const size_t first = text.find_first_not_of(" \t");
    if (first != std::string::npos && text.find('\t') < first) {
      throw InputError(
          fmt::format("{}: tab in the indentation; YAML indents with spaces", source_name));
    }
    lines.push_back(classify_line(text));
  }
  set_in(lines, 0, lines.size(), -1, split(key, '.'), 0, value, source_name);
  std::string out;
  for (const auto& l : lines) out += l.text + "\n";
  return out;
}

std::vector<SweepPoint> expand_grid(const std::vector<SweepBase>& bases,
                                    const std::vector<SweepAxis>& axes) {
  std::set<std::string> seen;
  for (const auto& axis : axes) {
    if (axis.keys.empty() || axis.values.empty())
      throw InputError("--set: an axis needs a key and a value");
    for (const auto& key : axis.keys) {
      if (!seen.insert(key).second)
        throw InputError(fmt::format("--set: key '{}' is swept twice", key));
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
      for (const auto& [key, value] : p.settings) yaml = set_yaml_value(yaml, key, value, source);
      p.config = config::parse_config(yaml, source);
      p.config.source_path = bases[b].source;
      points.push_back(std::move(p));
      // Next combination, the last axis fastest.
      size_t a = axes.size();
      while (a > 0 && ++picks[a - 1] == axes[a - 1].values.size()) picks[--a] = 0;
      if (a == 0) break;
    }
  }
  return points;
}

int64_t array_size(const config::Config& cfg) {
  if (cfg.engine == "systolic") return int64_t{cfg.systolic.rows} * cfg.systolic.cols;
  return 0;
}

// ---------------------------------------------------------------- running

std::string format_progress(const SweepProgress& p) {
  std::string line;
  if (p.current != nullptr) {
    line = fmt::format("[{}/{}] {}", p.done + 1, p.total, stem(p.current->config.source_path));
    if (!p.current->label.empty()) line += " " + p.current->label;
  } else {
    line = fmt::format("[{}/{}] done", p.done, p.total);
  }
  line += "  elapsed " + duration(p.elapsed_seconds);
  if (p.current != nullptr)
    line += "  ETA " + (p.eta_seconds < 0 ? std::string("?") : duration(p.eta_seconds));
  return line;
}

SweepResult run_sweep(const SweepOptions& options, const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto targets = legal_targets();
  if (std::find(targets.begin(), targets.end(), options.synth.target) == targets.end()) {
    throw InputError(fmt::format("unknown synthesis target '{}' (expected one of: {})",
                                 options.synth.target, join(targets, ", ")));
  }
  if (options.base_configs.empty()) throw InputError("dnngen sweep: no base config given");

  SweepResult sweep;
  sweep.axes = options.axes;
  sweep.target = options.synth.target;
  sweep.command = options.command;
  for (const auto& path : options.base_configs) {
    config::load_config(path);  // the base itself must be valid, with its own messages
    sweep.bases.push_back({path, output::read_text_file(path)});
  }
  const std::vector<SweepPoint> points = expand_grid(sweep.bases, sweep.axes);
  // One table per sweep: its columns are the keys of one engine variant.
  for (const auto& p : points) {
    if (config::rtl_variant(p.config) != config::rtl_variant(points.front().config)) {
      throw InputError(fmt::format("{} and {}: a sweep compares one engine variant, got {} and {}",
                                   points.front().config.source_path, p.config.source_path,
                                   config::rtl_variant(points.front().config),
                                   config::rtl_variant(p.config)));
    }
  }
  std::vector<workload::Layer> layers;
  if (!options.network.empty()) {
    layers = workload::load_network(options.network);
    sweep.network_path = options.network;
    sweep.network_name = stem(options.network);
    for (const auto& p : points) {
      if (p.config.engine != "systolic") {
        throw InputError(fmt::format("{}: --network estimates need a systolic engine, got '{}'",
                                     p.config.source_path, p.config.engine));
      }
    }
  }

  // Yosys work directories: under --work-dir (kept), or a temporary one that is
  // removed after a successful sweep and kept (named by the error) after a failure.
  fs::path work_root = options.work_dir;
  const bool temporary = work_root.empty();
  if (temporary) {
    std::string pattern = (fs::temp_directory_path() / "dnngen-sweep-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw ToolError(
          fmt::format("cannot create a work directory {}: {}", pattern, std::strerror(errno)));
    }
    work_root = pattern;
  }

  double total_weight = 0, done_weight = 0;
  for (const auto& p : points) total_weight += weight(p);
  for (const auto& p : points) {
    if (progress) {
      SweepProgress pr;
      pr.done = p.index;
      pr.total = points.size();
      pr.current = &p;
      pr.elapsed_seconds = elapsed();
      if (done_weight > 0)
        pr.eta_seconds = pr.elapsed_seconds * (total_weight - done_weight) / done_weight;
      progress(pr);
    }
    const auto t0 = std::chrono::steady_clock::now();
    SweepPointResult r;
    r.point = p;
    SynthOptions so = options.synth;
    so.work_dir = (work_root / fmt::format("p{:03}_{}", p.index, p.config.name)).string();
    r.synth = run_synth(p.config, so);
    r.synth_json = to_json(r.synth);
    if (!layers.empty()) r.network = network_estimate(p.config, layers, options.network, sweep.network_name);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sweep.points.push_back(std::move(r));
    done_weight += weight(p);
  }
  sweep.seconds = elapsed();
  if (progress) {
    SweepProgress pr;
    pr.done = pr.total = points.size();
    pr.elapsed_seconds = sweep.seconds;
    pr.eta_seconds = 0;
    progress(pr);
  }
  if (temporary) {
    std::error_code ec;
    fs::remove_all(work_root, ec);
    // The reports' paths would point into the removed directory.
    for (auto& r : sweep.points) {
      for (const char* key : {"work_dir", "script", "log"}) r.synth_json.erase(key);
      r.synth.work_dir.clear();
      r.synth.script_path.clear();
      r.synth.log_path.clear();
    }
  }
  return sweep;
}

// ---------------------------------------------------------------- report

PointMetrics metrics(const SweepPointResult& r) {
  PointMetrics m;
  const SynthReport& s = r.synth;
  m.pes = array_size(r.point.config);
  if (s.target == "asic") {
    // Mapped to a Liberty library: its cell areas, and the SRAM model in that library.
    m.logic_area_mm2 = s.asic.cell_area_um2 * 1e-6;
    m.sram_area_mm2 = s.asic.sram_area_um2 * 1e-6;
  } else {
    m.logic_area_mm2 = s.logic_nand2_eq * kNand2AreaUm2 * 1e-6;
    m.sram_area_mm2 = s.sram_nand2_eq * kNand2AreaUm2 * 1e-6;
  }
  m.total_area_mm2 = m.logic_area_mm2 + m.sram_area_mm2;
  const double pes = m.pes > 0 ? static_cast<double>(m.pes) : kNaN;
  m.logic_um2_per_mac = m.logic_area_mm2 * 1e6 / pes;
  m.total_um2_per_mac = m.total_area_mm2 * 1e6 / pes;
  m.fmax_mhz = find_fmax(r.synth_json);
  m.macs_per_cycle = kNaN;
  m.macs_per_cycle_per_mm2 = kNaN;
  if (r.network && r.network->cycles > 0) {
    m.macs_per_cycle =
        static_cast<double>(r.network->macs) / static_cast<double>(r.network->cycles);
    m.macs_per_cycle_per_mm2 = m.total_area_mm2 > 0 ? m.macs_per_cycle / m.total_area_mm2 : kNaN;
  }
  return m;
}

std::vector<std::pair<std::string, std::string>> plots(const SweepResult& sweep) {
  std::vector<std::pair<std::string, std::string>> out;
  if (sweep.points.empty()) return out;
  const Layout l = layout(sweep);
  const std::string target = "target " + sweep.target;

  // Area: total solid, logic only dashed in the same colour.
  svg::LinePlot area = make_plot(
      sweep, l, "Area vs " + l.x_title,
      "solid: total (logic + SRAM model), dashed: logic only; 45 nm NAND2-eq areas, " + target,
      "area (mm^2)", [](const auto&, const PointMetrics& m) { return m.total_area_mm2; }, true);
  const svg::LinePlot logic = make_plot(
      sweep, l, "", "", "", [](const auto&, const PointMetrics& m) { return m.logic_area_mm2; },
      false);
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const svg::LinePlot* plot : {static_cast<const svg::LinePlot*>(&area), &logic}) {
    for (const auto& s : plot->series) {
      for (const auto& [x, y] : s.points) {
        if (std::isfinite(y) && y > 0) lo = std::min(lo, y), hi = std::max(hi, y);
      }
    }
  }
  area.y.scale = hi / lo > 30 ? svg::Scale::kLog10 : svg::Scale::kLinear;
  for (auto s : logic.series) {
    s.dashed = true;
    s.in_legend = false;
    area.series.push_back(s);
  }
  out.emplace_back("area.svg", svg::render(area));

  out.emplace_back(
      "area_per_mac.svg",
      svg::render(make_plot(
          sweep, l, "Logic area per MAC vs " + l.x_title,
          "logic area / PEs, SRAM buffers excluded; 45 nm NAND2-eq areas, " + target,
          "logic area per MAC unit (um^2)",
          [](const auto&, const PointMetrics& m) { return m.logic_um2_per_mac; }, false)));
  if (all_have_fmax(sweep)) {
    out.emplace_back(
        "fmax.svg",
        svg::render(make_plot(
            sweep, l, "Fmax vs " + l.x_title, "as reported by the " + target, "Fmax (MHz)",
            [](const auto&, const PointMetrics& m) { return m.fmax_mhz; }, false)));
  } else {
    out.emplace_back("depth.svg",
                     svg::render(make_plot(
                         sweep, l, "Logic depth vs " + l.x_title,
                         "gates on the longest combinational path (unit delay), " + target,
                         "logic depth (gates)",
                         [](const SweepPointResult& r, const auto&) {
                           return static_cast<double>(r.synth.logic_depth);
                         },
                         false)));
  }
  if (!sweep.network_name.empty()) {
    out.emplace_back(
        "perf_per_area.svg",
        svg::render(make_plot(
            sweep, l, "Performance per area vs " + l.x_title,
            sweep.network_name + ": network MACs per cycle (closed-form estimate) / total area",
            "MACs per cycle per mm^2",
            [](const auto&, const PointMetrics& m) { return m.macs_per_cycle_per_mm2; }, false)));
  }
  return out;
}

nlohmann::ordered_json to_json(const SweepResult& sweep) {
  ojson j;
  j["format"] = kSweepFormat;
  j["format_version"] = kFormatVersion;
  j["dnngen_version"] = generate::kDnngenVersion;
  j["command"] = sweep.command;
  j["target"] = sweep.target;
  j["network"] = sweep.network_path.empty()
                     ? ojson(nullptr)
                     : ojson{{"path", sweep.network_path}, {"name", sweep.network_name}};
  j["bases"] = ojson::array();
  for (const auto& b : sweep.bases) j["bases"].push_back(b.source);
  j["axes"] = ojson::array();
  for (const auto& a : sweep.axes) j["axes"].push_back({{"keys", a.keys}, {"values", a.values}});
  j["seconds"] = sweep.seconds;
  j["files"] = ojson::array({kSweepJson, kSweepCsv, kReportMd});
  for (const auto& [name, text] : plots(sweep)) j["files"].push_back(name);
  j["points"] = ojson::array();
  for (const auto& r : sweep.points) {
    const PointMetrics m = metrics(r);
    ojson p;
    p["index"] = r.point.index;
    p["base"] = sweep.bases.at(r.point.base).source;
    p["label"] = r.point.label;
    p["settings"] = ojson::object();
    for (const auto& [k, v] : r.point.settings) p["settings"][k] = v;
    p["config"] = ojson::object();
    for (const auto& [k, v] : config_fields(r.point.config)) p["config"][k] = v;
    p["pes"] = m.pes;
    p["metrics"] = {{"logic_area_mm2", m.logic_area_mm2},
                    {"sram_area_mm2", m.sram_area_mm2},
                    {"total_area_mm2", m.total_area_mm2},
                    {"logic_um2_per_mac", number_or_null(m.logic_um2_per_mac)},
                    {"total_um2_per_mac", number_or_null(m.total_um2_per_mac)},
                    {"logic_depth", r.synth.logic_depth},
                    {"fmax_mhz", number_or_null(m.fmax_mhz)},
                    {"macs_per_cycle", number_or_null(m.macs_per_cycle)},
                    {"macs_per_cycle_per_mm2", number_or_null(m.macs_per_cycle_per_mm2)}};
    if (r.network) {
      const auto& n = *r.network;
      p["network"] = {{"name", n.name},
                      {"jobs", n.jobs},
                      {"macs", n.macs},
                      {"cycles", n.cycles},
                      {"utilization", n.utilization},
                      {"scalesim_cycles", n.scalesim_cycles},
                      {"scalesim_ratio", n.scalesim_ratio}};
    } else {
      p["network"] = nullptr;
    }
    p["seconds"] = r.seconds;
    p["synth"] = r.synth_json;
    j["points"].push_back(std::move(p));
  }
  return j;
}

std::string to_csv(const SweepResult& sweep) {
  std::vector<std::string> header = {"index", "base", "settings"};
  const config::Config dummy;
  for (const auto& [k, v] :
       config_fields(sweep.points.empty() ? dummy : sweep.points[0].point.config)) {
    header.push_back(k);
  }
  for (const char* h : {"pes",
                        "target",
                        "cells",
                        "flip_flops",
                        "latches",
                        "transistors",
                        "logic_depth",
                        "fmax_mhz",
                        "logic_nand2_eq",
                        "sram_bits",
                        "sram_nand2_eq",
                        "total_nand2_eq",
                        "logic_area_mm2",
                        "sram_area_mm2",
                        "total_area_mm2",
                        "logic_um2_per_mac",
                        "total_um2_per_mac",
                        "network",
                        "network_macs",
                        "network_cycles",
                        "network_utilization",
                        "macs_per_cycle",
                        "macs_per_cycle_per_mm2",
                        "synth_seconds",
                        "seconds"}) {
    header.push_back(h);
  }
  std::string csv = join(header, ",") + "\n";
  for (const auto& r : sweep.points) {
    const PointMetrics m = metrics(r);
    const SynthReport& s = r.synth;
    std::vector<std::string> row = {std::to_string(r.point.index),
                                    csv_field(sweep.bases.at(r.point.base).source),
                                    csv_field(r.point.label)};
    for (const auto& [k, v] : config_fields(r.point.config)) row.push_back(csv_field(v));
    const auto n = [](double v) { return csv_number(v); };
    const auto i = [](int64_t v) { return std::to_string(v); };
    const bool net = r.network.has_value();
    for (const std::string& f : {i(m.pes),
                                 csv_field(s.target),
                                 i(s.cells),
                                 i(s.flip_flops),
                                 i(s.latches),
                                 i(s.transistors),
                                 i(s.logic_depth),
                                 n(m.fmax_mhz),
                                 n(s.logic_nand2_eq),
                                 i(s.sram_bits),
                                 n(s.sram_nand2_eq),
                                 n(s.total_nand2_eq),
                                 n(m.logic_area_mm2),
                                 n(m.sram_area_mm2),
                                 n(m.total_area_mm2),
                                 n(m.logic_um2_per_mac),
                                 n(m.total_um2_per_mac),
                                 net ? csv_field(r.network->name) : "",
                                 net ? std::to_string(r.network->macs) : "",
                                 net ? std::to_string(r.network->cycles) : "",
                                 net ? n(r.network->utilization) : "",
                                 n(m.macs_per_cycle),
                                 n(m.macs_per_cycle_per_mm2),
                                 n(s.yosys_seconds),
                                 n(r.seconds)}) {
      row.push_back(f);
    }
    csv += join(row, ",") + "\n";
  }
  return csv;
}

std::string to_markdown(const SweepResult& sweep) {
  std::string md = fmt::format("# dnngen sweep: {} point{}\n\n", sweep.points.size(),
                               sweep.points.size() == 1 ? "" : "s");
  if (!sweep.command.empty()) md += "Generated by `" + sweep.command + "`.\n\n";
  std::vector<std::string> bases;
  for (const auto& b : sweep.bases) bases.push_back("`" + b.source + "`");
  md +=
      "- base config" + std::string(bases.size() == 1 ? "" : "s") + ": " + join(bases, ", ") + "\n";
  for (const auto& a : sweep.axes) {
    md += "- `" + join(a.keys, ",") + "` = " + join(a.values, ", ") +
          (a.keys.size() > 1 ? " (the keys take each value together)" : "") + "\n";
  }
  md += "- synthesis target: `" + sweep.target + "`";
  if (!sweep.network_name.empty()) {
    md += "; network: " + sweep.network_name + " (`" + sweep.network_path +
          "`), closed-form cycle estimate";
  }
  md += "\n- wall time: " + duration(sweep.seconds) + "\n\n";
  md +=
      "Areas are Nangate 45 nm NAND2 equivalents (0.798 um^2 each) of Yosys's generic cells, SRAM "
      "buffers from the SRAM area model (docs/synthesis.md); a size measure for comparing "
      "configurations, not a sign-off area. Depth is gates on the longest combinational path.\n\n";

  const bool fmax = any_has_fmax(sweep);
  const bool net = !sweep.network_name.empty();
  md += "## Results\n\n";
  md += "| # | config | settings | PEs | cells | flip-flops | depth |";
  if (fmax) md += " Fmax MHz |";
  md += " logic NAND2-eq | SRAM NAND2-eq | area mm^2 | logic um^2/MAC |";
  if (net) md += " cycles | utilization | MACs/cycle/mm^2 |";
  md += " time |\n";
  md += "|---:|---|---|---:|---:|---:|---:|";
  if (fmax) md += "---:|";
  md += "---:|---:|---:|---:|";
  if (net) md += "---:|---:|---:|";
  md += "---:|\n";
  for (const auto& r : sweep.points) {
    const PointMetrics m = metrics(r);
    const SynthReport& s = r.synth;
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |", r.point.index,
                      stem(sweep.bases.at(r.point.base).source),
                      r.point.label.empty() ? "-" : r.point.label, m.pes, grouped(s.cells),
                      grouped(s.flip_flops), s.logic_depth);
    if (fmax) md += " " + fixed(m.fmax_mhz, 1) + " |";
    md += fmt::format(" {} | {} | {} | {} |", grouped(std::llround(s.logic_nand2_eq)),
                      grouped(std::llround(s.sram_nand2_eq)), significant(m.total_area_mm2),
                      fixed(m.logic_um2_per_mac, 0));
    if (net) {
      md += fmt::format(" {} | {:.1f} % | {} |", grouped(static_cast<int64_t>(r.network->cycles)),
                        100 * r.network->utilization, fixed(m.macs_per_cycle_per_mm2, 1));
    }
    md += fmt::format(" {:.1f} s |\n", r.seconds);
  }
  md += "\n## Plots\n\n";
  for (const auto& [name, text] : plots(sweep)) {
    const size_t a = text.find("<title>") + 7;
    const std::string title = text.substr(a, text.find("</title>") - a);
    md += "![" + title + "](" + name + ")\n\n";
  }
  md +=
      "Data: `sweep.csv` (one row per point), `sweep.json` (with the full synthesis report of "
      "every point).\n";
  return md;
}

void check_sweep_output(const std::string& out_dir) {
  output::classify(output::normalize(out_dir), sweep_kind());
}

void write_sweep(const SweepResult& sweep, const std::string& out_dir) {
  output::StagedDir staged(out_dir, sweep_kind());
  output::write_text_file(staged.path() / kSweepJson, to_json(sweep).dump(2) + "\n");
  output::write_text_file(staged.path() / kSweepCsv, to_csv(sweep));
  output::write_text_file(staged.path() / kReportMd, to_markdown(sweep));
  for (const auto& [name, text] : plots(sweep)) output::write_text_file(staged.path() / name, text);
  staged.commit();
}

}  // namespace dnngen::synth
