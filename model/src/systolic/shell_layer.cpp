// The golden model of a GEMM layer on the systolic shell (dnngen/systolic/shell_layer.hpp).
#include "dnngen/systolic/shell_layer.hpp"

#include <algorithm>
#include <stdexcept>

#include "dnngen/common/numerics.hpp"

namespace dnngen::systolic {
namespace {

using shell::register_map;

uint32_t error_code(const char* name) { return register_map().enum_value("error", name); }

bool raw_output(const LayerDescriptor& d) { return d.out_type == "int32"; }

// One past the last byte of `rows` rows of `row_bytes` bytes, `pitch` apart, from `base`
// stays within the address space.
bool past_top(unsigned addr_bits, uint64_t base, uint64_t rows, uint64_t pitch, uint64_t row_bytes) {
  const unsigned __int128 end =
      static_cast<unsigned __int128>(base) + static_cast<unsigned __int128>(rows - 1) * pitch + row_bytes;
  return end > (static_cast<unsigned __int128>(1) << addr_bits);
}

int64_t load(const std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, bool is_signed) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= uint64_t{mem.at(addr + i)} << (8 * i);
  return numerics::from_field(v, 8 * bytes, is_signed);
}

void store(std::vector<uint8_t>& mem, uint64_t addr, unsigned bytes, int64_t v) {
  const uint64_t f = numerics::to_field(v, 8 * bytes);
  for (unsigned i = 0; i < bytes; ++i) mem.at(addr + i) = static_cast<uint8_t>(f >> (8 * i));
}

}  // namespace

ShellParams shell_params(const config::Config& cfg) {
  const auto& s = cfg.systolic;
  ShellParams p;
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
  p.data_bits = cfg.memory.data_bits;
  p.max_burst = cfg.memory.max_burst;
  p.outstanding = cfg.memory.outstanding;
  return p;
}

unsigned out_bytes(const LayerDescriptor& d) {
  if (d.out_type == "int8") return 1;
  if (d.out_type == "int16") return 2;
  return 4;
}

uint64_t a_pitch(const ShellParams& p, const LayerDescriptor& d) {
  return d.a_stride != 0 ? d.a_stride : uint64_t{d.k} * (p.in_bits / 8);
}
uint64_t b_pitch(const ShellParams& p, const LayerDescriptor& d) {
  return d.b_stride != 0 ? d.b_stride : uint64_t{d.n} * (p.w_bits / 8);
}
uint64_t out_pitch(const LayerDescriptor& d) {
  return d.out_stride != 0 ? d.out_stride : uint64_t{d.n} * out_bytes(d);
}

uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d) {
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8, o_b = out_bytes(d);
  const bool raw = raw_output(d);
  if (d.op != "gemm") return error_code("bad_op");
  if (d.m == 0 || d.n == 0 || d.k == 0) return error_code("zero_size");
  const uint32_t size_limit = 1u << kSizeBits;
  if (d.m >= size_limit || d.n >= size_limit || d.k >= size_limit) return error_code("size_range");
  const uint64_t a_row = uint64_t{d.k} * in_b, b_row = uint64_t{d.n} * w_b, out_row = uint64_t{d.n} * o_b;
  if ((raw && p.acc_bits > 32) || (!raw && d.out_shift > 62) || (d.a_stride != 0 && d.a_stride < a_row) ||
      (d.b_stride != 0 && d.b_stride < b_row) || (d.out_stride != 0 && d.out_stride < out_row))
    return error_code("bad_field");
  const uint64_t ap = a_pitch(p, d), bp = b_pitch(p, d), op = out_pitch(d);
  if (d.a_addr % in_b != 0 || ap % in_b != 0 || d.b_addr % w_b != 0 || bp % w_b != 0 ||
      d.out_addr % o_b != 0 || op % o_b != 0 || (!raw && d.bias && d.bias_addr % 4 != 0) ||
      (!raw && d.per_channel && d.quant_addr % 4 != 0))
    return error_code("addr_align");
  if (past_top(p.addr_bits, d.a_addr, d.m, ap, a_row) || past_top(p.addr_bits, d.b_addr, d.k, bp, b_row) ||
      past_top(p.addr_bits, d.out_addr, d.m, op, out_row) ||
      (!raw && d.bias && past_top(p.addr_bits, d.bias_addr, 1, 0, uint64_t{d.n} * 4)) ||
      (!raw && d.per_channel && past_top(p.addr_bits, d.quant_addr, 1, 0, uint64_t{d.n} * 8)))
    return error_code("addr_range");
  return 0;
}

void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory) {
  if (check_descriptor(p, d) != 0)
    throw std::invalid_argument("systolic::run_layer: the descriptor does not run");
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8, o_b = out_bytes(d);
  const uint64_t ap = a_pitch(p, d), bp = b_pitch(p, d), op = out_pitch(d);
  const bool raw = raw_output(d);
  // B is read once per column, so a column of B in a vector keeps the loop simple.
  std::vector<int64_t> a(uint64_t{d.m} * d.k), column(d.k);
  for (uint32_t m = 0; m < d.m; ++m)
    for (uint32_t k = 0; k < d.k; ++k)
      a[uint64_t{m} * d.k + k] = load(memory, d.a_addr + m * ap + k * in_b, in_b, p.is_signed);
  // Outputs go to a copy first: OUT may overlap A or B (the RTL reads a job's operands
  // before it writes its results only within a job, so such layers are not supported).
  std::vector<std::pair<uint64_t, int64_t>> results;
  results.reserve(uint64_t{d.m} * d.n);
  for (uint32_t n = 0; n < d.n; ++n) {
    for (uint32_t k = 0; k < d.k; ++k)
      column[k] = load(memory, d.b_addr + k * bp + uint64_t{n} * w_b, w_b, p.is_signed);
    int32_t bias = 0, mult = d.out_mult;
    unsigned shift = d.out_shift;
    if (!raw && d.bias) bias = static_cast<int32_t>(load(memory, d.bias_addr + uint64_t{n} * 4, 4, true));
    if (!raw && d.per_channel) {
      mult = static_cast<int32_t>(load(memory, d.quant_addr + uint64_t{n} * 8, 4, true));
      const auto s = static_cast<uint32_t>(load(memory, d.quant_addr + uint64_t{n} * 8 + 4, 4, false));
      shift = std::min<uint32_t>(s, 62);  // a table shift above 62 reads as 62
    }
    for (uint32_t m = 0; m < d.m; ++m) {
      // |product| < 2^32 and K < 2^24: the exact sum fits 57 bits.
      int64_t sum = 0;
      for (uint32_t k = 0; k < d.k; ++k) sum += a[uint64_t{m} * d.k + k] * column[k];
      const int64_t acc =
          p.saturate ? numerics::saturate_signed(sum, p.acc_bits) : numerics::wrap_signed(sum, p.acc_bits);
      const int64_t y = raw ? acc : numerics::requantize(acc, bias, mult, shift, 8 * o_b, d.relu);
      results.emplace_back(d.out_addr + m * op + uint64_t{n} * o_b, y);
    }
  }
  for (const auto& [addr, y] : results) store(memory, addr, o_b, y);
}

}  // namespace dnngen::systolic
