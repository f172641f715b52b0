#pragma once
// An engine layer of a quantised network (infer/quantize.hpp) on a batch, as an engine's
// AXI shell runs it: a memory image and the layer descriptors, each with the whole output
// pipeline (bias, requantisation, ReLU, clamp; raw int32 sums for the last layer). The
// model and the RTL backend use the same plan, so their cycles count the same descriptors.
// - systolic or bit-serial (dnn_shell_systolic): the weights (RSCK / [K][N]), the bias and the
//   per-channel (mult, shift) table once, every sample's input and output on pages of its
//   own; one conv2d descriptor per sample, or one GEMM with M = the batch; bit-serial: the
//   layer's activation precision in the descriptor (PRECISION).
// - EIE (dnn_shell_eie): the codebook, the bias and the compressed weight image in the
//   paper's format; one spmv descriptor with N = the batch (dense layers only).
// - row stationary (dnn_shell_rs): the weights in KCRS, the bias and (mult, shift) tables,
//   every sample's ifmap and ofmap in CHW (the host reorders them from and to the
//   activations' [H, W, C]); one conv2d descriptor (OP.CHW) per sample (convolutions only).
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/infer/quantize.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/shell/counters.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/systolic/shell_layer.hpp"

namespace dnngen::infer {

// The engine behind a shell that runs a network's layers, and its memory.
struct Target {
  // kSystolic: the WS / OS array; kBitserial: Stripes, Pragmatic or the bit-parallel
  // baseline in the same shell (dnn_shell_systolic, Engine = 4).
  enum class Kind { kSystolic, kBitserial, kEie, kRowStationary };
  Kind kind = Kind::kSystolic;
  bool eie() const { return kind == Kind::kEie; }
  // The GEMM shell (dnn_shell_systolic): runs fully connected layers and convolutions.
  bool gemm_shell() const { return kind == Kind::kSystolic || kind == Kind::kBitserial; }
  // Whether a layer's cycles depend on its values (EIE skips zero activations, the
  // bit-serial engines' time follows their activations' bits).
  bool timing_depends_on_data() const { return eie() || kind == Kind::kBitserial; }
  systolic::ShellParams systolic;
  eie::ShellParams eie_params;
  rs::ShellParams rs_params;
  unsigned latency = 0;
  double bytes_per_cycle = 0;
  double peak_macs = 1;  // MACs a cycle at full use: PEs
};

// InputError unless the configuration's engine is one infer runs.
Target target_of(const config::Config& cfg);

// How the target quantises: its widths and scheme (QuantOptions). `precision`: a
// bit-serial target's activation precision for every layer (0: the calibration profile).
QuantOptions quant_options(const Target& t, unsigned precision = 0);

struct LayerPlan {
  std::vector<uint8_t> memory;
  std::vector<shell::LayerDescriptor> descriptors;
  int64_t batch = 0;
};

// InputError naming the layer when the shell refuses one of its descriptors (its error code).
LayerPlan plan_layer(const Target& t, const QLayer& layer, const QBatch& in);

// The layer's outputs from a memory image after its descriptors ran ([B, E, F, N] or [B, N]).
QBatch plan_outputs(const Target& t, const QLayer& layer, const LayerPlan& plan,
                    const std::vector<uint8_t>& memory);

// What the descriptors cost on the shell's cycle model, added up (the plan's memory as it
// is before they run), the MACs they do (every product for the systolic engines, EIE's
// useful ones: non-zero weights times non-zero activations) and their action counts.
struct PlanCost {
  shell::Counters counters;
  uint64_t macs = 0;
  energy::Actions actions;  // every descriptor's, for the analytical energy
};
PlanCost plan_cycles(const Target& t, const LayerPlan& plan);

// The shell's golden model on the plan: its memory after the descriptors ran.
void run_plan(const Target& t, LayerPlan& plan);

}  // namespace dnngen::infer
