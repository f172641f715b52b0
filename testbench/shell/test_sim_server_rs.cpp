// shell::ShellSimServer against the row-stationary shell simulator's serve mode
// (testbench/shell/sim_main_rs.cpp, its loop shell_serve.hpp): one simulator process of
// configs/systolic_rs_4x4_int8.yaml behind its AXI shell, built through the builder `dnngen run
// --op conv2d --shell --backend rtl` uses, serving several requests. Covers: two requests of
// two chained conv2d layers each in CHW / KCRS (OP.CHW): a padded 3x3 layer on a 3x8x10 ifmap
// with bias, per-channel requantisation, ReLU and int8 output, then a padded 3x3 stride-2
// layer reading that 6x8x10 ofmap as its ifmap into raw int32 sums; their images must equal
// rs::run_layer's applied in order and their counters rs::layer_cycles'; a request the shell
// refuses (IN_C = 0), answered with an error while the same process serves the next. Seeded
// (DNNGEN_SEED replays).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/sim_server.hpp"
#include "sim_builder.hpp"
#include "test_sim_server_suite.hpp"

namespace dnngen {
namespace {

using shell::LayerDescriptor;
using shell::ShellSimServer;

constexpr char kConfigPath[] = DNNGEN_SOURCE_DIR "/configs/systolic_rs_4x4_int8.yaml";
constexpr char kSuiteName[] = "shell_sim_server_rs";
const std::string kConfig = kConfigPath;

// The image's pages: layer 0's CHW ifmap, KCRS weights, bias, (mult, shift) table and int8
// CHW ofmap (layer 1's ifmap); layer 1's KCRS weights and int32 ofmap.
constexpr uint64_t kIfmap = 0x1000, kWeights0 = 0x2000, kBias0 = 0x3000, kQuant0 = 0x3100, kOfmap0 = 0x4000,
                   kWeights1 = 0x5000, kOfmap1 = 0x6000, kImageBytes = 0x7000;
constexpr uint32_t kC0 = 3, kH = 8, kW = 10, kK0 = 6, kK1 = 4;

// Layer 0: 3x8x10 -> 6x8x10 (3x3, pad 1), bias, per-channel scale, ReLU, int8.
LayerDescriptor layer0() {
  LayerDescriptor d;
  d.op = "conv2d";
  d.chw = true;
  d.in_c = kC0, d.in_h = kH, d.in_w = kW, d.out_c = kK0;
  d.r = d.s = 3, d.pad_y = d.pad_x = 1;
  d.out_type = "int8";
  d.bias = d.per_channel = d.relu = true;
  d.a_addr = kIfmap, d.b_addr = kWeights0, d.bias_addr = kBias0, d.quant_addr = kQuant0, d.out_addr = kOfmap0;
  return d;
}

// Layer 1: layer 0's 6x8x10 -> 4x4x5 (3x3, stride 2, pad 1), raw int32 sums.
LayerDescriptor layer1() {
  LayerDescriptor d;
  d.op = "conv2d";
  d.chw = true;
  d.in_c = kK0, d.in_h = kH, d.in_w = kW, d.out_c = kK1;
  d.r = d.s = 3, d.stride_y = d.stride_x = 2, d.pad_y = d.pad_x = 1;
  d.out_type = "int32";
  d.a_addr = kOfmap0, d.b_addr = kWeights1, d.out_addr = kOfmap1;
  return d;
}

// Random bytes everywhere (the int8 ifmap and weights among them, so a byte the RTL should
// not write, or should, shows); a bias and (mult, shift) table that keep layer 0's int8
// outputs away from all zero or all clamped: its sums are about 2.8e4 (27 products of
// int8s), mult 2^8..2^12 and shift 19..21 scale them by 2^-11..2^-7, the bias is within
// about a third of them.
std::vector<uint8_t> random_image(std::mt19937_64& rng) {
  std::vector<uint8_t> mem(kImageBytes);
  for (auto& b : mem) b = static_cast<uint8_t>(rng());
  for (unsigned k = 0; k < kK0; ++k) {
    shell::store(mem, kBias0 + 4 * k, 4, static_cast<int64_t>(rng() % 20001) - 10000);
    shell::store(mem, kQuant0 + 8 * k, 4, static_cast<int64_t>(256 + rng() % 3841));
    shell::store(mem, kQuant0 + 8 * k + 4, 4, static_cast<int64_t>(19 + rng() % 3));
  }
  return mem;
}

class ShellSimServerRsTest : public testbench::SimServerSuite<kConfigPath, kSuiteName> {
 protected:
  void SetUp() override {
    SimServerSuite::SetUp();
    p_ = rs::shell_params(*cfg_);
  }

