// The ONNX importer (dnngen infer): a conv-relu-maxpool-flatten-gemm-relu-matmul-softmax
// chain imports with the right layer kinds, names, per-sample shapes (shape_after), weights
// (Gemm transB = 0 and MatMul transposed to [N, K]), bias folding from Add and Relu fusion;
// weights from raw_data, float_data and Constant nodes give the same network; Identity,
// Dropout and Flatten / Reshape on a flat tensor are skipped; and every class of unsupported
// model fails with an InputError naming the file, the node (name and op_type) and what was
// expected. The models are built here with the protobuf classes, so no python is needed.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/infer/network.hpp"
#include "dnngen/infer/onnx_import.hpp"
#include "test_support.hpp"

namespace dnngen::infer {
namespace {

using Shape = std::vector<int64_t>;
using Floats = std::vector<float>;

// Distinct, exactly representable values, so a transposition or a misplaced element shows.
Floats ramp(int64_t n, float offset = 0.0f) {
  Floats v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = offset + 0.25f * static_cast<float>(i) - 8.0f;
  return v;
}

void fill(onnx::TensorProto& t, const std::string& name, const Shape& shape, const Floats& data, bool raw) {
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : shape) t.add_dims(d);
  if (raw) {
    // Little-endian, as ONNX fixes raw_data's byte order.
    std::string bytes;
    for (float f : data) {
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
    }
    t.set_raw_data(bytes);
  } else {
    for (float f : data) t.add_float_data(f);
  }
}

void set_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void set_ints(onnx::NodeProto& n, const std::string& name, const Shape& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void set_float(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void set_string(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// An ONNX model under construction (opset 13).
struct Model {
  onnx::ModelProto proto;

  Model() {
    proto.set_ir_version(8);
    auto* opset = proto.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    proto.mutable_graph()->set_name("test");
  }
  onnx::GraphProto& graph() { return *proto.mutable_graph(); }

  // A float graph input; a dimension < 0 is the symbolic batch "N".
  Model& input(const std::string& name, const Shape& dims) {
    auto* vi = graph().add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) {
      auto* dim = tt->mutable_shape()->add_dim();
      if (d < 0)
        dim->set_dim_param("N");
      else
        dim->set_dim_value(d);
    }
    return *this;
  }
  Model& output(const std::string& name) {
    graph().add_output()->set_name(name);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out, const std::string& name) {
    auto* n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return *n;
  }
  onnx::TensorProto& init(const std::string& name, const Shape& shape, const Floats& data, bool raw = false) {
    auto* t = graph().add_initializer();
    fill(*t, name, shape, data, raw);
    return *t;
  }
  Model& init_i64(const std::string& name, const Shape& values) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }
};

// x [N, 4] -> Gemm 'fc' (W [3, 4], transB 1) -> y
Model dense_model() {
  Model m;
  m.input("x", {-1, 4}).output("y");
  m.init("W", {3, 4}, ramp(12));
  set_int(m.node("Gemm", {"x", "W"}, {"y"}, "fc"), "transB", 1);
  return m;
}

// x [1, 3, 8, 8] -> Conv 'conv3' (W [K, C, 3, 3]) -> y
Model conv_model(int64_t k = 4, int64_t c = 3) {
  Model m;
  m.input("x", {1, 3, 8, 8}).output("y");
  m.init("W", {k, c, 3, 3}, ramp(k * c * 9));
  m.node("Conv", {"x", "W"}, {"y"}, "conv3");
  return m;
}

class OnnxImport : public ::testing::Test {
 protected:
  std::string save(const Model& m, const std::string& file = "net.onnx") {
    const std::string path = (dir_.path() / file).string();
    std::ofstream out(path, std::ios::binary);
    if (!m.proto.SerializeToOstream(&out)) ADD_FAILURE() << "cannot write " << path;
    return path;
  }
  std::string save_bytes(const std::string& bytes, const std::string& file) {
    const std::string path = (dir_.path() / file).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // The InputError message for a model that must not import.
  std::string error_of(const Model& m) { return error_at(save(m)); }
  static std::string error_at(const std::string& path) {
    try {
      import_onnx(path);
    } catch (const InputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected InputError from import_onnx(" << path << ")";
    return "";
  }
  std::string path_of(const std::string& file) const { return (dir_.path() / file).string(); }

 private:
  test_support::TempDir dir_{"dnngen_onnx_"};
};

// The full chain: every supported layer kind, bias folding (also with the constant operand
// first), Relu fusion after a folded Add, and both dense weight layouts.
Model chain_model(bool raw) {
  Model m;
  m.input("x", {-1, 3, 8, 8}).output("y");
  m.init("W1", {4, 3, 3, 3}, ramp(108), raw);
  m.init("B1", {4}, {1.0f, 2.0f, 3.0f, 4.0f}, raw);
  m.init("cb", {1, 4, 1, 1}, {0.5f, 0.25f, -1.0f, 8.0f}, raw);
  m.init("G", {64, 5}, ramp(320, 1.0f), raw);  // [K, N]: transB 0
  m.init("C", {5}, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, raw);
  m.init("M", {5, 3}, ramp(15, 2.0f), raw);  // MatMul [K, N]
  m.init("mb", {3}, {-1.0f, 0.0f, 1.0f}, raw);
  auto& conv = m.node("Conv", {"x", "W1", "B1"}, {"c1"}, "conv1");
  set_ints(conv, "pads", {1, 1, 1, 1});
  set_ints(conv, "kernel_shape", {3, 3});
  set_ints(conv, "strides", {1, 1});
  m.node("Add", {"c1", "cb"}, {"a1"}, "add1");
  m.node("Relu", {"a1"}, {"r1"}, "relu1");
  auto& pool = m.node("MaxPool", {"r1"}, {"p1"}, "pool1");
  set_ints(pool, "kernel_shape", {2, 2});
  set_ints(pool, "strides", {2, 2});
  m.node("Flatten", {"p1"}, {"f1"}, "flat");
  m.node("Gemm", {"f1", "G", "C"}, {"g1"}, "fc1");
  m.node("Relu", {"g1"}, {"r2"}, "relu2");
  m.node("MatMul", {"r2", "M"}, {"m2"}, "fc2");
  m.node("Add", {"mb", "m2"}, {"a2"}, "add2");
  set_int(m.node("Softmax", {"a2"}, {"y"}, "sm"), "axis", -1);
  return m;
}

TEST_F(OnnxImport, ChainImportsKindsShapesWeightsBiasAndRelu) {
  const Network net = import_onnx(save(chain_model(false)));
  EXPECT_EQ(net.input_name, "x");
  EXPECT_EQ(net.output_name, "y");
  EXPECT_EQ(net.input_shape, (Shape{3, 8, 8}));
  ASSERT_EQ(net.layers.size(), 6u);
  const LayerKind kinds[] = {LayerKind::kConv,  LayerKind::kMaxPool, LayerKind::kFlatten,
                             LayerKind::kDense, LayerKind::kDense,   LayerKind::kSoftmax};
  const char* names[] = {"conv1", "pool1", "flat", "fc1", "fc2", "sm"};
  const Shape shapes[] = {{3, 8, 8}, {4, 8, 8}, {4, 4, 4}, {64}, {5}, {3}, {3}};
  for (size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_EQ(net.layers[i].kind, kinds[i]) << "layer " << i;
    EXPECT_EQ(net.layers[i].name, names[i]) << "layer " << i;
  }
  for (size_t i = 0; i <= net.layers.size(); ++i) EXPECT_EQ(shape_after(net, i), shapes[i]) << "after " << i;

  const Layer& conv = net.layers[0];
  EXPECT_EQ(conv.weights.shape, (Shape{4, 3, 3, 3}));
  EXPECT_EQ(conv.weights.data, ramp(108));
  EXPECT_EQ(conv.bias, (Floats{1.5f, 2.25f, 2.0f, 12.0f})) << "B + the folded Add";
  EXPECT_TRUE(conv.relu);
  EXPECT_EQ(conv.kernel_h, 3u);
  EXPECT_EQ(conv.kernel_w, 3u);
  EXPECT_EQ(conv.pad_y, 1u);
  EXPECT_EQ(conv.pad_x, 1u);
  EXPECT_EQ(conv.stride_y, 1u);

  const Layer& pool = net.layers[1];
  EXPECT_EQ(pool.kernel_h, 2u);
  EXPECT_EQ(pool.stride_x, 2u);
  EXPECT_EQ(pool.pad_y, 0u);

  const Layer& fc1 = net.layers[3];
  ASSERT_EQ(fc1.weights.shape, (Shape{5, 64})) << "Gemm transB 0: [K, N] stored as [N, K]";
  const Floats g = ramp(320, 1.0f);
  for (int64_t n = 0; n < 5; ++n)
    for (int64_t k = 0; k < 64; ++k) ASSERT_EQ(fc1.weights.data[n * 64 + k], g[k * 5 + n]) << n << "," << k;
  EXPECT_EQ(fc1.bias, (Floats{0.1f, 0.2f, 0.3f, 0.4f, 0.5f}));
  EXPECT_TRUE(fc1.relu);

  const Layer& fc2 = net.layers[4];
  ASSERT_EQ(fc2.weights.shape, (Shape{3, 5})) << "MatMul [K, N] stored as [N, K]";
  const Floats mw = ramp(15, 2.0f);
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t k = 0; k < 5; ++k) EXPECT_EQ(fc2.weights.data[n * 5 + k], mw[k * 3 + n]) << n << "," << k;
  EXPECT_EQ(fc2.bias, (Floats{-1.0f, 0.0f, 1.0f})) << "Add with the constant first";
  EXPECT_FALSE(fc2.relu);
}

TEST_F(OnnxImport, RawDataAndFloatDataGiveTheSameNetwork) {
  const Network a = import_onnx(save(chain_model(false), "float.onnx"));
  const Network b = import_onnx(save(chain_model(true), "raw.onnx"));
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].weights.shape, b.layers[i].weights.shape) << "layer " << i;
    EXPECT_EQ(a.layers[i].weights.data, b.layers[i].weights.data) << "layer " << i;
    EXPECT_EQ(a.layers[i].bias, b.layers[i].bias) << "layer " << i;
  }
}

