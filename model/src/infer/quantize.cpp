// Post-training quantisation and the float and integer forward passes (infer/quantize.hpp).
#include "dnngen/infer/quantize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/eie_config.hpp"
#include "dnngen/eie/compress.hpp"

namespace dnngen::infer {
namespace {

bool is_engine(LayerKind k) { return k == LayerKind::kConv || k == LayerKind::kDense; }
bool is_pool(LayerKind k) { return k == LayerKind::kMaxPool || k == LayerKind::kAvgPool; }

int64_t product(const std::vector<int64_t>& shape) {
  int64_t p = 1;
  for (const int64_t d : shape) p *= d;
  return p;
}

int64_t window_out(int64_t in, unsigned kernel, unsigned stride, unsigned pad) {
  return (in + 2 * static_cast<int64_t>(pad) - kernel) / stride + 1;
}

// ------------------------------------------------------------------ float forward

// One sample's convolution, [C, H, W] -> [K, E, F], through a zero-padded copy of the input
// so the innermost loop (over f) has no bounds tests.
void conv_float(const Layer& l, const std::vector<int64_t>& in_shape, const float* in, float* out) {
  const int64_t c_n = in_shape[0], h = in_shape[1], w = in_shape[2];
  const int64_t k_n = l.weights.shape[0], r_n = l.kernel_h, s_n = l.kernel_w;
  const int64_t hp = h + 2 * l.pad_y, wp = w + 2 * l.pad_x;
  const int64_t e_n = window_out(h, l.kernel_h, l.stride_y, l.pad_y);
  const int64_t f_n = window_out(w, l.kernel_w, l.stride_x, l.pad_x);
  std::vector<float> padded(static_cast<size_t>(c_n * hp * wp), 0.0f);
  for (int64_t c = 0; c < c_n; ++c)
    for (int64_t y = 0; y < h; ++y)
      std::copy_n(in + (c * h + y) * w, w, padded.begin() + (c * hp + y + l.pad_y) * wp + l.pad_x);
  for (int64_t k = 0; k < k_n; ++k) {
    float* o = out + k * e_n * f_n;
    std::fill(o, o + e_n * f_n, l.bias.empty() ? 0.0f : l.bias[static_cast<size_t>(k)]);
    for (int64_t c = 0; c < c_n; ++c)
      for (int64_t r = 0; r < r_n; ++r)
        for (int64_t s = 0; s < s_n; ++s) {
          const float wv = l.weights.data[static_cast<size_t>(((k * c_n + c) * r_n + r) * s_n + s)];
          for (int64_t e = 0; e < e_n; ++e) {
            const float* row = padded.data() + (c * hp + e * l.stride_y + r) * wp + s;
            float* orow = o + e * f_n;
            for (int64_t f = 0; f < f_n; ++f) orow[f] += wv * row[f * l.stride_x];
          }
        }
  }
}

void dense_float(const Layer& l, const float* in, float* out) {
  const int64_t n_n = l.weights.shape[0], k_n = l.weights.shape[1];
  for (int64_t n = 0; n < n_n; ++n) {
    const float* wrow = l.weights.data.data() + n * k_n;
    double acc = l.bias.empty() ? 0.0 : l.bias[static_cast<size_t>(n)];
    for (int64_t k = 0; k < k_n; ++k) acc += static_cast<double>(wrow[k]) * in[k];
    out[n] = static_cast<float>(acc);
  }
}

// Pooling over [C, H, W] of any element type; padding never wins a max and counts in an
// average only with count_include_pad. `average` gets the window's sum and its count.
template <class T, class Average>
void pool(const QLayer& l, const std::vector<int64_t>& in_shape, const T* in, T* out, bool max,
          Average average, bool hwc) {
  const int64_t c_n = in_shape[0], h = in_shape[1], w = in_shape[2];
  const int64_t kh = l.kernel_h, kw = l.kernel_w, sy = l.stride_y, sx = l.stride_x, py = l.pad_y,
                px = l.pad_x;
  const int64_t e_n = window_out(h, l.kernel_h, l.stride_y, l.pad_y);
  const int64_t f_n = window_out(w, l.kernel_w, l.stride_x, l.pad_x);
  const auto at = [&](int64_t c, int64_t y, int64_t x) {
    return hwc ? (y * w + x) * c_n + c : (c * h + y) * w + x;
  };
  const auto out_at = [&](int64_t c, int64_t e, int64_t f) {
    return hwc ? (e * f_n + f) * c_n + c : (c * e_n + e) * f_n + f;
  };
  for (int64_t c = 0; c < c_n; ++c)
    for (int64_t e = 0; e < e_n; ++e)
      for (int64_t f = 0; f < f_n; ++f) {
        bool any = false;
        T best{};
        double sum = 0;
        int64_t count = 0;
        for (int64_t r = 0; r < kh; ++r)
          for (int64_t s = 0; s < kw; ++s) {
            const int64_t y = e * sy + r - py, x = f * sx + s - px;
            if (y < 0 || y >= h || x < 0 || x >= w) {
              if (l.count_include_pad) ++count;
              continue;
            }
            const T v = in[at(c, y, x)];
            if (!any || v > best) best = v;
            any = true;
            sum += static_cast<double>(v);
            ++count;
          }
        out[out_at(c, e, f)] = max ? best : average(sum, count);
      }
}

QLayer pool_params(const Layer& l) {
  QLayer q;
  q.kind = l.kind;
  q.name = l.name;
  q.kernel_h = l.kernel_h, q.kernel_w = l.kernel_w;
  q.stride_y = l.stride_y, q.stride_x = l.stride_x;
  q.pad_y = l.pad_y, q.pad_x = l.pad_x;
  q.count_include_pad = l.count_include_pad;
  return q;
}

void softmax_rows(FloatTensor& t) {
  const int64_t n = t.shape.back();
  const size_t rows = t.data.size() / static_cast<size_t>(n);
  for (size_t row = 0; row < rows; ++row) {
    float* v = t.data.data() + row * static_cast<size_t>(n);
    const float top = *std::max_element(v, v + n);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(v[i] - top));
    for (int64_t i = 0; i < n; ++i)
      v[i] = static_cast<float>(std::exp(static_cast<double>(v[i] - top)) / sum);
  }
}

// ------------------------------------------------------------------ quantisation

int64_t round_to_int(double v) { return static_cast<int64_t>(std::llround(v)); }

// mult x 2^-shift nearest to `real` (> 0) with mult in [2^30, 2^31) where the shift allows.
std::pair<int32_t, uint32_t> fixed_point(double real) {
  if (!(real > 0)) return {0, 0};
  int exponent = 0;
  const double mantissa = std::frexp(real, &exponent);  // real = mantissa x 2^exponent, [0.5, 1)
  int shift = 31 - exponent;
  int64_t mult = round_to_int(std::ldexp(mantissa, 31));
  if (mult == (int64_t{1} << 31)) mult /= 2, --shift;
  while (shift > 62) mult = round_to_int(static_cast<double>(mult) / 2), --shift;
  if (shift < 0)
    throw InputError(
        fmt::format("a requantisation scale of {} is too large for the shell's output "
                    "pipeline (mult < 2^31, shift >= 0)",
                    real));
  return {static_cast<int32_t>(mult), static_cast<uint32_t>(shift)};
}

// The calibrated magnitude of a tensor: its largest |x|, or the percentile of |x|.
double amax_of(const std::vector<float>& values, const QuantOptions& o) {
  std::vector<float> mags(values.size());
  std::transform(values.begin(), values.end(), mags.begin(), [](float v) { return std::fabs(v); });
  if (mags.empty()) return 1.0;
  if (o.calibration == Calibration::kMinMax) return *std::max_element(mags.begin(), mags.end());
  const auto at = static_cast<size_t>(std::ceil(o.percentile / 100.0 * static_cast<double>(mags.size()))) - 1;
  const size_t i = std::min(at, mags.size() - 1);
  std::nth_element(mags.begin(), mags.begin() + static_cast<std::ptrdiff_t>(i), mags.end());
  return mags[i];
}

double scale_of(double amax, unsigned bits) {
  return amax > 0 ? amax / static_cast<double>(numerics::max_value(bits, true)) : 1.0;
}

// Where element k of a float weight row goes in the engine's K order: a convolution's
// [C, R, S] becomes (r, s, c); a dense layer after a flatten of [C, H, W] reads the
// activations in [H, W, C] order.
int64_t engine_k(const Layer& l, const std::vector<int64_t>& in_shape, int64_t k) {
  if (l.kind == LayerKind::kConv) {
    const int64_t c_n = l.weights.shape[1], r_n = l.kernel_h, s_n = l.kernel_w;
    const int64_t c = k / (r_n * s_n), r = k / s_n % r_n, s = k % s_n;
    return (r * s_n + s) * c_n + c;
  }
  if (in_shape.size() == 3) {
    const int64_t c_n = in_shape[0], h_n = in_shape[1], w_n = in_shape[2];
    const int64_t c = k / (h_n * w_n), y = k / w_n % h_n, x = k % w_n;
    return (y * w_n + x) * c_n + c;
  }
  return k;
}

// The engine layer's integer weights [N][K] and per-channel scales. A dense layer after a
// flatten of [C, H, W] reads the activations in [H, W, C] order: its columns are permuted.
// A channel's weight scale is raised where its bias would not fit int32 at s_in x s_w (a
// channel of near-zero weights): its weights then round to small integers, the bias stays.
void quantize_weights(const Layer& l, const std::vector<int64_t>& in_shape, unsigned bits, double in_scale,
                      QLayer& q, std::vector<double>& w_scale) {
  const int64_t n_n = l.weights.shape[0];
  const int64_t k_n = l.weights.size() / n_n;
  q.n = n_n, q.k = k_n;
  q.weights.assign(static_cast<size_t>(n_n * k_n), 0);
  w_scale.assign(static_cast<size_t>(n_n), 1.0);
  const int64_t qmax = numerics::max_value(bits, true);
  for (int64_t n = 0; n < n_n; ++n) {
    const float* w = l.weights.data.data() + n * k_n;
    float amax = 0;
    for (int64_t k = 0; k < k_n; ++k) amax = std::max(amax, std::fabs(w[k]));
    const double bias = l.bias.empty() ? 0.0 : std::fabs(l.bias[static_cast<size_t>(n)]);
    const double s = std::max(scale_of(amax, bits), bias / (in_scale * std::ldexp(1.0, 30)));
    w_scale[static_cast<size_t>(n)] = s;
    for (int64_t k = 0; k < k_n; ++k)
      q.weights[static_cast<size_t>(n * k_n + engine_k(l, in_shape, k))] =
          static_cast<int32_t>(std::clamp(round_to_int(w[k] / s), -qmax, qmax));
  }
}

// EIE's weights (Scheme::kFixedPoint): a codebook and an index per weight, in the engine's
// K order; `weights` holds codebook[index] so the integer layer computes what EIE does.
void share_weights(const Layer& l, const std::vector<int64_t>& in_shape, const QuantOptions& o, QLayer& q) {
  const int64_t n_n = l.weights.shape[0];
  const int64_t k_n = l.weights.size() / n_n;
  q.n = n_n, q.k = k_n;
  // The model's own mask and, if it is weight-shared already, its own codebook.
  config::EieConfig cfg;
  cfg.index_bits = o.index_bits;
  cfg.frac_bits = o.frac_bits;
  cfg.act_bits = o.bits;
  eie::Compressed c;
  try {
    c = eie::compress_keeping(cfg, l.weights.data, n_n, k_n);
  } catch (const InputError& e) {
    throw InputError(fmt::format("layer '{}': {}", l.name, e.what()));
  }
  const std::vector<int64_t>& codebook = c.codebook;
  const std::vector<int64_t>& idx = c.w_idx.data;  // [N][K] in ONNX order
  q.codebook.assign(codebook.begin(), codebook.end());
  q.w_idx.assign(idx.size(), 0);
  q.weights.assign(idx.size(), 0);
  for (int64_t n = 0; n < n_n; ++n)
    for (int64_t k = 0; k < k_n; ++k) {
      const auto from = static_cast<size_t>(n * k_n + k),
                 to = static_cast<size_t>(n * k_n + engine_k(l, in_shape, k));
      q.w_idx[to] = static_cast<int32_t>(idx[from]);
      q.weights[to] = static_cast<int32_t>(codebook[static_cast<size_t>(idx[from])]);
    }
}

// A layer's output for a batch, zeroed.
QBatch output_batch(const QLayer& l, const QBatch& in) {
  QBatch out;
  out.batch = in.batch;
  out.shape = l.out_shape;
  out.data.assign(static_cast<size_t>(out.batch * out.sample_size()), 0);
  return out;
}

// The host's conversion between two engines' numerics: q x factor, rounded half away from
// zero, clamped to the next engine's width.
void rescale(QBatch& b, double factor, int64_t lo, int64_t hi) {
  for (int64_t& v : b.data) v = std::clamp(round_to_int(static_cast<double>(v) * factor), lo, hi);
}

}  // namespace

