// The EIE engine in the shell's TLM model: spmv layers on its golden layer model
// (eie::run_layer) and cycle model (eie::layer_cycles), with the weight image and codebook
// kept across layers for OP.KEEP_WEIGHTS as the RTL keeps them on chip.
#include <algorithm>
#include <cstdint>
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
  // bias, then the vectors; so read errors of the codebook and image come first (the model
  // reads the whole image before checking its entries), then the
  // image's errors, then read errors of X and the bias.
  LayerRun run(const shell::LayerDescriptor& global, const MemRead& read) override {
    const config::EieConfig& cfg = p_.eie;
    const bool keep = global.keep_weights;
    const bool raw = global.out_type == "int32";
    const unsigned ab = eie::act_bytes(cfg), ob = raw ? 4 : ab;
    LayerRun result;
    shell::LayerDescriptor d = global;
    if (!keep) loaded_.reset();  // the RTL forgets its image when it starts reading one

    LocalImage image;
    const size_t codebook = image.add(&d.aux_addr, 1, 0, 2 * (uint64_t{1} << cfg.index_bits), !keep);
    if (!image.read(read, 0, 1)) return failed(result, "axi_read");
    if (keep) {
      const size_t weights = image.add(&d.b_addr, 1, 0, kept_image_.size(), false);
      std::copy(kept_codebook_.begin(), kept_codebook_.end(), image.bytes().begin() + image.local(codebook));
      std::copy(kept_image_.begin(), kept_image_.end(), image.bytes().begin() + image.local(weights));
    } else {
      const uint32_t code = read_image(global, read, image, &d.b_addr);
      if (code != 0) return failed(result, code);
      loaded_ = global;
      kept_codebook_ = image.tensor_bytes(codebook);
      kept_image_ = image.tensor_bytes(1);
    }
    if (d.bias && !raw) image.add(&d.bias_addr, 1, 0, 4 * uint64_t{d.m}, true);
    image.add(&d.a_addr, d.n, d.a_stride != 0 ? d.a_stride : uint64_t{d.k} * ab, uint64_t{d.k} * ab, true);
    const size_t out = image.add(&d.out_addr, d.n, d.out_stride != 0 ? d.out_stride : uint64_t{d.m} * ob,
                                 uint64_t{d.m} * ob, false);
    if (!image.read(read, 2)) return failed(result, "axi_read");  // the bias and X

    const eie::ShellTiming t =
        eie::layer_cycles(p_, d, image.bytes(), memory_.latency, memory_.bytes_per_cycle);
    result.counters = shell::counters_of(t);
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

  // The weight image at d.b_addr read into `image` as its tensor 1 (*b_addr rebased), as
  // the shell reads it: the pointers, then PE by PE its entries, up to the first PE whose
  // pointers fail a check (decreasing: bad_field; more than max_entries: size_range; entries
  // past the address space: addr_range; tested here, on the global addresses). Only the
  // entries those PEs use are read: the local copy starts at the page of the first one,
  // its pointers shifted by as many entries (so every entry keeps its address mod 4096,
  // which the cycle model's bursts depend on); a failing PE and those after it are left
  // empty there. Returns the ERROR_CODE: a read error, the image's first error (check_image
  // on the local copy for the PEs before the failing one, else the failing PE's), or 0.
  uint32_t read_image(const shell::LayerDescriptor& d, const MemRead& read, LocalImage& image,
                      uint64_t* b_addr) const {
    const unsigned pes = p_.eie.pes, eb = eie::entry_bytes(p_.eie);
    const uint64_t per_pe = uint64_t{d.k} + 1, entries_at = eie::entry_offset(pes, d.k);
    std::vector<uint8_t> pointers(4 * per_pe * pes);
    if (!read(d.b_addr, pointers.data(), pointers.size())) return error_code("axi_read");
    auto ptr = [&](uint64_t pe, uint64_t k) {
      return static_cast<uint64_t>(shell::load(pointers, 4 * (pe * per_pe + k), 4, false));
    };
    unsigned fail_pe = pes;
    uint32_t fail_code = 0;
    uint64_t first = UINT64_MAX, end = 0;
    for (unsigned pe = 0; pe < pes && fail_pe == pes; ++pe) {
      for (uint64_t k = 0; k < d.k && fail_code == 0; ++k)
        if (ptr(pe, k + 1) < ptr(pe, k)) fail_code = error_code("bad_field");
      const uint64_t lo = ptr(pe, 0), hi = ptr(pe, d.k);
      if (fail_code == 0 && hi - lo > p_.eie.max_entries) fail_code = error_code("size_range");
      if (fail_code == 0 && shell::past_top(p_.addr_bits, d.b_addr + entries_at, 1, 0, hi * eb))
        fail_code = error_code("addr_range");
      if (fail_code != 0)
        fail_pe = pe;
      else if (hi > lo)
        first = std::min(first, lo), end = std::max(end, hi);
    }
    const uint64_t shift = first == UINT64_MAX ? 0 : first * eb / 4096 * (4096 / eb);
    end = std::max(end, shift);
    image.add(b_addr, 1, 0, entries_at + (end - shift) * eb, false);
    uint8_t* local = image.bytes().data() + image.local(1);
    if (end > shift && !read(d.b_addr + entries_at + shift * eb, local + entries_at, (end - shift) * eb))
      return error_code("axi_read");
    for (unsigned pe = 0; pe < pes; ++pe) {
      const bool used = pe < fail_pe && ptr(pe, d.k) > ptr(pe, 0);
      for (uint64_t k = 0; k <= d.k; ++k)
        shell::store(image.bytes(), image.local(1) + 4 * (pe * per_pe + k), 4,
                     used ? static_cast<int64_t>(ptr(pe, k) - shift) : 0);
    }
    shell::LayerDescriptor local_d = d;
    local_d.b_addr = *b_addr;
    if (const uint32_t code = eie::check_image(p_, local_d, image.bytes())) return code;
    return fail_code;
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
