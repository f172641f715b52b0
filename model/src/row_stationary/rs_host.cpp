#include "dnngen/row_stationary/rs_host.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/row_stationary/ring.hpp"
#include "dnngen/systolic/schedule.hpp"
#include "dnngen/workload/layer_jobs.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::rs {
namespace {

using numerics::ceil_div;

// The golden convolution is the systolic section's (the same array numerics).
HostJob finish(const config::Config& cfg, HostJob h) {
  golden::check_conv2d_operands(cfg.systolic, h.ifmap, h.weights, h.params);
  h.job = job_of(h.ifmap, h.weights, h.params);
  plan(cfg.row_stationary, h.job);  // the engine's limits
  h.golden = golden::conv2d(cfg.systolic, h.ifmap, h.weights, h.params);
  return h;
}

void fill_random(const config::ArrayConfig& cfg, HostJob& h, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto fill = [&](Tensor& t, unsigned bits) {
    std::uniform_int_distribution<int64_t> d(numerics::min_value(bits, cfg.is_signed),
                                             numerics::max_value(bits, cfg.is_signed));
    for (auto& v : t.data) v = d(rng);
  };
  fill(h.ifmap, cfg.input_bits);
  fill(h.weights, cfg.weight_bits);
}

}  // namespace

void check_rs_bindings(const config::Config& /*cfg*/, const cli::JobOptions& o) {
  if (o.op != "conv2d") throw InputError("--op " + o.op + ": the row-stationary engine supports: conv2d");
  cli::conv2d_params(o);  // validates the keys and values now
  const bool generated = o.random || !o.layer.empty();
  if (generated && !o.inputs.empty())
    throw InputError("dnngen cosim: give either --in tensors or --random / --layer, not both");
  if (generated && !o.params.empty())
    throw InputError("--param applies to --in tensors; --random and --layer bring their own");
  if (!generated) {
    for (const auto& name : cli::input_names("conv2d"))
      if (!o.inputs.count(name))
        throw InputError(
            fmt::format("missing input --in {}=FILE.npy (op conv2d reads ifmap, weights)", name));
    for (const auto& [name, path] : o.inputs)
      if (name != "ifmap" && name != "weights")
        throw InputError(fmt::format("--in {}: op conv2d reads ifmap and weights", name));
  }
  if (o.command == "run") {
    if (o.outputs.size() != 1 || !o.outputs.count("ofmap"))
      throw InputError("dnngen run --op conv2d: give exactly one output, --out ofmap=FILE.npy");
    cli::check_output_path(o.outputs.at("ofmap"), "output ofmap");
  }
  if (!o.json_path.empty()) cli::check_output_path(o.json_path, "--json");
  if (!o.fst_path.empty()) cli::check_output_path(o.fst_path, "--fst");
}

HostJob job_from_inputs(const config::Config& cfg, const cli::JobOptions& opts) {
  const auto ops = cli::load_conv2d_operands(cfg, opts);
  HostJob h{"", ops.ifmap, ops.weights, ops.params, {}, {}};
  h.label = fmt::format("conv2d ifmap {} weights {} stride {} pad {}", shape_string(h.ifmap.shape),
                        shape_string(h.weights.shape), h.params.stride, h.params.pad);
  return finish(cfg, std::move(h));
}

