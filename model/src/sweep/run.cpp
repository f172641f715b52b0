// Running a sweep: every point synthesized as a task of one batch (exec/batch.hpp), then
// its network estimated, in grid order (sweep/run.hpp).
#include "dnngen/sweep/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/process.hpp"
#include "sweep_internal.hpp"

namespace dnngen::sweep {
namespace fs = std::filesystem;
using namespace detail;
namespace {

const char* const kPointFile = "point.yaml";    // in the task directory
const char* const kPointReport = "synth.json";  // in the task's output directory

// The `dnngen synth` command of one point, run in its task's scratch directory.
std::string synth_command(const SweepOptions& options, const fs::path& task_dir) {
  const synth::SynthOptions& so = options.synth;
  std::vector<std::string> argv = {options.dnngen, "synth",      (task_dir / kPointFile).string(), "--target",
                                   so.target,      "--work-dir", (task_dir / "yosys").string(),    "--json",
                                   kPointReport};
  if (!so.liberty.empty()) argv.insert(argv.end(), {"--liberty", fs::absolute(so.liberty).string()});
  if (!so.device.empty()) argv.insert(argv.end(), {"--device", so.device});
  if (so.shell) argv.push_back("--shell");
  if (so.flat_ltp) argv.push_back("--flat-ltp");
  // The points already run in parallel: each synthesizes its modules one at a time, or on
  // the CPUs Slurm gave its task.
  argv.insert(argv.end(), {"--jobs", std::to_string(std::max(1, options.batch.slurm.cpus_per_task))});
  return process::command_line(argv);
}

}  // namespace

SweepResult run_sweep(const SweepOptions& options, const exec::ProgressFn& progress) {
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

  if (options.dnngen.empty())
    throw ToolError("run_sweep: no dnngen executable to synthesize the points with");

  // The batch directory: the given one (kept or not), or a temporary one that is removed
  // after a successful sweep and kept (named by the error) after a failure.
  fs::path work_root = options.work_dir;
  const bool temporary = work_root.empty();
  if (temporary) work_root = output::temp_dir("dnngen-sweep");
  work_root = output::normalize(work_root.string());

  // One task per point; synthesis time grows with the array.
  std::vector<exec::Task> tasks;
  for (const auto& p : points) {
    exec::Task t;
    t.id = fmt::format("p{:03}_{}", p.index, p.config.name);
    t.command = synth_command(options, work_root / "tasks" / t.id);
    t.inputs = {{kPointFile, p.yaml}};
    t.weight = 1 + static_cast<double>(options.engine.array_size(p.config)) / 64;
    tasks.push_back(std::move(t));
  }
  exec::BatchOptions batch = options.batch;
  batch.job_name = "dnngen-sweep";
  const exec::BatchResult ran = exec::run_batch(tasks, work_root.string(), batch, progress);
  if (ran.failed() > 0) {
    throw ToolError(
        fmt::format("sweep: {} of {} point(s) failed; the work directory {} is kept (the same sweep "
                    "run again resumes):\n{}",
                    ran.failed(), points.size(), work_root.string(), exec::failure_report(ran)));
  }

  for (size_t i = 0; i < points.size(); ++i) {
    const SweepPoint& p = points[i];
    SweepPointResult r;
    r.point = p;
    r.pes = options.engine.array_size(p.config);
    r.config_fields = options.engine.config_fields(p.config);
    const fs::path report = fs::path(ran.tasks[i].output) / kPointReport;
    try {
      r.synth_json = nlohmann::json::parse(output::read_text_file(report));
    } catch (const nlohmann::json::exception& e) {
      throw ToolError(fmt::format("{}: not a synthesis report: {}", report.string(), e.what()));
    }
    r.synth = synth::from_json(r.synth_json);
    if (!options.network.empty()) r.network = options.engine.network_estimate(p.config, options.network);
    r.seconds = ran.tasks[i].seconds;
    sweep.points.push_back(std::move(r));
  }
  sweep.seconds = elapsed();
  if (temporary || !options.keep_work_dir) {
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