int64_t QBatch::sample_size() const { return product(shape); }

FloatTensor run_float(const Network& net, const Batch& batch, const Observer& observe) {
  const int64_t b_n = batch.shape.at(0);
  FloatTensor cur = batch;
  std::vector<int64_t> shape = net.input_shape;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const std::vector<int64_t> out_shape = shape_after(net, i + 1);
    FloatTensor next;
    next.shape = {b_n};
    next.shape.insert(next.shape.end(), out_shape.begin(), out_shape.end());
    const int64_t in_n = product(shape), out_n = product(out_shape);
    next.data.assign(static_cast<size_t>(b_n * out_n), 0.0f);
    const QLayer window = pool_params(l);
    for (int64_t b = 0; b < b_n; ++b) {
      const float* in = cur.data.data() + b * in_n;
      float* out = next.data.data() + b * out_n;
      switch (l.kind) {
        case LayerKind::kConv:
          conv_float(l, shape, in, out);
          break;
        case LayerKind::kDense:
          dense_float(l, in, out);
          break;
        case LayerKind::kMaxPool:
        case LayerKind::kAvgPool:
          pool<float>(
              window, shape, in, out, l.kind == LayerKind::kMaxPool,
              [](double sum, int64_t count) { return static_cast<float>(sum / static_cast<double>(count)); },
              false);
          break;
        case LayerKind::kFlatten:
        case LayerKind::kSoftmax:
          std::copy_n(in, in_n, out);
          break;
      }
    }
    if (l.relu)
      for (float& v : next.data) v = std::max(v, 0.0f);
    if (l.kind == LayerKind::kSoftmax) softmax_rows(next);
    if (observe) observe(i, next);
    cur = std::move(next);
    shape = out_shape;
  }
  return cur;
}

