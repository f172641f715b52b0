#pragma once
// ONNX model importer for `dnngen infer`: reads a .onnx file and returns the chain of layers
// it describes as an infer::Network, or throws InputError naming the file, the node (name and
// op_type) and what was expected. Only models that are a plain chain of the operators below
// import; anything else (branches, skip connections, other operators or attribute values) is
// rejected rather than approximated, so an imported network computes what the model does.
//
// Supported nodes (ONNX domain only):
//   Conv (group 1, dilation 1, symmetric explicit padding), Gemm (alpha = beta = 1, transA 0),
//   MatMul with a constant right operand, Add of a constant per-channel bias right after Conv /
//   Gemm / MatMul (folded into the bias), Relu right after Conv / Gemm / MatMul (fused),
//   MaxPool and AveragePool (2-D, ceil_mode 0, symmetric padding), Flatten (axis 1) and
//   Reshape to [batch, -1] (a no-op on an already flat tensor), Softmax (last layer only);
//   Identity and Dropout are skipped, Constant nodes provide weights and shapes.
// Weights are float32 initializers (raw_data or float_data) or Constant nodes. The model has
// one graph input (not counting initializers) of shape [N, C, H, W] or [N, K], N the batch,
// and one graph output, the last node's output.
#include <string>

#include "dnngen/infer/network.hpp"

namespace dnngen::infer {

Network import_onnx(const std::string& path);

}  // namespace dnngen::infer
