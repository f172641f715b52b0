/* The dnngen shell driver (vp_driver.h): registers only through dnngen_regs.h. */
#include "vp_driver.h"

#include "dnngen_regs.h"

/* `value` placed in a field given its shift and in-place mask. */
#define FIELD(value, shift, mask) ((((uint32_t)(value)) << (shift)) & (mask))

static void write64(const struct dnngen_bus *bus, uint32_t lo_offset, uint32_t hi_offset, uint64_t value) {
  bus->write32(bus->ctx, lo_offset, (uint32_t)value);
  bus->write32(bus->ctx, hi_offset, (uint32_t)(value >> 32));
}

int dnngen_present(const struct dnngen_bus *bus) {
  return bus->read32(bus->ctx, DNNGEN_ID_OFFSET) == DNNGEN_SHELL_ID;
}

void dnngen_write_gemm(const struct dnngen_bus *bus, const struct dnngen_gemm *layer) {
  bus->write32(bus->ctx, DNNGEN_OP_OFFSET, FIELD(DNNGEN_OP_GEMM, DNNGEN_OP_CODE_SHIFT, DNNGEN_OP_CODE_MASK));
  bus->write32(
      bus->ctx, DNNGEN_OUTPUT_OFFSET,
      FIELD(layer->out_type, DNNGEN_OUTPUT_TYPE_SHIFT, DNNGEN_OUTPUT_TYPE_MASK) |
          FIELD(layer->bias != 0, DNNGEN_OUTPUT_BIAS_SHIFT, DNNGEN_OUTPUT_BIAS_MASK) |
          FIELD(layer->relu != 0, DNNGEN_OUTPUT_RELU_SHIFT, DNNGEN_OUTPUT_RELU_MASK) |
          FIELD(layer->per_channel != 0, DNNGEN_OUTPUT_PER_CHANNEL_SHIFT, DNNGEN_OUTPUT_PER_CHANNEL_MASK));
  bus->write32(bus->ctx, DNNGEN_M_OFFSET, layer->m);
  bus->write32(bus->ctx, DNNGEN_N_OFFSET, layer->n);
  bus->write32(bus->ctx, DNNGEN_K_OFFSET, layer->k);
  write64(bus, DNNGEN_A_ADDR_LO_OFFSET, DNNGEN_A_ADDR_HI_OFFSET, layer->a_addr);
  write64(bus, DNNGEN_B_ADDR_LO_OFFSET, DNNGEN_B_ADDR_HI_OFFSET, layer->b_addr);
  write64(bus, DNNGEN_BIAS_ADDR_LO_OFFSET, DNNGEN_BIAS_ADDR_HI_OFFSET, layer->bias_addr);
  write64(bus, DNNGEN_QUANT_ADDR_LO_OFFSET, DNNGEN_QUANT_ADDR_HI_OFFSET, layer->quant_addr);
  write64(bus, DNNGEN_OUT_ADDR_LO_OFFSET, DNNGEN_OUT_ADDR_HI_OFFSET, layer->out_addr);
  bus->write32(bus->ctx, DNNGEN_A_STRIDE_OFFSET, layer->a_stride);
  bus->write32(bus->ctx, DNNGEN_B_STRIDE_OFFSET, layer->b_stride);
  bus->write32(bus->ctx, DNNGEN_OUT_STRIDE_OFFSET, layer->out_stride);
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

uint64_t dnngen_read_counter(const struct dnngen_bus *bus, uint32_t lo_offset, uint32_t hi_offset) {
  const uint64_t lo = bus->read32(bus->ctx, lo_offset);
  const uint64_t hi = bus->read32(bus->ctx, hi_offset);
  return (hi << 32) | lo;
}