QNetwork quantize(const Network& net, const Batch& calibration, const QuantOptions& options) {
  return quantize(net, calibration, std::vector<QuantOptions>(net.layers.size(), options));
}

namespace {

// What an engine layer's input integers must be: their scale and range, and (bit-serial)
// their precision.
struct InputFormat {
  double scale = 1;
  int64_t min = 0, max = 0;
  unsigned precision = 0;
};

// The quantisation SNR (dB) of `values` at precision p (unsigned or signed), scaled to amax.
double snr_db(const std::vector<float>& values, double amax, unsigned p, bool is_unsigned) {
  const auto qmax = static_cast<double>(numerics::max_value(p, !is_unsigned));
  const double scale = amax > 0 ? amax / qmax : 1.0;
  const double qmin = is_unsigned ? 0.0 : -qmax;
  double signal = 0, noise = 0;
  for (const float v : values) {
    const double q = std::clamp(std::round(v / scale), qmin, qmax) * scale;
    signal += double{v} * v;
    noise += (q - v) * (q - v);
  }
  return noise > 0 ? 10 * std::log10(signal / noise) : 1e9;
}

InputFormat input_format(const QuantOptions& o, const std::vector<float>& calibration, double amax,
                         const std::string& layer) {
  InputFormat f;
  if (o.scheme == Scheme::kFixedPoint) {
    f.scale = std::ldexp(1.0, -static_cast<int>(o.frac_bits));
    f.max = numerics::max_value(o.bits, true), f.min = -f.max;
    return f;
  }
  if (o.unsigned_acts && !calibration.empty() &&
      *std::min_element(calibration.begin(), calibration.end()) < 0)
    throw InputError(
        fmt::format("layer '{}': its inputs can be negative (no ReLU before it), and the bit-serial "
                    "engine's activations are unsigned: use a signed bit-serial configuration",
                    layer));
  unsigned p = o.precision != 0 ? o.precision : o.bits;
  if (o.bit_serial && o.precision == 0)  // the profile: the fewest bits that keep the SNR
    for (p = 2; p < o.bits && snr_db(calibration, amax, p, o.unsigned_acts) < o.precision_snr_db; ++p) {
    }
  f.precision = o.bit_serial ? p : 0;
  f.max = numerics::max_value(p, !o.unsigned_acts);
  f.min = o.unsigned_acts ? 0 : -f.max;
  f.scale = amax > 0 ? amax / static_cast<double>(f.max) : 1.0;
  return f;
}

}  // namespace

