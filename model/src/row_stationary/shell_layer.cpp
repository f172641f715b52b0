// The golden model of a conv2d layer on the row-stationary shell
// (dnngen/row_stationary/shell_layer.hpp).
#include "dnngen/row_stationary/shell_layer.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "dnngen/common/numerics.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::rs {
namespace {

using shell::error_code;
using shell::load;
using shell::past_top;
using shell::store;

bool raw_output(const LayerDescriptor& d) { return d.out_type == "int32"; }

constexpr uint64_t kDimLimit = uint64_t{1} << 16;  // the core's 16-bit job fields

}  // namespace

ShellParams shell_params(const config::Config& cfg) {
  if (!cfg.systolic.row_stationary())
    throw std::invalid_argument("rs::shell_params: not a row-stationary configuration");
  ShellParams p;
  p.rs = cfg.row_stationary;
  p.data_bits = cfg.memory.data_bits;
  p.max_burst = cfg.memory.max_burst;
  p.outstanding = cfg.memory.outstanding;
  p.config_hash = config::shell_config_hash(cfg);
  return p;
}

uint64_t images(const LayerDescriptor& d) { return d.n == 0 ? 1 : d.n; }

uint64_t ofmap_height(const LayerDescriptor& d) {
  return (uint64_t{d.in_h} + 2 * uint64_t{d.pad_y} - d.r) / d.stride_y + 1;
}
uint64_t ofmap_width(const LayerDescriptor& d) {
  return (uint64_t{d.in_w} + 2 * uint64_t{d.pad_x} - d.s) / d.stride_x + 1;
}

unsigned out_bytes(const LayerDescriptor& d) {
  if (d.out_type == "int8") return 1;
  if (d.out_type == "int16") return 2;
  return 4;
}

ConvJob conv_job(const LayerDescriptor& d) {
  ConvJob j;
  j.c = d.in_c;
  j.h = d.in_h;
  j.w = d.in_w;
  j.k = d.out_c;
  j.r = d.r;
  j.s = d.s;
  j.stride = d.stride_y;
  j.pad = d.pad_y;
  j.tail_div = kShellTailDiv;
  return j;
}

