#pragma once
// An engine layer of a quantised network (infer/quantize.hpp) on a batch, as the systolic
// shell runs it: a memory image with the weights (RSCK / [K][N]), the bias and the
// per-channel (mult, shift) table once, every sample's input and output on pages of their
// own, and the layer descriptors (one conv2d per sample, or one GEMM with M = the batch),
// each with the whole output pipeline: bias, requantisation, ReLU, clamp (or raw int32 sums
// for the last layer). The model and the RTL backend use the same plan, so their cycles
// count the same descriptors.
#include <cstdint>
#include <vector>

#include "dnngen/infer/quantize.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"

namespace dnngen::infer {

struct LayerPlan {
  std::vector<uint8_t> memory;
  std::vector<shell::LayerDescriptor> descriptors;
  int64_t batch = 0;
};

// InputError naming the layer when the shell refuses one of its descriptors (its error code).
LayerPlan plan_layer(const systolic::ShellParams& p, const QLayer& layer, const QBatch& in);

// The layer's outputs from a memory image after its descriptors ran ([B, E, F, N] or [B, N]).
QBatch plan_outputs(const systolic::ShellParams& p, const QLayer& layer, const LayerPlan& plan,
                    const std::vector<uint8_t>& memory);

// What a layer's descriptors cost on the shell's cycle model, added up.
systolic::LayerTiming plan_cycles(const systolic::ShellParams& p, const LayerPlan& plan, unsigned latency,
                                  double bytes_per_cycle);

}  // namespace dnngen::infer
