// `dnngen sweep` and the SVG plot writer. Covers: --set parsing (single and linked
// keys, syntax errors); editing the base YAML text (replace, add, nested, comments,
// multi-line values, sections, flow style); grid expansion (order, linked axes, several
// bases) and validation errors naming the key; the report (CSV, JSON, Markdown, well-
// formed SVG plots, Fmax taken from a target's JSON) built from synthetic results;
// atomic output (replacing a previous sweep, refusing anything else, nothing left
// behind); the SVG tick and number helpers; the engine hooks' network check before any
// synthesis; and one real two-point sweep of tiny configs through Yosys with the
// network estimate (skipped without Yosys). The engine parts come from the test's own
// hooks for the systolic engine (tools/ supplies the real ones).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/common/svg_plot.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/config/yaml_edit.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/sweep/grid.hpp"
#include "dnngen/sweep/report.hpp"
#include "dnngen/sweep/run.hpp"
#include "dnngen/synth/area.hpp"
#include "dnngen/systolic/network_estimate.hpp"
#include "test_support.hpp"

namespace dnngen::sweep {
namespace {
namespace fs = std::filesystem;
using config::set_yaml_value;
using dnngen::test_support::listing;
using dnngen::test_support::slurp;
using synth::kNand2AreaUm2;

const char* const kBase = R"(# sweep test base
name: tiny_sweep
engine: systolic
description: "a tiny config"   # quoted
systolic:
  rows: 2         # two rows
  cols: 2
  dataflow: weight_stationary
  input_bits: 8
  weight_bits: 8
  acc_bits: 24
  signed: true
  overflow: wrap
  max_m: 4
  max_n: 4
  max_k: 4
)";

// The engine parts of a sweep of systolic WS/OS configs.
int64_t array_size(const config::Config& cfg) { return int64_t{cfg.systolic.rows} * cfg.systolic.cols; }

EngineHooks systolic_hooks() {
  EngineHooks h;
  h.array_size = array_size;
  h.config_fields = [](const config::Config& cfg) {
    const config::SystolicConfig& s = cfg.systolic;
    return std::vector<std::pair<std::string, std::string>>{
        {"name", cfg.name},
        {"engine", cfg.engine},
        {"systolic.rows", std::to_string(s.rows)},
        {"systolic.cols", std::to_string(s.cols)},
        {"systolic.dataflow", config::to_string(s.dataflow)}};
  };
  h.check_network = [](const config::Config&) {};
  h.network_estimate = [](const config::Config& cfg, const std::string& path) {
    return systolic::estimate_network(cfg.systolic, workload::load_network(path),
                                      fs::path(path).stem().string());
  };
  return h;
}

// The message of the InputError that f throws ("" if it throws none).
template <typename F>
std::string input_error(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Minimal XML well-formedness: balanced, properly nested tags, quoted attributes, no
// stray '<' or unknown entities in text. Returns "" or a description of the problem.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  const auto check_text = [&](const std::string& text) -> std::string {
    for (size_t a = text.find('&'); a != std::string::npos; a = text.find('&', a + 1)) {
      const std::string rest = text.substr(a);
      bool ok = false;
      for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) ok = ok || rest.rfind(e, 0) == 0;
      if (!ok) return "bad entity at " + rest.substr(0, 10);
    }
    return "";
  };
  while (i < xml.size()) {
    const size_t lt = xml.find('<', i);
    const std::string text = xml.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    if (auto p = check_text(text); !p.empty()) return p;
    if (text.find('>') != std::string::npos) return "stray '>' in text";
    if (lt == std::string::npos) break;
    const size_t gt = xml.find('>', lt);
    if (gt == std::string::npos) return "unterminated tag";
    std::string tag = xml.substr(lt + 1, gt - lt - 1);
    if (tag.find('<') != std::string::npos) return "'<' inside a tag";
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return "unbalanced quotes in <" + tag + ">";
    if (auto p = check_text(tag); !p.empty()) return p;
    i = gt + 1;
    if (tag.rfind("?", 0) == 0) continue;
    if (tag.rfind("/", 0) == 0) {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    const std::string name = tag.substr(0, tag.find_first_of(" /"));
    if (name.empty()) return "empty tag name";
    if (!self_closing) open.push_back(name);
    if (open.empty() && !self_closing) return "no root";
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// ---------------------------------------------------------------- --set

TEST(SweepAxis, ParsesSingleAndLinkedKeys) {
  const SweepAxis a = parse_axis("systolic.rows=4,8,16");
  EXPECT_EQ(a.keys, std::vector<std::string>{"systolic.rows"});
  EXPECT_EQ(a.values, (std::vector<std::string>{"4", "8", "16"}));
  const SweepAxis b = parse_axis("systolic.rows,systolic.cols=4, 8");
  EXPECT_EQ(b.keys, (std::vector<std::string>{"systolic.rows", "systolic.cols"}));
  EXPECT_EQ(b.values, (std::vector<std::string>{"4", "8"}));
  EXPECT_EQ(parse_axis("systolic.dataflow=output_stationary").values[0], "output_stationary");
}

TEST(SweepAxis, RejectsMalformedArguments) {
  EXPECT_NE(input_error([] { parse_axis("systolic.rows"); }).find("KEY=V1,V2"), std::string::npos);
  EXPECT_NE(input_error([] { parse_axis("systolic.rows="); }).find("value ''"), std::string::npos);
  EXPECT_NE(input_error([] { parse_axis("systolic.rows=4,,8"); }).find("value ''"), std::string::npos);
  EXPECT_NE(input_error([] { parse_axis("systolic.rows=4,"); }).find("value ''"), std::string::npos);
  EXPECT_NE(input_error([] { parse_axis("=4"); }).find("not a config key"), std::string::npos);
  EXPECT_NE(input_error([] { parse_axis("systolic..rows=4"); }).find("not a config key"), std::string::npos);
  EXPECT_NE(input_error([] { parse_axis("systolic.rows=4,4"); }).find("given twice"), std::string::npos);
  EXPECT_NE(input_error([] { parse_axis("a,a=4"); }).find("given twice"), std::string::npos);
  const std::string e = input_error([] { parse_axis("name=a: b"); });
  EXPECT_NE(e.find("--set 'name=a: b'"), std::string::npos) << e;
  EXPECT_NE(e.find("plain word"), std::string::npos) << e;
}

// ---------------------------------------------------------------- YAML editing

TEST(SweepYaml, ReplacesValuesAndKeepsTheRest) {
  const std::string y = set_yaml_value(kBase, "systolic.rows", "8", "base.yaml");
  EXPECT_NE(y.find("\n  rows: 8\n"), std::string::npos) << y;
  EXPECT_EQ(y.find("two rows"), std::string::npos) << "the replaced line's comment goes with it";
  EXPECT_NE(y.find("# sweep test base"), std::string::npos);
  EXPECT_NE(y.find("\n  cols: 2\n"), std::string::npos);
  const config::Config cfg = config::parse_config(y, "edited");
  EXPECT_EQ(cfg.systolic.rows, 8u);
  EXPECT_EQ(cfg.systolic.cols, 2u);

  // Top-level keys; a multi-line value loses its continuation lines.
  const std::string multi = std::string(kBase).replace(
      std::string(kBase).find("description: \"a tiny config\"   # quoted"),
      std::string("description: \"a tiny config\"   # quoted").size(), "description: >\n  folded\n  text");
  const std::string d = set_yaml_value(multi, "description", "short", "base.yaml");
  EXPECT_NE(d.find("description: short\nsystolic:"), std::string::npos) << d;
  EXPECT_EQ(config::parse_config(set_yaml_value(kBase, "name", "renamed", "b"), "b").name, "renamed");
}

TEST(SweepYaml, AddsMissingKeysSoTheParserNamesThem) {
  const std::string y = set_yaml_value(kBase, "systolic.rowz", "4", "base.yaml");
  EXPECT_NE(y.find("  max_k: 4\n  rowz: 4\n"), std::string::npos) << y;
  const std::string e = input_error([&] { config::parse_config(y, "base.yaml"); });
  EXPECT_NE(e.find("unknown key 'systolic.rowz'"), std::string::npos) << e;

  const std::string s = set_yaml_value(kBase, "eie.pes", "4", "base.yaml");
  EXPECT_NE(s.find("\neie:\n  pes: 4\n"), std::string::npos) << s;
}

TEST(SweepYaml, RejectsSectionsValuesAndFlowStyle) {
  EXPECT_NE(input_error([] { set_yaml_value(kBase, "systolic", "4", "base.yaml"); }).find("is a section"),
            std::string::npos);
  const std::string e = input_error([] { set_yaml_value(kBase, "systolic.rows.x", "4", "base.yaml"); });
  EXPECT_NE(e.find("'systolic.rows' is a value"), std::string::npos) << e;
  EXPECT_NE(e.find("base.yaml"), std::string::npos) << e;
  const std::string flow = "name: f\nengine: systolic\nsystolic: {rows: 2, cols: 2}\n";
  EXPECT_NE(input_error([&] { set_yaml_value(flow, "systolic.rows", "4", "f.yaml"); }).find("flow-style"),
            std::string::npos);
}

// ---------------------------------------------------------------- grid

TEST(SweepGrid, ExpandsInOrderFirstAxisSlowest) {
  const auto points = expand_grid({{"base.yaml", kBase}}, {parse_axis("systolic.rows=1,2,4"),
                                                           parse_axis("systolic.dataflow=weight_stationary,"
                                                                      "output_stationary")});
  ASSERT_EQ(points.size(), 6u);
  const std::vector<unsigned> rows = {1, 1, 2, 2, 4, 4};
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].index, i);
    EXPECT_EQ(points[i].config.systolic.rows, rows[i]);
    EXPECT_EQ(points[i].config.systolic.cols, 2u) << "untouched keys keep the base value";
    EXPECT_EQ(points[i].config.systolic.dataflow,
              i % 2 ? config::Dataflow::kOutputStationary : config::Dataflow::kWeightStationary);
  }
  EXPECT_EQ(points[3].label, "rows=2 dataflow=output_stationary");
  EXPECT_EQ(points[3].settings[0], (std::pair<std::string, std::string>{"systolic.rows", "2"}));
}

