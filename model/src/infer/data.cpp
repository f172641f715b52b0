// Samples and labels from .npy and IDX files (infer/data.hpp).
#include "dnngen/infer/data.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <memory>

#include "dnngen/common/error.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::infer {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// An IDX file of unsigned bytes: its dimensions and values. zlib reads plain files as they are.
struct Idx {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;
};

Idx read_idx(const std::string& path) {
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) throw InputError(fmt::format("{}: cannot read the file", path));
  const auto read = [&](void* to, unsigned bytes, const char* what) {
    if (gzread(f.get(), to, bytes) != static_cast<int>(bytes))
      throw InputError(fmt::format("{}: truncated IDX file (reading its {})", path, what));
  };
  uint8_t magic[4];
  read(magic, 4, "magic number");
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 || magic[3] > 4)
    throw InputError(
        fmt::format("{}: not an IDX file of unsigned bytes (expected the magic 00 00 08 0N, "
                    "N = 1..4 dimensions)",
                    path));
  Idx idx;
  int64_t total = 1, nonzero = 1;
  for (unsigned i = 0; i < magic[3]; ++i) {
    uint8_t b[4];
    read(b, 4, "dimensions");
    const int64_t d = (int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    idx.dims.push_back(d);
    // At most 2^31 values, and the non-zero dimensions too (a zero one empties the file, but
    // the others still size a sample): checked before multiplying, so no product overflows.
    if (d > 0 && nonzero > (int64_t{1} << 31) / d)
      throw InputError(
          fmt::format("{}: IDX dimensions {} hold more than 2^31 values", path, shape_string(idx.dims)));
    if (d > 0) nonzero *= d;
    total *= d;
  }
  // Chunk by chunk, so a short file that claims huge dimensions fails before it allocates.
  constexpr int64_t kChunk = int64_t{1} << 20;
  for (int64_t done = 0; done < total; done += kChunk) {
    const int64_t n = std::min(kChunk, total - done);
    idx.values.resize(static_cast<size_t>(done + n));
    read(idx.values.data() + done, static_cast<unsigned>(n), "values");
  }
  return idx;
}

bool is_idx(const std::string& path) { return !ends_with(path, ".npy"); }

// Keeps the first `count` rows of [N, ...] data (count 0: all).
template <class T>
void keep_rows(std::vector<int64_t>& shape, std::vector<T>& data, int64_t count, const std::string& path,
               const char* what) {
  if (shape.empty())
    throw InputError(fmt::format("{}: a scalar; expected {} along the first axis", path, what));
  if (count == 0) return;
  if (shape[0] < count)
    throw InputError(fmt::format("{}: {} {} in the file, {} asked for", path, shape[0], what, count));
  const auto per_row = static_cast<int64_t>(data.size()) / std::max<int64_t>(shape[0], 1);
  data.resize(static_cast<size_t>(count * per_row));
  shape[0] = count;
}

}  // namespace

FloatTensor load_samples(const std::string& path, const std::vector<int64_t>& sample_shape, double scale,
                         int64_t count) {
  FloatTensor t;
  if (is_idx(path)) {
    Idx idx = read_idx(path);
    t.shape = idx.dims;
    t.data.assign(idx.values.begin(), idx.values.end());
  } else {
    io::NpyFloatArray f;
    try {
      f = io::read_npy_float(path);
    } catch (const InputError&) {
      // An integer array (uint8 pixels, say): read_npy reads every integer dtype.
      const io::NpyArray a = io::read_npy(path);
      f.shape = a.tensor.shape;
      f.data.assign(a.tensor.data.begin(), a.tensor.data.end());
    }
    t.shape = f.shape;
    t.data = std::move(f.data);
  }
  keep_rows(t.shape, t.data, count, path, "samples");
  int64_t sample = 1;
  for (const int64_t d : sample_shape) sample *= d;
  int64_t per_row = 1;
  for (size_t i = 1; i < t.shape.size(); ++i) per_row *= t.shape[i];
  if (per_row != sample)
    throw InputError(fmt::format(
        "{}: samples of shape {} do not fit the network's input {} (expected [N, ...] "
        "with {} values a sample)",
        path, shape_string({t.shape.begin() + 1, t.shape.end()}), shape_string(sample_shape), sample));
  const int64_t n = t.shape[0];
  t.shape = {n};
  t.shape.insert(t.shape.end(), sample_shape.begin(), sample_shape.end());
  if (scale != 1.0)
    for (float& v : t.data) v = static_cast<float>(v * scale);
  return t;
}

std::vector<int64_t> load_labels(const std::string& path, int64_t count) {
  std::vector<int64_t> shape, labels;
  if (is_idx(path)) {
    const Idx idx = read_idx(path);
    shape = idx.dims;
    labels.assign(idx.values.begin(), idx.values.end());
  } else {
    io::NpyArray a;
    try {
      a = io::read_npy(path);
    } catch (const InputError& e) {
      throw InputError(fmt::format("labels: {} (labels are integers)", e.what()));
    }
    shape = a.tensor.shape;
    labels = a.tensor.data;
  }
  if (shape.size() != 1)
    throw InputError(fmt::format("{}: labels of shape {}; expected one axis [N]", path, shape_string(shape)));
  keep_rows(shape, labels, count, path, "labels");
  return labels;
}

}  // namespace dnngen::infer
