#pragma once
// `dnngen infer`: an ONNX network, quantised to the engine's widths on a calibration set,
// run on a batch of inputs through the engine's AXI shell (every Conv / Gemm / MatMul a
// layer descriptor with bias, requantisation and ReLU in hardware; pooling on the host),
// on the golden model or the RTL: accuracy against the float network and the labels,
// and per-layer cycles and energy including data movement (docs/infer.md). tools/dnngen.cpp parses
// the command line and builds the simulator for --backend rtl.
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/exec/batch.hpp"

namespace dnngen::infer {

struct InferOptions {
  std::string model_path;              // --model NET.onnx
  std::string input_path;              // --input X.npy | images.idx[.gz]
  std::string labels_path;             // --labels (optional)
  std::string calibrate_path;          // --calibrate (default: the inputs themselves)
  std::string calibration = "minmax";  // minmax | percentile
  double percentile = 99.99;
  double input_scale = 1.0;  // multiplies every input value first (1/255 for raw pixels)
  int64_t count = 0;         // inputs to run (0: all)
  int64_t calibration_count = 100;
  int64_t batch = 64;  // samples a call: one GEMM of M = batch for a dense layer
  std::string backend = "model";
  unsigned precision = 0;  // bit-serial layers' activation bits (0: the calibration profile)
  double precision_snr_db = 40;
  std::string mapping_path;             // --mapping FILE.yaml: LAYER: CONFIG_NAME lines
  std::vector<std::string> mapping;     // --map LAYER=CONFIG_NAME (after the file's)
  std::vector<std::string> simulators;  // --backend rtl: each configuration's shell simulator
  std::string energy_table;             // --energy-table FILE ("": the default 45 nm table)
  std::string json_path;
  std::string predictions_path;  // .npy of the predicted classes (int64 [N])

  // --shards N: the inputs split into N tasks of whole batches, run through the execution
  // layer (local workers or Slurm job arrays), their counts merged into the report a single
  // run gives (everything but the timings). Each task runs `dnngen infer --first F --count C
  // --partial partial.json` with the options that decide the results.
  int64_t shards = 1;            // 1: one run, in this process
  exec::BatchOptions execution;  // where the shards run
  std::string work_dir;  // the shards' batch directory, kept ("": a temporary one, removed after success)
  std::string dnngen;    // the binary the shards run
  // What a shard runs: inputs [first, first + count) (count 0: to the end); with
  // partial_path, this run's counts (predictions, per-layer counters and actions) are
  // written there as JSON instead of a report.
  int64_t first = 0;
  std::string partial_path;
};

// Checks the options and the configurations (InputError: exit 2, nothing written).
void check_infer_options(const std::vector<config::Config>& cfgs, const InferOptions& o);

// Runs; returns the exit status (0; 1 when the RTL and the model disagree). Each engine
// layer runs on one of the configurations: the default policy maps convolutions to the
// first systolic one and fully connected layers to an EIE one when their weights are at
// most half non-zero (else to the systolic one); --map LAYER=CONFIG_NAME overrides it.
int infer_command(const std::vector<config::Config>& cfgs, const InferOptions& o,
                  const exec::ProgressFn& progress = {});

}  // namespace dnngen::infer
