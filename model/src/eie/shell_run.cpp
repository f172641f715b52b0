// `dnngen run --op spmv --shell` on EIE (dnngen/eie/shell_run.hpp).
#include "dnngen/eie/shell_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/eie/job.hpp"
#include "dnngen/io/npy.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/shell/run_report.hpp"

namespace dnngen::eie {
namespace {

constexpr uint64_t kPage = 4096;

// Each layer as the kernel run checks it, but alone: the shell loads one layer at a time.
void check_layers(const config::EieConfig& cfg, const std::vector<Layer>& layers) {
  for (size_t l = 0; l < layers.size(); ++l) {
    const std::string tag = layers.size() > 1 ? fmt::format(" (layer {})", l) : "";
    Chain one;
    one.layers = {layers[l]};
    one.x.assign(static_cast<size_t>(std::max<int64_t>(layers[l].w_idx.shape[1], 0)), 0);
    try {
      check_chain(cfg, one);
    } catch (const InputError& e) {
      throw InputError(layers.size() > 1 ? fmt::format("layer {}: {}", l, e.what()) : e.what());
    }
    if (l > 0 && layers[l].w_idx.shape[1] != layers[l - 1].w_idx.shape[0])
      throw InputError(fmt::format("w_idx{}: {} columns, expected {} (the rows of layer {})", tag,
                                   layers[l].w_idx.shape[1], layers[l - 1].w_idx.shape[0], l - 1));
  }
}

// x as [N, K]: one vector [K] or a batch [N, K] of activations that fit act_bits.
Tensor read_x(const config::EieConfig& cfg, const std::string& path, int64_t k, bool* batch) {
  Tensor x = io::read_npy(path).tensor;
  *batch = x.shape.size() == 2;
  if (x.shape.size() == 1) x.shape = {1, x.shape[0]};
  if (x.shape.size() != 2 || x.shape[1] != k || x.shape[0] < 1 || x.shape[0] >= (int64_t{1} << 24))
    throw InputError(fmt::format("tensor x ({}): shape {}, expected [{}] or [N, {}] with 1 <= N < 2^24", path,
                                 shape_string(x.shape), k, k));
  for (size_t i = 0; i < x.data.size(); ++i)
    if (!numerics::fits(x.data[i], cfg.act_bits, true))
      throw InputError(
          fmt::format("x: element {} = {} does not fit int{} (act_bits)", i, x.data[i], cfg.act_bits));
  return x;
}

// The next free page of `memory`, grown by `bytes`.
uint64_t place(std::vector<uint8_t>& memory, uint64_t bytes) {
  const uint64_t addr = (memory.size() + kPage - 1) / kPage * kPage;
  memory.resize(addr + bytes, 0);
  return addr;
}

}  // namespace

ShellRun shell_run(const config::Config& cfg, const cli::JobOptions& opts) {
  const config::EieConfig& e = cfg.eie;
  ShellRun g;
  g.params = shell_params(cfg);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = cfg.memory.bus_bytes_per_cycle();
  const std::vector<Layer> layers = read_layers(opts);
  check_layers(e, layers);
  const Tensor x = read_x(e, opts.inputs.at("x"), layers.front().w_idx.shape[1], &g.batch);
  const uint32_t n = static_cast<uint32_t>(x.shape[0]);
  const unsigned ab = act_bytes(e);

  uint64_t in_addr = place(g.memory, x.data.size() * ab);
  for (size_t i = 0; i < x.data.size(); ++i) shell::store(g.memory, in_addr + i * ab, ab, x.data[i]);
  for (const Layer& layer : layers) {
    LayerDescriptor d;
    d.op = "spmv";
    d.out_type = ab == 1 ? "int8" : "int16";
    d.relu = e.relu;
    d.m = static_cast<uint32_t>(layer.w_idx.shape[0]);
    d.k = static_cast<uint32_t>(layer.w_idx.shape[1]);
    d.n = n;
    d.aux_addr = place(g.memory, 2 * (uint64_t{1} << e.index_bits));
    for (size_t i = 0; i < layer.codebook.size(); ++i)
      shell::store(g.memory, d.aux_addr + 2 * i, 2, layer.codebook[i]);
    const std::vector<uint8_t> image = weight_image(e, layer.w_idx);
    d.b_addr = place(g.memory, image.size());
    std::copy(image.begin(), image.end(), g.memory.begin() + static_cast<std::ptrdiff_t>(d.b_addr));
    d.a_addr = in_addr;
    d.out_addr = place(g.memory, uint64_t{n} * d.m * ab);
    in_addr = d.out_addr;
    g.layers.push_back(d);
  }
  // Whole pages: the shell reads and writes whole bus words (strobes mark the bytes).
  g.memory.resize((g.memory.size() + kPage - 1) / kPage * kPage, 0);
  for (const LayerDescriptor& d : g.layers)  // what the checks above guarantee
    if (const uint32_t code = check_layer(g.params, d, g.memory))
      throw InputError(fmt::format("spmv: the shell refuses the layer ({})",
                                   shell::register_map().enum_name_of("error", code)));
  return g;
}

std::vector<ShellTiming> run_shell_layers(const ShellRun& g, std::vector<uint8_t>& memory) {
  std::vector<ShellTiming> timing;
  for (const LayerDescriptor& d : g.layers) {
    timing.push_back(layer_cycles(g.params, d, memory, g.latency, g.bytes_per_cycle));
    run_layer(g.params, d, memory);
  }
  return timing;
}

Tensor shell_run_result(const ShellRun& g, const std::vector<uint8_t>& memory) {
  const LayerDescriptor& d = g.layers.back();
  const unsigned ab = act_bytes(g.params.eie);
  Tensor y(g.batch ? std::vector<int64_t>{d.n, d.m} : std::vector<int64_t>{d.m});
  for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = shell::load(memory, d.out_addr + i * ab, ab, true);
  return y;
}

namespace {

ShellTiming total(const std::vector<ShellTiming>& layers) {
  ShellTiming t;
  for (const ShellTiming& l : layers) {
    t.cycles += l.cycles, t.compute += l.compute, t.mem_wait += l.mem_wait;
    t.bytes_read += l.bytes_read, t.bytes_written += l.bytes_written, t.useful_macs += l.useful_macs;
  }
  return t;
}

double utilization(const ShellRun& g, const ShellTiming& t) {
  return t.cycles == 0
             ? 0.0
             : static_cast<double>(t.useful_macs) / (static_cast<double>(t.cycles) * g.params.eie.pes);
}

}  // namespace

nlohmann::json shell_run_report(const config::Config& cfg, const ShellRun& g,
                                const std::vector<ShellTiming>& layers, const std::string& backend) {
  nlohmann::json per_layer = nlohmann::json::array();
  for (size_t l = 0; l < layers.size(); ++l) {
    const ShellTiming& t = layers[l];
    per_layer.push_back({{"M", g.layers[l].m},
                         {"K", g.layers[l].k},
                         {"cycles", t.cycles},
                         {"cycles_compute", t.compute},
                         {"cycles_mem_wait", t.mem_wait},
                         {"bytes_read", t.bytes_read},
                         {"bytes_written", t.bytes_written},
                         {"useful_macs", t.useful_macs}});
  }
  const ShellTiming t = total(layers);
  nlohmann::json report = {
      {"engine", cfg.engine}, {"config", cfg.name},    {"pes", cfg.eie.pes},
      {"op", "spmv"},         {"backend", backend},    {"vectors", g.layers.front().n},
      {"layers", per_layer},  {"macs", t.useful_macs}, {"utilization", utilization(g, t)}};
  report.update(shell::run_report_fields(
      shell::counters_of(t),
      {g.latency, g.bytes_per_cycle, g.params.data_bits, g.params.max_burst, g.params.outstanding}));
  return report;
}

std::string shell_run_summary(const config::Config& cfg, const ShellRun& g,
                              const std::vector<ShellTiming>& layers, const std::string& backend) {
  const ShellTiming t = total(layers);
  return fmt::format(
      "{}: {} spmv, {} layer(s) x {} vector(s), through the AXI shell: {} cycles including data movement ({} "
      "computing, {} waiting on memory; latency {}, {:g} B/cycle each way), {} B read, {} B written, {} "
      "useful "
      "MACs, utilization {:.1f} %\n",
      backend, cfg.name, g.layers.size(), g.layers.front().n, t.cycles, t.compute, t.mem_wait, g.latency,
      g.bytes_per_cycle, t.bytes_read, t.bytes_written, t.useful_macs, 100.0 * utilization(g, t));
}

}  // namespace dnngen::eie
