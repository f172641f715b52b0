// ONNX operator semantics: https://onnx.ai/onnx/operators/ (the defaults below are the
// spec's). The model is walked once, in node order, keeping the name and per-sample shape
// of the tensor the chain has reached; each node must read that tensor, so anything that is
// not a chain fails at the first node that reads another one.
#include "dnngen/infer/onnx_import.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/onnx_pb.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/tensor.hpp"

namespace dnngen::infer {
namespace {

// Whether a tensor of these (positive) sizes holds at most 2^31 values; checked before
// multiplying, so the product cannot overflow.
bool fits_tensor_limit(const std::vector<int64_t>& dims) {
  int64_t total = 1;
  for (const int64_t d : dims) {
    if (d > 0 && total > (int64_t{1} << 31) / d) return false;
    total *= d;
  }
  return true;
}

using onnx::AttributeProto;
using onnx::NodeProto;
using onnx::TensorProto;

constexpr const char* kSupported =
    "Conv, Gemm, MatMul, Add, Relu, MaxPool, AveragePool, Flatten, Reshape, Softmax, Identity, Dropout, "
    "Constant";

std::string dtype_name(int32_t t) {
  const std::string name = onnx::TensorProto_DataType_IsValid(t)
                               ? onnx::TensorProto_DataType_Name(static_cast<TensorProto::DataType>(t))
                               : "";
  return name.empty() ? fmt::format("data type {}", t) : name;
}

std::vector<int64_t> transpose2(const std::vector<int64_t>& shape) { return {shape[1], shape[0]}; }

// [rows, cols] row-major -> [cols, rows] row-major.
FloatTensor transposed(const FloatTensor& t) {
  const int64_t rows = t.shape[0], cols = t.shape[1];
  FloatTensor out;
  out.shape = transpose2(t.shape);
  out.data.resize(t.data.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out.data[c * rows + r] = t.data[r * cols + c];
  return out;
}

// Little-endian bytes, as the ONNX spec fixes raw_data's byte order, so the decode does not
// depend on the host's.
uint64_t load_le(const char* p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

class Importer {
 public:
  Importer(std::string path, const onnx::GraphProto& graph) : path_(std::move(path)), graph_(graph) {}

  Network run() {
    collect_constants();
    read_input();
    if (graph_.output_size() != 1) {
      std::vector<std::string> names;
      for (const auto& o : graph_.output()) names.push_back("'" + o.name() + "'");
      fail(fmt::format("the graph has {} outputs ({}); expected one", graph_.output_size(),
                       fmt::join(names, ", ")));
    }
    net_.output_name = graph_.output(0).name();
    for (int i = 0; i < graph_.node_size(); ++i) {
      node_ = &graph_.node(i);
      node_name_ = node_->name().empty() ? fmt::format("{}#{}", node_->op_type(), i) : node_->name();
      if (node_->op_type() != "Constant") import_node();
    }
    node_ = nullptr;
    if (net_.layers.empty())
      fail(fmt::format("the graph has no layers (supported operators: {})", kSupported));
    if (current_ != net_.output_name)
      fail(fmt::format("the graph output '{}' is not the last node's output '{}' ({})", net_.output_name,
                       current_, prev_));
    return std::move(net_);
  }

 private:
  // --- errors ---------------------------------------------------------------------------
  [[noreturn]] void fail(const std::string& message) const { throw InputError(path_ + ": " + message); }
  std::string node_text() const { return fmt::format("node '{}' ({})", node_name_, node_->op_type()); }
  [[noreturn]] void fail_node(const std::string& message) const { fail(node_text() + ": " + message); }

  // --- constants (initializers and Constant nodes) ---------------------------------------
  void collect_constants() {
    for (const auto& t : graph_.initializer()) constants_[t.name()] = &t;
    for (int i = 0; i < graph_.node_size(); ++i) {
      const NodeProto& n = graph_.node(i);
      if (n.op_type() != "Constant") continue;
      node_ = &n;
      node_name_ = n.name().empty() ? fmt::format("Constant#{}", i) : n.name();
      if (n.output_size() != 1 || n.attribute_size() != 1)
        fail_node("expected one output and one value attribute");
      const AttributeProto& a = n.attribute(0);
      TensorProto& t = owned_.emplace_back();
      if (a.name() == "value" && a.type() == AttributeProto::TENSOR) {
        t = a.t();
      } else if (a.name() == "value_float" && a.type() == AttributeProto::FLOAT) {
        t.set_data_type(TensorProto::FLOAT);
        t.add_float_data(a.f());
      } else if (a.name() == "value_floats" && a.type() == AttributeProto::FLOATS) {
        t.set_data_type(TensorProto::FLOAT);
        t.add_dims(a.floats_size());
        *t.mutable_float_data() = a.floats();
      } else if (a.name() == "value_int" && a.type() == AttributeProto::INT) {
        t.set_data_type(TensorProto::INT64);
        t.add_int64_data(a.i());
      } else if (a.name() == "value_ints" && a.type() == AttributeProto::INTS) {
        t.set_data_type(TensorProto::INT64);
        t.add_dims(a.ints_size());
        *t.mutable_int64_data() = a.ints();
      } else {
        fail_node(fmt::format(
            "attribute '{}' is not supported (expected value, value_float(s) or value_int(s))", a.name()));
      }
      t.set_name(n.output(0));
      constants_[n.output(0)] = &t;
    }
    node_ = nullptr;
  }

  bool is_constant(const std::string& name) const { return constants_.count(name) != 0; }

  std::vector<int64_t> dims_of(const TensorProto& t, const std::string& what) const {
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    for (int64_t d : dims)
      if (d <= 0)
        fail_node(
            fmt::format("{} '{}' has shape {}, expected positive sizes", what, t.name(), shape_string(dims)));
    if (!fits_tensor_limit(dims))
      fail_node(
          fmt::format("{} '{}' has shape {}, more than 2^31 values", what, t.name(), shape_string(dims)));
    return dims;
  }

  // The constant named by input `index`, `what` ("weight", "bias", ...) for messages.
  const TensorProto& constant_input(int index, const std::string& what) const {
    const std::string& name = node_->input(index);
    const auto it = constants_.find(name);
    if (it == constants_.end())
      fail_node(fmt::format("{} '{}' is not an initializer or Constant (computed {}s are not supported)",
                            what, name, what));
    const TensorProto& t = *it->second;
    if (t.data_location() == TensorProto::EXTERNAL)
      fail_node(
          fmt::format("{} '{}' keeps its data in an external file, which is not supported (save the model "
                      "with its weights inside)",
                      what, name));
    return t;
  }

  FloatTensor float_input(int index, const std::string& what) const {
    const TensorProto& t = constant_input(index, what);
    if (t.data_type() != TensorProto::FLOAT)
      fail_node(fmt::format("{} '{}' is {}, expected float32", what, t.name(), dtype_name(t.data_type())));
    FloatTensor out;
    out.shape = dims_of(t, what);
    const int64_t n = out.size();
    if (!t.raw_data().empty()) {
      if (static_cast<int64_t>(t.raw_data().size()) != 4 * n)
        fail_node(fmt::format("{} '{}' has {} bytes of raw_data, its shape {} needs {}", what, t.name(),
                              t.raw_data().size(), shape_string(out.shape), 4 * n));
      out.data.resize(n);
      for (int64_t i = 0; i < n; ++i) {
        const auto bits = static_cast<uint32_t>(load_le(t.raw_data().data() + 4 * i, 4));
        std::memcpy(&out.data[i], &bits, 4);
      }
    } else {
      if (t.float_data_size() != n)
        fail_node(fmt::format("{} '{}' has {} values, its shape {} needs {}", what, t.name(),
                              t.float_data_size(), shape_string(out.shape), n));
      out.data.assign(t.float_data().begin(), t.float_data().end());
    }
    return out;
  }

  std::vector<int64_t> int64_input(int index, const std::string& what) const {
    const TensorProto& t = constant_input(index, what);
    if (t.data_type() != TensorProto::INT64)
      fail_node(fmt::format("{} '{}' is {}, expected int64", what, t.name(), dtype_name(t.data_type())));
    if (t.dims_size() > 1)
      fail_node(fmt::format("{} '{}' has {} dimensions, expected 1", what, t.name(), t.dims_size()));
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() % 8 != 0)
        fail_node(fmt::format("{} '{}' has {} bytes of raw_data, not a multiple of 8", what, t.name(),
                              t.raw_data().size()));
      std::vector<int64_t> out(t.raw_data().size() / 8);
      for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<int64_t>(load_le(t.raw_data().data() + 8 * i, 8));
      return out;
    }
    return {t.int64_data().begin(), t.int64_data().end()};
  }

  // --- attributes -----------------------------------------------------------------------
  void check_attributes(std::initializer_list<const char*> allowed) const {
    for (const auto& a : node_->attribute()) {
      bool ok = false;
      for (const char* name : allowed) ok = ok || a.name() == name;
      if (!ok)
        fail_node(allowed.size() == 0
                      ? fmt::format("attribute '{}' is not supported (expected none)", a.name())
                      : fmt::format("attribute '{}' is not supported (expected {})", a.name(),
                                    fmt::join(allowed, ", ")));
    }
  }

  const AttributeProto* attribute(const std::string& name, AttributeProto::AttributeType type) const {
    for (const auto& a : node_->attribute()) {
      if (a.name() != name) continue;
      if (a.type() != type)
        fail_node(fmt::format("attribute '{}' has type {}, expected {}", name,
                              AttributeProto::AttributeType_Name(a.type()),
                              AttributeProto::AttributeType_Name(type)));
      return &a;
    }
    return nullptr;
  }
  int64_t int_attr(const std::string& name, int64_t dflt) const {
    const AttributeProto* a = attribute(name, AttributeProto::INT);
    return a ? a->i() : dflt;
  }
  float float_attr(const std::string& name, float dflt) const {
    const AttributeProto* a = attribute(name, AttributeProto::FLOAT);
    return a ? a->f() : dflt;
  }
  std::string string_attr(const std::string& name, const std::string& dflt) const {
    const AttributeProto* a = attribute(name, AttributeProto::STRING);
    return a ? a->s() : dflt;
  }
  std::vector<int64_t> ints_attr(const std::string& name, std::vector<int64_t> dflt) const {
    const AttributeProto* a = attribute(name, AttributeProto::INTS);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : dflt;
  }

  // --- the chain ------------------------------------------------------------------------
  void read_input() {
    std::set<std::string> initializers;
    for (const auto& t : graph_.initializer()) initializers.insert(t.name());
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const auto& vi : graph_.input())
      if (initializers.count(vi.name()) == 0) inputs.push_back(&vi);
    if (inputs.empty()) fail("the graph has no input (besides initializers); expected one");
    if (inputs.size() > 1) {
      std::vector<std::string> names;
      for (const auto* vi : inputs) names.push_back("'" + vi->name() + "'");
      fail(fmt::format("the graph has {} inputs ({}); expected one (besides initializers)", inputs.size(),
                       fmt::join(names, ", ")));
    }
    const onnx::ValueInfoProto& in = *inputs[0];
    const std::string where = fmt::format("graph input '{}'", in.name());
    if (!in.type().has_tensor_type()) fail(where + " is not a tensor");
    const auto& tt = in.type().tensor_type();
    if (tt.elem_type() != TensorProto::FLOAT)
      fail(fmt::format("{} is {}, expected float32", where, dtype_name(tt.elem_type())));
    if (!tt.has_shape()) fail(where + " has no shape; expected [N, C, H, W] or [N, K]");
    std::vector<std::string> text;
    bool known = true;
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      text.push_back(d.has_dim_value()   ? std::to_string(d.dim_value())
                     : d.has_dim_param() ? d.dim_param()
                                         : "?");
      // The batch axis (0) may be anything; the per-sample sizes must be fixed.
      known = known && (i == 0 || (d.has_dim_value() && d.dim_value() > 0));
    }
    const std::string shape = fmt::format("[{}]", fmt::join(text, ", "));
    const int rank = tt.shape().dim_size();
    if (rank != 4 && rank != 2)
      fail(fmt::format("{} has shape {}; expected [N, C, H, W] or [N, K] (N the batch)", where, shape));
    if (!known)
      fail(fmt::format("{} has shape {}; expected fixed positive sizes after the batch axis", where, shape));
    std::vector<int64_t> sample;
    for (int i = 1; i < rank; ++i) sample.push_back(tt.shape().dim(i).dim_value());
    if (!fits_tensor_limit(sample))
      fail(fmt::format("{} has shape {}; more than 2^31 values a sample", where, shape));
    const auto& batch = tt.shape().dim(0);
    batch_ = batch.has_dim_value() && batch.dim_value() > 0 ? batch.dim_value() : -1;
    net_.input_name = in.name();
    for (int i = 1; i < rank; ++i) net_.input_shape.push_back(tt.shape().dim(i).dim_value());
    current_ = in.name();
    shape_ = net_.input_shape;
    prev_ = "the graph input";
  }

