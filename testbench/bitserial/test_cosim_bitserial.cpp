// Co-simulation suite of the bit-serial engine: each preset (Stripes, Pragmatic, the
// bit-parallel baseline; signed and unsigned; odd and paper-like tile sizes) runs random
// jobs of every kind in random_job.hpp (random shapes and precisions 1..input_bits,
// all-zero and all-ones activations, maximum-magnitude weights, precision=auto,
// post-ReLU values, extremes) on the Verilated RTL and the golden model. Every job must
// give equal outputs and equal cycles, and the model must equal the exact product.
// A second case adds consumer backpressure (values equal, cycles never fewer).
//
// Seeds: printed with the replay command; DNNGEN_SEED overrides the default.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "dnngen/common/process.hpp"
#include "dnngen/config/config.hpp"
#include "sim_builder.hpp"

namespace dnngen {
namespace {
namespace fs = std::filesystem;

uint64_t base_seed() {
  const char* s = std::getenv("DNNGEN_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261123u;
}

std::string preset_path(const std::string& name) {
  return std::string(DNNGEN_SOURCE_DIR) + "/configs/" + name + ".yaml";
}

// Runs the simulator's cosim on random jobs; returns its JSON report.
nlohmann::json cosim(const std::string& preset, uint64_t seed, uint64_t count, double ready) {
  const auto cfg = config::load_config(preset_path(preset));
  const auto sim = sim::build_simulator(cfg);
  const fs::path dir = fs::temp_directory_path() / fmt::format("dnngen-bs-cosim-{}-{}", preset, ::getpid());
  fs::create_directories(dir);
  const std::string json = (dir / "r.json").string(), log = (dir / "log.txt").string();
  const std::vector<std::string> argv = {sim.executable,
                                         "cosim",
                                         preset_path(preset),
                                         "--random",
                                         "--seed",
                                         std::to_string(seed),
                                         "--count",
                                         std::to_string(count),
                                         "--ready",
                                         fmt::format("{}", ready),
                                         "--json",
                                         json,
                                         "--quiet"};
  const int rc = process::run(argv, log);
  std::ifstream logf(log);
  const std::string text((std::istreambuf_iterator<char>(logf)), {});
  EXPECT_EQ(rc, 0) << text << "replay: dnngen cosim " << preset_path(preset) << " --random --seed " << seed
                   << " --count " << count << " --ready " << ready;
  nlohmann::json report;
  std::ifstream in(json);
  if (in) in >> report;
  fs::remove_all(dir);
  return report;
}

class BitserialCosim : public ::testing::TestWithParam<std::string> {};

TEST_P(BitserialCosim, RandomJobsEqualOutputsAndCycles) {
  const uint64_t seed = base_seed(), count = 18;  // three of each job kind
  const auto r = cosim(GetParam(), seed, count, 1.0);
  ASSERT_TRUE(r.contains("jobs")) << "no report";
  EXPECT_TRUE(r["pass"].get<bool>());
  EXPECT_TRUE(r["cycles_agree"].get<bool>());
  EXPECT_EQ(r["mismatches"].get<uint64_t>(), 0u);
  ASSERT_EQ(r["jobs"].size(), count);
  std::set<std::string> precisions;
  for (const auto& j : r["jobs"]) {
    EXPECT_EQ(j["rtl_cycles"].get<uint64_t>(), j["model_cycles"].get<uint64_t>()) << j["label"];
    EXPECT_TRUE(j["pass"].get<bool>()) << j["label"] << " " << j["problems"].dump();
    precisions.insert(j["precision"].get<std::string>());
  }
  EXPECT_TRUE(precisions.count("auto")) << "no precision=auto job ran";
  EXPECT_GE(precisions.size(), 4u) << "too few distinct precisions";
}

TEST_P(BitserialCosim, BackpressureKeepsValues) {
  const auto r = cosim(GetParam(), base_seed() + 7, 6, 0.5);
  ASSERT_TRUE(r.contains("jobs")) << "no report";
  EXPECT_TRUE(r["pass"].get<bool>());
  EXPECT_EQ(r["mismatches"].get<uint64_t>(), 0u);
  uint64_t stalls = 0;
  for (const auto& j : r["jobs"]) stalls += j["stall_cycles"].get<uint64_t>();
  EXPECT_GT(stalls, 0u) << "the consumer never stalled: the case tests nothing";
}

// Presets come from CMake (-DBITSERIAL_PRESETS), one CTest case each.
std::vector<std::string> presets() {
  std::vector<std::string> out;
  std::string all = BITSERIAL_PRESETS;
  for (size_t pos = 0; pos <= all.size();) {
    const size_t end = std::min(all.find(',', pos), all.size());
    if (end > pos) out.push_back(all.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Presets, BitserialCosim, ::testing::ValuesIn(presets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dnngen
