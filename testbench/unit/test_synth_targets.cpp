// Synthesis targets asic, xilinx and ice40 (model/src/synth/synth_asic.cpp,
// synth_fpga.cpp) and the Liberty reader (liberty.cpp).
// Covers: the Liberty parser (syntax, pin functions, buses, inverter/NAND2 detection,
// malformed and missing files); a 2x2 WS design mapped to the default OSU 0.18 um
// library and, when ../shared/pdk holds them, to Nangate45 and sky130hd, with module
// areas adding up to Yosys's own total, the SRAM macros sized as the config implies and
// an OpenSTA critical path between named registers; synth_xilinx with and without DSPs;
// synth_ice40 + nextpnr on the smallest part that fits; and bad input: missing and
// malformed Liberty files, unknown and too small devices, a design that fits no device,
// options given to the wrong target, OpenSTA / nextpnr / Yosys missing from PATH and
// OpenSTA / nextpnr failing (fake tools on a PATH of our own). Every case uses a 2x2
// array with max_m/n/k 8/6/5 and takes seconds; tests needing a tool skip without it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dnngen/common/error.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/synth/area.hpp"
#include "dnngen/synth/liberty.hpp"
#include "dnngen/synth/synth.hpp"
#include "test_support.hpp"

namespace dnngen::synth {
namespace {
namespace fs = std::filesystem;

// A 2x2 WS array; job-size limits 8/6/5 unless max_mnk is given for all three.
std::string tiny_yaml(const std::string& name, int max_mnk = 0) {
  const std::string v = std::to_string(max_mnk);
  const std::string limits = max_mnk > 0 ? "  max_m: " + v + "\n  max_n: " + v + "\n  max_k: " + v + "\n"
                                         : "  max_m: 8\n  max_n: 6\n  max_k: 5\n";
  return "name: " + name + R"(
engine: systolic
systolic:
  rows: 2
  cols: 2
  dataflow: weight_stationary
  input_bits: 8
  weight_bits: 8
  acc_bits: 32
  signed: true
  overflow: wrap
)" + limits;
}

using dnngen::test_support::ScopedEnv;

// ../shared/pdk next to the source tree (Nangate45 and sky130hd, gzipped).
fs::path shared_pdk() { return fs::path(DNNGEN_SOURCE_DIR) / ".." / "shared" / "pdk"; }

class TargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dnngen-test-targets-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  config::Config write_config(const std::string& name, int max_mnk = 0) {
    const fs::path path = dir_ / (name + ".yaml");
    std::ofstream(path) << tiny_yaml(name, max_mnk);
    return config::load_config(path.string());
  }

  SynthOptions options(const std::string& target, const std::string& sub) const {
    SynthOptions o;
    o.target = target;
    o.work_dir = (dir_ / sub).string();
    return o;
  }

  // A gunzipped copy of ../shared/pdk/NAME.lib.gz, or "" if it is not there.
  std::string shared_liberty(const std::string& name) {
    const fs::path gz = shared_pdk() / (name + ".lib.gz");
    if (!fs::is_regular_file(gz)) return "";
    const fs::path lib = dir_ / (name + ".lib");
    process::RunOptions opt;
    opt.truncate_log = true;
    const auto r = process::run_program({"gzip", "-dc", gz.string()}, lib.string(), opt);
    return r.exit_code == 0 ? lib.string() : "";
  }

  // A directory for PATH holding links to the given real tools and fake scripts.
  std::string fake_path(const std::vector<std::string>& real,
                        const std::vector<std::pair<std::string, std::string>>& fakes) {
    const fs::path bin = dir_ / "bin";
    fs::create_directories(bin);
    for (const auto& tool : real) {
      const std::string found = process::find_tool(tool);
      if (!found.empty()) fs::create_symlink(found, bin / tool);
    }
    for (const auto& [name, script] : fakes) {
      std::ofstream(bin / name) << "#!/bin/sh\n" << script << "\n";
      fs::permissions(bin / name, fs::perms::owner_all);
    }
    return bin.string();
  }