  void check_arity(int min_inputs, int max_inputs) const {
    int n = node_->input_size();
    while (n > min_inputs && node_->input(n - 1).empty()) --n;  // trailing "" = omitted optional input
    if (n < min_inputs || n > max_inputs)
      fail_node(min_inputs == max_inputs
                    ? fmt::format("has {} inputs, expected {}", n, min_inputs)
                    : fmt::format("has {} inputs, expected {} to {}", n, min_inputs, max_inputs));
    if (node_->output_size() < 1 || node_->output(0).empty()) fail_node("has no output");
  }
  bool has_input(int index) const { return node_->input_size() > index && !node_->input(index).empty(); }

  // Input `index` must be the tensor the chain has reached.
  void expect_chain_input(int index) const {
    const std::string& name = node_->input(index);
    if (name == current_) return;
    if (is_constant(name))
      fail_node(
          fmt::format("input '{}' is a constant, expected the previous layer's output '{}'", name, current_));
    fail_node(
        fmt::format("input '{}' is not the previous layer's output '{}' ({}); only a chain of layers is "
                    "supported, not branches or skip connections",
                    name, current_, prev_));
  }

  void advance() {
    current_ = node_->output(0);
    prev_ = node_text();
  }

  void need_chw() const {
    if (shape_.size() != 3)
      fail_node(fmt::format("needs a [C, H, W] input, the incoming tensor is {}", shape_string(shape_)));
  }
  void need_flat(const std::string& hint) const {
    if (shape_.size() != 1)
      fail_node(
          fmt::format("the incoming tensor is {}, expected a flat one: {}", shape_string(shape_), hint));
  }

