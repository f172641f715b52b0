// A GEMM as one layer of the AXI shell (systolic/shell_run.hpp).
#include "dnngen/systolic/shell_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "dnngen/bitserial/job.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/shell/run_report.hpp"

namespace dnngen::systolic {
namespace {

constexpr uint64_t kPage = 0x1000;

// Little-endian elements of `bytes` each, as the shell reads tensors.
void store(std::vector<uint8_t>& mem, uint64_t at, const Tensor& t, unsigned bytes) {
  for (size_t i = 0; i < t.data.size(); ++i) {
    const auto v = static_cast<uint64_t>(t.data[i]);
    for (unsigned b = 0; b < bytes; ++b) mem[at + i * bytes + b] = static_cast<uint8_t>(v >> (8 * b));
  }
}

// MACs over the peak: the array's PEs, or the bit-serial tile's SIPs x lanes (its bit-parallel
// baseline's MACs a cycle, as the bit-serial kernel counts them).
double utilization(const ShellRun& g, const LayerTiming& c) {
  const double peak =
      static_cast<double>(g.params.rows) * g.params.cols * (g.params.bitserial ? g.params.lanes : 1);
  return static_cast<double>(c.macs) / (static_cast<double>(c.cycles) * peak);
}

uint32_t size_field(int64_t v) { return static_cast<uint32_t>(std::min<int64_t>(v, int64_t{1} << 30)); }

// The layer's tensors packed on pages from 4 KiB up: A, B, then OUT (int32); refuses a
// descriptor the shell would end with an error code. `what` names the layer in messages.
ShellRun place_layer(const config::Config& cfg, shell::LayerDescriptor d, uint64_t a_bytes,
                     const std::string& what) {
  ShellRun g;
  g.params = shell_params(cfg);
  const ShellParams& p = g.params;
  d.out_type = "int32";
  const auto refuse = [&](uint32_t code) {
    const std::string why = p.acc_bits > 32
                                ? fmt::format(" ({}-bit sums do not fit the int32 output)", p.acc_bits)
                                : std::string();
    throw InputError(
        fmt::format("through the shell: {} is not a layer this shell runs: ERROR_CODE {}{} (--kernel runs "
                    "jobs within the buffers on the kernel top)",
                    what, shell::register_map().enum_name_of("error", code), why));
  };
  // The sizes must pass before the GEMM view means anything; the addresses are checked
  // once the tensors are placed.
  if (const uint32_t code = check_descriptor(p, d);
      code != 0 && code != shell::register_map().enum_value("error", "addr_range"))
    refuse(code);
  uint64_t end = kPage;
  auto place = [&end](uint64_t bytes) {
    const uint64_t base = end;
    end = (end + bytes + kPage - 1) / kPage * kPage;
    return base;
  };
  const GemmView v = gemm_view(p, d);
  d.a_addr = place(a_bytes);
  d.b_addr = place(v.k * v.n * (p.w_bits / 8));
  d.out_addr = place(v.m * v.n * 4);
  if (const uint32_t code = check_descriptor(p, d); code != 0) refuse(code);
  g.descriptor = d;
  g.memory.assign(end + kPage, 0);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = cfg.memory.bus_bytes_per_cycle();
  return g;
}

}  // namespace

ShellRun shell_gemm(const config::Config& cfg, const Tensor& a, const Tensor& b) {
  shell::LayerDescriptor d;
  d.op = "gemm";
  d.m = size_field(a.shape[0]);
  d.k = size_field(a.shape[1]);
  d.n = size_field(b.shape[1]);
  const unsigned in_b = shell_params(cfg).in_bits / 8;
  ShellRun g = place_layer(
      cfg, d, uint64_t{d.m} * d.k * in_b,
      fmt::format("the GEMM [{} x {}] x [{} x {}]", a.shape[0], a.shape[1], b.shape[0], b.shape[1]));
  store(g.memory, g.descriptor.a_addr, a, in_b);
  store(g.memory, g.descriptor.b_addr, b, g.params.w_bits / 8);
  return g;
}

ShellRun shell_conv2d(const config::Config& cfg, const Tensor& ifmap, const Tensor& weights,
                      const golden::Conv2dParams& params) {
  const int64_t c = ifmap.shape[0], h = ifmap.shape[1], w = ifmap.shape[2];
  const int64_t k = weights.shape[0], r = weights.shape[2], s = weights.shape[3];
  shell::LayerDescriptor d;
  d.op = "conv2d";
  d.in_c = size_field(c), d.in_h = size_field(h), d.in_w = size_field(w), d.out_c = size_field(k);
  d.r = size_field(r), d.s = size_field(s);
  d.stride_y = d.stride_x = size_field(params.stride);
  d.pad_y = d.pad_x = size_field(params.pad);
  const ShellParams p = shell_params(cfg);
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8;
  ShellRun g =
      place_layer(cfg, d, static_cast<uint64_t>(c * h * w) * in_b,
                  fmt::format("the conv2d of ifmap [{}, {}, {}] with weights [{}, {}, {}, {}], stride "
                              "{}, pad {}",
                              c, h, w, k, c, r, s, params.stride, params.pad));
  // NHWC and RSCK: the layouts the shell reads (docs/shell.md).
  Tensor nhwc({h, w, c}), rsck({r, s, c, k});
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) nhwc.data[(y * w + x) * c + ci] = ifmap.data[(ci * h + y) * w + x];
  for (int64_t ki = 0; ki < k; ++ki)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t y = 0; y < r; ++y)
        for (int64_t x = 0; x < s; ++x)
          rsck.data[((y * s + x) * c + ci) * k + ki] = weights.data[((ki * c + ci) * r + y) * s + x];
  store(g.memory, g.descriptor.a_addr, nhwc, in_b);
  store(g.memory, g.descriptor.b_addr, rsck, w_b);
  return g;
}

