// The local backend: up to `jobs` task scripts at once on this machine, each in a process
// group of its own so an interrupt stops a task and everything it started.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <thread>

#include "dnngen/common/error.hpp"
#include "runner.hpp"

namespace dnngen::exec::detail {
namespace fs = std::filesystem;

int spawn(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The batch's SIGINT/SIGTERM handler must not reach the child: signals stay blocked
  // across fork until the child has put the default actions back.
  sigset_t block, previous;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &block, &previous);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    throw ToolError(fmt::format("cannot start {}: {}", argv.at(0), std::strerror(errno)));
  }
  if (pid == 0) {
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    ::setpgid(0, 0);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = log.empty() ? ::open("/dev/null", O_WRONLY)
                                : ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (in < 0 || out < 0) ::_exit(127);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execvp(args[0], args.data());
    const std::string why = fmt::format("cannot execute {}: {}\n", argv.at(0), std::strerror(errno));
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, why.data(), why.size());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here: no race with terminate() before the child ran
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  return pid;
}

bool reap(int pid, int& exit_code) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == 0) return false;
  if (r < 0) {
    exit_code = -1;  // not our child any more: treat as ended
    return true;
  }
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return true;
}

void terminate(int pid, double grace_seconds) {
  ::kill(-pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(grace_seconds);
  int code = 0;
  while (!reap(pid, code)) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);  // whatever the task left behind in its group
}

namespace {

class LocalRunner : public Runner {
 public:
  explicit LocalRunner(int jobs) : jobs_(jobs) {}

  void start(const std::vector<fs::path>& scripts, int attempt) override {
    queue_.assign(scripts.begin(), scripts.end());
    attempt_ = attempt;
    launch();
  }

  bool poll() override {
    for (auto it = children_.begin(); it != children_.end();) {
      int code = 0;
      it = reap(*it, code) ? children_.erase(it) : it + 1;
    }
    launch();
    return queue_.empty() && children_.empty();
  }

  long running() const override { return static_cast<long>(children_.size()); }

  void stop() override {
    for (int pid : children_) ::kill(-pid, SIGTERM);
    for (int pid : children_) terminate(pid);
    children_.clear();
    queue_.clear();
  }

 private:
  void launch() {
    while (!queue_.empty() && static_cast<int>(children_.size()) < jobs_) {
      children_.push_back(spawn({"bash", queue_.front().string(), std::to_string(attempt_)}, ""));
      queue_.pop_front();
    }
  }

  int jobs_;
  int attempt_ = 1;
  std::deque<fs::path> queue_;
  std::vector<int> children_;
};

}  // namespace

std::unique_ptr<Runner> make_local_runner(int jobs) { return std::make_unique<LocalRunner>(jobs); }

}  // namespace dnngen::exec::detail
