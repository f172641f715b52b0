#pragma once
// A small SVG line-plot writer for the sweep reports (no plotting dependencies): one
// or more series of (x, y) points drawn as markers joined by lines in x order, linear
// or logarithmic axes with round tick values, a title, a caption line and a legend.
// The output is deterministic (fixed number formatting), so regenerated plots only
// differ where the data does.
#include <string>
#include <utility>
#include <vector>

namespace dnngen::svg {

enum class Scale { kLinear, kLog2, kLog10 };

struct Axis {
  std::string label;
  Scale scale = Scale::kLinear;
  // Linear axes start at zero unless the data go below it; false fits the data.
  bool from_zero = true;
  // Explicit ticks (value, label), e.g. for categories at 0, 1, 2; empty = automatic.
  std::vector<std::pair<double, std::string>> ticks;
};

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // non-finite values (and <= 0 on a log axis) are skipped
  size_t color = 0;                               // index into the palette (wraps)
  bool dashed = false;
  bool in_legend = true;
};

struct LinePlot {
  std::string title;
  std::string caption;  // one line under the title ("" = none)
  Axis x;
  Axis y;
  std::vector<Series> series;
  int width = 760;
  int height = 440;
};

// The complete SVG document.
std::string render(const LinePlot& plot);

// Stacked bars: one bar per label, each the sum of its stacks (e.g. energy per level).
struct StackedBars {
  std::string title;
  std::string caption;
  std::string y_label;
  std::vector<std::string> bars;            // labels under the bars
  std::vector<std::string> stacks;          // legend, bottom of the bar first
  std::vector<std::vector<double>> values;  // [bar][stack]; non-finite and <= 0 are left out
  int width = 760;
  int height = 460;
};
std::string render(const StackedBars& plot);

// Text with &, <, >, " and ' replaced by XML entities.
std::string escape(const std::string& text);

// Tick positions covering [lo, hi] (lo <= hi; positive for log scales): for a linear
// axis 1/2/5 x 10^k steps, for log2 powers of two, for log10 powers of ten (with 2 and
// 5 in between when the range is short). The first tick is <= lo, the last >= hi.
std::vector<double> nice_ticks(double lo, double hi, Scale scale);

// A tick label: at most 4 significant digits, no trailing zeros, plain integers up to
// 10^7 (65536, 0.25, 1.5e+09).
std::string format_number(double value);

}  // namespace dnngen::svg
