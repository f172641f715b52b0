// exec::run_batch: task directories, the task script both backends run, resumption,
// retries and progress (exec/batch.hpp).
#include "dnngen/exec/batch.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/common/strings.hpp"
#include "runner.hpp"

namespace dnngen::exec {
namespace fs = std::filesystem;
using strings::format_duration;
using strings::join;
using strings::trim;
namespace {

// The script every backend runs as `bash task.sh ATTEMPT`. The command's own output goes
// to log.ATTEMPT; the status file is written last (through a rename), so a status that
// exists is complete, and done/ is final before it appears.
const char* const kTaskScript =
    "#!/bin/bash\n"
    "# dnngen batch task (generated; docs/slurm.md). Usage: task.sh ATTEMPT\n"
    "# Runs command.sh in scratch/ with its output in log.ATTEMPT, renames scratch/ to done/\n"
    "# when it exits 0, and writes \"EXIT MILLISECONDS\" to status.ATTEMPT.\n"
    "cd \"$(dirname \"$0\")\" || exit 1\n"
    "attempt=${1:-1}\n"
    "rm -rf scratch done status.\"$attempt\" && mkdir scratch || exit 1\n"
    "export DNNGEN_TASK_DIR=$PWD\n"
    "start=$(date +%s%N)\n"
    "(cd scratch && exec bash ../command.sh) >\"log.$attempt\" 2>&1 </dev/null\n"
    "rc=$?\n"
    "end=$(date +%s%N)\n"
    "[ \"$rc\" -eq 0 ] && { mv scratch done || rc=1; }\n"
    "echo \"$rc $(( (end - start) / 1000000 ))\" >\"status.$attempt.tmp\" && mv \"status.$attempt.tmp\" "
    "\"status.$attempt\"\n"
    "exit \"$rc\"\n";

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

// SIGINT and SIGTERM set a flag for the duration of a batch, so it can stop its tasks and
// leave the directory resumable; the previous handlers come back afterwards.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool valid_id(const std::string& id) {
  return !id.empty() && id != "." && id != ".." && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

void check_tasks(const std::vector<Task>& tasks) {
  if (tasks.empty()) throw InputError("batch: no tasks to run");
  std::set<std::string> seen;
  for (const auto& t : tasks) {
    if (!valid_id(t.id)) {
      throw InputError(fmt::format("batch: task id '{}' must be letters, digits, '.', '_' or '-'", t.id));
    }
    if (!seen.insert(t.id).second) throw InputError(fmt::format("batch: task id '{}' appears twice", t.id));
    if (trim(t.command).empty()) throw InputError(fmt::format("batch: task {} has no command", t.id));
    for (const auto& [name, text] : t.inputs) {
      if (!valid_id(name) || name == "done" || name == "scratch" || name == "signature" ||
          name.rfind("command", 0) == 0 || name.rfind("task", 0) == 0 || name.rfind("log.", 0) == 0 ||
          name.rfind("status.", 0) == 0) {
        throw InputError(
            fmt::format("batch: task {}: input name '{}' is not a free plain file name", t.id, name));
      }
    }
  }
}

std::string signature(const Task& t) {
  std::string s = "command " + std::to_string(t.command.size()) + "\n" + t.command + "\n";
  for (const auto& [name, text] : t.inputs) s += fmt::format("input {} {}\n{}\n", name, text.size(), text);
  return s;
}

std::string read_or_empty(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Makes DIR/tasks/ID ready to run; true if it is already finished (done/ for the same
// signature). A directory made for another command or inputs is cleared.
bool prepare_task(const fs::path& task_dir, const Task& t) {
  const std::string sig = signature(t);
  if (fs::is_directory(task_dir / "done") && read_or_empty(task_dir / "signature") == sig) return true;
  if (fs::exists(task_dir)) fs::remove_all(task_dir);
  fs::create_directories(task_dir);
  for (const auto& [name, text] : t.inputs) output::write_text_file(task_dir / name, text);
  output::write_text_file(task_dir / "command.sh", "# dnngen batch task " + t.id + "\n" + t.command + "\n");
  output::write_text_file(task_dir / "task.sh", kTaskScript);
  output::write_text_file(task_dir / "signature", sig);  // last: a half-made directory never matches
  return false;
}

// status.N: "EXIT MILLISECONDS"; false while it does not exist.
bool read_status(const fs::path& task_dir, int attempt, int& exit_code, double& seconds) {
  std::ifstream in(task_dir / fmt::format("status.{}", attempt));
  long ms = 0;
  if (!(in >> exit_code >> ms)) return false;
  seconds = static_cast<double>(ms) / 1000.0;
  return true;
}

void write_summary(const BatchResult& r, const BatchOptions& o) {
  nlohmann::ordered_json j;
  j["format"] = "dnngen-batch";
  j["backend"] = o.backend == Backend::kSlurm ? "slurm" : "local";
  j["seconds"] = r.seconds;
  j["failed"] = r.failed();
  j["resumed"] = r.resumed();
  j["tasks"] = nlohmann::ordered_json::array();
  for (const auto& t : r.tasks) {
    j["tasks"].push_back({{"id", t.id},
                          {"ok", t.ok},
                          {"resumed", t.resumed},
                          {"attempts", t.attempts},
                          {"exit_code", t.exit_code},
                          {"seconds", t.seconds},
                          {"log", t.log},
                          {"output", t.output}});
  }
  output::replace_file(fs::path(r.dir) / "batch.json", j.dump(2) + "\n");
}

}  // namespace

size_t BatchResult::failed() const {
  return static_cast<size_t>(std::count_if(tasks.begin(), tasks.end(), [](const auto& t) { return !t.ok; }));
}
size_t BatchResult::resumed() const {
  return static_cast<size_t>(
      std::count_if(tasks.begin(), tasks.end(), [](const auto& t) { return t.resumed; }));
}

std::string format_progress(const Progress& p) {
  std::string line = fmt::format("[{}/{}]", p.done, p.total);
  std::vector<std::string> parts;
  if (p.finished) parts.push_back("done");
  if (p.running > 0) parts.push_back(fmt::format("{} running", p.running));
  if (p.retrying > 0) parts.push_back(fmt::format("{} to retry", p.retrying));
  if (p.failed > 0) parts.push_back(fmt::format("{} failed", p.failed));
  if (p.resumed > 0) parts.push_back(fmt::format("{} from an earlier run", p.resumed));
  if (!parts.empty()) line += " " + join(parts, ", ");
  line += "  elapsed " + format_duration(p.elapsed_seconds);
  if (!p.finished) line += "  ETA " + (p.eta_seconds < 0 ? std::string("?") : format_duration(p.eta_seconds));
  return line;
}

BatchResult run_batch(const std::vector<Task>& tasks, const std::string& dir, const BatchOptions& options,
                      const ProgressFn& progress) {
  check_tasks(tasks);
  if (options.attempts < 1) throw InputError("batch: attempts must be at least 1");
  if (!process::tool_exists("bash")) throw ToolError("batch: bash not found on PATH");
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  BatchResult result;
  result.dir = output::normalize(dir).string();
  const fs::path root = result.dir;
  output::check_can_create_in(root, "batch directory");
  fs::create_directories(root / "tasks");
  std::vector<fs::path> task_dirs;
  double total_weight = 0;  // of the tasks this run has to run
  for (const auto& t : tasks) {
    TaskResult r;
    r.id = t.id;
    r.dir = (root / "tasks" / t.id).string();
    r.resumed = r.ok = prepare_task(r.dir, t);
    if (r.ok) {
      r.output = (fs::path(r.dir) / "done").string();
      // The successful attempt of the earlier run: the last status it wrote.
      for (int a = 1; read_status(r.dir, a, r.exit_code, r.seconds); ++a)
        r.log = (fs::path(r.dir) / fmt::format("log.{}", a)).string();
    }
    result.tasks.push_back(r);
    task_dirs.push_back(r.dir);
    if (!r.resumed) total_weight += t.weight;
  }

  const int jobs = options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::unique_ptr<detail::Runner> runner = options.backend == Backend::kSlurm
                                               ? detail::make_slurm_runner(root, options)
                                               : detail::make_local_runner(jobs);
  InterruptGuard guard;
  double done_weight = 0;  // of the tasks finished by this run
  for (int attempt = 1; attempt <= options.attempts; ++attempt) {
    std::vector<size_t> round;
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (!result.tasks[i].ok && (attempt == 1 || result.tasks[i].attempts == attempt - 1))
        round.push_back(i);
    }
    if (round.empty()) break;
    std::vector<fs::path> scripts;
    for (size_t i : round) scripts.push_back(task_dirs[i] / "task.sh");
    runner->start(scripts, attempt);

    // Looks at the round's status files: progress while it runs, results when it ended.
    std::vector<bool> running_now(tasks.size(), false);  // in this round and not ended
    for (size_t i : round) running_now[i] = true;
    size_t ended = 0;
    const auto look = [&](bool last) {
      for (size_t i : round) {
        TaskResult& r = result.tasks[i];
        if (!running_now[i]) continue;
        if (!read_status(task_dirs[i], attempt, r.exit_code, r.seconds) && !last) continue;
        running_now[i] = false;
        ++ended;
        r.attempts = attempt;
        r.log = (task_dirs[i] / fmt::format("log.{}", attempt)).string();
        r.ok = fs::is_directory(task_dirs[i] / "done");
        if (r.ok) {
          r.output = (task_dirs[i] / "done").string();
          done_weight += tasks[i].weight;
        }
      }
      if (!progress) return;
      Progress p;
      p.total = tasks.size();
      for (const auto& r : result.tasks) {
        p.done += r.ok ? 1 : 0;
        p.resumed += r.resumed ? 1 : 0;
      }
      for (size_t i = 0; i < tasks.size(); ++i) {
        const TaskResult& r = result.tasks[i];
        if (r.ok || r.attempts == 0 || running_now[i]) continue;
        (r.attempts >= options.attempts ? p.failed : p.retrying) += 1;
      }
      const long running = runner->running();
      p.running = last ? 0 : running >= 0 ? static_cast<size_t>(running) : round.size() - ended;
      p.elapsed_seconds = elapsed();
      const double remaining = total_weight - done_weight;
      if (done_weight > 0) p.eta_seconds = p.elapsed_seconds * remaining / done_weight;
      progress(p);
    };
    while (!runner->poll()) {
      look(false);
      if (g_interrupted != 0) {
        runner->stop();
        throw ToolError(fmt::format(
            "batch interrupted: {} of {} task(s) finished; run the same command again to "
            "resume ({})",
            std::count_if(result.tasks.begin(), result.tasks.end(), [](const auto& t) { return t.ok; }),
            tasks.size(), result.dir));
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(options.poll_seconds));
    }
    look(true);
  }
  result.seconds = elapsed();
  if (progress) {
    Progress p;
    p.total = tasks.size();
    p.done = tasks.size() - result.failed();
    p.failed = result.failed();
    p.resumed = result.resumed();
    p.elapsed_seconds = result.seconds;
    p.eta_seconds = 0;
    p.finished = true;
    progress(p);
  }
  write_summary(result, options);
  return result;
}

std::string failure_report(const BatchResult& result, size_t lines) {
  std::string text;
  for (const auto& t : result.tasks) {
    if (t.ok) continue;
    const std::string command = read_or_empty(fs::path(t.dir) / "command.sh");
    text += fmt::format("task {} failed after {} attempt(s), exit {}:\n  command: {}\n  log: {}\n", t.id,
                        t.attempts, t.exit_code,
                        trim(command.substr(command.find('\n') + 1, command.size() - command.find('\n') - 2)),
                        t.log);
    std::istringstream tail(process::tail(t.log, lines));
    for (std::string line; std::getline(tail, line);) text += "  | " + line + "\n";
  }
  return text;
}

std::vector<Task> read_task_file(const std::string& path) {
  std::istringstream in(output::read_text_file(path));
  std::vector<Task> tasks;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    const size_t space = text.find_first_of(" \t");
    if (space == std::string::npos) {
      throw InputError(fmt::format("{}:{}: expected 'ID COMMAND...', got only '{}'", path, number, text));
    }
    Task t;
    t.id = text.substr(0, space);
    t.command = trim(text.substr(space + 1));
    if (!valid_id(t.id)) {
      throw InputError(
          fmt::format("{}:{}: task id '{}' must be letters, digits, '.', '_' or '-'", path, number, t.id));
    }
    tasks.push_back(std::move(t));
  }
  if (tasks.empty()) throw InputError(path + ": no tasks (expected lines 'ID COMMAND...')");
  return tasks;
}

}  // namespace dnngen::exec
