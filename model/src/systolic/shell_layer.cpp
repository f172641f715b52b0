// The golden model of a GEMM layer on the systolic shell (dnngen/systolic/shell_layer.hpp).
#include "dnngen/systolic/shell_layer.hpp"

#include <algorithm>
#include <stdexcept>

#include "dnngen/common/numerics.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::systolic {
namespace {

using shell::error_code;
using shell::load;
using shell::past_top;
using shell::register_map;
using shell::store;

bool raw_output(const LayerDescriptor& d) { return d.out_type == "int32"; }

}  // namespace

ShellParams shell_params(const config::Config& cfg) {
  ShellParams p;
  p.data_bits = cfg.memory.data_bits;
  p.max_burst = cfg.memory.max_burst;
  p.outstanding = cfg.memory.outstanding;
  p.config_hash = config::shell_config_hash(cfg);
  if (cfg.engine == "bitserial") {
    const auto& b = cfg.bitserial;
    p.bitserial = true;
    p.mode = b.mode;
    p.lanes = b.lanes;
    p.two_stage_shift = b.two_stage_shift;
    p.first_stage_bits = b.first_stage_bits;
    p.window_sync = b.window_sync;
    p.cascade = b.cascade;
    p.rows = b.tile_rows;
    p.cols = b.tile_cols;
    p.in_bits = b.input_bits;
    p.w_bits = b.weight_bits;
    p.acc_bits = b.acc_bits;
    p.is_signed = b.is_signed;
    p.max_m = b.max_m;
    p.max_n = b.max_n;
    p.max_k = b.max_k;
    return p;
  }
  const auto& s = cfg.systolic;
  p.dataflow = s.dataflow;
  p.rows = s.rows;
  p.cols = s.cols;
  p.in_bits = s.input_bits;
  p.w_bits = s.weight_bits;
  p.acc_bits = s.acc_bits;
  p.is_signed = s.is_signed;
  p.saturate = s.overflow == config::Overflow::kSaturate;
  p.max_m = s.max_m;
  p.max_n = s.max_n;
  p.max_k = s.max_k;
  return p;
}

unsigned a_word_elements(const ShellParams& p) { return p.bitserial ? p.lanes : p.rows; }

config::BitserialConfig bitserial_config(const ShellParams& p) {
  config::BitserialConfig b;
  b.mode = p.mode;
  b.lanes = p.lanes;
  b.two_stage_shift = p.two_stage_shift;
  b.first_stage_bits = p.first_stage_bits;
  b.window_sync = p.window_sync;
  b.cascade = p.cascade;
  b.tile_rows = p.rows;
  b.tile_cols = p.cols;
  b.weight_bits = p.w_bits;
  b.input_bits = p.in_bits;
  b.acc_bits = p.acc_bits;
  b.is_signed = p.is_signed;
  b.max_m = p.max_m;
  b.max_n = p.max_n;
  b.max_k = p.max_k;
  return b;
}

bitserial::Precision layer_precision(const ShellParams& p, const LayerDescriptor& d) {
  return {d.auto_precision, d.precision != 0 ? d.precision : p.in_bits};
}

int64_t effective_activation(const ShellParams& p, const bitserial::Precision& prec, int64_t a) {
  // A detected precision always holds the group's activations; the bit-parallel baseline
  // multiplies whole elements.
  if (!p.bitserial || prec.automatic || p.mode == config::BitserialMode::kParallel || prec.bits >= 64)
    return a;
  if (p.is_signed) return numerics::wrap_signed(a, prec.bits);
  return static_cast<int64_t>(static_cast<uint64_t>(a) & ((uint64_t{1} << prec.bits) - 1));
}

shell::Identity shell_identity(const ShellParams& p) {
  const auto& map = shell::register_map();
  shell::Identity id;
  id.engine_kind = map.enum_value("engine", p.bitserial ? "bitserial" : "systolic");
  id.engine_variant = p.bitserial ? static_cast<unsigned>(p.mode)
                                  : (p.dataflow == config::Dataflow::kWeightStationary ? 0 : 1);
  id.engine_ops = (1u << map.enum_value("op", "gemm")) | (1u << map.enum_value("op", "conv2d"));
  id.config_hash = p.config_hash;
  id.array_rows = p.rows;
  id.array_cols = p.cols;
  id.in_bits = p.in_bits;
  id.w_bits = p.w_bits;
  id.acc_bits = p.acc_bits;
  id.is_signed = p.is_signed;
  id.saturate = p.saturate;
  id.mem_data_bits = p.data_bits;
  id.max_burst = p.max_burst;
  id.outstanding = p.outstanding;
  id.mem_addr_bits = p.addr_bits;
  return id;
}

unsigned out_bytes(const LayerDescriptor& d) {
  if (d.out_type == "int8") return 1;
  if (d.out_type == "int16") return 2;
  return 4;
}

