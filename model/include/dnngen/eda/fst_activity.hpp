#pragma once
// Switching activity measured in a simulation: toggle counts and time at 1 per signal
// bit, read from an FST waveform (the format `dnngen cosim --fst` writes), for the
// gate-level power analysis (synth/power.hpp, docs/energy_power.md).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dnngen::eda {

// One traced signal; bit 0 is the least significant bit.
struct SignalActivity {
  std::string name;               // scopes joined with '.', e.g. TOP.dnn_systolic_top.g_ws.u_core.busy_q
  int64_t lsb = 0;                // index of bit 0 in the declared range (the 4 of sig[11:4])
  std::vector<uint64_t> toggles;  // per bit: changes after the first value
  std::vector<double> duty;       // per bit: fraction of [start_time, end_time] at 1
};

struct FstActivity {
  std::string path;
  std::string clock;          // full name of the clock whose rising edges were counted
  uint64_t clock_cycles = 0;  // rising edges of `clock`
  uint64_t start_time = 0, end_time = 0;
  int timescale = 0;                    // exponent of ten of one time unit in seconds (-12: ps)
  std::vector<SignalActivity> signals;  // in the order of the file's hierarchy
  // Top-level scopes below the file's root (for a Verilator trace the root is TOP and
  // these are the instances of the top module).
  std::vector<std::string> top_scopes;

  // toggles per clock cycle of one bit (0 when no cycle was counted).
  double activity(const SignalActivity& s, size_t bit) const {
    return clock_cycles == 0 ? 0.0 : static_cast<double>(s.toggles[bit]) / static_cast<double>(clock_cycles);
  }
};

// Reads the waveform. `clock` is the clock's leaf name (clk_i); the shallowest signal
// of that name is counted. InputError if the file is missing or not a readable FST,
// holds no signal named `clock`, or the clock never rises.
FstActivity read_fst_activity(const std::string& path, const std::string& clock = "clk_i");

}  // namespace dnngen::eda
