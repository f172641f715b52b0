// The energy table (its anchors, interpolation, reader errors) and the pricing of action
// counts (energy/energy.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "dnngen/common/error.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/energy/energy.hpp"

namespace dnngen {
namespace {

// The figures of the default table, as a table file writes them.
constexpr const char* kHorowitzFigures = R"(int_add_pj: {8: 0.03, 32: 0.1}
int_mult_pj: {8: 0.2, 32: 3.1}
register_file: {pj: 1.0, bits: 32}
sram: {pj: 5, bits: 32, bytes: 8192, capacity_exponent: 0.5}
dram: {pj: 640, bits: 32}
array: {pj: 2, bits: 32}
)";

const config::EnergyTable& horowitz() {
  static const config::EnergyTable t = config::load_energy_table();
  return t;
}

TEST(EnergyTable, DefaultReproducesHorowitzAnchors) {
  const auto& t = horowitz();
  EXPECT_EQ(t.name, "horowitz_45nm");
  EXPECT_NEAR(t.add(8), 0.03, 1e-12);
  EXPECT_NEAR(t.add(32), 0.1, 1e-12);
  EXPECT_NEAR(t.mult(8, 8), 0.2, 1e-12);
  EXPECT_NEAR(t.mult(32, 32), 3.1, 1e-12);
  EXPECT_NEAR(t.register_file(32), 1.0, 1e-12);
  EXPECT_NEAR(t.sram(8192, 32), 5.0, 1e-12);
  EXPECT_NEAR(t.dram_per_bit() * 32, 640.0, 1e-9);
  // The square-root law meets Horowitz's 64-bit cache figures (8 KB 10, 32 KB 20 pJ; 1 MB
  // 100 pJ within 15 %).
  EXPECT_NEAR(t.sram(8192, 64), 10.0, 1e-9);
  EXPECT_NEAR(t.sram(32768, 64), 20.0, 1e-9);
  EXPECT_NEAR(t.sram(1 << 20, 64), 100.0, 15.0);
}

TEST(EnergyTable, InterpolatesBetweenAnchorsAndClampsSmallSrams) {
  const auto& t = horowitz();
  EXPECT_GT(t.add(16), t.add(8));
  EXPECT_LT(t.add(16), t.add(32));
  EXPECT_GT(t.mult(16, 16), 0.2);
  EXPECT_LT(t.mult(16, 16), 3.1);
  // 8 x 32 sits at the width 16.
  EXPECT_NEAR(t.mult(8, 32), t.mult(16, 16), 1e-12);
  // A bit-serial step (1 x 16) costs less than an 8-bit multiply.
  EXPECT_LT(t.mult(1, 16), t.mult(8, 8));
  // A 64-byte SRAM costs no less than a register file access of its width.
  EXPECT_DOUBLE_EQ(t.sram(64, 32), t.register_file(32));
}

TEST(EnergyTable, ScaleMultipliesEveryFigure) {
  const std::string text = R"(name: half
node_nm: 28
source: test
scale: 0.5
)" + std::string(kHorowitzFigures);
  const auto t = config::parse_energy_table(text, "half.yaml");
  EXPECT_NEAR(t.add(8), 0.015, 1e-12);
  EXPECT_NEAR(t.sram(8192, 32), 2.5, 1e-12);
  EXPECT_NEAR(t.dram_per_bit() * 32, 320.0, 1e-9);
}

