#pragma once
// The golden model of the GEMM engines behind the shell (rtl/shell/dnn_shell_systolic.sv):
// the systolic array, or the bit-serial engine in the same shell (`bitserial`): what a
// layer descriptor does to a memory image, bit for bit, and the error code the shell gives
// a descriptor it cannot run. The cycle-exact model of the same layer is in
// systolic/shell_layer_timing.hpp.
#include <cstdint>
#include <optional>
#include <vector>

#include "dnngen/bitserial/model.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/register_file.hpp"

namespace dnngen::systolic {

using shell::LayerDescriptor;

// The shell RTL's parameters (the names of dnn_shell_systolic's parameters). The bit-serial
// engine's tile is rows x cols (windows x filters), `lanes` activations a brick; its
// weights are always signed, `is_signed` is the activations'; it never saturates.
struct ShellParams {
  bool bitserial = false;  // Engine: the bit-serial core instead of the systolic array
  config::Dataflow dataflow = config::Dataflow::kWeightStationary;
  config::BitserialMode mode = config::BitserialMode::kStripes;
  unsigned lanes = 16;
  bool two_stage_shift = false;  // Pragmatic: TwoStage, FirstStageBits
  unsigned first_stage_bits = 2;
  bool window_sync = false;  // Pragmatic: RowSync
  bool cascade = false;      // bit-serial: M = 1 jobs spread over the windows (Cascade)
  unsigned rows = 4, cols = 4, in_bits = 8, w_bits = 8, acc_bits = 32;
  bool is_signed = true, saturate = false;
  unsigned max_m = 64, max_n = 64, max_k = 64;
  unsigned addr_bits = 32, data_bits = 64, max_burst = 16, outstanding = 4;
  uint32_t config_hash = 0;  // config::shell_config_hash
  unsigned queue_depth = config::kShellQueueDepth;
};

// From a systolic configuration (either dataflow) or a bit-serial one, and its `memory:`
// section.
ShellParams shell_params(const config::Config& cfg);

// Elements of a row of A in one operand buffer word: the array's rows, or a brick.
unsigned a_word_elements(const ShellParams& p);
// The bit-serial engine's configuration for its golden model (bitserial/model.hpp).
config::BitserialConfig bitserial_config(const ShellParams& p);
// A bit-serial layer's activation precision (PRECISION: BITS, 0 meaning IN_BITS, or AUTO).
// Stripes and Pragmatic read the low `bits` bits of an activation (sign-extended when
// signed), the bit-parallel baseline the whole element.
bitserial::Precision layer_precision(const ShellParams& p, const LayerDescriptor& d);
// The activation the engine computes with when memory holds `a`.
int64_t effective_activation(const ShellParams& p, const bitserial::Precision& prec, int64_t a);

// The configuration read-back registers (ENGINE, CONFIG_HASH, ARRAY, DATATYPE, MEMORY,
// ADDR_BITS) of a dnn_shell_systolic with these parameters.
shell::Identity shell_identity(const ShellParams& p);

// M, N and K are below 2^kSizeBits (ERROR_CODE size_range otherwise); so are IN_C, OUT_C
// and IN_W x IN_C of a conv2d, whose IN_H and IN_W are below 2^kConvDimBits.
constexpr unsigned kSizeBits = 24;
constexpr unsigned kConvDimBits = 16;

// The ERROR_CODE value (enum `error` of the register map) the shell ends `d` with before
// any memory access: 0 (none) when it runs.
uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d);

// Runs the layer on `memory` (byte 0 at address 0): OUT[m][n] for every m < M, n < N is
// written as the RTL writes it; no other byte changes. `d` must pass check_descriptor.
// Bit-serial: the product of effective activations, modulo 2^acc_bits.
void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory);

// The GEMM a layer runs as. gemm: OUT[M][N] = A[M][K] x B[K][N]. conv2d (one image):
// OFMAP[E][F][OUT_C] = im2col(IFMAP)[E*F][R*S*IN_C] x W[R*S*IN_C][OUT_C], so M = E*F,
// N = OUT_C, K = R*S*IN_C, with k = (r*S + s)*IN_C + c; B is the weights in RSCK order and
// OUT the ofmap, one row per output pixel. A conv2d's A rows are gathered from the ifmap
// (implicit im2col) unless the layer is a plain GEMM on the ifmap (1x1, stride 1, no
// padding, packed ifmap rows: `a_is_gemm`). Pitches: the stride registers, or packed when 0.
struct GemmView {
  uint64_t m = 0, n = 0, k = 0;
  bool conv = false;                      // A rows from the ifmap by im2col addresses
  uint64_t e = 0, f = 0;                  // conv2d: output height and width
  uint64_t a_row_bytes = 0, a_pitch = 0;  // gemm: an A row; conv2d: an ifmap row
  uint64_t b_row_bytes = 0, b_pitch = 0;
  uint64_t out_row_bytes = 0, out_pitch = 0;
};
// `d` must have passed the size checks of check_descriptor (conv2d sizes in range).
GemmView gemm_view(const ShellParams& p, const LayerDescriptor& d);

// The element of im2col(IFMAP) at (m, k) of a conv2d layer, or nothing (zero padding):
// its byte address.
std::optional<uint64_t> im2col_address(const ShellParams& p, const LayerDescriptor& d, const GemmView& v,
                                       uint64_t m, uint64_t k);

// Element (m, k) of the layer's A (im2col for a conv2d; 0 in the padding) as the engine
// reads it from `memory` (before any precision cut).
int64_t a_element(const ShellParams& p, const LayerDescriptor& d, const GemmView& v,
                  const std::vector<uint8_t>& memory, uint64_t m, uint64_t k);

// Bytes between rows of A, B and OUT of the GEMM view, and the bytes of an output element.
uint64_t a_pitch(const ShellParams& p, const LayerDescriptor& d);
uint64_t b_pitch(const ShellParams& p, const LayerDescriptor& d);
uint64_t out_pitch(const ShellParams& p, const LayerDescriptor& d);
unsigned out_bytes(const LayerDescriptor& d);

}  // namespace dnngen::systolic
