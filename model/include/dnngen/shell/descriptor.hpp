#pragma once
// A layer descriptor: what a driver writes at 0x100 and up before CTRL.START, as plain
// values. encode() and decode() go through the register map by name (one table in
// descriptor.cpp binds each member to its register or field), so the model, the drivers
// and the tests agree with the RTL on every bit position.
#include <cstdint>
#include <string>

#include "dnngen/shell/regmap.hpp"

namespace dnngen::shell {

struct LayerDescriptor {
  std::string op = "gemm";         // enum op: gemm, conv2d, spmv
  bool keep_weights = false;       // spmv: the weights loaded before stay on chip
  bool chw = false;                // conv2d: CHW / KCRS tensors (the row-stationary engine's)
  std::string out_type = "int32";  // enum out_type: int8, int16, int32 (raw accumulator)
  bool bias = false;
  bool relu = false;
  bool per_channel = false;  // mult/shift per output channel from quant_addr
  uint32_t out_bits = 0;     // clamp outputs to this many signed bits, 0 = the type's width
  uint32_t precision = 0;    // bit-serial: activation bits, 0 = the input width
  bool auto_precision = false;
  uint32_t m = 0, n = 0, k = 0;                      // gemm / spmv sizes
  uint32_t in_h = 0, in_w = 0, in_c = 0, out_c = 0;  // conv2d
  uint32_t r = 0, s = 0, stride_y = 1, stride_x = 1, pad_y = 0, pad_x = 0;
  uint64_t a_addr = 0, b_addr = 0, bias_addr = 0, quant_addr = 0, out_addr = 0, aux_addr = 0;
  uint32_t a_stride = 0, b_stride = 0, out_stride = 0;  // bytes; 0 = packed
  int32_t out_mult = 1;
  uint32_t out_shift = 0;

  bool operator==(const LayerDescriptor& o) const;
};

// The descriptor registers of `d` (InputError if a value does not fit its field).
RegisterImage encode(const LayerDescriptor& d, const RegisterMap& map = register_map());
// The descriptor in a register image (InputError for an enum value the map does not name).
LayerDescriptor decode(const RegisterImage& image, const RegisterMap& map = register_map());

}  // namespace dnngen::shell
