// The EIE engine in the shell's TLM model: spmv layers on its golden layer model
// (eie::run_layer) and cycle model (eie::layer_cycles), with the weight image and codebook
// kept across layers for OP.KEEP_WEIGHTS as the RTL keeps them on chip.
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/regmap.hpp"
#include "shell_engines.hpp"

namespace dnngen::tlm {
namespace {

uint32_t error_code(const char* name) { return shell::register_map().enum_value("error", name); }

class EieShellEngine : public ShellEngineModel {
 public:
  explicit EieShellEngine(const config::Config& cfg) : p_(eie::shell_params(cfg)), memory_(cfg.memory) {}

  shell::Identity identity() const override { return eie::shell_identity(p_); }
  unsigned queue_depth() const override { return p_.queue_depth; }

  uint32_t check(const shell::RegisterImage& registers, shell::LayerDescriptor* d) const override {
    return decode_and_check(registers, d, [this](const shell::LayerDescriptor& x) {
      return eie::check_descriptor(p_, x, loaded_ ? &*loaded_ : nullptr);
    });
  }

  // The shell reads the codebook, the image PE by PE (checking it as it streams), the
  // bias, then the vectors; so read errors of the codebook and image come first, then the
  // image's errors, then read errors of X and the bias.
  LayerRun run(const shell::LayerDescriptor& global, const MemRead& read) override {
    const config::EieConfig& cfg = p_.eie;
    const bool keep = global.keep_weights;
    const bool raw = global.out_type == "int32";
    const unsigned ab = eie::act_bytes(cfg), ob = raw ? 4 : ab;
    LayerRun result;
    shell::LayerDescriptor d = global;
    if (!keep) loaded_.reset();  // the RTL forgets its image when it starts reading one

    uint64_t image_bytes = kept_image_.size();
    if (!keep) {
      std::vector<uint8_t> pointers(4 * uint64_t{cfg.pes} * (d.k + 1));
      if (!read(d.b_addr, pointers.data(), pointers.size())) return failed(result, "axi_read");
      image_bytes = eie::entry_offset(cfg.pes, d.k) + entries_to_read(d, pointers) * eie::entry_bytes(cfg);
    }
    LocalImage image;
    const size_t codebook = image.add(&d.aux_addr, 1, 0, 2 * (uint64_t{1} << cfg.index_bits), !keep);
    const size_t weights = image.add(&d.b_addr, 1, 0, image_bytes, !keep);
    if (!image.read(read, 0, 2)) return failed(result, "axi_read");
    if (keep) {
      std::copy(kept_codebook_.begin(), kept_codebook_.end(), image.bytes().begin() + image.local(codebook));
      std::copy(kept_image_.begin(), kept_image_.end(), image.bytes().begin() + image.local(weights));
    } else {
      if (const uint32_t code = eie::check_image(p_, d, image.bytes())) return failed(result, code);
      loaded_ = global;
      kept_codebook_ = image.tensor_bytes(codebook);
      kept_image_ = image.tensor_bytes(weights);
    }
    if (d.bias && !raw) image.add(&d.bias_addr, 1, 0, 4 * uint64_t{d.m}, true);
    image.add(&d.a_addr, d.n, d.a_stride != 0 ? d.a_stride : uint64_t{d.k} * ab, uint64_t{d.k} * ab, true);
    const size_t out = image.add(&d.out_addr, d.n, d.out_stride != 0 ? d.out_stride : uint64_t{d.m} * ob,
                                 uint64_t{d.m} * ob, false);
    if (!image.read(read, 2)) return failed(result, "axi_read");

    const eie::ShellTiming t =
        eie::layer_cycles(p_, d, image.bytes(), memory_.latency, memory_.bytes_per_cycle);
    result.counters = {t.cycles, t.compute, t.mem_wait, t.bytes_read, t.bytes_written};
    eie::run_layer(p_, d, image.bytes());
    result.out = image.rows_of(out);
    return result;
  }

  void stopped() override { loaded_.reset(); }

 private:
  static LayerRun& failed(LayerRun& r, const char* name) { return failed(r, error_code(name)); }
  static LayerRun& failed(LayerRun& r, uint32_t code) {
    r.error = code;
    return r;
  }

  // Entries of the image to read: those of every PE up to the first whose pointers fail
  // check_image's pointer checks (the shell stops there, before that PE's entries).
  uint64_t entries_to_read(const shell::LayerDescriptor& d, const std::vector<uint8_t>& pointers) const {
    const uint64_t per_pe = uint64_t{d.k} + 1;
    auto ptr = [&](uint64_t pe, uint64_t k) {
      return static_cast<uint64_t>(shell::load(pointers, 4 * (pe * per_pe + k), 4, false));
    };
    uint64_t end = 0;
    for (uint64_t pe = 0; pe < p_.eie.pes; ++pe) {
      for (uint64_t k = 0; k < d.k; ++k)
        if (ptr(pe, k + 1) < ptr(pe, k)) return end;
      const uint64_t first = ptr(pe, 0), last = ptr(pe, d.k);
      if (last - first > p_.eie.max_entries ||
          shell::past_top(p_.addr_bits, d.b_addr + eie::entry_offset(p_.eie.pes, d.k), 1, 0,
                          last * eie::entry_bytes(p_.eie)))
        return end;
      end = std::max(end, last);
    }
    return end;
  }

  eie::ShellParams p_;
  config::MemoryConfig memory_;
  std::optional<shell::LayerDescriptor> loaded_;     // the image on chip (global addresses)
  std::vector<uint8_t> kept_codebook_, kept_image_;  // its bytes, as read
};

}  // namespace

std::unique_ptr<ShellEngineModel> make_eie_shell_engine(const config::Config& cfg) {
  return std::make_unique<EieShellEngine>(cfg);
}

}  // namespace dnngen::tlm
