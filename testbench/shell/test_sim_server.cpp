// shell::ShellSimServer against the shell simulator's serve mode (testbench/shell/sim_main.cpp):
// one simulator process of configs/systolic_ws_4x4_int8.yaml behind its AXI shell, built
// through the builder `dnngen run --shell --backend rtl` uses, serving several requests.
// Covers: two requests of two chained layers each (a gemm with bias, per-channel
// requantisation, ReLU and int8 output, then a padded 3x3 conv2d reading that output as its
// ifmap), whose images must equal systolic::run_layer's applied in order and whose counters
// must equal layer_cycles' on the image before each layer; a request the shell refuses
// (M = 0), answered with an error while the same process serves the next; a simulator that
// dies (the error names the signal); the process ends with the server; and the client
// against stand-in simulators (a mismatch's problems, a reply that is not JSON, an exit, a
// missing executable). Seeded
// (DNNGEN_SEED replays); prints the wall time of a one-layer request against its simulated
// time.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/shell/sim_server.hpp"
#include "dnngen/systolic/shell_layer.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "sim_builder.hpp"
#include "test_sim_server_suite.hpp"

namespace dnngen {
namespace {

using shell::LayerDescriptor;
using shell::ShellSimServer;

constexpr char kConfigPath[] = DNNGEN_SOURCE_DIR "/configs/systolic_ws_4x4_int8.yaml";
constexpr char kSuiteName[] = "shell_sim_server";
const std::string kConfig = kConfigPath;

class ShellSimServerTest : public testbench::SimServerSuite<kConfigPath, kSuiteName> {
 protected:
  void SetUp() override {
    SimServerSuite::SetUp();
    p_ = systolic::shell_params(*cfg_);
  }

  // What the simulator must return for `layers` on `image`: the golden model applied layer
  // after layer, the cycle model of each on the image before it.
  std::vector<systolic::LayerTiming> expect(const std::vector<LayerDescriptor>& layers,
                                            std::vector<uint8_t>& image) const {
    std::vector<systolic::LayerTiming> timing;
    for (const auto& d : layers) {
      timing.push_back(systolic::layer_cycles(p_, d, image, latency_, bytes_per_cycle_));
      systolic::run_layer(p_, d, image);
    }
    return timing;
  }

  // Sends the request and checks the image and every counter of every layer.
  void run_and_check(ShellSimServer& server, std::vector<uint8_t> image,
                     const std::vector<LayerDescriptor>& layers, const std::string& what) const {
    std::vector<uint8_t> want = image;
    const std::vector<systolic::LayerTiming> timing = expect(layers, want);
    check_request(server, image, want, timing, layers, what);
  }