TEST(SweepGrid, LinkedKeysAndSeveralBases) {
  std::string other = kBase;
  other.replace(other.find("tiny_sweep"), 10, "other_base");
  const auto points =
      expand_grid({{"a.yaml", kBase}, {"b.yaml", other}}, {parse_axis("systolic.rows,systolic.cols=1,4")});
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[1].config.systolic.rows, 4u);
  EXPECT_EQ(points[1].config.systolic.cols, 4u);
  EXPECT_EQ(points[2].base, 1u);
  EXPECT_EQ(points[2].config.name, "other_base");
  EXPECT_EQ(points[2].config.source_path, "b.yaml");
  // No axes: one point per base.
  EXPECT_EQ(expand_grid({{"a.yaml", kBase}}, {}).size(), 1u);
}

TEST(SweepGrid, ValidationErrorsNameBaseSettingAndKey) {
  const auto err = [](const std::string& set) {
    return input_error([&] { expand_grid({{"base.yaml", kBase}}, {parse_axis(set)}); });
  };
  std::string e = err("systolic.rows=2,257");
  EXPECT_NE(e.find("base.yaml with systolic.rows=257"), std::string::npos) << e;
  EXPECT_NE(e.find("systolic.rows: must be an integer in 1..256"), std::string::npos) << e;
  e = err("systolic.rowz=2");
  EXPECT_NE(e.find("unknown key 'systolic.rowz'"), std::string::npos) << e;
  e = err("systolic.dataflow=input_stationary");
  EXPECT_NE(e.find("systolic.dataflow: must be one of"), std::string::npos) << e;
  e = err("systolic.acc_bits=8");  // below product_bits: a cross-key check
  EXPECT_NE(e.find("systolic.acc_bits"), std::string::npos) << e;
  e = err("systolic.signed=maybe");
  EXPECT_NE(e.find("systolic.signed: must be a boolean"), std::string::npos) << e;
  e = input_error([] {
    expand_grid({{"base.yaml", kBase}},
                {parse_axis("systolic.rows=1,2"), parse_axis("systolic.rows,systolic.cols=4")});
  });
  EXPECT_NE(e.find("'systolic.rows' is swept twice"), std::string::npos) << e;
}