  void add_layer(Layer layer) {
    layer.name = node_name_;
    net_.layers.push_back(std::move(layer));
    shape_ = shape_after(net_, net_.layers.size());
  }

  unsigned small(int64_t v, const std::string& what) const {
    if (v < 0 || v > (int64_t{1} << 20)) fail_node(fmt::format("{} {} is out of range", what, v));
    return static_cast<unsigned>(v);
  }

  // strides / pads / auto_pad of a 2-D window (Conv, MaxPool, AveragePool) of kernel kh x kw,
  // checked against the incoming [C, H, W] so that the output is at least 1 x 1.
  void read_window(Layer& l, int64_t kh, int64_t kw, bool pool) const {
    l.kernel_h = small(kh, "kernel height");
    l.kernel_w = small(kw, "kernel width");
    const std::vector<int64_t> strides = ints_attr("strides", {1, 1});
    if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
      fail_node(
          fmt::format("strides {} are not supported (expected two values >= 1)", shape_string(strides)));
    l.stride_y = small(strides[0], "stride");
    l.stride_x = small(strides[1], "stride");
    const std::string auto_pad = string_attr("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET" && auto_pad != "VALID")
      fail_node(fmt::format("auto_pad {} is not supported (expected NOTSET with explicit pads)", auto_pad));
    const std::vector<int64_t> pads = ints_attr("pads", {0, 0, 0, 0});
    if (auto_pad == "VALID" && attribute("pads", AttributeProto::INTS) != nullptr)
      fail_node("auto_pad VALID together with pads (expected one of them)");
    if (pads.size() != 4 || pads[0] < 0 || pads[1] < 0)
      fail_node(fmt::format("pads {} are not supported (expected [top, left, bottom, right] >= 0)",
                            shape_string(pads)));
    if (pads[0] != pads[2] || pads[1] != pads[3])
      fail_node(fmt::format("pads {} are not symmetric (expected top == bottom and left == right)",
                            shape_string(pads)));
    l.pad_y = small(pads[0], "pad");
    l.pad_x = small(pads[1], "pad");
    // ONNX requires a pool's padding to be smaller than its window (a window of padding only
    // has no defined max or average).
    if (pool && (pads[0] >= kh || pads[1] >= kw))
      fail_node(fmt::format("pads {} are not smaller than the kernel {}x{}", shape_string(pads), kh, kw));
    if (shape_[1] + 2 * pads[0] < kh || shape_[2] + 2 * pads[1] < kw)
      fail_node(fmt::format("the kernel {}x{} is larger than the padded input {}x{} (incoming {}, pads {})",
                            kh, kw, shape_[1] + 2 * pads[0], shape_[2] + 2 * pads[1], shape_string(shape_),
                            shape_string(pads)));
  }

