#pragma once
// The golden model of the systolic engine behind the shell (rtl/shell/dnn_shell_systolic.sv):
// what a layer descriptor does to a memory image, bit for bit, and the error code the
// shell gives a descriptor it cannot run. The cycle-exact model of the same layer is in
// systolic/shell_layer_timing.hpp.
#include <cstdint>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"

namespace dnngen::systolic {

using shell::LayerDescriptor;

// The shell RTL's parameters (the names of dnn_shell_systolic's parameters).
struct ShellParams {
  unsigned rows = 4, cols = 4, in_bits = 8, w_bits = 8, acc_bits = 32;
  bool is_signed = true, saturate = false;
  unsigned max_m = 64, max_n = 64, max_k = 64;
  unsigned addr_bits = 32, data_bits = 64, max_burst = 16, outstanding = 4;
};

// From a weight-stationary systolic configuration and its `memory:` section.
ShellParams shell_params(const config::Config& cfg);

// M, N and K are below 2^kSizeBits (ERROR_CODE size_range otherwise).
constexpr unsigned kSizeBits = 24;

// The ERROR_CODE value (enum `error` of the register map) the shell ends `d` with before
// any memory access: 0 (none) when it runs.
uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d);

// Runs the layer on `memory` (byte 0 at address 0): OUT[m][n] for every m < M, n < N is
// written as the RTL writes it; no other byte changes. `d` must pass check_descriptor.
void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory);

// Bytes between rows of A, B and OUT (the stride registers, or packed rows when 0), and
// the bytes of an output element.
uint64_t a_pitch(const ShellParams& p, const LayerDescriptor& d);
uint64_t b_pitch(const ShellParams& p, const LayerDescriptor& d);
uint64_t out_pitch(const LayerDescriptor& d);
unsigned out_bytes(const LayerDescriptor& d);

}  // namespace dnngen::systolic
