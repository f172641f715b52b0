// An engine layer as shell descriptors on a memory image (infer/shell_plan.hpp).
#include "dnngen/infer/shell_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "dnngen/common/error.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"

namespace dnngen::infer {
namespace {

constexpr uint64_t kPage = 0x1000;

// Page-aligned regions, from the first page up.
struct Placer {
  uint64_t end = kPage;
  uint64_t place(uint64_t bytes) {
    const uint64_t base = end;
    end += (bytes + kPage - 1) / kPage * kPage;
    return base;
  }
};

unsigned act_bytes(const Target& t) {
  return t.eie ? eie::act_bytes(t.eie_params.eie) : t.systolic.in_bits / 8;
}
unsigned out_bytes(const Target& t, const QLayer& l) { return l.raw ? 4 : act_bytes(t); }

void refuse_if(uint32_t code, const QLayer& l) {
  if (code != 0)
    throw InputError(fmt::format("layer '{}' ({}): the shell refuses its descriptor: ERROR_CODE {}", l.name,
                                 to_string(l.kind), shell::register_map().enum_name_of("error", code)));
}

// The bias and the output pipeline's fields every target shares.
shell::LayerDescriptor output_fields(const Target& t, const QLayer& l) {
  shell::LayerDescriptor d;
  d.out_type = l.raw ? "int32" : fmt::format("int{}", 8 * act_bytes(t));
  d.bias = !l.raw;
  d.relu = l.relu && !l.raw;
  return d;
}

void store_bias(std::vector<uint8_t>& mem, uint64_t at, const QLayer& l) {
  for (size_t n = 0; n < l.bias.size(); ++n) shell::store(mem, at + n * 4, 4, l.bias[n]);
}

void store_values(std::vector<uint8_t>& mem, uint64_t at, const int64_t* v, int64_t count, unsigned bytes) {
  for (int64_t j = 0; j < count; ++j) shell::store(mem, at + static_cast<uint64_t>(j) * bytes, bytes, v[j]);
}

LayerPlan plan_systolic(const Target& t, const QLayer& l, const QBatch& in) {
  const systolic::ShellParams& p = t.systolic;
  const bool conv = l.kind == LayerKind::kConv;
  const unsigned in_b = act_bytes(t), w_b = p.w_bits / 8, out_b = out_bytes(t, l);
  LayerPlan plan;
  plan.batch = in.batch;
  Placer placer;
  shell::LayerDescriptor d = output_fields(t, l);
  d.op = conv ? "conv2d" : "gemm";
  d.per_channel = !l.raw;
  d.b_addr = placer.place(static_cast<uint64_t>(l.k * l.n) * w_b);
  d.bias_addr = placer.place(static_cast<uint64_t>(l.n) * 4);
  d.quant_addr = placer.place(static_cast<uint64_t>(l.n) * 8);
  if (conv) {
    d.in_c = static_cast<uint32_t>(l.in_shape[0]);
    d.in_h = static_cast<uint32_t>(l.in_shape[1]);
    d.in_w = static_cast<uint32_t>(l.in_shape[2]);
    d.out_c = static_cast<uint32_t>(l.n);
    d.r = l.kernel_h, d.s = l.kernel_w;
    d.stride_y = l.stride_y, d.stride_x = l.stride_x;
    d.pad_y = l.pad_y, d.pad_x = l.pad_x;
  } else {
    d.m = static_cast<uint32_t>(in.batch);
    d.n = static_cast<uint32_t>(l.n);
    d.k = static_cast<uint32_t>(l.k);
  }
  const int64_t in_n = in.sample_size(), out_n = l.n * (conv ? l.out_shape[1] * l.out_shape[2] : 1);
  // conv2d: one descriptor per sample; gemm: one for the whole batch.
  const int64_t calls = conv ? in.batch : 1, per_call = conv ? 1 : in.batch;
  std::vector<uint64_t> a_addr, out_addr;
  for (int64_t i = 0; i < calls; ++i) {
    a_addr.push_back(placer.place(static_cast<uint64_t>(in_n * per_call) * in_b));
    out_addr.push_back(placer.place(static_cast<uint64_t>(out_n * per_call) * out_b));
  }
  plan.memory.assign(placer.end + kPage, 0);
  // B[k][n] = W[n][k]: RSCK for a convolution (the weights' K order is (r, s, c) already).
  for (int64_t n = 0; n < l.n; ++n)
    for (int64_t k = 0; k < l.k; ++k)
      shell::store(plan.memory, d.b_addr + static_cast<uint64_t>(k * l.n + n) * w_b, w_b,
                   l.weights[static_cast<size_t>(n * l.k + k)]);
  store_bias(plan.memory, d.bias_addr, l);
  for (size_t n = 0; n < l.mult.size(); ++n) {
    shell::store(plan.memory, d.quant_addr + n * 8, 4, l.mult[n]);
    shell::store(plan.memory, d.quant_addr + n * 8 + 4, 4, l.shift[n]);
  }
  for (int64_t i = 0; i < calls; ++i) {
    const auto u = static_cast<size_t>(i);
    store_values(plan.memory, a_addr[u], in.data.data() + i * in_n * per_call, in_n * per_call, in_b);
    shell::LayerDescriptor di = d;
    di.a_addr = a_addr[u];
    di.out_addr = out_addr[u];
    refuse_if(systolic::check_descriptor(p, di), l);
    plan.descriptors.push_back(di);
  }
  return plan;
}

LayerPlan plan_eie(const Target& t, const QLayer& l, const QBatch& in) {
  const config::EieConfig& e = t.eie_params.eie;
  if (l.kind != LayerKind::kDense)
    throw InputError(
        fmt::format("layer '{}' ({}): the EIE engine runs fully connected layers only (a systolic "
                    "configuration runs convolutions)",
                    l.name, to_string(l.kind)));
  const unsigned ab = act_bytes(t);
  LayerPlan plan;
  plan.batch = in.batch;
  Placer placer;
  shell::LayerDescriptor d = output_fields(t, l);
  d.op = "spmv";
  d.m = static_cast<uint32_t>(l.n);
  d.k = static_cast<uint32_t>(l.k);
  d.n = static_cast<uint32_t>(in.batch);
  Tensor w_idx({l.n, l.k});
  w_idx.data.assign(l.w_idx.begin(), l.w_idx.end());
  const std::vector<uint8_t> image = eie::weight_image(e, w_idx);
  d.aux_addr = placer.place(2 * l.codebook.size());
  d.bias_addr = placer.place(static_cast<uint64_t>(l.n) * 4);
  d.b_addr = placer.place(image.size());
  d.a_addr = placer.place(static_cast<uint64_t>(in.batch * l.k) * ab);
  d.out_addr = placer.place(static_cast<uint64_t>(in.batch * l.n) * out_bytes(t, l));
  plan.memory.assign(placer.end + kPage, 0);
  for (size_t i = 0; i < l.codebook.size(); ++i)
    shell::store(plan.memory, d.aux_addr + 2 * i, 2, l.codebook[i]);
  store_bias(plan.memory, d.bias_addr, l);
  std::copy(image.begin(), image.end(), plan.memory.begin() + static_cast<std::ptrdiff_t>(d.b_addr));
  store_values(plan.memory, d.a_addr, in.data.data(), in.batch * l.k, ab);
  refuse_if(eie::check_layer(t.eie_params, d, plan.memory), l);
  plan.descriptors.push_back(d);
  return plan;
}

}  // namespace

Target target_of(const config::Config& cfg) {
  Target t;
  t.latency = cfg.memory.latency;
  t.bytes_per_cycle = std::min<double>(cfg.memory.bytes_per_cycle, cfg.memory.data_bits / 8.0);
  if (cfg.engine == "eie") {
    t.eie = true;
    t.eie_params = eie::shell_params(cfg);
    t.peak_macs = cfg.eie.pes;
    return t;
  }
  if (cfg.engine != "systolic" || cfg.systolic.row_stationary() || !config::has_shell(cfg))
    throw InputError(
        fmt::format("infer: {} is a {} configuration; infer runs on the systolic weight- or "
                    "output-stationary engine or on EIE, behind their AXI shells (the bit-serial and "
                    "row-stationary engines are not mapped yet)",
                    cfg.name, cfg.systolic.row_stationary() ? "row-stationary" : cfg.engine));
  const auto& s = cfg.systolic;
  if (s.input_bits != s.weight_bits || (s.input_bits != 8 && s.input_bits != 16) || !s.is_signed)
    throw InputError(
        fmt::format("infer: {} has {}-bit {} inputs and {}-bit weights; infer quantises to signed "
                    "int8 or int16 with equal widths",
                    cfg.name, s.input_bits, s.is_signed ? "signed" : "unsigned", s.weight_bits));
  t.systolic = systolic::shell_params(cfg);
  t.peak_macs = static_cast<double>(t.systolic.rows) * t.systolic.cols;
  return t;
}

QuantOptions quant_options(const Target& t) {
  QuantOptions o;
  if (t.eie) {
    const config::EieConfig& e = t.eie_params.eie;
    o.scheme = Scheme::kFixedPoint;
    o.bits = e.act_bits;
    o.frac_bits = e.frac_bits;
    o.index_bits = e.index_bits;
    o.acc_bits = e.acc_bits;
  } else {
    o.bits = t.systolic.in_bits;
    o.acc_bits = t.systolic.acc_bits;
    o.saturate = t.systolic.saturate;
  }
  return o;
}

LayerPlan plan_layer(const Target& t, const QLayer& l, const QBatch& in) {
  return t.eie ? plan_eie(t, l, in) : plan_systolic(t, l, in);
}

QBatch plan_outputs(const Target& t, const QLayer& l, const LayerPlan& plan,
                    const std::vector<uint8_t>& memory) {
  QBatch out;
  out.batch = plan.batch;
  out.shape = l.out_shape;
  const unsigned ob = out_bytes(t, l);
  for (const auto& d : plan.descriptors) {
    const uint64_t elements =
        d.op == "conv2d" ? static_cast<uint64_t>(out.sample_size()) : static_cast<uint64_t>(plan.batch * l.n);
    for (uint64_t j = 0; j < elements; ++j)
      out.data.push_back(shell::load(memory, d.out_addr + j * ob, ob, true));
  }
  return out;
}

PlanCost plan_cycles(const Target& t, const LayerPlan& plan) {
  PlanCost sum;
  for (const auto& d : plan.descriptors) {
    if (t.eie) {
      const eie::ShellTiming c =
          eie::layer_cycles(t.eie_params, d, plan.memory, t.latency, t.bytes_per_cycle);
      sum.counters += shell::counters_of(c);
      sum.macs += c.useful_macs;
    } else {
      const systolic::LayerTiming c =
          systolic::layer_cycles(t.systolic, d, plan.memory, t.latency, t.bytes_per_cycle);
      sum.counters += shell::counters_of(c);
      sum.macs += c.macs;
    }
  }
  return sum;
}

void run_plan(const Target& t, LayerPlan& plan) {
  for (const auto& d : plan.descriptors) {
    if (t.eie)
      eie::run_layer(t.eie_params, d, plan.memory);
    else
      systolic::run_layer(t.systolic, d, plan.memory);
  }
}

}  // namespace dnngen::infer
