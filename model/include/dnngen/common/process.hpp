#pragma once
// Running external tools (verilator, yosys, make, ...) with their output in a log file.
// Programs are started directly (fork + execvp, no shell), so arguments need no quoting.
#include <string>
#include <utility>
#include <vector>

namespace dnngen::process {

// True if `name` is an executable on PATH (or, if it contains a '/', that file is).
bool tool_exists(const std::string& name);

// Absolute path of `name` on PATH, or "" if there is none.
std::string find_tool(const std::string& name);

struct RunOptions {
  std::string cwd;                                       // "" = current directory
  std::vector<std::pair<std::string, std::string>> env;  // set in the child only
  bool truncate_log = false;                             // default: append
  double timeout_seconds = 0;                            // 0 = no limit
};

struct RunResult {
  int exit_code = -1;      // exit status; -1 if not started or killed by a signal
  bool started = false;    // false: fork failed or the log could not be opened
  bool timed_out = false;  // killed (with its process group) after timeout_seconds
  double seconds = 0;      // wall time
};

// Runs argv[0] (looked up on PATH) with the arguments; stdout and stderr go to
// log_path, stdin is /dev/null. A program that cannot be executed exits with 127
// after writing the reason to the log (the shell's convention).
RunResult run_program(const std::vector<std::string>& argv, const std::string& log_path,
                      const RunOptions& options = {});

// Same, appending to the log; returns the exit status, or -1 if the program could not
// be started or died from a signal.
int run(const std::vector<std::string>& argv, const std::string& log_path, const std::string& cwd = "");

// The command as one shell-quoted line, for "reproduce with" messages.
std::string command_line(const std::vector<std::string>& argv);

// Last `lines` lines of a text file (for error messages that point at a log).
std::string tail(const std::string& path, size_t lines);

}  // namespace dnngen::process
