// The systolic engine (WS or OS) in the shell's TLM model: its golden layer model
// (systolic::run_layer) and cycle model (systolic::layer_cycles) on a local copy of the
// tensors the descriptor names.
#include "dnngen/shell/regmap.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "shell_engines.hpp"

namespace dnngen::tlm {
namespace {

class SystolicShellEngine : public ShellEngineModel {
 public:
  explicit SystolicShellEngine(const config::Config& cfg)
      : p_(systolic::shell_params(cfg)), memory_(cfg.memory) {}

  shell::Identity identity() const override { return systolic::shell_identity(p_); }
  unsigned queue_depth() const override { return p_.queue_depth; }

  uint32_t check(const shell::RegisterImage& registers, shell::LayerDescriptor* d) const override {
    return decode_and_check(
        registers, d, [this](const shell::LayerDescriptor& x) { return systolic::check_descriptor(p_, x); });
  }

  LayerRun run(const shell::LayerDescriptor& global, const MemRead& read) override {
    LayerRun result;
    // Every tensor as check_descriptor bounds it: the ifmap (conv2d: IN_H rows of
    // IN_W x IN_C pixels) or A, B, the bias and per-channel tables the output uses, OUT.
    shell::LayerDescriptor d = global;
    const systolic::GemmView v = systolic::gemm_view(p_, d);
    LocalImage image;
    if (d.op == "conv2d") {
      const uint64_t row = uint64_t{d.in_w} * d.in_c * (p_.in_bits / 8);
      image.add(&d.a_addr, d.in_h, d.a_stride != 0 ? d.a_stride : row, row, true);
    } else {
      image.add(&d.a_addr, v.m, v.a_pitch, v.a_row_bytes, true);
    }
    image.add(&d.b_addr, v.k, v.b_pitch, v.b_row_bytes, true);
    if (d.out_type != "int32" && d.bias) image.add(&d.bias_addr, 1, 0, v.n * 4, true);
    if (d.out_type != "int32" && d.per_channel) image.add(&d.quant_addr, 1, 0, v.n * 8, true);
    const size_t out = image.add(&d.out_addr, v.m, v.out_pitch, v.out_row_bytes, false);
    if (!image.read(read)) {
      result.error = shell::register_map().enum_value("error", "axi_read");
      return result;
    }
    // The local image keeps every tensor's offset within its 4 KiB page, so the bursts and
    // their beats, and with them the timing, are those of the global addresses.
    const systolic::LayerTiming t =
        systolic::layer_cycles(p_, d, image.bytes(), memory_.latency, memory_.bytes_per_cycle);
    result.counters = shell::counters_of(t);
    systolic::run_layer(p_, d, image.bytes());
    result.out = image.rows_of(out);
    return result;
  }

 private:
  systolic::ShellParams p_;
  config::MemoryConfig memory_;
};

}  // namespace

std::unique_ptr<ShellEngineModel> make_systolic_shell_engine(const config::Config& cfg) {
  return std::make_unique<SystolicShellEngine>(cfg);
}

}  // namespace dnngen::tlm
