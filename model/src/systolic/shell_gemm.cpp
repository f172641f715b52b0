// A GEMM as one layer of the AXI shell (systolic/shell_gemm.hpp).
#include "dnngen/systolic/shell_gemm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "dnngen/common/error.hpp"
#include "dnngen/shell/regmap.hpp"

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

double utilization(const ShellGemm& g, const LayerTiming& c) {
  return static_cast<double>(c.macs) / (static_cast<double>(c.cycles) * g.params.rows * g.params.cols);
}

}  // namespace

ShellGemm shell_gemm(const config::Config& cfg, const Tensor& a, const Tensor& b) {
  ShellGemm g;
  g.params = shell_params(cfg);
  const ShellParams& p = g.params;
  shell::LayerDescriptor& d = g.descriptor;
  d.op = "gemm";
  d.out_type = "int32";
  const auto size = [](int64_t v) { return static_cast<uint32_t>(std::min<int64_t>(v, int64_t{1} << 30)); };
  d.m = size(a.shape[0]);
  d.k = size(a.shape[1]);
  d.n = size(b.shape[1]);
  uint64_t end = kPage;
  auto place = [&end](uint64_t bytes) {
    const uint64_t base = end;
    end = (end + bytes + kPage - 1) / kPage * kPage;
    return base;
  };
  d.a_addr = place(uint64_t{d.m} * d.k * (p.in_bits / 8));
  d.b_addr = place(uint64_t{d.k} * d.n * (p.w_bits / 8));
  d.out_addr = place(uint64_t{d.m} * d.n * 4);
  if (const uint32_t code = check_descriptor(p, d); code != 0) {
    const std::string why = p.acc_bits > 32
                                ? fmt::format(" ({}-bit sums do not fit the int32 output)", p.acc_bits)
                                : std::string();
    throw InputError(
        fmt::format("--shell: the GEMM [{} x {}] x [{} x {}] is not a layer this shell runs: "
                    "ERROR_CODE {}{}",
                    a.shape[0], a.shape[1], b.shape[0], b.shape[1],
                    shell::register_map().enum_name_of("error", code), why));
  }
  g.memory.assign(end + kPage, 0);
  store(g.memory, d.a_addr, a, p.in_bits / 8);
  store(g.memory, d.b_addr, b, p.w_bits / 8);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = std::min<double>(cfg.memory.bytes_per_cycle, cfg.memory.data_bits / 8.0);
  return g;
}

Tensor shell_gemm_result(const ShellGemm& g, const std::vector<uint8_t>& memory) {
  const shell::LayerDescriptor& d = g.descriptor;
  Tensor c({d.m, d.n});
  for (size_t i = 0; i < c.data.size(); ++i) {
    int32_t v;
    std::memcpy(&v, &memory[d.out_addr + 4 * i], 4);
    c.data[i] = v;
  }
  return c;
}

nlohmann::json shell_gemm_report(const config::Config& cfg, const ShellGemm& g, const LayerTiming& c,
                                 const std::string& backend) {
  const shell::LayerDescriptor& d = g.descriptor;
  return {{"engine", cfg.engine},
          {"config", cfg.name},
          {"dataflow", config::to_string(cfg.systolic.dataflow)},
          {"rows", cfg.systolic.rows},
          {"cols", cfg.systolic.cols},
          {"op", "gemm"},
          {"backend", backend},
          {"through", "shell"},
          {"gemm", {{"M", d.m}, {"N", d.n}, {"K", d.k}}},
          {"jobs", c.jobs},
          {"macs", c.macs},
          {"cycles", c.cycles},
          {"cycles_include", "data movement through the shell's DMA"},
          {"cycles_compute", c.compute},
          {"cycles_mem_wait", c.mem_wait},
          {"bytes_read", c.bytes_read},
          {"bytes_written", c.bytes_written},
          {"utilization", utilization(g, c)},
          {"memory",
           {{"latency", g.latency},
            {"bytes_per_cycle", g.bytes_per_cycle},
            {"data_bits", g.params.data_bits},
            {"max_burst", g.params.max_burst},
            {"outstanding", g.params.outstanding}}}};
}

std::string shell_gemm_summary(const config::Config& cfg, const ShellGemm& g, const LayerTiming& c,
                               const std::string& backend) {
  const shell::LayerDescriptor& d = g.descriptor;
  return fmt::format(
      "{}: {} gemm M={} N={} K={} through the AXI shell: {} cycles including data movement ({} computing, {} "
      "waiting on "
      "memory; latency {}, {:g} B/cycle each way), {} B read, {} B written, utilization {:.1f} %\n",
      backend, cfg.name, d.m, d.n, d.k, c.cycles, c.compute, c.mem_wait, g.latency, g.bytes_per_cycle,
      c.bytes_read, c.bytes_written, 100.0 * utilization(g, c));
}

}  // namespace dnngen::systolic
