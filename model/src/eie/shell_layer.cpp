// The golden model of an spmv layer on the EIE engine behind the shell
// (dnngen/eie/shell_layer.hpp).
#include "dnngen/eie/shell_layer.hpp"

#include <algorithm>

#include "dnngen/common/numerics.hpp"
#include "dnngen/eie/encode.hpp"
#include "dnngen/eie/spmv.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::eie {
namespace {

using shell::error_code;
using shell::load;
using shell::past_top;
using shell::store;

// N is below 2^kBatchBits (the shell's size registers are 24-bit quantities).
constexpr unsigned kBatchBits = 24;

// The smallest of 1, 2 and 4 bytes holding `bits`.
unsigned container_bytes(unsigned bits) { return bits <= 8 ? 1 : bits <= 16 ? 2 : 4; }

const char* act_type(const config::EieConfig& cfg) { return act_bytes(cfg) == 1 ? "int8" : "int16"; }

bool raw_output(const LayerDescriptor& d) { return d.out_type == "int32"; }

unsigned out_bytes(const config::EieConfig& cfg, const LayerDescriptor& d) {
  return raw_output(d) ? 4 : act_bytes(cfg);
}

uint64_t pointer_addr(const LayerDescriptor& d, unsigned p, uint64_t k) {
  return d.b_addr + 4 * (uint64_t{p} * (d.k + 1) + k);
}

// Entry e of the image: {v, z}.
Entry entry(const config::EieConfig& cfg, const std::vector<uint8_t>& mem, const LayerDescriptor& d,
            uint64_t e) {
  const unsigned eb = entry_bytes(cfg);
  const auto raw =
      static_cast<uint32_t>(load(mem, d.b_addr + entry_offset(cfg.pes, d.k) + e * eb, eb, false));
  return {raw & ((1u << cfg.index_bits) - 1), raw >> (8 * eb - kZBits)};
}

}  // namespace

uint32_t check_image(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& mem) {
  const auto& cfg = p.eie;
  for (unsigned pe = 0; pe < cfg.pes; ++pe) {
    for (uint64_t k = 0; k < d.k; ++k)
      if (pointer(mem, d, pe, k + 1) < pointer(mem, d, pe, k)) return error_code("bad_field");
    const uint64_t first = pointer(mem, d, pe, 0), last = pointer(mem, d, pe, d.k);
    if (last - first > cfg.max_entries) return error_code("size_range");
    if (past_top(p.addr_bits, d.b_addr + entry_offset(cfg.pes, d.k), 1, 0, last * entry_bytes(cfg)))
      return error_code("addr_range");
    const int64_t rows = local_rows(d.m, cfg.pes, pe);
    for (uint64_t k = 0; k < d.k; ++k) {
      int64_t row = -1;
      for (uint64_t e = pointer(mem, d, pe, k); e < pointer(mem, d, pe, k + 1); ++e) {
        const Entry en = entry(cfg, mem, d, e);
        row += en.z + 1;
        if (en.v != 0 && row >= rows) return error_code("bad_field");
      }
    }
  }
  return 0;
}

namespace {

// OUTPUT.BITS: 0 (the activations' width) or 2..act_bits; 0 with int32.
bool out_bits_bad(const config::EieConfig& cfg, const LayerDescriptor& d) {
  if (raw_output(d)) return d.out_bits != 0;
  return d.out_bits != 0 && (d.out_bits < 2 || d.out_bits > cfg.act_bits);
}

}  // namespace

unsigned act_bytes(const config::EieConfig& cfg) { return container_bytes(cfg.act_bits); }

uint64_t pointer(const std::vector<uint8_t>& mem, const LayerDescriptor& d, unsigned p, uint64_t k) {
  return static_cast<uint64_t>(load(mem, pointer_addr(d, p, k), 4, false));
}

ShellParams shell_params(const config::Config& cfg) {
  ShellParams p;
  p.eie = cfg.eie;
  p.data_bits = cfg.memory.data_bits;
  p.max_burst = cfg.memory.max_burst;
  p.outstanding = cfg.memory.outstanding;
  p.config_hash = config::shell_config_hash(cfg);
  return p;
}