// ---------------------------------------------------------------- report

// A sweep result with made-up synthesis numbers (no Yosys): area grows with the array.
SweepResult synthetic_sweep(bool with_fmax, bool with_network) {
  SweepResult s;
  s.bases = {{"configs/base.yaml", kBase}};
  s.axes = {parse_axis("systolic.rows,systolic.cols=1,2,4"),
            parse_axis("systolic.dataflow=weight_stationary,output_stationary")};
  s.target = "generic";
  s.command = "dnngen sweep configs/base.yaml --set ... -o out";
  if (with_network) s.network_path = "workloads/tiny.csv", s.network_name = "tiny";
  const EngineHooks hooks = systolic_hooks();
  for (auto& p : expand_grid(s.bases, s.axes)) {
    SweepPointResult r;
    r.pes = hooks.array_size(p.config);
    r.config_fields = hooks.config_fields(p.config);
    const double pes = static_cast<double>(r.pes);
    r.synth.config_name = p.config.name;
    r.synth.target = "generic";
    r.synth.cells = static_cast<int64_t>(1000 * pes + 500);
    r.synth.flip_flops = static_cast<int64_t>(100 * pes);
    r.synth.logic_depth = 39 - static_cast<int>(p.picks[1]) * 2;
    r.synth.logic_nand2_eq = 1500 * pes + 800;
    r.synth.sram_bits = 1000;
    r.synth.sram_nand2_eq = 867;
    r.synth.total_nand2_eq = r.synth.logic_nand2_eq + r.synth.sram_nand2_eq;
    r.synth.yosys_seconds = 1.5;
    r.synth_json = {{"target", "generic"}, {"cells", r.synth.cells}};
    if (with_fmax) r.synth_json["timing"] = {{"fmax_mhz", 400.0 - pes}};
    if (with_network) {
      workload::NetworkEstimate n;
      n.name = "tiny";
      n.macs = 1000000;
      n.cycles = static_cast<uint64_t>(1000000 / pes * 1.25);
      n.utilization = 0.8;
      n.actions.add_macs(8, 8, 32, n.macs);  // 0.3 pJ a MAC at 45 nm
      n.actions.dram_read_bytes = static_cast<uint64_t>(1000 * pes);
      r.network = n;
    }
    r.point = std::move(p);
    r.seconds = 1.6;
    s.points.push_back(std::move(r));
  }
  s.seconds = 9.6;
  return s;
}

