#pragma once
// An EIE job: a chain of one or more layers run back to back, each layer's output the
// next one's input (the activation files swap), and everything the host does for it:
// checking the tensors, laying out the per-PE SRAM images, and the golden run (values
// from the dense reference, cycles from the cycle model).
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/eie_config.hpp"
#include "dnngen/eie/cycle_model.hpp"
#include "dnngen/eie/encode.hpp"

namespace dnngen::eie {

struct Layer {
  std::vector<int64_t> codebook;  // codebook[0] == 0
  Tensor w_idx;                   // [M, N], 0 = pruned
};

struct Chain {
  std::vector<Layer> layers;
  std::vector<int64_t> x;  // input of layer 0
  std::string label;
};

// Every bad-input rule of the brief (InputError naming the tensor and what was
// expected): codebook entry 0 non-zero or longer than 2^index_bits or outside int16;
// an index outside the codebook; x not matching w_idx's columns or act_bits; a layer's
// columns not matching the previous layer's rows; a chain that does not fit the SRAMs.
void check_chain(const config::EieConfig& cfg, const Chain& chain);

// --in codebook=A.npy[,B.npy...] --in w_idx=A.npy[,B.npy...] --in x=X.npy (one codebook
// for all layers, or one per layer), read and checked.
Chain load_chain(const config::EieConfig& cfg, const cli::JobOptions& opts);
// The layers of --in codebook and w_idx, read (ranks checked) but not checked otherwise.
std::vector<Layer> read_layers(const cli::JobOptions& opts);

// One loader-port word (dnn_eie_top): sel 0 codebook, 1 pointer, 2 entry, 3 activation.
struct LoadWord {
  uint32_t sel = 0, pe = 0, addr = 0, data = 0;
};

struct LayerProgram {
  int64_t rows = 0, cols = 0;
  uint32_t ptr_base = 0;           // index of the layer's first column pointer
  std::vector<LoadWord> codebook;  // loaded before the layer's job
};

struct Program {
  std::vector<LoadWord> image;  // pointers and entries of every layer, and x
  std::vector<LayerProgram> layers;
};

// SRAM layout: layer l's pointers from ptr_base = sum over earlier layers of (N + 1),
// its entries after the earlier layers' in each PE.
Program build_program(const config::EieConfig& cfg, const Chain& chain);

// Timing inputs of one layer for the cycle model (x = the layer's input).
LayerWork layer_work(const config::EieConfig& cfg, const Tensor& w_idx, const std::vector<int64_t>& x);

struct ChainResult {
  std::vector<std::vector<int64_t>> outputs;  // per layer
  std::vector<LayerTiming> timing;
  uint64_t cycles() const;
  uint64_t useful_macs() const;
};

ChainResult run_chain(const config::EieConfig& cfg, const Chain& chain);

// Random chains for co-simulation: sizes up to the config's limits (often not a
// multiple of the PE count), weight densities 1-100 %, activation densities 0-100 %,
// all-zero columns, long gaps (padding), one to three layers. Reproducible from
// (seed, index).
Chain random_chain(const config::EieConfig& cfg, uint64_t seed, uint64_t index);

}  // namespace dnngen::eie

namespace dnngen::eie {

// The job-option rules of op spmv (model/src/eie/engine.cpp), shared by dnngen and the
// simulator: bindings codebook, w_idx, x (-> y), no --param; --layer (a benchmark layer, scaled to fit);
// output paths.
void check_job_options(const cli::JobOptions& opts);

}  // namespace dnngen::eie
