#pragma once
// Per-PE compressed sparse column (CSC) encoding of an index matrix, as EIE stores it:
// row i of W belongs to PE i mod N (local row i / N); each PE keeps, per column, a run of
// entries (v = weight index, z = zeros since the previous entry of that column in this PE)
// and a column pointer array p[0..cols] into its entry memory. A gap of more than 15 zeros
// (the largest 4-bit z) inserts a padding entry (v = 0, z = 15), which adds nothing.
#include <cstdint>
#include <vector>

#include "dnngen/common/tensor.hpp"

namespace dnngen::eie {

constexpr unsigned kZBits = 4;
constexpr int64_t kMaxZ = (1 << kZBits) - 1;

struct Entry {
  uint32_t v = 0;  // weight index, 0 = padding
  uint32_t z = 0;  // zeros before this entry (relative row index)
  bool operator==(const Entry& o) const { return v == o.v && z == o.z; }
};

// One column of one PE: the local rows' indices (0 = zero) in, entries out.
std::vector<Entry> encode_column(const std::vector<int64_t>& column);

struct PeImage {
  std::vector<uint32_t> pointers;  // cols + 1 absolute entry addresses (from entry_base)
  std::vector<Entry> entries;      // this layer's entries, stored from entry_base
};

// Encodes w_idx[M, N] for `pes` PEs; pointer values start at entry_base.
std::vector<PeImage> encode_layer(const Tensor& w_idx, unsigned pes, uint32_t entry_base = 0);

// Local rows of PE p for M rows over `pes` PEs, and the most any PE has: ceil(M / pes).
int64_t local_rows(int64_t m, unsigned pes, unsigned p);
inline int64_t max_local_rows(int64_t m, unsigned pes) { return (m + pes - 1) / pes; }

}  // namespace dnngen::eie