  systolic::ShellParams p_;
};

// The image's pages: the gemm's A, B, bias, quant table and int8 output (which is the
// conv2d's 3x4x6 ifmap), the conv2d's RSCK weights and int32 output.
constexpr uint64_t kA = 0x1000, kB = 0x2000, kBias = 0x3000, kQuant = 0x3100, kGemmOut = 0x4000,
                   kWeights = 0x5000, kConvOut = 0x6000, kImageBytes = 0x7000;

LayerDescriptor gemm_layer() {
  LayerDescriptor d;
  d.op = "gemm";
  d.m = 12, d.n = 6, d.k = 10;
  d.out_type = "int8";
  d.bias = d.per_channel = d.relu = true;
  d.a_addr = kA, d.b_addr = kB, d.bias_addr = kBias, d.quant_addr = kQuant, d.out_addr = kGemmOut;
  return d;
}

LayerDescriptor conv_layer() {
  LayerDescriptor d;
  d.op = "conv2d";
  d.in_h = 3, d.in_w = 4, d.in_c = 6, d.out_c = 5;
  d.r = d.s = 3, d.pad_y = d.pad_x = 1;
  d.out_type = "int32";
  d.a_addr = kGemmOut, d.b_addr = kWeights, d.out_addr = kConvOut;
  return d;
}

// Random operands; a bias and quant table that keep the int8 outputs away from all zero or
// all clamped (mult 2^8..2^12, shift 19..21).
std::vector<uint8_t> random_image(std::mt19937_64& rng) {
  std::vector<uint8_t> mem(kImageBytes);
  for (auto& b : mem) b = static_cast<uint8_t>(rng());
  const auto put32 = [&](uint64_t at, uint32_t v) {
    for (unsigned i = 0; i < 4; ++i) mem[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  for (unsigned n = 0; n < 6; ++n) {
    put32(kBias + 4 * n, static_cast<uint32_t>(static_cast<int32_t>(rng() % 4001) - 2000));
    put32(kQuant + 8 * n, static_cast<uint32_t>(256 + rng() % 3841));
    put32(kQuant + 8 * n + 4, static_cast<uint32_t>(19 + rng() % 3));
  }
  return mem;
}

TEST_F(ShellSimServerTest, TwoRequestsOfChainedLayersMatchTheModels) {
  ASSERT_EQ(systolic::check_descriptor(p_, gemm_layer()), 0u);
  ASSERT_EQ(systolic::check_descriptor(p_, conv_layer()), 0u);
  std::mt19937_64 rng(seed());
  ShellSimServer server(*executable_, kConfig, seed());
  const pid_t pid = server.pid();
  for (int request = 0; request < 2; ++request) {
    run_and_check(server, random_image(rng), {gemm_layer(), conv_layer()},
                  fmt::format("request {}", request));
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(server.pid(), pid) << "one process serves every request";
}

TEST_F(ShellSimServerTest, ARefusedRequestLeavesTheServerServing) {
  std::mt19937_64 rng(seed() + 1);
  ShellSimServer server(*executable_, kConfig, seed());
  LayerDescriptor bad = gemm_layer();
  bad.m = 0;
  std::vector<uint8_t> image = random_image(rng);
  const std::vector<uint8_t> before = image;
  try {
    server.run(image, {gemm_layer(), bad});
    ADD_FAILURE() << "a descriptor with M = 0 was run";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("descriptor 1: the shell refuses it: ERROR_CODE zero_size"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(image == before) << "a refused request changed the image";
  run_and_check(server, random_image(rng), {gemm_layer(), conv_layer()}, "the request after the refused one");
}

TEST_F(ShellSimServerTest, ADeadSimulatorIsAnError) {
  std::mt19937_64 rng(seed() + 2);
  pid_t pid = 0;
  {
    ShellSimServer server(*executable_, kConfig);
    pid = server.pid();
    ASSERT_EQ(::kill(pid, 0), 0);
    ::kill(pid, SIGKILL);
    std::vector<uint8_t> image = random_image(rng);
    try {
      server.run(image, {gemm_layer()});
      ADD_FAILURE() << "a killed simulator answered";
    } catch (const ToolError& e) {
      EXPECT_NE(std::string(e.what()).find("killed by signal 9"), std::string::npos) << e.what();
    }
  }
  {
    ShellSimServer server(*executable_, kConfig);
    pid = server.pid();
  }
  EXPECT_NE(::kill(pid, 0), 0) << "the simulator outlived its server";
}

// The client against stand-in simulators (shell scripts speaking the protocol): a reply with
// problems, one that is not JSON, a simulator that exits, one that cannot be started.
std::string fake_simulator(const std::string& name, const std::string& body) {
  const std::string path = fmt::format("{}/dnngen-fake-sim-{}-{}", ::testing::TempDir(), name, ::getpid());
  std::FILE* f = std::fopen(path.c_str(), "w");
  EXPECT_NE(f, nullptr) << path;
  if (f == nullptr) return path;
  std::fputs(("#!/bin/sh\n" + body).c_str(), f);
  std::fclose(f);
  ::chmod(path.c_str(), 0755);
  return path;
}

std::string run_error(const std::string& executable) {
  try {
    ShellSimServer server(executable, kConfig);
    std::vector<uint8_t> image(64);
    server.run(image, {gemm_layer()});
  } catch (const ToolError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ShellSimServerClient, ReportsWhatGoesWrong) {
  const std::string problems = fake_simulator("problems",
                                              "while read line; do echo '{\"ok\": false, \"layers\": [], "
                                              "\"problems\": [\"layer 0: CYCLES_TOTAL: RTL 5 "
                                              "model 6\"], \"sim_cycles\": 1, \"sim_seconds\": 0}'; done\n");
  EXPECT_NE(
      run_error(problems).find("the RTL differs from the models (1 layers on a 64-byte image): layer 0: "
                               "CYCLES_TOTAL: RTL 5 model 6"),
      std::string::npos)
      << run_error(problems);
  const std::string garbage = fake_simulator("garbage", "while read line; do echo hello; done\n");
  EXPECT_NE(run_error(garbage).find("a line that is not JSON: hello"), std::string::npos)
      << run_error(garbage);
  const std::string exits = fake_simulator("exits", "read line; exit 3\n");
  EXPECT_NE(run_error(exits).find("exited with status 3"), std::string::npos) << run_error(exits);
  EXPECT_NE(run_error("/nonexistent/sim").find("cannot start the simulator /nonexistent/sim: No such file"),
            std::string::npos)
      << run_error("/nonexistent/sim");
  for (const auto& path : {problems, garbage, exits}) std::remove(path.c_str());
}

// A request of one small layer, repeated: what a request costs beyond the simulation (the
// median of the requests after a first that warms both processes up).
TEST_F(ShellSimServerTest, OverheadOfAOneLayerRequest) {
  std::mt19937_64 rng(seed() + 3);
  LayerDescriptor d = gemm_layer();
  d.m = d.n = d.k = 4;
  ShellSimServer server(*executable_, kConfig, seed());
  constexpr int kRequests = 21;
  std::vector<std::pair<double, double>> times;  // wall, simulating
  uint64_t cycles = 0;
  for (int i = 0; i < kRequests; ++i) {
    std::vector<uint8_t> image = random_image(rng), want = image;
    systolic::run_layer(p_, d, want);
    const auto t0 = std::chrono::steady_clock::now();
    const ShellSimServer::Result r = server.run(image, {d});
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (i > 0) times.emplace_back(wall, r.sim_seconds);
    cycles = r.sim_cycles;
    ASSERT_TRUE(image == want) << "request " << i;
  }
  std::sort(times.begin(), times.end());
  const auto [wall, sim] = times[times.size() / 2];
  fmt::print(
      "one 4x4x4 gemm on a {} KiB image, the median of {} requests: {:.2f} ms wall, {:.2f} ms of it "
      "simulating {} clock edges (fastest {:.2f} ms, slowest {:.2f} ms wall)\n",
      kImageBytes / 1024, times.size(), 1e3 * wall, 1e3 * sim, cycles, 1e3 * times.front().first,
      1e3 * times.back().first);
}

}  // namespace
}  // namespace dnngen
