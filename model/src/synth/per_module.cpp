// The generic target's hierarchical flow: every distinct module of the design (a module
// with one set of parameter values) synthesized once, in a Yosys run of its own with the
// modules below it as black boxes; the design's totals come from instance counts.
//
//   1. census (synth.ys, yosys.log, census.json): the design read, its parameters bound,
//      elaborated (hierarchy, proc, opt_clean), the SRAMs black boxes. This gives the
//      instance tree, every distinct module and its parameter values, and the modules that
//      are wiring only (every cell an instance of a module, e.g. the PE grid and the skew
//      triangles' lane lists), which have no logic of their own to synthesize.
//   2. modules (modules/<i>.ys, .log, .json, .stat): one Yosys process per other distinct
//      module: the sources read as black boxes (-lib), the module's own file read over its
//      black box, its parameters bound, `synth -top`, its netlist and `stat -tech cmos`.
//   3. merge: the census netlist with each synthesized module in place of its elaborated
//      copy. census.cpp, area.cpp and depth.cpp read it as they read one run's netlist.
//
// A single `synth -top` run over the whole hierarchy synthesizes each distinct module once
// too, but its passes also walk every wiring module on every iteration: a 128 x 128 array's
// grid alone (16,384 PE instances) took 269 s of Yosys, with nothing in it to synthesize.
#include <fmt/format.h>

#include <atomic>
#include <exception>
#include <fstream>
#include <functional>
#include <thread>

