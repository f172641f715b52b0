// The client of a shell simulator's serve mode (shell/sim_server.hpp).
#include "dnngen/shell/sim_server.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "dnngen/common/error.hpp"

namespace dnngen::shell {
namespace fs = std::filesystem;
namespace {

// How long the destructor waits for the simulator to end after closing its stdin.
constexpr auto kExitWait = std::chrono::seconds(5);

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writes all of `data`; false when the reader has gone (EPIPE). SIGPIPE is blocked meanwhile
// and a SIGPIPE the write raised is taken, so a dead simulator neither kills us nor leaves
// the signal pending.
bool write_all(int fd, const std::string& data) {
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
  bool ok = true;
  for (std::size_t done = 0; done < data.size();) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (!ok && errno == EPIPE && !sigismember(&old, SIGPIPE)) {
    const timespec now{0, 0};
    while (::sigtimedwait(&pipe_signal, nullptr, &now) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

// `fd` as the child's descriptor `target`, open across exec (in the forked child: system
// calls only).
bool move_fd(int fd, int target) {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;  // dup2 would keep O_CLOEXEC
  return ::dup2(fd, target) == target;
}

// Waits up to `limit` for the child to end, then kills it; its wait status.
int reap(pid_t pid, std::chrono::steady_clock::duration limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return status;  // not our child any more
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

// Where the request files go: $TMPDIR when set, else /dev/shm (a memory file system) when
// there is one, else /tmp. On ext4 a request's image, rewritten and renamed over, costs about
// 3 ms of writeback a request (a one-layer request: 3.8 ms against 0.5 ms on tmpfs).
fs::path scratch_base() {
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') return tmp;
  if (::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

void write_file(const fs::path& path, const char* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  bool ok = f != nullptr && std::fwrite(data, 1, size, f) == size;
  int err = errno;
  if (f != nullptr && std::fclose(f) != 0 && ok) ok = false, err = errno;
  if (!ok)
    throw ToolError(fmt::format("cannot write {} for the simulator: {} (TMPDIR chooses the directory)",
                                path.string(), std::strerror(err)));
}

uint64_t counter(const nlohmann::json& layer, const char* name) {
  const auto it = layer.find(name);
  if (it == layer.end() || !it->is_number_unsigned())
    throw ToolError(fmt::format("the simulator's reply has no counter {}: {}", name, layer.dump()));
  return it->get<uint64_t>();
}

}  // namespace

ShellSimServer::ShellSimServer(const std::string& executable, const std::string& config_path, uint64_t seed)
    : executable_(executable) {
  std::string pattern = (scratch_base() / "dnngen-sim-server-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw ToolError(fmt::format("cannot create a temporary directory {}: {}", pattern, std::strerror(errno)));
  dir_ = pattern;

  // Requests, replies, and one that exec closes (the child reports a failed exec on it).
  int in[2] = {-1, -1}, out[2] = {-1, -1}, exec_failure[2] = {-1, -1};
  const std::string seed_text = std::to_string(seed);
  std::vector<std::string> args = {executable, "serve", config_path, "--seed", seed_text};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(exec_failure, O_CLOEXEC) != 0 ||
      (pid_ = ::fork()) < 0) {
    const int err = errno;
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &exec_failure[0], &exec_failure[1]}) close_fd(*fd);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw ToolError(fmt::format("cannot start the simulator {}: {}", executable, std::strerror(err)));
  }
  if (pid_ == 0) {
    // The child: system calls only until exec. It dies with us.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // we died before the line above
    if (move_fd(in[0], STDIN_FILENO) && move_fd(out[1], STDOUT_FILENO)) ::execv(argv[0], argv.data());
    const int err = errno;
    ssize_t ignored = ::write(exec_failure[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(exec_failure[1]);
  to_child_ = in[1];
  from_child_ = out[0];
  int err = 0;
  ssize_t n;
  while ((n = ::read(exec_failure[0], &err, sizeof err)) < 0 && errno == EINTR) {
  }
  close_fd(exec_failure[0]);
  if (n > 0) {
    close_fd(to_child_);
    close_fd(from_child_);
    reap(pid_, kExitWait);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw ToolError(fmt::format("cannot start the simulator {}: {}", executable, std::strerror(err)));
  }
}

ShellSimServer::~ShellSimServer() {
  close_fd(to_child_);  // EOF: the simulator ends its loop
  if (pid_ > 0) reap(pid_, kExitWait);
  close_fd(from_child_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void ShellSimServer::died(const std::string& what) {
  close_fd(to_child_);
  close_fd(from_child_);
  if (pid_ <= 0) throw ToolError(fmt::format("the simulator {} has ended; it cannot {}", executable_, what));
  const int status = reap(pid_, kExitWait);
  pid_ = -1;
  throw ToolError(fmt::format("the simulator {} {} while it was to {} (its messages are above)", executable_,
                              describe_status(status), what));
}

std::string ShellSimServer::read_line() {
  char buffer[1 << 16];
  for (;;) {
    if (const auto end = pending_.find('\n'); end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return line;
    }
    if (from_child_ < 0) died("answer a request");
    const ssize_t n = ::read(from_child_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) died("answer a request");
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

ShellSimServer::Result ShellSimServer::run(std::vector<uint8_t>& memory,
                                           const std::vector<LayerDescriptor>& descriptors) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : descriptors) {
    nlohmann::json image = nlohmann::json::array();
    for (const auto& [offset, value] : encode(d)) image.push_back({offset, value});
    list.push_back(image);
  }
  const fs::path image_path = fs::path(dir_) / "memory.bin", list_path = fs::path(dir_) / "descriptors.json";
  write_file(image_path, reinterpret_cast<const char*>(memory.data()), memory.size());
  const std::string text = list.dump();
  write_file(list_path, text.data(), text.size());

  if (to_child_ < 0 || !write_all(to_child_, image_path.string() + " " + list_path.string() + "\n"))
    died("take a request");
  const std::string line = read_line();
  nlohmann::json reply;
  try {
    reply = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error&) {
    throw ToolError(
        fmt::format("the simulator {} answered with a line that is not JSON: {}", executable_, line));
  }
  if (!reply.is_object() || !reply.contains("ok"))
    throw ToolError(fmt::format("the simulator {} answered: {}", executable_, line));
  const auto text_of = [](const nlohmann::json& j) {
    return j.is_string() ? j.get<std::string>() : j.dump();
  };
  if (reply.contains("error"))
    throw ToolError(fmt::format("the simulator refused the request: {}", text_of(reply["error"])));
  if (reply["ok"] != true) {
    std::string problems;
    for (const auto& p : reply.value("problems", nlohmann::json::array()))
      problems += (problems.empty() ? "" : "; ") + text_of(p);
    throw ToolError(fmt::format("the RTL differs from the models ({} layers on a {}-byte image): {}",
                                descriptors.size(), memory.size(), problems));
  }

  Result r;
  r.sim_cycles = reply.value("sim_cycles", uint64_t{0});
  r.sim_seconds = reply.value("sim_seconds", 0.0);
  const nlohmann::json layers = reply.value("layers", nlohmann::json::array());
  if (layers.size() != descriptors.size())
    throw ToolError(
        fmt::format("the simulator ran {} of {} layers: {}", layers.size(), descriptors.size(), line));
  for (const auto& l : layers) {
    Layer layer;
    layer.counters = {counter(l, "cycles"), counter(l, "compute"), counter(l, "mem_wait"),
                      counter(l, "bytes_read"), counter(l, "bytes_written")};
    layer.model_cycles = counter(l, "model_cycles");
    if (layer.counters.cycles != layer.model_cycles)
      throw ToolError(fmt::format("the simulator reported ok but RTL cycles {} against the model's {}",
                                  layer.counters.cycles, layer.model_cycles));
    r.layers.push_back(layer);
  }

  std::ifstream f(image_path, std::ios::binary);
  std::vector<uint8_t> after(memory.size());
  if (!f.read(reinterpret_cast<char*>(after.data()), static_cast<std::streamsize>(after.size())) ||
      f.peek() != std::char_traits<char>::eof())
    throw ToolError(fmt::format("the simulator's memory image {} is not the {} bytes it was given",
                                image_path.string(), memory.size()));
  memory.swap(after);
  return r;
}

}  // namespace dnngen::shell
