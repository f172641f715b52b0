#pragma once
// What the shell simulators behind `dnngen run --shell` (sim_main.cpp: systolic and bit-serial,
// sim_main_eie.cpp: EIE, sim_main_rs.cpp: row stationary) share: the memory they run against, and what they
// check after a layer: it finished without an error, the memory image equals the golden model's byte for
// byte, and every counter equals the cycle model's. (What their `serve` modes share:
// shell_serve.hpp.)
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/shell/counters.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"
#include "shell_systolic_bench.hpp"

namespace dnngen::shell {

// The AXI memory a `run --shell` layer runs against: the timing its cycles assume.
template <typename Run>
testbench::AxiMemoryTiming memory_timing(const Run& g, uint64_t seed) {
  testbench::AxiMemoryTiming t;
  t.latency = g.latency;
  t.bytes_per_cycle = g.bytes_per_cycle;
  t.max_burst = g.params.max_burst;
  t.outstanding = g.params.outstanding;
  t.seed = seed;
  return t;
}

// What went wrong in `r` against the models (empty: nothing).
inline std::vector<std::string> run_problems(const LayerRun& r, uint64_t watchdog,
                                             const std::vector<uint8_t>& got,
                                             const std::vector<uint8_t>& want, const Counters& model) {
  std::vector<std::string> problems;
  if (!r.finished) problems.push_back(fmt::format("no interrupt within {} cycles", watchdog));
  if (r.error_code != 0)
    problems.push_back(fmt::format("ERROR_CODE {}", register_map().enum_name_of("error", r.error_code)));
  if (got != want) {
    size_t diff = 0;
    while (diff < want.size() && got[diff] == want[diff]) ++diff;
    problems.push_back(fmt::format("memory differs from the golden model first at byte 0x{:x}", diff));
  }
  const std::pair<const char*, std::pair<uint64_t, uint64_t>> counters[] = {
      {"CYCLES_TOTAL", {r.cycles, model.cycles}},
      {"CYCLES_COMPUTE", {r.compute, model.compute}},
      {"CYCLES_MEM_WAIT", {r.mem_wait, model.mem_wait}},
      {"BYTES_READ", {r.bytes_read, model.bytes_read}},
      {"BYTES_WRITTEN", {r.bytes_written, model.bytes_written}}};
  for (const auto& [name, v] : counters)
    if (v.first != v.second) problems.push_back(fmt::format("{}: RTL {} model {}", name, v.first, v.second));
  return problems;
}

// One descriptor run on the RTL and checked, as `run` and `serve` check every layer.
template <typename Timing>
struct CheckedLayer {
  LayerRun rtl;
  Timing model;                       // the cycle model's, on the image before the layer
  std::vector<std::string> problems;  // the RTL's image and counters against the models'
  double seconds = 0;                 // simulating: the descriptor's writes to the counters read back
};

// Runs `d` on `bench` (a ShellSystolicBench of any engine's top) and checks it: `want` is
// the golden model's image after the layer, `model` the cycle model's timing of it.
template <typename Bench, typename Timing>
CheckedLayer<Timing> run_checked(Bench& bench, const LayerDescriptor& d, const Timing& model,
                                 const std::vector<uint8_t>& want) {
  CheckedLayer<Timing> c;
  c.model = model;
  const uint64_t watchdog = 2 * model.cycles + 100'000;
  const auto t0 = std::chrono::steady_clock::now();
  bench.load_descriptor(d);
  c.rtl = bench.run(0, watchdog);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.problems = run_problems(c.rtl, watchdog, bench.memory(), want, counters_of(model));
  return c;
}

// A cycle model's timing with the RTL's counters in place (once run_problems found them
// equal, so the report says what the RTL counted).
template <typename Timing>
Timing with_rtl_counters(Timing t, const LayerRun& r) {
  t.cycles = r.cycles, t.compute = r.compute, t.mem_wait = r.mem_wait;
  t.bytes_read = r.bytes_read, t.bytes_written = r.bytes_written;
  return t;
}

// The RTL run's JSON report: the engine's, and that the model's counters agreed.
inline void add_rtl_report(output::OutputSet& outputs, const std::string& path, nlohmann::json report,
                           double sim_seconds) {
  report["model_counters_agree"] = true;
  report["sim_seconds"] = sim_seconds;
  cli::add_json_report(outputs, path, report);
}

}  // namespace dnngen::shell
