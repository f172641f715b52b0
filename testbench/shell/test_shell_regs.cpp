// dnn_shell_regs, the shell's AXI4-Lite register file, against the register-file model
// (shell::RegisterFile) and the map (rtl/shell/regmap.yaml), through an AXI4-Lite master
// that varies the channel timing and checks the slave's protocol:
// - identification and configuration read-back at the RTL's default parameters;
// - every descriptor word written and read back, the descriptor bus decoding to the same
//   LayerDescriptor, undefined bits and byte strobes;
// - CTRL pulses, STATUS, ERROR_CODE, interrupts (enable, W1C, irq_o) and LAYERS_DONE;
// - 64-bit counters read as a coherent pair;
// - unmapped offsets answer SLVERR;
// - a seeded random mix of all of it, compared access by access with the model.
// Seeds: DNNGEN_SEED overrides the base seed; failures print it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "Vdnn_shell_regs.h"
#include "axi_lite_master.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/register_file.hpp"
#include "dnngen/shell/regmap.hpp"
#include "shell_tb.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {
namespace {

using testbench::AxiLiteMaster;
using testbench::VerilatedDut;

// The DUT at its default parameters (which Identity{} mirrors), reset, with the model and
// a master; the engine-side inputs are driven from `engine`.
struct Bench {
  explicit Bench(uint64_t seed, double stall = 0.3) : dut(""), axi(dut, seed, stall), model(Identity{}) {
    drive_engine();
    reset(dut);
    axi.on_cycle([this] {
      starts += dut->start_o;
      aborts += dut->abort_o;
      soft_resets += dut->soft_reset_o;
    });
  }

  void drive_engine() {
    const EngineStatus& s = model.status();
    dut->busy_i = s.busy;
    dut->queue_level_i = s.queue_level;
    dut->queue_full_i = s.queue_full;
    dut->cycles_total_i = s.cycles_total;
    dut->cycles_compute_i = s.cycles_compute;
    dut->cycles_mem_wait_i = s.cycles_mem_wait;
    dut->bytes_read_i = s.bytes_read;
    dut->bytes_written_i = s.bytes_written;
    dut->layer_done_i = 0;
    dut->layer_error_i = 0;
    dut->error_code_i = 0;
  }

  // One-cycle event pulses from the engine, to both sides.
  void event(bool done, bool error, uint32_t code) {
    dut->layer_done_i = done;
    dut->layer_error_i = error;
    dut->error_code_i = code;
    dut->eval();
    dut.tick();
    dut->layer_done_i = 0;
    dut->layer_error_i = 0;
    if (done) model.layer_done();
    if (error) model.layer_error(code);
  }

  uint32_t desc_word(unsigned i) { return dut->desc_o[i]; }

