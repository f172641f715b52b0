// dnngen batch, and the execution options it shares with dnngen sweep: where a batch of
// independent runs goes (this machine's workers or Slurm) and how its progress is shown.
// docs/slurm.md.
#include "batch_cmd.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "dnngen/common/error.hpp"
#include "dnngen/exec/batch.hpp"

namespace dnngen {

namespace po = boost::program_options;

void add_execution_options(po::options_description_easy_init add) {
  add("jobs,j", po::value<unsigned>()->value_name("N"),
      "local: run N tasks at once (default: the machine's cores)");
  add("slurm", "run the tasks as Slurm job arrays (sbatch) instead of on this machine");
  add("partition", cli::text("P"), "--slurm: the partition (default: the cluster's)");
  add("time", cli::text("T"), "--slurm: each task's time limit, as sbatch --time (e.g. 30, 1:00:00)");
  add("cpus-per-task", po::value<unsigned>()->value_name("N"), "--slurm: CPUs of each task (default 1)");
  add("mem", cli::text("M"), "--slurm: memory of each task, as sbatch --mem (e.g. 4G)");
  add("max-parallel", po::value<unsigned>()->value_name("N"),
      "--slurm: at most N tasks of the array at once (default: no limit)");
  add("quiet", "no progress lines on stderr");
}

exec::BatchOptions execution_options(const cli::CommandLine& cl) {
  exec::BatchOptions o;
  const auto positive = [&](const char* name) {
    const unsigned v = cl.options[name].as<unsigned>();
    if (v == 0) throw InputError(fmt::format("--{} must be at least 1, got 0", name));
    return static_cast<int>(v);
  };
  if (cl.has("jobs")) o.jobs = positive("jobs");
  if (cl.has("slurm")) o.backend = exec::Backend::kSlurm;
  for (const char* name : {"partition", "time", "cpus-per-task", "mem", "max-parallel"}) {
    if (cl.has(name) && o.backend != exec::Backend::kSlurm)
      throw InputError(fmt::format("--{} applies to --slurm runs only", name));
  }
  if (cl.has("jobs") && o.backend == exec::Backend::kSlurm)
    throw InputError("--jobs applies to local runs; with --slurm, use --max-parallel");
  o.slurm.partition = cl.get("partition");
  o.slurm.time_limit = cl.get("time");
  o.slurm.memory = cl.get("mem");
  if (cl.has("cpus-per-task")) o.slurm.cpus_per_task = positive("cpus-per-task");
  if (cl.has("max-parallel")) o.slurm.max_parallel = positive("max-parallel");
  return o;
}

exec::ProgressFn progress_printer(bool quiet) {
  if (quiet) return {};
  // One line, rewritten in place on a terminal; a line per change in a log.
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  return [tty, last = std::string()](const exec::Progress& p) mutable {
    std::string line = exec::format_progress(p);
    if (tty) {
      std::cerr << "\r\033[K" << line << (p.finished ? "\n" : "") << std::flush;
      return;
    }
    // Without a terminal, only when the counts change (not every tick of the clock).
    const std::string counts = line.substr(0, line.find("  elapsed"));
    if (counts == last && !p.finished) return;
    last = counts;
    std::cerr << line << "\n" << std::flush;
  };
}

cli::Usage batch_usage() {
  return {{"TASKS.txt --dir DIR [--jobs N | --slurm [--partition P] [--time T] ...]"},
          "run a list of independent commands on local workers or as Slurm job arrays",
          "TASKS.txt: one task a line, 'ID COMMAND...'. Each runs in DIR/tasks/ID; a failed task\n"
          "runs once more, then is reported with its log. Run again, only unfinished tasks run.\n"
          "Exit 0 when every task succeeded, 1 when any failed."};
}

po::options_description batch_options() {
  po::options_description d = cli::command_options("batch");
  auto add = d.add_options();
  add("dir", cli::text("DIR"), "the batch directory (tasks, logs, outputs, batch.json)");
  add_execution_options(add);
  return d;
}

int cmd_batch(const cli::CommandLine& cl) {
  const std::string tasks_file = cli::config_argument("batch", cl);
  const std::string dir = cl.get("dir");
  if (dir.empty()) throw InputError("dnngen batch: missing --dir DIR");
  const exec::BatchOptions options = execution_options(cl);
  const auto tasks = exec::read_task_file(tasks_file);
  const exec::BatchResult result = exec::run_batch(tasks, dir, options, progress_printer(cl.has("quiet")));
  std::cout << exec::failure_report(result);
  fmt::print("batch: {} task(s), {} failed, {} from an earlier run, {:.1f} s; summary {}/batch.json\n",
             result.tasks.size(), result.failed(), result.resumed(), result.seconds, result.dir);
  return result.failed() == 0 ? 0 : 1;
}

}  // namespace dnngen