#include "dnngen/common/error.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth::detail {
namespace {

const char* const kCensusJson = "census.json";
const char* const kModulesDir = "modules";
const char* const kLtpScript = "ltp.ys";
const char* const kLtpLog = "ltp.log";
const char* const kLtpName = "ltp.txt";

bool is_package(const fs::path& source) {
  const std::string stem = source.stem().string();
  return stem.size() > 4 && stem.compare(stem.size() - 4, 4, "_pkg") == 0;
}

// A module that only connects instances of other modules (after proc and opt_clean):
// nothing of its own for synthesis to map.
bool wiring_only(const Netlist& netlist, const NetModule& mod) {
  for (const auto& cell : mod.cells) {
    if (netlist.find(cell.type) == netlist.end()) return false;
  }
  return true;
}

// One distinct module to synthesize: its Yosys name in the census, its RTL file.
struct ModuleJob {
  std::string name;
  const NetModule* module = nullptr;
  std::string file;
};

std::vector<ModuleJob> module_jobs(const Netlist& census, const std::vector<std::string>& sources) {
  std::map<std::string, std::string> file_of;  // RTL module -> source file named after it
  for (const auto& path : sources) file_of.emplace(fs::path(path).stem().string(), path);
  std::vector<ModuleJob> jobs;
  for (const auto& [name, mod] : census) {
    if (mod.blackbox || wiring_only(census, mod)) continue;
    const auto file = file_of.find(mod.base);
    if (file == file_of.end()) {
      throw ToolError(fmt::format(
          "hierarchical synthesis: no source file named after module {} (one module per file, named "
          "after it; `dnngen synth --flat` synthesizes without that rule)",
          mod.base));
    }
    jobs.push_back({name, &mod, file->second});
  }
  return jobs;
}

// Calls run(i) for every i in [0, count), on up to `jobs` threads (each a Yosys process
// at a time). Every call runs even if one throws; then the exception of the lowest i is
// rethrown, so a failure is reported the same way whatever the number of jobs.
void for_each_parallel(size_t count, int jobs, const std::function<void(size_t)>& run) {
  std::vector<std::exception_ptr> errors(count);
  std::atomic<size_t> next{0};
  const auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        run(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min<int64_t>(jobs, static_cast<int64_t>(count)); ++t) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

std::string job_file(size_t i, const char* ext) { return fmt::format("{}/{}.{}", kModulesDir, i, ext); }

// The Yosys script of job i: the sources read as black boxes (-lib), the module's own
// file over its black box, its parameters bound, synthesized. One process per module:
// Yosys numbers the cells it creates from a counter that a process never resets, and ABC's
// result depends on those names' order, so a module synthesized after others in the same
// process can come out a few percent different (a multiplier: 482 cells instead of 423).
std::string module_script(const config::Config& cfg, const std::vector<std::string>& sources,
                          const ModuleJob& job, size_t i, size_t count) {
  const NetModule& mod = *job.module;
  std::string s = fmt::format(
      "# Generated by dnngen for config '{}': distinct module {} of {}, {}, synthesized alone,\n"
      "# the modules below it black boxes (read with -lib); census.json has its instance count.\n",
      cfg.name, i + 1, count, mod.name);
  std::string packages, others;
  for (const auto& path : sources) (is_package(path) ? packages : others) += " " + eda::quoted(path);
  if (!packages.empty()) s += "read_verilog -sv -DSYNTHESIS" + packages + "\n";
  s += "read_verilog -sv -DSYNTHESIS -lib" + others + "\n";
  s += "read_verilog -sv -DSYNTHESIS " + eda::quoted(job.file) + "\n";
  if (!mod.params.empty()) {
    s += "chparam";
    for (const auto& [name, value] : mod.params) s += fmt::format(" -set {} {}", name, value);
    s += " " + mod.base + "\n";
  }
  s += "synth -top " + mod.base + "\n";
  s += fmt::format("tee -q -o {} stat -tech cmos\n", job_file(i, "stat"));
  s += fmt::format("write_json {}\n", job_file(i, "json"));
  return s;
}

// The synthesized module of one job's netlist, named as in the census, its instances'
// types those of the census's instances of the same name (in that run a submodule whose
// parameters equal its defaults is not derived, so its type there is the bare RTL name).
NetModule synthesized_module(const ModuleJob& job, const fs::path& path) {
  Netlist part = eda::load_netlist(path);
  NetModule* found = nullptr;
  for (auto& [name, mod] : part) {
    if (!mod.blackbox && mod.base == job.module->base) found = &mod;
  }
  if (found == nullptr) {
    throw ToolError(fmt::format("yosys netlist {} has no module {}", path.string(), job.module->base));
  }
  std::map<std::string, std::string> census_type;  // instance name -> its module in the census
  for (const auto& cell : job.module->cells) census_type.emplace(cell.name, cell.type);
  NetModule mod = std::move(*found);
  for (auto& cell : mod.cells) {
    if (part.count(cell.type) == 0) continue;  // a gate
    const auto it = census_type.find(cell.name);
    if (it == census_type.end()) {
      throw ToolError(fmt::format("yosys netlist {}: instance {} of {} is not in {}'s census ({})",
                                  path.string(), cell.name, cell.type, job.name, kCensusJson));
    }
    cell.type = it->second;
  }
  mod.name = job.name;
  mod.base = job.module->base;
  mod.params = job.module->params;
  return mod;
}

}  // namespace

std::string census_script(const config::Config& cfg, const SynthOptions& options) {
  std::string s = yosys_front(cfg, options);
  s += blackbox_srams();
  s += "# Elaborated, not synthesized: the instance tree and every distinct module (each one is\n";
  s += "# synthesized alone by modules/<i>.ys).\n";
  s += "proc\nopt_clean\n";
  s += fmt::format("write_json {}\n", kCensusJson);
  return s;
}

Netlist run_hierarchical(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                         SynthReport& report, Transistors& transistors) {
  fs::remove(work / kCensusJson);
  fs::remove_all(work / kModulesDir);
  for (const char* stale : {kLtpName, kLtpScript, kLtpLog}) fs::remove(work / stale);
  report.yosys_seconds =
      eda::run_yosys(work, kScriptName, census_script(cfg, options), kLogName, "elaboration of " + cfg.name);
  add_log_warnings(work / kLogName, report);
  Netlist netlist = eda::load_netlist(work / kCensusJson);

  const std::vector<std::string> sources = synth_design(cfg, options).sources;
  const std::vector<ModuleJob> jobs = module_jobs(netlist, sources);
  fs::create_directories(work / kModulesDir);
  std::vector<double> seconds(jobs.size());
  for_each_parallel(jobs.size(), options.jobs, [&](size_t i) {
    seconds[i] = eda::run_yosys(
        work, job_file(i, "ys"), module_script(cfg, sources, jobs[i], i, jobs.size()), job_file(i, "log"),
        fmt::format("synthesis of module {} ({} of {}) of {}", jobs[i].name, i + 1, jobs.size(), cfg.name));
  });
  for (size_t i = 0; i < jobs.size(); ++i) {
    report.yosys_seconds += seconds[i];
    add_log_warnings(work / job_file(i, "log"), report);
  }
  transistors = {};
  for (size_t i = 0; i < jobs.size(); ++i) {
    NetModule mod = synthesized_module(jobs[i], work / job_file(i, "json"));
    const auto count = parse_transistors(work / job_file(i, "stat"));
    if (count) {
      transistors.per_module[jobs[i].name] = count->first;
      transistors.lower_bound = transistors.lower_bound || count->second;
    } else {
      transistors.missing.push_back((work / job_file(i, "stat")).string());
    }
    netlist[jobs[i].name] = std::move(mod);
  }

  if (options.flat_ltp) {
    std::string s = yosys_front(cfg, options);
    s += blackbox_srams();
    s += "synth -top " + report.top + "\n";
    s += flat_ltp_lines(report.top, kLtpName);
    report.yosys_seconds += eda::run_yosys(work, kLtpScript, s, kLtpLog, "flat ltp of " + cfg.name);
    report.flat_ltp_depth = parse_flat_ltp(work / kLtpName, report.top);
  }
  return netlist;
}

}  // namespace dnngen::synth::detail