ShellRun shell_run(const config::Config& cfg, const cli::JobOptions& opts) {
  if (cfg.engine == "bitserial") {
    // precision=P|auto from --param: PRECISION of the descriptor.
    auto with_precision = [](ShellRun g, const bitserial::Precision& p) {
      g.descriptor.auto_precision = p.automatic;
      g.descriptor.precision = p.automatic ? 0 : p.bits;
      return g;
    };
    if (opts.op == "conv2d") {
      const bitserial::Conv2dJob job = bitserial::load_conv2d_job(cfg, opts);
      return with_precision(shell_conv2d(cfg, job.ifmap, job.weights, job.params), job.precision);
    }
    const bitserial::Job job = bitserial::load_job(cfg, opts);
    return with_precision(shell_gemm(cfg, job.a, job.b), job.precision);
  }
  if (opts.op == "conv2d") {
    const auto ops = cli::load_conv2d_operands(cfg, opts);
    return shell_conv2d(cfg, ops.ifmap, ops.weights, ops.params);
  }
  const auto ops = cli::load_gemm_operands(cfg, opts);
  return shell_gemm(cfg, ops.a, ops.b);
}

Tensor shell_run_result(const ShellRun& g, const std::vector<uint8_t>& memory) {
  const GemmView v = gemm_view(g.params, g.descriptor);
  auto at = [&](uint64_t m, uint64_t n) {
    int32_t x;
    std::memcpy(&x, &memory[g.descriptor.out_addr + 4 * (m * v.n + n)], 4);
    return x;
  };
  if (g.descriptor.op == "conv2d") {  // OUT is [E*F][K]: the ofmap [K, E, F] is its transpose
    Tensor ofmap({static_cast<int64_t>(v.n), static_cast<int64_t>(v.e), static_cast<int64_t>(v.f)});
    for (uint64_t m = 0; m < v.m; ++m)
      for (uint64_t n = 0; n < v.n; ++n) ofmap.data[n * v.m + m] = at(m, n);
    return ofmap;
  }
  Tensor c({static_cast<int64_t>(v.m), static_cast<int64_t>(v.n)});
  for (uint64_t m = 0; m < v.m; ++m)
    for (uint64_t n = 0; n < v.n; ++n) c.data[m * v.n + n] = at(m, n);
  return c;
}

