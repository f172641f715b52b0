#include "dnngen/common/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace dnngen::svg {
namespace {

// Tableau 10: distinguishable, also in grey-scale print.
constexpr std::array<const char*, 10> kPalette = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                                  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr int kFontSize = 12;
constexpr double kCharWidth = 6.8;  // average advance of a 12 px sans-serif character

bool is_log(Scale s) { return s != Scale::kLinear; }

bool usable(double v, Scale s) { return std::isfinite(v) && (!is_log(s) || v > 0); }

// 1, 2 or 5 x 10^k, the smallest at least `raw`.
double nice_step(double raw) {
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= raw * (1 - 1e-9)) return m * decade;
  }
  return 10 * decade;
}

std::string px(double v) { return fmt::format("{:.1f}", v); }

// Maps data values of one axis to [0, 1].
struct Mapper {
  Scale scale = Scale::kLinear;
  double lo = 0, hi = 1;
  double operator()(double v) const {
    if (is_log(scale)) return (std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo));
    return (v - lo) / (hi - lo);
  }
};

struct Frame {
  std::vector<std::pair<double, std::string>> ticks;
  Mapper map;
};

// Ticks and domain of one axis from the values plotted on it.
Frame make_frame(const Axis& axis, const std::vector<double>& values) {
  Frame f;
  f.map.scale = axis.scale;
  if (!axis.ticks.empty()) {
    f.ticks = axis.ticks;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& [v, label] : f.ticks) lo = std::min(lo, v), hi = std::max(hi, v);
    for (double v : values) lo = std::min(lo, v), hi = std::max(hi, v);
    if (is_log(axis.scale)) {
      f.map.lo = lo / 1.25;
      f.map.hi = hi * 1.25;
    } else {
      const double pad = hi > lo ? (hi - lo) * 0.06 : 0.5;
      f.map.lo = lo - pad;
      f.map.hi = hi + pad;
    }
    return f;
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values) lo = std::min(lo, v), hi = std::max(hi, v);
  if (values.empty()) lo = is_log(axis.scale) ? 1 : 0, hi = is_log(axis.scale) ? 10 : 1;
  if (!is_log(axis.scale) && axis.from_zero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  for (double t : nice_ticks(lo, hi, axis.scale)) f.ticks.emplace_back(t, format_number(t));
  f.map.lo = f.ticks.front().first;
  f.map.hi = f.ticks.back().first;
  return f;
}

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_number(double value) {
  if (value == 0) return "0";
  if (std::fabs(value) < 1e7 && value == std::round(value)) return fmt::format("{:.0f}", value);
  return fmt::format("{:.4g}", value);
}

std::vector<double> nice_ticks(double lo, double hi, Scale scale) {
  std::vector<double> ticks;
  if (scale == Scale::kLinear) {
    if (hi <= lo) {
      const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.5;
      lo -= pad, hi += pad;
    }
    const double step = nice_step((hi - lo) / 5);
    const auto first = static_cast<long long>(std::floor(lo / step + 1e-9));
    const auto last = static_cast<long long>(std::ceil(hi / step - 1e-9));
    for (long long k = first; k <= last; ++k) {
      const double t = static_cast<double>(k) * step;
      ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    }
    return ticks;
  }
  const double base = scale == Scale::kLog2 ? 2.0 : 10.0;
  const auto exponent = [&](double v) { return std::log(v) / std::log(base); };
  auto e0 = static_cast<long long>(std::floor(exponent(lo) + 1e-9));
  auto e1 = static_cast<long long>(std::ceil(exponent(hi) - 1e-9));
  if (e1 <= e0) e1 = e0 + 1;
  if (scale == Scale::kLog10 && hi / lo <= 200) {
    // Short range: 1, 2, 5 in every decade, trimmed to one tick beyond each end.
    std::vector<double> all;
    for (long long e = e0; e <= e1; ++e) {
      for (double m : {1.0, 2.0, 5.0}) all.push_back(m * std::pow(10.0, static_cast<double>(e)));
    }
    size_t first = 0, last = all.size() - 1;
    while (first + 1 < all.size() && all[first + 1] <= lo * (1 + 1e-9)) ++first;
    while (last > first + 1 && all[last - 1] >= hi * (1 - 1e-9)) --last;
    return std::vector<double>(all.begin() + static_cast<long>(first),
                               all.begin() + static_cast<long>(last) + 1);
  }
  const long long stride = std::max<long long>(1, (e1 - e0 + 7) / 8);
  e0 -= ((e0 % stride) + stride) % stride;
  for (long long e = e0;; e += stride) {
    ticks.push_back(std::pow(base, static_cast<double>(e)));
    if (e >= e1) break;
  }
  return ticks;
}

