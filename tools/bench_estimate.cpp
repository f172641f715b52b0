// bench_estimate: how fast and how good the closed-form network estimate is.
//
// Loads every workloads/*.csv, estimates it on three systolic configurations (16x16
// WS, 16x16 OS, 12x14 WS; int8, job limits 4096) and prints, per network and
// configuration, the totals, the ratio to the SCALE-Sim v2 WS formula and the wall
// time of one estimate_network() call (and of load + estimate). The time is the best
// of several batches, each long enough that the clock resolution does not matter.
//
// Usage: bench_estimate [WORKLOADS_DIR]   (default: the source tree's workloads/)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/network_estimate.hpp"
#include "dnngen/workload/network.hpp"

namespace {

using dnngen::config::Dataflow;
using dnngen::config::SystolicConfig;
namespace workload = dnngen::workload;
namespace systolic = dnngen::systolic;

struct NamedConfig {
  std::string label;
  SystolicConfig cfg;
};

SystolicConfig int8_array(unsigned rows, unsigned cols, Dataflow dataflow) {
  SystolicConfig cfg;
  cfg.rows = rows;
  cfg.cols = cols;
  cfg.dataflow = dataflow;
  cfg.input_bits = 8;
  cfg.weight_bits = 8;
  cfg.acc_bits = 32;
  cfg.is_signed = true;
  cfg.max_m = 4096;
  cfg.max_n = 4096;
  cfg.max_k = 4096;
  return cfg;
}

std::vector<NamedConfig> bench_configs() {
  return {{"16x16 WS", int8_array(16, 16, Dataflow::kWeightStationary)},
          {"16x16 OS", int8_array(16, 16, Dataflow::kOutputStationary)},
          {"12x14 WS", int8_array(12, 14, Dataflow::kWeightStationary)}};
}

std::vector<std::filesystem::path> workload_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Seconds per call of `fn`: the best of 5 batches of at least 20 ms each. The best,
// not the mean, because interference from other processes only ever adds time.
double seconds_per_call(const std::function<void()>& fn) {
  using Clock = std::chrono::steady_clock;
  uint64_t reps = 1;
  // Grow the batch until it is long enough to time.
  for (;;) {
    const auto t0 = Clock::now();
    for (uint64_t i = 0; i < reps; ++i) fn();
    if (std::chrono::duration<double>(Clock::now() - t0).count() >= 0.02) break;
    reps *= 2;
  }
  double best = 1e30;
  for (int batch = 0; batch < 5; ++batch) {
    const auto t0 = Clock::now();
    for (uint64_t i = 0; i < reps; ++i) fn();
    best =
        std::min(best, std::chrono::duration<double>(Clock::now() - t0).count() / static_cast<double>(reps));
  }
  return best;
}

std::string format_time(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.1f} us", seconds * 1e6);
  return fmt::format("{:.2f} ms", seconds * 1e3);
}

// Keeps the optimizer from dropping the timed calls.
volatile uint64_t g_sink = 0;

void bench(const std::filesystem::path& dir) {
  const auto configs = bench_configs();
  const auto files = workload_files(dir);
  fmt::print("{:<18} {:<9} {:>6} {:>14} {:>14} {:>6} {:>14} {:>7} {:>10} {:>12}\n", "network", "config",
             "layers", "MACs", "cycles", "util%", "scalesim", "ratio", "estimate", "load+est");
  std::vector<std::string> ratio_lines;
  for (const auto& file : files) {
    const std::string name = file.stem().string();
    // The engine-specific tables (bitserial_*.csv with precisions, eie_layers.csv) are not
    // network tables of the systolic engine: say so and go on.
    std::vector<workload::Layer> layers;
    try {
      layers = workload::load_network(file.string());
    } catch (const dnngen::InputError& e) {
      fmt::print("{:<18} skipped: not a network table ({})\n", name, e.what());
      continue;
    }
    for (const auto& [label, cfg] : configs) {
      const workload::NetworkEstimate e = systolic::estimate_network(cfg, layers, name);
      const double t_est =
          seconds_per_call([&] { g_sink = g_sink + systolic::estimate_network(cfg, layers, name).cycles; });
      const double t_all = seconds_per_call([&] {
        g_sink = g_sink + systolic::estimate_network(cfg, workload::load_network(file.string()), name).cycles;
      });
      fmt::print("{:<18} {:<9} {:>6} {:>14} {:>14} {:>6.1f} {:>14} {:>7.3f} {:>10} {:>12}\n", name, label,
                 layers.size(), e.macs, e.cycles, 100 * e.utilization, e.scalesim_cycles, e.scalesim_ratio,
                 format_time(t_est), format_time(t_all));
      if (name == "resnet50" || name == "alexnet") {
        ratio_lines.push_back(fmt::format(
            "{} on {}: {} cycles vs SCALE-Sim v2 (same dataflow) {} -> ratio {:.3f} ({:.1f}% fewer)", name,
            label, e.cycles, e.scalesim_cycles, e.scalesim_ratio, 100 * (1 - e.scalesim_ratio)));
      }
    }
  }
  fmt::print("\n");
  for (const auto& line : ratio_lines) fmt::print("{}\n", line);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    fmt::print(stderr, "usage: {} [WORKLOADS_DIR]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir =
      argc == 2 ? std::filesystem::path(argv[1]) : std::filesystem::path(DNNGEN_SOURCE_DIR) / "workloads";
  try {
    bench(dir);
  } catch (const dnngen::InputError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    fmt::print(stderr, "error: {}: cannot list workload directory\n", dir.string());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
