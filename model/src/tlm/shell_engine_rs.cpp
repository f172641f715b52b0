// The row-stationary (Eyeriss) engine in the shell's TLM model: conv2d layers on CHW
// tensors, its golden layer model (rs::run_layer) and cycle model (rs::layer_cycles) on a
// local copy of the tensors the descriptor names.
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"
#include "dnngen/shell/regmap.hpp"
#include "shell_engines.hpp"

namespace dnngen::tlm {
namespace {

class RsShellEngine : public ShellEngineModel {
 public:
  explicit RsShellEngine(const config::Config& cfg) : p_(rs::shell_params(cfg)), memory_(cfg.memory) {}

  shell::Identity identity() const override { return rs::shell_identity(p_); }
  unsigned queue_depth() const override { return p_.queue_depth; }

  uint32_t check(const shell::RegisterImage& registers, shell::LayerDescriptor* d) const override {
    return decode_and_check(registers, d,
                            [this](const shell::LayerDescriptor& x) { return rs::check_descriptor(p_, x); });
  }

  // The tensors in the shell's load order (the ifmap rows (n, c, y), the KCRS weights, the
  // bias and the per-channel table when the output uses them), then the ofmap rows (n, k, e).
  LayerRun run(const shell::LayerDescriptor& global, const MemRead& read) override {
    LayerRun result;
    shell::LayerDescriptor d = global;
    const unsigned ib = p_.rs.input_bits / 8, wb = p_.rs.weight_bits / 8, ob = rs::out_bytes(d);
    const bool raw = d.out_type == "int32";
    const uint64_t e = rs::ofmap_height(d), f = rs::ofmap_width(d);
    const uint64_t a_row = uint64_t{d.in_w} * ib, out_row = f * ob;
    LocalImage image;
    const uint64_t n = rs::images(d);
    image.add(&d.a_addr, n * d.in_c * d.in_h, d.a_stride != 0 ? d.a_stride : a_row, a_row, true);
    image.add(&d.b_addr, 1, 0, uint64_t{d.out_c} * d.in_c * d.r * d.s * wb, true);
    if (!raw && d.bias) image.add(&d.bias_addr, 1, 0, uint64_t{d.out_c} * 4, true);
    if (!raw && d.per_channel) image.add(&d.quant_addr, 1, 0, uint64_t{d.out_c} * 8, true);
    const size_t out =
        image.add(&d.out_addr, n * d.out_c * e, d.out_stride != 0 ? d.out_stride : out_row, out_row, false);
    if (!image.read(read)) {
      result.error = shell::register_map().enum_value("error", "axi_read");
      return result;
    }
    // The cycle model needs only the descriptor: the global addresses, as the RTL sees them.
    const rs::ShellTiming t = rs::layer_cycles(p_, global, memory_.latency, memory_.bytes_per_cycle);
    result.counters = shell::counters_of(t);
    rs::run_layer(p_, d, image.bytes());
    result.out = image.rows_of(out);
    return result;
  }

 private:
  rs::ShellParams p_;
  config::MemoryConfig memory_;
};

}  // namespace

std::unique_ptr<ShellEngineModel> make_rs_shell_engine(const config::Config& cfg) {
  return std::make_unique<RsShellEngine>(cfg);
}

}  // namespace dnngen::tlm
