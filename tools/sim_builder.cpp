#include "sim_builder.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/generate/bundle.hpp"
#include "dnngen/rtl/sources.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/shell/wrapper.hpp"
#include "engines.hpp"

namespace dnngen::sim {
namespace fs = std::filesystem;
namespace {

// FNV-1a: enough to tell builds apart; not a security boundary.
struct Hasher {
  uint64_t h = 0xcbf29ce484222325ull;
  void add(const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;  // separator
  }
  void add_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    add(path);
    add(std::string(std::istreambuf_iterator<char>(f), {}));
  }
};

// Each engine's harness lives in testbench/<Engine::harness>/: its sim_main.cpp is
// compiled with the Verilated model. The headers every harness shares live in
// testbench/common/. Every source in both but the test suites counts towards the cache
// key, so editing a shared header rebuilds every engine's simulators.
std::string harness_dir(const config::Config& cfg, bool shell) {
  return std::string(DNNGEN_SOURCE_DIR) + "/testbench/" + (shell ? "shell" : engines::find(cfg).harness);
}

std::string shared_harness_dir() { return std::string(DNNGEN_SOURCE_DIR) + "/testbench/common"; }

std::vector<std::string> harness_sources(const config::Config& cfg, bool shell) {
  std::vector<std::string> files;
  for (const auto& dir : {harness_dir(cfg, shell), shared_harness_dir()}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto ext = entry.path().extension();
      const bool test_suite = entry.path().filename().string().rfind("test_", 0) == 0;
      if ((ext == ".cpp" || ext == ".hpp") && !test_suite) files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// `verilator --version` and `c++ --version`, as printed.
std::string tool_versions() {
  const fs::path log = fs::temp_directory_path() / fmt::format("dnngen-versions-{}.log", ::getpid());
  process::run({"verilator", "--version"}, log.string());
  process::run({"c++", "--version"}, log.string());
  std::ifstream f(log);
  std::string text(std::istreambuf_iterator<char>(f), {});
  std::error_code ec;
  fs::remove(log, ec);
  return text;
}

std::string read_all(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The simulator's integrity stamp, written after a build: the SHA-256 of the binary. A
// cached simulator whose bytes no longer match (a truncated or corrupted file) is rebuilt.
fs::path stamp_path(const fs::path& dir) { return dir / "sim.sha256"; }
bool stamp_matches(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "sim", ec) || !fs::is_regular_file(stamp_path(dir), ec)) return false;
  return read_all(stamp_path(dir)) == generate::sha256_hex(read_all(dir / "sim")) + "\n";
}

// When a build directory last changed: the newest of it, its build.log (appended while
// Verilator and the compiler run) and its obj/ directory.
fs::file_time_type last_activity(const fs::path& dir) {
  std::error_code ec;
  fs::file_time_type newest = fs::last_write_time(dir, ec);
  for (const char* name : {"build.log", "obj"}) {
    const auto t = fs::last_write_time(dir / name, ec);
    if (!ec) newest = std::max(newest, t);
  }
  return newest;
}

// Build directories (NAME-HASH.tmpPID) left behind: by a dnngen run that no longer exists
// (killed mid-build, it never renamed or removed its directory) and idle for two minutes,
// or idle for an hour whoever PID is now (a reused PID, or a run on another machine or in
// another PID namespace sharing the cache, whose PID means nothing here). The idle times
// spare a build that is still running where its PID cannot be seen.
void remove_stale_builds(const fs::path& sim_dir) {
  static const std::regex tmp_name(R"(.*\.tmp([0-9]{1,9})$)");
  const auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sim_dir, ec)) {
    std::smatch m;
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, m, tmp_name) || !entry.is_directory(ec)) continue;
    const auto pid = static_cast<pid_t>(std::stol(m[1].str()));
    if (pid == ::getpid()) continue;
    const bool dead = ::kill(pid, 0) != 0 && errno == ESRCH;  // EPERM: alive, another user's
    const auto idle = now - last_activity(entry.path());
    if ((dead && idle > std::chrono::minutes(2)) || idle > std::chrono::hours(1))
      fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

