#pragma once
// What every engine's golden shell model does to a memory image (byte 0 at address 0):
// little-endian element loads and stores, the address-space check of a tensor, and the
// ERROR_CODE values of the register map by name.
#include <cstdint>
#include <vector>

#include "dnngen/shell/descriptor.hpp"

namespace dnngen::shell {

// The register map's `error` enum value `name` (none, bad_op, zero_size, ...).
uint32_t error_code(const char* name);

// Whether `rows` rows of `row_bytes` bytes, `pitch` apart from `base`, run past the top
// of a 2^addr_bits address space.
bool past_top(unsigned addr_bits, uint64_t base, uint64_t rows, uint64_t pitch, uint64_t row_bytes);

// A `bytes`-wide little-endian element at `addr` (std::out_of_range past the image).
int64_t load(const std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, bool is_signed);
void store(std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, int64_t v);

// The output pipeline's parameters of output channel `k` (a filter, a column of B): the
// int32 bias[k] with OUTPUT.BIAS, else 0; (mult, shift) from QUANT_ADDR with
// OUTPUT.PER_CHANNEL (a table shift above 62 reads as 62), else OUT_MULT and OUT_SHIFT.
// An int32 output uses none of them.
struct ChannelParams {
  int32_t bias = 0, mult = 1;
  unsigned shift = 0;
};
ChannelParams channel_params(const std::vector<uint8_t>& mem, const LayerDescriptor& d, uint64_t k);

}  // namespace dnngen::shell