TEST(SweepReport, MetricsFromSynthesisAndNetwork) {
  const SweepResult s = synthetic_sweep(false, true);
  const PointMetrics m = metrics(s.points[4]);  // 4x4
  EXPECT_EQ(m.pes, 16);
  EXPECT_NEAR(m.logic_area_mm2, (1500 * 16 + 800) * kNand2AreaUm2 * 1e-6, 1e-12);
  EXPECT_NEAR(m.logic_um2_per_mac, (1500 * 16 + 800) * kNand2AreaUm2 / 16, 1e-9);
  EXPECT_TRUE(std::isnan(m.fmax_mhz));
  EXPECT_NEAR(m.macs_per_cycle, 16 / 1.25, 1e-3);
  EXPECT_NEAR(m.macs_per_cycle_per_mm2, m.macs_per_cycle / m.total_area_mm2, 1e-9);
  EXPECT_DOUBLE_EQ(metrics(synthetic_sweep(true, false).points[0]).fmax_mhz, 399.0);
}

// With target asic the areas are the Liberty library's (cells plus the SRAM model in
// that library), not the generic NAND2 equivalents, which that target leaves at zero.
TEST(SweepReport, AsicAreasComeFromTheLibrary) {
  SweepResult s = synthetic_sweep(false, false);
  SweepPointResult& r = s.points[4];  // 4x4
  r.synth.target = "asic";
  r.synth.logic_nand2_eq = r.synth.sram_nand2_eq = r.synth.total_nand2_eq = 0;
  r.synth.asic.cell_area_um2 = 250000;
  r.synth.asic.sram_area_um2 = 50000;
  const PointMetrics m = metrics(r);
  EXPECT_NEAR(m.logic_area_mm2, 0.25, 1e-12);
  EXPECT_NEAR(m.sram_area_mm2, 0.05, 1e-12);
  EXPECT_NEAR(m.total_area_mm2, 0.30, 1e-12);
  EXPECT_NEAR(m.logic_um2_per_mac, 250000.0 / 16, 1e-9);
}