uint64_t entry_offset(unsigned pes, uint64_t k) { return (4 * uint64_t{pes} * (k + 1) + 7) / 8 * 8; }

unsigned entry_bytes(const config::EieConfig& cfg) { return cfg.index_bits <= 4 ? 1 : 2; }

std::vector<uint8_t> weight_image(const config::EieConfig& cfg, const Tensor& w_idx) {
  return weight_image(cfg, static_cast<uint64_t>(w_idx.shape[1]), encode_layer(w_idx, cfg.pes));
}

std::vector<uint8_t> weight_image(const config::EieConfig& cfg, uint64_t k, const std::vector<PeImage>& pes) {
  const unsigned eb = entry_bytes(cfg);
  uint64_t total = 0;
  for (const PeImage& pe : pes) total += pe.entries.size();
  std::vector<uint8_t> image(entry_offset(cfg.pes, k) + total * eb);
  uint64_t base = 0;  // PE p's entries follow PE p-1's in the one entry array
  for (unsigned p = 0; p < cfg.pes; ++p) {
    const PeImage& pe = pes[p];
    for (uint64_t j = 0; j <= k; ++j) store(image, 4 * (uint64_t{p} * (k + 1) + j), 4, base + pe.pointers[j]);
    for (size_t e = 0; e < pe.entries.size(); ++e)
      store(image, entry_offset(cfg.pes, k) + (base + e) * eb, eb,
            pe.entries[e].v | pe.entries[e].z << (8 * eb - kZBits));
    base += pe.entries.size();
  }
  return image;
}

namespace {

// OP.KEEP_WEIGHTS without the image it names on chip.
bool keep_mismatch(const LayerDescriptor& d, const LayerDescriptor* loaded) {
  if (!d.keep_weights) return false;
  return loaded == nullptr || loaded->b_addr != d.b_addr || loaded->aux_addr != d.aux_addr ||
         loaded->m != d.m || loaded->k != d.k;
}

}  // namespace

uint32_t check_descriptor(const ShellParams& p, const LayerDescriptor& d, const LayerDescriptor* loaded) {
  const auto& cfg = p.eie;
  if (d.op != "spmv") return error_code("bad_op");
  if (d.m == 0 || d.n == 0 || d.k == 0) return error_code("zero_size");
  if (d.m > cfg.max_rows || d.k > cfg.max_cols || d.n >= (1u << kBatchBits)) return error_code("size_range");
  if ((!raw_output(d) && d.out_type != act_type(cfg)) || (raw_output(d) && cfg.acc_bits > 32) ||
      d.per_channel || out_bits_bad(cfg, d) || keep_mismatch(d, loaded) || d.chw)
    return error_code("bad_field");
  const unsigned ab = act_bytes(cfg), ob = out_bytes(cfg, d);
  const uint64_t a_row = uint64_t{d.k} * ab, out_row = uint64_t{d.m} * ob;
  if ((d.a_stride != 0 && d.a_stride < a_row) || (d.out_stride != 0 && d.out_stride < out_row))
    return error_code("bad_field");
  const bool bias = d.bias && !raw_output(d);
  if (d.a_addr % ab != 0 || d.a_stride % ab != 0 || d.out_addr % ob != 0 || d.out_stride % ob != 0 ||
      d.b_addr % 8 != 0 || d.aux_addr % 2 != 0 || (bias && d.bias_addr % 4 != 0))
    return error_code("addr_align");
  const uint64_t a_pitch = d.a_stride != 0 ? d.a_stride : a_row;
  const uint64_t out_pitch = d.out_stride != 0 ? d.out_stride : out_row;
  if (past_top(p.addr_bits, d.a_addr, d.n, a_pitch, a_row) ||
      past_top(p.addr_bits, d.out_addr, d.n, out_pitch, out_row) ||
      past_top(p.addr_bits, d.aux_addr, 1, 0, 2 * (uint64_t{1} << cfg.index_bits)) ||
      past_top(p.addr_bits, d.b_addr, 1, 0, entry_offset(cfg.pes, d.k)) ||
      (bias && past_top(p.addr_bits, d.bias_addr, 1, 0, 4 * uint64_t{d.m})))
    return error_code("addr_range");
  return 0;
}

