#pragma once
// What every engine's golden shell model does to a memory image (byte 0 at address 0):
// little-endian element loads and stores, the address-space check of a tensor, and the
// ERROR_CODE values of the register map by name.
#include <cstdint>
#include <vector>

namespace dnngen::shell {

// The register map's `error` enum value `name` (none, bad_op, zero_size, ...).
uint32_t error_code(const char* name);

// Whether `rows` rows of `row_bytes` bytes, `pitch` apart from `base`, run past the top
// of a 2^addr_bits address space.
bool past_top(unsigned addr_bits, uint64_t base, uint64_t rows, uint64_t pitch, uint64_t row_bytes);

// A `bytes`-wide little-endian element at `addr` (std::out_of_range past the image).
int64_t load(const std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, bool is_signed);
void store(std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, int64_t v);

}  // namespace dnngen::shell
