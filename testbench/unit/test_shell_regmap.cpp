// The shell register map (rtl/shell/regmap.yaml) and the layer descriptor codec: the
// shipped map's layout rules (DESIGN.md "Shell"), descriptor round trips over random
// values, field range checks, and the checks that refuse a broken map.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "dnngen/common/error.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::shell {
namespace {

TEST(ShellRegmap, ShippedMapKeepsTheCommonBlockAndDescriptorApart) {
  const auto& map = register_map();
  EXPECT_EQ(map.id, 0x444E4E47u);
  EXPECT_EQ(map.reg("ID").offset, 0x000u);
  EXPECT_EQ(map.reg("OP").offset, kDescriptorBase);
  for (const auto& r : map.registers) {
    const bool common = r.offset < kDescriptorBase;
    // Every descriptor register is written by the driver; the common block holds the
    // identification, control, status, interrupt and counter registers.
    if (!common) EXPECT_EQ(r.access, Access::kReadWrite) << r.name;
    if (r.width == 64) EXPECT_EQ(r.offset % 8, 0u) << r.name;
  }
  for (const char* name : {"CTRL", "STATUS", "ERROR_CODE", "IRQ_ENABLE", "IRQ_STATUS", "CYCLES_TOTAL",
                           "CYCLES_COMPUTE", "CYCLES_MEM_WAIT"})
    EXPECT_LT(map.reg(name).offset, kDescriptorBase) << name;
  EXPECT_EQ(map.reg("IRQ_STATUS").access, Access::kWrite1Clear);
  EXPECT_EQ(map.enum_value("error", "none"), 0u);
}

TEST(ShellRegmap, SixtyFourBitRegistersAreLowHighPairs) {
  const auto& map = register_map();
  RegisterImage image;
  write(map, image, "A_ADDR", 0x0000'0012'3456'789Aull);
  const uint32_t at = map.reg("A_ADDR").offset;
  EXPECT_EQ(image.at(at), 0x3456'789Au);
  EXPECT_EQ(image.at(at + 4), 0x12u);
  EXPECT_EQ(read(map, image, "A_ADDR"), 0x0000'0012'3456'789Aull);
}

TEST(ShellRegmap, FieldsShareAWordWithoutDisturbingEachOther) {
  const auto& map = register_map();
  RegisterImage image;
  write(map, image, "KERNEL.R", 7);
  write(map, image, "KERNEL.S", 0xFFFF);
  write(map, image, "KERNEL.R", 3);
  EXPECT_EQ(read(map, image, "KERNEL.R"), 3u);
  EXPECT_EQ(read(map, image, "KERNEL.S"), 0xFFFFu);
  EXPECT_EQ(read(map, image, "KERNEL"), 0xFFFF'0003u);
}

TEST(ShellRegmap, RefusesValuesThatDoNotFit) {
  const auto& map = register_map();
  RegisterImage image;
  EXPECT_THROW(write(map, image, "OUT_SHIFT.SHIFT", 64), InputError);
  EXPECT_THROW(write(map, image, "M", 1ull << 32), InputError);
  EXPECT_THROW(write(map, image, "NO_SUCH", 0), InputError);
  EXPECT_THROW(write(map, image, "KERNEL.T", 0), InputError);
}

// Random descriptors (seeded) survive encode -> decode unchanged, and two descriptors that
// differ in one member differ in their images.
TEST(ShellDescriptor, RoundTripsEveryMember) {
  const uint64_t seed = 20261205;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto u32 = [&](uint32_t max) { return static_cast<uint32_t>(rng() % (uint64_t{max} + 1)); };
  const char* ops[] = {"gemm", "conv2d", "spmv"};
  const char* types[] = {"int8", "int16", "int32"};
  for (int i = 0; i < 200; ++i) {
    LayerDescriptor d;
    d.op = ops[u32(2)];
    d.out_type = types[u32(2)];
    d.bias = u32(1);
    d.relu = u32(1);
    d.per_channel = u32(1);
    d.out_bits = u32(31);
    d.precision = u32(31);
    d.auto_precision = u32(1);
    d.m = u32(0xFFFF'FFFF);
    d.n = u32(0xFFFF'FFFF);
    d.k = u32(0xFFFF'FFFF);
    d.in_h = u32(4096);
    d.in_w = u32(4096);
    d.in_c = u32(4096);
    d.out_c = u32(4096);
    d.r = u32(0xFFFF);
    d.s = u32(0xFFFF);
    d.stride_y = u32(0xFFFF);
    d.stride_x = u32(0xFFFF);
    d.pad_y = u32(0xFFFF);
    d.pad_x = u32(0xFFFF);
    d.a_addr = rng();
    d.b_addr = rng();
    d.bias_addr = rng();
    d.quant_addr = rng();
    d.out_addr = rng();
    d.aux_addr = rng();
    d.a_stride = u32(0xFFFF'FFFF);
    d.b_stride = u32(0xFFFF'FFFF);
    d.out_stride = u32(0xFFFF'FFFF);
    d.out_mult = static_cast<int32_t>(u32(0xFFFF'FFFF));
    d.out_shift = u32(62);
    const auto image = encode(d);
    for (const auto& [offset, word] : image) {
      (void)word;
      EXPECT_GE(offset, kDescriptorBase);  // a descriptor never touches the common block
    }
    const LayerDescriptor back = decode(image);
    ASSERT_TRUE(back == d) << "descriptor " << i;
    EXPECT_EQ(back.out_mult, d.out_mult);
    LayerDescriptor other = d;
    other.pad_x ^= 1;
    EXPECT_NE(encode(other), image);
  }
}

TEST(ShellDescriptor, DecodeRefusesUnknownEnumValues) {
  const auto& map = register_map();
  RegisterImage image = encode(LayerDescriptor{});
  write(map, image, "OP.CODE", 15);
  EXPECT_THROW(decode(image), InputError);
  LayerDescriptor bad;
  bad.op = "pool";
  EXPECT_THROW(encode(bad), InputError);
}

// A map that breaks a layout rule is refused with a message naming the register.
void expect_refused(const std::string& registers, const std::string& needle) {
  const std::string text = "version: 1.0.0\nid: 1\nenums: {op: {gemm: 0}}\nregisters:\n" + registers;
  try {
    parse_register_map(text, "test.yaml");
    ADD_FAILURE() << "accepted: " << registers;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ShellRegmap, RefusesBrokenMaps) {
  expect_refused("  - {name: A, offset: 0x002, access: ro, doc: x}\n", "not word-aligned");
  expect_refused(
      "  - {name: A, offset: 0x004, access: ro, doc: x}\n  - {name: B, offset: 0x004, access: ro, doc: x}\n",
      "overlaps");
  expect_refused("  - {name: A, offset: 0x004, width: 64, access: ro, doc: x}\n", "8-byte aligned");
  expect_refused("  - {name: A, offset: 0x100, access: ro, doc: x}\n", "must be rw");
  expect_refused("  - {name: A, offset: 0x0, access: rx, doc: x}\n", "access");
  expect_refused("  - {name: A, offset: 0x0, access: ro, doc: x, colour: red}\n", "unknown key 'colour'");
  expect_refused("  - {name: a, offset: 0x0, access: ro, doc: x}\n", "UPPER_SNAKE_CASE");
  expect_refused("  - {name: A, offset: 0x0, access: ro, doc: x, enum: nope}\n", "unknown enum nope");
  expect_refused(
      "  - name: A\n    offset: 0x0\n    access: ro\n    doc: x\n    fields:\n"
      "      - {name: F, lsb: 30, width: 4}\n",
      "does not fit");
  expect_refused(
      "  - name: A\n    offset: 0x0\n    access: ro\n    doc: x\n    fields:\n"
      "      - {name: F, lsb: 0, width: 4}\n      - {name: G, lsb: 3, width: 2}\n",
      "overlaps another field");
  EXPECT_THROW(parse_register_map("registers: [", "test.yaml"), InputError);
}

}  // namespace
}  // namespace dnngen::shell