  fs::path dir_;
};

bool has_tools(std::initializer_list<const char*> tools) {
  for (const char* t : tools) {
    if (!process::tool_exists(t)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- Liberty reader

const char* const kTinyLib = R"lib(/* a comment */
library (tiny) {
  time_unit : "1ns";
  capacitive_load_unit (1, ff);
  type (bus4) { base_type : array; bit_width : 4; bit_from : 3; bit_to : 0; }
  cell (INV_A) { area : 2; pin (A) { direction : input; capacitance : 1.5; }
                 pin (Y) { direction : output; function : "!A"; } }
  cell (INV_B) { area : 1; pin (A) { direction : input; capacitance : 0.7; }
                 pin (Y) { direction : output; function : "A'"; } }
  cell (INV_BAD) { area : 0.5; dont_use : true; pin (A) { direction : input; }
                   pin (Y) { direction : output; function : "(!A)"; } }
  cell (ND2) { area : 3; pin (A, B) { direction : input; }
               pin (Y) { direction : output; function : "!(A \
B)"; timing () { related_pin : "A"; cell_rise (scalar) { values ("0.1"); } } } }
  cell (DFF) { area : 9; ff (IQ, IQN) { next_state : "D"; clocked_on : "CK"; }
               pin (D) { direction : input; } pin (CK) { direction : input; clock : true; }
               pin (Q) { direction : output; function : "IQ"; } }
  cell (RAM) { area : 100; bus (DO) { bus_type : bus4; direction : output; } }
}
)lib";

TEST(LibertyReader, ParsesCellsPinsAndGroups) {
  const Liberty lib = parse_liberty(kTinyLib, "tiny.lib");
  EXPECT_EQ(lib.name, "tiny");
  EXPECT_EQ(lib.time_unit, "1ns");
  EXPECT_EQ(lib.capacitance_unit, "1,ff");
  ASSERT_EQ(lib.cells.size(), 6u);
  EXPECT_DOUBLE_EQ(lib.cells.at("ND2").area, 3);
  EXPECT_EQ(lib.cells.at("ND2").pins.size(), 3u) << "pin (A, B) names two pins";
  EXPECT_TRUE(lib.cells.at("DFF").sequential);
  EXPECT_FALSE(lib.cells.at("ND2").sequential);
  EXPECT_TRUE(lib.cells.at("INV_BAD").dont_use);
  EXPECT_EQ(lib.cells.at("RAM").pins.at(0).width, 4);
  // The smallest usable cell of each function; dont_use cells are skipped.
  ASSERT_NE(smallest_inverter(lib), nullptr);
  EXPECT_EQ(smallest_inverter(lib)->name, "INV_B");
  ASSERT_NE(smallest_nand2(lib), nullptr);
  EXPECT_EQ(smallest_nand2(lib)->name, "ND2");
}

TEST(LibertyReader, FunctionSyntax) {
  const std::vector<std::string> ab = {"A", "B"};
  const std::vector<bool> nand = {true, true, true, false};
  for (const char* f : {"!(A&B)", "(A*B)'", "!(A B)", "!A+!B", "A'|B'", "!(A & B)"}) {
    EXPECT_EQ(liberty_truth_table(f, ab), nand) << f;
  }
  EXPECT_EQ(liberty_truth_table("A^B", ab), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(liberty_truth_table("!A&B|A&!B", ab), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(liberty_truth_table("1", ab), (std::vector<bool>{true, true, true, true}));
  EXPECT_THROW(liberty_truth_table("!(A&C)", ab), InputError);
  EXPECT_THROW(liberty_truth_table("!(A&B", ab), InputError);
}

TEST(LibertyReader, MalformedFilesNameFileAndLine) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"library (x) {\n  cell (A) {\n    area : 1;\n", "missing '}'"},
      {"library (x) {\n  cell (A) { area : 1; }\n}\n}\n", "without a group"},
      {"library (x) {\n  cell (A) { area : \"1; }\n}\n", "string not closed"},
      {"module top(); endmodule\n", "expected"},
      {"library (x) { cell (A) { pin (Y) { direction : output; } } }\n", "no cell with an area"},
      {"cell (A) { area : 1; }\n", "no library"},
      {"library (x) { cell (A) { area : big; } }\n", "not a number"},
  };
  for (const auto& [text, expected] : bad) {
    try {
      parse_liberty(text, "bad.lib");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("bad.lib"), std::string::npos) << what;
      EXPECT_NE(what.find(expected), std::string::npos) << what;
    }
  }
  try {
    parse_liberty("library (x) {\n  cell (A) {\n    area : 1\n    pin (A) { direction input; }\n", "l.lib");
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 4"), std::string::npos) << e.what();
  }
}