QNetwork quantize(const Network& net, const Batch& calibration, const std::vector<QuantOptions>& per_layer) {
  if (per_layer.size() != net.layers.size())
    throw std::invalid_argument("quantize: one QuantOptions per layer of the network");
  size_t first_engine = net.layers.size(), last_engine = net.layers.size();
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (is_engine(net.layers[i].kind)) {
      last_engine = i;
      first_engine = std::min(first_engine, i);
    }
  if (last_engine == net.layers.size())
    throw InputError("the network has no Conv, Gemm or MatMul layer for an engine to run");
  for (size_t i = last_engine + 1; i < net.layers.size(); ++i)
    if (net.layers[i].kind != LayerKind::kSoftmax)
      throw InputError(
          fmt::format("layer '{}' ({}) follows the last engine layer '{}': only a Softmax may "
                      "(the last engine layer writes raw sums)",
                      net.layers[i].name, to_string(net.layers[i].kind), net.layers[last_engine].name));

  // The calibration tensor entering every engine layer, its calibrated magnitude, and from
  // them the format each engine layer reads its inputs in.
  const QuantOptions& calib = per_layer[first_engine];
  std::vector<std::vector<float>> entering(net.layers.size());
  entering[first_engine] = calibration.data;
  run_float(net, calibration, [&](size_t i, const FloatTensor& out) {
    if (i + 1 < net.layers.size() && is_engine(net.layers[i + 1].kind)) entering[i + 1] = out.data;
  });
  // A Flatten (or pooling) between two engine layers: the tensor entering the engine layer
  // is the output of the layer just before it, which the observer recorded.
  std::vector<InputFormat> format(net.layers.size());
  std::vector<double> amax(net.layers.size(), 0.0);
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (is_engine(net.layers[i].kind)) {
      amax[i] = amax_of(entering[i], calib);
      format[i] = input_format(per_layer[i], entering[i], amax[i], net.layers[i].name);
    }
  const auto next_engine = [&](size_t i) {
    for (size_t j = i + 1; j < net.layers.size(); ++j)
      if (is_engine(net.layers[j].kind)) return j;
    return net.layers.size();
  };

  QNetwork q;
  q.input_shape = net.input_shape;
  q.bits = per_layer[first_engine].bits;
  q.input_scale = format[first_engine].scale;
  q.input_min = format[first_engine].min, q.input_max = format[first_engine].max;
  double scale = q.input_scale;                // of the integers entering layer i
  int64_t lo = q.input_min, hi = q.input_max;  // and their range
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const QuantOptions& options = per_layer[i];
    const std::vector<int64_t> in_shape = shape_after(net, i), out_shape = shape_after(net, i + 1);
    if (l.kind == LayerKind::kFlatten) continue;
    if (l.kind == LayerKind::kSoftmax) {
      q.softmax = true;
      continue;
    }
    QLayer ql = pool_params(l);
    ql.source = i;
    ql.in_shape = in_shape;
    ql.out_shape = out_shape;
    if (is_engine(l.kind)) {
      // The inputs arrive in this layer's format when the layer before produced them for it
      // (the output pipeline requantises to it); else (after EIE's fixed point, say) the
      // host converts the integers.
      const InputFormat& in = format[i];
      if (in.scale != scale || in.min != lo || in.max != hi) {
        ql.rescale = scale / in.scale;
        scale = in.scale;
      }
      ql.in_bits = options.bits;
      ql.in_min = in.min, ql.in_max = in.max;
      ql.precision = in.precision;
      const bool fixed = options.scheme == Scheme::kFixedPoint;
      const unsigned w_bits = options.weight_bits != 0 ? options.weight_bits : options.bits;
      std::vector<double> w_scale;
      // After a Flatten, the shape it flattened says how the activations are ordered.
      const bool flattened = i > 0 && net.layers[i - 1].kind == LayerKind::kFlatten;
      const std::vector<int64_t>& order = flattened ? shape_after(net, i - 1) : in_shape;
      if (fixed) {
        share_weights(l, order, options, ql);
        w_scale.assign(static_cast<size_t>(ql.n), in.scale);
      } else {
        quantize_weights(l, order, w_bits, scale, ql, w_scale);
      }
      ql.relu = l.relu;
      ql.raw = i == last_engine;
      ql.acc_bits = options.acc_bits;
      ql.saturate = options.saturate;
      ql.in_scale = scale;
      // The outputs: in the next engine layer's format where this layer's pipeline can
      // write it (a per-channel next layer), else at this layer's own calibrated scale.
      const size_t j = next_engine(i);
      InputFormat out = format[i];  // EIE: its fixed point again
      if (!fixed && j < net.layers.size() && per_layer[j].scheme == Scheme::kPerChannel) {
        out = format[j];
      } else if (!fixed) {  // signed, the engine's full width
        QuantOptions own = options;
        own.bit_serial = own.unsigned_acts = false;
        own.precision = 0;
        out = input_format(own, {}, amax[j < net.layers.size() ? j : i], l.name);
      }
      if (j < net.layers.size() && !fixed && out.min == 0 && !l.relu)
        throw InputError(fmt::format("layer '{}' writes the unsigned inputs of layer '{}' but has no ReLU",
                                     l.name, net.layers[j].name));
      // Clamp to the signed width that holds the range: p bits, or p + 1 with ReLU for
      // unsigned p-bit activations.
      ql.out_bits = 1;
      while ((int64_t{1} << (ql.out_bits - 1)) - 1 < out.max) ++ql.out_bits;
      ql.out_scale = ql.raw ? 1.0 : out.scale;
      for (int64_t n = 0; n < ql.n; ++n) {
        const double acc_scale = scale * w_scale[static_cast<size_t>(n)];
        ql.acc_scale.push_back(acc_scale);
        const double b = l.bias.empty() ? 0.0 : l.bias[static_cast<size_t>(n)];
        const int64_t bq = round_to_int(b / acc_scale);
        if (bq > std::numeric_limits<int32_t>::max() || bq < std::numeric_limits<int32_t>::min())
          throw InputError(fmt::format("layer '{}': bias {} of channel {} does not fit int32 at scale {}",
                                       l.name, b, n, acc_scale));
        ql.bias.push_back(static_cast<int32_t>(bq));
        // EIE's write-back: round, >>> frac_bits (no multiplier).
        const auto [mult, shift] = ql.raw  ? std::pair<int32_t, uint32_t>{1, 0}
                                   : fixed ? std::pair<int32_t, uint32_t>{1, options.frac_bits}
                                           : fixed_point(acc_scale / ql.out_scale);
        ql.mult.push_back(mult);
        ql.shift.push_back(shift);
      }
      scale = ql.out_scale;
      lo = out.min, hi = out.max;
    } else {
      ql.in_scale = ql.out_scale = scale;
    }
    q.layers.push_back(std::move(ql));
  }
  return q;
}

