#pragma once
// The host side of the row-stationary engine, shared by the dnngen front end (model
// runs, bench) and the per-configuration simulator (RTL runs, co-simulation): command
// line checks, jobs from --in tensors, random jobs, scaled real layers, and the
// whole-network estimate (layers split into jobs that fit the buffers).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/row_stationary/rs_model.hpp"

namespace dnngen::rs {

struct HostJob {
  std::string label;
  Tensor ifmap, weights;
  golden::Conv2dParams params;
  ConvJob job;
  Tensor golden;  // direct convolution (golden::conv2d)
};

// Op, --param, bindings and output paths; InputError (exit 2) before any work.
void check_rs_bindings(const config::Config& cfg, const cli::JobOptions& opts);

// From --in ifmap/weights: operand checks (golden::check_conv2d_operands), then the
// engine's limits (plan()); InputError on either.
HostJob job_from_inputs(const config::Config& cfg, const cli::JobOptions& opts);

// A real conv layer (FILE.csv:NAME), one group, its channels and filters scaled down to
// fit the buffers and a short simulation; H, W, R, S, stride and pad as in the layer.
HostJob job_from_layer(const config::Config& cfg, const std::string& layer, uint64_t seed);

HostJob job_from_random(const config::Config& cfg, uint64_t seed, uint64_t index);

// The jobs of --in / --layer / --random.
std::vector<HostJob> jobs_of(const config::Config& cfg, const cli::JobOptions& opts);

// bench: one row per layer (conv layers per group; gemm layers as 1x1 convolutions),
// each split into engine jobs that fit ifmap_spad, ifmap_rows, psum_spad and
// filter_words, cycles from the closed form; next to it the WS and OS systolic array of
// the same size (dnngen's own closed forms, im2col) and SCALE-Sim v2's WS/OS formulas.
struct LayerBench {
  std::string name;
  uint64_t jobs = 0, macs = 0, cycles = 0;
  double utilization = 0;
  uint64_t ws_cycles = 0, scalesim_ws = 0, scalesim_os = 0;
  uint64_t stream_bytes = 0;  // ring buffers: what their writer reads from memory (stream_bytes)
};
std::vector<LayerBench> bench_network(const config::RowStationaryConfig& cfg, const std::string& path);
std::string format_bench(const config::RowStationaryConfig& cfg, const std::vector<LayerBench>& rows);
nlohmann::json bench_json(const config::Config& cfg, const std::string& network,
                          const std::vector<LayerBench>& rows);

}  // namespace dnngen::rs
