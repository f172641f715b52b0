// The SVG plots of a sweep report (sweep/report.hpp, plots()).
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>

#include "dnngen/common/svg_plot.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/sweep/report.hpp"
#include "sweep_internal.hpp"

namespace dnngen::sweep {
using namespace detail;

namespace {

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
      sizes[key].insert(p.pes);
    }
    for (const auto& [key, set] : sizes) size_axis[a] = size_axis[a] || set.size() > 1;
  }
  const bool by_size = naxes == 0 || std::find(size_axis.begin(), size_axis.end(), true) != size_axis.end();
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
      x = static_cast<double>(p.pes);
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
      if (sweep.bases.size() > 1 || naxes == 0 || std::count(on_x.begin(), on_x.end(), false) == 0) {
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
svg::LinePlot make_plot(const SweepResult& sweep, const Layout& l, const std::string& title,
                        const std::string& caption, const std::string& y_label,
                        const std::function<double(const SweepPointResult&, const PointMetrics&)>& value,
                        bool log_y_if_wide) {
  svg::LinePlot plot;
  plot.title = title;
  plot.caption = caption;
  plot.x = l.x;
  plot.y.label = y_label;
  plot.series.resize(l.names.size());
  for (size_t s = 0; s < l.names.size(); ++s) plot.series[s].name = l.names[s], plot.series[s].color = s;
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
  return !sweep.points.empty() && std::all_of(sweep.points.begin(), sweep.points.end(), [](const auto& p) {
    return std::isfinite(find_fmax(p.synth_json));
  });
}

}  // namespace

// The network's energy per MAC by level, a bar per point (energy/energy.hpp, the default
// table); nothing when the engine's estimate counts no actions.
std::optional<svg::StackedBars> energy_bars(const SweepResult& sweep) {
  const config::EnergyTable table = config::load_energy_table();
  svg::StackedBars bars;
  bars.title = "Energy per MAC by level";
  bars.y_label = "pJ per MAC";
  for (size_t l = 0; l < energy::kLevels; ++l) bars.stacks.emplace_back(energy::level_name(energy::Level(l)));
  bool dram = false;
  for (const auto& r : sweep.points) {
    if (!r.network || r.network->actions.mac_count() == 0) return std::nullopt;
    const energy::Breakdown b = energy::evaluate(r.network->actions, table);
    std::vector<double> per_mac;
    for (double pj : b.pj) per_mac.push_back(pj / static_cast<double>(r.network->macs));
    bars.bars.push_back(r.point.label.empty() ? std::to_string(r.point.index) : r.point.label);
    bars.values.push_back(std::move(per_mac));
    dram = dram || r.network->has_dram;
  }
  bars.caption = sweep.network_name + " (closed-form estimate), " + table.name + " table; " +
                 (dram ? "DRAM: the shell's DMA bytes" : "on chip only, no DRAM");
  return bars;
}

std::vector<std::pair<std::string, std::string>> plots(const SweepResult& sweep) {
  std::vector<std::pair<std::string, std::string>> out;
  if (sweep.points.empty()) return out;
  const Layout l = layout(sweep);
  const std::string target = "target " + sweep.target;

  // Area: total solid, logic only dashed in the same colour.
  svg::LinePlot area = make_plot(
      sweep, l, "Area vs " + l.x_title,
      "solid: total (logic + SRAM model), dashed: logic only; 45 nm NAND2-eq areas, " + target, "area (mm^2)",
      [](const auto&, const PointMetrics& m) { return m.total_area_mm2; }, true);
  const svg::LinePlot logic = make_plot(
      sweep, l, "", "", "", [](const auto&, const PointMetrics& m) { return m.logic_area_mm2; }, false);
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

  out.emplace_back("area_per_mac.svg",
                   svg::render(make_plot(
                       sweep, l, "Logic area per MAC vs " + l.x_title,
                       "logic area / PEs, SRAM buffers excluded; 45 nm NAND2-eq areas, " + target,
                       "logic area per MAC unit (um^2)",
                       [](const auto&, const PointMetrics& m) { return m.logic_um2_per_mac; }, false)));
  if (all_have_fmax(sweep)) {
    out.emplace_back("fmax.svg",
                     svg::render(make_plot(
                         sweep, l, "Fmax vs " + l.x_title, "as reported by the " + target, "Fmax (MHz)",
                         [](const auto&, const PointMetrics& m) { return m.fmax_mhz; }, false)));
  } else {
    out.emplace_back(
        "depth.svg",
        svg::render(make_plot(
            sweep, l, "Logic depth vs " + l.x_title,
            "gates on the longest combinational path (unit delay), " + target, "logic depth (gates)",
            [](const SweepPointResult& r, const auto&) { return static_cast<double>(r.synth.logic_depth); },
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
    if (const auto energy = energy_bars(sweep)) out.emplace_back("energy.svg", svg::render(*energy));
  }
  return out;
}

}  // namespace dnngen::sweep