// The opening of a plot's SVG: the document, its white background, the title and the caption.
std::string document_head(const std::string& title, const std::string& caption, int width, int height,
                          double left) {
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{}\">\n",
      width, height, width, height, kFontSize);
  svg += fmt::format("<title>{}</title>\n", escape(title));
  svg += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", width, height);
  svg += fmt::format("<text x=\"{}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{}</text>\n", px(left),
                     escape(title));
  if (!caption.empty())
    svg += fmt::format("<text x=\"{}\" y=\"42\" fill=\"#555555\">{}</text>\n", px(left), escape(caption));
  return svg;
}

std::string render(const StackedBars& plot) {
  double hi = 0;
  for (const auto& bar : plot.values) {
    double sum = 0;
    for (double v : bar) sum += std::isfinite(v) && v > 0 ? v : 0;
    hi = std::max(hi, sum);
  }
  const std::vector<double> ticks = nice_ticks(0, hi > 0 ? hi : 1, Scale::kLinear);
  const double top_value = ticks.empty() ? 1 : ticks.back();
  const double left = 78, right = 130, top = plot.caption.empty() ? 44 : 60, bottom = 90;
  const double pw = plot.width - left - right, ph = plot.height - top - bottom;
  const auto Y = [&](double v) { return top + ph * (1 - v / top_value); };
  std::string svg = document_head(plot.title, plot.caption, plot.width, plot.height, left);
  svg += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (double v : ticks)
    svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(left), px(Y(v)), px(left + pw),
                       px(Y(v)));
  svg += "</g>\n";
  for (double v : ticks)
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", px(left - 6), px(Y(v) + 4),
                       format_number(v));
  svg += fmt::format("<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     px(top + ph / 2), escape(plot.y_label));
  const double slot = plot.bars.empty() ? pw : pw / static_cast<double>(plot.bars.size());
  for (size_t b = 0; b < plot.bars.size(); ++b) {
    const double x = left + slot * static_cast<double>(b) + slot * 0.15, bw = slot * 0.7;
    double base = 0;
    for (size_t s = 0; s < plot.stacks.size() && s < plot.values[b].size(); ++s) {
      const double v = plot.values[b][s];
      if (!(std::isfinite(v) && v > 0)) continue;
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", px(x),
                         px(Y(base + v)), px(bw), px(Y(base) - Y(base + v)), kPalette[s % kPalette.size()]);
      base += v;
    }
    svg += fmt::format("<text transform=\"translate({} {}) rotate(-35)\" text-anchor=\"end\">{}</text>\n",
                       px(x + bw / 2), px(top + ph + 14), escape(plot.bars[b]));
  }
  for (size_t s = 0; s < plot.stacks.size(); ++s) {
    const double ly = top + 10 + 20.0 * static_cast<double>(s);
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\"/>\n",
                       px(left + pw + 16), px(ly - 11), kPalette[s % kPalette.size()]);
    svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", px(left + pw + 36), px(ly),
                       escape(plot.stacks[s]));
  }
  return svg + "</svg>\n";
}