TEST_F(TargetTest, LibertyFileErrors) {
  EXPECT_THROW(read_liberty((dir_ / "absent.lib").string()), InputError);
  const fs::path gz = dir_ / "lib.gz";
  std::ofstream(gz) << std::string("\x1f\x8b\x08\x00", 4);
  try {
    read_liberty(gz.string());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("gzip"), std::string::npos) << e.what();
  }
}

TEST(LibertyReader, ReadsTheDefaultAndSharedLibraries) {
  if (fs::is_regular_file(default_liberty())) {
    const Liberty osu = read_liberty(default_liberty());
    EXPECT_EQ(osu.name, "osu018_stdcells");
    EXPECT_EQ(smallest_inverter(osu)->name, "INVX1");
    EXPECT_EQ(smallest_nand2(osu)->name, "NAND2X1");
    EXPECT_TRUE(osu.cells.at("DFFSR").sequential);
  }
}

TEST_F(TargetTest, ReadsSharedLibraries) {
  const std::string nangate = shared_liberty("nangate45_typ");
  const std::string sky130 = shared_liberty("sky130hd_tt");
  if (nangate.empty() || sky130.empty())
    GTEST_SKIP() << "no " << shared_pdk().string() << " (Nangate45, sky130hd)";
  const Liberty n = read_liberty(nangate);
  EXPECT_EQ(smallest_inverter(n)->name, "INV_X1");
  EXPECT_EQ(smallest_nand2(n)->name, "NAND2_X1");
  EXPECT_NEAR(smallest_nand2(n)->area, kNand2AreaUm2, 1e-6) << "the NAND2-eq table's unit";
  EXPECT_TRUE(n.cells.at("DFFR_X1").sequential);
  const Liberty s = read_liberty(sky130);
  EXPECT_EQ(smallest_inverter(s)->name, "sky130_fd_sc_hd__inv_1");
  EXPECT_EQ(smallest_nand2(s)->name, "sky130_fd_sc_hd__nand2_1");
}

// ---------------------------------------------------------------- asic

