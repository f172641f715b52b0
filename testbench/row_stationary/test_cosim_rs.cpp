// Row-stationary co-simulation suites: random conv2d shapes (1x1, 3x3, 5x5, 11x11
// filters, non-square ones, strides 1/2/4, padding, channel counts that do not divide
// the array), consumer backpressure, scaled AlexNet layers on the Eyeriss-sized array,
// and user configurations (unsigned + saturating, a 1-row array). Every job must give
// equal outputs (element for element against golden::conv2d) and equal cycles (RTL
// counter == event-exact model == closed form, and every output event's cycle).
//
// DNNGEN_SEED overrides the base seed; failures print the replay command.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
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

std::string preset(const std::string& name) {
  return std::string(DNNGEN_SOURCE_DIR) + "/configs/" + name + ".yaml";
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("dnngen-rs-cosim-{}-{}", name, ::getpid());
  fs::create_directories(dir);
  return dir;
}

struct Outcome {
  int exit_code = -1;
  nlohmann::json report;
  std::string log;
};

Outcome run_cosim(const std::string& config_path, std::vector<std::string> args, const std::string& tag) {
  const auto cfg = config::load_config(config_path);
  const auto build = sim::build_simulator(cfg);
  const fs::path dir = scratch_dir(tag);
  Outcome out;
  out.log = (dir / "cosim.log").string();
  const std::string json = (dir / "report.json").string();
  std::vector<std::string> argv = {build.executable, "cosim", config_path, "--json", json, "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  out.exit_code = process::run(argv, out.log);
  std::ifstream f(json);
  if (f) out.report = nlohmann::json::parse(f);
  return out;
}

// always_ready false: a consumer that stalls, the RTL exactly its stall cycles later than the
// model; with ring buffers (rings) the model replays the stalls and counts them itself.
void expect_agree(const Outcome& out, size_t jobs, bool always_ready = true, bool rings = false) {
  const std::string replay = out.report.is_null() ? "?" : out.report["replay"].get<std::string>();
  SCOPED_TRACE("replay: " + replay + "\nlog: " + out.log + "\n" + process::tail(out.log, 20));
  ASSERT_FALSE(out.report.is_null()) << "no JSON report";
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(out.report["pass"].get<bool>());
  EXPECT_TRUE(out.report["cycles_agree"].get<bool>());
  EXPECT_EQ(out.report["mismatches"].get<uint64_t>(), 0u);
  ASSERT_EQ(out.report["jobs"].size(), jobs);
  for (const auto& job : out.report["jobs"]) {
    SCOPED_TRACE(job["label"].get<std::string>());
    EXPECT_TRUE(job["pass"].get<bool>()) << job["problems"].dump();
    EXPECT_EQ(job["mismatches"].get<uint64_t>(), 0u);
    const uint64_t stalls = always_ready || rings ? 0 : job["stall_cycles"].get<uint64_t>();
    EXPECT_EQ(job["rtl_cycles"].get<uint64_t>(), job["model_cycles"].get<uint64_t>() + stalls);
    EXPECT_GT(job["model_cycles"].get<uint64_t>(), 0u);
  }
}

TEST(RsCosim, Random4x4) {
  const uint64_t seed = base_seed();
  expect_agree(run_cosim(preset("systolic_rs_4x4_int8"),
                         {"--random", "--seed", std::to_string(seed), "--count", "40"}, "random"),
               40);
}

TEST(RsCosim, Backpressure4x4) {
  const uint64_t seed = base_seed() + 1;
  expect_agree(
      run_cosim(preset("systolic_rs_4x4_int8"),
                {"--random", "--seed", std::to_string(seed), "--count", "8", "--ready", "0.4"}, "ready"),
      8, /*always_ready=*/false);
}

TEST(RsCosim, AlexNetScaled12x14) {
  for (const char* layer : {"conv1", "conv2", "conv3", "conv4", "conv5"}) {
    SCOPED_TRACE(layer);
    const std::string ref = std::string(DNNGEN_SOURCE_DIR) + "/workloads/alexnet_conv.csv:" + layer;
    expect_agree(run_cosim(preset("systolic_rs_12x14_int16"), {"--layer", ref, "--seed", "5"}, layer), 1);
  }
}

// Ring buffers of one entry (the preset): the core waits for most words. Exact cycles with
// the loader a word a cycle and with it held back at seeded cycles (--gaps, which the model
// replays); a reset inside each job; a stalling consumer (the model replays its stalls too).
TEST(RsCosim, Ring4x4) {
  const uint64_t seed = base_seed() + 3;
  const std::string ring = preset("systolic_rs_4x4_int8_ring");
  const auto args = [&](uint64_t s, const char* count, std::vector<std::string> more) {
    std::vector<std::string> a = {"--random", "--seed", std::to_string(s), "--count", count};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  expect_agree(run_cosim(ring, args(seed, "30", {}), "ring"), 30);
  expect_agree(run_cosim(ring, args(seed + 1, "16", {"--gaps", "0.6"}), "ring-gaps"), 16);
  expect_agree(run_cosim(ring, args(seed + 2, "6", {"--resets"}), "ring-resets"), 6);
  expect_agree(run_cosim(ring, args(seed + 3, "8", {"--ready", "0.4", "--gaps", "0.3"}), "ring-ready"), 8,
               /*always_ready=*/false, /*rings=*/true);
}

// Rings deeper than one entry but not a power of two (the entry pointers wrap at 5 and 3),
// with saturation, one ifmap bank and a 3 x 5 array: jobs of many ifmap rows and filter
// words stream through them.
TEST(RsCosim, RingUserConfig) {
  const fs::path path = scratch_dir("ring-user") / "rs_3x5_ring_sat.yaml";
  std::ofstream(path) << "name: rs_3x5_ring_sat\nengine: systolic\nsystolic:\n  dataflow: row_stationary\n"
                         "  rows: 3\n  cols: 5\n  input_bits: 8\n  weight_bits: 8\n  acc_bits: 20\n"
                         "  signed: true\n  overflow: saturate\n  ifmap_spad_banks: 1\n  max_filter_size: 5\n"
                         "  filter_spad: 5\n  ifmap_spad: 24\n  psum_spad: 40\n  buffers: ring\n"
                         "  ifmap_rows: 5\n  filter_words: 3\n";
  expect_agree(
      run_cosim(path.string(),
                {"--random", "--seed", std::to_string(base_seed() + 4), "--count", "16", "--gaps", "0.5"},
                "ring-user"),
      16);
}

// Configurations that are not presets: unsigned operands with saturation at a narrow
// accumulator (the psum buffer keeps the exact sum, then clamps), and a 1 x 3 array.
// The first with one ifmap-scratchpad bank (loads between passes).
TEST(RsCosim, UserConfigs) {
  const fs::path dir = scratch_dir("user");
  const std::vector<std::pair<std::string, std::string>> configs = {
      {"rs_3x5_uint6_sat",
       "rows: 3\n  cols: 5\n  input_bits: 6\n  weight_bits: 6\n  acc_bits: 14\n"
       "  signed: false\n  overflow: saturate\n  ifmap_spad_banks: 1\n"},
      {"rs_1x3_int4",
       "rows: 1\n  cols: 3\n  input_bits: 4\n  weight_bits: 4\n  acc_bits: 10\n"
       "  signed: true\n  overflow: wrap\n"}};
  for (const auto& [name, keys] : configs) {
    SCOPED_TRACE(name);
    const fs::path path = dir / (name + ".yaml");
    std::ofstream(path) << "name: " << name << "\nengine: systolic\nsystolic:\n  dataflow: row_stationary\n  "
                        << keys
                        << "  max_filter_size: 5\n  filter_spad: 5\n  ifmap_spad: 24\n  psum_spad: 40\n"
                           "  ifmap_rows: 256\n  filter_words: 256\n";
    expect_agree(run_cosim(path.string(),
                           {"--random", "--seed", std::to_string(base_seed() + 2), "--count", "12"}, name),
                 12);
  }
}

}  // namespace
}  // namespace dnngen
