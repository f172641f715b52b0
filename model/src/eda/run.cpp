// Checked runs of external tools (eda/run.hpp).
#include "dnngen/eda/run.hpp"

#include <fmt/format.h>

#include <fstream>

#include "dnngen/common/error.hpp"
#include "dnngen/common/process.hpp"

namespace dnngen::eda {
namespace fs = std::filesystem;

double run_checked(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& log,
                   const std::string& what) {
  const std::string& tool = argv.front();
  if (!process::tool_exists(tool)) {
    throw ToolError(fmt::format("{} not found on PATH (needed for {})", tool, what));
  }
  process::RunOptions options;
  options.cwd = cwd.string();
  options.truncate_log = true;
  const process::RunResult result = process::run_program(argv, log.string(), options);
  if (!result.started) {
    throw ToolError(fmt::format("{}: could not start it for {} (log {})", tool, what, log.string()));
  }
  if (result.exit_code != 0) {
    throw ToolError(
        fmt::format("{} failed (exit status {}) during {}; see the log {}\n"
                    "reproduce with: cd {} && {}\nlast lines of the log:\n{}",
                    tool, result.exit_code, what, log.string(), process::command_line({cwd.string()}),
                    process::command_line(argv), process::tail(log.string(), 12)));
  }
  return result.seconds;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw ToolError(fmt::format("cannot write {}", path.string()));
}

fs::path make_work_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw InputError(fmt::format("cannot create work directory '{}': {}", dir.string(),
                                 ec ? ec.message() : "not a directory"));
  }
  return fs::absolute(dir);
}

}  // namespace dnngen::eda
