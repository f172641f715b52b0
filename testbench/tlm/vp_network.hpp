#pragma once
// The virtual platform's network, defined once for the two platforms that run the C driver
// (vp_driver.c) on it: the SystemC one (vp_main.cpp, the shell's TLM model) and the
// Verilator one (testbench/shell/test_shell_vp.cpp, the RTL of dnn_shell_systolic).
//
//   * the memory image: seeded random bytes everywhere (so bytes a layer must not write are
//     not zero), then sensible bias and per-channel requantisation tables for layer 1;
//   * layer 1: GEMM A[M,K] x B[K,N], int8 output with bias, per-channel requantisation and
//     ReLU into a buffer whose rows are 16 bytes apart; tensors at odd offsets in their pages;
//   * layer 2: reads layer 1's output as A (A_STRIDE = layer 1's OUT_STRIDE), int32 output;
//   * what both platforms must show: systolic::run_layer on a host-side copy of the memory
//     and systolic::layer_cycles with the configuration's `memory:` section.
// Each layer comes twice, as the driver's struct and as the models' descriptor.
#include <cstdint>
#include <random>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen_regs.h"
#include "vp_driver.h"

namespace dnngen::vp {

constexpr uint64_t kMemSize = 1u << 20;
// In the memory window, past the memory: an access there is refused.
constexpr uint64_t kPastMemory = 0x2000'0000;

// One layer as the driver programs it and as the models see it.
struct Layer {
  dnngen_gemm gemm;
  shell::LayerDescriptor desc;
};

struct Network {
  Layer layer1, layer2;
};

namespace detail {
constexpr uint32_t kM = 7, kK1 = 10, kN1 = 9, kN2 = 5;
constexpr uint64_t kA1 = 0x1003, kB1 = 0x2001, kBias1 = 0x3004, kQuant1 = 0x3208, kOut1 = 0x4002,
                   kB2 = 0x5007, kOut2 = 0x6010;
constexpr uint32_t kOut1Stride = 16;
}  // namespace detail

// Fills `mem` (kMemSize bytes) from `seed`: random bytes, then layer 1's bias and
// per-channel (mult, shift) tables.
inline void init_memory(std::vector<uint8_t>& mem, uint64_t seed) {
  using namespace detail;
  std::mt19937_64 rng(seed);
  for (auto& b : mem) b = static_cast<uint8_t>(rng());
  auto put32 = [&](uint64_t addr, uint32_t v) {
    for (int i = 0; i < 4; ++i) mem[addr + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  std::uniform_int_distribution<int32_t> bias_dist(-3000, 3000), mult_dist(1000, 20000), shift_dist(14, 18);
  for (uint32_t n = 0; n < kN1; ++n) {
    put32(kBias1 + 4 * n, static_cast<uint32_t>(bias_dist(rng)));
    put32(kQuant1 + 8 * n, static_cast<uint32_t>(mult_dist(rng)));
    put32(kQuant1 + 8 * n + 4, static_cast<uint32_t>(shift_dist(rng)));
  }
}

inline Network network() {
  using namespace detail;
  Network net;
  // Layer 1: int8, bias, per-channel, ReLU, OUT rows 16 bytes apart.
  dnngen_gemm& g1 = net.layer1.gemm;
  g1 = dnngen_gemm{};
  g1.m = kM, g1.n = kN1, g1.k = kK1;
  g1.a_addr = kA1, g1.b_addr = kB1, g1.out_addr = kOut1, g1.bias_addr = kBias1, g1.quant_addr = kQuant1;
  g1.out_stride = kOut1Stride;
  g1.out_type = DNNGEN_OUT_TYPE_INT8, g1.bias = 1, g1.relu = 1, g1.per_channel = 1;
  g1.out_mult = 1, g1.out_shift = 0;
  shell::LayerDescriptor& d1 = net.layer1.desc;
  d1.out_type = "int8", d1.bias = d1.relu = d1.per_channel = true;
  d1.m = kM, d1.n = kN1, d1.k = kK1;
  d1.a_addr = kA1, d1.b_addr = kB1, d1.bias_addr = kBias1, d1.quant_addr = kQuant1, d1.out_addr = kOut1;
  d1.out_stride = kOut1Stride;

  // Layer 2: A = layer 1's OUT (same stride), int32 output.
  dnngen_gemm& g2 = net.layer2.gemm;
  g2 = dnngen_gemm{};
  g2.m = kM, g2.n = kN2, g2.k = kN1;
  g2.a_addr = kOut1, g2.b_addr = kB2, g2.out_addr = kOut2, g2.a_stride = kOut1Stride;
  g2.out_type = DNNGEN_OUT_TYPE_INT32, g2.out_mult = 1;
  shell::LayerDescriptor& d2 = net.layer2.desc;
  d2.m = kM, d2.n = kN2, d2.k = kN1;
  d2.a_addr = kOut1, d2.b_addr = kB2, d2.out_addr = kOut2, d2.a_stride = kOut1Stride;
  return net;
}

// The counters of a layer that finishes: the cycle model with the configuration's memory.
inline systolic::LayerTiming expected_timing(const config::Config& cfg, const shell::LayerDescriptor& d) {
  return systolic::layer_cycles(systolic::shell_params(cfg), d, cfg.memory.latency,
                                cfg.memory.bytes_per_cycle);
}

// The memory after a layer that finishes: the golden model applied to `golden`.
inline void expected_memory(const config::Config& cfg, const shell::LayerDescriptor& d,
                            std::vector<uint8_t>& golden) {
  systolic::run_layer(systolic::shell_params(cfg), d, golden);
}

}  // namespace dnngen::vp