TEST_F(OnnxImport, ConstantNodesGiveWeightsAndReshapeShape) {
  Model m;
  m.input("x", {-1, 2, 4, 4}).output("y");
  auto& w = m.node("Constant", {}, {"W"}, "w_const");
  auto* wa = w.add_attribute();
  wa->set_name("value");
  wa->set_type(onnx::AttributeProto::TENSOR);
  fill(*wa->mutable_t(), "", {3, 2, 2, 2}, ramp(24), true);
  auto& s = m.node("Constant", {}, {"shape"}, "");  // unnamed: "Constant#1"
  set_ints(s, "value_ints", {0, -1});
  auto& fcw = m.node("Constant", {}, {"F"}, "f_const");
  auto* fa = fcw.add_attribute();
  fa->set_name("value");
  fa->set_type(onnx::AttributeProto::TENSOR);
  fill(*fa->mutable_t(), "", {2, 27}, ramp(54), false);
  auto& conv = m.node("Conv", {"x", "W"}, {"c"}, "");  // unnamed: "Conv#3"
  set_ints(conv, "strides", {1, 1});
  m.node("Reshape", {"c", "shape"}, {"r"}, "reshape");
  set_int(m.node("Gemm", {"r", "F"}, {"y"}, "fc"), "transB", 1);
  const Network net = import_onnx(save(m));
  ASSERT_EQ(net.layers.size(), 3u);
  EXPECT_EQ(net.layers[0].name, "Conv#3");
  EXPECT_EQ(net.layers[0].weights.data, ramp(24));
  EXPECT_EQ(net.layers[1].kind, LayerKind::kFlatten) << "Reshape [0, -1] of [3, 3, 3]";
  EXPECT_EQ(net.layers[2].weights.shape, (Shape{2, 27})) << "transB 1: stored as given";
  EXPECT_EQ(net.layers[2].weights.data, ramp(54));
  EXPECT_EQ(shape_after(net, 3), (Shape{2}));
}