void expect_asic_report(const SynthReport& r, const std::string& library, const std::string& nand2) {
  const AsicReport& a = r.asic;
  EXPECT_EQ(r.target, "asic");
  EXPECT_EQ(a.library, library);
  EXPECT_EQ(a.nand2_cell, nand2);
  EXPECT_GT(a.cells, 0);
  EXPECT_GE(a.flip_flops, 4 * 58) << "weights, activation and partial sum of each PE";
  EXPECT_LT(a.flip_flops, 700) << "no SRAM bit became a flip-flop";
  // Rows add up to the logic area, and that is Yosys's own stat -liberty total.
  double logic = 0;
  int64_t cells = 0;
  for (const auto& m : a.modules) {
    if (m.category == "sram") continue;
    logic += m.area_um2;
    cells += m.cells;
  }
  EXPECT_NEAR(logic, a.cell_area_um2, 1e-6 * logic);
  EXPECT_EQ(cells, a.cells);
  for (const auto& w : r.warnings) {
    EXPECT_EQ(w.find("add up to"), std::string::npos) << w;
  }
  // Flattening only adds buffers and removes logic across boundaries: within 15 %.
  EXPECT_NEAR(a.flat_cell_area_um2, a.cell_area_um2, 0.15 * a.cell_area_um2);
  // SRAM: the generic model in this library's NAND2 units.
  ASSERT_EQ(r.srams.size(), 3u);
  // A [ceil(K/R)*M x R*8], B [ceil(N/C)*K x C*8], accumulators [M x C*32].
  EXPECT_EQ(r.sram_bits, 3 * 8 * 16 + 3 * 5 * 16 + 8 * 64);
  EXPECT_NEAR(a.sram_area_um2, r.sram_nand2_eq * a.nand2_area_um2, 1e-6);
  // Timing: a positive critical path between named registers or ports.
  EXPECT_GT(a.critical_path_ns, 0.1);
  EXPECT_NEAR(a.critical_path_ns, a.clock_period_ns - a.worst_slack_ns, 1e-9);
  EXPECT_NEAR(a.fmax_mhz, 1000.0 / a.critical_path_ns, 1e-6);
  EXPECT_FALSE(a.critical_from.empty());
  EXPECT_FALSE(a.critical_to.empty());
  EXPECT_EQ(a.critical_to.rfind("_", 0), std::string::npos) << "a register name, not " << a.critical_to;
  EXPECT_TRUE(fs::is_regular_file(a.sta_log));
  EXPECT_TRUE(fs::is_regular_file(a.sta_paths));

  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["target"], "asic");
  EXPECT_EQ(j["asic"]["library"], library);
  EXPECT_DOUBLE_EQ(j["asic"]["timing"]["fmax_mhz"].get<double>(), a.fmax_mhz);
  EXPECT_DOUBLE_EQ(j["fmax_mhz"].get<double>(), a.fmax_mhz);
  EXPECT_EQ(j["sram"]["macros"].size(), 3u);
  EXPECT_FALSE(j.contains("logic_depth")) << "generic-only fields stay out";
  EXPECT_EQ(to_json(from_json(j)), j) << "read back, the same report";
  const std::string table = format_table(r);
  EXPECT_NE(table.find(library), std::string::npos);
  EXPECT_NE(table.find("dnn_systolic_ws_pe"), std::string::npos);
  EXPECT_NE(table.find("Fmax"), std::string::npos);
}

TEST_F(TargetTest, AsicDefaultLibrary) {
  if (!has_tools({"yosys", "sta"}) || !fs::is_regular_file(default_liberty())) {
    GTEST_SKIP() << "needs yosys, sta (opensta) and qflow-tech-osu018";
  }
  const SynthReport r = run_synth(write_config("tiny_asic"), options("asic", "osu"));
  EXPECT_TRUE(r.asic.default_liberty);
  EXPECT_EQ(r.asic.inverter_cell, "INVX1");
  expect_asic_report(r, "osu018_stdcells", "NAND2X1");
}

TEST_F(TargetTest, AsicNangate45) {
  const std::string lib = shared_liberty("nangate45_typ");
  if (lib.empty()) GTEST_SKIP() << "no " << shared_pdk().string() << "/nangate45_typ.lib.gz";
  if (!has_tools({"yosys", "sta"})) GTEST_SKIP() << "needs yosys and sta (opensta)";
  SynthOptions opt = options("asic", "nangate");
  opt.liberty = lib;
  const SynthReport r = run_synth(write_config("tiny_nangate"), opt);
  expect_asic_report(r, "NangateOpenCellLibrary", "NAND2_X1");
  // The SRAM estimate in Nangate45 is the 45 nm model itself.
  EXPECT_NEAR(r.asic.sram_area_um2, r.sram_area_um2, 1e-6 * r.sram_area_um2);
}

