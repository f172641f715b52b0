// Shared plumbing in model/src/common: string helpers, the one CSV reader's edge rules
// (comments, blank lines, blanks, trailing comma, line numbers in messages) and bit-word
// fields across 32-bit chunk boundaries.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dnngen/common/bit_words.hpp"
#include "dnngen/common/csv.hpp"
#include "dnngen/common/error.hpp"
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

TEST(Csv, SkipsCommentsAndBlankLinesButCountsThem) {
  const auto rows = csv::parse("# header comment\n\n  a , 1 ,2\r\n   # indented comment\nb,3,\n", "t.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields(), (Fields{"a", "1", "2"}));
  EXPECT_EQ(rows[0].line(), 3);
  EXPECT_EQ(rows[1].fields(), (Fields{"b", "3", ""})) << "a trailing comma is an empty field";
  EXPECT_EQ(rows[1].line(), 5);
  try {
    rows[1].fail("bad value");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:5: bad value");
  }
  EXPECT_TRUE(csv::parse("# only comments\n\n", "t.csv").empty());
}

TEST(Csv, UnreadableFileNamesWhatWasExpected) {
  try {
    csv::read_file("/nonexistent/t.csv", "the layer table");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/t.csv: cannot read the layer table");
  }
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
