// dnngen power: gate-level power of a configuration with the switching activity of an
// RTL simulation (an FST from `dnngen cosim --fst`). docs/energy_power.md.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dnngen/cli/command_line.hpp"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/eda/fst_activity.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/synth/power.hpp"
#include "engines.hpp"

namespace dnngen {

namespace po = boost::program_options;

cli::Usage power_usage() {
  return {{"CONFIG --fst WAVE.fst [--in NAME=FILE ...] [--liberty FILE] [--clock-mhz F] [--json R]"},
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
  add("in", cli::texts("NAME=FILE.npy"),
      "the simulated job's inputs, as run/cosim took them: its analytical energy beside the gate-level");
  add("op", cli::text("OP"), "the job's op (default the engine's first)");
  add("param", cli::texts("KEY=VALUE"), "the job's parameters (conv2d stride/pad, precision, ...)");
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

// The simulated job as `run` takes it (--in NAME=FILE, --op, --param key=value), for its
// analytical energy on the kernel.
cli::JobOptions job_of(const config::Config& cfg, const cli::CommandLine& cl) {
  cli::JobOptions o;
  o.command = "run";
  o.config_path = cfg.source_path;
  o.kernel = true;
  o.op = cl.has("op") ? cl.get("op") : engines::find(cfg).ops.front();
  o.op_given = cl.has("op");
  o.inputs = cli::parse_bindings(cl, "in");
  o.params = cli::parse_bindings(cl, "param");
  return o;
}

// The analytical energy of the simulated job on the kernel (energy/energy.hpp), beside the
// gate-level figures: the whole job and the PE array's levels (MACs, PE registers, array
// transfers), which is what the gate-level PE array row measures.
nlohmann::json analytical(const energy::Actions& a, const synth::PowerReport& report) {
  const config::EnergyTable table = config::load_energy_table();
  const energy::Breakdown b = energy::evaluate(a, table);
  const double pe_array =
      b.at(energy::Level::kMac) + b.at(energy::Level::kRegister) + b.at(energy::Level::kArray);
  const double gate_pe_array = report.energy_pj(report.pe_array.power);
  fmt::print(
      "analytical ({} table, the same job on the kernel, no DRAM): {:.1f} nJ, {:.2f} pJ/MAC; PE "
      "array "
      "(mac + rf + array) {:.1f} nJ against {:.1f} nJ gate-level ({:.2f}x)\n",
      table.name, b.total() / 1e3, b.total() / a.mac_count(), pe_array / 1e3, gate_pe_array / 1e3,
      gate_pe_array > 0 ? pe_array / gate_pe_array : 0.0);
  nlohmann::json j = energy::to_json(b, a.mac_count(), "the kernel's job, on chip only: no DRAM");
  j["table"] = table.name;
  j["pe_array_pj"] = pe_array;
  j["gate_level_pe_array_pj"] = gate_pe_array;
  j["pe_array_ratio"] = gate_pe_array > 0 ? pe_array / gate_pe_array : 0.0;
  return j;
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
  // The same job's analytical counts, before the long synthesis (bad tensors: exit 2 now).
  std::optional<energy::Actions> actions;
  if (cl.has("in")) actions = engines::find(cfg).job_actions(cfg, job_of(cfg, cl));
  const auto start = std::chrono::steady_clock::now();
  const eda::FstActivity activity = eda::read_fst_activity(fst);
  const double fst_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  synth::PowerReport report = synth::run_power(cfg, activity, options);
  report.fst_seconds = fst_seconds;
  std::cout << synth::format_table(report);
  nlohmann::json j = synth::to_json(report);
  if (actions) j["analytical"] = analytical(*actions, report);
  cli::write_json_report(json, j);
  return 0;
}

}  // namespace dnngen