TEST_F(TargetTest, AsicSky130) {
  const std::string lib = shared_liberty("sky130hd_tt");
  if (lib.empty()) GTEST_SKIP() << "no " << shared_pdk().string() << "/sky130hd_tt.lib.gz";
  if (!has_tools({"yosys", "sta"})) GTEST_SKIP() << "needs yosys and sta (opensta)";
  SynthOptions opt = options("asic", "sky130");
  opt.liberty = lib;
  const SynthReport r = run_synth(write_config("tiny_sky130"), opt);
  expect_asic_report(r, "sky130_fd_sc_hd__tt_025C_1v80", "sky130_fd_sc_hd__nand2_1");
}

TEST_F(TargetTest, AsicScriptKeepsHierarchyForTheBreakdown) {
  SynthOptions opt = options("asic", "script");
  const std::string s = synth_script(write_config("tiny_script"), opt);
  const size_t flatten = s.find("flatten");
  ASSERT_NE(flatten, std::string::npos);
  EXPECT_LT(s.find("write_json"), flatten) << "the breakdown netlist is written before flattening";
  EXPECT_NE(s.find("dfflibmap -liberty \"" + default_liberty() + "\""), std::string::npos) << s;
  EXPECT_NE(s.find("-constr abc.constr"), std::string::npos);
}

// ---------------------------------------------------------------- xilinx

TEST_F(TargetTest, Xilinx2x2WithAndWithoutDsp) {
  if (!has_tools({"yosys"})) GTEST_SKIP() << "yosys not installed";
  const SynthReport r = run_synth(write_config("tiny_x"), options("xilinx", "x"));
  const XilinxResources& d = r.xilinx.with_dsp;
  const XilinxResources& n = r.xilinx.without_dsp;
  EXPECT_TRUE(d.dsp);
  EXPECT_FALSE(n.dsp);
  EXPECT_EQ(d.dsp48, 4) << "one DSP48E1 per 8x8 multiplier";
  EXPECT_EQ(n.dsp48, 0);
  EXPECT_GT(n.lut_logic, d.lut_logic) << "multipliers in LUTs without DSPs";
  EXPECT_EQ(n.flip_flops, d.flip_flops);
  EXPECT_GE(d.flip_flops, 4 * 58);
  EXPECT_GT(d.carry, 0);
  // The SRAM buffers are memories here (LUT RAM at these depths), not black boxes.
  EXPECT_GT(d.lut_memory + d.ramb18 + d.ramb36, 0);
  EXPECT_LE(d.reset_inverters, d.flip_flops);
  EXPECT_EQ(d.luts(), d.lut_logic + d.lut_memory + d.lut_shift);
  double module_luts = 0, module_dsp = 0;
  for (const auto& m : d.modules) {
    module_luts += m.resources.at("lut");
    module_dsp += m.resources.at("dsp");
    if (m.module == "dnn_systolic_mul") {
      EXPECT_EQ(m.resources.at("dsp"), 4);
    }
  }
  EXPECT_EQ(module_luts, static_cast<double>(d.luts()));
  EXPECT_EQ(module_dsp, 4);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["xilinx"]["with_dsp"]["dsp48e1"], 4);
  EXPECT_EQ(j["xilinx"]["without_dsp"]["dsp48e1"], 0);
  EXPECT_NE(format_table(r).find("-nodsp"), std::string::npos);
}

// ---------------------------------------------------------------- ice40

TEST_F(TargetTest, Ice40SmallestDeviceThatFits) {
  if (!has_tools({"yosys", "nextpnr-ice40"})) GTEST_SKIP() << "needs yosys and nextpnr-ice40";
  const SynthReport r = run_synth(write_config("tiny_ice"), options("ice40", "ice"));
  const Ice40Report& i = r.ice40;
  EXPECT_TRUE(i.auto_device);
  // About 1600 logic cells: more than an HX1K has, so the next part is used.
  ASSERT_FALSE(i.rejected.empty());
  EXPECT_EQ(i.rejected.front().rfind("hx1k: ", 0), 0u) << i.rejected.front();
  EXPECT_EQ(i.device, "up5k");
  const auto lc = i.utilisation.at("ICESTORM_LC");
  EXPECT_GT(lc.first, 1280);
  EXPECT_LE(lc.first, lc.second);
  EXPECT_EQ(i.utilisation.at("SB_IO").first, 4) << "the wrapper's four pins";
  EXPECT_EQ(i.utilisation.at("ICESTORM_RAM").first, i.rams);
  EXPECT_GT(i.rams, 0) << "SRAM buffers in block RAM";
  EXPECT_GT(i.fmax_mhz, 5.0);
  EXPECT_GT(i.core_input_bits, 20);
  EXPECT_GT(i.core_output_bits, 2 * 32);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["ice40"]["device"], "up5k");
  EXPECT_DOUBLE_EQ(j["fmax_mhz"].get<double>(), i.fmax_mhz);
  EXPECT_NE(format_table(r).find("does not fit hx1k"), std::string::npos);
}

