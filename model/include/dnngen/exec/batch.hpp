#pragma once
// The execution layer: many independent runs (sweep points, regression shards, infer
// shards) as one batch, on this machine's cores (the local backend, the default) or as
// Slurm job arrays (sbatch). Both backends run the same per-task script, so a batch's results do not
// depend on which one ran it. docs/slurm.md describes the layout and the options.
//
// A batch lives in a directory of its own:
//   DIR/tasks/ID/task.sh      the task's script (generated): runs the command in scratch/,
//                             output in log.N, "EXIT MILLISECONDS" in status.N; renames
//                             scratch/ to done/ when the command exits 0 (the atomic gather)
//   DIR/tasks/ID/signature    the command and inputs it was made for
//   DIR/tasks/ID/<inputs>     files the task reads (Task::inputs)
//   DIR/slurm/                the array script, the id lists and Slurm's own output files
//   DIR/batch.json            the summary of the last run (written when it ends)
// A task whose done/ exists and whose signature matches is finished: a batch run again
// (after an interruption or a failure) runs only the others.
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace dnngen::exec {

struct Task {
  std::string id;       // letters, digits, '.', '_', '-': the name of its directory
  std::string command;  // a bash command line, run in the task's scratch directory
  // Files written into the task's directory before it runs (name, text); part of the
  // signature, so a changed input reruns the task.
  std::vector<std::pair<std::string, std::string>> inputs;
  double weight = 1;  // relative run time, for the ETA
};

enum class Backend { kLocal, kSlurm };

struct SlurmOptions {
  std::string partition;   // sbatch --partition ("" = the cluster's default)
  std::string time_limit;  // sbatch --time, e.g. 30 or 1:00:00 ("" = the partition's)
  int cpus_per_task = 1;   // sbatch --cpus-per-task
  std::string memory;      // sbatch --mem, e.g. 4G ("" = the cluster's default)
  int max_parallel = 0;    // the array's %N throttle (0 = none)
};

struct BatchOptions {
  Backend backend = Backend::kLocal;
  int jobs = 0;  // local: tasks at once (0 = the machine's cores)
  SlurmOptions slurm;
  int attempts = 2;                 // a failed task runs once more, then is reported
  std::string job_name = "dnngen";  // Slurm's job name
  double poll_seconds = 0.2;        // how often progress is looked at
};

struct TaskResult {
  std::string id;
  bool ok = false;
  bool resumed = false;  // finished by an earlier run of the batch; not run now
  int attempts = 0;      // runs made by this run of the batch
  int exit_code = -1;    // of the last attempt (-1: it left no status)
  double seconds = 0;    // wall time of the last attempt (as the task measured it)
  std::string dir;       // DIR/tasks/ID
  std::string output;    // DIR/tasks/ID/done when ok: what the command wrote
  std::string log;       // the last attempt's output
};

struct BatchResult {
  std::string dir;
  std::vector<TaskResult> tasks;  // in the order given
  double seconds = 0;
  size_t failed() const;
  size_t resumed() const;
};

struct Progress {
  size_t total = 0;
  size_t done = 0;      // finished ok, including resumed ones
  size_t resumed = 0;   // of those, finished by an earlier run
  size_t failed = 0;    // failed for good (every attempt)
  size_t running = 0;   // started and not finished (local), or submitted (Slurm)
  size_t retrying = 0;  // failed once, waiting for their next attempt
  double elapsed_seconds = 0;
  double eta_seconds = -1;  // < 0: unknown (nothing finished yet)
  bool finished = false;    // the last call
};
using ProgressFn = std::function<void(const Progress&)>;

// "[5/24] 2 running, 1 failed  elapsed 0:12  ETA 0:40"
std::string format_progress(const Progress& p);

// Checks the tasks (InputError: an empty list, a bad or repeated id, an empty command,
// an input name that is not a plain file name), prepares DIR (created if absent; a task
// directory made for another command or inputs is cleared), then runs every unfinished
// task on the backend: each at most `attempts` times. Returns when all have finished or
// failed; a failure is reported in the result, not thrown. ToolError when the backend
// cannot run at all (no bash, no sbatch, sbatch refusing the job) and when interrupted
// (SIGINT/SIGTERM: running tasks are stopped, Slurm jobs cancelled; the batch resumes).
BatchResult run_batch(const std::vector<Task>& tasks, const std::string& dir, const BatchOptions& options,
                      const ProgressFn& progress = {});

// The failed tasks, each with its command, exit code, log path and the log's last
// `lines` lines; "" when none failed.
std::string failure_report(const BatchResult& result, size_t lines = 10);

// A task list for `dnngen batch`: one task a line, "ID COMMAND..." (the first word is the
// id, the rest of the line the command); blank lines and lines starting with '#' are
// skipped. InputError naming the file and line for a line without a command.
std::vector<Task> read_task_file(const std::string& path);

}  // namespace dnngen::exec
