#pragma once
// A dense, row-major integer tensor. Values are held as int64 whatever the file dtype.
#include <cstdint>
#include <string>
#include <vector>

namespace dnngen {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<int64_t> data;  // row-major (C order)

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> dims);
  int64_t size() const;  // product of shape
  int64_t& at(int64_t i, int64_t j) { return data[static_cast<size_t>(i * shape[1] + j)]; }
  int64_t at(int64_t i, int64_t j) const { return data[static_cast<size_t>(i * shape[1] + j)]; }
};

std::string shape_string(const std::vector<int64_t>& shape);  // "[3, 4]"

// t[i]: the i-th tensor along the first dimension, of shape t.shape[1:] (a copy).
Tensor sub_tensor(const Tensor& t, int64_t i);

}  // namespace dnngen