std::string cache_root() {
  std::string root = "/tmp/dnngen-cache";
  if (const char* c = std::getenv("DNNGEN_CACHE"); c && *c)
    root = c;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    root = std::string(x) + "/dnngen";
  else if (const char* home = std::getenv("HOME"); home && *home)
    root = std::string(home) + "/.cache/dnngen";
  // Absolute, because Verilator's make runs in the object directory.
  return fs::absolute(root).lexically_normal().string();
}

namespace {

// What a simulator verilates: the engine's kernel top, or its shell (the generated
// register package, written into the build directory, comes right after dnn_pkg).
struct SimDesign {
  std::string top;
  std::vector<std::pair<std::string, int64_t>> parameters;
  std::vector<std::string> sources;   // kRegsPackage: the generated package
  std::string cflags;                 // the harness's compile-time parameters
  std::string main = "sim_main.cpp";  // the harness's main, in harness_dir()
};

const char* const kRegsPackage = shell::kRegsPackageFile;

// How the simulator's C++ is compiled: the harness's flag and the Verilated model's
// (Verilator's default -Os for the model is about 2x slower to simulate than -O2, and -O3
// is faster again: 16x16 WS kernel 0.76 -> 0.95 M cycles/s; docs/results.md).
struct CxxOpt {
  std::string harness;    // in -CFLAGS
  std::string makeflags;  // -MAKEFLAGS for the model's objects
};

// DNNGEN_SIM_BUILD=quick compiles at -O1: about a third less build time for a simulator
// about 1.5x slower, which suits a test suite of short jobs (make test sets it); unset,
// or `fast`, builds for simulation speed.
CxxOpt sim_cxx_opt() {
  const char* mode = std::getenv("DNNGEN_SIM_BUILD");
  if (mode == nullptr || *mode == '\0' || std::string(mode) == "fast")
    return {"-O2", "OPT_FAST=-O3 OPT_GLOBAL=-O2"};
  if (std::string(mode) == "quick") return {"-O1", "OPT_FAST=-O1 OPT_GLOBAL=-O1"};
  throw InputError(fmt::format("DNNGEN_SIM_BUILD={}: expected quick or fast", mode));
}

SimDesign sim_design(const config::Config& cfg, bool shell) {
  if (!shell)
    return {config::rtl_top_module(cfg), config::rtl_parameters(cfg), rtl::rtl_source_paths(cfg), ""};
  if (!config::has_shell(cfg)) throw InputError("--shell: " + cfg.name + " has no AXI shell");
  // Each engine's shell has its own main (the layers it runs differ); they share the bench.
  return {shell::engine_shell_module(cfg), config::shell_rtl_parameters(cfg),
          shell::shell_source_paths(cfg, kRegsPackage),
          fmt::format(" -DTB_DataBits={}", cfg.memory.data_bits),
          cfg.engine == "eie"                                         ? "sim_main_eie.cpp"
          : cfg.engine == "systolic" && cfg.systolic.row_stationary() ? "sim_main_rs.cpp"
                                                                      : "sim_main.cpp"};
}

}  // namespace