HostJob job_from_layer(const config::Config& cfg, const std::string& ref, uint64_t seed) {
  const auto layer = workload::find_layer(ref);
  if (layer.type != workload::LayerType::kConv)
    throw InputError(fmt::format("--layer {}: the row-stationary engine runs conv layers", ref));
  const auto& s = cfg.row_stationary;
  const auto& cv = layer.conv;
  ConvJob j{cv.c / layer.groups, cv.h, cv.w, cv.filters / layer.groups, cv.r, cv.s, cv.stride, cv.pad};
  // Scale channels and filters down: enough row folds to exercise the psum buffer,
  // short enough to simulate in seconds.
  const int64_t c_fit = s.ring_buffers ? j.c : int64_t{s.ifmap_rows} / j.h;  // a ring holds any C*H
  j.c = std::max<int64_t>(1, std::min({j.c, c_fit, ceil_div(2 * s.rows + 1, j.r)}));
  j.k = std::min<int64_t>(j.k, 4);
  HostJob h;
  h.params = {j.stride, j.pad};
  h.ifmap = Tensor({j.c, j.h, j.w});
  h.weights = Tensor({j.k, j.c, j.r, j.s});
  fill_random(s, h, seed);
  h.label = fmt::format("layer {} scaled to C={} K={} ({}x{} input, {}x{} filter, stride {} pad {})",
                        layer.name, j.c, j.k, j.h, j.w, j.r, j.s, j.stride, j.pad);
  return finish(cfg, std::move(h));
}

HostJob job_from_random(const config::Config& cfg, uint64_t seed, uint64_t index) {
  auto r = random_job(cfg.row_stationary, seed, index);
  HostJob h{r.label, std::move(r.ifmap), std::move(r.weights), r.params, {}, {}};
  return finish(cfg, std::move(h));
}

std::vector<HostJob> jobs_of(const config::Config& cfg, const cli::JobOptions& opts) {
  std::vector<HostJob> jobs;
  if (!opts.layer.empty())
    jobs.push_back(job_from_layer(cfg, opts.layer, opts.seed));
  else if (opts.random)
    for (uint64_t i = 0; i < opts.count; ++i) jobs.push_back(job_from_random(cfg, opts.seed, i));
  else
    jobs.push_back(job_from_inputs(cfg, opts));
  return jobs;
}

// ---- bench ---------------------------------------------------------------------------

namespace {

// Splits one convolution (one group) into engine jobs that fit and sums their closed
// forms. Output row bands (E) and column bands (F) are cut so a band's input fits
// ifmap_rows / ifmap_spad (bands are given their own input with the padding folded in:
// the cycle count depends on the band's E, F and filter only); channels are cut to
// fit ifmap_rows (partial sums added by the host) and filters to fit filter_words. With ring
// buffers only the column bands remain (a ring holds any C*H and K), and a job's cycles
// include its waits for the ring's loader (job_timing).
void add_conv(const config::RowStationaryConfig& cfg, const ConvJob& j, const std::string& name,
              LayerBench& row) {
  if (j.r > cfg.max_filter_size || j.s > cfg.max_filter_size)
    throw InputError(fmt::format("layer {}: filter {}x{} is larger than systolic.max_filter_size = {}", name,
                                 j.r, j.s, cfg.max_filter_size));
  const int64_t e = (j.h + 2 * j.pad - j.r) / j.stride + 1, f = (j.w + 2 * j.pad - j.s) / j.stride + 1;
  const int64_t fb_fit = j.s > cfg.ifmap_spad ? 0 : (cfg.ifmap_spad - j.s) / j.stride + 1;
  // Output-row bands: short enough that a band's input rows of min(C, rows) channels
  // fit ifmap_rows, so a job still fills a row fold (else of one channel at least).
  const auto eb_fit_for = [&](int64_t channels) {
    const int64_t rows_avail = cfg.ifmap_rows / channels;
    return j.r > rows_avail ? int64_t{0} : (rows_avail - j.r) / j.stride + 1;
  };
  const int64_t ct = std::min<int64_t>(j.c, cfg.rows);
  const int64_t eb_fit = eb_fit_for(ct) >= 1 ? eb_fit_for(ct) : eb_fit_for(1);
  if (fb_fit < 1 || (eb_fit < 1 && !cfg.ring_buffers))
    throw InputError(
        fmt::format("layer {}: a {}x{} filter does not fit ifmap_spad / ifmap_rows", name, j.r, j.s));
  const bool whole_w = j.w <= cfg.ifmap_spad && f <= cfg.psum_spad;
  const int64_t fb = whole_w ? f : std::min<int64_t>({f, fb_fit, cfg.psum_spad});
  const int64_t eb = (cfg.ring_buffers || j.h * ct <= cfg.ifmap_rows) ? e : std::min(e, eb_fit);
  const bool whole_h = eb == e;
  for (const int64_t ebi : {eb, e % eb}) {
    if (ebi == 0 || (ebi == e % eb && eb == e)) continue;
    const int64_t e_count = ebi == eb ? e / eb : 1;
    for (const int64_t fbi : {fb, f % fb}) {
      if (fbi == 0 || (fbi == f % fb && fb == f)) continue;
      const int64_t f_count = fbi == fb ? f / fb : 1;
      ConvJob band = j;
      if (!whole_h) band.h = (ebi - 1) * j.stride + j.r;
      if (!whole_w) band.w = (fbi - 1) * j.stride + j.s;
      if (!whole_h || !whole_w) band.pad = 0;
      if (whole_h && !whole_w) band.h = j.h + 2 * j.pad;  // pad folded into the band's rows
      if (whole_w && !whole_h) band.w = j.w + 2 * j.pad;
      int64_t cs = cfg.ring_buffers ? j.c : std::min<int64_t>(j.c, cfg.ifmap_rows / band.h);
      while (!cfg.ring_buffers && cs > 1 && ceil_div(cs * j.r, cfg.rows) > cfg.filter_words)
        cs = (cs + 1) / 2;
      const int64_t ks =
          cfg.ring_buffers ? j.k : std::min<int64_t>(j.k, cfg.filter_words / ceil_div(cs * j.r, cfg.rows));
      for (const int64_t csi : {cs, j.c % cs}) {
        if (csi == 0 || (csi == j.c % cs && cs == j.c)) continue;
        const int64_t c_count = csi == cs ? j.c / cs : 1;
        for (const int64_t ksi : {ks, j.k % ks}) {
          if (ksi == 0 || (ksi == j.k % ks && ks == j.k)) continue;
          const int64_t k_count = ksi == ks ? j.k / ks : 1;
          ConvJob part = band;
          part.c = csi;
          part.k = ksi;
          const auto t = job_timing(cfg, part);
          const auto n = static_cast<uint64_t>(e_count * f_count * c_count * k_count);
          row.jobs += n;
          row.cycles += n * t.cycles;
          row.macs += n * t.macs;
          if (cfg.ring_buffers) row.stream_bytes += n * stream_bytes(cfg, part);
        }
      }
    }
  }
}

}  // namespace