  void import_node() {
    const std::string& op = node_->op_type();
    if (!node_->domain().empty() && node_->domain() != "ai.onnx")
      fail_node(fmt::format("operator domain '{}' is not supported (expected the ONNX domain; supported: {})",
                            node_->domain(), kSupported));
    static const std::set<std::string> known = {"Conv",    "Gemm",    "MatMul",      "Add",
                                                "Relu",    "MaxPool", "AveragePool", "Flatten",
                                                "Reshape", "Softmax", "Identity",    "Dropout"};
    if (known.count(op) == 0) fail_node(fmt::format("unsupported operator (supported: {})", kSupported));
    if (!softmax_.empty() && op != "Identity" && op != "Dropout")
      fail_node(fmt::format("follows {}; Softmax is supported only as the last layer", softmax_));
    if (op == "Conv") return conv();
    if (op == "Gemm") return gemm();
    if (op == "MatMul") return matmul();
    if (op == "Add") return add();
    if (op == "Relu") return relu();
    if (op == "MaxPool" || op == "AveragePool") return pool(op == "MaxPool");
    if (op == "Flatten") return flatten();
    if (op == "Reshape") return reshape();
    if (op == "Softmax") return softmax();
    // Identity, and Dropout, which is the identity at inference.
    check_arity(1, op == "Dropout" ? 3 : 1);
    expect_chain_input(0);
    advance();
  }

