// RTL bundle (`dnngen generate`): the files of a bundle for a 2x2 config, the
// manifest's sizes and SHA-256 hashes, the wrapper linted by Verilator -Wall together
// with the bundle's rtl/ and elaborated by Yosys, replacing a previous bundle,
// filling an empty directory, refusing to overwrite anything else, and leaving
// nothing behind when it fails. Tests that need Yosys / Verilator skip without them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/generate/bundle.hpp"
#include "dnngen/rtl/sources.hpp"
#include "dnngen/shell/wrapper.hpp"
#include "test_support.hpp"

namespace dnngen::generate {
namespace {
namespace fs = std::filesystem;
using dnngen::test_support::listing;
using dnngen::test_support::slurp;

std::string yaml(const std::string& name, unsigned rows) {
  return "# bundle test config\nname: " + name + R"(
engine: systolic
systolic:
  rows: )" +
         std::to_string(rows) + R"(
  cols: 2
  dataflow: weight_stationary
  input_bits: 8
  weight_bits: 8
  acc_bits: 24
  signed: true
  overflow: wrap
  max_m: 8
  max_n: 8
  max_k: 8
)";
}

using dnngen::test_support::ScopedEnv;

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!process::tool_exists("yosys")) GTEST_SKIP() << "yosys not installed (it elaborates the top)";
    std::string pattern = (fs::temp_directory_path() / "dnngen-test-bundle-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directory(dir_ / "cfg");
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  config::Config load(const std::string& name, unsigned rows = 2) {
    const fs::path path = dir_ / "cfg" / (name + ".yaml");
    std::ofstream(path) << yaml(name, rows);
    return config::load_config(path.string());
  }

  // Runs a tool with its output in a log under the temp dir; returns exit status and log.
  std::pair<int, std::string> run(const std::vector<std::string>& argv, const fs::path& cwd) {
    const fs::path log = dir_ / "tool.log";
    process::RunOptions opt;
    opt.cwd = cwd.string();
    opt.truncate_log = true;
    const int rc = process::run_program(argv, log.string(), opt).exit_code;
    return {rc, slurp(log)};
  }

  fs::path dir_;
};

TEST_F(BundleTest, WritesEveryFileWithManifest) {
  const config::Config cfg = load("tiny_bundle");
  const fs::path out = dir_ / "out";
  write_bundle(cfg, out.string());

  const std::vector<std::string> sources = rtl::rtl_sources(cfg);
  for (const auto& rel : sources) {
    EXPECT_EQ(slurp(out / "rtl" / rel), slurp(fs::path(rtl::rtl_root()) / rel)) << rel;
  }
  for (const char* f : {"tiny_bundle.sv", "tiny_bundle.f", "tiny_bundle.core", "manifest.json"}) {
    EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
  }

  // Filelist: relative paths that exist in the bundle, wrapper last.
  std::istringstream list(slurp(out / "tiny_bundle.f"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(list, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), sources.size() + 1);
  EXPECT_EQ(lines.back(), "tiny_bundle.sv");
  for (const auto& line : lines) {
    EXPECT_TRUE(fs::path(line).is_relative()) << line;
    EXPECT_TRUE(fs::is_regular_file(out / line)) << line;
  }

  const nlohmann::json m = nlohmann::json::parse(slurp(out / "manifest.json"));
  EXPECT_EQ(m["format"], kBundleFormat);
  EXPECT_EQ(m["dnngen_version"], "0.1.0");
  EXPECT_EQ(m["name"], "tiny_bundle");
  EXPECT_EQ(m["engine"], "systolic");
  EXPECT_EQ(m["config"]["yaml"], yaml("tiny_bundle", 2));
  for (const auto& [name, value] : config::rtl_parameters(cfg))
    EXPECT_EQ(m["parameters"][name], value) << name;
  std::set<std::string> listed;
  for (const auto& f : m["files"]) {
    const std::string rel = f["path"];
    const std::string content = slurp(out / rel);
    EXPECT_EQ(f["bytes"], content.size()) << rel;
    EXPECT_EQ(f["sha256"], sha256_hex(content)) << rel;
    listed.insert(rel);
  }
  // sources, wrapper, .f, .core; and the shell's files (its RTL with the register package,
  // wrapper, .f, .core, .sdc, regmap.md, dnngen_regs.h) for a weight-stationary engine
  const size_t shell_files =
      config::has_shell(cfg) ? rtl::filelist_sources(shell::shell_filelist(cfg)).size() + 7 : 0;
  EXPECT_EQ(listed.size(), sources.size() + 3 + shell_files);
  EXPECT_EQ(m.contains("shell"), config::has_shell(cfg));
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"cfg", "out"})) << "no temporary directory left";

  // Port widths from the elaborated RTL: out_data_o is cols x acc_bits = 48 bits.
  const std::string wrapper = slurp(out / "tiny_bundle.sv");
  EXPECT_NE(wrapper.find("module tiny_bundle ("), std::string::npos);
  EXPECT_NE(wrapper.find("[47:0] out_data_o"), std::string::npos) << wrapper;
  EXPECT_NE(wrapper.find(".AccBits  (24)"), std::string::npos) << wrapper;
  const std::string core = slurp(out / "tiny_bundle.core");
  EXPECT_EQ(core.rfind("CAPI=2:", 0), 0u);
  EXPECT_NE(core.find("toplevel: tiny_bundle"), std::string::npos);
}

