// dnngen: one YAML configuration in; RTL, golden-model runs, co-simulation and
// synthesis reports out. See docs/cli.md. Exit status: 0 success, 1 mismatch or
// failed check, 2 bad input (nothing written).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dnngen/cli/engine_cli.hpp"
#include "dnngen/cli/host_job.hpp"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/compress_cli.hpp"
#include "dnngen/generate/bundle.hpp"
#include "dnngen/generate/verilog2005.hpp"
#include "dnngen/sweep/report.hpp"
#include "dnngen/sweep/run.hpp"
#include "dnngen/synth/synth.hpp"
#include "dnngen/systolic/engine_model.hpp"
#include "dnngen/workload/network.hpp"
#include "sim_builder.hpp"
#include "sweep_engines.hpp"

namespace dnngen {
namespace {

using Args = std::vector<std::string>;

const char* kUsage = R"(usage: dnngen COMMAND CONFIG.yaml [options]

commands:
  validate CONFIG                       check a configuration, print what it builds
  params   CONFIG [--verilator|--yosys] RTL parameters bound from the configuration
  simulator CONFIG [--rebuild] [--trace]  build (or find) the cached Verilator simulator
  generate CONFIG -o DIR                configured RTL bundle (sources, wrapper, .f, .core, manifest)
           [--verilog2005]              also <name>_flat.v: the top flattened to one Verilog-2005 file
  run      CONFIG --backend model|rtl --in A=a.npy --in B=b.npy --out C=c.npy [--json R]
           --op conv2d --in ifmap=x.npy --in weights=w.npy --param stride=S --param pad=P
                  --out ofmap=y.npy     conv2d (im2col on WS/OS; native on row_stationary)
           --op spmv --in codebook=cb.npy --in w_idx=w.npy --in x=x.npy --out y=y.npy   (engine eie)
           --param precision=P|auto     activation precision (engine bitserial; default input_bits)
  cosim    CONFIG (--in ... | --random --seed S --count N | --layer FILE.csv:NAME)
                  [--op gemm|conv2d|spmv] [--ready P] [--json R]
  compress CONFIG --in weights=W.npy --param density=D --out codebook=cb.npy --out w_idx=w.npy
                  [--seed S] [--sram-dir DIR] [--json R]
                                        EIE: prune, k-means codebook, CSC per PE (engine eie)
  synth    CONFIG --target generic|asic|xilinx|ice40 [--liberty FILE] [--device NAME]
                  [--json R] [--work-dir DIR]
  bench    CONFIG --network workloads/NAME.csv [--json R]
  sweep    CONFIG... --set KEY[,KEY]=V1,V2,... [--set ...] [--network workloads/NAME.csv]
           [--target generic] [--work-dir DIR] [--quiet] -o DIR
                                        synthesis (and network estimate) over a parameter grid:
                                        sweep.json, sweep.csv, report.md with SVG plots

'dnngen COMMAND --help' lists a command's options.
)";

std::string need_config(const Args& args, const std::string& command) {
  if (args.empty() || args[0].rfind("--", 0) == 0)
    throw InputError("dnngen " + command + ": missing CONFIG.yaml");
  return args[0];
}

// Takes the value of `--name VALUE` out of args; empty if absent.
std::string take_option(Args& args, const std::string& name) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != name) continue;
    if (i + 1 >= args.size()) throw InputError(name + " needs a value");
    std::string value = args[i + 1];
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    return value;
  }
  return "";
}

bool take_flag(Args& args, const std::string& name) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != name) continue;
    args.erase(args.begin() + static_cast<long>(i));
    return true;
  }
  return false;
}

void reject_leftovers(const Args& args, const std::string& command) {
  if (args.size() > 1) throw InputError("dnngen " + command + ": unexpected argument '" + args[1] + "'");
}

int cmd_validate(Args args) {
  const auto cfg = config::load_config(need_config(args, "validate"));
  reject_leftovers(args, "validate");
  if (const cli::EngineCli* engine = cli::find_engine_cli(cfg)) {
    fmt::print("{}: ok\n{}", cfg.source_path, engine->describe(cfg));
    return 0;
  }
  const auto& s = cfg.systolic;
  const char* kind = s.is_signed ? "int" : "uint";
  fmt::print("{}: ok\n  engine {} ({}), {} x {} PEs, {}{} x {}{} -> acc {} bits ({})\n",
             cfg.source_path, cfg.engine, config::to_string(s.dataflow), s.rows, s.cols, kind,
             s.input_bits, kind, s.weight_bits, s.acc_bits, config::to_string(s.overflow));
  fmt::print("  job limits M <= {}, N <= {}, K <= {}\n", s.max_m, s.max_n, s.max_k);
  return 0;
}