TEST_F(OnnxImport, FlatInputSkipsIdentityDropoutFlattenAndReshape) {
  Model m;
  m.input("x", {-1, 4}).output("y");
  m.init("W", {3, 4}, ramp(12));
  m.init("b", {1, 3}, {1.0f, 2.0f, 3.0f});
  m.init_i64("shape", {-1, 4});
  m.node("Identity", {"x"}, {"i"}, "id");
  m.node("Flatten", {"i"}, {"f"}, "flat");
  m.node("Reshape", {"f", "shape"}, {"r"}, "reshape");
  set_int(m.node("Gemm", {"r", "W", "b"}, {"g"}, "fc"), "transB", 1);
  m.node("Dropout", {"g"}, {"d"}, "drop");
  m.node("Relu", {"d"}, {"y"}, "relu");
  const Network net = import_onnx(save(m));
  EXPECT_EQ(net.input_shape, (Shape{4})) << "[N, K] gives [K]";
  ASSERT_EQ(net.layers.size(), 1u);
  EXPECT_EQ(net.layers[0].kind, LayerKind::kDense);
  EXPECT_EQ(net.layers[0].bias, (Floats{1.0f, 2.0f, 3.0f})) << "C of shape [1, N]";
  EXPECT_TRUE(net.layers[0].relu) << "Dropout is skipped, so Relu still follows the Gemm";
  EXPECT_EQ(shape_after(net, 1), (Shape{3}));
}

