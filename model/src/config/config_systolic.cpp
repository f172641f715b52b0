// The `systolic:` section: keys, ranges and the consistency checks between them.
#include <fmt/format.h>

#include "config_internal.hpp"
#include "config_sections.hpp"

namespace dnngen::config {
namespace {

using detail::MapReader;

// Every dataflow's keys come first; then each dataflow's own.
const std::vector<std::string> kArrayKeys = {"rows",        "cols",     "dataflow", "input_bits",
                                             "weight_bits", "acc_bits", "signed",   "overflow"};
const std::vector<std::string> kJobLimitKeys = {"max_m", "max_n", "max_k"};

// On-chip operand buffers (A and B tiles) must stay within what an FPGA or a
// simulator can hold; 64 Mibit is far above any preset and well below trouble.
constexpr int64_t kBufferLimitBits = int64_t{64} << 20;

// Checks that involve more than one key, after each key is valid on its own.
// (The saturating RTL's exact sum has product_bits + clog2(max_k + 1) bits.)
void check_consistency(const SystolicConfig& s, const MapReader& r) {
  const unsigned sum_bits = s.product_bits() + detail::ceil_log2(s.max_k);
  if (s.overflow == Overflow::kSaturate && sum_bits > detail::kExactSumLimitBits) {
    r.fail_at("max_k", fmt::format("with overflow: saturate, product_bits + ceil(log2(max_k)) "
                                   "must be <= {}, got {} + {} = {}; reduce max_k or the "
                                   "operand widths",
                                   detail::kExactSumLimitBits, s.product_bits(), detail::ceil_log2(s.max_k),
                                   sum_bits));
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

}  // namespace

SystolicConfig detail::parse_systolic(const YAML::Node& node, const std::string& source) {
  MapReader r(node, "systolic", source);
  // The dataflow picks the key set; WS/OS keep theirs (and their messages) unchanged.
  const YAML::Node dataflow = node["dataflow"];
  const bool rs = dataflow && dataflow.IsScalar() && dataflow.Scalar() == to_string(Dataflow::kRowStationary);
  std::vector<std::string> keys = kArrayKeys;
  const auto& own = rs ? detail::kRowStationaryKeys : kJobLimitKeys;
  keys.insert(keys.end(), own.begin(), own.end());
  r.check_known(keys);
  SystolicConfig s;
  // Row stationary keeps Eyeriss-sized arrays: its shell drains at most 64 output rows of
  // a tile per write segment (dnn_shell_rs, NumCols <= 64).
  const unsigned side = rs ? detail::kMaxRowStationarySide : detail::kMaxArraySide;
  const std::string side_note = rs ? " with dataflow row_stationary" : "";
  s.rows = r.get_unsigned("rows", 1, side, side_note);
  s.cols = r.get_unsigned("cols", 1, side, side_note);
  s.dataflow = r.get_choice<Dataflow>("dataflow",
                                      {{to_string(Dataflow::kWeightStationary), Dataflow::kWeightStationary},
                                       {to_string(Dataflow::kOutputStationary), Dataflow::kOutputStationary},
                                       {to_string(Dataflow::kRowStationary), Dataflow::kRowStationary}});
  s.input_bits = r.get_unsigned("input_bits", 2, 16);
  s.weight_bits = r.get_unsigned("weight_bits", 2, 16);
  s.is_signed = r.get_bool("signed");
  // The lower bound depends on the keys above; say where it comes from.
  s.acc_bits =
      r.get_unsigned("acc_bits", s.product_bits(), 64,
                     fmt::format(" (the lower bound is product_bits = input_bits + weight_bits{} = {})",
                                 s.is_signed ? "" : " + 1 for unsigned", s.product_bits()));
  s.overflow = r.get_choice<Overflow>("overflow", {{to_string(Overflow::kWrap), Overflow::kWrap},
                                                   {to_string(Overflow::kSaturate), Overflow::kSaturate}});
  if (s.row_stationary()) return s;
  s.max_m = r.get_unsigned("max_m", 1, 16384);
  s.max_n = r.get_unsigned("max_n", 1, 16384);
  s.max_k = r.get_unsigned("max_k", 1, 16384);
  check_consistency(s, r);
  return s;
}

std::vector<std::pair<std::string, int64_t>> detail::array_rtl_parameters(const ArrayConfig& a) {
  return {{"NumRows", a.rows},
          {"NumCols", a.cols},
          {"InBits", a.input_bits},
          {"WBits", a.weight_bits},
          {"AccBits", a.acc_bits},
          {"Signed", a.is_signed ? 1 : 0},
          {"Saturate", a.overflow == Overflow::kSaturate ? 1 : 0}};
}

std::vector<std::pair<std::string, int64_t>> systolic_rtl_parameters(const SystolicConfig& s) {
  auto params = detail::array_rtl_parameters(s);
  params.insert(params.end(), {{"Dataflow", s.dataflow == Dataflow::kOutputStationary ? 1 : 0},
                               {"MaxM", s.max_m},
                               {"MaxN", s.max_n},
                               {"MaxK", s.max_k}});
  return params;
}

std::string systolic_rtl_top(const SystolicConfig& s) {
  return s.row_stationary() ? "dnn_rs_top" : "dnn_systolic_top";
}

std::string systolic_rtl_variant(const SystolicConfig& s) {
  return s.row_stationary() ? "row_stationary" : "systolic";
}

std::string to_string(Dataflow d) {
  switch (d) {
    case Dataflow::kWeightStationary:
      return "weight_stationary";
    case Dataflow::kOutputStationary:
      return "output_stationary";
    case Dataflow::kRowStationary:
      return "row_stationary";
  }
  return "?";
}

std::string to_string(Overflow o) { return o == Overflow::kWrap ? "wrap" : "saturate"; }

}  // namespace dnngen::config