int cmd_params(Args args) {
  const auto cfg = config::load_config(need_config(args, "params"));
  const bool yosys = take_flag(args, "--yosys");
  take_flag(args, "--verilator");
  reject_leftovers(args, "params");
  std::string line;
  for (const auto& [name, value] : config::rtl_parameters(cfg))
    line += yosys ? fmt::format(" -set {} {}", name, value) : fmt::format(" -G{}={}", name, value);
  fmt::print("{}\n", line.empty() ? line : line.substr(1));
  return 0;
}

int cmd_simulator(Args args) {
  const auto cfg = config::load_config(need_config(args, "simulator"));
  const bool rebuild = take_flag(args, "--rebuild");
  const bool trace = take_flag(args, "--trace");
  reject_leftovers(args, "simulator");
  const auto build = sim::build_simulator(cfg, trace, rebuild);
  if (build.cached) fmt::print("{} (cached)\n", build.executable);
  else fmt::print("{} (built in {:.1f} s)\n", build.executable, build.seconds);
  return 0;
}

int cmd_generate(Args args) {
  const auto cfg = config::load_config(need_config(args, "generate"));
  std::string out = take_option(args, "-o");
  if (out.empty()) out = take_option(args, "--out");
  if (out.empty()) throw InputError("dnngen generate: missing -o DIR");
  generate::BundleOptions options;
  options.verilog2005 = take_flag(args, "--verilog2005");
  reject_leftovers(args, "generate");
  generate::write_bundle(cfg, out, options);
  fmt::print("generated {}: RTL bundle for {} in {}\n", cfg.name, config::rtl_top_module(cfg), out);
  if (options.verilog2005) {
    fmt::print("  {}: flattened Verilog-2005, checked with iverilog -g2005\n",
               generate::flat_verilog_name(cfg));
  }
  return 0;
}

int cmd_synth(Args args) {
  const auto cfg = config::load_config(need_config(args, "synth"));
  synth::SynthOptions options;
  const std::string target = take_option(args, "--target");
  if (!target.empty()) options.target = target;
  options.work_dir = take_option(args, "--work-dir");
  const std::string json = take_option(args, "--json");
  options.flat_ltp = take_flag(args, "--flat-ltp");
  options.liberty = take_option(args, "--liberty");
  options.device = take_option(args, "--device");
  reject_leftovers(args, "synth");
  if (!json.empty()) cli::check_output_path(json, "--json");
  const auto report = synth::run_synth(cfg, options);
  std::cout << synth::format_table(report);
  cli::write_json_report(json, synth::to_json(report));
  return 0;
}

int cmd_bench(Args args) {
  const auto cfg = config::load_config(need_config(args, "bench"));
  const std::string network = take_option(args, "--network");
  const std::string json = take_option(args, "--json");
  reject_leftovers(args, "bench");
  if (network.empty()) throw InputError("dnngen bench: missing --network workloads/NAME.csv");
  if (!json.empty()) cli::check_output_path(json, "--json");
  if (const cli::EngineCli* engine = cli::find_engine_cli(cfg)) return engine->bench(cfg, network, json);
  const auto layers = workload::load_network(network);
  const auto estimate = workload::estimate_network(
      cfg.systolic, layers, std::filesystem::path(network).stem().string());
  std::cout << workload::format_table(estimate);
  nlohmann::json report = workload::to_json(estimate);
  report["engine"] = cfg.engine;
  report["config"] = cfg.name;
  report["network"] = network;
  cli::write_json_report(json, report);
  return 0;
}

int cmd_sweep(Args args) {
  const std::string command = "dnngen sweep " + process::command_line(args);
  sweep::SweepOptions options;
  options.engine = sweep_engine_hooks();
  while (std::find(args.begin(), args.end(), "--set") != args.end()) {
    options.axes.push_back(sweep::parse_axis(take_option(args, "--set")));
  }
  std::string out = take_option(args, "-o");
  if (out.empty()) out = take_option(args, "--out");
  const std::string target = take_option(args, "--target");
  if (!target.empty()) options.synth.target = target;
  options.network = take_option(args, "--network");
  options.work_dir = take_option(args, "--work-dir");
  const bool quiet = take_flag(args, "--quiet");
  for (const auto& arg : args) {
    if (arg.rfind("-", 0) == 0) throw InputError("dnngen sweep: unknown option '" + arg + "'");
  }
  options.base_configs = args;
  options.command = command;
  if (options.base_configs.empty()) throw InputError("dnngen sweep: missing CONFIG.yaml");
  if (out.empty()) throw InputError("dnngen sweep: missing -o DIR");
  sweep::check_sweep_output(out);  // refuse before hours of synthesis

  // One line per point, rewritten in place on a terminal.
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const auto progress = [&](const sweep::SweepProgress& p) {
    if (quiet) return;
    const std::string line = sweep::format_progress(p);
    if (tty) std::cerr << "\r\033[K" << line << (p.current == nullptr ? "\n" : "") << std::flush;
    else std::cerr << line << "\n" << std::flush;
  };
  sweep::SweepResult result;
  try {
    result = sweep::run_sweep(options, progress);
  } catch (const std::exception&) {
    if (tty && !quiet) std::cerr << "\n";  // end the progress line before the error
    throw;
  }
  sweep::write_sweep(result, out);
  fmt::print("sweep: {} point(s) in {:.1f} s; wrote {}/report.md, sweep.csv, sweep.json and {} plot(s)\n",
             result.points.size(), result.seconds, out, sweep::plots(result).size());
  return 0;
}