QBatch quantize_input(const QNetwork& q, const Batch& batch) {
  QBatch out;
  out.batch = batch.shape.at(0);
  out.shape = q.input_shape;
  const int64_t n = out.sample_size();
  if (batch.size() != out.batch * n)
    throw InputError(fmt::format("the input batch {} does not hold samples of {}", shape_string(batch.shape),
                                 shape_string(q.input_shape)));
  out.data.resize(static_cast<size_t>(out.batch * n));
  const bool chw = q.input_shape.size() == 3;
  const int64_t c_n = chw ? q.input_shape[0] : 1, hw = chw ? n / c_n : n;
  for (int64_t b = 0; b < out.batch; ++b)
    for (int64_t i = 0; i < n; ++i) {
      // [C, H, W] in, [H, W, C] out
      const int64_t to = chw ? (i % hw) * c_n + i / hw : i;
      const double v = batch.data[static_cast<size_t>(b * n + i)] / q.input_scale;
      out.data[static_cast<size_t>(b * n + to)] = std::clamp(round_to_int(v), q.input_min, q.input_max);
    }
  return out;
}

QBatch engine_layer(const QLayer& l, const QBatch& in) {
  QBatch out = output_batch(l, in);
  const int64_t out_n = out.sample_size(), in_n = in.sample_size();
  // Rows of A: one per output pixel (im2col of [H, W, C], k = (r*S + s)*C + c), or the
  // sample itself. Sums fit int64 for any layer the shell runs.
  const bool conv = l.kind == LayerKind::kConv;
  const int64_t c_n = conv ? l.in_shape[0] : 0, h = conv ? l.in_shape[1] : 0, w = conv ? l.in_shape[2] : 0;
  const int64_t e_n = conv ? l.out_shape[1] : 1, f_n = conv ? l.out_shape[2] : 1;
  const int64_t kh = l.kernel_h, kw = l.kernel_w, sy = l.stride_y, sx = l.stride_x, py = l.pad_y,
                px = l.pad_x;
  std::vector<int32_t> a(static_cast<size_t>(l.k));
  for (int64_t b = 0; b < in.batch; ++b) {
    const int64_t* x = in.data.data() + b * in_n;
    for (int64_t e = 0; e < e_n; ++e)
      for (int64_t f = 0; f < f_n; ++f) {
        if (conv) {
          std::fill(a.begin(), a.end(), 0);
          for (int64_t r = 0; r < kh; ++r)
            for (int64_t s = 0; s < kw; ++s) {
              const int64_t y = e * sy + r - py, xx = f * sx + s - px;
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              std::copy_n(x + (y * w + xx) * c_n, c_n, a.begin() + (r * kw + s) * c_n);
            }
        } else {
          std::copy_n(x, l.k, a.begin());
        }
        int64_t* o = out.data.data() + b * out_n + (e * f_n + f) * l.n;
        for (int64_t n = 0; n < l.n; ++n) {
          const int32_t* wrow = l.weights.data() + n * l.k;
          int64_t acc = 0;
          for (int64_t k = 0; k < l.k; ++k) acc += static_cast<int64_t>(a[static_cast<size_t>(k)]) * wrow[k];
          // The engine's sums are acc_bits wide: they wrap or saturate as its configuration says.
          const int64_t fitted =
              l.saturate ? numerics::saturate_signed(acc, l.acc_bits)
                         : numerics::from_field(numerics::to_field(acc, l.acc_bits), l.acc_bits, true);
          out.overflows += fitted != acc;
          acc = fitted;
          o[n] = l.raw ? acc
                       : numerics::requantize(acc, l.bias[static_cast<size_t>(n)],
                                              l.mult[static_cast<size_t>(n)], l.shift[static_cast<size_t>(n)],
                                              l.out_bits, l.relu);
        }
      }
  }
  return out;
}

