// The `eie:` section: keys, ranges and the consistency checks between them.
#include <fmt/format.h>

#include "config_internal.hpp"
#include "config_sections.hpp"

namespace dnngen::config {
namespace {

using detail::MapReader;

const std::vector<std::string> kEieKeys = {"pes",      "fifo_depth", "index_bits", "act_bits",
                                           "acc_bits", "frac_bits",  "relu",       "max_rows",
                                           "max_cols", "max_entries"};

// Codebook values are 16-bit fixed point (EIE), so a product has act_bits + 16 bits.
constexpr unsigned kCodebookBits = 16;

}  // namespace

EieConfig detail::parse_eie(const YAML::Node& node, const std::string& source) {
  MapReader r(node, "eie", source);
  r.check_known(kEieKeys);
  EieConfig e;
  e.pes = r.get_unsigned("pes", 1, kEieMaxPes);
  e.fifo_depth = r.get_unsigned("fifo_depth", 1, 64);
  e.index_bits = r.get_unsigned("index_bits", 1, 8);
  e.act_bits = r.get_unsigned("act_bits", 4, 16);
  const unsigned product_bits = e.act_bits + kCodebookBits;
  e.acc_bits = r.get_unsigned(
      "acc_bits", product_bits, 64,
      fmt::format(" (the lower bound is act_bits + {} codebook bits = {})", kCodebookBits, product_bits));
  e.frac_bits =
      r.get_unsigned("frac_bits", 0, e.act_bits - 1, fmt::format(" (below act_bits = {})", e.act_bits));
  e.relu = r.get_bool("relu");
  e.max_rows = r.get_unsigned("max_rows", 1, 65536);
  e.max_cols = r.get_unsigned("max_cols", 1, 65536);
  e.max_entries = r.get_unsigned("max_entries", 1, 1u << 20);
  return e;
}

std::vector<std::pair<std::string, int64_t>> eie_rtl_parameters(const EieConfig& e) {
  return {{"NumPes", e.pes},           {"FifoDepth", e.fifo_depth},
          {"IndexBits", e.index_bits}, {"ActBits", e.act_bits},
          {"AccBits", e.acc_bits},     {"FracBits", e.frac_bits},
          {"Relu", e.relu ? 1 : 0},    {"MaxRows", e.max_rows},
          {"MaxCols", e.max_cols},     {"MaxEntries", e.max_entries}};
}

}  // namespace dnngen::config