TEST(SweepReport, CsvJsonAndMarkdown) {
  const SweepResult s = synthetic_sweep(false, true);
  const std::string csv = to_csv(s);
  std::istringstream lines(csv);
  std::vector<std::string> rows;
  for (std::string l; std::getline(lines, l);) rows.push_back(l);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0].rfind("index,base,settings,name,engine,systolic.rows,", 0), 0u) << rows[0];
  const size_t columns = count(rows[0], ",");
  for (const auto& r : rows) EXPECT_EQ(count(r, ","), columns) << r;
  EXPECT_NE(rows[5].find(",4,4,weight_stationary,"), std::string::npos) << rows[5];

  const nlohmann::ordered_json j = to_json(s);
  EXPECT_EQ(j["format"], kSweepFormat);
  EXPECT_EQ(j["points"].size(), 6u);
  EXPECT_EQ(j["points"][5]["settings"]["systolic.dataflow"], "output_stationary");
  EXPECT_EQ(j["points"][5]["pes"], 16);
  EXPECT_EQ(j["points"][5]["network"]["macs"], 1000000);
  // Energy: the MACs' 0.3 pJ and the DRAM bytes at 160 pJ each.
  EXPECT_NEAR(j["points"][5]["network"]["energy"]["total_pj"].get<double>(), 0.3e6 + 16000 * 160.0, 1e-3);
  EXPECT_NE(rows[0].find(",network_energy_uj,network_pj_per_mac,"), std::string::npos) << rows[0];
  EXPECT_TRUE(j["points"][0]["metrics"]["fmax_mhz"].is_null());
  EXPECT_EQ(j["files"],
            nlohmann::ordered_json({"sweep.json", "sweep.csv", "report.md", "area.svg", "area_per_mac.svg",
                                    "depth.svg", "perf_per_area.svg", "energy.svg"}));

  const std::string md = to_markdown(s);
  EXPECT_NE(md.find("# dnngen sweep: 6 points"), std::string::npos);
  EXPECT_NE(md.find("`systolic.rows,systolic.cols` = 1, 2, 4"), std::string::npos) << md;
  EXPECT_NE(md.find("| 5 | base | rows=4 cols=4 dataflow=output_stationary | 16 | 16 500 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("![Performance per area vs array size](perf_per_area.svg)"), std::string::npos);
  EXPECT_EQ(md.find("Fmax"), std::string::npos);
  EXPECT_NE(to_markdown(synthetic_sweep(true, false)).find("Fmax MHz"), std::string::npos);
}

TEST(SweepReport, PlotsAreWellFormedSvg) {
  const auto with_net = plots(synthetic_sweep(false, true));
  ASSERT_EQ(with_net.size(), 5u);
  for (const auto& [name, svg] : with_net) {
    EXPECT_EQ(xml_problem(svg), "") << name;
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << name;
  }
  // area.svg: two series (dataflows) x (total + logic) lines of three points each.
  // energy.svg: a bar per point, the levels stacked, the MAC level first.
  EXPECT_EQ(with_net[4].first, "energy.svg");
  EXPECT_EQ(count(with_net[4].second, "<rect "), 1u + 6 * 2 + energy::kLevels);  // background, bars, legend
  EXPECT_NE(with_net[4].second.find(">mac</text>"), std::string::npos);
  const std::string& area = with_net[0].second;
  EXPECT_EQ(count(area, "<polyline"), 4u);
  EXPECT_EQ(count(area, "<circle"), 12u + 2u) << "markers plus two legend entries";
  EXPECT_NE(area.find("dataflow=output_stationary"), std::string::npos);
  EXPECT_NE(area.find(">PEs (MAC units), log scale<"), std::string::npos);

  const auto with_fmax = plots(synthetic_sweep(true, false));
  ASSERT_EQ(with_fmax.size(), 3u);
  EXPECT_EQ(with_fmax[2].first, "fmax.svg");

  // Without a size axis the first axis is the x axis, categorical if not numeric.
  SweepResult widths = synthetic_sweep(false, false);
  widths.axes = {parse_axis("systolic.dataflow=weight_stationary,output_stationary")};
  widths.points.resize(2);
  for (size_t i = 0; i < 2; ++i) {
    widths.points[i].point = expand_grid(widths.bases, widths.axes)[i];
    widths.points[i].pes = 4;
  }
  const std::string svg = plots(widths)[0].second;
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find(">output_stationary</text>"), std::string::npos);
}

