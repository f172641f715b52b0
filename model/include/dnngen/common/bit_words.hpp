#pragma once
// Wide port values as the host drivers and harnesses of every engine see them: a
// little-endian vector of 32-bit chunks (bit 0 of chunk 0 is bit 0 of the port), the
// order Verilator lays out ports wider than 64 bits. Fields are moved a 32-bit piece
// at a time: harnesses unpack every result row through get_field, so this is on the
// co-simulation's hot path.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace dnngen {

using BitWords = std::vector<uint32_t>;

// One write of an engine's loader port: a word for one of its two operand buffers.
struct LoadWord {
  bool to_b = false;  // false: the first buffer (A, ifmap), true: the second (B, filters)
  uint32_t addr = 0;
  BitWords data;
};

namespace bit_words_detail {
inline uint64_t low_mask(unsigned bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }
}  // namespace bit_words_detail

// All-zero words holding `bits` bits.
inline BitWords zero_words(unsigned bits) { return BitWords((bits + 31) / 32, 0u); }

// Writes the low `bits` of `value` at bit offset `pos` (bits <= 64).
inline void put_field(BitWords& words, unsigned pos, unsigned bits, uint64_t value) {
  using bit_words_detail::low_mask;
  for (unsigned done = 0; done < bits;) {
    const unsigned bit = pos + done, offset = bit % 32;
    const unsigned take = std::min(32 - offset, bits - done);
    const auto mask = static_cast<uint32_t>(low_mask(take) << offset);
    const auto piece = static_cast<uint32_t>(((value >> done) & low_mask(take)) << offset);
    words[bit / 32] = (words[bit / 32] & ~mask) | piece;
    done += take;
  }
}

// Reads `bits` (<= 64) at bit offset `pos`.
inline uint64_t get_field(const BitWords& words, unsigned pos, unsigned bits) {
  using bit_words_detail::low_mask;
  uint64_t value = 0;
  for (unsigned done = 0; done < bits;) {
    const unsigned bit = pos + done, offset = bit % 32;
    const unsigned take = std::min(32 - offset, bits - done);
    value |= ((static_cast<uint64_t>(words[bit / 32]) >> offset) & low_mask(take)) << done;
    done += take;
  }
  return value;
}

}  // namespace dnngen
