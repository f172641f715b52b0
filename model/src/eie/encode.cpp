#include "dnngen/eie/encode.hpp"

namespace dnngen::eie {

std::vector<Entry> encode_column(const std::vector<int64_t>& column) {
  std::vector<Entry> out;
  int64_t zeros = 0;
  for (int64_t v : column) {
    if (v == 0) {
      ++zeros;
      continue;
    }
    // z counts zeros up to 15; a padding entry stands for 15 zeros plus itself (16 rows).
    while (zeros > kMaxZ) {
      out.push_back({0, static_cast<uint32_t>(kMaxZ)});
      zeros -= kMaxZ + 1;
    }
    out.push_back({static_cast<uint32_t>(v), static_cast<uint32_t>(zeros)});
    zeros = 0;
  }
  return out;
}

int64_t local_rows(int64_t m, unsigned pes, unsigned p) { return m > p ? (m - p + pes - 1) / pes : 0; }

std::vector<PeImage> encode_layer(const Tensor& w_idx, unsigned pes, uint32_t entry_base) {
  const int64_t m = w_idx.shape[0], n = w_idx.shape[1];
  std::vector<PeImage> images(pes);
  for (unsigned p = 0; p < pes; ++p) {
    PeImage& img = images[p];
    std::vector<int64_t> column(static_cast<size_t>(local_rows(m, pes, p)));
    img.pointers.push_back(entry_base);
    for (int64_t j = 0; j < n; ++j) {
      for (size_t r = 0; r < column.size(); ++r) column[r] = w_idx.at(static_cast<int64_t>(r) * pes + p, j);
      for (const Entry& e : encode_column(column)) img.entries.push_back(e);
      img.pointers.push_back(entry_base + static_cast<uint32_t>(img.entries.size()));
    }
  }
  return images;
}

}  // namespace dnngen::eie
