// The `systolic:` section with dataflow row_stationary: the keys that size the PE
// scratchpads and buffers (docs/row_stationary.md), and the checks between them.
// parse_systolic has checked the key set and read the array and numerics.
#include <fmt/format.h>

#include "config_internal.hpp"
#include "config_sections.hpp"

namespace dnngen::config {
namespace {

// RS buffers hold whole ifmap rows and filter-row words: a larger budget than WS/OS,
// still far below what Verilator and an FPGA flow handle.
constexpr int64_t kRsBufferLimitBits = int64_t{256} << 20;

}  // namespace

// Row stationary has no GEMM job limits; its keys size the PE scratchpads and buffers.
const std::vector<std::string> detail::kRowStationaryKeys = {
    "max_filter_size", "filter_spad",  "ifmap_spad", "ifmap_spad_banks", "psum_spad",
    "ifmap_rows",      "filter_words", "buffers",    "max_filters",      "tile_words"};

RowStationaryConfig detail::parse_row_stationary(const YAML::Node& node, const std::string& source,
                                                 const ArrayConfig& array) {
  const MapReader r(node, "systolic", source);
  RowStationaryConfig s;
  static_cast<ArrayConfig&>(s) = array;
  s.max_filter_size = r.get_unsigned("max_filter_size", 1, 32);
  s.filter_spad = r.get_unsigned("filter_spad", 1, 32);
  s.ifmap_spad = r.get_unsigned("ifmap_spad", 1, 1024);
  if (r.has("ifmap_spad_banks"))
    s.ifmap_spad_banks = r.get_unsigned(
        "ifmap_spad_banks", 1, 2, " (1: loads between passes; 2: the next pass's loads overlap the steps)");
  s.psum_spad = r.get_unsigned("psum_spad", 1, 65536);
  s.ifmap_rows = r.get_unsigned("ifmap_rows", 1, 65536);
  s.filter_words = r.get_unsigned("filter_words", 1, 1u << 20);
  if (r.has("buffers")) s.ring_buffers = r.get_choice<bool>("buffers", {{"whole", false}, {"ring", true}});
  s.max_filters =
      r.has("max_filters") ? r.get_unsigned("max_filters", 1, 65535) : std::min(s.filter_words, 65535u);
  s.tile_words = r.has("tile_words")
                     ? r.get_unsigned("tile_words", s.psum_spad, 1u << 20, " (psum_spad or more)")
                     : 2 * s.psum_spad;
  if (s.filter_spad < s.max_filter_size)
    r.fail_at("filter_spad",
              fmt::format("a PE filter scratchpad bank holds one filter row, so it needs at least "
                          "max_filter_size = {} entries, got {}",
                          s.max_filter_size, s.filter_spad));
  // The exact sum of a job's C*R*S products: C*H <= ifmap_rows, or with rings C < 2^16.
  const unsigned terms_bits = detail::ceil_log2(s.max_channels() * s.max_filter_size * s.max_filter_size);
  if (s.overflow == Overflow::kSaturate && s.product_bits() + terms_bits > kExactSumLimitBits)
    r.fail_at(
        s.ring_buffers ? "max_filter_size" : "ifmap_rows",
        fmt::format("with overflow: saturate, product_bits + ceil(log2({} * max_filter_size^2)) must be "
                    "<= {}, got {} + {}; reduce {}max_filter_size or the operand widths",
                    s.ring_buffers ? "65536 channels" : "ifmap_rows", kExactSumLimitBits, s.product_bits(),
                    terms_bits, s.ring_buffers ? "" : "ifmap_rows, "));
  const int64_t bits = int64_t{s.ifmap_rows} * s.ifmap_spad * s.input_bits +
                       int64_t{s.filter_words} * s.rows * s.filter_spad * s.weight_bits +
                       int64_t{s.psum_spad} * s.cols * 64;
  if (bits > kRsBufferLimitBits)
    r.fail(
        fmt::format("systolic: row-stationary buffers need ifmap_rows*ifmap_spad*input_bits + "
                    "filter_words*rows*filter_spad*weight_bits + psum_spad*cols*64 = {} bits, "
                    "above the 256 Mibit ({}) limit; reduce ifmap_rows, filter_words or "
                    "psum_spad",
                    bits, kRsBufferLimitBits));
  return s;
}

std::vector<std::pair<std::string, int64_t>> row_stationary_rtl_parameters(const RowStationaryConfig& r) {
  auto params = detail::array_rtl_parameters(r);
  params.insert(params.end(), {{"MaxRS", r.max_filter_size},
                               {"FilterSpad", r.filter_spad},
                               {"IfmapSpad", r.ifmap_spad},
                               {"IfmapBanks", r.ifmap_spad_banks},
                               {"PsumSpad", r.psum_spad},
                               {"IfmapRows", r.ifmap_rows},
                               {"FilterWords", r.filter_words},
                               {"RingBuffers", r.ring_buffers ? 1 : 0}});
  return params;
}

}  // namespace dnngen::config