std::vector<LayerBench> bench_network(const config::RowStationaryConfig& cfg, const std::string& path) {
  std::vector<LayerBench> rows;
  config::SystolicConfig ws;  // the WS array of the same size, buffers unbounded
  static_cast<config::ArrayConfig&>(ws) = cfg;
  ws.dataflow = config::Dataflow::kWeightStationary;
  ws.max_m = ws.max_n = ws.max_k = 1u << 30;
  for (const auto& layer : workload::load_network(path)) {
    LayerBench row;
    row.name = layer.name;
    ConvJob j;
    if (layer.type == workload::LayerType::kConv) {
      const auto& c = layer.conv;
      j = {c.c / layer.groups, c.h, c.w, c.filters / layer.groups, c.r, c.s, c.stride, c.pad};
    } else {  // C[M,N] = A[M,K] B[K,N] as a 1x1 convolution: H = M (rows over the
              // columns), W = 1, C = K, filters = N
      j = {layer.gemm.k, layer.gemm.m, 1, layer.gemm.n, 1, 1, 1, 0};
    }
    for (int64_t g = 0; g < layer.groups; ++g) add_conv(cfg, j, layer.name, row);
    const auto& gm = layer.gemm;
    const auto groups = static_cast<uint64_t>(layer.groups);
    row.ws_cycles = groups * systolic::estimate(ws, gm).cycles;
    row.scalesim_ws = groups * systolic::scalesim_ws_cycles(cfg.rows, cfg.cols, gm);
    row.scalesim_os = groups * systolic::scalesim_os_cycles(cfg.rows, cfg.cols, gm);
    row.utilization = static_cast<double>(row.macs) / (static_cast<double>(row.cycles) * cfg.rows * cfg.cols);
    rows.push_back(row);
  }
  return rows;
}