// ---------------------------------------------------------------- bad input

// Nothing may be left behind for input that is rejected before any tool runs.
template <typename E>
std::string expect_error(const config::Config& cfg, const SynthOptions& opt) {
  try {
    run_synth(cfg, opt);
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

TEST_F(TargetTest, MissingLibertyIsInputError) {
  SynthOptions opt = options("asic", "nolib");
  opt.liberty = (dir_ / "nonexistent.lib").string();
  const std::string what = expect_error<InputError>(write_config("t"), opt);
  EXPECT_NE(what.find("nonexistent.lib"), std::string::npos) << what;
  EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(opt.work_dir));
}

TEST_F(TargetTest, MalformedLibertyIsInputError) {
  const fs::path lib = dir_ / "broken.lib";
  std::ofstream(lib) << "library (broken) {\n  cell (INV) {\n    area : 1;\n";
  SynthOptions opt = options("asic", "badlib");
  opt.liberty = lib.string();
  std::string what = expect_error<InputError>(write_config("t"), opt);
  EXPECT_NE(what.find("broken.lib does not parse"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(opt.work_dir));
  // A Verilog file given as a Liberty file.
  opt.liberty = (fs::path(DNNGEN_RTL_DIR) / "common" / "dnn_sram_1r1w.sv").string();
  what = expect_error<InputError>(write_config("t"), opt);
  EXPECT_NE(what.find("dnn_sram_1r1w.sv does not parse"), std::string::npos) << what;
  // A library without an inverter or NAND2 cannot be mapped to.
  std::ofstream(lib, std::ios::trunc) << R"(library (x) { cell (B) { area : 1; pin (A) { direction : input; }
    pin (Y) { direction : output; function : "A"; } } })";
  opt.liberty = lib.string();
  what = expect_error<InputError>(write_config("t"), opt);
  EXPECT_NE(what.find("no usable inverter or 2-input NAND"), std::string::npos) << what;
}

