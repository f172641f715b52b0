// `dnngen infer`'s quantiser, integer layers and shell plans (infer/quantize.hpp,
// infer/shell_plan.hpp), and its data files (infer/data.hpp).
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/infer/data.hpp"
#include "dnngen/infer/quantize.hpp"
#include "dnngen/infer/shell_plan.hpp"
#include "test_support.hpp"

namespace dnngen::infer {
namespace {

FloatTensor random_tensor(std::vector<int64_t> shape, std::mt19937& rng, float lo = -1, float hi = 1) {
  FloatTensor t;
  t.shape = std::move(shape);
  std::uniform_real_distribution<float> u(lo, hi);
  t.data.resize(static_cast<size_t>(t.size()));
  for (float& v : t.data) v = u(rng);
  return t;
}

Layer conv(const std::string& name, int64_t k, int64_t c, unsigned r, unsigned stride, unsigned pad,
           std::mt19937& rng) {
  Layer l;
  l.kind = LayerKind::kConv;
  l.name = name;
  l.weights = random_tensor({k, c, r, r}, rng, -0.5f, 0.5f);
  l.bias = random_tensor({k}, rng, -0.2f, 0.2f).data;
  l.kernel_h = l.kernel_w = r;
  l.stride_y = l.stride_x = stride;
  l.pad_y = l.pad_x = pad;
  l.relu = true;
  return l;
}

Layer dense(const std::string& name, int64_t n, int64_t k, bool relu, std::mt19937& rng) {
  Layer l;
  l.kind = LayerKind::kDense;
  l.name = name;
  l.weights = random_tensor({n, k}, rng, -0.3f, 0.3f);
  l.bias = random_tensor({n}, rng, -0.2f, 0.2f).data;
  l.relu = relu;
  return l;
}

Layer window(LayerKind kind, unsigned k, unsigned stride, unsigned pad = 0) {
  Layer l;
  l.kind = kind;
  l.name = to_string(kind);
  l.kernel_h = l.kernel_w = k;
  l.stride_y = l.stride_x = stride;
  l.pad_y = l.pad_x = pad;
  return l;
}

// conv (stride 2, padding) -> maxpool -> conv -> avgpool -> flatten -> dense -> dense -> softmax
Network small_network(std::mt19937& rng) {
  Network net;
  net.input_shape = {3, 11, 9};
  net.layers.push_back(conv("c1", 6, 3, 3, 2, 1, rng));
  net.layers.push_back(window(LayerKind::kMaxPool, 2, 1));
  net.layers.push_back(conv("c2", 5, 6, 2, 1, 0, rng));
  net.layers.push_back(window(LayerKind::kAvgPool, 2, 1));
  Layer flat;
  flat.kind = LayerKind::kFlatten;
  net.layers.push_back(flat);
  const auto flat_shape = shape_after(net, net.layers.size());
  net.layers.push_back(dense("d1", 7, flat_shape[0], true, rng));
  net.layers.push_back(dense("d2", 4, 7, false, rng));
  Layer sm;
  sm.kind = LayerKind::kSoftmax;
  net.layers.push_back(sm);
  return net;
}

config::Config ws_config(const std::string& bits) {
  return config::parse_config(
      "name: infer_ws\nengine: systolic\nsystolic:\n  rows: 4\n  cols: 3\n"
      "  dataflow: weight_stationary\n  input_bits: " +
          bits + "\n  weight_bits: " + bits +
          "\n  acc_bits: 32\n  signed: true\n  overflow: wrap\n  max_m: 16\n  max_n: 16\n"
          "  max_k: 16\n",
      "infer_ws.yaml");
}

// Runs the quantised network's layers on `cur` one by one; each engine layer's integer
// result (engine_layer) must equal the target shell's golden model on the descriptors of its
// plan (run_plan), and `each` sees the layer, its input and its plan. Returns the engine
// layers run.
int check_engine_layers(
    const Target& target, const QNetwork& q, QBatch cur,
    const std::function<void(const QLayer&, const QBatch&, const LayerPlan&)>& each = {}) {
  int engine_layers = 0;
  for (const QLayer& l : q.layers) {
    if (l.kind != LayerKind::kConv && l.kind != LayerKind::kDense) {
      cur = host_layer(l, cur);
      continue;
    }
    ++engine_layers;
    const QBatch want = engine_layer(l, cur);
    LayerPlan plan = plan_layer(target, l, cur);
    if (each) each(l, cur, plan);
    run_plan(target, plan);
    EXPECT_EQ(plan_outputs(target, l, plan, plan.memory).data, want.data) << l.name;
    cur = want;
  }
  return engine_layers;
}

// Every engine layer's integer result equals the shell's golden model (systolic::run_layer)
// on the descriptors of its plan: the model backend and the RTL compute the same thing.
TEST(InferQuantize, EngineLayersEqualTheShellGoldenModel) {
  for (const std::string bits : {"8", "16"}) {
    std::mt19937 rng(7);
    const Network net = small_network(rng);
    const FloatTensor calib = random_tensor({6, 3, 11, 9}, rng, 0, 1);
    const Target target = target_of(ws_config(bits));
    const QNetwork q = quantize(net, calib, quant_options(target));
    const QBatch in = quantize_input(q, random_tensor({3, 3, 11, 9}, rng, 0, 1.2f));
    const int engine_layers =
        check_engine_layers(target, q, in, [&](const QLayer& l, const QBatch& x, const LayerPlan& plan) {
          EXPECT_EQ(plan.descriptors.size(), l.kind == LayerKind::kConv ? 3u : 1u);
          // Not all zero or all clamped: the layer means something.
          const QBatch want = engine_layer(l, x);
          int64_t distinct = 0;
          for (size_t i = 1; i < want.data.size(); ++i) distinct += want.data[i] != want.data[0];
          EXPECT_GT(distinct, static_cast<int64_t>(want.data.size() / 4))
              << l.name << " at " << bits << " bits";
        });
    EXPECT_EQ(engine_layers, 4);
  }
}

// The row-stationary engine runs the convolutions (CHW / KCRS in memory, reordered by the
// plan); its integer results equal its shell's golden model (rs::run_layer).
TEST(InferQuantize, RowStationaryConvolutionsEqualTheShellGoldenModel) {
  std::mt19937 rng(13);
  const Network net = small_network(rng);
  const config::Config rs = config::load_config(DNNGEN_CONFIGS_DIR "/systolic_rs_4x4_int8.yaml");
  const Target target = target_of(rs);
  ASSERT_EQ(target.kind, Target::Kind::kRowStationary);
  const QNetwork q = quantize(net, random_tensor({6, 3, 11, 9}, rng, 0, 1), quant_options(target));
  QBatch cur = quantize_input(q, random_tensor({2, 3, 11, 9}, rng, 0, 1.2f));
  int convs = 0;
  for (const QLayer& l : q.layers) {
    if (l.kind == LayerKind::kDense) {
      EXPECT_THROW(plan_layer(target, l, cur), InputError) << "fully connected on row stationary";
      break;
    }
    if (l.kind != LayerKind::kConv) {
      cur = host_layer(l, cur);
      continue;
    }
    ++convs;
    const QBatch want = engine_layer(l, cur);
    LayerPlan plan = plan_layer(target, l, cur);
    ASSERT_EQ(plan.descriptors.size(), 2u);
    EXPECT_TRUE(plan.descriptors[0].chw);
    run_plan(target, plan);
    ASSERT_EQ(plan_outputs(target, l, plan, plan.memory).data, want.data) << l.name;
    EXPECT_GT(plan_cycles(target, plan).counters.cycles, 0u);
    cur = want;
  }
  EXPECT_EQ(convs, 2);
}

// Bit-serial engines in the systolic shell: unsigned (post-ReLU) or signed activations at a
// per-layer precision from the calibration profile, written by the layer before at that
// precision; the integer layers equal the shell's golden model.
TEST(InferQuantize, BitSerialLayersAtTheirPrecisionEqualTheShellGoldenModel) {
  for (const char* name : {"bitserial_stripes_4x4_l16.yaml", "bitserial_pragmatic_3x2_l5_int8s.yaml"}) {
    std::mt19937 rng(17);
    const Network net = small_network(rng);
    const Target target = target_of(config::load_config(std::string(DNNGEN_CONFIGS_DIR "/") + name));
    ASSERT_EQ(target.kind, Target::Kind::kBitserial) << name;
    const QNetwork q = quantize(net, random_tensor({6, 3, 11, 9}, rng, 0, 1), quant_options(target));
    const QBatch in = quantize_input(q, random_tensor({2, 3, 11, 9}, rng, 0, 1.2f));
    const int engine_layers =
        check_engine_layers(target, q, in, [&](const QLayer& l, const QBatch& x, const LayerPlan& plan) {
          EXPECT_GE(l.precision, 2u) << name << " " << l.name;
          EXPECT_LE(l.precision, target.systolic.in_bits) << name << " " << l.name;
          if (target.systolic.in_bits == 16)
            EXPECT_LT(l.precision, 12u) << name << " " << l.name << ": 40 dB needs far fewer";
          for (const int64_t v : x.data) ASSERT_TRUE(v >= l.in_min && v <= l.in_max) << name << " " << l.name;
          EXPECT_EQ(plan.descriptors[0].precision, l.precision);
        });
    EXPECT_EQ(engine_layers, 4) << name;
  }
  // A fixed precision for every layer.
  std::mt19937 rng(3);
  const Target stripes = target_of(config::load_config(DNNGEN_CONFIGS_DIR "/bitserial_stripes_4x4_l16.yaml"));
  for (const QLayer& l :
       quantize(small_network(rng), random_tensor({4, 3, 11, 9}, rng, 0, 1), quant_options(stripes, 5))
           .layers)
    if (l.kind == LayerKind::kConv || l.kind == LayerKind::kDense) {
      EXPECT_EQ(l.precision, 5u);
      EXPECT_EQ(l.in_min, 0);
      EXPECT_EQ(l.in_max, 31);
    }
}

// An unsigned bit-serial engine refuses a layer whose inputs can be negative.
TEST(InferQuantize, UnsignedBitSerialRefusesNegativeInputs) {
  std::mt19937 rng(2);
  Network net;
  net.input_shape = {6};
  net.layers.push_back(dense("d", 3, 6, false, rng));
  const Target stripes = target_of(config::load_config(DNNGEN_CONFIGS_DIR "/bitserial_stripes_4x4_l16.yaml"));
  try {
    quantize(net, random_tensor({8, 6}, rng, -1, 1), quant_options(stripes));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("can be negative"), std::string::npos) << e.what();
  }
}

config::Config eie_config() {
  return config::parse_config(
      "name: infer_eie\nengine: eie\neie:\n  pes: 3\n  fifo_depth: 4\n  index_bits: 4\n  act_bits: 16\n"
      "  acc_bits: 32\n  frac_bits: 8\n  relu: true\n  max_rows: 64\n  max_cols: 64\n  max_entries: 512\n",
      "infer_eie.yaml");
}

// EIE: a pruned layer keeps its mask (k-means over the survivors), a weight-shared one its
// own codebook, and the integer layers equal EIE's golden model (eie::run_layer) on the
// plan's compressed image.
TEST(InferQuantize, EieLayersKeepMaskAndCodebookAndEqualTheGoldenModel) {
  std::mt19937 rng(11);
  Network net;
  net.input_shape = {2, 3, 4};
  Layer flat;
  flat.kind = LayerKind::kFlatten;
  net.layers.push_back(flat);
  net.layers.push_back(dense("pruned", 20, 24, true, rng));
  for (size_t i = 0; i < net.layers[1].weights.data.size(); ++i)
    if (i % 3 != 0) net.layers[1].weights.data[i] = 0;  // a third kept
  net.layers.push_back(dense("shared", 5, 20, false, rng));
  for (float& w : net.layers[2].weights.data) w = std::round(w * 20) / 20;  // at most 13 values
  const Target target = target_of(eie_config());
  const QNetwork q = quantize(net, random_tensor({10, 2, 3, 4}, rng, 0, 1), quant_options(target));
  ASSERT_EQ(q.layers.size(), 2u);
  const QLayer& pruned = q.layers[0];
  EXPECT_EQ(pruned.codebook.size(), 16u);
  EXPECT_EQ(pruned.codebook[0], 0);
  EXPECT_EQ(std::count(pruned.w_idx.begin(), pruned.w_idx.end(), 0), 20 * 24 - 20 * 8);  // the mask
  // The pruned layer's weights were permuted into [H, W, C] order with their indices.
  for (size_t i = 0; i < pruned.weights.size(); ++i)
    EXPECT_EQ(pruned.weights[i], pruned.codebook[static_cast<size_t>(pruned.w_idx[i])]);
  const QLayer& shared = q.layers[1];
  for (size_t i = 0; i < shared.weights.size(); ++i)  // its own values, at 2^-8
    EXPECT_EQ(shared.weights[i], std::lround(std::round(net.layers[2].weights.data[i] * 20) / 20 * 256));
  QBatch cur = quantize_input(q, random_tensor({4, 2, 3, 4}, rng, 0, 1));
  for (const QLayer& l : q.layers) {
    const QBatch want = engine_layer(l, cur);
    LayerPlan plan = plan_layer(target, l, cur);
    ASSERT_EQ(plan.descriptors.size(), 1u);
    EXPECT_EQ(plan.descriptors[0].op, "spmv");
    run_plan(target, plan);
    ASSERT_EQ(plan_outputs(target, l, plan, plan.memory).data, want.data) << l.name;
    EXPECT_GT(plan_cycles(target, plan).counters.cycles, 0u);
    cur = want;
  }
}

// The quantised network tracks the float one: int16 closely, int8 within a few percent.
TEST(InferQuantize, QuantisedOutputFollowsTheFloatNetwork) {
  std::mt19937 rng(3);
  const Network net = small_network(rng);
  const FloatTensor calib = random_tensor({16, 3, 11, 9}, rng, 0, 1);
  const FloatTensor x = random_tensor({8, 3, 11, 9}, rng, 0, 1);
  const FloatTensor want = run_float(net, x);
  for (const unsigned bits : {8u, 16u}) {
    QuantOptions o;
    o.bits = bits;
    o.acc_bits = 2 * bits + 16;  // no overflow: this is about rounding
    const FloatTensor got = run_quantized(quantize(net, calib, o), x);
    ASSERT_EQ(got.shape, want.shape);
    double worst = 0;
    for (size_t i = 0; i < got.data.size(); ++i)
      worst = std::max(worst, std::fabs(double{got.data[i]} - want.data[i]));
    EXPECT_LT(worst, bits == 16 ? 2e-3 : 6e-2) << bits << " bits";
  }
}

TEST(InferQuantize, PercentileCalibrationClipsOutliers) {
  std::mt19937 rng(5);
  Network net;
  net.input_shape = {4};
  net.layers.push_back(dense("d", 3, 4, false, rng));
  FloatTensor calib = random_tensor({100, 4}, rng, -1, 1);
  calib.data[17] = 50;  // one outlier
  QuantOptions o;
  const double minmax = quantize(net, calib, o).input_scale;
  o.calibration = Calibration::kPercentile;
  o.percentile = 99.0;
  const double pct = quantize(net, calib, o).input_scale;
  EXPECT_NEAR(minmax, 50.0 / 127, 1e-9);
  EXPECT_LT(pct, 1.0 / 127 + 1e-9);
}

TEST(InferQuantize, RefusesANetworkWhoseLastEngineLayerIsNotLast) {
  std::mt19937 rng(1);
  Network net;
  net.input_shape = {2, 6, 6};
  net.layers.push_back(conv("only", 2, 2, 3, 1, 0, rng));
  net.layers.push_back(window(LayerKind::kMaxPool, 2, 2));
  try {
    quantize(net, random_tensor({2, 2, 6, 6}, rng), QuantOptions{});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("follows the last engine layer 'only'"), std::string::npos)
        << e.what();
  }
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

TEST(InferData, ReadsIdxImagesAndLabels) {
  test_support::TempDir dir("infer_data");
  const std::string images = (dir.path() / "img.idx.gz").string(), labels = (dir.path() / "lab.idx").string();
  // 3 images of 2 x 2, values 0..11; labels 7, 8, 9 (uncompressed).
  std::vector<uint8_t> img = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2};
  for (uint8_t v = 0; v < 12; ++v) img.push_back(v);
  write_gz(images, img);
  { std::ofstream(labels, std::ios::binary) << std::string("\0\0\x08\x01\0\0\0\x03\x07\x08\x09", 11); }
  const FloatTensor x = load_samples(images, {1, 2, 2}, 0.5, 2);
  EXPECT_EQ(x.shape, (std::vector<int64_t>{2, 1, 2, 2}));
  EXPECT_FLOAT_EQ(x.data[7], 3.5f);
  EXPECT_EQ(load_labels(labels, 0), (std::vector<int64_t>{7, 8, 9}));
  EXPECT_THROW(load_samples(images, {5}, 1, 0), InputError);  // 4 values a sample, not 5
  EXPECT_THROW(load_samples(images, {4}, 1, 4), InputError);  // only 3 samples
  EXPECT_THROW(load_labels(images, 0), InputError);           // three axes
  EXPECT_THROW(load_samples(labels + ".missing", {4}, 1, 0), InputError);
}

}  // namespace
}  // namespace dnngen::infer
