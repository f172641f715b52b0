#include "dnngen/systolic/scoreboard.hpp"

#include <fmt/format.h>

namespace dnngen::systolic {
namespace {

constexpr size_t kMaxProblems = 8;

void report(Verdict& v, std::string problem) {
  v.pass = false;
  if (v.problems.size() < kMaxProblems) v.problems.push_back(std::move(problem));
}

}  // namespace

Verdict score(const GemmResult& model, const RtlRun& rtl) {
  Verdict v;
  v.model_cycles = model.timing.cycles;
  v.rtl_cycles = rtl.measured_cycles - rtl.stall_cycles;

  for (const auto& e : rtl.protocol_errors) report(v, "protocol: " + e);

  if (rtl.c.shape != model.c.shape) {
    report(v, fmt::format("C shape {} != model {}", shape_string(rtl.c.shape), shape_string(model.c.shape)));
  } else {
    const int64_t n = model.c.shape[1];
    for (size_t i = 0; i < model.c.data.size(); ++i) {
      if (rtl.c.data[i] == model.c.data[i]) continue;
      ++v.value_mismatches;
      report(v, fmt::format("C[{}, {}]: rtl {} != model {}", static_cast<int64_t>(i) / n,
                            static_cast<int64_t>(i) % n, rtl.c.data[i], model.c.data[i]));
    }
  }

  if (rtl.counter_cycles != rtl.measured_cycles)
    report(v, fmt::format("cycles_o {} != cycles counted by the harness {}", rtl.counter_cycles,
                          rtl.measured_cycles));
  if (v.rtl_cycles != v.model_cycles)
    report(v, fmt::format("cycles: rtl {} (+{} stalls) != model {}", v.rtl_cycles, rtl.stall_cycles,
                          v.model_cycles));

  if (rtl.events.size() != model.events.size()) {
    report(v, fmt::format("{} output rows, model expects {}", rtl.events.size(), model.events.size()));
  } else {
    for (size_t i = 0; i < rtl.events.size(); ++i) {
      const auto& got = rtl.events[i];
      const auto& want = model.events[i];
      const bool timing_ok = rtl.stall_cycles != 0 || got.cycle == want.cycle;
      if (got.row == want.row && got.col0 == want.col0 && timing_ok) continue;
      report(v, fmt::format("output #{}: rtl row {} col {} at cycle {}, model row {} col {} at {}", i,
                            got.row, got.col0, got.cycle, want.row, want.col0, want.cycle));
      break;
    }
  }
  return v;
}

}  // namespace dnngen::systolic
