#include "dnngen/shell/descriptor.hpp"

#include <fmt/format.h>

#include <functional>
#include <vector>

#include "dnngen/common/error.hpp"

namespace dnngen::shell {
namespace {

// One binding of a descriptor member to a register path: how to read it as the register
// value and how to set it from one.
struct Binding {
  const char* path;
  std::function<uint64_t(const LayerDescriptor&, const RegisterMap&)> get;
  std::function<void(LayerDescriptor&, uint64_t, const RegisterMap&)> set;
};

template <typename T>
Binding number(const char* path, T LayerDescriptor::*member) {
  return {path,
          [member](const LayerDescriptor& d, const RegisterMap&) { return static_cast<uint64_t>(d.*member); },
          [member](LayerDescriptor& d, uint64_t v, const RegisterMap&) { d.*member = static_cast<T>(v); }};
}

Binding flag(const char* path, bool LayerDescriptor::*member) {
  return {path, [member](const LayerDescriptor& d, const RegisterMap&) { return d.*member ? 1ull : 0ull; },
          [member](LayerDescriptor& d, uint64_t v, const RegisterMap&) { d.*member = v != 0; }};
}

Binding named(const char* path, const char* enum_name, std::string LayerDescriptor::*member) {
  return {path,
          [member, enum_name](const LayerDescriptor& d, const RegisterMap& map) {
            return static_cast<uint64_t>(map.enum_value(enum_name, d.*member));
          },
          [member, enum_name, path](LayerDescriptor& d, uint64_t v, const RegisterMap& map) {
            const std::string name = map.enum_name_of(enum_name, static_cast<uint32_t>(v));
            if (name.empty())
              throw InputError(fmt::format("{} = {}: not a value of enum {}", path, v, enum_name));
            d.*member = name;
          }};
}

// OUT_MULT holds an int32 as its two's-complement word.
Binding signed_word(const char* path, int32_t LayerDescriptor::*member) {
  return {path,
          [member](const LayerDescriptor& d, const RegisterMap&) {
            return static_cast<uint64_t>(static_cast<uint32_t>(d.*member));
          },
          [member](LayerDescriptor& d, uint64_t v, const RegisterMap&) {
            d.*member = static_cast<int32_t>(static_cast<uint32_t>(v));
          }};
}

const std::vector<Binding>& bindings() {
  using D = LayerDescriptor;
  static const std::vector<Binding> table = {
      named("OP.CODE", "op", &D::op),
      flag("OP.KEEP_WEIGHTS", &D::keep_weights),
      flag("OP.CHW", &D::chw),
      named("OUTPUT.TYPE", "out_type", &D::out_type),
      flag("OUTPUT.BIAS", &D::bias),
      flag("OUTPUT.RELU", &D::relu),
      flag("OUTPUT.PER_CHANNEL", &D::per_channel),
      number("OUTPUT.BITS", &D::out_bits),
      number("PRECISION.BITS", &D::precision),
      flag("PRECISION.AUTO", &D::auto_precision),
      number("M", &D::m),
      number("N", &D::n),
      number("K", &D::k),
      number("IN_H", &D::in_h),
      number("IN_W", &D::in_w),
      number("IN_C", &D::in_c),
      number("OUT_C", &D::out_c),
      number("KERNEL.R", &D::r),
      number("KERNEL.S", &D::s),
      number("STRIDE.Y", &D::stride_y),
      number("STRIDE.X", &D::stride_x),
      number("PAD.Y", &D::pad_y),
      number("PAD.X", &D::pad_x),
      number("A_ADDR", &D::a_addr),
      number("B_ADDR", &D::b_addr),
      number("BIAS_ADDR", &D::bias_addr),
      number("QUANT_ADDR", &D::quant_addr),
      number("OUT_ADDR", &D::out_addr),
      number("AUX_ADDR", &D::aux_addr),
      number("A_STRIDE", &D::a_stride),
      number("B_STRIDE", &D::b_stride),
      number("OUT_STRIDE", &D::out_stride),
      signed_word("OUT_MULT", &D::out_mult),
      number("OUT_SHIFT.SHIFT", &D::out_shift),
  };
  return table;
}

}  // namespace

bool LayerDescriptor::operator==(const LayerDescriptor& o) const {
  const auto& map = register_map();
  for (const auto& b : bindings())
    if (b.get(*this, map) != b.get(o, map)) return false;
  return true;
}

RegisterImage encode(const LayerDescriptor& d, const RegisterMap& map) {
  RegisterImage image;
  for (const auto& b : bindings()) write(map, image, b.path, b.get(d, map));
  return image;
}

LayerDescriptor decode(const RegisterImage& image, const RegisterMap& map) {
  LayerDescriptor d;
  for (const auto& b : bindings()) b.set(d, read(map, image, b.path), map);
  return d;
}

}  // namespace dnngen::shell
