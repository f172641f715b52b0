#pragma once
// The virtual platform's program, defined once for the two platforms that run the C driver
// (vp_driver.c) on it: the SystemC one (vp_main.cpp, the shell's TLM model) and the
// Verilator one (testbench/shell/test_shell_vp.cpp, the RTL of the engine's shell).
//
//   * the memory image: seeded random bytes everywhere (so bytes a layer must not write are
//     not zero), then the tables and weights the layers read;
//   * the systolic engine: layer 1 GEMM A[M,K] x B[K,N], int8 output with bias,
//     per-channel requantisation and ReLU into a buffer whose rows are 16 bytes apart;
//     layer 2 reads it as A (A_STRIDE = layer 1's OUT_STRIDE), int32 output;
//   * the EIE engine: layer 1 spmv over a batch of 3 vectors, the weight image in the
//     paper's format, int16 output with bias and ReLU into rows 32 bytes apart; layer 2
//     reads them as its X (int32 output); layer 2 again with OP.KEEP_WEIGHTS (the image
//     stays on chip, is not read again);
//   * the row-stationary engine: layer 1 conv2d on CHW planes (C 3, H 9, W 10, K 6, 3x3
//     filters, padding 1), int8 output with bias, per-channel requantisation and ReLU into
//     ofmap rows 16 bytes apart; layer 2 reads that ofmap as its ifmap (A_STRIDE = layer 1's
//     OUT_STRIDE; C 6, K 4, 3x3, stride 2, padding 1), int32 output;
//   * then layers that end in errors (M = 0, conv2d: IN_C = 0: zero_size; A / X / the ifmap
//     past the memory: axi_read; OUT past the memory: axi_write; EIE: KEEP_WEIGHTS naming
//     another image: bad_field) and a good layer again;
//   * what both platforms must show: the engine's golden layer model on a host-side copy
//     of the memory, and its cycle model with the configuration's `memory:` section.
// Tensors sit at odd offsets within their pages. Each layer comes twice, as the driver's
// struct and as the models' descriptor.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"
#include "dnngen/shell/counters.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen_regs.h"
#include "vp_driver.h"

