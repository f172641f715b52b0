// An engine layer as shell descriptors on a memory image (infer/shell_plan.hpp).
#include "dnngen/infer/shell_plan.hpp"

#include <fmt/format.h>

#include "dnngen/common/error.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::infer {
namespace {

constexpr uint64_t kPage = 0x1000;

unsigned out_bytes_of(const systolic::ShellParams& p, const QLayer& l) { return l.raw ? 4 : p.in_bits / 8; }

std::string out_type_of(const systolic::ShellParams& p, const QLayer& l) {
  return l.raw ? "int32" : fmt::format("int{}", p.in_bits);
}

void store(std::vector<uint8_t>& mem, uint64_t at, int64_t v, unsigned bytes) {
  for (unsigned b = 0; b < bytes; ++b)
    mem[at + b] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * b));
}

int64_t load_signed(const std::vector<uint8_t>& mem, uint64_t at, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned b = 0; b < bytes; ++b) v |= uint64_t{mem[at + b]} << (8 * b);
  const unsigned bits = 8 * bytes;
  if (bits < 64 && (v >> (bits - 1)) != 0) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

// Page-aligned regions, from the first page up.
struct Placer {
  uint64_t end = kPage;
  uint64_t place(uint64_t bytes) {
    const uint64_t base = end;
    end += (bytes + kPage - 1) / kPage * kPage;
    return base;
  }
};

}  // namespace

LayerPlan plan_layer(const systolic::ShellParams& p, const QLayer& l, const QBatch& in) {
  const bool conv = l.kind == LayerKind::kConv;
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8, out_b = out_bytes_of(p, l);
  LayerPlan plan;
  plan.batch = in.batch;
  Placer placer;
  shell::LayerDescriptor d;
  d.op = conv ? "conv2d" : "gemm";
  d.out_type = out_type_of(p, l);
  d.bias = d.per_channel = !l.raw;
  d.relu = l.relu && !l.raw;
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
      store(plan.memory, d.b_addr + static_cast<uint64_t>(k * l.n + n) * w_b,
            l.weights[static_cast<size_t>(n * l.k + k)], w_b);
  for (int64_t n = 0; n < l.n; ++n) {
    const auto c = static_cast<size_t>(n);
    store(plan.memory, d.bias_addr + static_cast<uint64_t>(n) * 4, l.bias[c], 4);
    store(plan.memory, d.quant_addr + static_cast<uint64_t>(n) * 8, l.mult[c], 4);
    store(plan.memory, d.quant_addr + static_cast<uint64_t>(n) * 8 + 4, l.shift[c], 4);
  }
  for (int64_t i = 0; i < calls; ++i) {
    const int64_t* x = in.data.data() + i * in_n * per_call;
    for (int64_t j = 0; j < in_n * per_call; ++j)
      store(plan.memory, a_addr[i] + static_cast<uint64_t>(j) * in_b, x[j], in_b);
    shell::LayerDescriptor di = d;
    di.a_addr = a_addr[static_cast<size_t>(i)];
    di.out_addr = out_addr[static_cast<size_t>(i)];
    if (const uint32_t code = systolic::check_descriptor(p, di); code != 0)
      throw InputError(fmt::format("layer '{}' ({}): the shell refuses its descriptor: ERROR_CODE {}", l.name,
                                   to_string(l.kind), shell::register_map().enum_name_of("error", code)));
    plan.descriptors.push_back(di);
  }
  return plan;
}

QBatch plan_outputs(const systolic::ShellParams& p, const QLayer& l, const LayerPlan& plan,
                    const std::vector<uint8_t>& memory) {
  QBatch out;
  out.batch = plan.batch;
  out.shape = l.out_shape;
  const unsigned out_b = out_bytes_of(p, l);
  for (const auto& d : plan.descriptors) {
    const uint64_t elements = d.op == "gemm" ? uint64_t{d.m} * d.n : static_cast<uint64_t>(out.sample_size());
    for (uint64_t j = 0; j < elements; ++j)
      out.data.push_back(load_signed(memory, d.out_addr + j * out_b, out_b));
  }
  return out;
}

systolic::LayerTiming plan_cycles(const systolic::ShellParams& p, const LayerPlan& plan, unsigned latency,
                                  double bytes_per_cycle) {
  systolic::LayerTiming sum;
  for (const auto& d : plan.descriptors)
    sum += systolic::layer_cycles(p, d, plan.memory, latency, bytes_per_cycle);
  return sum;
}

}  // namespace dnngen::infer