// ---------------------------------------------------------------- output directory

class SweepOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dnngen-test-sweep-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // A sweep of kBase over `axis` with the network `csv`, work directories in work/.
  SweepOptions tiny_sweep(const std::string& axis, const std::string& csv) const {
    std::ofstream(dir_ / "base.yaml") << kBase;
    std::ofstream(dir_ / "net.csv") << csv;
    SweepOptions o;
    o.base_configs = {(dir_ / "base.yaml").string()};
    o.axes = {parse_axis(axis)};
    o.engine = systolic_hooks();
    o.network = (dir_ / "net.csv").string();
    o.work_dir = (dir_ / "work").string();
    return o;
  }
  fs::path dir_;
};

TEST_F(SweepOutputTest, WritesEveryFileAndReplacesAPreviousSweep) {
  const fs::path out = dir_ / "a" / "sweep";
  write_sweep(synthetic_sweep(false, true), out.string());
  EXPECT_EQ(listing(out),
            (std::set<std::string>{"sweep.json", "sweep.csv", "report.md", "area.svg", "area_per_mac.svg",
                                   "depth.svg", "perf_per_area.svg", "energy.svg", "energy.svg"}));
  const auto j = nlohmann::json::parse(slurp(out / "sweep.json"));
  EXPECT_EQ(j["format"], kSweepFormat);
  EXPECT_EQ(slurp(out / "sweep.csv"), to_csv(synthetic_sweep(false, true)));

  // A new sweep with fewer plots replaces the whole directory: no stale perf_per_area.svg.
  write_sweep(synthetic_sweep(true, false), out.string());
  EXPECT_FALSE(fs::exists(out / "perf_per_area.svg"));
  EXPECT_TRUE(fs::exists(out / "fmax.svg"));
  EXPECT_EQ(listing(out.parent_path()), std::set<std::string>{"sweep"}) << "no staging or old directories";
}