TEST_F(TargetTest, OptionsOfOtherTargetsAreInputErrors) {
  SynthOptions opt = options("generic", "mixed");
  opt.liberty = default_liberty();
  EXPECT_NE(expect_error<InputError>(write_config("t"), opt).find("--liberty applies to the asic target"),
            std::string::npos);
  opt = options("xilinx", "mixed");
  opt.device = "hx8k";
  EXPECT_NE(expect_error<InputError>(write_config("t"), opt).find("--device applies to the ice40 target"),
            std::string::npos);
  opt = options("ice40", "mixed");
  opt.device = "xc7a35t";
  const std::string what = expect_error<InputError>(write_config("t"), opt);
  EXPECT_NE(what.find("unknown iCE40 device 'xc7a35t'"), std::string::npos) << what;
  EXPECT_NE(what.find("hx1k, up5k, hx8k"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(opt.work_dir));
  opt = options("vivado", "mixed");
  EXPECT_NE(expect_error<InputError>(write_config("t"), opt).find("asic, xilinx, ice40"), std::string::npos);
}

TEST_F(TargetTest, DeviceTooSmallIsInputError) {
  if (!has_tools({"yosys", "nextpnr-ice40"})) GTEST_SKIP() << "needs yosys and nextpnr-ice40";
  // max_m/n/k 64: 69 632 SRAM bits, more than an HX1K's 16 block RAMs and 1280 cells hold.
  SynthOptions opt = options("ice40", "small");
  opt.device = "hx1k";
  const std::string what = expect_error<InputError>(write_config("t64", 64), opt);
  EXPECT_NE(what.find("does not fit the iCE40 device hx1k"), std::string::npos) << what;
  EXPECT_NE(what.find("69632 bits"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(fs::path(opt.work_dir) / "netlist_ice40.json")) << "no synthesis was run";
}

TEST_F(TargetTest, DesignThatFitsNoDeviceIsInputError) {
  if (!has_tools({"yosys", "nextpnr-ice40"})) GTEST_SKIP() << "needs yosys and nextpnr-ice40";
  const std::string what = expect_error<InputError>(write_config("t256", 256), options("ice40", "none"));
  EXPECT_NE(what.find("fits no iCE40 device"), std::string::npos) << what;
  for (const char* dev : {"hx1k", "up5k", "hx8k"}) EXPECT_NE(what.find(dev), std::string::npos) << what;
}

TEST_F(TargetTest, MissingToolsAreToolErrors) {
  const config::Config cfg = write_config("t");
  {
    const ScopedEnv env("PATH", fake_path({"yosys"}, {}));
    std::string what = expect_error<ToolError>(cfg, options("asic", "nosta"));
    EXPECT_NE(what.find("sta not found on PATH"), std::string::npos) << what;
    EXPECT_NE(what.find("opensta"), std::string::npos) << what;
    what = expect_error<ToolError>(cfg, options("ice40", "nopnr"));
    EXPECT_NE(what.find("nextpnr-ice40 not found on PATH"), std::string::npos) << what;
  }
  const ScopedEnv env("PATH", (dir_ / "empty").string());
  for (const char* target : {"asic", "xilinx", "ice40"}) {
    const std::string what = expect_error<ToolError>(cfg, options(target, "noyosys"));
    EXPECT_NE(what.find("yosys not found on PATH"), std::string::npos) << target << ": " << what;
  }
}

TEST_F(TargetTest, FailingStaIsToolErrorNamingItsLog) {
  if (!has_tools({"yosys"}) || !fs::is_regular_file(default_liberty()))
    GTEST_SKIP() << "needs yosys and OSU lib";
  // OpenSTA reports Tcl errors on its output and still exits 0: the fake does the same.
  const ScopedEnv env("PATH", fake_path({"yosys", "yosys-abc", "berkeley-abc"},
                                        {{"sta", "echo 'Error: sta.tcl, 4 simulated failure'"}}));
  const SynthOptions opt = options("asic", "fakesta");
  const std::string what = expect_error<ToolError>(write_config("t"), opt);
  const std::string log = (fs::path(opt.work_dir) / "sta.log").string();
  EXPECT_EQ(what.rfind("sta (OpenSTA) failed", 0), 0u) << what;
  EXPECT_NE(what.find(log), std::string::npos) << what;
  EXPECT_NE(what.find("simulated failure"), std::string::npos) << what;
}

TEST_F(TargetTest, FailingNextpnrIsToolErrorNamingItsLog) {
  if (!has_tools({"yosys"})) GTEST_SKIP() << "yosys not installed";
  const ScopedEnv env("PATH", fake_path({"yosys", "yosys-abc", "berkeley-abc"},
                                        {{"nextpnr-ice40", "echo 'ERROR: simulated crash'; exit 3"}}));
  const SynthOptions opt = options("ice40", "fakepnr");
  const std::string what = expect_error<ToolError>(write_config("t"), opt);
  EXPECT_EQ(what.rfind("nextpnr-ice40 failed (exit status 3)", 0), 0u) << what;
  EXPECT_NE(what.find((fs::path(opt.work_dir) / "nextpnr_pack_hx1k.log").string()), std::string::npos)
      << what;
  EXPECT_NE(what.find("simulated crash"), std::string::npos) << what;
}

}  // namespace
}  // namespace dnngen::synth
