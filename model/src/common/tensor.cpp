#include "dnngen/common/tensor.hpp"

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

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace dnngen
