#pragma once
// Post-training static quantisation of a float network (infer/network.hpp) to an engine's
// integer widths, and the float and integer forward passes `dnngen infer` runs.
//
// Numerics (docs/infer.md): every tensor is symmetric, real = scale x q.
// - Weights: per output channel, scale = max|W[c]| / qmax, q = round(W / scale).
// - Activations: per tensor, scale = amax / qmax, amax from the calibration set (the
//   largest |x|, or a percentile of |x|); the network input is quantised on the host.
// - Bias: int32, round(b / (s_in x s_w[c])).
// - Between layers the shell's output pipeline requantises: y = clamp(((acc + bias) x mult
//   + 2^(shift-1)) >>> shift), then ReLU (numerics::requantize), with mult x 2^-shift the
//   nearest to s_in x s_w[c] / s_out (mult in [2^30, 2^31)).
// - The last engine layer writes its raw int32 sums; the host adds the bias and scales
//   them back to float (and applies Softmax, which does not change the ranking).
// - Max pooling is exact on the integers; average pooling rounds half away from zero.
//   Both keep the scale, so pooling runs on the host between two engine layers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dnngen/infer/network.hpp"

namespace dnngen::infer {

enum class Calibration { kMinMax, kPercentile };

// kPerChannel: the scales above (the systolic engines). kFixedPoint: EIE's numerics, every
// activation and codebook value with frac_bits fractional bits (scale 2^-frac_bits, no
// calibration), the write-back the same pipeline with mult 1 and shift frac_bits; the
// weights of a layer shared through a codebook of 2^index_bits - 1 values (index 0 is a
// pruned weight): the layer's own distinct non-zero values when there are that few (an
// already weight-shared model keeps its codebook), else k-means (eie::compress) over the
// non-zero weights (an already pruned model keeps its mask).
enum class Scheme { kPerChannel, kFixedPoint };

struct QuantOptions {
  Scheme scheme = Scheme::kPerChannel;
  unsigned frac_bits = 8, index_bits = 4;  // kFixedPoint
  unsigned bits = 8;                       // the engine's operand width (in_bits = w_bits; EIE: act_bits)
  // kPerChannel on a bit-serial engine: its weights' width (0: bits), unsigned activations
  // (post-ReLU values of [0, 2^p - 1]), and the activations' precision p: fixed, or (0) the
  // profile: the fewest bits whose quantisation of the layer's calibration inputs keeps the
  // signal-to-noise ratio at least precision_snr_db.
  unsigned weight_bits = 0;
  bool unsigned_acts = false;
  bool bit_serial = false;
  unsigned precision = 0;
  double precision_snr_db = 40;
  Calibration calibration = Calibration::kMinMax;
  double percentile = 99.99;  // kPercentile: of |x| over the calibration set
  unsigned acc_bits = 32;     // the engine's sums: they wrap (or saturate) at this width
  bool saturate = false;
};

// A layer with integer operands. Activations between layers are [H, W, C] per sample
// (channel innermost, as the shell reads and writes them), or [K] after a flatten.
struct QLayer {
  LayerKind kind = LayerKind::kConv;
  std::string name;
  size_t source = 0;  // the float network's layer it came from
  // kConv / kDense: weights [N][K], N output channels, K = R*S*C in (r, s, c) order for a
  // convolution, the input in [H, W, C] flatten order for a dense layer.
  int64_t n = 0, k = 0;
  std::vector<int32_t> weights;
  std::vector<int32_t> codebook;  // kFixedPoint: 2^index_bits values, [0] = 0
  std::vector<int32_t> w_idx;     // kFixedPoint: [N][K] indices (weights = codebook[w_idx])
  std::vector<int32_t> bias;      // per output channel
  std::vector<int32_t> mult;      // per output channel (not used when raw)
  std::vector<uint32_t> shift;
  bool relu = false;
  bool raw = false;        // writes int32 sums (the last engine layer)
  unsigned out_bits = 8;   // the signed width the outputs are clamped to (not raw)
  unsigned acc_bits = 32;  // sums wrap at this width, or saturate
  bool saturate = false;
  std::vector<double> acc_scale;  // per channel: the real value of one unit of the sum
  double in_scale = 1, out_scale = 1;
  // Engine layers after an engine of other numerics (systolic int8 -> EIE Q8.8, say): the
  // host first converts the integers, q x rescale (0: none), clamped to in_bits.
  double rescale = 0;
  unsigned in_bits = 8;
  int64_t in_min = -127, in_max = 127;  // the range of its input integers
  unsigned precision = 0;               // bit-serial: the input activations' bits (0: not)
  // kConv, pools: the window (copied from the float layer)
  unsigned kernel_h = 1, kernel_w = 1, stride_y = 1, stride_x = 1, pad_y = 0, pad_x = 0;
  bool count_include_pad = false;
  std::vector<int64_t> in_shape, out_shape;  // one sample, logical ([C, H, W] or [K])
};

struct QNetwork {
  unsigned bits = 8;       // of the quantised network input (the first engine layer's)
  double input_scale = 1;  // of the quantised network input
  int64_t input_min = -127, input_max = 127;
  std::vector<int64_t> input_shape;
  std::vector<QLayer> layers;  // no kFlatten: flattening [H, W, C] is free
  bool softmax = false;        // the float network ends with Softmax
};

// A batch of float samples: [B, <one sample's shape>].
using Batch = FloatTensor;

// Called with each layer's output (after a fused ReLU) in the float forward pass.
using Observer = std::function<void(size_t layer, const FloatTensor& batch_output)>;

// The float network on a batch: its output [B, ...] (probabilities when it ends in Softmax).
FloatTensor run_float(const Network& net, const Batch& batch, const Observer& observe = {});

// Calibrates on `calibration` (a batch) and quantises. InputError when the network has no
// engine layer, or the last engine layer is followed by anything but Softmax.
QNetwork quantize(const Network& net, const Batch& calibration, const QuantOptions& options);
// The same with each layer's own options (the numerics of the engine it is mapped to; only
// engine layers' matter, and the first engine layer's calibration settings apply to all).
QNetwork quantize(const Network& net, const Batch& calibration, const std::vector<QuantOptions>& per_layer);

// The integer activations of a batch: [B, <sample>] with samples in [H, W, C] order.
struct QBatch {
  int64_t batch = 0;
  std::vector<int64_t> shape;  // one sample, logical ([C, H, W] or [K])
  std::vector<int64_t> data;
  int64_t overflows = 0;  // sums of the layer that made it that did not fit acc_bits
  int64_t sample_size() const;
};

// The network input quantised (and reordered to [H, W, C]).
QBatch quantize_input(const QNetwork& q, const Batch& batch);

// Runs one engine layer (kConv or kDense) on a batch: the output activations ([B, E, F, N]
// or [B, N]; raw sums for a raw layer). The model's integer arithmetic is engine_layer();
// the RTL backend runs the same layer through the shell.
using EngineLayerRunner = std::function<QBatch(size_t layer, const QLayer&, const QBatch& in)>;

// The golden integer result of an engine layer (bit-exact with systolic::run_layer on the
// shell's descriptor for it: a unit test holds them equal).
QBatch engine_layer(const QLayer& layer, const QBatch& in);

// A host layer (pooling) on the integers.
QBatch host_layer(const QLayer& layer, const QBatch& in);

// The whole quantised network: the real-valued output [B, classes] (Softmax applied when
// the float network has it). `run_engine` defaults to engine_layer.
FloatTensor run_quantized(const QNetwork& q, const Batch& batch, const EngineLayerRunner& run_engine = {});

// The sample's predicted class (argmax) for every row of an output [B, classes].
std::vector<int64_t> predictions(const FloatTensor& output);

}  // namespace dnngen::infer
