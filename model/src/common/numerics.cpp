#include "dnngen/common/numerics.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace dnngen::numerics {
namespace {

// Widths outside 1..64 are programming errors, not user input: every user-facing width
// is range-checked by the config loader first.
void check_bits(unsigned bits) {
  if (bits < 1 || bits > 64) {
    throw std::invalid_argument("numerics: bit width must be in 1..64, got " + std::to_string(bits));
  }
}

// Low `bits` bits set. Shifting a 64-bit value by 64 is undefined, hence the special case.
uint64_t mask(unsigned bits) { return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

}  // namespace

int64_t min_value(unsigned bits, bool is_signed) {
  check_bits(bits);
  if (!is_signed) return 0;
  if (bits == 64) return std::numeric_limits<int64_t>::min();
  return -(int64_t{1} << (bits - 1));
}

// An unsigned 64-bit range does not fit in int64; values are held as int64 everywhere,
// so its maximum is reported as INT64_MAX.
int64_t max_value(unsigned bits, bool is_signed) {
  check_bits(bits);
  const unsigned magnitude_bits = is_signed ? bits - 1 : bits;
  if (magnitude_bits >= 63) return std::numeric_limits<int64_t>::max();
  return (int64_t{1} << magnitude_bits) - 1;
}

bool fits(int64_t v, unsigned bits, bool is_signed) {
  return v >= min_value(bits, is_signed) && v <= max_value(bits, is_signed);
}

int64_t wrap_signed(int64_t v, unsigned bits) {
  return from_field(to_field(v, bits), bits, /*is_signed=*/true);
}

int64_t saturate_signed(int64_t v, unsigned bits) {
  const int64_t lo = min_value(bits, true);
  const int64_t hi = max_value(bits, true);
  return v < lo ? lo : (v > hi ? hi : v);
}

int64_t saturate_signed(__int128 v, unsigned bits) {
  const int64_t lo = min_value(bits, true);
  const int64_t hi = max_value(bits, true);
  if (v < lo) return lo;
  if (v > hi) return hi;
  return static_cast<int64_t>(v);
}

uint64_t to_field(int64_t v, unsigned bits) {
  check_bits(bits);
  return static_cast<uint64_t>(v) & mask(bits);
}

// A 64-bit unsigned field above INT64_MAX cannot be represented and comes back
// reduced modulo 2^64 (i.e. negative); callers keep unsigned widths below 64.
int64_t from_field(uint64_t field, unsigned bits, bool is_signed) {
  check_bits(bits);
  field &= mask(bits);
  if (is_signed && bits < 64 && (field >> (bits - 1)) != 0) field |= ~mask(bits);
  return static_cast<int64_t>(field);
}

int64_t requantize(int64_t acc, int32_t bias, int32_t mult, unsigned shift, unsigned out_bits, bool relu) {
  if (shift > 62)
    throw std::invalid_argument("numerics: requantize shift must be in 0..62, got " + std::to_string(shift));
  // |acc + bias| < 2^64 and |mult| <= 2^31: the product fits 96 bits, the rounding one more.
  __int128 t = (static_cast<__int128>(acc) + bias) * mult;
  if (shift > 0) t += static_cast<__int128>(1) << (shift - 1);
  t >>= shift;  // arithmetic: floor
  const int64_t y = saturate_signed(t, out_bits);
  return relu && y < 0 ? 0 : y;
}

}  // namespace dnngen::numerics