TEST_F(OnnxImport, AveragePoolAndStridedConvFloorTheirOutput) {
  Model m;
  m.input("x", {1, 1, 8, 8}).output("y");
  m.init("W", {2, 1, 3, 3}, ramp(18));
  set_ints(m.node("Conv", {"x", "W"}, {"c"}, "conv"), "strides", {2, 2});  // (8 - 3) / 2 + 1 = 3
  auto& pool = m.node("AveragePool", {"c"}, {"y"}, "avg");
  set_ints(pool, "kernel_shape", {2, 2});
  set_ints(pool, "pads", {1, 1, 1, 1});  // (3 + 2 - 2) / 1 + 1 = 4
  set_int(pool, "count_include_pad", 1);
  const Network net = import_onnx(save(m));
  ASSERT_EQ(net.layers.size(), 2u);
  EXPECT_EQ(net.layers[1].kind, LayerKind::kAvgPool);
  EXPECT_TRUE(net.layers[1].count_include_pad);
  EXPECT_EQ(net.layers[1].pad_x, 1u);
  EXPECT_EQ(shape_after(net, 1), (Shape{2, 3, 3}));
  EXPECT_EQ(shape_after(net, 2), (Shape{2, 4, 4}));
}

// --- errors: each names the file, the node and what was expected ---------------------------

TEST_F(OnnxImport, RejectsMissingAndNonOnnxFiles) {
  const std::string missing = path_of("missing.onnx");
  EXPECT_EQ(error_at(missing), missing + ": cannot open the ONNX model (No such file or directory)");
  const std::string text = save_bytes("this is not a model\n", "text.onnx");
  EXPECT_EQ(error_at(text),
            text + ": not an ONNX model (the file does not parse as an ONNX ModelProto with a graph)");
  const std::string empty = save_bytes("", "empty.onnx");
  EXPECT_NE(error_at(empty).find("not an ONNX model"), std::string::npos)
      << "an empty file parses, without a graph";
}

TEST_F(OnnxImport, RejectsNoneOrSeveralInputsAndBadInputShapes) {
  Model none;
  none.output("y");
  none.init("x", {4}, ramp(4));
  none.graph().add_input()->set_name("x");  // an initializer listed as an input only
  none.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_NE(error_of(none).find("net.onnx: the graph has no input (besides initializers); expected one"),
            std::string::npos);

  Model two = dense_model();
  two.input("z", {-1, 4});
  EXPECT_NE(error_of(two).find("the graph has 2 inputs ('x', 'z'); expected one"), std::string::npos);

  Model unknown;
  unknown.input("x", {-1, 3, 8, 8}).output("y");
  unknown.graph()
      .mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(2)
      ->set_dim_param("H");
  EXPECT_NE(error_of(unknown).find("graph input 'x' has shape [N, 3, H, 8]; expected fixed positive sizes"),
            std::string::npos);

  Model rank3;
  rank3.input("x", {-1, 3, 8}).output("y");
  EXPECT_NE(error_of(rank3).find("expected [N, C, H, W] or [N, K]"), std::string::npos);
}

