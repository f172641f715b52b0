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

#include "dnngen/config/config.hpp"
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
    bytes_per_cycle_ = std::min<double>(cfg_->memory.bytes_per_cycle, cfg_->memory.data_bits / 8.0);
    fmt::print("seed {} (replay: DNNGEN_SEED={} ctest -R {})\n", seed(), seed(), kSuite);
  }

  // DNNGEN_SEED, or the suite's fixed seed.
  static uint64_t seed() {
    const char* s = std::getenv("DNNGEN_SEED");
    return s ? std::strtoull(s, nullptr, 10) : 20261206u;
  }

  static inline std::unique_ptr<config::Config> cfg_;
  static inline std::unique_ptr<std::string> executable_;
  unsigned latency_ = 0;
  double bytes_per_cycle_ = 0;
};

}  // namespace dnngen::testbench
