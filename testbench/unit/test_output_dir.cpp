// Outputs written all or nothing (dnngen/common/output_dir.hpp): an OutputSet commits
// several files together, and a failure in any one (a directory in the way, a full
// device) leaves every target as it was, no temporary file and no directory it made;
// links are followed and devices written through. Concurrent StagedDir commits into one
// directory take turns: each succeeds, the last one's output is whole, nothing is left.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "test_support.hpp"

namespace dnngen::output {
namespace {
namespace fs = std::filesystem;
using dnngen::test_support::listing;
using dnngen::test_support::slurp;

class OutputSetTest : public ::testing::Test {
 protected:
  static void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }

  test_support::TempDir tmp_{"dnngen-test-outputs-"};
  const fs::path& dir_ = tmp_.path();
};

TEST_F(OutputSetTest, CommitsEveryFileTogether) {
  write(dir_ / "old.json", "previous");
  OutputSet outputs;
  outputs.add(dir_ / "c.npy", "tensor");
  outputs.add(dir_ / "old.json", "report", "--json");
  outputs.add(dir_ / "sram" / "pe0.hex", "1\n", "--sram-dir", true);  // a missing directory is made
  EXPECT_TRUE(fs::exists(dir_ / "old.json"));
  EXPECT_FALSE(fs::exists(dir_ / "c.npy")) << "add() must only record, commit() writes";
  outputs.commit();
  EXPECT_EQ(slurp(dir_ / "c.npy"), "tensor");
  EXPECT_EQ(slurp(dir_ / "old.json"), "report");
  EXPECT_EQ(slurp(dir_ / "sram" / "pe0.hex"), "1\n");
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"c.npy", "old.json", "sram"}));
}

TEST_F(OutputSetTest, OneFailingOutputChangesNoTarget) {
  // The failing output comes last: the ones before it must not be in place either.
  write(dir_ / "c.npy", "previous tensor");
  fs::create_directory(dir_ / "in-the-way");
  OutputSet outputs;
  outputs.add(dir_ / "c.npy", "new tensor");
  outputs.add(dir_ / "new" / "deeper" / "pe0.hex", "1\n", "--sram-dir", true);
  outputs.add(dir_ / "in-the-way", "report", "--json");
  try {
    outputs.commit();
    FAIL() << "a directory as an output path was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--json " + (dir_ / "in-the-way").string()), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(slurp(dir_ / "c.npy"), "previous tensor");
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"c.npy", "in-the-way"}))
      << "a temporary file or directory left";
}

TEST_F(OutputSetTest, FullDeviceChangesNoTarget) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  write(dir_ / "c.npy", "previous tensor");
  OutputSet outputs;
  outputs.add(dir_ / "c.npy", "new tensor");
  outputs.add(dir_ / "y.npy", "new");
  outputs.add("/dev/full", "report", "--json");
  EXPECT_THROW(outputs.commit(), InputError);
  EXPECT_EQ(slurp(dir_ / "c.npy"), "previous tensor");
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"c.npy"}));
}

TEST_F(OutputSetTest, FollowsLinksAndWritesThroughDevices) {
  write(dir_ / "target.json", "previous");
  fs::create_symlink("target.json", dir_ / "link.json");
  OutputSet outputs;
  outputs.add(dir_ / "link.json", "new");
  outputs.add("/dev/null", "discarded");
  outputs.commit();
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.json"));
  EXPECT_EQ(slurp(dir_ / "target.json"), "new");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"link.json", "target.json"}));
}

TEST_F(OutputSetTest, FollowsADanglingLinkToTheFileItNames) {
  fs::create_directory(dir_ / "d");
  fs::create_symlink("d/new.json", dir_ / "first.json");  // relative, to a file not made yet
  fs::create_symlink(dir_ / "first.json", dir_ / "second.json");
  EXPECT_EQ(write_target(dir_ / "second.json"), fs::canonical(dir_) / "d" / "new.json");
  replace_file(dir_ / "second.json", "new");
  EXPECT_TRUE(fs::is_symlink(dir_ / "first.json"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "second.json"));
  EXPECT_EQ(slurp(dir_ / "d" / "new.json"), "new");
  EXPECT_EQ(write_target("/dev/null"), fs::path("/dev/null"));
}

TEST_F(OutputSetTest, ReplaceFileIsAnOutputSetOfOne) {
  write(dir_ / "r.json", "previous");
  replace_file(dir_ / "r.json", "new");
  EXPECT_EQ(slurp(dir_ / "r.json"), "new");
  EXPECT_THROW(replace_file(dir_, "x"), InputError);
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"r.json"}));
}

// Concurrent `generate -o DIR` (issue 11 item 10): threads stand in for processes, as
// flock(2) locks belong to each open() of the lock file.
TEST_F(OutputSetTest, ConcurrentStagedDirsIntoOneDirectoryTakeTurns) {
  const DirKind kind{"manifest.json", "dnngen-test-output", "test output"};
  const fs::path out = dir_ / "bundle";
  constexpr int kRuns = 6;
  std::vector<std::string> errors(kRuns);
  std::vector<std::thread> runs;
  for (int i = 0; i < kRuns; ++i) {
    runs.emplace_back([&, i] {
      try {
        StagedDir staged(out.string(), kind);
        write_text_file(staged.path() / "data.txt", std::to_string(i));
        write_text_file(staged.path() / "manifest.json",
                        nlohmann::json{{"format", kind.format}, {"files", {"data.txt"}}}.dump());
        staged.commit();
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : runs) t.join();
  for (int i = 0; i < kRuns; ++i) EXPECT_EQ(errors[i], "") << "run " << i;
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"bundle"})) << "a staging or .old directory left";
  EXPECT_EQ(listing(out), (std::set<std::string>{"data.txt", "manifest.json"}));
}

// Runs that name one directory differently (through a symbolic link) must share its lock.
TEST_F(OutputSetTest, EverySpellingOfADirectorySharesItsLock) {
  fs::create_directory(dir_ / "real");
  fs::create_directory_symlink("real", dir_ / "alias");
  const fs::path lock = lock_path(dir_ / "real" / "bundle");
  EXPECT_EQ(lock_path(dir_ / "alias" / "bundle"), lock);
  EXPECT_EQ(lock_path(dir_ / "alias" / ".." / "real" / "bundle"), lock);
  EXPECT_NE(lock_path(dir_ / "real" / "other"), lock);
  EXPECT_EQ(lock.parent_path(), fs::temp_directory_path() / "dnngen-locks");
}

}  // namespace
}  // namespace dnngen::output
