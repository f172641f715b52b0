// Gate-level power (model/src/synth/power.cpp) and the FST activity reader
// (model/src/eda/fst_activity.cpp), without any tool: the reader on a tiny FST written
// here with fstapi's writer (toggles, duty, clock edges, declared ranges, missing and
// corrupt files, no clock), OpenSTA's report_power text as captured from OpenSTA 2019
// (design rows and per-instance rows), and the mapping of flat-netlist names to FST
// signals (Verilator's (i) against Yosys's [i], range offsets, the top scope). The flow
// with Yosys and OpenSTA is checked end to end by testbench/cli/test_cli.py PowerTests.
#include <fstapi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dnngen/common/error.hpp"
#include "dnngen/eda/fst_activity.hpp"
#include "dnngen/synth/power.hpp"

namespace dnngen::synth {
namespace {
namespace fs = std::filesystem;

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("dnngen_test_power_" + std::to_string(::getpid()) + "_" + name);
}

// TOP.dnn_systolic_top with clk_i (toggling every time unit, 0 at t=0, so rising at
// 1, 3, 5, 7, 9) and `data [7:4]`: 0000 at 0, 0011 at 4, 0001 at 8, until t=10.
fs::path write_tiny_fst(bool with_clock = true) {
  const fs::path path = temp_file(with_clock ? "tiny.fst" : "noclock.fst");
  void* w = fstWriterCreate(path.c_str(), 1);
  fstWriterSetTimescale(w, -12);
  fstWriterSetScope(w, FST_ST_VCD_MODULE, "TOP", nullptr);
  fstWriterSetScope(w, FST_ST_VCD_MODULE, "dnn_systolic_top", nullptr);
  const fstHandle clk =
      fstWriterCreateVar(w, FST_VT_VCD_WIRE, FST_VD_INPUT, 1, with_clock ? "clk_i" : "clk_x", 0);
  const fstHandle data = fstWriterCreateVar(w, FST_VT_VCD_WIRE, FST_VD_IMPLICIT, 4, "data [7:4]", 0);
  fstWriterSetUpscope(w);
  fstWriterSetUpscope(w);
  for (uint64_t t = 0; t <= 10; ++t) {
    fstWriterEmitTimeChange(w, t);
    fstWriterEmitValueChange(w, clk, t % 2 ? "1" : "0");
    if (t == 0) fstWriterEmitValueChange(w, data, "0000");
    if (t == 4) fstWriterEmitValueChange(w, data, "0011");
    if (t == 8) fstWriterEmitValueChange(w, data, "0001");
  }
  fstWriterClose(w);
  return path;
}

TEST(FstActivity, CountsTogglesDutyAndClockEdges) {
  const fs::path path = write_tiny_fst();
  const eda::FstActivity a = eda::read_fst_activity(path.string());
  EXPECT_EQ(a.clock, "TOP.dnn_systolic_top.clk_i");
  EXPECT_EQ(a.clock_cycles, 5u);
  EXPECT_EQ(a.start_time, 0u);
  EXPECT_EQ(a.end_time, 10u);
  EXPECT_EQ(a.timescale, -12);
  ASSERT_EQ(a.top_scopes, std::vector<std::string>{"TOP.dnn_systolic_top"});
  ASSERT_EQ(a.signals.size(), 2u);
  const eda::SignalActivity& data = a.signals[1];
  EXPECT_EQ(data.name, "TOP.dnn_systolic_top.data");
  EXPECT_EQ(data.lsb, 4);
  EXPECT_EQ(data.toggles, (std::vector<uint64_t>{1, 2, 0, 0}));  // bit 0 first
  EXPECT_DOUBLE_EQ(data.duty[0], 0.6);                           // 1 from t=4 to 10
  EXPECT_DOUBLE_EQ(data.duty[1], 0.4);                           // 1 from t=4 to 8
  EXPECT_DOUBLE_EQ(data.duty[2], 0.0);
  EXPECT_DOUBLE_EQ(a.activity(data, 1), 2.0 / 5.0);  // toggles per clock cycle
  EXPECT_EQ(a.signals[0].toggles[0], 10u);
  EXPECT_DOUBLE_EQ(a.signals[0].duty[0], 0.5);
  fs::remove(path);
}

TEST(FstActivity, RefusesMissingCorruptAndClocklessFiles) {
  EXPECT_THROW(eda::read_fst_activity(temp_file("missing.fst").string()), InputError);
  const fs::path text = temp_file("text.fst");
  std::ofstream(text) << "this is not a waveform\n";
  EXPECT_THROW(eda::read_fst_activity(text.string()), InputError);
  fs::remove(text);
  const fs::path noclock = write_tiny_fst(false);
  try {
    eda::read_fst_activity(noclock.string());
    ADD_FAILURE() << "an FST without clk_i was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no 1-bit signal named clk_i"), std::string::npos) << e.what();
  }
  fs::remove(noclock);
}