TEST_F(OnnxImport, RejectsUnsupportedOperatorsListingTheSupportedOnes) {
  Model m = dense_model();
  m.graph().mutable_output(0)->set_name("t");
  m.node("Tanh", {"y"}, {"t"}, "");
  const std::string e = error_of(m);
  EXPECT_NE(e.find("net.onnx: node 'Tanh#1' (Tanh): unsupported operator (supported: Conv, Gemm, MatMul"),
            std::string::npos)
      << e;
}

TEST_F(OnnxImport, RejectsUnsupportedAttributeValues) {
  struct Case {
    const char* what;
    void (*edit)(onnx::NodeProto&);
    const char* message;
  };
  const Case cases[] = {
      {"group", [](onnx::NodeProto& n) { set_int(n, "group", 2); }, "group 2 is not supported (expected 1)"},
      {"dilations",
       [](onnx::NodeProto& n) {
         set_ints(n, "dilations", {2, 2});
       },
       "dilations [2, 2] are not supported (expected [1, 1])"},
      {"asymmetric pads",
       [](onnx::NodeProto& n) {
         set_ints(n, "pads", {1, 1, 0, 0});
       },
       "pads [1, 1, 0, 0] are not symmetric (expected top == bottom and left == right)"},
      {"auto_pad", [](onnx::NodeProto& n) { set_string(n, "auto_pad", "SAME_UPPER"); },
       "auto_pad SAME_UPPER is not supported (expected NOTSET with explicit pads)"},
      {"kernel_shape",
       [](onnx::NodeProto& n) {
         set_ints(n, "kernel_shape", {5, 5});
       },
       "kernel_shape [5, 5] does not match the weight's [R, S] = [3, 3]"},
      {"unknown attribute", [](onnx::NodeProto& n) { set_int(n, "frobnicate", 1); },
       "attribute 'frobnicate' is not supported (expected auto_pad, dilations, group, kernel_shape, pads, "
       "strides)"},
  };
  for (const Case& c : cases) {
    Model m = conv_model();
    c.edit(*m.graph().mutable_node(0));
    const std::string e = error_of(m);
    EXPECT_NE(e.find(std::string("net.onnx: node 'conv3' (Conv): ") + c.message), std::string::npos)
        << c.what << ": " << e;
  }

  Model gemm = dense_model();
  set_float(*gemm.graph().mutable_node(0), "alpha", 0.5f);
  EXPECT_NE(error_of(gemm).find("node 'fc' (Gemm): alpha 0.5 is not supported (expected 1)"),
            std::string::npos);

  Model ceil;
  ceil.input("x", {1, 1, 4, 4}).output("y");
  auto& pool = ceil.node("MaxPool", {"x"}, {"y"}, "pool");
  set_ints(pool, "kernel_shape", {3, 3});
  set_int(pool, "ceil_mode", 1);
  EXPECT_NE(error_of(ceil).find("node 'pool' (MaxPool): ceil_mode 1 is not supported (expected 0)"),
            std::string::npos);
}

