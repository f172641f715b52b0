// The `bitserial:` section: keys, ranges and the consistency checks between them.
#include <fmt/format.h>

#include "config_internal.hpp"
#include "config_sections.hpp"

namespace dnngen::config {
namespace {

using detail::MapReader;

const std::vector<std::string> kBitserialKeys = {
    "mode",   "lanes", "tile_rows", "tile_cols", "weight_bits",      "input_bits", "acc_bits",
    "signed", "max_m", "max_n",     "max_k",     "first_stage_bits", "sync",       "cascade"};

}  // namespace

BitserialConfig detail::parse_bitserial(const YAML::Node& node, const std::string& source) {
  MapReader r(node, "bitserial", source);
  r.check_known(kBitserialKeys);
  BitserialConfig b;
  b.mode =
      r.get_choice<BitserialMode>("mode", {{to_string(BitserialMode::kStripes), BitserialMode::kStripes},
                                           {to_string(BitserialMode::kPragmatic), BitserialMode::kPragmatic},
                                           {to_string(BitserialMode::kParallel), BitserialMode::kParallel}});
  b.lanes = r.get_unsigned("lanes", 1, 64);
  b.tile_rows = r.get_unsigned("tile_rows", 1, kMaxArraySide);
  b.tile_cols = r.get_unsigned("tile_cols", 1, kMaxArraySide);
  b.weight_bits = r.get_unsigned("weight_bits", 2, 16);
  b.input_bits = r.get_unsigned("input_bits", 1, 16);
  b.is_signed = r.get_bool("signed");
  // Weights are signed either way, so a product always fits input_bits + weight_bits.
  const unsigned product_bits = b.input_bits + b.weight_bits;
  b.acc_bits = r.get_unsigned("acc_bits", product_bits, 64,
                              fmt::format(" (the lower bound is the product width {})", product_bits));
  if (r.has("first_stage_bits")) {
    // Below log2(input_bits): a window of all input_bits positions is the single-stage shifter.
    unsigned shift_bits = 1;
    while ((1u << shift_bits) < b.input_bits) ++shift_bits;
    if (b.mode != BitserialMode::kPragmatic)
      r.fail_at("first_stage_bits",
                "is a Pragmatic option (mode: pragmatic); remove it for mode " + to_string(b.mode));
    if (shift_bits < 2)
      r.fail_at("first_stage_bits",
                fmt::format("needs input_bits >= 3 (a shift of at least 2 bits to split), "
                            "got input_bits {}",
                            b.input_bits));
    b.two_stage_shift = true;
    b.first_stage_bits = r.get_unsigned(
        "first_stage_bits", 0, shift_bits - 1,
        fmt::format(" (below log2(input_bits) = {}; omit the key for the single-stage shifter)", shift_bits));
  }
  if (r.has("sync")) {
    b.window_sync = r.get_choice<bool>("sync", {{"tile", false}, {"window", true}});
    if (b.window_sync && b.mode != BitserialMode::kPragmatic)
      r.fail_at("sync", "window is a Pragmatic option (mode: pragmatic); use tile or remove it for mode " +
                            to_string(b.mode));
  }
  b.cascade = r.has("cascade") && r.get_bool("cascade");
  if (b.cascade) {
    if (b.mode == BitserialMode::kParallel)
      r.fail_at("cascade",
                "is for the bit-serial modes (stripes, pragmatic): the bit-parallel baseline "
                "already takes a brick a cycle; remove it for mode parallel");
    if (b.mode == BitserialMode::kPragmatic && !b.window_sync)
      r.fail_at("cascade",
                "needs sync: window in mode pragmatic (a cascaded brick runs on one window "
                "while the others run theirs)");
    if (b.tile_rows < 2)
      r.fail_at("cascade", fmt::format("needs tile_rows >= 2 to spread bricks over, got {}", b.tile_rows));
  }
  b.max_m = r.get_unsigned("max_m", 1, 16384);
  b.max_n = r.get_unsigned("max_n", 1, 16384);
  b.max_k = r.get_unsigned("max_k", 1, 16384);
  return b;
}

std::vector<std::pair<std::string, int64_t>> bitserial_rtl_parameters(const BitserialConfig& b) {
  const int64_t mode = b.mode == BitserialMode::kStripes ? 0 : (b.mode == BitserialMode::kPragmatic ? 1 : 2);
  return {{"Mode", mode},
          {"Lanes", b.lanes},
          {"TileRows", b.tile_rows},
          {"TileCols", b.tile_cols},
          {"WBits", b.weight_bits},
          {"InBits", b.input_bits},
          {"AccBits", b.acc_bits},
          {"Signed", b.is_signed ? 1 : 0},
          {"TwoStage", b.two_stage_shift ? 1 : 0},
          {"FirstStageBits", b.first_stage_bits},
          {"RowSync", b.window_sync || b.cascade ? 1 : 0},
          {"Cascade", b.cascade ? 1 : 0},
          {"MaxM", b.max_m},
          {"MaxN", b.max_n},
          {"MaxK", b.max_k}};
}

std::string to_string(BitserialMode m) {
  if (m == BitserialMode::kStripes) return "stripes";
  return m == BitserialMode::kPragmatic ? "pragmatic" : "parallel";
}

}  // namespace dnngen::config