namespace dnngen::vp {

constexpr uint64_t kMemSize = 1u << 20;
// In the memory window, past the memory: an access there is refused.
constexpr uint64_t kPastMemory = 0x2000'0000;

// One layer as the driver programs it (gemm, spmv or conv2d, by desc.op) and as the models see it,
// and the ERROR_CODE it must end with.
struct Layer {
  std::string label;
  shell::LayerDescriptor desc;
  dnngen_gemm gemm{};
  dnngen_spmv spmv{};
  dnngen_conv2d conv{};
  uint32_t expect = DNNGEN_ERROR_NONE;
};

// The driver call that programs and runs `l`; returns ERROR_CODE.
inline uint32_t run(const dnngen_bus* bus, const Layer& l) {
  if (l.desc.op == "conv2d") return dnngen_run_conv2d(bus, &l.conv);
  return l.desc.op == "spmv" ? dnngen_run_spmv(bus, &l.spmv) : dnngen_run_gemm(bus, &l.gemm);
}

// The sizes of a layer, for the platforms' logs.
inline std::string sizes(const shell::LayerDescriptor& d) {
  if (d.op == "conv2d")
    return "C=" + std::to_string(d.in_c) + " H=" + std::to_string(d.in_h) + " W=" + std::to_string(d.in_w) +
           " K=" + std::to_string(d.out_c) + " R=" + std::to_string(d.r) + " S=" + std::to_string(d.s);
  return "M=" + std::to_string(d.m) + " N=" + std::to_string(d.n) + " K=" + std::to_string(d.k);
}

inline bool row_stationary(const config::Config& cfg) {
  return cfg.engine == "systolic" && cfg.systolic.row_stationary();
}

// What the ENGINE register must hold for `cfg`.
inline uint32_t engine_kind(const config::Config& cfg) {
  if (cfg.engine == "eie") return DNNGEN_ENGINE_EIE;
  if (row_stationary(cfg)) return DNNGEN_ENGINE_ROW_STATIONARY;
  return cfg.engine == "bitserial" ? DNNGEN_ENGINE_BITSERIAL : DNNGEN_ENGINE_SYSTOLIC;
}
inline uint32_t engine_variant(const config::Config& cfg) {
  if (cfg.engine == "bitserial") return static_cast<uint32_t>(cfg.bitserial.mode);  // stripes 0, pragmatic 1
  return cfg.engine == "systolic" && cfg.systolic.dataflow == config::Dataflow::kOutputStationary ? 1u : 0u;
}

namespace detail {

inline Layer named(const char* label) {
  Layer l;
  l.label = label;
  return l;
}

inline void put32(std::vector<uint8_t>& mem, uint64_t addr, uint32_t v) {
  for (int i = 0; i < 4; ++i) mem[addr + i] = static_cast<uint8_t>(v >> (8 * i));
}

// The systolic network.
constexpr uint32_t kM = 7, kK1 = 10, kN1 = 9, kN2 = 5;
constexpr uint64_t kA1 = 0x1003, kB1 = 0x2001, kBias1 = 0x3004, kQuant1 = 0x3208, kOut1 = 0x4002,
                   kB2 = 0x5007, kOut2 = 0x6010;
constexpr uint32_t kOut1Stride = 16;

// The EIE network: W1[kEM1][kEK1], W2[kEM2][kEM1], kEN vectors.
constexpr uint32_t kEN = 3, kEK1 = 10, kEM1 = 12, kEM2 = 7;
constexpr uint64_t kEX1 = 0x1002, kEImage1 = 0x2008, kECodebook = 0x3006, kEBias1 = 0x3104, kEY1 = 0x4006,
                   kEImage2 = 0x5010, kEY2 = 0x6004;
constexpr uint32_t kEY1Stride = 32;

// The row-stationary network: layer 1 IFMAP1[kRC1][kRH][kRW] * W1[kRK1][kRC1][3][3] (pad 1)
// -> OFMAP1[kRK1][kRH][kRW]; layer 2 OFMAP1 * W2[kRK2][kRK1][3][3] (stride 2, pad 1).
constexpr uint32_t kRC1 = 3, kRH = 9, kRW = 10, kRK1 = 6, kRK2 = 4;
constexpr uint64_t kRA1 = 0x1003, kRW1 = 0x2001, kRBias1 = 0x3004, kRQuant1 = 0x3208, kROut1 = 0x4002,
                   kRW2 = 0x5007, kROut2 = 0x6010;
constexpr uint32_t kROut1Stride = 16;

// A sparse index matrix W[m][k], 40 % of it non-zero, from `rng`.
inline Tensor sparse_indices(std::mt19937_64& rng, int64_t m, int64_t k, unsigned index_bits) {
  Tensor w({m, k});
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < k; ++c)
      if (rng() % 100 < 40) w.at(r, c) = static_cast<int64_t>(1 + rng() % ((1u << index_bits) - 1));
  return w;
}

inline void init_systolic(std::vector<uint8_t>& mem, std::mt19937_64& rng) {
  std::uniform_int_distribution<int32_t> bias_dist(-3000, 3000), mult_dist(1000, 20000), shift_dist(14, 18);
  for (uint32_t n = 0; n < kN1; ++n) {
    put32(mem, kBias1 + 4 * n, static_cast<uint32_t>(bias_dist(rng)));
    put32(mem, kQuant1 + 8 * n, static_cast<uint32_t>(mult_dist(rng)));
    put32(mem, kQuant1 + 8 * n + 4, static_cast<uint32_t>(shift_dist(rng)));
  }
}

// Layer 1's bias and per-channel (mult, shift) (the ifmap and weights: the random bytes).
inline void init_rs(std::vector<uint8_t>& mem, std::mt19937_64& rng) {
  std::uniform_int_distribution<int32_t> bias_dist(-3000, 3000), mult_dist(1000, 8000), shift_dist(18, 21);
  for (uint32_t k = 0; k < kRK1; ++k) {
    put32(mem, kRBias1 + 4 * k, static_cast<uint32_t>(bias_dist(rng)));
    put32(mem, kRQuant1 + 8 * k, static_cast<uint32_t>(mult_dist(rng)));
    put32(mem, kRQuant1 + 8 * k + 4, static_cast<uint32_t>(shift_dist(rng)));
  }
}

// The codebook (small values, so sums stay in range), the two weight images, the bias.
inline void init_eie(const config::EieConfig& cfg, std::vector<uint8_t>& mem, std::mt19937_64& rng) {
  std::uniform_int_distribution<int32_t> value(-300, 300), bias_dist(-20000, 20000);
  for (uint32_t i = 0; i < (1u << cfg.index_bits); ++i) {
    const auto v = static_cast<uint16_t>(value(rng));
    mem[kECodebook + 2 * i] = static_cast<uint8_t>(v),
                         mem[kECodebook + 2 * i + 1] = static_cast<uint8_t>(v >> 8);
  }
  const std::pair<uint64_t, Tensor> images[] = {{kEImage1, sparse_indices(rng, kEM1, kEK1, cfg.index_bits)},
                                                {kEImage2, sparse_indices(rng, kEM2, kEM1, cfg.index_bits)}};
  for (const auto& [addr, w] : images) {
    const std::vector<uint8_t> image = eie::weight_image(cfg, w);
    std::copy(image.begin(), image.end(), mem.begin() + static_cast<std::ptrdiff_t>(addr));
  }
  for (uint32_t m = 0; m < kEM1; ++m) put32(mem, kEBias1 + 4 * m, static_cast<uint32_t>(bias_dist(rng)));
}

inline std::vector<Layer> systolic_program() {
  Layer l1 = named("layer 1");
  dnngen_gemm& g1 = l1.gemm;
  g1.m = kM, g1.n = kN1, g1.k = kK1;
  g1.a_addr = kA1, g1.b_addr = kB1, g1.out_addr = kOut1, g1.bias_addr = kBias1, g1.quant_addr = kQuant1;
  g1.out_stride = kOut1Stride;
  g1.out_type = DNNGEN_OUT_TYPE_INT8, g1.bias = 1, g1.relu = 1, g1.per_channel = 1;
  g1.out_mult = 1, g1.out_shift = 0;
  shell::LayerDescriptor& d1 = l1.desc;
  d1.out_type = "int8", d1.bias = d1.relu = d1.per_channel = true;
  d1.m = kM, d1.n = kN1, d1.k = kK1;
  d1.a_addr = kA1, d1.b_addr = kB1, d1.bias_addr = kBias1, d1.quant_addr = kQuant1, d1.out_addr = kOut1;
  d1.out_stride = kOut1Stride;

  // Layer 2: A = layer 1's OUT (same stride), int32 output.
  Layer l2 = named("layer 2");
  dnngen_gemm& g2 = l2.gemm;
  g2.m = kM, g2.n = kN2, g2.k = kN1;
  g2.a_addr = kOut1, g2.b_addr = kB2, g2.out_addr = kOut2, g2.a_stride = kOut1Stride;
  g2.out_type = DNNGEN_OUT_TYPE_INT32, g2.out_mult = 1;
  shell::LayerDescriptor& d2 = l2.desc;
  d2.m = kM, d2.n = kN2, d2.k = kN1;
  d2.a_addr = kOut1, d2.b_addr = kB2, d2.out_addr = kOut2, d2.a_stride = kOut1Stride;

  Layer zero = l2, a_past = l2, out_past = l2, again = l2;
  zero.label = "M = 0", zero.gemm.m = 0, zero.expect = DNNGEN_ERROR_ZERO_SIZE;
  a_past.label = "A past the memory", a_past.gemm.a_addr = kPastMemory, a_past.expect = DNNGEN_ERROR_AXI_READ;
  out_past.label = "OUT past the memory", out_past.gemm.out_addr = kPastMemory;
  out_past.expect = DNNGEN_ERROR_AXI_WRITE;
  again.label = "layer 2 again";
  return {l1, l2, zero, a_past, out_past, again};
}

inline std::vector<Layer> eie_program(const config::EieConfig& cfg) {
  const uint32_t act_type = eie::act_bytes(cfg) == 1 ? DNNGEN_OUT_TYPE_INT8 : DNNGEN_OUT_TYPE_INT16;
  Layer l1 = named("layer 1");
  dnngen_spmv& s1 = l1.spmv;
  s1.m = kEM1, s1.n = kEN, s1.k = kEK1;
  s1.x_addr = kEX1, s1.image_addr = kEImage1, s1.codebook_addr = kECodebook, s1.bias_addr = kEBias1;
  s1.out_addr = kEY1, s1.out_stride = kEY1Stride, s1.out_type = act_type, s1.bias = 1, s1.relu = 1;
  shell::LayerDescriptor& d1 = l1.desc;
  d1.op = "spmv", d1.out_type = act_type == DNNGEN_OUT_TYPE_INT8 ? "int8" : "int16";
  d1.bias = d1.relu = true;
  d1.m = kEM1, d1.n = kEN, d1.k = kEK1;
  d1.a_addr = kEX1, d1.b_addr = kEImage1, d1.aux_addr = kECodebook, d1.bias_addr = kEBias1,
  d1.out_addr = kEY1;
  d1.out_stride = kEY1Stride;

  // Layer 2: X = layer 1's Y (same stride), the raw int32 sums.
  Layer l2 = named("layer 2");
  dnngen_spmv& s2 = l2.spmv;
  s2.m = kEM2, s2.n = kEN, s2.k = kEM1;
  s2.x_addr = kEY1, s2.x_stride = kEY1Stride, s2.image_addr = kEImage2, s2.codebook_addr = kECodebook;
  s2.out_addr = kEY2, s2.out_type = DNNGEN_OUT_TYPE_INT32;
  shell::LayerDescriptor& d2 = l2.desc;
  d2.op = "spmv";
  d2.m = kEM2, d2.n = kEN, d2.k = kEM1;
  d2.a_addr = kEY1, d2.a_stride = kEY1Stride, d2.b_addr = kEImage2, d2.aux_addr = kECodebook,
  d2.out_addr = kEY2;

  Layer kept = l2;
  kept.label = "layer 2, weights kept", kept.spmv.keep_weights = 1, kept.desc.keep_weights = true;
  Layer zero = l2, x_past = l2, out_past = l2, other = kept, again = kept;
  zero.label = "M = 0", zero.spmv.m = 0, zero.expect = DNNGEN_ERROR_ZERO_SIZE;
  x_past.label = "X past the memory", x_past.spmv.x_addr = kPastMemory, x_past.expect = DNNGEN_ERROR_AXI_READ;
  out_past.label = "OUT past the memory", out_past.spmv.out_addr = kPastMemory;
  out_past.expect = DNNGEN_ERROR_AXI_WRITE;
  other.label = "weights kept, another image named", other.spmv.image_addr = kEImage1;
  other.expect = DNNGEN_ERROR_BAD_FIELD;
  again.label = "layer 2 again, weights kept";
  return {l1, l2, kept, zero, x_past, out_past, other, again};
}

// A conv2d layer on CHW planes with square filters, stride and padding, as the driver's
// struct and as the models' descriptor (out_type "int8" or "int32" here).
inline Layer rs_conv(const char* label, uint32_t c, uint32_t h, uint32_t w, uint32_t k, uint32_t rs,
                     uint32_t stride, uint32_t pad, const std::string& out_type) {
  Layer l = named(label);
  dnngen_conv2d& v = l.conv;
  v.in_c = c, v.in_h = h, v.in_w = w, v.out_c = k, v.r = v.s = rs, v.stride = stride, v.pad = pad;
  v.chw = 1, v.out_mult = 1;
  v.out_type = out_type == "int8" ? DNNGEN_OUT_TYPE_INT8 : DNNGEN_OUT_TYPE_INT32;
  shell::LayerDescriptor& d = l.desc;
  d.op = "conv2d", d.chw = true, d.out_type = out_type;
  d.in_c = c, d.in_h = h, d.in_w = w, d.out_c = k, d.r = d.s = rs;
  d.stride_y = d.stride_x = stride, d.pad_y = d.pad_x = pad;
  return l;
}

inline std::vector<Layer> rs_program() {
  Layer l1 = rs_conv("layer 1", kRC1, kRH, kRW, kRK1, 3, 1, 1, "int8");
  dnngen_conv2d& c1 = l1.conv;
  c1.ifmap_addr = kRA1, c1.weight_addr = kRW1, c1.bias_addr = kRBias1, c1.quant_addr = kRQuant1;
  c1.out_addr = kROut1, c1.out_stride = kROut1Stride;
  c1.bias = c1.relu = c1.per_channel = 1;
  shell::LayerDescriptor& d1 = l1.desc;
  d1.bias = d1.relu = d1.per_channel = true;
  d1.a_addr = kRA1, d1.b_addr = kRW1, d1.bias_addr = kRBias1, d1.quant_addr = kRQuant1, d1.out_addr = kROut1;
  d1.out_stride = kROut1Stride;

  // Layer 2: the ifmap = layer 1's ofmap (A_STRIDE = its OUT_STRIDE), int32 output.
  Layer l2 = rs_conv("layer 2", kRK1, kRH, kRW, kRK2, 3, 2, 1, "int32");
  dnngen_conv2d& c2 = l2.conv;
  c2.ifmap_addr = kROut1, c2.ifmap_stride = kROut1Stride, c2.weight_addr = kRW2, c2.out_addr = kROut2;
  shell::LayerDescriptor& d2 = l2.desc;
  d2.a_addr = kROut1, d2.a_stride = kROut1Stride, d2.b_addr = kRW2, d2.out_addr = kROut2;

  Layer zero = l2, a_past = l2, out_past = l2, again = l2;
  zero.label = "IN_C = 0", zero.conv.in_c = 0, zero.expect = DNNGEN_ERROR_ZERO_SIZE;
  a_past.label = "ifmap past the memory", a_past.conv.ifmap_addr = kPastMemory;
  a_past.expect = DNNGEN_ERROR_AXI_READ;
  out_past.label = "OUT past the memory", out_past.conv.out_addr = kPastMemory;
  out_past.expect = DNNGEN_ERROR_AXI_WRITE;
  again.label = "layer 2 again";
  return {l1, l2, zero, a_past, out_past, again};
}

}  // namespace detail