  // What the simulator must return for `layers` on `image`: the golden model applied layer
  // after layer, the cycle model of each.
  std::vector<rs::ShellTiming> expect(const std::vector<LayerDescriptor>& layers,
                                      std::vector<uint8_t>& image) const {
    std::vector<rs::ShellTiming> timing;
    for (const auto& d : layers) {
      EXPECT_EQ(rs::check_descriptor(p_, d), 0u)
          << "a layer of the test is refused: " << rs::explain_descriptor(p_, d).why;
      timing.push_back(rs::layer_cycles(p_, d, latency_, bytes_per_cycle_));
      rs::run_layer(p_, d, image);
    }
    return timing;
  }

  // Sends the request and checks the image and every counter of every layer.
  void run_and_check(ShellSimServer& server, std::vector<uint8_t>& image,
                     const std::vector<LayerDescriptor>& layers, const std::string& what) const {
    std::vector<uint8_t> want = image;
    const std::vector<rs::ShellTiming> timing = expect(layers, want);
    check_request(server, image, want, timing, layers, what);
  }

  rs::ShellParams p_;
};

TEST_F(ShellSimServerRsTest, TwoRequestsOfChainedLayersMatchTheModels) {
  std::mt19937_64 rng(seed());
  ShellSimServer server(*executable_, kConfig, seed());
  const pid_t pid = server.pid();
  for (int request = 0; request < 2; ++request) {
    std::vector<uint8_t> image = random_image(rng);
    run_and_check(server, image, {layer0(), layer1()}, fmt::format("request {}", request));
    if (HasFatalFailure()) return;
    // ReLU clears some of layer 0's outputs and passes others, not all clamped.
    unsigned zero = 0, inside = 0;
    for (uint64_t i = 0; i < uint64_t{kK0} * kH * kW; ++i) {
      const int64_t y = shell::load(image, kOfmap0 + i, 1, true);
      EXPECT_GE(y, 0) << "request " << request << ": layer 0 output " << i << " after ReLU";
      zero += y == 0, inside += y > 0 && y < 127;
    }
    EXPECT_TRUE(zero > 0 && inside > 0) << "request " << request << ": layer 0's outputs: " << zero
                                        << " zero, " << inside << " between 0 and 127";
  }
  EXPECT_EQ(server.pid(), pid) << "one process serves every request";
}

TEST_F(ShellSimServerRsTest, ARefusedRequestLeavesTheServerServing) {
  std::mt19937_64 rng(seed() + 1);
  ShellSimServer server(*executable_, kConfig, seed());
  LayerDescriptor bad = layer1();
  bad.in_c = 0;
  std::vector<uint8_t> image = random_image(rng);
  const std::vector<uint8_t> before = image;
  try {
    server.run(image, {layer0(), bad});
    ADD_FAILURE() << "a descriptor with IN_C = 0 was run";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("descriptor 1: the shell refuses it: ERROR_CODE zero_size"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(image == before) << "a refused request changed the image";
  image = random_image(rng);
  run_and_check(server, image, {layer0(), layer1()}, "the request after the refused one");
}

}  // namespace
}  // namespace dnngen