TEST_F(OnnxImport, RejectsBranchesAndSkipConnections) {
  // The second Conv reads the graph input again instead of the Relu's output.
  Model branch;
  branch.input("x", {1, 3, 8, 8}).output("y");
  branch.init("W", {3, 3, 3, 3}, ramp(81));
  branch.node("Conv", {"x", "W"}, {"c1"}, "conv1");
  branch.node("Relu", {"c1"}, {"r1"}, "relu1");
  branch.node("Conv", {"x", "W"}, {"y"}, "conv2");
  EXPECT_NE(
      error_of(branch).find("node 'conv2' (Conv): input 'x' is not the previous layer's output 'r1' (node "
                            "'relu1' (Relu)); only a chain of layers is supported, not branches or skip "
                            "connections"),
      std::string::npos);

  // A residual Add of the block's input and its output.
  Model skip;
  skip.input("x", {1, 3, 8, 8}).output("y");
  skip.init("W", {3, 3, 3, 3}, ramp(81));
  set_ints(skip.node("Conv", {"x", "W"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  skip.node("Add", {"c1", "x"}, {"y"}, "residual");
  EXPECT_NE(error_of(skip).find("node 'residual' (Add): adds two computed tensors ('c1' and 'x'), a skip "
                                "connection, which is not supported"),
            std::string::npos);
}

TEST_F(OnnxImport, RejectsNonFloatOrComputedWeights) {
  Model int8 = dense_model();
  int8.graph().mutable_initializer(0)->set_data_type(onnx::TensorProto::INT8);
  EXPECT_NE(error_of(int8).find("net.onnx: node 'fc' (Gemm): weight 'W' is INT8, expected float32"),
            std::string::npos);

  Model computed = dense_model();
  computed.graph().mutable_node(0)->set_input(1, "x");
  EXPECT_NE(error_of(computed).find("weight 'x' is not an initializer or Constant"), std::string::npos);

  Model short_data = dense_model();
  short_data.graph().mutable_initializer(0)->mutable_float_data()->RemoveLast();
  EXPECT_NE(error_of(short_data).find("weight 'W' has 11 values, its shape [3, 4] needs 12"),
            std::string::npos);
}

TEST_F(OnnxImport, RejectsShapeMismatches) {
  Model channels = conv_model(4, 2);
  EXPECT_NE(
      error_of(channels).find("node 'conv3' (Conv): weight 'W' [4, 2, 3, 3] has C = 2 input channels, the "
                              "incoming tensor [3, 8, 8] has 3"),
      std::string::npos);

  Model k;
  k.input("x", {-1, 5}).output("y");
  k.init("W", {3, 4}, ramp(12));
  set_int(k.node("Gemm", {"x", "W"}, {"y"}, "fc"), "transB", 1);
  EXPECT_NE(
      error_of(k).find("node 'fc' (Gemm): weight 'W' has K = 4 inputs, the incoming tensor has 5 values"),
      std::string::npos);

  Model no_flatten = conv_model();
  no_flatten.graph().mutable_output(0)->set_name("z");
  no_flatten.init("F", {4 * 6 * 6, 2}, ramp(288));
  no_flatten.node("MatMul", {"y", "F"}, {"z"}, "fc");
  EXPECT_NE(error_of(no_flatten)
                .find("node 'fc' (MatMul): the incoming tensor is [4, 6, 6], expected a flat one: add "
                      "a Flatten"),
            std::string::npos);

  Model reshape = conv_model();
  reshape.graph().mutable_output(0)->set_name("z");
  reshape.init_i64("s", {4, 36});
  reshape.node("Reshape", {"y", "s"}, {"z"}, "reshape");
  EXPECT_NE(error_of(reshape).find("node 'reshape' (Reshape): shape [4, 36] is not supported on the incoming "
                                   "[4, 6, 6]"),
            std::string::npos);

  Model bias = conv_model();
  bias.graph().mutable_output(0)->set_name("z");
  bias.init("b", {4}, ramp(4));  // broadcasts along W, not per channel
  bias.node("Add", {"y", "b"}, {"z"}, "add");
  EXPECT_NE(
      error_of(bias).find("node 'add' (Add): bias 'b' has shape [4], expected one value per output channel: "
                          "[4, 1, 1] or [1, 4, 1, 1]"),
      std::string::npos);
}

TEST_F(OnnxImport, RejectsAddReluAndSoftmaxOutOfPlace) {
  Model add;
  add.input("x", {1, 2, 4, 4}).output("y");
  add.init("b", {2, 1, 1}, ramp(2));
  set_ints(add.node("MaxPool", {"x"}, {"p"}, "pool"), "kernel_shape", {2, 2});
  add.node("Add", {"p", "b"}, {"y"}, "add");
  EXPECT_NE(
      error_of(add).find("node 'add' (Add): Add is supported only as a constant bias directly after Conv, "
                         "Gemm or MatMul (before any Relu), not after node 'pool' (MaxPool)"),
      std::string::npos);

  Model relu = dense_model();
  relu.graph().mutable_node(0)->set_output(0, "g");
  relu.node("Relu", {"g"}, {"r"}, "relu1");
  relu.node("Relu", {"r"}, {"y"}, "relu2");
  EXPECT_NE(
      error_of(relu).find("node 'relu2' (Relu): Relu is supported only directly after Conv, Gemm or MatMul "
                          "(or their bias Add), not after node 'relu1' (Relu)"),
      std::string::npos);

  Model softmax = dense_model();
  softmax.graph().mutable_node(0)->set_output(0, "g");
  softmax.init("W2", {3, 3}, ramp(9));
  softmax.node("Softmax", {"g"}, {"s"}, "sm");
  softmax.node("MatMul", {"s", "W2"}, {"y"}, "fc2");
  EXPECT_NE(
      error_of(softmax).find("node 'fc2' (MatMul): follows node 'sm' (Softmax); Softmax is supported only "
                             "as the last layer"),
      std::string::npos);
}

TEST_F(OnnxImport, RejectsAGraphOutputThatIsNotTheLastNodes) {
  Model m = dense_model();
  m.graph().mutable_output(0)->set_name("x");
  EXPECT_NE(error_of(m).find("the graph output 'x' is not the last node's output 'y'"), std::string::npos);
}

// --- the network helpers ----------------------------------------------------------------------

TEST(OnnxNetwork, ShapeAfterFloorsWindowsAndFlattens) {
  Network net;
  net.input_shape = {3, 9, 10};
  Layer conv;
  conv.kind = LayerKind::kConv;
  conv.weights.shape = {5, 3, 3, 4};
  conv.kernel_h = 3;
  conv.kernel_w = 4;
  conv.stride_y = 2;
  conv.stride_x = 3;
  conv.pad_y = 1;
  net.layers.push_back(conv);  // (9 + 2 - 3) / 2 + 1 = 5, (10 - 4) / 3 + 1 = 3
  Layer pool;
  pool.kind = LayerKind::kAvgPool;
  pool.kernel_h = pool.kernel_w = 2;
  pool.stride_y = pool.stride_x = 2;
  net.layers.push_back(pool);  // (5 - 2) / 2 + 1 = 2, (3 - 2) / 2 + 1 = 1
  Layer flatten;
  flatten.kind = LayerKind::kFlatten;
  net.layers.push_back(flatten);
  Layer dense;
  dense.kind = LayerKind::kDense;
  dense.weights.shape = {7, 10};
  net.layers.push_back(dense);
  Layer softmax;
  softmax.kind = LayerKind::kSoftmax;
  net.layers.push_back(softmax);
  EXPECT_EQ(shape_after(net, 0), (Shape{3, 9, 10}));
  EXPECT_EQ(shape_after(net, 1), (Shape{5, 5, 3}));
  EXPECT_EQ(shape_after(net, 2), (Shape{5, 2, 1}));
  EXPECT_EQ(shape_after(net, 3), (Shape{10}));
  EXPECT_EQ(shape_after(net, 4), (Shape{7}));
  EXPECT_EQ(shape_after(net, 5), (Shape{7}));
  EXPECT_THROW(shape_after(net, 6), std::out_of_range);
}

TEST(OnnxNetwork, KindNamesAndTensorSize) {
  EXPECT_EQ(to_string(LayerKind::kConv), "conv");
  EXPECT_EQ(to_string(LayerKind::kDense), "dense");
  EXPECT_EQ(to_string(LayerKind::kMaxPool), "maxpool");
  EXPECT_EQ(to_string(LayerKind::kAvgPool), "avgpool");
  EXPECT_EQ(to_string(LayerKind::kFlatten), "flatten");
  EXPECT_EQ(to_string(LayerKind::kSoftmax), "softmax");
  FloatTensor scalar;
  EXPECT_EQ(scalar.size(), 1);
  FloatTensor t;
  t.shape = {2, 3, 4};
  EXPECT_EQ(t.size(), 24);
}

}  // namespace
}  // namespace dnngen::infer
