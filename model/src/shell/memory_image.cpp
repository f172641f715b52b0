// Memory-image helpers shared by the engines' golden shell models (dnngen/shell/memory_image.hpp).
#include "dnngen/shell/memory_image.hpp"

#include <algorithm>

#include "dnngen/common/numerics.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::shell {

uint32_t error_code(const char* name) { return register_map().enum_value("error", name); }

bool past_top(unsigned addr_bits, uint64_t base, uint64_t rows, uint64_t pitch, uint64_t row_bytes) {
  const unsigned __int128 end =
      static_cast<unsigned __int128>(base) + static_cast<unsigned __int128>(rows - 1) * pitch + row_bytes;
  return end > (static_cast<unsigned __int128>(1) << addr_bits);
}

int64_t load(const std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, bool is_signed) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= uint64_t{mem.at(addr + i)} << (8 * i);
  return numerics::from_field(v, 8 * bytes, is_signed);
}

ChannelParams channel_params(const std::vector<uint8_t>& mem, const LayerDescriptor& d, uint64_t k) {
  ChannelParams c{0, d.out_mult, d.out_shift};
  if (d.out_type == "int32") return c;
  if (d.bias) c.bias = static_cast<int32_t>(load(mem, d.bias_addr + k * 4, 4, true));
  if (d.per_channel) {
    c.mult = static_cast<int32_t>(load(mem, d.quant_addr + k * 8, 4, true));
    c.shift = static_cast<unsigned>(std::min<int64_t>(load(mem, d.quant_addr + k * 8 + 4, 4, false), 62));
  }
  return c;
}

void store(std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, int64_t v) {
  const uint64_t f = numerics::to_field(v, 8 * bytes);
  for (unsigned i = 0; i < bytes; ++i) mem.at(addr + i) = static_cast<uint8_t>(f >> (8 * i));
}

}  // namespace dnngen::shell