TEST(BundleHash, Sha256KnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_F(BundleTest, WrapperLintsCleanAndYosysReadsIt) {
  const config::Config cfg = load("tiny_bundle");
  const fs::path out = dir_ / "out";
  write_bundle(cfg, out.string());

  if (process::tool_exists("verilator")) {
    const auto [rc, log] =
        run({"verilator", "--lint-only", "-Wall", "-F", "tiny_bundle.f", "--top-module", "tiny_bundle"}, out);
    EXPECT_EQ(rc, 0) << log;
    EXPECT_EQ(log.find("%Warning"), std::string::npos) << log;
  }

  std::string script = "read_verilog -sv";
  std::istringstream list(slurp(out / "tiny_bundle.f"));
  for (std::string line; std::getline(list, line);) script += " " + line;
  script += "\nhierarchy -check -top tiny_bundle\nproc\nstat\n";
  std::ofstream(out.parent_path() / "read.ys") << script;
  const auto [rc, log] = run({"yosys", "-q", "-s", (dir_ / "read.ys").string()}, out);
  EXPECT_EQ(rc, 0) << log;
  fs::remove(dir_ / "read.ys");
}

TEST_F(BundleTest, ReplacesPreviousBundle) {
  const fs::path out = dir_ / "out";
  write_bundle(load("tiny_bundle", 2), out.string());
  write_bundle(load("tiny_bundle", 3), out.string());
  const nlohmann::json m = nlohmann::json::parse(slurp(out / "manifest.json"));
  EXPECT_EQ(m["parameters"]["NumRows"], 3);
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"cfg", "out"})) << "old bundle and temp dirs removed";

  // A renamed config replaces the old files rather than adding to them.
  write_bundle(load("other_name"), out.string());
  EXPECT_FALSE(fs::exists(out / "tiny_bundle.sv"));
  EXPECT_TRUE(fs::exists(out / "other_name.sv"));
}

TEST_F(BundleTest, FillsEmptyDirectoryAndCreatesParents) {
  const fs::path empty = dir_ / "empty";
  fs::create_directory(empty);
  write_bundle(load("tiny_bundle"), empty.string() + "/");
  EXPECT_TRUE(fs::exists(empty / "manifest.json"));
  const fs::path nested = dir_ / "a" / "b" / "out";
  write_bundle(load("tiny_bundle"), nested.string());
  EXPECT_TRUE(fs::exists(nested / "tiny_bundle.sv"));
}

TEST_F(BundleTest, RefusesToOverwriteOtherContent) {
  const config::Config cfg = load("tiny_bundle");
  const fs::path foreign = dir_ / "foreign";
  fs::create_directory(foreign);
  std::ofstream(foreign / "notes.txt") << "mine";
  try {
    write_bundle(cfg, foreign.string());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("refusing to overwrite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(listing(foreign), std::set<std::string>{"notes.txt"});

  // A bundle the user added a file to is not ours to delete either.
  const fs::path out = dir_ / "out";
  write_bundle(cfg, out.string());
  std::ofstream(out / "rtl" / "my_change.sv") << "// mine";
  EXPECT_THROW(write_bundle(cfg, out.string()), InputError);
  EXPECT_TRUE(fs::exists(out / "rtl" / "my_change.sv"));

  // Nor is a plain file.
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(write_bundle(cfg, (dir_ / "file").string()), InputError);
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"cfg", "foreign", "out", "file"}));
}

TEST_F(BundleTest, NothingLeftBehindOnError) {
  const config::Config cfg = load("tiny_bundle");
  // Yosys fails on a broken copy of the RTL: no bundle, no parents, no temp dirs.
  const fs::path rtl = dir_ / "broken_rtl";
  fs::copy(rtl::rtl_root(), rtl, fs::copy_options::recursive);
  std::ofstream(rtl / "systolic" / "dnn_systolic_top.sv", std::ios::app) << "\nnot verilog\n";
  {
    const ScopedEnv env("DNNGEN_RTL_DIR", rtl.string());
    EXPECT_THROW(write_bundle(cfg, (dir_ / "x" / "y" / "out").string()), ToolError);
  }
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"cfg", "broken_rtl"}));

  // A previous bundle survives a failed regeneration untouched.
  const fs::path out = dir_ / "out";
  write_bundle(cfg, out.string());
  const std::string before = slurp(out / "manifest.json");
  {
    const ScopedEnv env("DNNGEN_RTL_DIR", rtl.string());
    EXPECT_THROW(write_bundle(load("tiny_bundle", 3), out.string()), ToolError);
  }
  EXPECT_EQ(slurp(out / "manifest.json"), before);
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"cfg", "broken_rtl", "out"}));

  // A parent that is a file fails after elaboration, before anything is written.
  std::ofstream(dir_ / "plain") << "x";
  EXPECT_THROW(write_bundle(cfg, (dir_ / "plain" / "out").string()), std::exception);
  EXPECT_EQ(listing(dir_), (std::set<std::string>{"cfg", "broken_rtl", "out", "plain"}));
}

}  // namespace
}  // namespace dnngen::generate
