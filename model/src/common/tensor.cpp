#include "dnngen/common/tensor.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace dnngen {

Tensor::Tensor(std::vector<int64_t> dims) : shape(std::move(dims)) {
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("Tensor: negative dimension in " + shape_string(shape));
  }
  data.assign(static_cast<size_t>(size()), 0);
}

int64_t Tensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Tensor sub_tensor(const Tensor& t, int64_t i) {
  if (t.shape.empty() || i < 0 || i >= t.shape[0])
    throw std::invalid_argument("sub_tensor: index " + std::to_string(i) + " outside " +
                                shape_string(t.shape));
  Tensor s(std::vector<int64_t>(t.shape.begin() + 1, t.shape.end()));
  const auto n = static_cast<std::ptrdiff_t>(s.data.size());
  std::copy_n(t.data.begin() + i * n, n, s.data.begin());
  return s;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace dnngen
