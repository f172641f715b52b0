#pragma once
// Scoreboard: compares what the RTL did on a job with what the golden model says,
// bit for bit and cycle for cycle.
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/systolic/engine_model.hpp"
#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {

// What the harness observed on one job.
struct RtlRun {
  Tensor c;
  uint64_t counter_cycles = 0;   // the RTL's own cycles_o after the job
  uint64_t measured_cycles = 0;  // edges from accept to the last output, counted by the harness
  uint64_t stall_cycles = 0;     // cycles with a result waiting and the consumer not ready
  std::vector<OutputEvent> events;
  std::vector<std::string> protocol_errors;
};

struct Verdict {
  bool pass = true;
  uint64_t value_mismatches = 0;  // elements of C that differ
  uint64_t model_cycles = 0;
  uint64_t rtl_cycles = 0;            // RTL cycles less consumer stalls
  std::vector<std::string> problems;  // first few, human readable
};

// Rules: no protocol errors; C equal element for element; the RTL's counter equals
// the harness's count; that count equals model cycles plus stall cycles (each stall
// freezes the whole pipeline for one cycle); with no stalls every output row leaves
// on exactly the cycle the model schedules.
Verdict score(const GemmResult& model, const RtlRun& rtl);

}  // namespace dnngen::systolic