uint32_t check_layer(const ShellParams& p, const LayerDescriptor& d, const std::vector<uint8_t>& memory,
                     const LayerDescriptor* loaded) {
  if (const uint32_t code = check_descriptor(p, d, loaded)) return code;
  return d.keep_weights ? 0 : check_image(p, d, memory);
}

shell::Identity shell_identity(const ShellParams& p) {
  const auto& map = shell::register_map();
  shell::Identity id;
  id.engine_kind = map.enum_value("engine", "eie");
  id.engine_variant = 0;
  id.engine_ops = 1u << map.enum_value("op", "spmv");
  id.config_hash = p.config_hash;
  id.array_rows = p.eie.pes;  // PEs x 1
  id.array_cols = 1;
  id.in_bits = p.eie.act_bits;
  id.w_bits = 16;  // codebook values
  id.acc_bits = p.eie.acc_bits;
  id.is_signed = true;
  id.saturate = false;
  id.mem_data_bits = p.data_bits;
  id.max_burst = p.max_burst;
  id.outstanding = p.outstanding;
  id.mem_addr_bits = p.addr_bits;
  return id;
}

Tensor decode_weight_image(const ShellParams& p, const LayerDescriptor& d,
                           const std::vector<uint8_t>& memory) {
  const auto& cfg = p.eie;
  Tensor w({d.m, d.k});
  for (unsigned pe = 0; pe < cfg.pes; ++pe)
    for (uint64_t k = 0; k < d.k; ++k) {
      int64_t row = -1;
      for (uint64_t e = pointer(memory, d, pe, k); e < pointer(memory, d, pe, k + 1); ++e) {
        const Entry en = entry(cfg, memory, d, e);
        row += en.z + 1;
        if (en.v != 0) w.at(row * cfg.pes + pe, static_cast<int64_t>(k)) = en.v;
      }
    }
  return w;
}

void run_layer(const ShellParams& p, const LayerDescriptor& d, std::vector<uint8_t>& memory) {
  const auto& cfg = p.eie;
  const Tensor w = decode_weight_image(p, d, memory);
  std::vector<int64_t> codebook(size_t{1} << cfg.index_bits);
  for (size_t i = 1; i < codebook.size(); ++i) codebook[i] = load(memory, d.aux_addr + 2 * i, 2, true);
  const unsigned ab = act_bytes(cfg), ob = out_bytes(cfg, d);
  const uint64_t a_pitch = d.a_stride != 0 ? d.a_stride : uint64_t{d.k} * ab;
  const uint64_t out_pitch = d.out_stride != 0 ? d.out_stride : uint64_t{d.m} * ob;
  const bool raw = raw_output(d);
  const unsigned clamp_bits = d.out_bits != 0 ? d.out_bits : cfg.act_bits;
  for (uint64_t n = 0; n < d.n; ++n) {
    std::vector<int64_t> x(d.k);
    for (uint64_t k = 0; k < d.k; ++k)
      x[k] = numerics::wrap_signed(load(memory, d.a_addr + n * a_pitch + k * ab, ab, true), cfg.act_bits);
    for (uint64_t m = 0; m < d.m; ++m) {
      int64_t sum = 0;  // products fit 16 + act_bits <= 32 bits; at most 2^16 of them
      for (uint64_t k = 0; k < d.k; ++k)
        if (const int64_t v = w.at(static_cast<int64_t>(m), static_cast<int64_t>(k)); v != 0)
          sum += codebook[static_cast<size_t>(v)] * x[k];
      const int64_t acc = numerics::wrap_signed(sum, cfg.acc_bits);
      const auto bias = d.bias && !raw ? static_cast<int32_t>(load(memory, d.bias_addr + 4 * m, 4, true)) : 0;
      const int64_t y = raw ? acc : numerics::requantize(acc, bias, 1, cfg.frac_bits, clamp_bits, d.relu);
      store(memory, d.out_addr + n * out_pitch + m * ob, ob, y);
    }
  }
}

}  // namespace dnngen::eie
