/* A bare-metal style driver for the dnngen shell (docs/shell.md), in plain C99: what a CPU
 * runs to program one layer (a GEMM on the systolic engine, an spmv on EIE, a conv2d on the
 * row-stationary engine), start it and wait for its interrupt. Every register
 * offset, field position and enum value comes from dnngen_regs.h, which the build
 * generates with `dnngen regmap --c-header`. The bus is a table of callbacks, so the same
 * code runs against the SystemC virtual platform (vp_main.cpp) or real MMIO. */
#ifndef DNNGEN_VP_DRIVER_H
#define DNNGEN_VP_DRIVER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The shell's AXI4-Lite window: 32-bit accesses at byte offsets from its base. */
struct dnngen_bus {
  void *ctx;
  uint32_t (*read32)(void *ctx, uint32_t offset);
  void (*write32)(void *ctx, uint32_t offset, uint32_t value);
  void (*wait_irq)(void *ctx); /* returns once the shell's interrupt line is high */
};

/* One GEMM layer: OUT[M][N] = requant(A[M][K] x B[K][N]). Strides in bytes, 0 = packed.
 * out_type is DNNGEN_OUT_TYPE_INT8 / _INT16 / _INT32; bias, relu and per_channel are 0 or
 * 1 (ignored by int32 output); out_mult / out_shift are the per-tensor requantisation. */
struct dnngen_gemm {
  uint32_t m, n, k;
  uint64_t a_addr, b_addr, out_addr, bias_addr, quant_addr;
  uint32_t a_stride, b_stride, out_stride;
  uint32_t out_type;
  int bias, relu, per_channel;
  int32_t out_mult;
  uint32_t out_shift;
};

/* One spmv layer on the EIE engine: for each of the N input vectors x (rows of X),
 * y[m] = out(bias[m] + sum over k of codebook[W[m][k]] * x[k]). image_addr is the weight
 * image (column pointers and entries, docs/shell.md "The EIE engine behind the shell"), codebook_addr
 * the 2^index_bits int16 codebook. Strides in bytes, 0 = packed. out_type is the
 * activations' container (DNNGEN_OUT_TYPE_INT8 / _INT16) or DNNGEN_OUT_TYPE_INT32 (the raw
 * sums: bias and relu ignored); out_bits 0 clamps to the activations' width, 2.. to fewer
 * bits. keep_weights 1 computes with the image and codebook the last layer read (same
 * image_addr, codebook_addr, m and k) without reading them again. */
struct dnngen_spmv {
  uint32_t m, n, k;
  uint64_t x_addr, image_addr, codebook_addr, bias_addr, out_addr;
  uint32_t x_stride, out_stride;
  uint32_t out_type, out_bits;
  int bias, relu, keep_weights;
};

/* One conv2d layer: OFMAP[k][e][f] = out(bias[k] + sum over c, r, s of W[k][c][r][s] x
 * IFMAP[c][e*stride + r - pad][f*stride + s - pad]), zero padding outside the ifmap, the
 * same stride and padding in both directions. chw 1 (OP.CHW, which the row-stationary
 * engine requires): the ifmap's rows (c, y) of in_w elements ifmap_stride bytes apart, the
 * weights packed KCRS, the ofmap's rows (k, e) of F elements out_stride bytes apart; chw 0:
 * the HWC layouts of docs/shell.md (the systolic engine). Strides in bytes, 0 = packed.
 * out_type is DNNGEN_OUT_TYPE_INT8 / _INT16 / _INT32; out_bits 0 clamps to the type, 2.. to
 * fewer bits; bias (int32 per output channel), relu and per_channel ((mult, shift) int32
 * pairs per output channel at quant_addr) are 0 or 1 (ignored by int32 output); out_mult /
 * out_shift are the per-tensor requantisation. images (N, with chw 1): a batch of images,
 * each ifmap after the one before and each ofmap likewise, the weights read once; 0 or 1
 * is one image (the driver always writes N, so no earlier layer's N is left behind). */
struct dnngen_conv2d {
  uint32_t in_c, in_h, in_w, out_c, r, s, stride, pad;
  uint64_t ifmap_addr, weight_addr, bias_addr, quant_addr, out_addr;
  uint32_t ifmap_stride, out_stride;
  uint32_t out_type, out_bits;
  int chw, bias, relu, per_channel;
  int32_t out_mult;
  uint32_t out_shift;
  uint32_t images;
};

/* 1 if a dnngen shell answers at the bus (ID register), else 0. */
int dnngen_present(const struct dnngen_bus *bus);
/* Writes the descriptor registers of `layer` (op gemm). */
void dnngen_write_gemm(const struct dnngen_bus *bus, const struct dnngen_gemm *layer);
/* Enables the done and error interrupts, writes CTRL.START, waits for the interrupt,
 * clears the causes it finds in IRQ_STATUS (write 1 to clear) and returns ERROR_CODE
 * (DNNGEN_ERROR_NONE when the layer finished). */
uint32_t dnngen_start_and_wait(const struct dnngen_bus *bus);
/* dnngen_write_gemm, then dnngen_start_and_wait. */
uint32_t dnngen_run_gemm(const struct dnngen_bus *bus, const struct dnngen_gemm *layer);
/* Writes the descriptor registers of `layer` (op spmv). */
void dnngen_write_spmv(const struct dnngen_bus *bus, const struct dnngen_spmv *layer);
/* dnngen_write_spmv, then dnngen_start_and_wait. */
uint32_t dnngen_run_spmv(const struct dnngen_bus *bus, const struct dnngen_spmv *layer);
/* Writes the descriptor registers of `layer` (op conv2d). */
void dnngen_write_conv2d(const struct dnngen_bus *bus, const struct dnngen_conv2d *layer);
/* dnngen_write_conv2d, then dnngen_start_and_wait. */
uint32_t dnngen_run_conv2d(const struct dnngen_bus *bus, const struct dnngen_conv2d *layer);
/* A 64-bit counter pair by the offsets of its words (e.g. DNNGEN_CYCLES_TOTAL_LO_OFFSET,
 * DNNGEN_CYCLES_TOTAL_HI_OFFSET): _LO first, then _HI (the shell snapshots _HI when _LO is
 * read, so the pair is consistent). */
uint64_t dnngen_read_counter(const struct dnngen_bus *bus, uint32_t lo_offset, uint32_t hi_offset);

#ifdef __cplusplus
}
#endif

#endif /* DNNGEN_VP_DRIVER_H */