QBatch host_layer(const QLayer& l, const QBatch& in) {
  QBatch out = output_batch(l, in);
  const int64_t out_n = out.sample_size(), in_n = in.sample_size();
  for (int64_t b = 0; b < in.batch; ++b)
    pool<int64_t>(
        l, l.in_shape, in.data.data() + b * in_n, out.data.data() + b * out_n, l.kind == LayerKind::kMaxPool,
        [](double sum, int64_t count) {
          return static_cast<int64_t>(std::llround(sum / static_cast<double>(count)));
        },
        true);
  return out;
}

FloatTensor run_quantized(const QNetwork& q, const Batch& batch, const EngineLayerRunner& run_engine) {
  QBatch cur = quantize_input(q, batch);
  const QLayer* last = nullptr;
  for (size_t i = 0; i < q.layers.size(); ++i) {
    const QLayer& l = q.layers[i];
    if (is_engine(l.kind)) {
      if (l.rescale != 0) rescale(cur, l.rescale, l.in_min, l.in_max);
      cur = run_engine ? run_engine(i, l, cur) : engine_layer(l, cur);
      last = &l;
    } else if (is_pool(l.kind)) {
      cur = host_layer(l, cur);
    }
  }
  // The raw sums of the last engine layer, with its bias, back to real values.
  FloatTensor out;
  out.shape = {cur.batch, last->n};
  out.data.resize(cur.data.size());
  for (size_t i = 0; i < cur.data.size(); ++i) {
    const auto n = static_cast<size_t>(static_cast<int64_t>(i) % last->n);
    out.data[i] = static_cast<float>(static_cast<double>(cur.data[i] + last->bias[n]) * last->acc_scale[n]);
  }
  if (q.softmax) softmax_rows(out);
  return out;
}

std::vector<int64_t> predictions(const FloatTensor& output) {
  const int64_t n = output.shape.back();
  std::vector<int64_t> p;
  for (size_t row = 0; row < output.data.size() / static_cast<size_t>(n); ++row) {
    const float* v = output.data.data() + row * static_cast<size_t>(n);
    p.push_back(std::max_element(v, v + n) - v);
  }
  return p;
}

}  // namespace dnngen::infer
