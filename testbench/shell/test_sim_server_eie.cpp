// shell::ShellSimServer against the EIE shell simulator's serve mode
// (testbench/shell/sim_main_eie.cpp, its loop shell_serve.hpp): one simulator process of
// configs/eie_4pe.yaml behind its AXI shell, built through the builder `dnngen run --op spmv
// --shell --backend rtl` uses, serving several requests. Covers: two requests of two chained
// spmv layers each (random weight indices and codebooks in the paper's image format, a batch
// of 3 vectors; bias and ReLU on the first layer, raw int32 sums out of the second, which
// reads the first's output as its X), whose images must equal eie::run_layer's applied in
// order and whose counters must equal eie::layer_cycles' on the image before each layer; a
// request the shell refuses (K = 0), answered with an error while the same process serves the
// next; weights kept on chip (OP.KEEP_WEIGHTS) within a request and across requests, refused
// when the descriptor names an image other than the last loaded, after a refused request
// (the bench is rebuilt), and when the kept image's bytes in memory changed. Seeded
// (DNNGEN_SEED replays).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/shell/sim_server.hpp"
#include "sim_builder.hpp"
#include "test_sim_server_suite.hpp"

namespace dnngen {
namespace {

using shell::LayerDescriptor;
using shell::ShellSimServer;

constexpr char kConfigPath[] = DNNGEN_SOURCE_DIR "/configs/eie_4pe.yaml";
constexpr char kSuiteName[] = "shell_sim_server_eie";
const std::string kConfig = kConfigPath;

// The image's pages: X (3 vectors of 20), layer 0's codebook, weight image, bias and int16
// output (layer 1's X), layer 1's codebook, weight image and int32 output; new vectors and
// their output for a kept layer 1.
constexpr uint64_t kX = 0x1000, kCodebook0 = 0x2000, kImage0 = 0x3000, kBias0 = 0x4000, kY0 = 0x5000,
                   kCodebook1 = 0x6000, kImage1 = 0x7000, kY1 = 0x8000, kKeptX = 0x9000, kKeptY = 0xa000,
                   kImageBytes = 0xb000;
constexpr uint32_t kBatch = 3, kM0 = 12, kK0 = 20, kM1 = 10;

class ShellSimServerEieTest : public testbench::SimServerSuite<kConfigPath, kSuiteName> {
 protected:
  void SetUp() override {
    SimServerSuite::SetUp();
    p_ = eie::shell_params(*cfg_);
  }

  unsigned act_bytes() const { return eie::act_bytes(p_.eie); }

  // A weight layer at `image_at` with its codebook at `codebook_at`: w_idx [M, K] with about
  // 40 % non-zero indices, codebook values in -64..64 (entry 0, the padding index, random).
  void place_weights(std::mt19937_64& rng, std::vector<uint8_t>& mem, uint32_t m, uint32_t k,
                     uint64_t image_at, uint64_t codebook_at) const {
    Tensor w({m, k});
    const uint64_t indices = uint64_t{1} << p_.eie.index_bits;
    for (auto& v : w.data) v = rng() % 10 < 4 ? static_cast<int64_t>(1 + rng() % (indices - 1)) : 0;
    const std::vector<uint8_t> image = eie::weight_image(p_.eie, w);
    ASSERT_LE(image.size(), 0x1000u);
    std::copy(image.begin(), image.end(), mem.begin() + static_cast<std::ptrdiff_t>(image_at));
    for (uint64_t i = 1; i < indices; ++i)
      shell::store(mem, codebook_at + 2 * i, 2, static_cast<int64_t>(rng() % 129) - 64);
  }

  // `n` random vectors of `k` activations at `at`, about a third of them zero.
  void place_vectors(std::mt19937_64& rng, std::vector<uint8_t>& mem, uint64_t at, uint32_t n,
                     uint32_t k) const {
    for (uint64_t i = 0; i < uint64_t{n} * k; ++i)
      shell::store(mem, at + i * act_bytes(), act_bytes(),
                   rng() % 3 == 0 ? 0 : static_cast<int64_t>(rng() % 201) - 100);
  }

