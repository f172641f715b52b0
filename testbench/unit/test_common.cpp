// Shared plumbing in model/src/common: string helpers and bit-word fields across 32-bit
// chunk boundaries.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dnngen/common/bit_words.hpp"
#include "dnngen/common/strings.hpp"

namespace dnngen {
namespace {

using Fields = std::vector<std::string>;

TEST(Strings, TrimSplitJoin) {
  EXPECT_EQ(strings::trim(" \t a b \r"), "a b");
  EXPECT_EQ(strings::trim(" \t\r"), "");
  EXPECT_EQ(strings::split("", ','), Fields{""});
  EXPECT_EQ(strings::split("a,,b", ','), (Fields{"a", "", "b"}));
  EXPECT_EQ(strings::split("a, b,", ','), (Fields{"a", " b", ""}));
  EXPECT_EQ(strings::join({}, ", "), "");
  EXPECT_EQ(strings::join({"a", "b", "c"}, ", "), "a, b, c");
}

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