std::string render(const LinePlot& plot) {
  // Points that can be drawn, per series, in x order.
  std::vector<std::vector<std::pair<double, double>>> drawn;
  std::vector<double> xs, ys;
  for (const auto& s : plot.series) {
    auto& pts = drawn.emplace_back();
    for (const auto& [x, y] : s.points) {
      if (!usable(x, plot.x.scale) || !usable(y, plot.y.scale)) continue;
      pts.emplace_back(x, y);
      xs.push_back(x);
      ys.push_back(y);
    }
    std::stable_sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  const Frame fx = make_frame(plot.x, xs);
  const Frame fy = make_frame(plot.y, ys);

  size_t legend_chars = 0;
  for (const auto& s : plot.series) {
    if (s.in_legend) legend_chars = std::max(legend_chars, s.name.size());
  }
  const double legend_w = legend_chars == 0 ? 0 : std::min(340.0, 48 + kCharWidth * legend_chars);
  const double left = 78, right = 24 + legend_w, top = plot.caption.empty() ? 44 : 60, bottom = 56;
  const double w = plot.width, h = plot.height;
  const double pw = w - left - right, ph = h - top - bottom;
  const double inset = 12;  // keeps markers at the ends of the x range off the frame
  const auto X = [&](double v) { return left + inset + (pw - 2 * inset) * fx.map(v); };
  const auto Y = [&](double v) { return top + ph * (1 - fy.map(v)); };

  std::string svg = document_head(plot.title, plot.caption, plot.width, plot.height, left);

  // Grid and tick labels.
  svg += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (const auto& [v, label] : fy.ticks) {
    svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(left), px(Y(v)), px(left + pw),
                       px(Y(v)));
  }
  for (const auto& [v, label] : fx.ticks) {
    svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(X(v)), px(top), px(X(v)),
                       px(top + ph));
  }
  svg += "</g>\n";
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333333\" "
      "stroke-width=\"1\"/>\n",
      px(left), px(top), px(pw), px(ph));
  svg += "<g fill=\"#333333\">\n";
  for (const auto& [v, label] : fy.ticks) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", px(left - 6), px(Y(v) + 4),
                       escape(label));
  }
  for (const auto& [v, label] : fx.ticks) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px(X(v)),
                       px(top + ph + 17), escape(label));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px(left + pw / 2),
                     px(h - 14), escape(plot.x.label));
  const double ylx = 18, yly = top + ph / 2;
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 {} {})\">{}</text>\n", px(ylx),
      px(yly), px(ylx), px(yly), escape(plot.y.label));
  svg += "</g>\n";

  // Series.
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const Series& s = plot.series[i];
    const char* color = kPalette[s.color % kPalette.size()];
    svg += fmt::format("<g stroke=\"{}\" stroke-width=\"2\">\n", color);
    if (drawn[i].size() > 1) {
      std::string pts;
      for (const auto& [x, y] : drawn[i]) pts += (pts.empty() ? "" : " ") + px(X(x)) + "," + px(Y(y));
      svg += fmt::format("<polyline fill=\"none\" points=\"{}\"{}/>\n", pts,
                         s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    }
    for (const auto& [x, y] : drawn[i]) {
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"/>\n", px(X(x)), px(Y(y)),
                         s.dashed ? "#ffffff" : color);
    }
    svg += "</g>\n";
  }

  // Legend.
  double ly = top + 8;
  const double lx = left + pw + 16;
  for (const auto& s : plot.series) {
    if (!s.in_legend) continue;
    const char* color = kPalette[s.color % kPalette.size()];
    svg +=
        fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                    px(lx), px(ly), px(lx + 24), px(ly), color, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    svg +=
        fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                    px(lx + 12), px(ly), s.dashed ? "#ffffff" : color, color);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#333333\">{}</text>\n", px(lx + 32), px(ly + 4),
                       escape(s.name));
    ly += 18;
  }
  if (xs.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n",
                       px(left + pw / 2), px(top + ph / 2));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace dnngen::svg
