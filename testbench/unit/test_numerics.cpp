// numerics: ranges, wrap, saturate and field packing for every width 1..64, with the
// 1-, 63- and 64-bit edges (where a naive shift would be undefined) spelled out.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "dnngen/common/numerics.hpp"

namespace dnngen::numerics {
namespace {

constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();

TEST(Numerics, RangesAtSmallAndLargeWidths) {
  EXPECT_EQ(min_value(1, true), -1);
  EXPECT_EQ(max_value(1, true), 0);
  EXPECT_EQ(min_value(1, false), 0);
  EXPECT_EQ(max_value(1, false), 1);
  EXPECT_EQ(min_value(8, true), -128);
  EXPECT_EQ(max_value(8, true), 127);
  EXPECT_EQ(max_value(8, false), 255);
  EXPECT_EQ(min_value(63, true), -(int64_t{1} << 62));
  EXPECT_EQ(max_value(63, false), kMax64);
  EXPECT_EQ(min_value(64, true), kMin64);
  EXPECT_EQ(max_value(64, true), kMax64);
  // Unsigned 64-bit is capped at INT64_MAX because values are held as int64.
  EXPECT_EQ(min_value(64, false), 0);
  EXPECT_EQ(max_value(64, false), kMax64);
}

TEST(Numerics, RangesMatchShiftsForEveryWidth) {
  for (unsigned bits = 1; bits <= 62; ++bits) {
    SCOPED_TRACE(bits);
    EXPECT_EQ(min_value(bits, true), -(int64_t{1} << (bits - 1)));
    EXPECT_EQ(max_value(bits, true), (int64_t{1} << (bits - 1)) - 1);
    EXPECT_EQ(max_value(bits, false), (int64_t{1} << bits) - 1);
  }
}

TEST(Numerics, Fits) {
  EXPECT_TRUE(fits(-128, 8, true));
  EXPECT_FALSE(fits(-129, 8, true));
  EXPECT_FALSE(fits(128, 8, true));
  EXPECT_TRUE(fits(255, 8, false));
  EXPECT_FALSE(fits(-1, 8, false));
  EXPECT_TRUE(fits(kMin64, 64, true));
  EXPECT_TRUE(fits(kMax64, 64, true));
  EXPECT_FALSE(fits(-1, 64, false));
  EXPECT_TRUE(fits(kMax64, 64, false));
  EXPECT_FALSE(fits(kMax64, 63, true));
  EXPECT_TRUE(fits(-1, 1, true));
  EXPECT_FALSE(fits(1, 1, true));
}

TEST(Numerics, WrapSigned) {
  EXPECT_EQ(wrap_signed(127, 8), 127);
  EXPECT_EQ(wrap_signed(128, 8), -128);
  EXPECT_EQ(wrap_signed(255, 8), -1);
  EXPECT_EQ(wrap_signed(256, 8), 0);
  EXPECT_EQ(wrap_signed(-129, 8), 127);
  EXPECT_EQ(wrap_signed(1, 1), -1);
  EXPECT_EQ(wrap_signed(2, 1), 0);
  EXPECT_EQ(wrap_signed(-1, 1), -1);
  EXPECT_EQ(wrap_signed(kMax64, 63), -1);
  EXPECT_EQ(wrap_signed(kMin64, 63), 0);
  EXPECT_EQ(wrap_signed(int64_t{1} << 62, 63), -(int64_t{1} << 62));
  EXPECT_EQ(wrap_signed(kMin64, 64), kMin64);
  EXPECT_EQ(wrap_signed(kMax64, 64), kMax64);
  EXPECT_EQ(wrap_signed(-5, 64), -5);
}

TEST(Numerics, WrapIsIdentityInsideRangeForEveryWidth) {
  for (unsigned bits = 1; bits <= 64; ++bits) {
    SCOPED_TRACE(bits);
    EXPECT_EQ(wrap_signed(min_value(bits, true), bits), min_value(bits, true));
    EXPECT_EQ(wrap_signed(max_value(bits, true), bits), max_value(bits, true));
    EXPECT_EQ(wrap_signed(0, bits), 0);
  }
}

TEST(Numerics, SaturateInt64) {
  EXPECT_EQ(saturate_signed(int64_t{200}, 8), 127);
  EXPECT_EQ(saturate_signed(int64_t{-200}, 8), -128);
  EXPECT_EQ(saturate_signed(int64_t{-7}, 8), -7);
  EXPECT_EQ(saturate_signed(int64_t{5}, 1), 0);
  EXPECT_EQ(saturate_signed(int64_t{-5}, 1), -1);
  EXPECT_EQ(saturate_signed(kMax64, 64), kMax64);
  EXPECT_EQ(saturate_signed(kMin64, 64), kMin64);
  EXPECT_EQ(saturate_signed(kMax64, 63), (int64_t{1} << 62) - 1);
  EXPECT_EQ(saturate_signed(kMin64, 63), -(int64_t{1} << 62));
}

TEST(Numerics, SaturateInt128) {
  const __int128 big = static_cast<__int128>(kMax64) * 4;
  EXPECT_EQ(saturate_signed(big, 64), kMax64);
  EXPECT_EQ(saturate_signed(-big, 64), kMin64);
  EXPECT_EQ(saturate_signed(static_cast<__int128>(kMax64) + 1, 64), kMax64);
  EXPECT_EQ(saturate_signed(static_cast<__int128>(kMin64) - 1, 64), kMin64);
  EXPECT_EQ(saturate_signed(static_cast<__int128>(kMin64), 64), kMin64);
  EXPECT_EQ(saturate_signed(big, 20), (1 << 19) - 1);
  EXPECT_EQ(saturate_signed(-big, 20), -(1 << 19));
  EXPECT_EQ(saturate_signed(static_cast<__int128>(-1234), 20), -1234);
}

TEST(Numerics, FieldPacking) {
  EXPECT_EQ(to_field(-1, 8), 0xffu);
  EXPECT_EQ(to_field(-128, 8), 0x80u);
  EXPECT_EQ(to_field(0x1ff, 8), 0xffu);
  EXPECT_EQ(to_field(-1, 64), ~uint64_t{0});
  EXPECT_EQ(to_field(-1, 1), 1u);
  EXPECT_EQ(from_field(0xff, 8, true), -1);
  EXPECT_EQ(from_field(0xff, 8, false), 255);
  EXPECT_EQ(from_field(0x1ff, 8, false), 255);  // bits above the field are ignored
  EXPECT_EQ(from_field(1, 1, true), -1);
  EXPECT_EQ(from_field(1, 1, false), 1);
  EXPECT_EQ(from_field(uint64_t{1} << 63, 64, true), kMin64);
  EXPECT_EQ(from_field(~uint64_t{0} >> 1, 64, false), kMax64);
  EXPECT_EQ(from_field(uint64_t{1} << 62, 63, true), -(int64_t{1} << 62));
}

TEST(Numerics, FieldRoundTripForEveryWidth) {
  for (unsigned bits = 1; bits <= 64; ++bits) {
    SCOPED_TRACE(bits);
    for (int64_t v : {min_value(bits, true), max_value(bits, true), int64_t{0}}) {
      EXPECT_EQ(from_field(to_field(v, bits), bits, true), v);
    }
    const int64_t umax = max_value(bits, false);
    EXPECT_EQ(from_field(to_field(umax, bits), bits, false), umax);
  }
}

TEST(Numerics, RejectsWidthsOutside1To64) {
  EXPECT_THROW(min_value(0, true), std::invalid_argument);
  EXPECT_THROW(max_value(65, false), std::invalid_argument);
  EXPECT_THROW(wrap_signed(1, 0), std::invalid_argument);
  EXPECT_THROW(to_field(1, 65), std::invalid_argument);
}

// The shell's output pipeline: exact sum and product, half-up rounding by an arithmetic
// shift, no rounding term at shift 0, saturation to the output width, then ReLU.
TEST(Numerics, RequantizeRoundsHalfUpAndSaturates) {
  EXPECT_EQ(requantize(5, 0, 1, 1, 8, false), 3);    // 2.5 -> 3
  EXPECT_EQ(requantize(-5, 0, 1, 1, 8, false), -2);  // -2.5 -> -2 (half up)
  EXPECT_EQ(requantize(-6, 0, 1, 1, 8, false), -3);
  EXPECT_EQ(requantize(7, 0, 1, 0, 8, false), 7);  // shift 0: no rounding term
  EXPECT_EQ(requantize(100, 28, 1, 0, 8, false), 127);
  EXPECT_EQ(requantize(100, 29, 1, 0, 8, false), 127);  // saturates
  EXPECT_EQ(requantize(-200, 0, 1, 0, 8, false), -128);
  EXPECT_EQ(requantize(-200, 0, 1, 0, 8, true), 0);        // ReLU after the clamp
  EXPECT_EQ(requantize(1000, -24, 3, 4, 16, false), 183);  // (976*3 + 8) >> 4 = 2936 >> 4
  // Extremes: a 64-bit accumulator times the most negative multiplier does not wrap.
  EXPECT_EQ(requantize(INT64_MAX, INT32_MAX, INT32_MIN, 62, 16, false), -32768);
  EXPECT_EQ(requantize(INT64_MIN, INT32_MIN, INT32_MIN, 62, 32, false), INT32_MAX);
  EXPECT_THROW(requantize(1, 0, 1, 63, 8, false), std::invalid_argument);
}

}  // namespace
}  // namespace dnngen::numerics