TEST_F(SweepOutputTest, RefusesAnythingButAPreviousSweep) {
  const SweepResult s = synthetic_sweep(false, false);
  const fs::path mine = dir_ / "mine";
  fs::create_directory(mine);
  std::ofstream(mine / "notes.txt") << "keep";
  std::string e = input_error([&] { check_sweep_output(mine.string()); });
  EXPECT_NE(e.find("refusing to overwrite"), std::string::npos) << e;
  EXPECT_NE(input_error([&] { write_sweep(s, mine.string()); }).find("refusing to overwrite"),
            std::string::npos);
  EXPECT_EQ(listing(mine), std::set<std::string>{"notes.txt"});

  // A bundle is not a sweep either.
  const fs::path bundle = dir_ / "bundle";
  fs::create_directory(bundle);
  std::ofstream(bundle / "sweep.json") << R"({"format": "dnngen-rtl-bundle", "files": []})";
  EXPECT_NE(input_error([&] { check_sweep_output(bundle.string()); }).find("no dnngen sweep report"),
            std::string::npos);

  // A sweep with a user's file added is kept.
  const fs::path out = dir_ / "out";
  write_sweep(s, out.string());
  std::ofstream(out / "analysis.txt") << "mine";
  e = input_error([&] { write_sweep(s, out.string()); });
  EXPECT_NE(e.find("analysis.txt"), std::string::npos) << e;
  EXPECT_TRUE(fs::exists(out / "analysis.txt"));

  // Files are refused too; empty directories are filled.
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(check_sweep_output((dir_ / "file").string()), InputError);
  fs::create_directory(dir_ / "empty");
  check_sweep_output((dir_ / "empty").string());
  write_sweep(s, (dir_ / "empty").string());
  EXPECT_TRUE(fs::exists(dir_ / "empty" / "report.md"));
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"mine", "bundle", "out", "file", "empty"}));
}

TEST_F(SweepOutputTest, NothingLeftBehindOnError) {
  std::ofstream(dir_ / "plain") << "x";
  EXPECT_THROW(write_sweep(synthetic_sweep(false, false), (dir_ / "plain" / "out").string()), std::exception);
  EXPECT_EQ(listing(dir_), std::set<std::string>{"plain"});
}

// ---------------------------------------------------------------- SVG helpers

TEST(SvgPlot, TicksAndNumbers) {
  EXPECT_EQ(svg::nice_ticks(0, 0.023, svg::Scale::kLinear),
            (std::vector<double>{0, 0.005, 0.01, 0.015, 0.02, 0.025}));
  EXPECT_EQ(svg::nice_ticks(3, 7, svg::Scale::kLinear), (std::vector<double>{3, 4, 5, 6, 7}));
  EXPECT_EQ(svg::nice_ticks(4, 256, svg::Scale::kLog2), (std::vector<double>{4, 8, 16, 32, 64, 128, 256}));
  EXPECT_EQ(svg::nice_ticks(5, 100, svg::Scale::kLog2).front(), 4);
  EXPECT_EQ(svg::nice_ticks(5, 100, svg::Scale::kLog2).back(), 128);
  EXPECT_EQ(svg::nice_ticks(0.08, 1.2, svg::Scale::kLog10), (std::vector<double>{0.05, 0.1, 0.2, 0.5, 1, 2}));
  const auto wide = svg::nice_ticks(1, 1e9, svg::Scale::kLog10);
  EXPECT_LE(wide.size(), 10u);
  EXPECT_LE(wide.front(), 1);
  EXPECT_GE(wide.back(), 1e9);
  EXPECT_EQ(svg::format_number(65536), "65536");
  EXPECT_EQ(svg::format_number(0.25), "0.25");
  EXPECT_EQ(svg::format_number(0.015), "0.015");
  EXPECT_EQ(svg::format_number(1.5e9), "1.5e+09");
  EXPECT_EQ(svg::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
}

TEST(SvgPlot, RendersEdgeCases) {
  svg::LinePlot p;
  p.title = "Empty <plot> & co";
  EXPECT_EQ(xml_problem(svg::render(p)), "");
  EXPECT_NE(svg::render(p).find("no data"), std::string::npos);
  p.series.push_back({"one point", {{5, 5}}, 0, false, true});
  p.series.push_back({"nan & zero", {{1, std::nan("")}, {0, 1}}, 1, true, true});
  p.x.scale = svg::Scale::kLog2;
  const std::string svg = svg::render(p);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count(svg, "<circle"), 1u + 2u) << "the NaN and the x=0 point on a log axis are skipped";
}

