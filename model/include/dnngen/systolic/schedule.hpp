#pragma once
// Cycle models of the systolic GEMM engine.
//
//  * output_schedule(): the exact schedule of the RTL tile sequencer: the cycle (counted
//    from job accept, as the RTL's cycles_o counts) at which every output row leaves
//    the engine when the consumer is always ready. The co-simulation compares each
//    event, not only the total.
//  * estimate(): closed form of the same schedule, O(1) per GEMM; it must equal
//    output_schedule().back().cycle on every job (unit-tested).
//  * scalesim_*_cycles(): SCALE-Sim v2's compute cycles of one GEMM layer (stall-free, its
//    default bandwidth mode), for comparison.
#include <array>
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
// A dimension split into jobs of at most `limit`: `full` jobs of size `limit` and at
// most one edge job of size `edge` (0 if the limit divides the dimension).
struct DimSplit {
  std::array<int64_t, 2> size{};
  std::array<uint64_t, 2> count{};
  int parts = 0;
};
DimSplit split_dim(int64_t dim, unsigned limit);

uint64_t tile_period(const config::SystolicConfig& cfg, const GemmShape& s);
uint64_t tile_count(const config::SystolicConfig& cfg, const GemmShape& s);

std::vector<OutputEvent> output_schedule(const config::SystolicConfig& cfg, const GemmShape& s);
CycleEstimate estimate(const config::SystolicConfig& cfg, const GemmShape& s);

// SCALE-Sim v2 (scalesim/compute/systolic_compute_{ws,os}.py and the scratchpad's
// service_memory_requests, which ends at the last demand row: hence the -1 per layer):
//   WS: ceil(K/R) ceil(N/C) (2R + C + M - 2) - 1   (each fold loads its weights, R rows)
//   OS: ceil(M/R) ceil(N/C) (K + R + C - 2) - 1    (no preload: the operands stream in)
// Checked against runs of SCALE-Sim v2 itself (testbench/unit/test_schedule.cpp).
uint64_t scalesim_ws_cycles(uint64_t rows, uint64_t cols, const GemmShape& s);
uint64_t scalesim_os_cycles(uint64_t rows, uint64_t cols, const GemmShape& s);
// The formula of the configuration's dataflow (weight or output stationary).
uint64_t scalesim_cycles(const config::SystolicConfig& cfg, const GemmShape& s);

}  // namespace dnngen::systolic