  void conv() {
    check_arity(2, 3);
    check_attributes({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
    expect_chain_input(0);
    need_chw();
    Layer l;
    l.kind = LayerKind::kConv;
    l.weights = float_input(1, "weight");
    const auto& w = l.weights.shape;
    if (w.size() != 4)
      fail_node(
          fmt::format("weight '{}' has shape {}, expected [K, C, R, S]", node_->input(1), shape_string(w)));
    const int64_t group = int_attr("group", 1);
    if (group != 1) fail_node(fmt::format("group {} is not supported (expected 1)", group));
    if (w[1] != shape_[0])
      fail_node(fmt::format("weight '{}' {} has C = {} input channels, the incoming tensor {} has {}",
                            node_->input(1), shape_string(w), w[1], shape_string(shape_), shape_[0]));
    const std::vector<int64_t> dilations = ints_attr("dilations", {1, 1});
    if (dilations != std::vector<int64_t>{1, 1})
      fail_node(fmt::format("dilations {} are not supported (expected [1, 1])", shape_string(dilations)));
    const std::vector<int64_t> kernel = ints_attr("kernel_shape", {w[2], w[3]});
    if (kernel != std::vector<int64_t>{w[2], w[3]})
      fail_node(fmt::format("kernel_shape {} does not match the weight's [R, S] = [{}, {}]",
                            shape_string(kernel), w[2], w[3]));
    read_window(l, w[2], w[3], false);
    if (has_input(2)) {
      const FloatTensor b = float_input(2, "bias");
      if (b.shape != std::vector<int64_t>{w[0]})
        fail_node(fmt::format("bias '{}' has shape {}, expected [{}] (K)", node_->input(2),
                              shape_string(b.shape), w[0]));
      l.bias = b.data;
    }
    add_layer(std::move(l));
    advance();
    fusable_ = true;
  }

  // A dense layer from weights [N, K] (already transposed), bias optional.
  void dense(FloatTensor weights, std::vector<float> bias) {
    Layer l;
    l.kind = LayerKind::kDense;
    l.weights = std::move(weights);
    l.bias = std::move(bias);
    add_layer(std::move(l));
    advance();
    fusable_ = true;
  }

  void check_dense_k(int64_t k, int input) const {
    if (k != shape_[0])
      fail_node(fmt::format("weight '{}' has K = {} inputs, the incoming tensor has {} values",
                            node_->input(input), k, shape_[0]));
  }

  static constexpr const char* kFlattenHint = "add a Flatten (or Reshape to [N, -1]) before it";

  void gemm() {
    check_arity(2, 3);
    check_attributes({"alpha", "beta", "transA", "transB"});
    expect_chain_input(0);
    need_flat(kFlattenHint);
    if (const float alpha = float_attr("alpha", 1.0f); alpha != 1.0f)
      fail_node(fmt::format("alpha {} is not supported (expected 1)", alpha));
    if (const int64_t trans_a = int_attr("transA", 0); trans_a != 0)
      fail_node(fmt::format("transA {} is not supported (expected 0)", trans_a));
    const int64_t trans_b = int_attr("transB", 0);
    if (trans_b != 0 && trans_b != 1)
      fail_node(fmt::format("transB {} is not supported (expected 0 or 1)", trans_b));
    FloatTensor w = float_input(1, "weight");
    if (w.shape.size() != 2)
      fail_node(fmt::format("weight '{}' has shape {}, expected {}", node_->input(1), shape_string(w.shape),
                            trans_b ? "[N, K]" : "[K, N]"));
    if (!trans_b) w = transposed(w);  // stored as [N out, K in]
    check_dense_k(w.shape[1], 1);
    std::vector<float> bias;
    if (has_input(2)) {
      if (const float beta = float_attr("beta", 1.0f); beta != 1.0f)
        fail_node(fmt::format("beta {} is not supported (expected 1)", beta));
      const FloatTensor c = float_input(2, "bias");
      const int64_t n = w.shape[0];
      if (c.shape != std::vector<int64_t>{n} && c.shape != std::vector<int64_t>{1, n})
        fail_node(fmt::format("bias '{}' has shape {}, expected [{}] or [1, {}] (N)", node_->input(2),
                              shape_string(c.shape), n, n));
      bias = c.data;
    }
    dense(std::move(w), std::move(bias));
  }

  void matmul() {
    check_arity(2, 2);
    check_attributes({});
    expect_chain_input(0);
    need_flat(kFlattenHint);
    const FloatTensor w = float_input(1, "weight");
    if (w.shape.size() != 2)
      fail_node(
          fmt::format("weight '{}' has shape {}, expected [K, N]", node_->input(1), shape_string(w.shape)));
    check_dense_k(w.shape[0], 1);
    dense(transposed(w), {});
  }

  static constexpr const char* kFusesAfter = "directly after Conv, Gemm or MatMul";

  // A constant per-output-channel bias, folded into the preceding Conv / dense layer.
  void add() {
    check_arity(2, 2);
    check_attributes({});
    // The data operand may come second (Add is commutative); a message names the computed one.
    const int data = node_->input(1) == current_ || is_constant(node_->input(0)) ? 1 : 0;
    expect_chain_input(data);
    const int other = 1 - data;
    if (!is_constant(node_->input(other)))
      fail_node(
          fmt::format("adds two computed tensors ('{}' and '{}'), a skip connection, which is not supported; "
                      "Add is supported only as a constant bias {}",
                      node_->input(0), node_->input(1), kFusesAfter));
    if (!fusable_)
      fail_node(fmt::format("Add is supported only as a constant bias {} (before any Relu), not after {}",
                            kFusesAfter, prev_));
    Layer& l = net_.layers.back();
    const FloatTensor b = float_input(other, "bias");
    const int64_t n = l.weights.shape[0];
    const bool conv = l.kind == LayerKind::kConv;
    const bool ok =
        conv ? b.shape == std::vector<int64_t>{n, 1, 1} || b.shape == std::vector<int64_t>{1, n, 1, 1}
             : b.shape == std::vector<int64_t>{n} || b.shape == std::vector<int64_t>{1, n};
    if (!ok)
      fail_node(fmt::format(
          "bias '{}' has shape {}, expected one value per output channel: {}", node_->input(other),
          shape_string(b.shape),
          conv ? fmt::format("[{0}, 1, 1] or [1, {0}, 1, 1]", n) : fmt::format("[{0}] or [1, {0}]", n)));
    if (l.bias.empty()) l.bias.assign(n, 0.0f);
    for (int64_t i = 0; i < n; ++i) l.bias[i] += b.data[i];
    advance();
  }

  void relu() {
    check_arity(1, 1);
    check_attributes({});
    expect_chain_input(0);
    if (!fusable_)
      fail_node(
          fmt::format("Relu is supported only {} (or their bias Add), not after {}", kFusesAfter, prev_));
    net_.layers.back().relu = true;
    fusable_ = false;
    advance();
  }

  void pool(bool max) {
    check_arity(1, 1);
    if (max)
      check_attributes(
          {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
    else
      check_attributes({"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
    expect_chain_input(0);
    need_chw();
    if (node_->output_size() > 1 && !node_->output(1).empty())
      fail_node("the Indices output is not supported");
    const std::vector<int64_t> kernel = ints_attr("kernel_shape", {});
    if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1)
      fail_node(
          fmt::format("kernel_shape {} is not supported (expected two values >= 1)", shape_string(kernel)));
    if (const int64_t ceil_mode = int_attr("ceil_mode", 0); ceil_mode != 0)
      fail_node(fmt::format("ceil_mode {} is not supported (expected 0)", ceil_mode));
    if (max) {
      const std::vector<int64_t> dilations = ints_attr("dilations", {1, 1});
      if (dilations != std::vector<int64_t>{1, 1})
        fail_node(fmt::format("dilations {} are not supported (expected [1, 1])", shape_string(dilations)));
    }
    Layer l;
    l.kind = max ? LayerKind::kMaxPool : LayerKind::kAvgPool;
    if (!max) {
      const int64_t cip = int_attr("count_include_pad", 0);
      if (cip != 0 && cip != 1)
        fail_node(fmt::format("count_include_pad {} is not supported (expected 0 or 1)", cip));
      l.count_include_pad = cip == 1;
    }
    read_window(l, kernel[0], kernel[1], true);
    add_layer(std::move(l));
    advance();
    fusable_ = false;
  }

  // [C, H, W] -> [C*H*W] as a layer; on an already flat tensor a no-op.
  void flatten_or_skip() {
    if (shape_.size() == 3) {
      Layer l;
      l.kind = LayerKind::kFlatten;
      add_layer(std::move(l));
      advance();
      fusable_ = false;
    } else {
      advance();
    }
  }

  void flatten() {
    check_arity(1, 1);
    check_attributes({"axis"});
    expect_chain_input(0);
    if (const int64_t axis = int_attr("axis", 1); axis != 1)
      fail_node(fmt::format("axis {} is not supported (expected 1)", axis));
    flatten_or_skip();
  }

  void reshape() {
    check_arity(1, 2);
    check_attributes({"allowzero", "shape"});  // "shape": the attribute form before opset 5
    expect_chain_input(0);
    std::vector<int64_t> target;
    if (has_input(1))
      target = int64_input(1, "shape");
    else if (const AttributeProto* a = attribute("shape", AttributeProto::INTS))
      target.assign(a->ints().begin(), a->ints().end());
    else
      fail_node("has no shape input");
    const bool allow_zero = int_attr("allowzero", 0) != 0;
    int64_t flat = 1;
    for (int64_t d : shape_) flat *= d;
    // Accepted: [batch, -1], [batch, flat], [-1, flat], [0, -1], [0, flat] (0 copies the batch
    // unless allowzero). A fixed batch is accepted when the input's batch is symbolic.
    bool ok = target.size() == 2;
    if (ok) {
      const int64_t a = target[0], b = target[1];
      const bool batch_ok = (a == 0 && !allow_zero) || a == -1 || (a > 0 && (batch_ < 0 || a == batch_));
      ok = batch_ok && (b == flat || (b == -1 && a != -1));
    }
    if (!ok)
      fail_node(
          fmt::format("shape {} is not supported on the incoming {} (expected a flattening one: [N, -1], "
                      "[0, -1], [-1, {}] or [N, {}], N the batch)",
                      shape_string(target), shape_string(shape_), flat, flat));
    flatten_or_skip();
  }

  void softmax() {
    check_arity(1, 1);
    check_attributes({"axis"});
    expect_chain_input(0);
    // The default axis changed in opset 13 (1 -> -1); on a flat [N, K] tensor both mean K.
    if (const int64_t axis = int_attr("axis", -1); axis != 1 && axis != -1)
      fail_node(fmt::format("axis {} is not supported (expected -1 or 1)", axis));
    need_flat("Softmax is supported over a flat tensor only, e.g. after Gemm");
    Layer l;
    l.kind = LayerKind::kSoftmax;
    add_layer(std::move(l));
    advance();
    fusable_ = false;
    softmax_ = node_text();
  }

  const std::string path_;
  const onnx::GraphProto& graph_;
  std::map<std::string, const TensorProto*> constants_;
  std::deque<TensorProto> owned_;  // Constant nodes' values; a deque keeps the pointers valid
  Network net_;
  int64_t batch_ = -1;  // the input's batch size, -1 if symbolic

  const NodeProto* node_ = nullptr;  // the node being imported
  std::string node_name_;

  std::string current_;         // the tensor the chain has reached
  std::vector<int64_t> shape_;  // its per-sample shape
  std::string prev_;            // the node that made it ("the graph input" at first), for messages
  bool fusable_ = false;        // current_ is a Conv / dense output an Add or Relu can fold into
  std::string softmax_;         // the Softmax node, once seen
};

}  // namespace

Network import_onnx(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a directory, expected an ONNX model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the ONNX model (" + std::strerror(errno) + ")");
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw InputError(path + ": cannot read the ONNX model");
  onnx::ModelProto model;
  // An empty or foreign file can parse as a ModelProto with unknown fields only; a model
  // always has a graph.
  if (!model.ParseFromString(bytes.str()) || !model.has_graph())
    throw InputError(path +
                     ": not an ONNX model (the file does not parse as an ONNX ModelProto with a graph)");
  return Importer(path, model.graph()).run();
}

}  // namespace dnngen::infer
