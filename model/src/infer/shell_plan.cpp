// An engine layer as shell descriptors on a memory image (infer/shell_plan.hpp).
#include "dnngen/infer/shell_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "dnngen/common/error.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"
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
  return t.eie() ? eie::act_bytes(t.eie_params.eie) : t.systolic.in_bits / 8;  // rs: in_bits as well
}
unsigned out_bytes(const Target& t, const QLayer& l) { return l.raw ? 4 : act_bytes(t); }

void refuse_if(uint32_t code, const QLayer& l, const std::string& why = "") {
  if (code != 0)
    throw InputError(fmt::format("layer '{}' ({}): the shell refuses its descriptor: ERROR_CODE {}{}", l.name,
                                 to_string(l.kind), shell::register_map().enum_name_of("error", code),
                                 why.empty() ? "" : " (" + why + ")"));
}

// The conv2d fields of a convolution layer's descriptor.
void conv_fields(const QLayer& l, shell::LayerDescriptor& d) {
  d.in_c = static_cast<uint32_t>(l.in_shape[0]);
  d.in_h = static_cast<uint32_t>(l.in_shape[1]);
  d.in_w = static_cast<uint32_t>(l.in_shape[2]);
  d.out_c = static_cast<uint32_t>(l.n);
  d.r = l.kernel_h, d.s = l.kernel_w;
  d.stride_y = l.stride_y, d.stride_x = l.stride_x;
  d.pad_y = l.pad_y, d.pad_x = l.pad_x;
}

// The (mult, shift) table of a per-channel layer.
void store_quant(std::vector<uint8_t>& mem, uint64_t at, const QLayer& l) {
  for (size_t n = 0; n < l.mult.size(); ++n) {
    shell::store(mem, at + n * 8, 4, l.mult[n]);
    shell::store(mem, at + n * 8 + 4, 4, l.shift[n]);
  }
}

// [C, H, W] index of element i of an [H, W, C] sample with c_n channels and hw = H x W.
int64_t chw_index(int64_t i, int64_t c_n, int64_t hw) { return (i % c_n) * hw + i / c_n; }