SimBuild build_simulator(const config::Config& cfg, bool trace, bool force, bool shell) {
  const SimDesign design = sim_design(cfg, shell);
  const std::string regs_package = shell ? shell::sv_package(shell::register_map()) : "";
  Hasher hash;
  for (const auto& [name, value] : design.parameters) hash.add(name + "=" + std::to_string(value));
  hash.add(trace ? "trace" : "notrace");
  // make coverage: a separate simulator with Verilator's line and toggle coverage, which
  // writes its counts where DNNGEN_COVERAGE points (testbench/common/verilated_dut.hpp).
  const bool coverage = std::getenv("DNNGEN_COVERAGE") != nullptr;
  hash.add(coverage ? "coverage" : "nocoverage");
  const CxxOpt cxx_opt = sim_cxx_opt();
  // the build flags below that change the simulator
  hash.add("x-unique assert O3 " + cxx_opt.harness + " " + cxx_opt.makeflags);
  hash.add(shell ? "shell" + regs_package + design.cflags : "kernel");
  for (const auto& f : design.sources)
    if (f != kRegsPackage) hash.add_file(f);
  for (const auto& f : harness_sources(cfg, shell)) hash.add_file(f);
  hash.add_file(DNNGEN_MODEL_LIB);
  hash.add(tool_versions());  // an upgraded Verilator or compiler rebuilds

  const fs::path dir =
      fs::path(cache_root()) / "sim" /
      fmt::format("{}{}{}-{:016x}", cfg.name, shell ? "-shell" : "", coverage ? "-cov" : "", hash.h);
  SimBuild build;
  build.executable = (dir / "sim").string();
  build.log_path = (dir / "build.log").string();
  remove_stale_builds(dir.parent_path());
  if (!force && stamp_matches(dir)) {
    build.cached = true;
    return build;
  }
  // No simulator, or one that does not match its stamp: (re)build it.
  force = force || fs::exists(dir);
  if (!process::tool_exists("verilator"))
    throw ToolError("verilator not found on PATH (run scripts/install-deps.sh)");

  // Build beside the final directory and rename, so concurrent or interrupted builds
  // never leave a half-built simulator in the cache.
  const fs::path tmp = dir.string() + fmt::format(".tmp{}", ::getpid());
  std::error_code mk;
  fs::remove_all(tmp, mk);
  fs::create_directories(tmp, mk);
  if (mk)
    throw ToolError("cannot create the simulator cache " + tmp.string() + ": " + mk.message() +
                    " (set DNNGEN_CACHE to a writable directory)");
  const std::string log = (tmp / "build.log").string();
  if (shell) output::replace_file(tmp / kRegsPackage, regs_package);

  std::vector<std::string> argv = {
      "verilator", "--cc", "--exe", "--build", "-j", "2", "--top-module", design.top, "--Mdir",
      (tmp / "obj").string(), "-o", (tmp / "sim").string(), "-O3",
      // X handling: unique lets a run start from a random state (--x-seed, Verilator's
      // randReset 2); with the default randReset 0 every register starts at zero, as before.
      // --assert turns on the RTL's own checks (handshake holds, FIFO and counter ranges).
      "--x-assign", "unique", "--x-initial", "unique", "--assert", "-CFLAGS",
      "-std=c++17 " + cxx_opt.harness + " -I" DNNGEN_SOURCE_DIR "/model/include -I" +
          harness_dir(cfg, shell) + " -I" + shared_harness_dir() + design.cflags,
      "-LDFLAGS", std::string(DNNGEN_MODEL_LIB) + " -lyaml-cpp -lfmt -lboost_program_options", "-MAKEFLAGS",
      cxx_opt.makeflags};
  if (trace) argv.push_back("--trace-fst");
  if (coverage) {
    argv.push_back("--coverage-line");
    argv.push_back("--coverage-toggle");
  }
  for (const auto& [name, value] : design.parameters) argv.push_back(fmt::format("-G{}={}", name, value));
  for (const auto& f : design.sources) argv.push_back(f == kRegsPackage ? (tmp / kRegsPackage).string() : f);
  argv.push_back(harness_dir(cfg, shell) + "/" + design.main);

  const auto t0 = std::chrono::steady_clock::now();
  const int rc = process::run(argv, log);
  build.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rc != 0) {
    const fs::path kept = dir.string() + ".failed.log";
    fs::create_directories(kept.parent_path());
    fs::copy_file(log, kept, fs::copy_options::overwrite_existing);
    fs::remove_all(tmp);
    throw ToolError(fmt::format("verilator failed to build the simulator for {} (exit {}); see {}", cfg.name,
                                rc, kept.string()));
  }
  fs::remove_all(tmp / "obj");
  output::replace_file(stamp_path(tmp), generate::sha256_hex(read_all(tmp / "sim")) + "\n");
  std::error_code ec;
  // A forced rebuild, or a directory left without its simulator, is replaced.
  if (force || !fs::exists(dir / "sim")) fs::remove_all(dir, ec);
  fs::rename(tmp, dir, ec);
  if (ec) {
    fs::remove_all(tmp, ec);
    // Another process finished the same build first; anything else is an error, not a
    // simulator that is not there.
    if (!stamp_matches(dir))
      throw ToolError(
          fmt::format("cannot move the simulator built in {} to {} (removed as stale by another "
                      "run?); try again",
                      tmp.string(), dir.string()));
  }
  return build;
}

}  // namespace dnngen::sim
