// Co-simulation suites: every preset configuration (and two user configurations that
// are not presets) runs on the Verilated RTL and on the golden model; outputs must be
// equal element for element, and cycles equal job for job and output row for output
// row. Each case builds (or reuses) the configuration's simulator through the same
// builder `dnngen cosim` uses, then hands it jobs.
//
// Seeds: each random case prints its seed and the command that replays it; set
// DNNGEN_SEED to run the random cases with another seed.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "dnngen/common/process.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/io/npy.hpp"
#include "dnngen/systolic/random_job.hpp"
#include "sim_builder.hpp"

namespace dnngen {
namespace {
namespace fs = std::filesystem;

uint64_t base_seed() {
  const char* s = std::getenv("DNNGEN_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261123u;
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("dnngen-cosim-{}-{}", name, ::getpid());
  fs::create_directories(dir);
  return dir;
}

struct CosimOutcome {
  int exit_code = -1;
  nlohmann::json report;
  std::string log;
};

// Runs the simulator's cosim command and reads its JSON report.
CosimOutcome run_cosim(const std::string& config_path, std::vector<std::string> args,
                       const std::string& tag) {
  const auto cfg = config::load_config(config_path);
  const auto build = sim::build_simulator(cfg);
  const fs::path dir = scratch_dir(tag);
  CosimOutcome out;
  out.log = (dir / "cosim.log").string();
  const std::string json = (dir / "report.json").string();
  std::vector<std::string> argv = {build.executable, "cosim", config_path, "--json", json, "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  out.exit_code = process::run(argv, out.log);
  std::ifstream f(json);
  if (f) out.report = nlohmann::json::parse(f);
  return out;
}

void expect_all_jobs_agree(const CosimOutcome& out, const std::string& replay) {
  SCOPED_TRACE("replay: " + replay + "\nlog: " + out.log + "\n" + process::tail(out.log, 20));
  ASSERT_FALSE(out.report.is_null()) << "no JSON report";
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(out.report["pass"].get<bool>());
  EXPECT_EQ(out.report["mismatches"].get<uint64_t>(), 0u);
  ASSERT_FALSE(out.report["jobs"].empty());
  for (const auto& job : out.report["jobs"]) {
    SCOPED_TRACE(job["label"].get<std::string>());
    EXPECT_TRUE(job["pass"].get<bool>()) << job["problems"].dump();
    EXPECT_EQ(job["rtl_cycles"].get<uint64_t>(), job["model_cycles"].get<uint64_t>());
    EXPECT_EQ(job["mismatches"].get<uint64_t>(), 0u);
  }
}

std::string preset(const std::string& name) { return DNNGEN_SOURCE_DIR "/configs/" + name + ".yaml"; }

const std::vector<std::string> kPresets = {
    "systolic_ws_4x4_int8",  "systolic_os_4x4_int8",     "systolic_ws_16x16_int8", "systolic_os_16x16_int8",
    "systolic_ws_8x8_int16", "systolic_ws_4x4_int8_sat", "systolic_os_4x4_uint8",
};

class PresetCosim : public ::testing::TestWithParam<std::string> {};

// Random shapes (edges of the tiling, up to the maxima) and values (uniform and extreme).
TEST_P(PresetCosim, RandomJobs) {
  const uint64_t seed = base_seed();
  const std::string cfg = preset(GetParam());
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  const auto out =
      run_cosim(cfg, {"--random", "--seed", std::to_string(seed), "--count", "24"}, GetParam() + "-random");
  expect_all_jobs_agree(out, fmt::format("dnngen cosim {} --random --seed {} --count 24", cfg, seed));
}

// The result consumer stalls at random: data stays bit-exact, and every stall cycle
// adds exactly one cycle to the job (the whole pipeline freezes).
TEST_P(PresetCosim, BackpressureStallsCostExactlyOneCycleEach) {
  const uint64_t seed = base_seed() + 1;
  const std::string cfg = preset(GetParam());
  const auto out =
      run_cosim(cfg, {"--random", "--seed", std::to_string(seed), "--count", "6", "--ready", "0.6"},
                GetParam() + "-stall");
  expect_all_jobs_agree(out,
                        fmt::format("dnngen cosim {} --random --seed {} --count 6 --ready 0.6", cfg, seed));
  uint64_t stalls = 0;
  for (const auto& job : out.report["jobs"]) stalls += job["stall_cycles"].get<uint64_t>();
  EXPECT_GT(stalls, 0u) << "backpressure was never exercised";
}

INSTANTIATE_TEST_SUITE_P(Presets, PresetCosim, ::testing::ValuesIn(kPresets),
                         [](const auto& info) { return info.param; });

// Writes a job's tensors as .npy and runs it as a given (non-random) job.
CosimOutcome run_given(const std::string& config_path, const systolic::GemmJob& job, const std::string& tag) {
  const fs::path dir = scratch_dir(tag + "-in");
  const auto a = (dir / "a.npy").string(), b = (dir / "b.npy").string();
  io::write_npy(a, job.a, io::DType::kInt64);
  io::write_npy(b, job.b, io::DType::kInt64);
  return run_cosim(config_path, {"--in", "A=" + a, "--in", "B=" + b}, tag);
}

struct ShapeCase {
  std::string config;
  int64_t m, n, k;
  systolic::ValueMode mode;
};

class ShapeCosim : public ::testing::TestWithParam<ShapeCase> {};

// Degenerate and maximal shapes, and all-extreme operands (largest accumulations:
// wrap in the narrow-accumulator and saturate configurations).
TEST_P(ShapeCosim, ModelAndRtlAgree) {
  const auto& c = GetParam();
  const auto cfg = config::load_config(preset(c.config));
  std::mt19937_64 rng(base_seed());
  const auto job = systolic::make_gemm_job(cfg.systolic, c.m, c.n, c.k, c.mode, rng);
  const auto out = run_given(preset(c.config), job, fmt::format("{}-{}x{}x{}", c.config, c.m, c.n, c.k));
  expect_all_jobs_agree(out, "DNNGEN_SEED=" + std::to_string(base_seed()) + " " +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

constexpr auto kExtreme = systolic::ValueMode::kExtreme;
constexpr auto kUniform = systolic::ValueMode::kUniform;

INSTANTIATE_TEST_SUITE_P(Edges, ShapeCosim,
                         ::testing::Values(ShapeCase{"systolic_ws_4x4_int8", 1, 1, 1, kUniform},
                                           ShapeCase{"systolic_os_4x4_int8", 1, 1, 1, kUniform},
                                           ShapeCase{"systolic_ws_4x4_int8", 64, 64, 64, kExtreme},
                                           ShapeCase{"systolic_os_4x4_int8", 64, 64, 64, kExtreme},
                                           ShapeCase{"systolic_ws_4x4_int8", 3, 5, 7, kUniform},
                                           ShapeCase{"systolic_os_4x4_int8", 5, 3, 9, kUniform},
                                           ShapeCase{"systolic_ws_4x4_int8_sat", 64, 9, 64, kExtreme},
                                           ShapeCase{"systolic_os_4x4_uint8", 63, 17, 64, kExtreme},
                                           ShapeCase{"systolic_ws_8x8_int16", 128, 128, 128, kExtreme},
                                           ShapeCase{"systolic_ws_16x16_int8", 256, 256, 256, kUniform},
                                           ShapeCase{"systolic_os_16x16_int8", 256, 256, 256, kUniform},
                                           ShapeCase{"systolic_ws_16x16_int8", 1, 256, 256, kUniform},
                                           ShapeCase{"systolic_os_16x16_int8", 256, 1, 17, kUniform}),
                         [](const auto& info) {
                           const auto& c = info.param;
                           return fmt::format("{}_{}x{}x{}_{}", c.config, c.m, c.n, c.k,
                                              c.mode == kExtreme ? "extreme" : "uniform");
                         });

struct ConvCase {
  std::string config;
  int64_t c, h, w, k, filter, stride, pad;
};

class Conv2dCosim : public ::testing::TestWithParam<ConvCase> {};

// conv2d through im2col on the WS and OS engines: filters 1x1 to 11x11, strides 1/2/4,
// padding, channel counts that do not divide the array, and lowered GEMMs larger than
// the buffers (split into jobs, K-chunks summed on the host). The assembled ofmap must
// equal the direct golden convolution, and every job's cycles the model's.
TEST_P(Conv2dCosim, Im2colOnTheEngineEqualsDirectConvolution) {
  const auto& c = GetParam();
  const auto cfg = config::load_config(preset(c.config));
  std::mt19937_64 rng(base_seed());
  Tensor ifmap({c.c, c.h, c.w}), weights({c.k, c.c, c.filter, c.filter});
  std::uniform_int_distribution<int64_t> act(0, 127), wt(-128, 127);
  for (auto& v : ifmap.data) v = act(rng);
  for (auto& v : weights.data) v = wt(rng);
  const std::string tag = fmt::format("{}-conv{}x{}s{}", c.config, c.filter, c.filter, c.stride);
  const fs::path dir = scratch_dir(tag + "-in");
  const auto x = (dir / "ifmap.npy").string(), w = (dir / "weights.npy").string();
  io::write_npy(x, ifmap, io::DType::kInt8);
  io::write_npy(w, weights, io::DType::kInt8);
  const auto out = run_cosim(preset(c.config),
                             {"--op", "conv2d", "--in", "ifmap=" + x, "--in", "weights=" + w, "--param",
                              fmt::format("stride={}", c.stride), "--param", fmt::format("pad={}", c.pad)},
                             tag);
  expect_all_jobs_agree(out, "DNNGEN_SEED=" + std::to_string(base_seed()) + " " + tag);
  EXPECT_EQ(out.report.value("output_check", std::string()), "pass");
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dCosim,
                         ::testing::Values(ConvCase{"systolic_ws_4x4_int8", 5, 9, 9, 6, 1, 1, 0},
                                           ConvCase{"systolic_os_4x4_int8", 5, 9, 9, 6, 1, 1, 0},
                                           ConvCase{"systolic_ws_4x4_int8", 3, 12, 12, 5, 3, 1, 1},
                                           ConvCase{"systolic_os_4x4_int8", 3, 12, 12, 5, 3, 1, 1},
                                           ConvCase{"systolic_ws_4x4_int8", 2, 13, 11, 7, 5, 2, 2},
                                           ConvCase{"systolic_os_4x4_int8", 2, 13, 11, 7, 5, 2, 2},
                                           ConvCase{"systolic_ws_4x4_int8", 3, 35, 35, 4, 11, 4, 0},
                                           ConvCase{"systolic_ws_16x16_int8", 6, 20, 20, 20, 3, 1, 1}),
                         [](const auto& info) {
                           const auto& c = info.param;
                           return fmt::format("{}_c{}_{}x{}_k{}_f{}_s{}_p{}", c.config, c.c, c.h, c.w, c.k,
                                              c.filter, c.stride, c.pad);
                         });

// A configuration that is not a preset: odd array shape, output stationary, narrow
// wrapping accumulator. Proves the flow works for user configurations.
TEST(UserConfigCosim, OddShapedArrays) {
  const fs::path dir = scratch_dir("user");
  const std::vector<std::pair<std::string, std::string>> configs = {
      {"user_os_3x5",
       "rows: 3\n  cols: 5\n  dataflow: output_stationary\n  input_bits: 6\n"
       "  weight_bits: 5\n  acc_bits: 14\n  signed: true\n  overflow: wrap\n"},
      {"user_ws_5x2",
       "rows: 5\n  cols: 2\n  dataflow: weight_stationary\n  input_bits: 4\n"
       "  weight_bits: 7\n  acc_bits: 16\n  signed: false\n  overflow: saturate\n"},
  };
  for (const auto& [name, body] : configs) {
    const auto path = (dir / (name + ".yaml")).string();
    std::ofstream(path) << "name: " << name << "\nengine: systolic\nsystolic:\n  " << body
                        << "  max_m: 24\n  max_n: 24\n  max_k: 24\n";
    const auto out =
        run_cosim(path, {"--random", "--seed", std::to_string(base_seed()), "--count", "20"}, name);
    expect_all_jobs_agree(out, "config " + path);
  }
}

}  // namespace
}  // namespace dnngen