nlohmann::json shell_run_report(const config::Config& cfg, const ShellRun& g, const LayerTiming& c,
                                const std::string& backend) {
  const shell::LayerDescriptor& d = g.descriptor;
  const GemmView v = gemm_view(g.params, d);
  nlohmann::json report = {{"engine", cfg.engine}, {"config", cfg.name}};
  if (g.params.bitserial) {
    report.update({{"mode", config::to_string(g.params.mode)},
                   {"tile_rows", g.params.rows},
                   {"tile_cols", g.params.cols},
                   {"lanes", g.params.lanes},
                   {"precision", d.auto_precision ? std::string("auto") : std::to_string(d.precision)}});
  } else {
    report.update({{"dataflow", config::to_string(cfg.systolic.dataflow)},
                   {"rows", cfg.systolic.rows},
                   {"cols", cfg.systolic.cols}});
  }
  report.update({{"op", d.op},
                 {"backend", backend},
                 {"gemm", {{"M", v.m}, {"N", v.n}, {"K", v.k}}},
                 {"jobs", c.jobs},
                 {"macs", c.macs},
                 {"utilization", utilization(g, c)}});
  report.update(shell::run_report_fields(
      shell::counters_of(c),
      {g.latency, g.bytes_per_cycle, g.params.data_bits, g.params.max_burst, g.params.outstanding}));
  if (d.op == "conv2d") {
    report["conv2d"] = {{"C", d.in_c},
                        {"H", d.in_h},
                        {"W", d.in_w},
                        {"K", d.out_c},
                        {"R", d.r},
                        {"S", d.s},
                        {"stride", d.stride_y},
                        {"pad", d.pad_y},
                        {"E", v.e},
                        {"F", v.f},
                        {"im2col", "implicit, in the shell"}};
  }
  return report;
}

std::string shell_run_summary(const config::Config& cfg, const ShellRun& g, const LayerTiming& c,
                              const std::string& backend) {
  const shell::LayerDescriptor& d = g.descriptor;
  const GemmView v = gemm_view(g.params, d);
  const std::string layer =
      d.op == "conv2d" ? fmt::format(
                             "conv2d C={} H={} W={} K={} R={} S={} stride {} pad {} (implicit im2col: GEMM "
                             "M={} N={} K={})",
                             d.in_c, d.in_h, d.in_w, d.out_c, d.r, d.s, d.stride_y, d.pad_y, v.m, v.n, v.k)
                       : fmt::format("gemm M={} N={} K={}", v.m, v.n, v.k);
  return fmt::format(
      "{}: {} {} through the AXI shell: {} cycles including data movement ({} computing, {} "
      "waiting on "
      "memory; latency {}, {:g} B/cycle each way), {} B read, {} B written, utilization {:.1f} %\n",
      backend, cfg.name, layer, c.cycles, c.compute, c.mem_wait, g.latency, g.bytes_per_cycle, c.bytes_read,
      c.bytes_written, 100.0 * utilization(g, c));
}

void check_shell_options(const config::Config& cfg, const cli::JobOptions& opts) {
  if (cfg.engine == "bitserial")
    bitserial::check_job_options(cfg, opts);
  else
    cli::check_bindings(cfg, opts);
}

void add_shell_result(output::OutputSet& outputs, const config::Config& cfg, const cli::JobOptions& opts,
                      const Tensor& result) {
  if (cfg.engine == "bitserial")
    bitserial::add_output(outputs, cfg, opts, result);
  else
    cli::add_result(outputs, cfg, opts, result);
}

// run --shell: the layer on the golden model (bytes) and the shell's cycle model.
int run_model_through_shell(const config::Config& cfg, const cli::JobOptions& opts) {
  const ShellRun g = shell_run(cfg, opts);
  const LayerTiming counters = layer_cycles(g.params, g.descriptor, g.memory, g.latency, g.bytes_per_cycle);
  std::vector<uint8_t> memory = g.memory;
  run_layer(g.params, g.descriptor, memory);
  output::OutputSet outputs;
  add_shell_result(outputs, cfg, opts, shell_run_result(g, memory));
  cli::add_json_report(outputs, opts.json_path, shell_run_report(cfg, g, counters, "model"));
  outputs.commit();
  fmt::print("{}", shell_run_summary(cfg, g, counters, "model"));
  return 0;
}

}  // namespace dnngen::systolic
