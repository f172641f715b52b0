// The execution layer (exec/batch.hpp) on the local backend: parallel workers, the
// atomic gather into done/, one retry, resumption, interruption and bad task lists. The
// Slurm backend runs the same task scripts; testbench/slurm tests it on a real cluster.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "dnngen/common/error.hpp"
#include "dnngen/exec/batch.hpp"

namespace dnngen::exec {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dnngen-test-exec-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  BatchOptions local(int jobs) const {
    BatchOptions o;
    o.jobs = jobs;
    o.poll_seconds = 0.02;
    return o;
  }
  std::string batch() const { return (dir_ / "batch").string(); }
  fs::path dir_;
};

std::string input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ExecProgress, Line) {
  Progress p;
  p.total = 24;
  p.done = 5;
  p.running = 2;
  p.failed = 1;
  p.elapsed_seconds = 75;
  p.eta_seconds = 3725;
  EXPECT_EQ(format_progress(p), "[5/24] 2 running, 1 failed  elapsed 1:15  ETA 1:02:05");
  p.eta_seconds = -1;
  p.retrying = 3;
  p.resumed = 4;
  EXPECT_EQ(format_progress(p),
            "[5/24] 2 running, 3 to retry, 1 failed, 4 from an earlier run  elapsed 1:15  ETA ?");
  p = Progress{};
  p.total = p.done = 24;
  p.finished = true;
  p.elapsed_seconds = 3;
  EXPECT_EQ(format_progress(p), "[24/24] done  elapsed 0:03");
}

TEST_F(ExecTest, RunsTasksInParallelAndGathersTheirOutputs) {
  std::vector<Task> tasks;
  for (int i = 0; i < 4; ++i) {
    Task t;
    t.id = "t" + std::to_string(i);
    t.command = "sleep 0.6; cat ../in.txt > out.txt; echo said " + std::to_string(i);
    t.inputs = {{"in.txt", "input " + std::to_string(i)}};
    tasks.push_back(t);
  }
  std::vector<Progress> seen;
  const auto t0 = std::chrono::steady_clock::now();
  const BatchResult r = run_batch(tasks, batch(), local(4), [&](const Progress& p) { seen.push_back(p); });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(wall, 4 * 0.6) << "4 workers run the 4 tasks at once";
  ASSERT_EQ(r.tasks.size(), 4u);
  EXPECT_EQ(r.failed(), 0u);
  for (int i = 0; i < 4; ++i) {
    const TaskResult& t = r.tasks[i];
    EXPECT_TRUE(t.ok);
    EXPECT_EQ(t.attempts, 1);
    EXPECT_EQ(t.exit_code, 0);
    EXPECT_GE(t.seconds, 0.5);
    EXPECT_EQ(slurp(fs::path(t.output) / "out.txt"), "input " + std::to_string(i));
    EXPECT_EQ(slurp(t.log), "said " + std::to_string(i) + "\n");
    EXPECT_FALSE(fs::exists(fs::path(t.dir) / "scratch")) << "scratch/ became done/";
  }
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(seen.back().finished);
  EXPECT_EQ(seen.back().done, 4u);
  EXPECT_TRUE(fs::exists(fs::path(batch()) / "batch.json"));
}

TEST_F(ExecTest, OneWorkerRunsOneTaskAtATime) {
  std::vector<Task> tasks = {{"a", "sleep 0.3", {}, 1}, {"b", "sleep 0.3", {}, 1}};
  size_t most = 0;
  const BatchResult r =
      run_batch(tasks, batch(), local(1), [&](const Progress& p) { most = std::max(most, p.running); });
  EXPECT_EQ(r.failed(), 0u);
  EXPECT_EQ(most, 1u);
}

TEST_F(ExecTest, AFailedTaskRunsOnceMoreThenIsReportedWithItsLog) {
  // flaky fails on its first attempt only (a counter beside it); broken always fails.
  const std::vector<Task> tasks = {
      {"flaky", "n=$(cat ../count 2>/dev/null || echo 0); echo $((n + 1)) > ../count; [ $n -ge 1 ]", {}, 1},
      {"broken", "echo something went wrong; exit 7", {}, 1}};
  const BatchResult r = run_batch(tasks, batch(), local(2));
  EXPECT_TRUE(r.tasks[0].ok);
  EXPECT_EQ(r.tasks[0].attempts, 2);
  EXPECT_FALSE(r.tasks[1].ok);
  EXPECT_EQ(r.tasks[1].attempts, 2);
  EXPECT_EQ(r.tasks[1].exit_code, 7);
  EXPECT_EQ(r.failed(), 1u);
  const std::string report = failure_report(r);
  EXPECT_NE(report.find("task broken failed after 2 attempt(s), exit 7"), std::string::npos) << report;
  EXPECT_NE(report.find("command: echo something went wrong; exit 7"), std::string::npos) << report;
  EXPECT_NE(report.find("| something went wrong"), std::string::npos) << report;
  EXPECT_NE(report.find("log.2"), std::string::npos) << report;
  EXPECT_EQ(report.find("flaky"), std::string::npos) << report;

  BatchOptions once = local(2);
  once.attempts = 1;
  fs::remove_all(batch());
  EXPECT_FALSE(run_batch(tasks, batch(), once).tasks[0].ok) << "attempts = 1: no retry";
}

