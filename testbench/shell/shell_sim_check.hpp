#pragma once
// What the shell simulators behind `dnngen run --shell` (sim_main.cpp: systolic and bit-serial,
// sim_main_eie.cpp: EIE) share: the memory they run against, and what they check after a
// layer: it finished without an error, the memory image equals the golden model's byte for
// byte, and every counter equals the cycle model's.
#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/shell/counters.hpp"
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
