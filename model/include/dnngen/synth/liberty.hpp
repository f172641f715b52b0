#pragma once
// A small reader for Liberty (.lib) standard-cell libraries: just what the `asic`
// synthesis target needs besides Yosys and OpenSTA, which read the file themselves.
// It checks that a file is a Liberty library before any tool runs (so a wrong file
// is a clear input error, not a Yosys log), prices the cells of a mapped netlist,
// tells flip-flops from logic, and finds the library's inverter and NAND2.
#include <map>
#include <string>
#include <vector>

namespace dnngen::synth {

struct LibertyPin {
  std::string name;
  std::string direction;   // input | output | inout | internal
  std::string function;    // output pins: Boolean function of the inputs ("" if none)
  double capacitance = 0;  // input pins, in the library's capacitance unit
  int width = 1;           // bus pins: number of bits
};

struct LibertyCell {
  std::string name;
  double area = 0;
  bool has_area = false;
  bool sequential = false;  // has an ff, latch, statetable (or bank) group
  bool dont_use = false;
  std::vector<LibertyPin> pins;
};

struct Liberty {
  std::string path;
  std::string name;  // library (NAME)
  std::string time_unit;
  std::string capacitance_unit;  // e.g. "1,ff" or "1,pf"
  std::map<std::string, LibertyCell> cells;
};

// Parses a Liberty file. Throws InputError naming the file (and line) if it does not
// exist, does not parse, or holds no library with at least one cell with an area.
Liberty read_liberty(const std::string& path);
// Same, from text already in memory (`path` only names it in messages).
Liberty parse_liberty(const std::string& text, const std::string& path);

// Truth table of a Liberty function over the given inputs (bit i of the row index is
// inputs[i]); throws InputError on a malformed expression or an unknown name.
std::vector<bool> liberty_truth_table(const std::string& function, const std::vector<std::string>& inputs);

// The smallest usable (not dont_use) combinational cell computing !A, or !(A&B), or
// nullptr if the library has none.
const LibertyCell* smallest_inverter(const Liberty& lib);
const LibertyCell* smallest_nand2(const Liberty& lib);

}  // namespace dnngen::synth