  // Random bytes everywhere else (so a byte the RTL should not write, or should, shows), the
  // two layers' weights, X and layer 0's bias (in accumulator units: -2000..2000, about 8
  // activation units, so ReLU clears some outputs and passes others).
  std::vector<uint8_t> random_image(std::mt19937_64& rng) const {
    std::vector<uint8_t> mem(kImageBytes);
    for (auto& b : mem) b = static_cast<uint8_t>(rng());
    place_vectors(rng, mem, kX, kBatch, kK0);
    place_weights(rng, mem, kM0, kK0, kImage0, kCodebook0);
    place_weights(rng, mem, kM1, kM0, kImage1, kCodebook1);
    for (uint32_t i = 0; i < kM0; ++i)
      shell::store(mem, kBias0 + 4 * i, 4, static_cast<int64_t>(rng() % 4001) - 2000);
    place_vectors(rng, mem, kKeptX, kBatch, kM0);
    return mem;
  }

  // Layer 0: 3 vectors of 20 into 12 int16 activations, bias, ReLU.
  LayerDescriptor layer0() const {
    LayerDescriptor d;
    d.op = "spmv";
    d.m = kM0, d.k = kK0, d.n = kBatch;
    d.out_type = act_bytes() == 1 ? "int8" : "int16";
    d.bias = d.relu = true;
    d.a_addr = kX, d.b_addr = kImage0, d.aux_addr = kCodebook0, d.bias_addr = kBias0, d.out_addr = kY0;
    return d;
  }

  // Layer 1: layer 0's 12 activations into 10 raw int32 sums.
  LayerDescriptor layer1() const {
    LayerDescriptor d;
    d.op = "spmv";
    d.m = kM1, d.k = kM0, d.n = kBatch;
    d.out_type = "int32";
    d.a_addr = kY0, d.b_addr = kImage1, d.aux_addr = kCodebook1, d.out_addr = kY1;
    return d;
  }

  // Layer 1's weights, kept on chip, on the other vectors at kKeptX.
  LayerDescriptor kept_layer1() const {
    LayerDescriptor d = layer1();
    d.keep_weights = true;
    d.a_addr = kKeptX, d.out_addr = kKeptY;
    return d;
  }

  // What the simulator must return for `layers` on `image`: the golden model applied layer
  // after layer, the cycle model of each on the image before it (each layer checked first,
  // with the image the layers before it loaded, or `loaded` for the first).
  std::vector<eie::ShellTiming> expect(const std::vector<LayerDescriptor>& layers,
                                       std::vector<uint8_t>& image, const LayerDescriptor* loaded) const {
    std::vector<eie::ShellTiming> timing;
    for (const auto& d : layers) {
      EXPECT_EQ(eie::check_layer(p_, d, image, loaded), 0u) << "a layer of the test is refused";
      timing.push_back(eie::layer_cycles(p_, d, image, latency_, bytes_per_cycle_));
      eie::run_layer(p_, d, image);
      if (!d.keep_weights) loaded = &d;
    }
    return timing;
  }

  // Sends the request and checks the image and every counter of every layer; the counters.
  ShellSimServer::Result run_and_check(ShellSimServer& server, std::vector<uint8_t>& image,
                                       const std::vector<LayerDescriptor>& layers, const std::string& what,
                                       const LayerDescriptor* loaded = nullptr) const {
    std::vector<uint8_t> want = image;
    const std::vector<eie::ShellTiming> timing = expect(layers, want, loaded);
    return check_request(server, image, want, timing, layers, what);
  }

  // The error of a request the simulator refuses; the image must stay as it was.
  static std::string refusal(ShellSimServer& server, std::vector<uint8_t> image,
                             const std::vector<LayerDescriptor>& layers) {
    const std::vector<uint8_t> before = image;
    try {
      server.run(image, layers);
    } catch (const ToolError& e) {
      EXPECT_TRUE(image == before) << "a refused request changed the image";
      return e.what();
    }
    return "no error";
  }