int cmd_run_model(const config::Config& cfg, const cli::JobOptions& opts) {
  const auto job = cli::host_job_from_inputs(cfg, opts);
  const uint64_t cycles = cli::model_cycles(cfg.systolic, job);
  const uint64_t macs = static_cast<uint64_t>(job.a.shape[0]) * static_cast<uint64_t>(job.a.shape[1]) *
                        static_cast<uint64_t>(job.b.shape[1]);
  const double utilization =
      static_cast<double>(macs) / (static_cast<double>(cycles) * cfg.systolic.rows * cfg.systolic.cols);
  cli::write_result(cfg, opts, job.golden_output);
  cli::write_json_report(opts.json_path,
                         {{"engine", cfg.engine},
                          {"config", cfg.name},
                          {"dataflow", config::to_string(cfg.systolic.dataflow)},
                          {"rows", cfg.systolic.rows},
                          {"cols", cfg.systolic.cols},
                          {"op", opts.op},
                          {"backend", "model"},
                          {"gemm", {{"M", job.a.shape[0]}, {"N", job.b.shape[1]}, {"K", job.a.shape[1]}}},
                          {"jobs", job.plan.slices.size()},
                          {"cycles", cycles},
                          {"macs", macs},
                          {"utilization", utilization}});
  fmt::print("model: {} {}: {} job(s), {} cycles, utilization {:.1f} %\n", cfg.name, job.description,
             job.plan.slices.size(), cycles, 100.0 * utilization);
  return 0;
}

// Validates everything the job needs, builds (or finds) the simulator and hands the
// job over; the simulator's exit status becomes ours.
int cmd_job(const std::string& command, const Args& args) {
  auto opts = cli::parse_job_options(command, args);
  if (opts.config_path == "--help") {
    std::cout << cli::job_usage(command);
    return 0;
  }
  const auto cfg = config::load_config(opts.config_path);
  const cli::EngineCli* engine = cli::find_engine_cli(cfg);
  if (engine != nullptr) {
    if (!opts.op_given) opts.op = engine->ops.front();
    if (std::find(engine->ops.begin(), engine->ops.end(), opts.op) == engine->ops.end())
      throw InputError(fmt::format("--op {}: engine {} supports: {}", opts.op, cfg.engine,
                                   fmt::join(engine->ops, ", ")));
    engine->check_job(cfg, opts);  // fail fast, before a build
  } else {
    cli::check_bindings(cfg, opts);
    if (!opts.inputs.empty()) cli::check_job_inputs(cfg, opts);  // fail fast, before a build
  }
  if (command == "run" && opts.backend == "model") {
    if (!opts.fst_path.empty() || opts.rebuild)
      throw InputError("--fst and --rebuild apply to the RTL simulator: use --backend rtl");
    return engine != nullptr ? engine->run_model(cfg, opts) : cmd_run_model(cfg, opts);
  }

  const auto build = sim::build_simulator(cfg, !opts.fst_path.empty(), opts.rebuild);
  if (!opts.quiet) {
    if (build.cached) fmt::print("simulator: {} (cached)\n", build.executable);
    else fmt::print("simulator: built {} in {:.1f} s\n", build.executable, build.seconds);
  }
  std::cout.flush();
  std::vector<std::string> sim_args = cli::to_args(opts);
  sim_args.insert(sim_args.begin(), build.executable);
  std::vector<char*> argv;
  for (auto& a : sim_args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  throw ToolError("cannot start the simulator " + build.executable);
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  using namespace dnngen;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  const Args args(argv + 2, argv + argc);
  const std::map<std::string, std::function<int(const Args&)>> commands = {
      {"validate", cmd_validate},
      {"params", cmd_params},
      {"simulator", cmd_simulator},
      {"generate", cmd_generate},
      {"synth", cmd_synth},
      {"bench", cmd_bench},
      {"sweep", cmd_sweep},
      {"compress", eie::compress_command},
      {"run", [](const Args& a) { return cmd_job("run", a); }},
      {"cosim", [](const Args& a) { return cmd_job("cosim", a); }},
  };
  try {
    const auto it = commands.find(command);
    const bool wants_help = std::find(args.begin(), args.end(), "--help") != args.end();
    if (it != commands.end() && wants_help && command != "run" && command != "cosim") {
      std::cout << kUsage;
      return 0;
    }
    if (it == commands.end()) throw InputError("unknown command '" + command + "' (see dnngen --help)");
    return it->second(args);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const ToolError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
