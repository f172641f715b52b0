/* The dnngen shell driver (vp_driver.h): registers only through dnngen_regs.h. */
#include "vp_driver.h"

#include "dnngen_regs.h"

/* `value` placed in a field given its shift and in-place mask. */
#define FIELD(value, shift, mask) ((((uint32_t)(value)) << (shift)) & (mask))

static void write64(const struct dnngen_bus *bus, uint32_t lo_offset, uint32_t hi_offset, uint64_t value) {
  bus->write32(bus->ctx, lo_offset, (uint32_t)value);
  bus->write32(bus->ctx, hi_offset, (uint32_t)(value >> 32));
}

/* OP, OUTPUT and the sizes, the words every operation writes. */
static void write_op(const struct dnngen_bus *bus, uint32_t op, uint32_t output, uint32_t m, uint32_t n, uint32_t k) {
  bus->write32(bus->ctx, DNNGEN_OP_OFFSET, op);
  bus->write32(bus->ctx, DNNGEN_OUTPUT_OFFSET, output);
  bus->write32(bus->ctx, DNNGEN_M_OFFSET, m);
  bus->write32(bus->ctx, DNNGEN_N_OFFSET, n);
  bus->write32(bus->ctx, DNNGEN_K_OFFSET, k);
}

/* The addresses and strides every operation writes: A, B, BIAS and OUT. */
static void write_tensors(const struct dnngen_bus *bus, uint64_t a, uint64_t b, uint64_t bias, uint64_t out,
                          uint32_t a_stride, uint32_t out_stride) {
  write64(bus, DNNGEN_A_ADDR_LO_OFFSET, DNNGEN_A_ADDR_HI_OFFSET, a);
  write64(bus, DNNGEN_B_ADDR_LO_OFFSET, DNNGEN_B_ADDR_HI_OFFSET, b);
  write64(bus, DNNGEN_BIAS_ADDR_LO_OFFSET, DNNGEN_BIAS_ADDR_HI_OFFSET, bias);
  write64(bus, DNNGEN_OUT_ADDR_LO_OFFSET, DNNGEN_OUT_ADDR_HI_OFFSET, out);
  bus->write32(bus->ctx, DNNGEN_A_STRIDE_OFFSET, a_stride);
  bus->write32(bus->ctx, DNNGEN_OUT_STRIDE_OFFSET, out_stride);
}

/* OUTPUT's TYPE, BIAS and RELU fields. */
static uint32_t output_word(uint32_t out_type, int bias, int relu) {
  return FIELD(out_type, DNNGEN_OUTPUT_TYPE_SHIFT, DNNGEN_OUTPUT_TYPE_MASK) |
         FIELD(bias != 0, DNNGEN_OUTPUT_BIAS_SHIFT, DNNGEN_OUTPUT_BIAS_MASK) |
         FIELD(relu != 0, DNNGEN_OUTPUT_RELU_SHIFT, DNNGEN_OUTPUT_RELU_MASK);
}

int dnngen_present(const struct dnngen_bus *bus) {
  return bus->read32(bus->ctx, DNNGEN_ID_OFFSET) == DNNGEN_SHELL_ID;
}

void dnngen_write_gemm(const struct dnngen_bus *bus, const struct dnngen_gemm *layer) {
  write_op(bus, FIELD(DNNGEN_OP_GEMM, DNNGEN_OP_CODE_SHIFT, DNNGEN_OP_CODE_MASK),
           output_word(layer->out_type, layer->bias, layer->relu) |
               FIELD(layer->per_channel != 0, DNNGEN_OUTPUT_PER_CHANNEL_SHIFT, DNNGEN_OUTPUT_PER_CHANNEL_MASK),
           layer->m, layer->n, layer->k);
  write_tensors(bus, layer->a_addr, layer->b_addr, layer->bias_addr, layer->out_addr, layer->a_stride,
                layer->out_stride);
  write64(bus, DNNGEN_QUANT_ADDR_LO_OFFSET, DNNGEN_QUANT_ADDR_HI_OFFSET, layer->quant_addr);
  bus->write32(bus->ctx, DNNGEN_B_STRIDE_OFFSET, layer->b_stride);
  bus->write32(bus->ctx, DNNGEN_OUT_MULT_OFFSET, (uint32_t)layer->out_mult);
  bus->write32(bus->ctx, DNNGEN_OUT_SHIFT_OFFSET,
               FIELD(layer->out_shift, DNNGEN_OUT_SHIFT_SHIFT_SHIFT, DNNGEN_OUT_SHIFT_SHIFT_MASK));
}

uint32_t dnngen_start_and_wait(const struct dnngen_bus *bus) {
  uint32_t causes;
  bus->write32(bus->ctx, DNNGEN_IRQ_ENABLE_OFFSET,
               DNNGEN_IRQ_ENABLE_DONE_MASK | DNNGEN_IRQ_ENABLE_ERROR_MASK);
  bus->write32(bus->ctx, DNNGEN_CTRL_OFFSET, DNNGEN_CTRL_START_MASK);
  bus->wait_irq(bus->ctx);
  causes = bus->read32(bus->ctx, DNNGEN_IRQ_STATUS_OFFSET) &
           (DNNGEN_IRQ_STATUS_DONE_MASK | DNNGEN_IRQ_STATUS_ERROR_MASK);
  bus->write32(bus->ctx, DNNGEN_IRQ_STATUS_OFFSET, causes);
  return bus->read32(bus->ctx, DNNGEN_ERROR_CODE_OFFSET);
}