  eie::ShellParams p_;
};

TEST_F(ShellSimServerEieTest, TwoRequestsOfChainedLayersMatchTheModels) {
  std::mt19937_64 rng(seed());
  ShellSimServer server(*executable_, kConfig, seed());
  const pid_t pid = server.pid();
  for (int request = 0; request < 2; ++request) {
    std::vector<uint8_t> image = random_image(rng);
    run_and_check(server, image, {layer0(), layer1()}, fmt::format("request {}", request));
    // ReLU both passes and clears some of layer 0's outputs.
    unsigned zero = 0, positive = 0;
    for (uint64_t i = 0; i < uint64_t{kBatch} * kM0; ++i) {
      const int64_t y = shell::load(image, kY0 + i * act_bytes(), act_bytes(), true);
      EXPECT_GE(y, 0) << "request " << request << ": layer 0 output " << i << " after ReLU";
      zero += y == 0, positive += y > 0;
    }
    EXPECT_TRUE(zero > 0 && positive > 0)
        << "request " << request << ": layer 0's outputs: " << zero << " zero, " << positive << " positive";
  }
  EXPECT_EQ(server.pid(), pid) << "one process serves every request";
}

TEST_F(ShellSimServerEieTest, ARefusedRequestLeavesTheServerServing) {
  std::mt19937_64 rng(seed() + 1);
  ShellSimServer server(*executable_, kConfig, seed());
  LayerDescriptor bad = layer1();
  bad.k = 0;
  const std::string error = refusal(server, random_image(rng), {layer0(), bad});
  EXPECT_NE(error.find("descriptor 1: the shell refuses it: ERROR_CODE zero_size"), std::string::npos)
      << error;
  std::vector<uint8_t> image = random_image(rng);
  run_and_check(server, image, {layer0(), layer1()}, "the request after the refused one");
}

// OP.KEEP_WEIGHTS: the image the last loading layer read stays on chip for the next
// descriptors of the request and the next requests, as long as requests pass.
TEST_F(ShellSimServerEieTest, KeptWeightsLastAcrossRequests) {
  std::mt19937_64 rng(seed() + 2);
  ShellSimServer server(*executable_, kConfig, seed());
  std::vector<uint8_t> image = random_image(rng);
  const LayerDescriptor first = layer1();
  // Within a request: loaded by layer 1, kept for other vectors, fewer bytes read.
  const ShellSimServer::Result loaded =
      run_and_check(server, image, {layer0(), layer1(), kept_layer1()}, "load, then keep");
  ASSERT_EQ(loaded.layers.size(), 3u);
  EXPECT_LT(loaded.layers[2].counters.bytes_read, loaded.layers[1].counters.bytes_read)
      << "the kept image was read again";
  // Across requests: new vectors for the image the last request left on chip.
  place_vectors(rng, image, kKeptX, kBatch, kM0);
  run_and_check(server, image, {kept_layer1()}, "kept across requests", &first);
  // Layer 0's image is not the one on chip.
  LayerDescriptor keep0 = layer0();
  keep0.keep_weights = true;
  std::string error = refusal(server, image, {keep0});
  EXPECT_NE(error.find("descriptor 0: the shell refuses it: ERROR_CODE bad_field"), std::string::npos)
      << error;
  // That refused request rebuilt the bench: nothing is on chip.
  error = refusal(server, image, {kept_layer1()});
  EXPECT_NE(error.find("descriptor 0: the shell refuses it: ERROR_CODE bad_field"), std::string::npos)
      << error;
  // Loaded again (a new X for the chain); then the codebook in memory changes: refused, the
  // RTL holds the old one.
  place_vectors(rng, image, kX, kBatch, kK0);
  run_and_check(server, image, {layer0(), layer1()}, "loaded again");
  shell::store(image, kCodebook1 + 2, 2, shell::load(image, kCodebook1 + 2, 2, true) + 1);
  error = refusal(server, image, {kept_layer1()});
  EXPECT_NE(error.find("descriptor 0: OP.KEEP_WEIGHTS: the weight image at B_ADDR 0x7000 or the codebook at "
                       "AUX_ADDR 0x6000 differs from the one the engine holds"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace dnngen
