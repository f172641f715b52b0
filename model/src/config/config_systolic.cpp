// The `systolic:` section: keys, ranges and the consistency checks between them.
#include <fmt/format.h>

#include "config_internal.hpp"
#include "config_sections.hpp"

namespace dnngen::config {
namespace {

using detail::MapReader;

const std::vector<std::string> kSystolicKeys = {"rows",        "cols",     "dataflow", "input_bits",
                                                "weight_bits", "acc_bits", "signed",   "overflow",
                                                "max_m",       "max_n",    "max_k"};
// Row stationary has no GEMM job limits; its keys size the PE scratchpads and buffers.
const std::vector<std::string> kRowStationaryKeys = {
    "rows",        "cols",       "dataflow",        "input_bits",  "weight_bits",
    "acc_bits",    "signed",     "overflow",        "max_filter_size", "filter_spad",
    "ifmap_spad",  "psum_spad",  "ifmap_rows",      "filter_words"};
// RS buffers hold whole ifmap rows and filter-row words: a larger budget than WS/OS,
// still far below what Verilator and an FPGA flow handle.
constexpr int64_t kRsBufferLimitBits = int64_t{256} << 20;

// On-chip operand buffers (A and B tiles) must stay within what an FPGA or a
// simulator can hold; 64 Mibit is far above any preset and well below trouble.
constexpr int64_t kBufferLimitBits = int64_t{64} << 20;
// The saturating RTL keeps the exact sum (product_bits + clog2(max_k + 1) bits) before
// clamping; the golden model holds it in 64 bits, so that width is the ceiling.
constexpr unsigned kExactSumLimitBits = 64;

// Checks that involve more than one key, after each key is valid on its own.
void check_consistency(const SystolicConfig& s, const MapReader& r) {
  const unsigned sum_bits = s.product_bits() + detail::ceil_log2(s.max_k);
  if (s.overflow == Overflow::kSaturate && sum_bits > kExactSumLimitBits) {
    r.fail_at("max_k",
              fmt::format("with overflow: saturate, product_bits + ceil(log2(max_k)) "
                          "must be <= {}, got {} + {} = {}; reduce max_k or the "
                          "operand widths",
                          kExactSumLimitBits, s.product_bits(), detail::ceil_log2(s.max_k), sum_bits));
  }
  const int64_t buffer_bits =
      int64_t{s.max_m} * s.max_k * s.input_bits + int64_t{s.max_k} * s.max_n * s.weight_bits;
  if (buffer_bits > kBufferLimitBits) {
    r.fail(
        fmt::format("systolic: on-chip buffers need max_m*max_k*input_bits + "
                    "max_k*max_n*weight_bits = {} bits, above the 64 Mibit ({}) limit; "
                    "reduce systolic.max_m, systolic.max_n, systolic.max_k or the operand "
                    "widths",
                    buffer_bits, kBufferLimitBits));
  }
}

// Row-stationary keys and their cross checks (docs/row_stationary.md).
void parse_row_stationary(SystolicConfig& s, const MapReader& r) {
  s.max_filter_size = r.get_unsigned("max_filter_size", 1, 32);
  s.filter_spad = r.get_unsigned("filter_spad", 1, 32);
  s.ifmap_spad = r.get_unsigned("ifmap_spad", 1, 1024);
  s.psum_spad = r.get_unsigned("psum_spad", 1, 65536);
  s.ifmap_rows = r.get_unsigned("ifmap_rows", 1, 65536);
  s.filter_words = r.get_unsigned("filter_words", 1, 1u << 20);
  if (s.filter_spad < s.max_filter_size)
    r.fail_at("filter_spad",
              fmt::format("a PE filter scratchpad bank holds one filter row, so it needs at least "
                          "max_filter_size = {} entries, got {}",
                          s.max_filter_size, s.filter_spad));
  const unsigned terms_bits =
      detail::ceil_log2(uint64_t{s.ifmap_rows} * s.max_filter_size * s.max_filter_size);
  if (s.overflow == Overflow::kSaturate && s.product_bits() + terms_bits > kExactSumLimitBits)
    r.fail_at("ifmap_rows",
              fmt::format("with overflow: saturate, product_bits + ceil(log2(ifmap_rows * "
                          "max_filter_size^2)) must be <= {}, got {} + {}; reduce ifmap_rows, "
                          "max_filter_size or the operand widths",
                          kExactSumLimitBits, s.product_bits(), terms_bits));
  const int64_t bits = int64_t{s.ifmap_rows} * s.ifmap_spad * s.input_bits +
                       int64_t{s.filter_words} * s.rows * s.filter_spad * s.weight_bits +
                       int64_t{s.psum_spad} * s.cols * 64;
  if (bits > kRsBufferLimitBits)
    r.fail(fmt::format("systolic: row-stationary buffers need ifmap_rows*ifmap_spad*input_bits + "
                       "filter_words*rows*filter_spad*weight_bits + psum_spad*cols*64 = {} bits, "
                       "above the 256 Mibit ({}) limit; reduce ifmap_rows, filter_words or "
                       "psum_spad",
                       bits, kRsBufferLimitBits));
}

}  // namespace

SystolicConfig detail::parse_systolic(const YAML::Node& node, const std::string& source) {
  MapReader r(node, "systolic", source);
  // The dataflow picks the key set; WS/OS keep theirs (and their messages) unchanged.
  const YAML::Node dataflow = node["dataflow"];
  const bool rs = dataflow && dataflow.IsScalar() && dataflow.Scalar() == to_string(Dataflow::kRowStationary);
  r.check_known(rs ? kRowStationaryKeys : kSystolicKeys);
  SystolicConfig s;
  s.rows = r.get_unsigned("rows", 1, 64);
  s.cols = r.get_unsigned("cols", 1, 64);
  s.dataflow = r.get_choice<Dataflow>(
      "dataflow", {{to_string(Dataflow::kWeightStationary), Dataflow::kWeightStationary},
                   {to_string(Dataflow::kOutputStationary), Dataflow::kOutputStationary},
                   {to_string(Dataflow::kRowStationary), Dataflow::kRowStationary}});
  s.input_bits = r.get_unsigned("input_bits", 2, 16);
  s.weight_bits = r.get_unsigned("weight_bits", 2, 16);
  s.is_signed = r.get_bool("signed");
  // The lower bound depends on the keys above; say where it comes from.
  s.acc_bits = r.get_unsigned(
      "acc_bits", s.product_bits(), 64,
      fmt::format(" (the lower bound is product_bits = input_bits + weight_bits{} = {})",
                  s.is_signed ? "" : " + 1 for unsigned", s.product_bits()));
  s.overflow =
      r.get_choice<Overflow>("overflow", {{to_string(Overflow::kWrap), Overflow::kWrap},
                                          {to_string(Overflow::kSaturate), Overflow::kSaturate}});
  if (s.row_stationary()) {
    parse_row_stationary(s, r);
    return s;
  }
  s.max_m = r.get_unsigned("max_m", 1, 16384);
  s.max_n = r.get_unsigned("max_n", 1, 16384);
  s.max_k = r.get_unsigned("max_k", 1, 16384);
  check_consistency(s, r);
  return s;
}

std::vector<std::pair<std::string, int64_t>> systolic_rtl_parameters(const SystolicConfig& s) {
  if (s.row_stationary()) {
    return {{"NumRows", s.rows},
            {"NumCols", s.cols},
            {"InBits", s.input_bits},
            {"WBits", s.weight_bits},
            {"AccBits", s.acc_bits},
            {"Signed", s.is_signed ? 1 : 0},
            {"Saturate", s.overflow == Overflow::kSaturate ? 1 : 0},
            {"MaxRS", s.max_filter_size},
            {"FilterSpad", s.filter_spad},
            {"IfmapSpad", s.ifmap_spad},
            {"PsumSpad", s.psum_spad},
            {"IfmapRows", s.ifmap_rows},
            {"FilterWords", s.filter_words}};
  }
  return {{"NumRows", s.rows},
          {"NumCols", s.cols},
          {"InBits", s.input_bits},
          {"WBits", s.weight_bits},
          {"AccBits", s.acc_bits},
          {"Signed", s.is_signed ? 1 : 0},
          {"Saturate", s.overflow == Overflow::kSaturate ? 1 : 0},
          {"Dataflow", s.dataflow == Dataflow::kOutputStationary ? 1 : 0},
          {"MaxM", s.max_m},
          {"MaxN", s.max_n},
          {"MaxK", s.max_k}};
}

std::string systolic_rtl_top(const SystolicConfig& s) {
  return s.row_stationary() ? "dnn_rs_top" : "dnn_systolic_top";
}

std::string systolic_rtl_variant(const SystolicConfig& s) {
  return s.row_stationary() ? "row_stationary" : "systolic";
}

std::string to_string(Dataflow d) {
  switch (d) {
    case Dataflow::kWeightStationary: return "weight_stationary";
    case Dataflow::kOutputStationary: return "output_stationary";
    case Dataflow::kRowStationary: return "row_stationary";
  }
  return "?";
}

std::string to_string(Overflow o) { return o == Overflow::kWrap ? "wrap" : "saturate"; }

}  // namespace dnngen::config
