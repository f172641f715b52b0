#include "dnngen/infer/network.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "dnngen/common/tensor.hpp"

namespace dnngen::infer {
namespace {

// One spatial axis of a conv or pool window; the floor matches ONNX with ceil_mode 0.
int64_t window_out(const Layer& l, int64_t in, unsigned kernel, unsigned stride, unsigned pad) {
  if (stride == 0) throw std::invalid_argument(fmt::format("layer '{}': stride 0", l.name));
  const int64_t padded = in + 2 * static_cast<int64_t>(pad);
  if (padded < static_cast<int64_t>(kernel))
    throw std::invalid_argument(
        fmt::format("layer '{}': window {} larger than the padded input {}", l.name, kernel, padded));
  return (padded - kernel) / stride + 1;
}

// The shape of one sample after layer l, given the shape before it. The importer checks
// every layer against its input before adding it, so a throw here is a caller's bug.
std::vector<int64_t> step(const Layer& l, const std::vector<int64_t>& in) {
  const auto need_chw = [&] {
    if (in.size() != 3)
      throw std::invalid_argument(fmt::format("layer '{}' ({}) needs a [C, H, W] input, got {}", l.name,
                                              to_string(l.kind), shape_string(in)));
  };
  switch (l.kind) {
    case LayerKind::kConv:
      need_chw();
      if (l.weights.shape.size() != 4 || l.weights.shape[1] != in[0])
        throw std::invalid_argument(fmt::format("layer '{}': weights {} do not fit the input {}", l.name,
                                                shape_string(l.weights.shape), shape_string(in)));
      return {l.weights.shape[0], window_out(l, in[1], l.kernel_h, l.stride_y, l.pad_y),
              window_out(l, in[2], l.kernel_w, l.stride_x, l.pad_x)};
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      need_chw();
      return {in[0], window_out(l, in[1], l.kernel_h, l.stride_y, l.pad_y),
              window_out(l, in[2], l.kernel_w, l.stride_x, l.pad_x)};
    case LayerKind::kFlatten: {
      int64_t n = 1;
      for (int64_t d : in) n *= d;
      return {n};
    }
    case LayerKind::kDense:
      if (in.size() != 1 || l.weights.shape.size() != 2 || l.weights.shape[1] != in[0])
        throw std::invalid_argument(fmt::format("layer '{}': weights {} do not fit the input {}", l.name,
                                                shape_string(l.weights.shape), shape_string(in)));
      return {l.weights.shape[0]};
    case LayerKind::kSoftmax:
      return in;
  }
  throw std::invalid_argument("shape_after: unknown layer kind");
}

}  // namespace

int64_t FloatTensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string to_string(LayerKind k) {
  switch (k) {
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kDense:
      return "dense";
    case LayerKind::kMaxPool:
      return "maxpool";
    case LayerKind::kAvgPool:
      return "avgpool";
    case LayerKind::kFlatten:
      return "flatten";
    case LayerKind::kSoftmax:
      return "softmax";
  }
  throw std::invalid_argument("to_string: unknown LayerKind");
}

std::vector<int64_t> shape_after(const Network& net, size_t upto) {
  if (upto > net.layers.size())
    throw std::out_of_range(fmt::format("shape_after: upto {} beyond {} layers", upto, net.layers.size()));
  std::vector<int64_t> shape = net.input_shape;
  for (size_t i = 0; i < upto; ++i) shape = step(net.layers[i], shape);
  return shape;
}

}  // namespace dnngen::infer
