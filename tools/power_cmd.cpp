// dnngen power: gate-level power of a configuration with the switching activity of an
// RTL simulation (an FST from `dnngen cosim --fst`). docs/energy_power.md.
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "dnngen/cli/command_line.hpp"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eda/fst_activity.hpp"
#include "dnngen/synth/power.hpp"
#include "engines.hpp"

namespace dnngen {

namespace po = boost::program_options;

cli::Usage power_usage() {
  return {{"CONFIG --fst WAVE.fst [--liberty FILE] [--clock-mhz F] [--json R]"},
          "gate-level power with the switching activity of a simulation (OpenSTA)",
          "Synthesizes the asic target, applies the toggle rates of WAVE.fst (from dnngen cosim\n"
          "--fst) to the registers and input ports of the flat netlist and runs report_power."};
}

po::options_description power_options() {
  po::options_description d = cli::command_options("power");
  auto add = d.add_options();
  add("fst", cli::text("WAVE.fst"), "the waveform of the simulated job (dnngen cosim --fst)");
  add("liberty", cli::text("FILE"), "the Liberty library (default OSU 0.18 um)");
  add("clock-mhz", cli::text("F"), "the clock frequency of the analysis (default 200)");
  add("work-dir", cli::text("DIR"), "keep the scripts, logs and netlists here");
  add("json", cli::text("FILE"), "write a JSON report to this file");
  return d;
}

namespace {

double clock_mhz(const cli::CommandLine& cl, double fallback) {
  if (!cl.has("clock-mhz")) return fallback;
  const std::string text = cl.get("clock-mhz");
  size_t used = 0;
  double mhz = 0;
  try {
    mhz = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  // The range is run_power's to check.
  if (used != text.size()) throw InputError(fmt::format("--clock-mhz {}: expected a number (MHz)", text));
  return mhz;
}

}  // namespace

int cmd_power(const cli::CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("power", cl));
  synth::PowerOptions options;
  options.clock_mhz = clock_mhz(cl, options.clock_mhz);
  options.liberty = cl.get("liberty");
  options.work_dir = cl.get("work-dir");
  options.categories = engines::find(cfg).synth_categories;
  const std::string fst = cl.get("fst");
  const std::string json = cl.get("json");
  if (fst.empty())
    throw InputError("dnngen power: missing --fst WAVE.fst (write one with dnngen cosim --fst)");
  if (!json.empty()) cli::check_output_path(json, "--json");
  const auto start = std::chrono::steady_clock::now();
  const eda::FstActivity activity = eda::read_fst_activity(fst);
  const double fst_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  synth::PowerReport report = synth::run_power(cfg, activity, options);
  report.fst_seconds = fst_seconds;
  std::cout << synth::format_table(report);
  cli::write_json_report(json, synth::to_json(report));
  return 0;
}

}  // namespace dnngen