namespace {

// The conv2d checks that come before the GEMM view exists (sizes and fields of the
// convolution), in the RTL's order; 0 when they pass.
uint32_t check_conv(const LayerDescriptor& d) {
  if (d.in_h == 0 || d.in_w == 0 || d.in_c == 0 || d.out_c == 0 || d.r == 0 || d.s == 0)
    return error_code("zero_size");
  if (d.stride_y == 0 || d.stride_x == 0 || d.pad_y > d.r || d.pad_x > d.s) return error_code("bad_field");
  const uint64_t dim_limit = uint64_t{1} << kConvDimBits, size_limit = uint64_t{1} << kSizeBits;
  if (d.in_h >= dim_limit || d.in_w >= dim_limit || d.in_c >= size_limit || d.out_c >= size_limit ||
      uint64_t{d.in_h} + 2 * uint64_t{d.pad_y} < d.r || uint64_t{d.in_w} + 2 * uint64_t{d.pad_x} < d.s ||
      uint64_t{d.in_w} * d.in_c >= size_limit)
    return error_code("size_range");
  const uint64_t e = (uint64_t{d.in_h} + 2 * uint64_t{d.pad_y} - d.r) / d.stride_y + 1;
  const uint64_t f = (uint64_t{d.in_w} + 2 * uint64_t{d.pad_x} - d.s) / d.stride_x + 1;
  if (e * f >= size_limit || uint64_t{d.r} * d.s * d.in_c >= size_limit) return error_code("size_range");
  return 0;
}

}  // namespace

GemmView gemm_view(const ShellParams& p, const LayerDescriptor& d) {
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8, o_b = out_bytes(d);
  GemmView v;
  if (d.op == "conv2d") {
    v.e = (uint64_t{d.in_h} + 2 * uint64_t{d.pad_y} - d.r) / d.stride_y + 1;
    v.f = (uint64_t{d.in_w} + 2 * uint64_t{d.pad_x} - d.s) / d.stride_x + 1;
    v.m = v.e * v.f;
    v.n = d.out_c;
    v.k = uint64_t{d.r} * d.s * d.in_c;
    v.a_row_bytes = uint64_t{d.in_w} * d.in_c * in_b;
    v.a_pitch = d.a_stride != 0 ? d.a_stride : v.a_row_bytes;
    // 1x1, stride 1, no padding, packed rows: A is the ifmap, a pixel a row.
    const bool a_is_gemm = d.r == 1 && d.s == 1 && d.stride_y == 1 && d.stride_x == 1 && d.pad_y == 0 &&
                           d.pad_x == 0 && v.a_pitch == v.a_row_bytes;
    v.conv = !a_is_gemm;
    if (a_is_gemm) v.a_row_bytes = v.a_pitch = uint64_t{d.in_c} * in_b;
  } else {
    v.m = d.m;
    v.n = d.n;
    v.k = d.k;
    v.a_row_bytes = v.k * in_b;
    v.a_pitch = d.a_stride != 0 ? d.a_stride : v.a_row_bytes;
  }
  v.b_row_bytes = v.n * w_b;
  v.b_pitch = d.b_stride != 0 ? d.b_stride : v.b_row_bytes;
  v.out_row_bytes = v.n * o_b;
  v.out_pitch = d.out_stride != 0 ? d.out_stride : v.out_row_bytes;
  return v;
}

std::optional<uint64_t> im2col_address(const ShellParams& p, const LayerDescriptor& d, const GemmView& v,
                                       uint64_t m, uint64_t k) {
  const unsigned in_b = p.in_bits / 8;
  const uint64_t oh = m / v.f, ow = m % v.f, c = k % d.in_c, rs = k / d.in_c, r = rs / d.s, s = rs % d.s;
  const int64_t ih = static_cast<int64_t>(oh * d.stride_y + r) - d.pad_y;
  const int64_t iw = static_cast<int64_t>(ow * d.stride_x + s) - d.pad_x;
  if (ih < 0 || iw < 0 || ih >= d.in_h || iw >= d.in_w) return std::nullopt;
  return d.a_addr + static_cast<uint64_t>(ih) * v.a_pitch + (static_cast<uint64_t>(iw) * d.in_c + c) * in_b;
}

int64_t a_element(const ShellParams& p, const LayerDescriptor& d, const GemmView& v,
                  const std::vector<uint8_t>& memory, uint64_t m, uint64_t k) {
  const unsigned in_b = p.in_bits / 8;
  const std::optional<uint64_t> at =
      v.conv ? im2col_address(p, d, v, m, k) : d.a_addr + m * v.a_pitch + k * in_b;
  return at ? load(memory, *at, in_b, p.is_signed) : 0;
}

uint64_t a_pitch(const ShellParams& p, const LayerDescriptor& d) { return gemm_view(p, d).a_pitch; }
uint64_t b_pitch(const ShellParams& p, const LayerDescriptor& d) { return gemm_view(p, d).b_pitch; }
uint64_t out_pitch(const ShellParams& p, const LayerDescriptor& d) { return gemm_view(p, d).out_pitch; }

uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d) {
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8, o_b = out_bytes(d);
  const bool raw = raw_output(d);
  const bool conv = d.op == "conv2d";
  if (d.op != "gemm" && !conv) return error_code("bad_op");
  if (conv) {
    if (const uint32_t code = check_conv(d)) return code;
  } else {
    if (d.m == 0 || d.n == 0 || d.k == 0) return error_code("zero_size");
    const uint32_t size_limit = 1u << kSizeBits;
    if (d.m >= size_limit || d.n >= size_limit || d.k >= size_limit) return error_code("size_range");
  }
  const GemmView v = gemm_view(p, d);
  // A conv2d's A_STRIDE is checked against an ifmap row (IN_W x IN_C elements).
  const uint64_t a_row = conv ? uint64_t{d.in_w} * d.in_c * in_b : v.a_row_bytes;
  const bool bad_bits = raw ? d.out_bits != 0 : d.out_bits != 0 && (d.out_bits < 2 || d.out_bits > 8 * o_b);
  const bool bad_precision = p.bitserial && !d.auto_precision && d.precision > p.in_bits;
  if ((raw && p.acc_bits > 32) || (!raw && d.out_shift > 62) || bad_bits || bad_precision || d.chw ||
      (d.a_stride != 0 && d.a_stride < a_row) || (d.b_stride != 0 && d.b_stride < v.b_row_bytes) ||
      (d.out_stride != 0 && d.out_stride < v.out_row_bytes))
    return error_code("bad_field");
  const uint64_t ap = d.a_stride != 0 ? d.a_stride : a_row;
  if (d.a_addr % in_b != 0 || ap % in_b != 0 || d.b_addr % w_b != 0 || v.b_pitch % w_b != 0 ||
      d.out_addr % o_b != 0 || v.out_pitch % o_b != 0 || (!raw && d.bias && d.bias_addr % 4 != 0) ||
      (!raw && d.per_channel && d.quant_addr % 4 != 0))
    return error_code("addr_align");
  const uint64_t a_rows = conv ? d.in_h : v.m;
  if (past_top(p.addr_bits, d.a_addr, a_rows, ap, a_row) ||
      past_top(p.addr_bits, d.b_addr, v.k, v.b_pitch, v.b_row_bytes) ||
      past_top(p.addr_bits, d.out_addr, v.m, v.out_pitch, v.out_row_bytes) ||
      (!raw && d.bias && past_top(p.addr_bits, d.bias_addr, 1, 0, v.n * 4)) ||
      (!raw && d.per_channel && past_top(p.addr_bits, d.quant_addr, 1, 0, v.n * 8)))
    return error_code("addr_range");
  return 0;
}

void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory) {
  if (check_descriptor(p, d) != 0)
    throw std::invalid_argument("systolic::run_layer: the descriptor does not run");
  const unsigned w_b = p.w_bits / 8, o_b = out_bytes(d);
  const GemmView v = gemm_view(p, d);
  const bool raw = raw_output(d);
  const bitserial::Precision prec = layer_precision(p, d);
  const bool w_signed = p.bitserial || p.is_signed;  // bit-serial weights are always signed
  // B is read once per column, so a column of B in a vector keeps the loop simple.
  std::vector<int64_t> a(v.m * v.k), column(v.k);
  for (uint64_t m = 0; m < v.m; ++m)
    for (uint64_t k = 0; k < v.k; ++k)
      a[m * v.k + k] = effective_activation(p, prec, a_element(p, d, v, memory, m, k));
  // Outputs go to a copy first: OUT may overlap A or B (the RTL reads a job's operands
  // before it writes its results only within a job, so such layers are not supported).
  std::vector<std::pair<uint64_t, int64_t>> results;
  results.reserve(v.m * v.n);
  for (uint64_t n = 0; n < v.n; ++n) {
    for (uint64_t k = 0; k < v.k; ++k)
      column[k] = load(memory, d.b_addr + k * v.b_pitch + n * w_b, w_b, w_signed);
    const shell::ChannelParams q = shell::channel_params(memory, d, n);
    for (uint64_t m = 0; m < v.m; ++m) {
      // |product| < 2^32 and K < 2^24: the exact sum fits 57 bits.
      int64_t sum = 0;
      for (uint64_t k = 0; k < v.k; ++k) sum += a[m * v.k + k] * column[k];
      const int64_t acc =
          p.saturate ? numerics::saturate_signed(sum, p.acc_bits) : numerics::wrap_signed(sum, p.acc_bits);
      const int64_t y = raw ? acc
                            : numerics::requantize(acc, q.bias, q.mult, q.shift,
                                                   d.out_bits != 0 ? d.out_bits : 8 * o_b, d.relu);
      results.emplace_back(d.out_addr + m * v.out_pitch + n * o_b, y);
    }
  }
  for (const auto& [addr, y] : results) store(memory, addr, o_b, y);
}

}  // namespace dnngen::systolic
