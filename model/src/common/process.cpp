#include "dnngen/common/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace dnngen::process {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The child's environment: ours with the overrides applied. Built before fork()
// because only async-signal-safe calls are allowed between fork() and exec() in a
// multi-threaded parent (setenv() may take the allocator's lock).
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [key, value] : overrides) overridden = overridden || key == name;
    if (!overridden) env.push_back(entry);
  }
  for (const auto& [key, value] : overrides) env.push_back(key + "=" + value);
  return env;
}

// Writes "dnngen: cannot execute <prog>: <reason>" with write(2) only (we are in the
// forked child).
void report_exec_failure(int fd, const char* program, int err) {
  const char* prefix = "dnngen: cannot execute ";
  const char* reason = ::strerror(err);
  ssize_t ignored = ::write(fd, prefix, std::strlen(prefix));
  ignored = ::write(fd, program, std::strlen(program));
  ignored = ::write(fd, ": ", 2);
  ignored = ::write(fd, reason, std::strlen(reason));
  ignored = ::write(fd, "\n", 1);
  (void)ignored;
}

}  // namespace

std::string find_tool(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return is_executable_file(name) ? name : "";
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return "";
}

bool tool_exists(const std::string& name) { return !find_tool(name).empty(); }

RunResult run_program(const std::vector<std::string>& argv, const std::string& log_path,
                      const RunOptions& options) {
  RunResult result;
  if (argv.empty()) return result;
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.truncate_log ? O_TRUNC : O_APPEND);
  const int log_fd = ::open(log_path.c_str(), flags, 0644);
  if (log_fd < 0) return result;

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> env_strings = child_environment(options.env);
  std::vector<char*> envp;
  for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const bool own_group = options.timeout_seconds > 0;

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return result;
  }
  if (pid == 0) {
    // A process group of its own lets a timeout kill the tool's children too (make
    // -> g++, yosys -> abc). Without a timeout the child stays in our group so that
    // Ctrl-C reaches it.
    if (own_group) ::setpgid(0, 0);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
      report_exec_failure(STDERR_FILENO, options.cwd.c_str(), errno);
      ::_exit(127);
    }
    ::execvpe(args[0], args.data(), envp.data());
    report_exec_failure(STDERR_FILENO, args[0], errno);
    ::_exit(127);
  }
  ::close(log_fd);
  // Also from the parent, so the group exists before any kill (the usual race fix).
  if (own_group) ::setpgid(pid, pid);
  result.started = true;

  int status = 0;
  if (!own_group) {
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return result;
    }
  } else {
    const auto deadline = start + std::chrono::duration<double>(options.timeout_seconds);
    for (;;) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (done < 0 && errno != EINTR) return result;
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.exit_code = (!result.timed_out && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return result;
}

int run(const std::vector<std::string>& argv, const std::string& log_path, const std::string& cwd) {
  RunOptions options;
  options.cwd = cwd;
  return run_program(argv, log_path, options).exit_code;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-+=./:,@%") == std::string::npos;
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) line += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

std::string tail(const std::string& path, size_t lines) {
  std::ifstream f(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(f, line)) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

}  // namespace dnngen::process