// ---------------------------------------------------------------- engine hooks

TEST_F(SweepOutputTest, EngineHooksRejectANetworkBeforeSynthesis) {
  SweepOptions o = tiny_sweep("systolic.rows=1,2", "fc,gemm,4,8,16,1\n");
  std::vector<unsigned> checked;
  o.engine.check_network = [&](const config::Config& cfg) {
    checked.push_back(cfg.systolic.rows);
    if (cfg.systolic.rows == 2) throw InputError(cfg.source_path + ": no estimate for rows=2");
  };
  const std::string e = input_error([&] { run_sweep(o); });
  EXPECT_NE(e.find("base.yaml: no estimate for rows=2"), std::string::npos) << e;
  EXPECT_EQ(checked, (std::vector<unsigned>{1, 2})) << "every point is checked";
  EXPECT_FALSE(fs::exists(dir_ / "work")) << "before any synthesis";
}

// ---------------------------------------------------------------- real run

TEST_F(SweepOutputTest, RunsYosysAndTheNetworkEstimate) {
  if (!process::tool_exists("yosys")) GTEST_SKIP() << "yosys not installed";
  SweepOptions o = tiny_sweep("systolic.rows,systolic.cols=1,2",
                              "# tiny\nfc,gemm,4,8,16,1\nconv,conv,6,6,2,4,3,3,1,1,1\n");
  o.dnngen = DNNGEN_EXE;  // each point is a `dnngen synth` task of the batch
  o.keep_work_dir = true;
  o.batch.jobs = 2;
  std::vector<std::string> lines;
  const SweepResult s =
      run_sweep(o, [&](const exec::Progress& p) { lines.push_back(exec::format_progress(p)); });
  ASSERT_EQ(s.points.size(), 2u);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("[2/2] done", 0), 0u) << lines.back();
  const PointMetrics small = metrics(s.points[0]), big = metrics(s.points[1]);
  EXPECT_EQ(small.pes, 1);
  EXPECT_EQ(big.pes, 4);
  EXPECT_GT(big.logic_area_mm2, 2 * small.logic_area_mm2);
  EXPECT_GT(s.points[0].synth.logic_depth, 0);
  ASSERT_TRUE(s.points[1].network.has_value());
  EXPECT_EQ(s.points[1].network->macs, 4u * 8 * 16 + 4u * 6 * 6 * 2 * 9);
  EXPECT_GT(big.macs_per_cycle, small.macs_per_cycle);
  EXPECT_TRUE(fs::is_directory(dir_ / "work" / "tasks" / "p001_tiny_sweep" / "yosys"))
      << "--work-dir keeps the Yosys runs";
  EXPECT_GT(s.points[1].seconds, 0);
  EXPECT_EQ(s.points[1].synth_json,
            nlohmann::json::parse(
                std::ifstream(dir_ / "work" / "tasks" / "p001_tiny_sweep" / "done" / "synth.json")));

  // Run again on the same directory: every point comes from the first run, same report.
  const SweepResult again = run_sweep(o);
  EXPECT_EQ(to_csv(again), to_csv(s));
  write_sweep(s, (dir_ / "out").string());
  EXPECT_TRUE(fs::exists(dir_ / "out" / "perf_per_area.svg"));

  // Bad input is found before any synthesis.
  o.network = (dir_ / "missing.csv").string();
  o.work_dir = (dir_ / "work2").string();
  EXPECT_THROW(run_sweep(o), InputError);
  o.network.clear();
  o.synth.target = "nonsense";
  EXPECT_NE(input_error([&] { run_sweep(o); }).find("unknown synthesis target 'nonsense'"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "work2"));
}

}  // namespace
}  // namespace dnngen::sweep
