#pragma once
// The one set of integer helpers shared by the golden model, the harness and the
// host driver. Two's complement throughout.
#include <cstdint>
#include <type_traits>

namespace dnngen::numerics {

// ceil(a / b) for b > 0 (tiles, jobs and words of a dimension), in 64 bits: signed when
// either argument is, so the arguments widen before the sum and products of the result
// do not wrap at 32 bits.
template <typename A, typename B>
constexpr auto ceil_div(A a, B b) {
  using T = std::conditional_t<std::is_signed_v<A> || std::is_signed_v<B>, int64_t, uint64_t>;
  return (static_cast<T>(a) + static_cast<T>(b) - 1) / static_cast<T>(b);
}

// Value range of a `bits`-wide integer (bits in 1..64).
int64_t min_value(unsigned bits, bool is_signed);
int64_t max_value(unsigned bits, bool is_signed);
bool fits(int64_t v, unsigned bits, bool is_signed);

// v modulo 2^bits, read back as a signed two's-complement number (bits in 1..64).
int64_t wrap_signed(int64_t v, unsigned bits);
// Clamp to the signed range of `bits`.
int64_t saturate_signed(int64_t v, unsigned bits);
// Clamp a 128-bit exact sum to the signed range of `bits`.
int64_t saturate_signed(__int128 v, unsigned bits);

// The output pipeline of the accelerator shell (DESIGN.md "Shell", docs/shell.md):
//   y = clamp(((acc + bias) * mult + 2^(shift-1)) >>> shift) to the signed range of
//   out_bits, then ReLU (y < 0 -> 0) when relu is set.
// acc + bias and the product are exact (no wrap); >>> is an arithmetic shift (floor), so
// the rounding is half up; shift 0 adds no rounding term. shift in 0..62.
int64_t requantize(int64_t acc, int32_t bias, int32_t mult, unsigned shift, unsigned out_bits, bool relu);

// Two's-complement field of `bits` bits of v (zero-extended into a uint64).
uint64_t to_field(int64_t v, unsigned bits);
// Reads a `bits`-wide field as signed (sign-extend) or unsigned.
int64_t from_field(uint64_t field, unsigned bits, bool is_signed);

}  // namespace dnngen::numerics
