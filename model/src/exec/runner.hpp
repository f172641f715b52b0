#pragma once
// The backends behind exec::run_batch (exec/batch.hpp). Each runs one round: a list of
// task scripts, each with the same attempt number; run_batch looks at the tasks' status
// files for progress and results, so a backend only starts, waits and stops.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dnngen/exec/batch.hpp"

namespace dnngen::exec::detail {

class Runner {
 public:
  virtual ~Runner() = default;
  // Starts running every script (`bash SCRIPT ATTEMPT`); returns at once.
  virtual void start(const std::vector<std::filesystem::path>& scripts, int attempt) = 0;
  // True when every script of the round has ended. Throws ToolError if the backend
  // failed (not a task: sbatch refusing the job).
  virtual bool poll() = 0;
  // Scripts started and not ended, if the backend knows (-1: it does not).
  virtual long running() const = 0;
  // Stops everything still running (interrupt); returns when it has.
  virtual void stop() = 0;
};

std::unique_ptr<Runner> make_local_runner(int jobs);
std::unique_ptr<Runner> make_slurm_runner(const std::filesystem::path& batch_dir,
                                          const BatchOptions& options);

// Starts `argv` (argv[0] an absolute path or on PATH) in a process group of its own,
// stdin from /dev/null, stdout and stderr to `log` ("" = /dev/null). Returns its pid;
// ToolError if it cannot be started.
int spawn(const std::vector<std::string>& argv, const std::string& log);
// waitpid without blocking: true (and the exit status, -1 for a signal) once it ended.
bool reap(int pid, int& exit_code);
// SIGTERM to the process group, SIGKILL after `grace_seconds`, then reaped.
void terminate(int pid, double grace_seconds = 5);

}  // namespace dnngen::exec::detail