// The bias and the output pipeline's fields every target shares.
shell::LayerDescriptor output_fields(const Target& t, const QLayer& l) {
  shell::LayerDescriptor d;
  d.out_type = l.raw ? "int32" : fmt::format("int{}", 8 * act_bytes(t));
  // Clamp to the width the next layer reads where that is narrower than the container (a
  // bit-serial layer's precision).
  if (!l.raw && l.out_bits < 8 * act_bytes(t)) d.out_bits = l.out_bits;
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
  d.precision = l.precision;  // bit-serial: the activations' bits (0 elsewhere)
  d.b_addr = placer.place(static_cast<uint64_t>(l.k * l.n) * w_b);
  d.bias_addr = placer.place(static_cast<uint64_t>(l.n) * 4);
  d.quant_addr = placer.place(static_cast<uint64_t>(l.n) * 8);
  if (conv) {
    conv_fields(l, d);
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
  store_quant(plan.memory, d.quant_addr, l);
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

LayerPlan plan_rs(const Target& t, const QLayer& l, const QBatch& in) {
  if (l.kind != LayerKind::kConv)
    throw InputError(
        fmt::format("layer '{}' ({}): the row-stationary engine runs convolutions only (a systolic "
                    "weight- or output-stationary or an EIE configuration runs fully connected layers)",
                    l.name, to_string(l.kind)));
  const unsigned in_b = act_bytes(t), out_b = out_bytes(t, l);
  LayerPlan plan;
  plan.batch = in.batch;
  Placer placer;
  shell::LayerDescriptor d = output_fields(t, l);
  d.op = "conv2d";
  d.chw = true;
  d.per_channel = !l.raw;
  conv_fields(l, d);
  const int64_t c_n = l.in_shape[0], r_n = l.kernel_h, s_n = l.kernel_w;
  const int64_t in_n = in.sample_size(), out_n = l.n * l.out_shape[1] * l.out_shape[2];
  d.b_addr = placer.place(static_cast<uint64_t>(l.k * l.n) * in_b);
  d.bias_addr = placer.place(static_cast<uint64_t>(l.n) * 4);
  d.quant_addr = placer.place(static_cast<uint64_t>(l.n) * 8);
  std::vector<uint64_t> a_addr, out_addr;
  for (int64_t i = 0; i < in.batch; ++i) {
    a_addr.push_back(placer.place(static_cast<uint64_t>(in_n) * in_b));
    out_addr.push_back(placer.place(static_cast<uint64_t>(out_n) * out_b));
  }
  plan.memory.assign(placer.end + kPage, 0);
  // KCRS from the engine's (r, s, c) order.
  for (int64_t n = 0; n < l.n; ++n)
    for (int64_t c = 0; c < c_n; ++c)
      for (int64_t r = 0; r < r_n; ++r)
        for (int64_t s = 0; s < s_n; ++s)
          shell::store(plan.memory,
                       d.b_addr + static_cast<uint64_t>(((n * c_n + c) * r_n + r) * s_n + s) * in_b, in_b,
                       l.weights[static_cast<size_t>(n * l.k + (r * s_n + s) * c_n + c)]);
  store_bias(plan.memory, d.bias_addr, l);
  store_quant(plan.memory, d.quant_addr, l);
  const int64_t hw = in_n / c_n;
  for (int64_t b = 0; b < in.batch; ++b) {
    const auto u = static_cast<size_t>(b);
    const int64_t* x = in.data.data() + b * in_n;
    for (int64_t i = 0; i < in_n; ++i)
      shell::store(plan.memory, a_addr[u] + static_cast<uint64_t>(chw_index(i, c_n, hw)) * in_b, in_b, x[i]);
    shell::LayerDescriptor di = d;
    di.a_addr = a_addr[u];
    di.out_addr = out_addr[u];
    const rs::DescriptorCheck check = rs::explain_descriptor(t.rs_params, di);
    refuse_if(check.code, l, check.why);
    plan.descriptors.push_back(di);
  }
  return plan;
}

}  // namespace

Target target_of(const config::Config& cfg) {
  Target t;
  t.latency = cfg.memory.latency;
  t.bytes_per_cycle = cfg.memory.bus_bytes_per_cycle();
  if (cfg.engine == "eie") {
    t.kind = Target::Kind::kEie;
    t.eie_params = eie::shell_params(cfg);
    t.peak_macs = cfg.eie.pes;
    return t;
  }
  if (cfg.engine == "bitserial" && config::has_shell(cfg)) {
    t.kind = Target::Kind::kBitserial;
    t.systolic = systolic::shell_params(cfg);
    t.peak_macs = static_cast<double>(t.systolic.rows) * t.systolic.cols * t.systolic.lanes;
    return t;
  }
  if (cfg.engine != "systolic" || !config::has_shell(cfg))
    throw InputError(
        fmt::format("infer: {} is a {} configuration without an AXI shell; infer runs on the "
                    "engines behind their shells (systolic WS / OS / row stationary, bit-serial with "
                    "8- or 16-bit operands, EIE)",
                    cfg.name, cfg.engine));
  const auto& s = cfg.systolic;
  if (s.input_bits != s.weight_bits || (s.input_bits != 8 && s.input_bits != 16) || !s.is_signed)
    throw InputError(
        fmt::format("infer: {} has {}-bit {} inputs and {}-bit weights; infer quantises to signed "
                    "int8 or int16 with equal widths",
                    cfg.name, s.input_bits, s.is_signed ? "signed" : "unsigned", s.weight_bits));
  if (s.row_stationary()) {
    t.kind = Target::Kind::kRowStationary;
    t.rs_params = rs::shell_params(cfg);
    // The numerics quant_options reads.
    t.systolic.in_bits = t.systolic.w_bits = s.input_bits;
    t.systolic.acc_bits = s.acc_bits;
    t.systolic.saturate = s.overflow == config::Overflow::kSaturate;
  } else {
    t.systolic = systolic::shell_params(cfg);
  }
  t.peak_macs = static_cast<double>(s.rows) * s.cols;
  return t;
}

QuantOptions quant_options(const Target& t, unsigned precision) {
  QuantOptions o;
  if (t.eie()) {
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
  if (t.kind == Target::Kind::kBitserial) {
    o.weight_bits = t.systolic.w_bits;
    o.unsigned_acts = !t.systolic.is_signed;
    o.bit_serial = true;
    o.precision = precision;
  }
  return o;
}

LayerPlan plan_layer(const Target& t, const QLayer& l, const QBatch& in) {
  switch (t.kind) {
    case Target::Kind::kEie:
      return plan_eie(t, l, in);
    case Target::Kind::kRowStationary:
      return plan_rs(t, l, in);
    case Target::Kind::kSystolic:
    case Target::Kind::kBitserial:
      break;
  }
  return plan_systolic(t, l, in);
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
    // A CHW ofmap (row stationary) back into [E, F, N].
    const int64_t hw = d.chw ? out.sample_size() / l.n : 0;
    for (uint64_t j = 0; j < elements; ++j) {
      const uint64_t at = d.chw ? static_cast<uint64_t>(chw_index(static_cast<int64_t>(j), l.n, hw)) : j;
      out.data.push_back(shell::load(memory, d.out_addr + at * ob, ob, true));
    }
  }
  return out;
}

PlanCost plan_cycles(const Target& t, const LayerPlan& plan) {
  PlanCost sum;
  const auto add = [&sum](const auto& timing, uint64_t macs) {
    sum.counters += shell::counters_of(timing);
    sum.macs += macs;
    sum.actions += timing.actions;
  };
  for (const auto& d : plan.descriptors) {
    switch (t.kind) {
      case Target::Kind::kEie: {
        const auto c = eie::layer_cycles(t.eie_params, d, plan.memory, t.latency, t.bytes_per_cycle);
        add(c, c.useful_macs);
        break;
      }
      case Target::Kind::kRowStationary: {
        const auto c = rs::layer_cycles(t.rs_params, d, t.latency, t.bytes_per_cycle);
        add(c, c.macs);
        break;
      }
      case Target::Kind::kSystolic:
      case Target::Kind::kBitserial: {
        const auto c = systolic::layer_cycles(t.systolic, d, plan.memory, t.latency, t.bytes_per_cycle);
        add(c, c.macs);
        break;
      }
    }
  }
  return sum;
}

void run_plan(const Target& t, LayerPlan& plan) {
  for (const auto& d : plan.descriptors) {
    switch (t.kind) {
      case Target::Kind::kEie:
        eie::run_layer(t.eie_params, d, plan.memory);
        break;
      case Target::Kind::kRowStationary:
        rs::run_layer(t.rs_params, d, plan.memory);
        break;
      case Target::Kind::kSystolic:
      case Target::Kind::kBitserial:
        systolic::run_layer(t.systolic, d, plan.memory);
        break;
    }
  }
}

}  // namespace dnngen::infer
