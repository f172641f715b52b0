#pragma once
// A float network as `dnngen infer` runs it: a chain of layers, each reading the previous
// one's output. The ONNX importer (import_onnx) builds it; the quantiser and the executors
// (infer/quantize.hpp, infer/run.hpp) read it. Only what the engines and the host steps
// between them can run is representable, so an imported network is a runnable one.
#include <cstdint>
#include <string>
#include <vector>

namespace dnngen::infer {

// A dense float tensor, row-major (C order).
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t size() const;  // product of shape (1 for a scalar)
};

enum class LayerKind {
  kConv,     // 2-D convolution, group 1, dilation 1: weights [K, C, R, S], bias [K]
  kDense,    // fully connected: weights [N, K] (out, in), bias [N]; y = W x + b
  kMaxPool,  // 2-D max pooling over [C, H, W]
  kAvgPool,  // 2-D average pooling over [C, H, W] (count_include_pad as the node says)
  kFlatten,  // [C, H, W] -> [C*H*W] in ONNX (C-major) order
  kSoftmax,  // over the last axis; the network's last layer only
};

std::string to_string(LayerKind k);  // "conv", "dense", "maxpool", "avgpool", "flatten", "softmax"

struct Layer {
  LayerKind kind = LayerKind::kConv;
  std::string name;  // the ONNX node's name (or "<op_type>#<node index>" when unnamed)
  // kConv, kDense
  FloatTensor weights;
  std::vector<float> bias;  // empty: no bias
  bool relu = false;        // a Relu follows (fused)
  // kConv, kMaxPool, kAvgPool: window, stride, padding (top = bottom, left = right)
  unsigned kernel_h = 1, kernel_w = 1;
  unsigned stride_y = 1, stride_x = 1;
  unsigned pad_y = 0, pad_x = 0;
  bool count_include_pad = false;  // kAvgPool
};

struct Network {
  std::string input_name;
  std::vector<int64_t> input_shape;  // one sample, without the batch axis: [C, H, W] or [K]
  std::string output_name;
  std::vector<Layer> layers;
};

// The shape of one sample after layers [0, upto) (upto = layers.size(): the output).
std::vector<int64_t> shape_after(const Network& net, size_t upto);

}  // namespace dnngen::infer