DescriptorCheck explain_descriptor(const ShellParams& p, const LayerDescriptor& d) {
  const auto& cfg = p.rs;
  const auto fail = [](const char* code, std::string why) {
    return DescriptorCheck{error_code(code), std::move(why)};
  };
  if (d.op != "conv2d") return fail("bad_op", "OP " + d.op + " (the engine runs conv2d)");
  if (d.in_h == 0 || d.in_w == 0 || d.in_c == 0 || d.out_c == 0 || d.r == 0 || d.s == 0)
    return fail("zero_size", "a size of 0");
  if (d.stride_y == 0 || d.stride_x == 0) return fail("bad_field", "stride 0");
  if (d.pad_y > d.r || d.pad_x > d.s)
    return fail("bad_field",
                fmt::format("pad {} x {} is larger than the filter's {} x {} (each side is padded by at "
                            "most R and S)",
                            d.pad_y, d.pad_x, d.r, d.s));
  if (d.stride_x != d.stride_y || d.pad_x != d.pad_y)
    return fail("bad_field",
                "the engine takes square strides and padding (STRIDE.X = STRIDE.Y, PAD.X = PAD.Y)");
  const uint64_t span_y = uint64_t{d.in_h % kDimLimit} + 2 * uint64_t{d.pad_y};
  const uint64_t span_x = uint64_t{d.in_w % kDimLimit} + 2 * uint64_t{d.pad_x};
  if (d.in_w > cfg.ifmap_spad)
    return fail("size_range", fmt::format("ifmap width W = {} does not fit the PE ifmap scratchpad "
                                          "(systolic.ifmap_spad = {})",
                                          d.in_w, cfg.ifmap_spad));
  if (d.r > cfg.max_filter_size || d.s > cfg.max_filter_size)
    return fail("size_range", fmt::format("filter {}x{} is larger than systolic.max_filter_size = {}", d.r,
                                          d.s, cfg.max_filter_size));
  if (d.in_h >= kDimLimit || d.in_c >= kDimLimit || d.out_c >= kDimLimit || d.n >= kDimLimit)
    return fail("size_range",
                fmt::format("a size (H {}, C {}, K {}, N {}) from 2^16 up (the core's 16-bit job fields)",
                            d.in_h, d.in_c, d.out_c, d.n));
  if (span_y < d.r || span_x < d.s) return fail("size_range", "the filter is larger than the padded input");
  const uint64_t e = (span_y - d.r) / d.stride_y + 1, f = (span_x - d.s) / d.stride_x + 1;
  const uint64_t nq = (uint64_t{d.in_c} * d.r + cfg.rows - 1) / cfg.rows;
  if (!cfg.ring_buffers && uint64_t{d.in_c} * d.in_h > cfg.ifmap_rows)
    return fail("size_range", fmt::format("C*H = {} ifmap rows do not fit the ifmap buffer "
                                          "(systolic.ifmap_rows = {})",
                                          uint64_t{d.in_c} * d.in_h, cfg.ifmap_rows));
  if (f > cfg.psum_spad)
    return fail("size_range", fmt::format("output width F = {} does not fit the psum buffer "
                                          "(systolic.psum_spad = {})",
                                          f, cfg.psum_spad));
  if (!cfg.ring_buffers && uint64_t{d.out_c} * nq > cfg.filter_words)
    return fail("size_range", fmt::format("K * ceil(C*R / rows) = {} * {} filter words do not fit the filter "
                                          "buffer (systolic.filter_words = {})",
                                          d.out_c, nq, cfg.filter_words));
  if (d.out_c > cfg.max_filters)
    return fail("size_range", fmt::format("K = {} filters do not fit the bias and scale tables "
                                          "(systolic.max_filters = {})",
                                          d.out_c, cfg.max_filters));
  if (e >= kDimLimit) return fail("size_range", fmt::format("output height E = {} from 2^16 up", e));
  const unsigned ib = cfg.input_bits / 8, wb = cfg.weight_bits / 8, ob = out_bytes(d);
  const bool raw = raw_output(d);
  const unsigned type_bits = d.out_type == "int8" ? 8 : 16;
  if (!d.chw) return fail("bad_field", "OP.CHW clear (the engine reads CHW / KCRS tensors)");
  if (raw && cfg.acc_bits > 32)
    return fail("bad_field",
                fmt::format("{}-bit sums do not fit the int32 output (systolic.acc_bits)", cfg.acc_bits));
  if (!raw && d.out_shift > 62) return fail("bad_field", "OUT_SHIFT above 62");
  if (raw ? d.out_bits != 0 : d.out_bits != 0 && (d.out_bits < 2 || d.out_bits > type_bits))
    return fail("bad_field",
                fmt::format("OUTPUT.BITS {} (2..{} for {}, 0 for int32)", d.out_bits, type_bits, d.out_type));
  if (d.b_stride != 0) return fail("bad_field", "B_STRIDE set (the weights are packed KCRS)");
  const uint64_t a_row = uint64_t{d.in_w} * ib, out_row = f * ob;
  if ((d.a_stride != 0 && d.a_stride < a_row) || (d.out_stride != 0 && d.out_stride < out_row))
    return fail("bad_field", "A_STRIDE or OUT_STRIDE below its row");
  const uint64_t a_pitch = d.a_stride != 0 ? d.a_stride : a_row;
  const uint64_t out_pitch = d.out_stride != 0 ? d.out_stride : out_row;
  const bool bias = d.bias && !raw, quant = d.per_channel && !raw;
  if (d.a_addr % ib != 0 || a_pitch % ib != 0 || d.b_addr % wb != 0 || d.out_addr % ob != 0 ||
      out_pitch % ob != 0 || (bias && d.bias_addr % 4 != 0) || (quant && d.quant_addr % 4 != 0))
    return fail("addr_align", "a tensor address or stride not aligned to its element size");
  const uint64_t w_bytes = uint64_t{d.out_c} * d.in_c * d.r * d.s * wb;
  if (past_top(p.addr_bits, d.a_addr, images(d) * d.in_c * d.in_h, a_pitch, a_row) ||
      past_top(p.addr_bits, d.b_addr, 1, 0, w_bytes) ||
      past_top(p.addr_bits, d.out_addr, images(d) * d.out_c * e, out_pitch, out_row) ||
      (bias && past_top(p.addr_bits, d.bias_addr, 1, 0, uint64_t{d.out_c} * 4)) ||
      (quant && past_top(p.addr_bits, d.quant_addr, 1, 0, uint64_t{d.out_c} * 8)))
    return fail("addr_range", fmt::format("a tensor runs past the {}-bit address space", p.addr_bits));
  return {};
}

uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d) {
  return explain_descriptor(p, d).code;
}

shell::Identity shell_identity(const ShellParams& p) {
  const auto& map = shell::register_map();
  shell::Identity id;
  id.engine_kind = map.enum_value("engine", "row_stationary");
  id.engine_variant = 0;
  id.engine_ops = 1u << map.enum_value("op", "conv2d");
  id.config_hash = p.config_hash;
  id.array_rows = p.rs.rows;
  id.array_cols = p.rs.cols;
  id.in_bits = p.rs.input_bits;
  id.w_bits = p.rs.weight_bits;
  id.acc_bits = p.rs.acc_bits;
  id.is_signed = p.rs.is_signed;
  id.saturate = p.rs.overflow == config::Overflow::kSaturate;
  id.mem_data_bits = p.data_bits;
  id.max_burst = p.max_burst;
  id.outstanding = p.outstanding;
  id.mem_addr_bits = p.addr_bits;
  return id;
}

void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory) {
  if (check_descriptor(p, d) != 0) throw std::invalid_argument("rs::run_layer: the descriptor does not run");
  const auto& cfg = p.rs;
  const unsigned ib = cfg.input_bits / 8, wb = cfg.weight_bits / 8, ob = out_bytes(d);
  const bool raw = raw_output(d);
  const int64_t C = d.in_c, H = d.in_h, W = d.in_w, K = d.out_c, R = d.r, S = d.s;
  const int64_t stride = d.stride_y, pad = d.pad_y;
  const int64_t E = (H + 2 * pad - R) / stride + 1, F = (W + 2 * pad - S) / stride + 1;
  const uint64_t a_pitch = d.a_stride != 0 ? d.a_stride : uint64_t(W) * ib;
  const uint64_t out_pitch = d.out_stride != 0 ? d.out_stride : uint64_t(F) * ob;
  const auto N = static_cast<int64_t>(images(d));
  std::vector<int64_t> ifmap(N * C * H * W), weights(K * C * R * S);
  for (int64_t row = 0; row < N * C * H; ++row)  // image n's rows (c, y) follow image n - 1's
    for (int64_t x = 0; x < W; ++x)
      ifmap[row * W + x] = load(memory, d.a_addr + row * a_pitch + x * ib, ib, cfg.is_signed);
  for (int64_t i = 0; i < K * C * R * S; ++i) weights[i] = load(memory, d.b_addr + i * wb, wb, cfg.is_signed);
  // Outputs go to a copy first, the layer's result as a whole. The RTL writes output tiles
  // while later ifmap rows and weights still stream in, so an ofmap that overlaps them is
  // undefined there (docs/shell.md); the tests keep them apart.
  std::vector<std::pair<uint64_t, int64_t>> results;
  results.reserve(N * K * E * F);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const shell::ChannelParams q = shell::channel_params(memory, d, static_cast<uint64_t>(k));
      for (int64_t e = 0; e < E; ++e)
        for (int64_t f = 0; f < F; ++f) {
          // |product| < 2^33 and C*R*S < 2^26: the exact sum fits 64 bits.
          int64_t sum = 0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t r = 0; r < R; ++r) {
              const int64_t y = e * stride + r - pad;
              if (y < 0 || y >= H) continue;
              for (int64_t s = 0; s < S; ++s) {
                const int64_t x = f * stride + s - pad;
                if (x < 0 || x >= W) continue;
                sum += ifmap[((n * C + c) * H + y) * W + x] * weights[((k * C + c) * R + r) * S + s];
              }
            }
          const int64_t acc = cfg.overflow == config::Overflow::kSaturate
                                  ? numerics::saturate_signed(sum, cfg.acc_bits)
                                  : numerics::wrap_signed(sum, cfg.acc_bits);
          const int64_t out = raw ? acc
                                  : numerics::requantize(acc, q.bias, q.mult, q.shift,
                                                         d.out_bits != 0 ? d.out_bits : 8 * ob, d.relu);
          results.emplace_back(d.out_addr + ((n * K + k) * E + e) * out_pitch + f * ob, out);
        }
    }
  for (const auto& [addr, y] : results) store(memory, addr, ob, y);
}

}  // namespace dnngen::rs