void expect_error(const std::string& text, const std::string& fragment) {
  try {
    config::parse_energy_table(text, "t.yaml");
    FAIL() << "no error for:\n" << text;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(EnergyTable, BadFilesNameTheProblem) {
  const std::string good = R"(name: t
node_nm: 45
source: s
)" + std::string(kHorowitzFigures);
  EXPECT_NO_THROW(config::parse_energy_table(good, "t.yaml"));
  expect_error(good + "colour: red\n", "unknown key 'colour'");
  expect_error("", "empty file");
  expect_error("name: [", "malformed YAML");
  expect_error(good.substr(0, good.find("dram:")) + "array: {pj: 2, bits: 32}\n", "missing key 'dram'");
  std::string bad = good;
  bad.replace(bad.find("{8: 0.03, 32: 0.1}"), 18, "{8: 0.03}");
  expect_error(bad, "int_add_pj: needs at least two widths");
  bad = good;
  bad.replace(bad.find("pj: 640"), 7, "pj: -1");
  expect_error(bad, "dram.pj: must be a number");
  bad = good;
  bad.replace(bad.find("{8: 0.2"), 2, "{x");
  expect_error(bad, "int_mult_pj: keys must be bit widths");
  EXPECT_THROW(config::load_energy_table("/nonexistent/table.yaml"), InputError);
}

TEST(Energy, PricesEachLevel) {
  energy::Actions a;
  a.add_macs(8, 8, 32, 1000);
  a.add_memory("gbuf", energy::Level::kBuffer, 8192, 32, 10, 5);
  a.add_memory("spad", energy::Level::kRegister, 64, 32, 100, 0);
  a.array_bits = 320;
  a.dram_read_bytes = 4;
  const auto b = energy::evaluate(a, horowitz());
  EXPECT_NEAR(b.at(energy::Level::kMac), 1000 * (0.2 + 0.1), 1e-9);
  EXPECT_NEAR(b.at(energy::Level::kBuffer), 15 * 5.0, 1e-9);
  EXPECT_NEAR(b.at(energy::Level::kRegister), 100 * 1.0, 1e-9);
  EXPECT_NEAR(b.at(energy::Level::kArray), 10 * 2.0, 1e-9);
  EXPECT_NEAR(b.at(energy::Level::kDram), 640.0, 1e-9);
  EXPECT_NEAR(b.total(), 300 + 75 + 100 + 20 + 640, 1e-9);
  const auto j = energy::to_json(b, a.mac_count(), "test", 2);
  EXPECT_NEAR(j["pj_per_mac"].get<double>(), 1135.0 / 1000, 1e-12);
  EXPECT_NEAR(j["tops_per_w"].get<double>(), 2000.0 / 1135, 1e-12);
  EXPECT_NEAR(j["pj_per_inference"].get<double>(), 567.5, 1e-9);
}

TEST(Energy, ActionsMergeBySameKind) {
  energy::Actions a, b;
  a.add_macs(8, 8, 32, 3);
  b.add_macs(8, 8, 32, 4);
  b.add_macs(1, 8, 24, 5);
  a.add_memory("m", energy::Level::kBuffer, 100, 8, 1, 2);
  b.add_memory("m", energy::Level::kBuffer, 100, 8, 3, 4);
  b.dram_write_bytes = 7;
  a += b;
  ASSERT_EQ(a.macs.size(), 2u);
  EXPECT_EQ(a.macs[0].count, 7u);
  EXPECT_EQ(a.mac_count(), 12u);
  ASSERT_EQ(a.memories.size(), 1u);
  EXPECT_EQ(a.memories[0].reads, 4u);
  EXPECT_EQ(a.memories[0].writes, 6u);
  EXPECT_EQ(a.dram_write_bytes, 7u);
  // Bit-serial terms join their widths' group but count the work's MACs only.
  a.add_serial_terms(8, 24, 100, 7);
  EXPECT_EQ(a.macs[1].count, 105u);
  EXPECT_EQ(a.mac_count(), 19u);
  a *= 2;
  EXPECT_EQ(a.mac_count(), 38u);
}

// infer --shards writes each shard's actions as JSON and merges them: the round trip keeps
// every count, so the merged energy is the single run's.
TEST(Energy, ActionsRoundTripThroughJson) {
  energy::Actions a;
  a.add_macs(8, 8, 32, 3);
  a.add_serial_terms(1, 24, 50, 9);
  a.add_memory("gbuf", energy::Level::kBuffer, 8192, 64, 11, 12);
  a.add_memory("spad", energy::Level::kRegister, 24, 16, 13, 0);
  a.array_bits = 14, a.dram_read_bytes = 15, a.dram_write_bytes = 16;
  const energy::Actions b = energy::actions_from_json(energy::to_json(a));
  EXPECT_EQ(energy::to_json(b), energy::to_json(a));
  EXPECT_EQ(b.mac_count(), a.mac_count());
  EXPECT_EQ(b.memories[1].level, energy::Level::kRegister);
  EXPECT_DOUBLE_EQ(energy::evaluate(b, horowitz()).total(), energy::evaluate(a, horowitz()).total());
  nlohmann::json bad = energy::to_json(a);
  bad["memories"][0]["level"] = "cache";
  EXPECT_THROW(energy::actions_from_json(bad), std::invalid_argument);
  bad.erase("mac_ops");
  EXPECT_THROW(energy::actions_from_json(bad), nlohmann::json::exception);
}

}  // namespace
}  // namespace dnngen