  VerilatedDut<Vdnn_shell_regs> dut;
  AxiLiteMaster<Vdnn_shell_regs> axi;
  RegisterFile model;
  unsigned starts = 0, aborts = 0, soft_resets = 0;
};

constexpr uint32_t kOkay = 0, kSlvErr = 2;

TEST(ShellRegs, IdentifiesItselfAndReadsBackItsConfiguration) {
  Bench b(base_seed());
  const auto& map = register_map();
  for (const auto& reg : map.registers) {
    if (reg.offset >= kDescriptorBase) continue;
    for (const auto& [name, offset] : register_words(reg)) {
      const auto [data, resp] = b.axi.read(offset);
      const auto [want, want_resp] = b.model.read(offset);
      EXPECT_EQ(resp, kOkay) << name;
      EXPECT_EQ(data, want) << name;
      (void)want_resp;
    }
  }
  EXPECT_EQ(b.axi.read(map.reg("ID").offset).first, 0x444E4E47u);
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

TEST(ShellRegs, DescriptorRoundTripsThroughTheBus) {
  const uint64_t seed = base_seed() + 1;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Bench b(seed);
  std::mt19937_64 rng(seed);
  LayerDescriptor d;
  d.op = "conv2d";
  d.out_type = "int8";
  d.bias = d.relu = d.per_channel = true;
  d.m = 196, d.n = 64, d.k = 576;
  d.in_h = 56, d.in_w = 56, d.in_c = 64, d.out_c = 64, d.r = 3, d.s = 3, d.pad_y = 1, d.pad_x = 1;
  d.a_addr = 0x0000'0001'0000'0000ull | (rng() & 0xFFFF'F000u);
  d.b_addr = rng() & ~0xFFFull;
  d.out_addr = rng();
  d.out_mult = -12345;
  d.out_shift = 17;
  const RegisterImage image = encode(d);
  for (const auto& [offset, word] : image) EXPECT_EQ(b.axi.write(offset, word), kOkay) << offset;
  for (const auto& [offset, word] : image)
    EXPECT_EQ(b.axi.read(offset), std::make_pair(word, kOkay)) << offset;
  RegisterImage bus;
  for (unsigned i = 0; i * 4 + kDescriptorBase <= image.rbegin()->first; ++i)
    if (image.count(kDescriptorBase + 4 * i)) bus[kDescriptorBase + 4 * i] = b.desc_word(i);
  EXPECT_TRUE(decode(bus) == d);
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

TEST(ShellRegs, KeepsOnlyDefinedBitsAndHonoursByteStrobes) {
  Bench b(base_seed() + 2);
  const auto& map = register_map();
  const uint32_t op = map.reg("OP").offset, m = map.reg("M").offset;
  EXPECT_EQ(b.axi.write(op, 0xFFFF'FFFFu), kOkay);
  EXPECT_EQ(b.axi.read(op).first, 0x3Fu);  // OP.CODE is 4 bits, OP.KEEP_WEIGHTS bit 4, OP.CHW bit 5
  EXPECT_EQ(b.axi.write(m, 0x1122'3344u), kOkay);
  EXPECT_EQ(b.axi.write(m, 0xAABB'CCDDu, 0b0101), kOkay);
  EXPECT_EQ(b.axi.read(m).first, 0x11BB'33DDu);
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

TEST(ShellRegs, UnmappedOffsetsAnswerSlvErr) {
  Bench b(base_seed() + 3);
  for (uint32_t offset : {0x038u, 0x0FCu, 0x10Cu, 0x170u, 0x198u, 0x800u, 0xFFCu}) {
    EXPECT_EQ(b.axi.read(offset).second, kSlvErr) << offset;
    EXPECT_EQ(b.axi.write(offset, 1), kSlvErr) << offset;
  }
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

TEST(ShellRegs, ControlStatusAndInterrupts) {
  Bench b(base_seed() + 4, 0.0);
  const auto& map = register_map();
  auto off = [&](const char* name) { return map.reg(name).offset; };
  auto field = [&](const char* path, uint32_t v) {
    RegisterImage img;
    write(map, img, path, v);
    return img.begin()->second;
  };
  b.axi.write(off("CTRL"), field("CTRL.START", 1));
  b.axi.wait(2);
  EXPECT_EQ(b.starts, 1u);  // one pulse per write
  b.axi.write(off("CTRL"), field("CTRL.ABORT", 1));
  b.axi.wait(2);
  EXPECT_EQ(b.aborts, 1u);
  EXPECT_EQ(b.axi.read(off("CTRL")).first, 0u);  // w1p reads 0

  // A layer ends: DONE, the cause, LAYERS_DONE; irq_o only once enabled; W1C clears it.
  b.event(true, false, 0);
  b.axi.wait(2);
  EXPECT_EQ(b.dut->irq_o, 0);
  EXPECT_EQ(b.axi.read(off("STATUS")).first & field("STATUS.DONE", 1), field("STATUS.DONE", 1));
  EXPECT_EQ(b.axi.read(off("LAYERS_DONE")).first, 1u);
  b.axi.write(off("IRQ_ENABLE"), field("IRQ_ENABLE.DONE", 1));
  b.axi.wait(2);
  EXPECT_EQ(b.dut->irq_o, 1);
  b.axi.write(off("IRQ_STATUS"), field("IRQ_STATUS.DONE", 1));
  b.axi.wait(2);
  EXPECT_EQ(b.dut->irq_o, 0);

  // An error: code latched, ERROR set; START clears both.
  b.event(false, true, map.enum_value("error", "addr_align"));
  EXPECT_EQ(b.axi.read(off("ERROR_CODE")).first, map.enum_value("error", "addr_align"));
  EXPECT_NE(b.axi.read(off("STATUS")).first & field("STATUS.ERROR", 1), 0u);
  b.axi.write(off("CTRL"), field("CTRL.START", 1));
  b.axi.wait(2);
  EXPECT_EQ(b.axi.read(off("ERROR_CODE")).first, 0u);
  EXPECT_EQ(b.axi.read(off("STATUS")).first & (field("STATUS.ERROR", 1) | field("STATUS.DONE", 1)), 0u);

  // An event in the same cycle as the W1C of its cause is not lost.
  b.axi.on_cycle([&] {
    if (b.dut->s_axil_awvalid_i && b.dut->s_axil_wvalid_i) {  // the write happens at the next edge
    }
  });
  b.dut->layer_done_i = 1;  // held through the whole write, so it meets the clearing edge
  b.axi.write(off("IRQ_STATUS"), field("IRQ_STATUS.DONE", 1));
  b.dut->layer_done_i = 0;
  b.axi.wait(1);
  EXPECT_NE(b.axi.read(off("IRQ_STATUS")).first & field("IRQ_STATUS.DONE", 1), 0u);
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

TEST(ShellRegs, SixtyFourBitCountersReadAsOnePair) {
  Bench b(base_seed() + 5);
  const uint32_t lo = register_map().reg("CYCLES_TOTAL").offset;
  b.dut->cycles_total_i = 0x0000'0001'FFFF'FFFFull;
  EXPECT_EQ(b.axi.read(lo).first, 0xFFFF'FFFFu);
  b.dut->cycles_total_i = 0x0000'0002'0000'0005ull;  // carries between the two reads
  EXPECT_EQ(b.axi.read(lo + 4).first, 1u);           // the snapshot, not the new 2
  EXPECT_EQ(b.axi.read(lo).first, 5u);
  EXPECT_EQ(b.axi.read(lo + 4).first, 2u);
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

// Every access of a random mix, RTL against the model: reads, writes with random strobes
// at every mapped word and some unmapped ones, engine events and changing status inputs.
TEST(ShellRegs, RandomAccessesMatchTheModel) {
  const uint64_t seed = base_seed() + 6;
  SCOPED_TRACE("seed " + std::to_string(seed) + " (DNNGEN_SEED=" + std::to_string(base_seed()) + ")");
  Bench b(seed);
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> offsets = {0x038, 0x10C, 0x170, 0x198, 0x400};
  for (const auto& reg : register_map().registers)
    for (const auto& [name, offset] : register_words(reg)) offsets.push_back(offset);
  const uint32_t ctrl = register_map().reg("CTRL").offset;
  for (int i = 0; i < 1500; ++i) {
    const uint32_t offset = offsets[rng() % offsets.size()];
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2: {
        const uint32_t data = static_cast<uint32_t>(rng());
        const uint8_t strb = static_cast<uint8_t>(rng() % 16);
        if (offset == ctrl && (data & 4) && (strb & 1)) continue;  // soft reset: its own test below
        const uint32_t resp = b.axi.write(offset, data, strb);
        ASSERT_EQ(resp, static_cast<uint32_t>(b.model.write(offset, data, strb))) << "write " << offset;
        b.model.take_pulses();
        break;
      }
      case 3:
        b.event(rng() % 2, rng() % 2, static_cast<uint32_t>(rng() % 11));
        b.axi.wait(1);
        break;
      case 4: {
        EngineStatus& s = b.model.status();
        s.busy = rng() % 2;
        s.queue_level = static_cast<uint32_t>(rng() % 16);
        s.queue_full = rng() % 2;
        s.cycles_total = rng();
        s.cycles_compute = rng();
        s.cycles_mem_wait = rng() >> 20;
        s.bytes_read = rng();
        s.bytes_written = rng();
        b.drive_engine();
        break;
      }
      default: {
        const auto got = b.axi.read(offset);
        const auto want = b.model.read(offset);
        ASSERT_EQ(got.second, static_cast<uint32_t>(want.second)) << "read " << offset;
        ASSERT_EQ(got.first, want.first) << "read " << offset;
      }
    }
    b.axi.wait(1);
    ASSERT_EQ(b.dut->irq_o != 0, b.model.irq()) << "access " << i;
  }
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

TEST(ShellRegs, SoftResetClearsStatusButKeepsTheDescriptor) {
  Bench b(base_seed() + 7, 0.0);
  const auto& map = register_map();
  b.axi.write(map.reg("M").offset, 77);
  b.event(true, true, 3);
  b.axi.write(map.reg("CTRL").offset, 4);  // SOFT_RESET
  b.axi.wait(2);
  EXPECT_EQ(b.soft_resets, 1u);
  EXPECT_EQ(b.axi.read(map.reg("M").offset).first, 77u);
  EXPECT_EQ(b.axi.read(map.reg("LAYERS_DONE").offset).first, 0u);
  EXPECT_EQ(b.axi.read(map.reg("IRQ_STATUS").offset).first, 0u);
  EXPECT_EQ(b.axi.read(map.reg("ERROR_CODE").offset).first, 0u);
  EXPECT_TRUE(b.axi.errors().empty()) << b.axi.errors().front();
}

}  // namespace
}  // namespace dnngen::shell