std::string format_bench(const config::RowStationaryConfig& cfg, const std::vector<LayerBench>& rows) {
  std::string out = cfg.ring_buffers ? fmt::format(
                                           "cycles: {}; stream_bytes: what a writer behind the "
                                           "rings reads from memory (behind the shell: bench_shell)\n",
                                           cycles_scope(cfg))
                                     : "cycles: compute only (no data movement)\n";
  const auto bytes_col = [&](uint64_t b) {
    return cfg.ring_buffers ? fmt::format(" {:>14}", b) : std::string();
  };
  out += fmt::format("{:<16} {:>6} {:>14} {:>12} {:>7} {:>12} {:>13} {:>13}{}\n", "layer", "jobs", "MACs",
                     "cycles", "util%", "ws_cycles", "scalesim_ws", "scalesim_os",
                     cfg.ring_buffers ? fmt::format(" {:>14}", "stream_bytes") : std::string());
  LayerBench total;
  total.name = "total";
  for (const auto& r : rows) {
    out += fmt::format("{:<16} {:>6} {:>14} {:>12} {:>7.1f} {:>12} {:>13} {:>13}{}\n", r.name, r.jobs, r.macs,
                       r.cycles, 100.0 * r.utilization, r.ws_cycles, r.scalesim_ws, r.scalesim_os,
                       bytes_col(r.stream_bytes));
    total.stream_bytes += r.stream_bytes;
    total.jobs += r.jobs;
    total.macs += r.macs;
    total.cycles += r.cycles;
    total.ws_cycles += r.ws_cycles;
    total.scalesim_ws += r.scalesim_ws;
    total.scalesim_os += r.scalesim_os;
  }
  total.utilization =
      static_cast<double>(total.macs) / (static_cast<double>(total.cycles) * cfg.rows * cfg.cols);
  out += fmt::format("{:<16} {:>6} {:>14} {:>12} {:>7.1f} {:>12} {:>13} {:>13}{}\n", total.name, total.jobs,
                     total.macs, total.cycles, 100.0 * total.utilization, total.ws_cycles, total.scalesim_ws,
                     total.scalesim_os, bytes_col(total.stream_bytes));
  return out;
}

nlohmann::json bench_json(const config::Config& cfg, const std::string& network,
                          const std::vector<LayerBench>& rows) {
  nlohmann::json layers = nlohmann::json::array();
  uint64_t macs = 0, cycles = 0, jobs = 0, ws = 0, sws = 0, sos = 0, stream = 0;
  for (const auto& r : rows) {
    layers.push_back({{"name", r.name},
                      {"jobs", r.jobs},
                      {"macs", r.macs},
                      {"cycles", r.cycles},
                      {"utilization", r.utilization},
                      {"ws_cycles", r.ws_cycles},
                      {"scalesim_ws_cycles", r.scalesim_ws},
                      {"scalesim_os_cycles", r.scalesim_os},
                      {"stream_bytes", r.stream_bytes}});
    macs += r.macs;
    cycles += r.cycles;
    jobs += r.jobs;
    ws += r.ws_cycles;
    sws += r.scalesim_ws;
    sos += r.scalesim_os;
    stream += r.stream_bytes;
  }
  return {{"engine", cfg.engine},
          {"config", cfg.name},
          {"dataflow", "row_stationary"},
          {"rows", cfg.row_stationary.rows},
          {"cols", cfg.row_stationary.cols},
          {"network", network},
          {"layers", layers},
          {"jobs", jobs},
          {"macs", macs},
          {"cycles", cycles},
          {"utilization", static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.row_stationary.rows *
                                                       cfg.row_stationary.cols)},
          {"ws_cycles", ws},
          {"scalesim_ws_cycles", sws},
          {"scalesim_os_cycles", sos},
          {"cycles_include", cycles_scope(cfg.row_stationary)},
          {"stream_bytes", stream}};
}

}  // namespace dnngen::rs