uint32_t dnngen_run_gemm(const struct dnngen_bus *bus, const struct dnngen_gemm *layer) {
  dnngen_write_gemm(bus, layer);
  return dnngen_start_and_wait(bus);
}

void dnngen_write_spmv(const struct dnngen_bus *bus, const struct dnngen_spmv *layer) {
  write_op(bus,
           FIELD(DNNGEN_OP_SPMV, DNNGEN_OP_CODE_SHIFT, DNNGEN_OP_CODE_MASK) |
               FIELD(layer->keep_weights != 0, DNNGEN_OP_KEEP_WEIGHTS_SHIFT, DNNGEN_OP_KEEP_WEIGHTS_MASK),
           output_word(layer->out_type, layer->bias, layer->relu) |
               FIELD(layer->out_bits, DNNGEN_OUTPUT_BITS_SHIFT, DNNGEN_OUTPUT_BITS_MASK),
           layer->m, layer->n, layer->k);
  write_tensors(bus, layer->x_addr, layer->image_addr, layer->bias_addr, layer->out_addr, layer->x_stride,
                layer->out_stride);
  write64(bus, DNNGEN_AUX_ADDR_LO_OFFSET, DNNGEN_AUX_ADDR_HI_OFFSET, layer->codebook_addr);
}

uint32_t dnngen_run_spmv(const struct dnngen_bus *bus, const struct dnngen_spmv *layer) {
  dnngen_write_spmv(bus, layer);
  return dnngen_start_and_wait(bus);
}

void dnngen_write_conv2d(const struct dnngen_bus *bus, const struct dnngen_conv2d *layer) {
  bus->write32(bus->ctx, DNNGEN_OP_OFFSET,
               FIELD(DNNGEN_OP_CONV2D, DNNGEN_OP_CODE_SHIFT, DNNGEN_OP_CODE_MASK) |
                   FIELD(layer->chw != 0, DNNGEN_OP_CHW_SHIFT, DNNGEN_OP_CHW_MASK));
  bus->write32(bus->ctx, DNNGEN_OUTPUT_OFFSET,
               output_word(layer->out_type, layer->bias, layer->relu) |
                   FIELD(layer->per_channel != 0, DNNGEN_OUTPUT_PER_CHANNEL_SHIFT,
                         DNNGEN_OUTPUT_PER_CHANNEL_MASK) |
                   FIELD(layer->out_bits, DNNGEN_OUTPUT_BITS_SHIFT, DNNGEN_OUTPUT_BITS_MASK));
  bus->write32(bus->ctx, DNNGEN_IN_H_OFFSET, layer->in_h);
  bus->write32(bus->ctx, DNNGEN_IN_W_OFFSET, layer->in_w);
  bus->write32(bus->ctx, DNNGEN_IN_C_OFFSET, layer->in_c);
  bus->write32(bus->ctx, DNNGEN_OUT_C_OFFSET, layer->out_c);
  bus->write32(bus->ctx, DNNGEN_N_OFFSET, layer->images);
  bus->write32(bus->ctx, DNNGEN_KERNEL_OFFSET,
               FIELD(layer->r, DNNGEN_KERNEL_R_SHIFT, DNNGEN_KERNEL_R_MASK) |
                   FIELD(layer->s, DNNGEN_KERNEL_S_SHIFT, DNNGEN_KERNEL_S_MASK));
  bus->write32(bus->ctx, DNNGEN_STRIDE_OFFSET,
               FIELD(layer->stride, DNNGEN_STRIDE_Y_SHIFT, DNNGEN_STRIDE_Y_MASK) |
                   FIELD(layer->stride, DNNGEN_STRIDE_X_SHIFT, DNNGEN_STRIDE_X_MASK));
  bus->write32(bus->ctx, DNNGEN_PAD_OFFSET,
               FIELD(layer->pad, DNNGEN_PAD_Y_SHIFT, DNNGEN_PAD_Y_MASK) |
                   FIELD(layer->pad, DNNGEN_PAD_X_SHIFT, DNNGEN_PAD_X_MASK));
  write_tensors(bus, layer->ifmap_addr, layer->weight_addr, layer->bias_addr, layer->out_addr,
                layer->ifmap_stride, layer->out_stride);
  write64(bus, DNNGEN_QUANT_ADDR_LO_OFFSET, DNNGEN_QUANT_ADDR_HI_OFFSET, layer->quant_addr);
  bus->write32(bus->ctx, DNNGEN_B_STRIDE_OFFSET, 0);
  bus->write32(bus->ctx, DNNGEN_OUT_MULT_OFFSET, (uint32_t)layer->out_mult);
  bus->write32(bus->ctx, DNNGEN_OUT_SHIFT_OFFSET,
               FIELD(layer->out_shift, DNNGEN_OUT_SHIFT_SHIFT_SHIFT, DNNGEN_OUT_SHIFT_SHIFT_MASK));
}

uint32_t dnngen_run_conv2d(const struct dnngen_bus *bus, const struct dnngen_conv2d *layer) {
  dnngen_write_conv2d(bus, layer);
  return dnngen_start_and_wait(bus);
}

uint64_t dnngen_read_counter(const struct dnngen_bus *bus, uint32_t lo_offset, uint32_t hi_offset) {
  const uint64_t lo = bus->read32(bus->ctx, lo_offset);
  const uint64_t hi = bus->read32(bus->ctx, hi_offset);
  return (hi << 32) | lo;
}
