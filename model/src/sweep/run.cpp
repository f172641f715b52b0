// Running a sweep: every point synthesized (and its network estimated) in grid order
// (sweep/run.hpp).
#include "dnngen/sweep/run.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "sweep_internal.hpp"

namespace dnngen::sweep {
namespace fs = std::filesystem;
using namespace detail;

std::string format_progress(const SweepProgress& p) {
  std::string line;
  if (p.current != nullptr) {
    line = fmt::format("[{}/{}] {}", p.done + 1, p.total, stem(p.current->config.source_path));
    if (!p.current->label.empty()) line += " " + p.current->label;
  } else {
    line = fmt::format("[{}/{}] done", p.done, p.total);
  }
  line += "  elapsed " + duration(p.elapsed_seconds);
  if (p.current != nullptr)
    line += "  ETA " + (p.eta_seconds < 0 ? std::string("?") : duration(p.eta_seconds));
  return line;
}

SweepResult run_sweep(const SweepOptions& options, const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto targets = synth::legal_targets();
  if (std::find(targets.begin(), targets.end(), options.synth.target) == targets.end()) {
    throw InputError(fmt::format("unknown synthesis target '{}' (expected one of: {})", options.synth.target,
                                 join(targets, ", ")));
  }
  if (options.base_configs.empty()) throw InputError("dnngen sweep: no base config given");

  SweepResult sweep;
  sweep.axes = options.axes;
  sweep.target = options.synth.target;
  sweep.command = options.command;
  for (const auto& path : options.base_configs) {
    config::load_config(path);  // the base itself must be valid, with its own messages
    sweep.bases.push_back({path, output::read_text_file(path)});
  }
  const std::vector<SweepPoint> points = expand_grid(sweep.bases, sweep.axes);
  // One table per sweep: its columns are the keys of one engine variant.
  for (const auto& p : points) {
    if (config::rtl_variant(p.config) != config::rtl_variant(points.front().config)) {
      throw InputError(fmt::format(
          "{} and {}: a sweep compares one engine variant, got {} and {}", points.front().config.source_path,
          p.config.source_path, config::rtl_variant(points.front().config), config::rtl_variant(p.config)));
    }
  }
  if (!options.network.empty()) {
    workload::load_network(options.network);  // a bad file fails before any synthesis
    sweep.network_path = options.network;
    sweep.network_name = stem(options.network);
    for (const auto& p : points) options.engine.check_network(p.config);
  }

  // Yosys work directories: under --work-dir (kept), or a temporary one that is
  // removed after a successful sweep and kept (named by the error) after a failure.
  fs::path work_root = options.work_dir;
  const bool temporary = work_root.empty();
  if (temporary) {
    std::string pattern = (fs::temp_directory_path() / "dnngen-sweep-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw ToolError(fmt::format("cannot create a work directory {}: {}", pattern, std::strerror(errno)));
    }
    work_root = pattern;
  }

  // Synthesis time grows with the array.
  const auto weight = [&](const SweepPoint& p) {
    return 1 + static_cast<double>(options.engine.array_size(p.config)) / 64;
  };
  double total_weight = 0, done_weight = 0;
  for (const auto& p : points) total_weight += weight(p);
  for (const auto& p : points) {
    if (progress) {
      SweepProgress pr;
      pr.done = p.index;
      pr.total = points.size();
      pr.current = &p;
      pr.elapsed_seconds = elapsed();
      if (done_weight > 0) pr.eta_seconds = pr.elapsed_seconds * (total_weight - done_weight) / done_weight;
      progress(pr);
    }
    const auto t0 = std::chrono::steady_clock::now();
    SweepPointResult r;
    r.point = p;
    r.pes = options.engine.array_size(p.config);
    r.config_fields = options.engine.config_fields(p.config);
    synth::SynthOptions so = options.synth;
    if (options.engine.synth_categories) so.categories = options.engine.synth_categories(p.config);
    so.work_dir = (work_root / fmt::format("p{:03}_{}", p.index, p.config.name)).string();
    r.synth = synth::run_synth(p.config, so);
    r.synth_json = synth::to_json(r.synth);
    if (!options.network.empty()) r.network = options.engine.network_estimate(p.config, options.network);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sweep.points.push_back(std::move(r));
    done_weight += weight(p);
  }
  sweep.seconds = elapsed();
  if (progress) {
    SweepProgress pr;
    pr.done = pr.total = points.size();
    pr.elapsed_seconds = sweep.seconds;
    pr.eta_seconds = 0;
    progress(pr);
  }
  if (temporary) {
    std::error_code ec;
    fs::remove_all(work_root, ec);
    // The reports' paths would point into the removed directory.
    for (auto& r : sweep.points) {
      for (const char* key : {"work_dir", "script", "log"}) r.synth_json.erase(key);
      r.synth.work_dir.clear();
      r.synth.script_path.clear();
      r.synth.log_path.clear();
    }
  }
  return sweep;
}

}  // namespace dnngen::sweep