TEST_F(ExecTest, ARunAgainSkipsFinishedTasksAndRerunsChangedOnes) {
  std::vector<Task> tasks = {{"a", "echo a >> ../runs; touch out", {{"in", "1"}}, 1},
                             {"b", "echo b >> ../runs; exit 1", {}, 1},
                             {"c", "echo c >> ../runs", {}, 1}};
  BatchOptions o = local(2);
  o.attempts = 1;
  run_batch(tasks, batch(), o);
  const fs::path tasks_dir = fs::path(batch()) / "tasks";

  const BatchResult again = run_batch(tasks, batch(), o);
  EXPECT_TRUE(again.tasks[0].resumed);
  EXPECT_TRUE(again.tasks[0].ok);
  EXPECT_FALSE(again.tasks[1].resumed) << "a failed task runs again";
  EXPECT_TRUE(again.tasks[2].resumed);
  EXPECT_EQ(again.resumed(), 2u);
  EXPECT_EQ(slurp(tasks_dir / "a" / "runs"), "a\n") << "not run twice";
  EXPECT_EQ(slurp(tasks_dir / "b" / "runs"), "b\n") << "its directory starts afresh";
  EXPECT_TRUE(fs::exists(fs::path(again.tasks[0].output) / "out"));

  tasks[0].inputs = {{"in", "2"}};         // a changed input
  tasks[2].command = "echo C >> ../runs";  // a changed command
  const BatchResult changed = run_batch(tasks, batch(), o);
  EXPECT_FALSE(changed.tasks[0].resumed);
  EXPECT_FALSE(changed.tasks[2].resumed);
  EXPECT_EQ(slurp(tasks_dir / "a" / "in"), "2");
  EXPECT_EQ(slurp(tasks_dir / "c" / "runs"), "C\n");
}

TEST_F(ExecTest, AnInterruptStopsTheTasksAndTheBatchResumes) {
  const std::vector<Task> tasks = {{"quick", "true", {}, 1}, {"slow", "sleep 30; touch out", {}, 1}};
  std::thread interrupter([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(::getpid(), SIGINT);
  });
  const auto t0 = std::chrono::steady_clock::now();
  try {
    run_batch(tasks, batch(), local(2));
    ADD_FAILURE() << "no error after SIGINT";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("interrupted: 1 of 2 task(s) finished"), std::string::npos)
        << e.what();
  }
  interrupter.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10)
      << "the sleeping task was stopped";
  const fs::path slow = fs::path(batch()) / "tasks" / "slow";
  EXPECT_FALSE(fs::exists(slow / "done"));

  std::vector<Task> resumed = tasks;
  resumed[1].command = "touch out";
  const BatchResult r = run_batch(resumed, batch(), local(2));
  EXPECT_TRUE(r.tasks[0].resumed);
  EXPECT_TRUE(r.tasks[1].ok);
}

TEST_F(ExecTest, BadTaskListsAreInputErrors) {
  const auto err = [&](const std::vector<Task>& tasks) {
    return input_error([&] { run_batch(tasks, batch(), local(1)); });
  };
  EXPECT_EQ(err({}), "batch: no tasks to run");
  EXPECT_NE(err({{"a/b", "true", {}, 1}}).find("task id 'a/b' must be"), std::string::npos);
  EXPECT_NE(err({{"..", "true", {}, 1}}).find("task id '..'"), std::string::npos);
  EXPECT_NE(err({{"a", "true", {}, 1}, {"a", "true", {}, 1}}).find("task id 'a' appears twice"),
            std::string::npos);
  EXPECT_NE(err({{"a", "  ", {}, 1}}).find("task a has no command"), std::string::npos);
  EXPECT_NE(err({{"a", "true", {{"done", ""}}, 1}}).find("input name 'done'"), std::string::npos);
  EXPECT_FALSE(fs::exists(batch())) << "nothing made for bad input";

  const fs::path file = dir_ / "tasks.txt";
  std::ofstream(file) << "# a comment\n\none echo 1\n  two   echo 2 3  \nthree\n";
  EXPECT_EQ(input_error([&] { read_task_file(file.string()); }),
            file.string() + ":5: expected 'ID COMMAND...', got only 'three'");
  std::ofstream(file) << "one echo 1\n  two   echo 2 3  \n";
  const auto tasks = read_task_file(file.string());
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[1].id, "two");
  EXPECT_EQ(tasks[1].command, "echo 2 3");
  std::ofstream(file) << "# nothing\n";
  EXPECT_NE(input_error([&] { read_task_file(file.string()); }).find("no tasks"), std::string::npos);
  std::ofstream(file) << "a;b echo\n";
  EXPECT_NE(input_error([&] { read_task_file(file.string()); }).find(":1: task id 'a;b'"), std::string::npos);
}

}  // namespace
}  // namespace dnngen::exec
