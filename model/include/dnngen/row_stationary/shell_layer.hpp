#pragma once
// The row-stationary engine behind the shell (rtl/shell/dnn_shell_rs.sv): what a conv2d
// layer descriptor does to a memory image (the golden model the RTL is held to), the
// descriptor's checks and the layer's error code. Register use and layouts: docs/shell.md,
// "The row-stationary engine behind the shell".
//
//   OFMAP[k][e][f] = out(bias[k] + sum over c, r, s of W[k][c][r][s] *
//                        IFMAP[c][e*stride + r - pad][f*stride + s - pad])
//
// One image in CHW planes (OP.CHW, which the engine requires): IFMAP at A_ADDR, rows (c, y)
// of IN_W elements A_STRIDE bytes apart (0: packed); W at B_ADDR in KCRS, packed; OFMAP at
// OUT_ADDR, rows (k, e) of F elements OUT_STRIDE bytes apart. Zero padding outside the
// ifmap. Square strides and padding (STRIDE.Y = STRIDE.X, PAD.Y = PAD.X). The sum is exact,
// then wrapped or saturated to acc_bits once (the core's finalize); out() is the shell's
// output pipeline (numerics::requantize: bias, OUT_MULT / OUT_SHIFT or per channel from
// QUANT_ADDR, ReLU, clamp to the type or OUTPUT.BITS), or the raw sum for int32.
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/rs_model.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/register_file.hpp"

namespace dnngen::rs {

using shell::LayerDescriptor;

struct ShellParams {
  config::RowStationaryConfig rs;
  unsigned addr_bits = 32, data_bits = 64, max_burst = 16, outstanding = 4;
  uint32_t config_hash = 0;                         // config::shell_config_hash
  unsigned queue_depth = config::kShellQueueDepth;  // descriptors START may queue
};

// From a row-stationary configuration and its `memory:` section.
ShellParams shell_params(const config::Config& cfg);

// A layer whose filters fit one group runs as two, the second of ceil(K / kShellTailDiv)
// filters (ConvJob::tail_div; dnn_shell_rs's TailDiv).
constexpr int64_t kShellTailDiv = 16;

// The core job of a conv2d descriptor (sizes only; meaningful once check_descriptor passes).
ConvJob conv_job(const LayerDescriptor& d);

// ERROR_CODE (register map enum `error`) of `d`, 0 when the layer runs, in the RTL's order:
// OP not conv2d (bad_op); a size of 0 (zero_size); stride 0, padding above the filter, or a
// non-square stride or padding (bad_field); a layer the buffers cannot hold (size_range:
// IN_W > ifmap_spad, IN_C x IN_H > ifmap_rows, R or S > max_filter_size, F > psum_spad,
// OUT_C x ceil(IN_C x R / rows) > filter_words, a size from 2^16, a filter larger than the
// padded input); OP.CHW clear, OUTPUT.TYPE 3, int32 with acc_bits above 32, OUT_SHIFT
// above 62, OUTPUT.BITS outside 2..the type's width (or set with int32), B_STRIDE set, or a
// stride below its row (bad_field); misaligned addresses or strides (addr_align); a tensor
// past the address space (addr_range).
uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d);

// The same check with the reason: the ERROR_CODE (0 when the layer runs) and, when not,
// the limit or field it trips in one line, naming the configuration key where there is one.
struct DescriptorCheck {
  uint32_t code = 0;
  std::string why;
};
DescriptorCheck explain_descriptor(const ShellParams& p, const LayerDescriptor& d);

// The identity registers of the row-stationary shell built with `p` (ENGINE
// row_stationary, ops conv2d, ARRAY rows x cols).
shell::Identity shell_identity(const ShellParams& p);

// The images of a conv2d descriptor (N; 0 is one): each image's ifmap follows the one
// before in memory (rows (n, c, y) A_STRIDE apart), and each ofmap the one before (rows
// (n, k, e)); the weights are read once for them all.
uint64_t images(const LayerDescriptor& d);

// The ofmap's height E and width F of a conv2d descriptor (square stride and padding as
// the engine takes them; meaningful once check_descriptor passes).
uint64_t ofmap_height(const LayerDescriptor& d);
uint64_t ofmap_width(const LayerDescriptor& d);

// Bytes of an output element (int8 1, int16 2, int32 4).
unsigned out_bytes(const LayerDescriptor& d);

// Runs the layer on `memory` (byte 0 at address 0): OFMAP written, no other byte changes.
// `d` must pass check_descriptor.
void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory);

}  // namespace dnngen::rs
