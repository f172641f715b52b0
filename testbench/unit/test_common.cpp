// Shared plumbing in model/src/common: bit-word fields across 32-bit chunk boundaries.
#include <gtest/gtest.h>

#include "dnngen/common/bit_words.hpp"

namespace dnngen {
namespace {

TEST(BitWords, FieldsRoundTripAcrossWordBoundaries) {
  BitWords w = zero_words(128);
  ASSERT_EQ(w.size(), 4u);
  put_field(w, 30, 7, 0x55);
  put_field(w, 60, 64, 0x8000000000000001ull);
  EXPECT_EQ(get_field(w, 30, 7), 0x55u);
  EXPECT_EQ(get_field(w, 60, 64), 0x8000000000000001ull);
  put_field(w, 30, 7, 0);
  EXPECT_EQ(get_field(w, 30, 7), 0u);
  EXPECT_EQ(get_field(w, 60, 64), 0x8000000000000001ull);
  EXPECT_EQ(zero_words(33).size(), 2u);
}

}  // namespace
}  // namespace dnngen
