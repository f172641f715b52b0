#pragma once
// Cycle models of the systolic GEMM engine.
//
//  * output_schedule(): the exact schedule of the RTL tile sequencer: the cycle (counted
//    from job accept, as the RTL's cycles_o counts) at which every output row leaves
//    the engine when the consumer is always ready. The co-simulation compares each
//    event, not only the total.
//  * estimate(): closed form of the same schedule, O(1) per GEMM; it must equal
//    output_schedule().back().cycle on every job (unit-tested).
//  * scalesim_ws_cycles(): the public SCALE-Sim v2 WS formula, for comparison.
#include <cstdint>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/golden/gemm.hpp"

namespace dnngen::systolic {

using GemmShape = golden::GemmShape;

struct OutputEvent {
  uint64_t cycle = 0;  // busy cycles up to and including this row's handshake
  int64_t row = 0;     // m
  int64_t col0 = 0;    // first column of the row slice (n0)
};

struct CycleEstimate {
  uint64_t cycles = 0;     // accept to last output, inclusive
  uint64_t macs = 0;       // M*N*K
  uint64_t tiles = 0;      // tiles issued
  uint64_t period = 0;     // cycles between tile starts (D)
  double utilization = 0;  // macs / (cycles * R * C)
};

// Cycles between tile starts, as the RTL computes it at job accept.
uint64_t tile_period(const config::SystolicConfig& cfg, const GemmShape& s);
uint64_t tile_count(const config::SystolicConfig& cfg, const GemmShape& s);

std::vector<OutputEvent> output_schedule(const config::SystolicConfig& cfg, const GemmShape& s);
CycleEstimate estimate(const config::SystolicConfig& cfg, const GemmShape& s);

uint64_t scalesim_ws_cycles(uint64_t rows, uint64_t cols, const GemmShape& s);

}  // namespace dnngen::systolic