// Captured from OpenSTA 0~20191111 (Debian opensta) on a three-flop Nangate45 netlist.
const char* const kDesignReport = R"(Group                    Internal    Switching      Leakage        Total
                            Power        Power        Power        Power
------------------------------------------------------------------------
Sequential           4.350943e-06 1.000000e-08 2.373369e-07 4.598280e-06  99.1%
Combinational        2.000000e-07 3.000000e-08 3.941925e-08 2.694193e-07   0.9%
Macro                0.000000e+00 0.000000e+00 0.000000e+00 0.000000e+00   0.0%
Pad                  0.000000e+00 0.000000e+00 0.000000e+00 0.000000e+00   0.0%
------------------------------------------------------------------------
Total                4.550943e-06 4.000000e-08 2.767562e-07 4.867699e-06 100.0%
                            93.5%         0.8%         5.7%
)";

const char* const kInstanceReport = R"(   Internal  Switching    Leakage      Total
      Power      Power      Power      Power
--------------------------------------------
 2.1574e-06 3.7479e-09 7.9112e-08 2.2402e-06 _26076_
 9.9490e-08 2.4321e-08 2.5066e-08 1.4888e-07 g_ws.u_core.u_accbuf
)";

TEST(PowerReport, ParsesDesignAndInstanceRows) {
  const auto rows = parse_power_report(kDesignReport);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_DOUBLE_EQ(rows.at("Total").internal, 4.550943e-06);
  EXPECT_DOUBLE_EQ(rows.at("Total").switching, 4.0e-08);
  EXPECT_DOUBLE_EQ(rows.at("Total").leakage, 2.767562e-07);
  EXPECT_DOUBLE_EQ(rows.at("Combinational").dynamic(), 2.3e-07);
  EXPECT_THROW(parse_power_report("Error: no design\n"), ToolError);

  const auto inst = parse_instance_power(kInstanceReport);
  ASSERT_EQ(inst.size(), 2u);
  EXPECT_EQ(inst[0].first, "_26076_");
  EXPECT_DOUBLE_EQ(inst[0].second.total(), 2.1574e-06 + 3.7479e-09 + 7.9112e-08);
  EXPECT_EQ(inst[1].first, "g_ws.u_core.u_accbuf");
}

eda::SignalActivity signal(const std::string& name, size_t width, int64_t lsb = 0) {
  eda::SignalActivity s;
  s.name = name;
  s.lsb = lsb;
  for (size_t b = 0; b < width; ++b) {
    s.toggles.push_back(b);
    s.duty.push_back(0.5);
  }
  return s;
}

TEST(SignalMap, MatchesNetlistNamesToWaveformSignals) {
  eda::FstActivity a;
  a.signals.push_back(signal("TOP.clk_i", 1));  // the testbench's copy, above the top scope
  a.signals.push_back(signal("TOP.dnn_systolic_top.clk_i", 1));
  a.signals.push_back(signal("TOP.dnn_systolic_top.g_ws.u_core.u_array.g_row(0).g_col(1).u_pe.acc_q", 32));
  a.signals.push_back(signal("TOP.dnn_systolic_top.g_ws.u_core.tag_q", 4, 4));
  a.signals.push_back(signal("TOP.dnn_systolic_top.g_ws.u_core.u_skew.g_lane[2].u_delay.q[1]", 8));
  const SignalMap map(a, "dnn_systolic_top");
  EXPECT_EQ(map.scope(), "TOP.dnn_systolic_top");

  const auto acc = map.find("g_ws.u_core.u_array.g_row[0].g_col[1].u_pe.acc_q", 3);
  ASSERT_TRUE(acc);
  EXPECT_EQ(acc->signal, &a.signals[2]);
  EXPECT_EQ(acc->bit, 3u);
  const auto tag = map.find("g_ws.u_core.tag_q", 6);  // declared [7:4]
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->bit, 2u);
  EXPECT_FALSE(map.find("g_ws.u_core.tag_q", 3));                              // outside [7:4]
  const auto lane = map.find("g_ws.u_core.u_skew.g_lane[2].u_delay.q[1]", 7);  // an array element
  ASSERT_TRUE(lane);
  EXPECT_EQ(lane->bit, 7u);
  const auto clk = map.find("clk_i", -1);  // a scalar
  ASSERT_TRUE(clk);
  EXPECT_EQ(clk->signal, &a.signals[1]);
  EXPECT_FALSE(map.find("g_ws.u_core.no_such_q", 0));
  EXPECT_EQ(map.signal("g_ws.u_core.tag_q"), &a.signals[3]);

  EXPECT_EQ(SignalMap(a, "dnn_eie_top").scope(), "");  // another design's waveform
}

}  // namespace
}  // namespace dnngen::synth
