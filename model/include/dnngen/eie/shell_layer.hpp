#pragma once
// The EIE engine behind the shell: what an spmv layer descriptor does to a memory image
// (the golden model the shell RTL will be held to), the weight image in the paper's format
// the descriptor points at, and the error code of a layer the engine cannot run. Register
// use and the image layout: docs/shell.md, "EIE: spmv layers".
//
//   Y[n][m] = out(bias[m] + sum over k of codebook[W[m][k]] * X[n][k])    n < N, m < M
//
// X at A_ADDR (N vectors of K activations), Y at OUT_ADDR (N vectors of M), each element
// an int16 container of act_bits (sign-extended), rows A_STRIDE / OUT_STRIDE bytes apart
// (0: packed). W is the compressed image at B_ADDR, the codebook 2^index_bits int16 values
// at AUX_ADDR (index 0 is the padding / pruned index: it always weighs 0, whatever the
// codebook's first value). The sum is exact modulo 2^acc_bits; out() is the EIE write-back
// (round, >>> frac_bits, saturate to act_bits, or to OUTPUT.BITS when set) then ReLU if
// OUTPUT.RELU, with the int32 bias
// (in accumulator units, 2^frac_bits per activation unit) added first if OUTPUT.BIAS.
// OUTPUT.TYPE int16 writes that; int32 writes the raw accumulator (no bias or ReLU) as
// 4-byte elements.
#include <cstdint>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/encode.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/register_file.hpp"

namespace dnngen::eie {

using shell::LayerDescriptor;

struct ShellParams {
  config::EieConfig eie;
  unsigned addr_bits = 32, data_bits = 64, max_burst = 16, outstanding = 4;
  uint32_t config_hash = 0;                         // config::shell_config_hash
  unsigned queue_depth = config::kShellQueueDepth;  // descriptors START may queue
};

// From an EIE configuration and its `memory:` section.
ShellParams shell_params(const config::Config& cfg);

// The weight image, 8-byte aligned at B_ADDR, for the engine's P PEs (row m of W in PE
// m mod P, as local row m / P):
//   pointers: P x (K + 1) little-endian uint32, PE p's at B_ADDR + 4 * p * (K + 1): entry
//             ptr[p][k] .. ptr[p][k+1] - 1 are PE p's entries of column k, numbered in one
//             array over all PEs (PE p's follow PE p-1's);
//   entries:  from B_ADDR + entry_offset(P, K), one per byte when index_bits <= 4 (eight per
//             64-bit word, as in the paper), else one per 16-bit word: the weight index v in
//             the low bits, z (zero rows of that PE before it in the column, 0..15) in the
//             top four; a run of more than 15 zero rows takes a padding entry (v = 0, z = 15).
uint64_t entry_offset(unsigned pes, uint64_t k);
// Pointer ptr[p][k] of the image at d.b_addr in `memory`.
uint64_t pointer(const std::vector<uint8_t>& memory, const LayerDescriptor& d, unsigned p, uint64_t k);
// Bytes of an X or Y element: the int8 or int16 container of act_bits.
unsigned act_bytes(const config::EieConfig& cfg);
unsigned entry_bytes(const config::EieConfig& cfg);
std::vector<uint8_t> weight_image(const config::EieConfig& cfg, const Tensor& w_idx);
// The same image from the PEs' encodings of a K-column layer (pointers from 0 in each PE,
// as encode_layer gives them with entry_base 0).
std::vector<uint8_t> weight_image(const config::EieConfig& cfg, uint64_t k, const std::vector<PeImage>& pes);
uint64_t weight_image_bytes(const config::EieConfig& cfg, const std::vector<uint8_t>& image);

// ERROR_CODE (register map enum `error`) of `d` on `memory`, 0 when the layer runs. The
// descriptor's checks come first (check_descriptor): OP not spmv (bad_op), a size of 0
// (zero_size), M above max_rows, K above max_cols or N from 2^24 (size_range), OUTPUT.TYPE
// neither int32 nor the activations' container, int32 with acc_bits above 32, PER_CHANNEL
// set (the scale is the fixed frac_bits shift), OUTPUT.BITS outside 2..act_bits (or set
// with int32), or a stride below its row (bad_field), misaligned addresses or strides
// (addr_align; the image 8-byte aligned), a tensor past the address space (addr_range).
// Then those of the image (check_image), PE by PE as the shell reads it, before any output
// is written: a pointer below the one before it (bad_field), more than max_entries entries
// (size_range), entries past the address space (addr_range), an entry with a weight below
// the PE's rows of W (bad_field). X elements keep their low act_bits bits.
//
// OP.KEEP_WEIGHTS: the engine keeps the image and codebook that `loaded` (the last layer
// whose image it read without an error; nullptr: none since reset) put on chip, so the
// image is neither read nor checked again; B_ADDR, AUX_ADDR, M and K must be `loaded`'s
// (bad_field otherwise, with the other bad_field checks). The golden model computes from
// the image in memory, so it must still be the one `loaded` read.
uint32_t check_layer(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory,
                     const LayerDescriptor* loaded = nullptr);
// The descriptor's checks alone (no memory is read).
uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d,
                          const LayerDescriptor* loaded = nullptr);
// The image's checks alone, for a descriptor that passes check_descriptor.
uint32_t check_image(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory);

// The identity registers of the EIE shell built with `p` (ENGINE eie, ARRAY PEs x 1,
// DATATYPE act_bits / 16-bit codebook values / acc_bits, signed, wrapping).
shell::Identity shell_identity(const ShellParams& p);

// The index matrix W[M][K] of the image at d.b_addr (d must pass check_layer).
Tensor decode_weight_image(const ShellParams& p, const LayerDescriptor& d,
                           const std::vector<uint8_t>& memory);

// Runs the layer on `memory` (byte 0 at address 0): Y[n][m] for n < N, m < M written, no
// other byte changes. `d` must pass check_layer.
void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory);

}  // namespace dnngen::eie
