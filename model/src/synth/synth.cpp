// The synthesis flow: options checked before any tool runs, the work directory, the
// report fields every target shares, and the dispatch to the targets
// (target_generic.cpp, target_asic.cpp, target_fpga.cpp). docs/synthesis.md explains
// the choices.
#include "dnngen/synth/synth.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "dnngen/common/error.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/eda/run.hpp"
#include "dnngen/rtl/sources.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/shell/wrapper.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth {
using nlohmann::json;

namespace detail {

// Yosys prints this for every small unpacked array that is written in a loop or under
// an asynchronous reset (our skew stages, PE weight banks, array links): it keeps them
// as flip-flops, which is what they are meant to be. STYLE.md allows such arrays.
const char* const kBenignWarning = "with list of registers";

// The generated sources of the shell top, written into the work directory by run_synth
// and named relative to it (Yosys runs there).
std::string shell_wrapper_file(const config::Config& cfg) { return shell::wrapper_top(cfg) + ".sv"; }

eda::Design synth_design(const config::Config& cfg, const SynthOptions& options) {
  if (!options.shell) return eda::design(cfg, rtl::rtl_source_paths(cfg));
  // The bundle's shell/ file list: the register package right after dnn_pkg, the configured
  // wrapper last; its parameters are in the wrapper, so none are set here.
  std::vector<std::string> sources = shell::shell_source_paths(cfg, shell::kRegsPackageFile);
  sources.push_back(shell_wrapper_file(cfg));
  return eda::Design{cfg.name, shell::wrapper_top(cfg), {}, sources};
}

std::string yosys_front(const config::Config& cfg, const SynthOptions& options,
                        const std::vector<std::string>& extra_sources, const std::string& top) {
  return eda::yosys_front(synth_design(cfg, options), extra_sources, top);
}

Census take_census(const Netlist& netlist, const NetModule& top, const SynthReport& report) {
  Census census;
  census.engine_core = report.engine_core;
  walk(netlist, top, report.top, census, !report.engine_core.empty());
  return census;
}

std::string blackbox_srams() {
  return "# On-chip buffers are SRAM macros, not flip-flops: keep only their ports.\n" +
         fmt::format("blackbox A:hdlname=\\{} A:{}\n", eda::kSramModule, eda::kMacroAttr);
}

fs::path prepare_work_dir(const std::string& requested, const std::string& config_name) {
  fs::path dir = requested;
  if (dir.empty()) {
    dir = fs::temp_directory_path() / fmt::format("dnngen-synth-{}-{}", config_name, ::getpid());
  }
  return eda::make_work_dir(dir);
}

void require_tool(const std::string& tool, const std::string& target, const std::string& package) {
  if (!process::tool_exists(tool)) {
    throw ToolError(fmt::format("{} not found on PATH (the {} target needs it; Debian package {})", tool,
                                target, package));
  }
}

void add_log_warnings(const fs::path& log, SynthReport& report, const std::vector<std::string>& also_benign) {
  std::ifstream in(log);
  std::string line;
  auto benign = [&also_benign](const std::string& l) {
    if (l.find(kBenignWarning) != std::string::npos) return true;
    for (const auto& pattern : also_benign) {
      if (l.find(pattern) != std::string::npos) return true;
    }
    return false;
  };
  while (std::getline(in, line)) {
    if (!starts_with(line, "Warning: ") || benign(line)) continue;
    // Unique over the whole report: the hierarchical flow reads a log per module.
    const std::string warning = "yosys: " + line.substr(9);
    if (std::find(report.warnings.begin(), report.warnings.end(), warning) == report.warnings.end()) {
      report.warnings.push_back(warning);
    }
  }
}

void init_report(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                 SynthReport& report) {
  report.config_name = cfg.name;
  report.target = options.target;
  report.top = synth_design(cfg, options).top;
  report.parameters = options.shell ? config::shell_rtl_parameters(cfg) : config::rtl_parameters(cfg);
  if (options.shell) report.engine_core = shell::engine_core_module(cfg);
  report.work_dir = work.string();
  report.script_path = (work / kScriptName).string();
  report.log_path = (work / kLogName).string();
}

}  // namespace detail

using namespace detail;