// Fills `mem` (kMemSize bytes) from `seed`: random bytes, then what the layers read.
inline void init_memory(const config::Config& cfg, std::vector<uint8_t>& mem, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (auto& b : mem) b = static_cast<uint8_t>(rng());
  if (cfg.engine == "eie")
    detail::init_eie(cfg.eie, mem, rng);
  else if (row_stationary(cfg))
    detail::init_rs(mem, rng);
  else
    detail::init_systolic(mem, rng);
}

// The layers the driver runs, in order, for `cfg`'s engine.
inline std::vector<Layer> program(const config::Config& cfg) {
  if (row_stationary(cfg)) return detail::rs_program();
  return cfg.engine == "eie" ? detail::eie_program(cfg.eie) : detail::systolic_program();
}

// The counters of a layer that finishes: the engine's cycle model with the configuration's
// memory, on the memory as the layer finds it.
inline shell::Counters expected_counters(const config::Config& cfg, const shell::LayerDescriptor& d,
                                         const std::vector<uint8_t>& memory) {
  if (cfg.engine == "eie") {
    const eie::ShellTiming t =
        eie::layer_cycles(eie::shell_params(cfg), d, memory, cfg.memory.latency, cfg.memory.bytes_per_cycle);
    return shell::counters_of(t);
  }
  if (row_stationary(cfg)) {
    const rs::ShellTiming t =
        rs::layer_cycles(rs::shell_params(cfg), d, cfg.memory.latency, cfg.memory.bytes_per_cycle);
    return shell::counters_of(t);
  }
  const systolic::LayerTiming t = systolic::layer_cycles(systolic::shell_params(cfg), d, memory,
                                                         cfg.memory.latency, cfg.memory.bytes_per_cycle);
  return shell::counters_of(t);
}

// The memory after a layer that finishes: the golden model applied to `golden`.
inline void expected_memory(const config::Config& cfg, const shell::LayerDescriptor& d,
                            std::vector<uint8_t>& golden) {
  if (cfg.engine == "eie")
    eie::run_layer(eie::shell_params(cfg), d, golden);
  else if (row_stationary(cfg))
    rs::run_layer(rs::shell_params(cfg), d, golden);
  else
    systolic::run_layer(systolic::shell_params(cfg), d, golden);
}

}  // namespace dnngen::vp
