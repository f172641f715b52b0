#pragma once
// Running an external EDA tool (yosys, iverilog, sta, nextpnr) as one checked step:
// its output in a log file, a missing tool or a non-zero exit a ToolError that names
// the tool, the step and the log and says how to reproduce it.
#include <filesystem>
#include <string>
#include <vector>

namespace dnngen::eda {

// Runs argv (argv[0] looked up on PATH) in `cwd` with stdout and stderr in `log`
// (truncated); returns the wall time. ToolError if the tool is not on PATH, cannot be
// started or exits with a non-zero status; the message's first line names the tool,
// `what` it was doing and the log, then the command and the log's last lines follow.
double run_checked(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                   const std::filesystem::path& log, const std::string& what);

// Writes `text` to `path` (replacing it); ToolError "cannot write PATH" on failure.
void write_text(const std::filesystem::path& path, const std::string& text);

// Creates `dir` (and its parents) if missing and returns it as an absolute path;
// InputError "cannot create work directory ..." if that fails or it is not a directory.
std::filesystem::path make_work_dir(const std::filesystem::path& dir);

}  // namespace dnngen::eda