std::vector<std::string> legal_targets() { return {"generic", "asic", "xilinx", "ice40"}; }

std::string synth_script(const config::Config& cfg, const SynthOptions& options) {
  if (options.target == "asic") return asic_script(cfg, options);
  if (options.target == "xilinx") return xilinx_script(cfg, options);
  if (options.target == "ice40") return ice40_script(cfg, options);
  return generic_script(cfg, options);
}

SynthReport run_synth(const config::Config& cfg, const SynthOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> targets = legal_targets();
  const std::string& target = options.target;
  if (std::find(targets.begin(), targets.end(), target) == targets.end()) {
    throw InputError(
        fmt::format("unknown synthesis target '{}'; legal targets: {}", target, join(targets, ", ")));
  }
  if (!options.liberty.empty() && target != "asic") {
    throw InputError(fmt::format("--liberty applies to the asic target, not {}", target));
  }
  if (!options.device.empty() && target != "ice40") {
    throw InputError(fmt::format("--device applies to the ice40 target, not {}", target));
  }
  if (options.flat && target != "generic") {
    throw InputError(
        fmt::format("--flat applies to the generic target, not {} (asic reports its flat "
                    "mapping anyway; the FPGA targets always flatten)",
                    target));
  }
  if (options.flat && options.shell) {
    throw InputError(
        "--flat cannot split the shell from the engine core (flattening removes the module "
        "boundary); drop --flat or --shell");
  }
  if (options.jobs < 1) throw InputError(fmt::format("--jobs must be at least 1, got {}", options.jobs));
  // Everything that can be checked before a tool runs is checked here, so bad input
  // fails at once and leaves nothing behind.
  Liberty liberty;
  if (target == "asic") liberty = load_asic_liberty(options);
  if (target == "ice40") check_ice40_device(options.device);
  if (!process::tool_exists("yosys")) throw ToolError("yosys not found on PATH");
  if (target == "asic") require_tool("sta", target, "opensta");
  if (target == "ice40") require_tool("nextpnr-ice40", target, "nextpnr-ice40");
  if (options.shell && !config::has_shell(cfg)) {
    throw InputError("--shell: " + config::no_shell_reason(cfg) +
                     "; synthesize its kernel top without --shell");
  }
  const fs::path work = prepare_work_dir(options.work_dir, cfg.name);
  if (options.shell) {
    eda::write_text(work / shell::kRegsPackageFile, shell::sv_package(shell::register_map()));
    eda::write_text(work / shell_wrapper_file(cfg), shell::wrapper_sv(cfg));
  }

  SynthReport report;
  init_report(cfg, options, work, report);
  if (target == "asic") {
    run_asic(cfg, options, liberty, work, report);
  } else if (target == "xilinx") {
    run_xilinx(cfg, options, work, report);
  } else if (target == "ice40") {
    run_ice40(cfg, options, work, report);
  } else {
    run_generic(cfg, options, work, report);
  }
  report.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

json to_json(const SynthReport& r) {
  json j;
  j["config"] = r.config_name;
  j["target"] = r.target;
  j["top"] = r.top;
  j["parameters"] = json::object();
  for (const auto& [name, value] : r.parameters) j["parameters"][name] = value;
  if (r.target == "asic") {
    j["asic"] = asic_json(r);
    j["sram"] = sram_json(r);
    j["fmax_mhz"] = r.asic.fmax_mhz;
  } else if (r.target == "xilinx") {
    j["xilinx"] = xilinx_json(r);
  } else if (r.target == "ice40") {
    j["ice40"] = ice40_json(r);
    j["fmax_mhz"] = r.ice40.fmax_mhz;
  } else {
    j.update(generic_json(r));
  }
  j["yosys_seconds"] = r.yosys_seconds;
  j["total_seconds"] = r.total_seconds;
  j["work_dir"] = r.work_dir;
  j["script"] = r.script_path;
  j["log"] = r.log_path;
  j["warnings"] = r.warnings;
  return j;
}

std::string format_table(const SynthReport& r) {
  if (r.target == "asic") return asic_table(r);
  if (r.target == "xilinx") return xilinx_table(r);
  if (r.target == "ice40") return ice40_table(r);
  return generic_table(r);
}

}  // namespace dnngen::synth
