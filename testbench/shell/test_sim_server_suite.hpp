#pragma once
// What the serve-mode tests (test_sim_server*.cpp) share: the shell simulator of one
// configuration, built once per suite through the builder `run --shell --backend rtl` and
// `infer --backend rtl` use, the configuration's memory timing, and the seed. (Named test_*
// so that it stays out of the simulators' cache key.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/sim_server.hpp"
#include "sim_builder.hpp"

namespace dnngen::testbench {

// kConfig: the configuration's path; kSuite: the ctest name (for the replay line).
template <const char* kConfig, const char* kSuite>
class SimServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cfg_ = std::make_unique<config::Config>(config::load_config(kConfig));
    const sim::SimBuild build = sim::build_simulator(*cfg_, false, false, true);
    executable_ = std::make_unique<std::string>(build.executable);
    fmt::print("simulator: {} ({})\n", build.executable,
               build.cached ? "cached" : fmt::format("built in {:.1f} s", build.seconds));
  }
  static void TearDownTestSuite() {
    cfg_.reset();
    executable_.reset();
  }

  void SetUp() override {
    latency_ = cfg_->memory.latency;
    bytes_per_cycle_ = cfg_->memory.bus_bytes_per_cycle();
    fmt::print("seed {} (replay: DNNGEN_SEED={} ctest -R {})\n", seed(), seed(), kSuite);
  }

  // DNNGEN_SEED, or the suite's fixed seed.
  static uint64_t seed() {
    const char* s = std::getenv("DNNGEN_SEED");
    return s ? std::strtoull(s, nullptr, 10) : 20261206u;
  }

  // Sends a request and checks it: the image after it equals `want` (the golden model's)
  // and every counter of every layer the cycle model's (`timing`, one per layer). Returns
  // what the simulator answered.
  template <class Timing>
  static shell::ShellSimServer::Result check_request(shell::ShellSimServer& server,
                                                     std::vector<uint8_t>& image,
                                                     const std::vector<uint8_t>& want,
                                                     const std::vector<Timing>& timing,
                                                     const std::vector<shell::LayerDescriptor>& layers,
                                                     const std::string& what) {
    EXPECT_TRUE(image != want) << what << ": the layers change nothing, so the test would prove nothing";
    const shell::ShellSimServer::Result r = server.run(image, layers);
    EXPECT_TRUE(image == want) << what << ": the image differs from the golden model's";
    EXPECT_EQ(r.layers.size(), layers.size()) << what;
    for (std::size_t i = 0; i < std::min(timing.size(), r.layers.size()); ++i) {
      const shell::Counters& c = r.layers[i].counters;
      const Timing& m = timing[i];
      EXPECT_EQ(c.cycles, m.cycles) << what << " layer " << i;
      EXPECT_EQ(c.compute, m.compute) << what << " layer " << i;
      EXPECT_EQ(c.mem_wait, m.mem_wait) << what << " layer " << i;
      EXPECT_EQ(c.bytes_read, m.bytes_read) << what << " layer " << i;
      EXPECT_EQ(c.bytes_written, m.bytes_written) << what << " layer " << i;
      EXPECT_EQ(r.layers[i].model_cycles, m.cycles) << what << " layer " << i;
    }
    if (!timing.empty()) {
      EXPECT_GT(r.sim_cycles, timing.back().cycles) << what;
    }
    return r;
  }

  static inline std::unique_ptr<config::Config> cfg_;
  static inline std::unique_ptr<std::string> executable_;
  unsigned latency_ = 0;
  double bytes_per_cycle_ = 0;
};

}  // namespace dnngen::testbench
