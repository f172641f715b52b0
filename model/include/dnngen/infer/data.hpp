#pragma once
// The samples and labels `dnngen infer` reads: NumPy .npy (float32/float64 or integer) and
// MNIST-style IDX files (unsigned bytes; gzip-compressed or not).
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/infer/network.hpp"

namespace dnngen::infer {

// The first `count` samples (all when count is 0) of `path` as a batch [B, <sample>], each
// value multiplied by `scale`. The file's axes after the first must hold `sample_shape`'s
// elements ([N, 28, 28] feeds a [1, 28, 28] or a [784] input). InputError naming the file
// for a format it does not read, a shape that does not fit, or fewer than `count` samples.
FloatTensor load_samples(const std::string& path, const std::vector<int64_t>& sample_shape, double scale,
                         int64_t count);

// The first `count` labels (all when 0): a 1-D integer .npy or an IDX label file.
std::vector<int64_t> load_labels(const std::string& path, int64_t count);

}  // namespace dnngen::infer
