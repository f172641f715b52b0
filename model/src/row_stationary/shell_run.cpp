// A conv2d layer through the row-stationary shell (dnngen/row_stationary/shell_run.hpp).
#include "dnngen/row_stationary/shell_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/shell/run_report.hpp"

namespace dnngen::rs {
namespace {

constexpr uint64_t kPage = 0x1000;

uint32_t size_field(int64_t v) { return static_cast<uint32_t>(std::clamp<int64_t>(v, 0, int64_t{1} << 30)); }

uint64_t out_e(const LayerDescriptor& d) { return ofmap_height(d); }
uint64_t out_f(const LayerDescriptor& d) { return ofmap_width(d); }

// MACs over the PEs' peak in `cycles`.
double utilization(const ShellParams& p, uint64_t macs, uint64_t cycles) {
  return cycles == 0 ? 0.0
                     : static_cast<double>(macs) / (static_cast<double>(cycles) * p.rs.rows * p.rs.cols);
}

}  // namespace

std::string refusal(const ShellParams& p, const LayerDescriptor& d) {
  const DescriptorCheck c = explain_descriptor(p, d);
  if (c.code == 0) return "";
  return fmt::format("ERROR_CODE {}: {}", shell::register_map().enum_name_of("error", c.code), c.why);
}

LayerDescriptor conv2d_descriptor(const ConvJob& j) {
  LayerDescriptor d;
  d.op = "conv2d";
  d.chw = true;
  d.out_type = "int32";
  d.in_c = size_field(j.c), d.in_h = size_field(j.h), d.in_w = size_field(j.w), d.out_c = size_field(j.k);
  d.r = size_field(j.r), d.s = size_field(j.s);
  d.stride_y = d.stride_x = size_field(j.stride);
  d.pad_y = d.pad_x = size_field(j.pad);
  return d;
}

ShellRun shell_conv2d(const config::Config& cfg, const Tensor& ifmap, const Tensor& weights,
                      const golden::Conv2dParams& params) {
  ShellRun g;
  g.params = shell_params(cfg);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = cfg.memory.bus_bytes_per_cycle();
  // A batch [N, C, H, W] is one descriptor of N images (each checked as an ifmap already).
  const bool batch = ifmap.shape.size() == 4;
  const ConvJob j = batch ? job_of(sub_tensor(ifmap, 0), weights, params) : job_of(ifmap, weights, params);
  LayerDescriptor d = conv2d_descriptor(j);
  if (batch) d.n = size_field(ifmap.shape[0]);
  const unsigned ib = g.params.rs.input_bits / 8, wb = g.params.rs.weight_bits / 8;
  const auto refuse = [&](const std::string& why) {
    throw InputError(
        fmt::format("through the shell: conv2d ifmap {} weights {} stride {} pad {}: the row-stationary "
                    "shell refuses the "
                    "layer ({})",
                    shape_string(ifmap.shape), shape_string(weights.shape), params.stride, params.pad, why));
  };
  // The sizes first (the placement below needs them sane), then the placed layer.
  if (const uint32_t code = check_descriptor(g.params, d);
      code != 0 && code != shell::error_code("addr_range"))
    refuse(refusal(g.params, d));
  uint64_t end = kPage;
  const auto place = [&end](uint64_t bytes) {
    const uint64_t base = end;
    end = (end + bytes + kPage - 1) / kPage * kPage;
    return base;
  };
  d.a_addr = place(static_cast<uint64_t>(ifmap.data.size()) * ib);
  d.b_addr = place(static_cast<uint64_t>(weights.data.size()) * wb);
  d.out_addr = place(images(d) * d.out_c * out_e(d) * out_f(d) * out_bytes(d));
  if (check_descriptor(g.params, d) != 0) refuse(refusal(g.params, d));
  g.memory.assign(end + kPage, 0);
  // ifmap [(N,) C, H, W] is the rows ((n,) c, y) of W elements; weights [K, C, R, S] is KCRS.
  for (size_t i = 0; i < ifmap.data.size(); ++i) shell::store(g.memory, d.a_addr + i * ib, ib, ifmap.data[i]);
  for (size_t i = 0; i < weights.data.size(); ++i)
    shell::store(g.memory, d.b_addr + i * wb, wb, weights.data[i]);
  g.descriptor = d;
  g.batch = batch;
  return g;
}

ShellRun shell_run(const config::Config& cfg, const cli::JobOptions& opts) {
  const cli::Conv2dOperands ops = cli::load_conv2d_operands(cfg, opts, /*images=*/true);
  return shell_conv2d(cfg, ops.ifmap, ops.weights, ops.params);
}

Tensor shell_run_result(const ShellRun& g, const std::vector<uint8_t>& memory) {
  const LayerDescriptor& d = g.descriptor;
  std::vector<int64_t> shape = {int64_t{d.out_c}, static_cast<int64_t>(out_e(d)),
                                static_cast<int64_t>(out_f(d))};
  if (g.batch) shape.insert(shape.begin(), static_cast<int64_t>(images(d)));
  Tensor ofmap(shape);
  for (size_t i = 0; i < ofmap.data.size(); ++i)
    ofmap.data[i] = shell::load(memory, d.out_addr + 4 * i, 4, true);
  return ofmap;
}

nlohmann::json shell_run_report(const config::Config& cfg, const ShellRun& g, const ShellTiming& t,
                                const std::string& backend) {
  const LayerDescriptor& d = g.descriptor;
  const Timing core = estimate(g.params.rs, conv_job(d));
  nlohmann::json report = {{"engine", cfg.engine},
                           {"config", cfg.name},
                           {"dataflow", "row_stationary"},
                           {"rows", cfg.systolic.rows},
                           {"cols", cfg.systolic.cols},
                           {"op", "conv2d"},
                           {"backend", backend},
                           {"passes", core.passes},
                           {"macs", t.macs},
                           {"utilization", utilization(g.params, t.macs, t.cycles)},
                           {"utilization_include", "data movement through the shell's DMA"},
                           {"core_cycles", t.core_cycles},
                           {"core_cycles_include",
                            "compute only: the core's job with its operands on chip "
                            "(rs::estimate, the kernel run's cycles), no data movement"},
                           {"core_utilization", utilization(g.params, t.macs, t.core_cycles)},
                           {"core_stalls", t.stalls}};
  report.update(shell::run_report_fields(
      shell::counters_of(t),
      {g.latency, g.bytes_per_cycle, g.params.data_bits, g.params.max_burst, g.params.outstanding}));
  report["conv2d"] = {
      {"N", images(d)}, {"C", d.in_c},   {"H", d.in_h},   {"W", d.in_w},
      {"K", d.out_c},   {"R", d.r},      {"S", d.s},      {"stride", d.stride_y},
      {"pad", d.pad_y}, {"E", out_e(d)}, {"F", out_f(d)}, {"layout", "CHW ifmap, KCRS weights (OP.CHW)"}};
  return report;
}

std::string shell_run_summary(const config::Config& cfg, const ShellRun& g, const ShellTiming& t,
                              const std::string& backend) {
  const LayerDescriptor& d = g.descriptor;
  return fmt::format(
      "{}: {} conv2d {}C={} H={} W={} K={} R={} S={} stride {} pad {} through the AXI shell: {} cycles "
      "including "
      "data movement ({} computing, {} waiting on memory; latency {}, {:g} B/cycle each way), {} B read, {} "
      "B "
      "written, utilization {:.1f} %; the core alone {} cycles (compute only, operands on chip), utilization "
      "{:.1f} %\n",
      backend, cfg.name, g.batch ? fmt::format("N={} ", images(d)) : "", d.in_c, d.in_h, d.in_w, d.out_c, d.r,
      d.s, d.stride_y, d.pad_y, t.cycles, t.compute, t.mem_wait, g.latency, g.bytes_per_cycle, t.bytes_read,
      t.bytes_written, 100.0 * utilization(g.params, t.macs, t.cycles), t.core_cycles,
      100.0 * utilization(g.params, t.macs, t.core_cycles));
}

int run_model_through_shell(const config::Config& cfg, const cli::JobOptions& opts) {
  const ShellRun g = shell_run(cfg, opts);
  const ShellTiming t = layer_cycles(g.params, g.descriptor, g.latency, g.bytes_per_cycle);
  std::vector<uint8_t> memory = g.memory;
  run_layer(g.params, g.descriptor, memory);
  output::OutputSet outputs;
  cli::add_result(outputs, cfg, opts, shell_run_result(g, memory));
  cli::add_json_report(outputs, opts.json_path, shell_run_report(cfg, g, t, "model"));
  outputs.commit();
  fmt::print("{}", shell_run_summary(cfg, g, t, "model"));
  return 0;
}

}  // namespace dnngen::rs
