// dnngen: one YAML configuration in; RTL, golden-model runs, co-simulation and
// synthesis reports out. See docs/cli.md. Exit status: 0 success, 1 mismatch or
// failed check, 2 bad input (nothing written).
//
// Every command has one grammar (dnngen/cli/command_line.hpp); what differs between
// engines comes from the engine registry (engines.hpp).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "batch_cmd.hpp"
#include "dnngen/cli/command_line.hpp"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/common/version.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/eie/compress_cli.hpp"
#include "dnngen/eie/pe_scaling.hpp"
#include "dnngen/generate/bundle.hpp"
#include "dnngen/generate/verilog2005.hpp"
#include "dnngen/infer/infer_cli.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/sweep/report.hpp"
#include "dnngen/sweep/run.hpp"
#include "dnngen/synth/synth.hpp"
#include "engines.hpp"
#include "sim_builder.hpp"

namespace dnngen {
// tools/power_cmd.cpp
cli::Usage power_usage();
boost::program_options::options_description power_options();
int cmd_power(const cli::CommandLine& cl);

namespace {

namespace po = boost::program_options;
using cli::CommandLine;
using cli::text;
using cli::texts;

int cmd_validate(const CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("validate", cl));
  fmt::print("{}: ok\n{}", cfg.source_path, engines::find(cfg).describe(cfg));
  return 0;
}

int cmd_params(const CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("params", cl));
  const bool yosys = cl.has("yosys");
  std::string line;
  for (const auto& [name, value] : config::rtl_parameters(cfg))
    line += yosys ? fmt::format(" -set {} {}", name, value) : fmt::format(" -G{}={}", name, value);
  fmt::print("{}\n", line.empty() ? line : line.substr(1));
  return 0;
}

// The shell's register map in one of its generated forms, on standard output.
int cmd_regmap(const CommandLine& cl) {
  if (!cl.positionals.empty())
    throw InputError("dnngen regmap takes no arguments (got '" + cl.positionals[0] + "')");
  const int forms = (cl.has("markdown") ? 1 : 0) + (cl.has("c-header") ? 1 : 0) + (cl.has("sv") ? 1 : 0);
  if (forms > 1) throw InputError("dnngen regmap: give one of --markdown, --c-header, --sv");
  const auto& map = shell::register_map();
  if (cl.has("c-header"))
    std::cout << shell::c_header(map);
  else if (cl.has("sv"))
    std::cout << shell::sv_package(map);
  else
    std::cout << shell::markdown_table(map);
  return 0;
}

int cmd_simulator(const CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("simulator", cl));
  const auto build = sim::build_simulator(cfg, cl.has("trace"), cl.has("rebuild"));
  if (build.cached)
    fmt::print("{} (cached)\n", build.executable);
  else
    fmt::print("{} (built in {:.1f} s)\n", build.executable, build.seconds);
  return 0;
}

int cmd_generate(const CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("generate", cl));
  const std::string out = cl.get("out");
  if (out.empty()) throw InputError("dnngen generate: missing -o DIR");
  generate::BundleOptions options;
  options.verilog2005 = cl.has("verilog2005");
  generate::write_bundle(cfg, out, options);
  fmt::print("generated {}: RTL bundle for {} in {}\n", cfg.name, config::rtl_top_module(cfg), out);
  if (options.verilog2005) {
    fmt::print("  {}: flattened Verilog-2005, checked with iverilog -g2005\n",
               generate::flat_verilog_name(cfg));
  }
  return 0;
}

int cmd_compress(const CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("compress", cl));
  eie::CompressOptions options;
  options.in = cl.list("in");
  options.out = cl.list("out");
  options.param = cl.list("param");
  if (cl.has("seed")) options.seed = cl.get("seed");
  options.sram_dir = cl.get("sram-dir");
  options.json_path = cl.get("json");
  return eie::compress_command(cfg, options);
}

// A number option's value, or InputError naming the option.
double number_option(const CommandLine& cl, const std::string& name, double fallback) {
  if (!cl.has(name)) return fallback;
  const std::string text = cl.get(name);
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw InputError(fmt::format("--{} {}: expected a number", name, text));
}

int64_t count_option(const CommandLine& cl, const std::string& name, int64_t fallback) {
  const double v = number_option(cl, name, static_cast<double>(fallback));
  if (v != static_cast<double>(static_cast<int64_t>(v)))
    throw InputError(fmt::format("--{} {}: expected a whole number", name, cl.get(name)));
  return static_cast<int64_t>(v);
}

int cmd_infer(const CommandLine& cl) {
  std::vector<config::Config> cfgs;
  for (const auto& path : cl.positionals) cfgs.push_back(config::load_config(path));
  infer::InferOptions o;
  o.mapping = cl.list("map");
  o.mapping_path = cl.get("mapping");
  o.model_path = cl.get("model");
  o.input_path = cl.get("input");
  o.labels_path = cl.get("labels");
  o.calibrate_path = cl.get("calibrate");
  if (cl.has("calibration")) o.calibration = cl.get("calibration");
  o.percentile = number_option(cl, "percentile", o.percentile);
  o.input_scale = number_option(cl, "input-scale", o.input_scale);
  o.count = count_option(cl, "count", o.count);
  o.calibration_count = count_option(cl, "calibration-count", o.calibration_count);
  o.batch = count_option(cl, "batch", o.batch);
  const int64_t precision = count_option(cl, "precision", 0);
  if (precision < 0 || precision > 64)
    throw InputError(fmt::format("--precision {}: expected 2..16 bits", precision));
  o.precision = static_cast<unsigned>(precision);
  o.precision_snr_db = number_option(cl, "precision-snr", o.precision_snr_db);
  if (cl.has("backend")) o.backend = cl.get("backend");
  o.energy_table = cl.get("energy-table");
  o.json_path = cl.get("json");
  o.predictions_path = cl.get("predictions");
  o.first = count_option(cl, "first", 0);
  o.shards = count_option(cl, "shards", 1);
  o.partial_path = cl.get("partial");
  o.work_dir = cl.get("work-dir");
  o.execution = execution_options(cl);
  const bool exec_options = cl.has("jobs") || cl.has("slurm") || cl.has("work-dir");
  if (exec_options && o.shards < 2)
    throw InputError("--jobs, --slurm and --work-dir apply to --shards N (N >= 2) runs");
  o.dnngen = std::filesystem::read_symlink("/proc/self/exe").string();
  infer::check_infer_options(cfgs, o);  // fail fast, before a build
  if (o.backend == "rtl") {
    for (const auto& cfg : cfgs) {
      const auto build = sim::build_simulator(cfg, false, false, /*shell=*/true);
      o.simulators.push_back(build.executable);
      if (build.cached)
        fmt::print("simulator: {} (cached)\n", build.executable);
      else
        fmt::print("simulator: built {} in {:.1f} s\n", build.executable, build.seconds);
    }
  }
  return infer::infer_command(cfgs, o, progress_printer(cl.has("quiet") || o.shards < 2));
}

int cmd_synth(const CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("synth", cl));
  synth::SynthOptions options;
  const std::string target = cl.get("target");
  if (!target.empty()) options.target = target;
  options.work_dir = cl.get("work-dir");
  const std::string json = cl.get("json");
  options.flat_ltp = cl.has("flat-ltp");
  options.flat = cl.has("flat");
  options.jobs = cl.has("jobs") ? static_cast<int>(cl.options["jobs"].as<unsigned>())
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.shell = cl.has("shell");
  options.liberty = cl.get("liberty");
  options.device = cl.get("device");
  if (!json.empty()) cli::check_output_path(json, "--json");
  options.categories = engines::find(cfg).synth_categories;
  const auto report = synth::run_synth(cfg, options);
  std::cout << synth::format_table(report);
  cli::write_json_report(json, synth::to_json(report));
  return 0;
}

int cmd_bench(const CommandLine& cl) {
  const auto cfg = config::load_config(cli::config_argument("bench", cl));
  const std::string network = cl.get("network");
  const std::string json = cl.get("json");
  if (network.empty()) throw InputError("dnngen bench: missing --network workloads/NAME.csv");
  if (cl.has("pe-scaling")) {
    eie::PeScalingOptions options;
    options.network = network;
    options.pes = cl.has("pes") ? cl.get("pes") : "";
    if (cl.has("pes") && options.pes.empty())
      throw InputError("--pes: expected a list of PE counts, e.g. 1,2,4");
    options.json_path = json;
    options.csv_path = cl.get("csv");
    return eie::pe_scaling_command(cfg, options);
  }
  for (const char* option : {"pes", "csv"})
    if (cl.has(option))
      throw InputError(fmt::format("--{} goes with --pe-scaling (an EIE configuration)", option));
  if (!json.empty()) cli::check_output_path(json, "--json");
  return engines::find(cfg).bench(cfg, network, json);
}

int cmd_sweep(const CommandLine& cl) {
  const std::string command = "dnngen sweep " + process::command_line(cl.arguments);
  sweep::SweepOptions options;
  options.engine = engines::sweep_hooks();
  for (const auto& set : cl.list("set")) options.axes.push_back(sweep::parse_axis(set));
  const std::string out = cl.get("out");
  const std::string target = cl.get("target");
  if (!target.empty()) options.synth.target = target;
  options.network = cl.get("network");
  options.base_configs = cl.positionals;
  options.command = command;
  options.batch = execution_options(cl);
  if (options.base_configs.empty()) throw InputError("dnngen sweep: missing CONFIG.yaml");
  if (out.empty()) throw InputError("dnngen sweep: missing -o DIR");
  sweep::check_sweep_output(out);  // refuse before hours of synthesis
  config::load_energy_table();     // the report prices the energy with it: a bad table now
  // The points' batch: --work-dir (kept), or OUT.work beside the report (removed when the
  // sweep succeeds). Either way an interrupted or failed sweep run again resumes there.
  options.work_dir = cl.has("work-dir") ? cl.get("work-dir") : output::normalize(out).string() + ".work";
  options.keep_work_dir = cl.has("work-dir");
  options.dnngen = std::filesystem::read_symlink("/proc/self/exe").string();

  const exec::ProgressFn progress = progress_printer(cl.has("quiet"));
  const sweep::SweepResult result = sweep::run_sweep(options, progress);
  sweep::write_sweep(result, out);
  fmt::print("sweep: {} point(s) in {:.1f} s; wrote {}/report.md, sweep.csv, sweep.json and {} plot(s)\n",
             result.points.size(), result.seconds, out, sweep::plots(result).size());
  return 0;
}

// `run` and `cosim`: validates everything the job needs, then runs the golden model
// (run --backend model) or builds (or finds) the simulator and hands the job over; the
// simulator's exit status becomes ours.
int cmd_job(const std::string& command, const CommandLine& cl) {
  auto opts = cli::job_options_from(command, cl);
  const auto cfg = config::load_config(opts.config_path);
  const engine::Engine& eng = engines::find(cfg);
  if (!opts.op_given) opts.op = eng.ops.front();
  if (std::find(eng.ops.begin(), eng.ops.end(), opts.op) == eng.ops.end())
    throw InputError(
        fmt::format("--op {}: engine {} supports: {}", opts.op, cfg.engine, fmt::join(eng.ops, ", ")));
  // run goes through the shell where the engine has one, unless --kernel says otherwise.
  if (command == "run" && !opts.kernel && cli::shell_by_default(cfg, opts.op)) opts.shell = true;
  if (opts.shell && !config::has_shell(cfg)) throw InputError("--shell: " + config::no_shell_reason(cfg));
  if (opts.shell && (cfg.engine == "systolic" || cfg.engine == "bitserial") && opts.op != "gemm" &&
      opts.op != "conv2d")
    throw InputError("--shell: op " + opts.op +
                     " does not run through the shell (gemm and conv2d do; docs/shell.md)");
  eng.check_job(cfg, opts);  // fail fast, before a build
  if (command == "run" && opts.backend == "model") {
    if (!opts.fst_path.empty() || opts.rebuild)
      throw InputError("--fst and --rebuild apply to the RTL simulator: use --backend rtl");
    return eng.run_model(cfg, opts);
  }

  const auto build = sim::build_simulator(cfg, !opts.fst_path.empty(), opts.rebuild, opts.shell);
  if (!opts.quiet) {
    if (build.cached)
      fmt::print("simulator: {} (cached)\n", build.executable);
    else
      fmt::print("simulator: built {} in {:.1f} s\n", build.executable, build.seconds);
  }
  std::cout.flush();
  std::vector<std::string> sim_args = cli::to_args(opts);
  sim_args.insert(sim_args.begin(), build.executable);
  std::vector<char*> argv;
  for (auto& a : sim_args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The simulator runs as a child, so a crash is reported like any failed check (exit 1,
  // with what happened and the command that reproduces it) instead of ending dnngen with
  // the signal. It ends with dnngen: killed, dnngen takes its simulator with it.
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) throw ToolError("cannot start the simulator " + build.executable);
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // dnngen died before the line above
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw ToolError("lost the simulator " + build.executable);
  }
  if (WIFSIGNALED(status)) {
    fmt::print(stderr,
               "error: the simulator {} was killed by signal {} ({}); the run failed. Rebuild it with "
               "--rebuild if it keeps crashing.\n",
               build.executable, WTERMSIG(status), ::strsignal(WTERMSIG(status)));
    fmt::print("replay: dnngen {} {}\n", command, process::command_line(cl.arguments));
    return 1;
  }
  if (WEXITSTATUS(status) == 127) throw ToolError("cannot start the simulator " + build.executable);
  return WEXITSTATUS(status);
}

// ------------------------------------------------------------------------ commands

struct Command {
  std::string name;
  cli::Usage usage;
  po::options_description options;
  std::function<int(const CommandLine&)> run;
};

// -h/--help and the options `declare` adds.
po::options_description options_of(const std::string& command,
                                   const std::function<void(po::options_description_easy_init)>& declare) {
  po::options_description d = cli::command_options(command);
  declare(d.add_options());
  return d;
}

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"validate",
       {{"CONFIG"}, "check a configuration, print what it builds", ""},
       cli::command_options("validate"),
       cmd_validate},
      {"params",
       {{"CONFIG [--verilator | --yosys]"}, "print the RTL parameters bound from the configuration", ""},
       options_of("params",
                  [](auto add) {
                    add("verilator", "as Verilator options, -GName=value (the default)");
                    add("yosys", "as Yosys chparam options, -set Name value");
                  }),
       cmd_params},
      {"regmap",
       {{"[--markdown | --c-header | --sv]"},
        "print the accelerator shell's register map",
        "From rtl/shell/regmap.yaml: the Markdown table (default), the C header or the\n"
        "SystemVerilog package (dnn_shell_regs_pkg)."},
       options_of("regmap",
                  [](auto add) {
                    add("markdown", "the Markdown table (the default)");
                    add("c-header", "the C header (DNNGEN_<REG>_OFFSET, _SHIFT, _MASK)");
                    add("sv", "the SystemVerilog package dnn_shell_regs_pkg");
                  }),
       cmd_regmap},
      {"simulator",
       {{"CONFIG [--rebuild] [--trace]"},
        "build (or find in the cache) the configuration's Verilator simulator",
        "Prints its path and '(cached)' or '(built in N s)'."},
       options_of("simulator",
                  [](auto add) {
                    add("rebuild", "build afresh even if the cache holds the simulator");
                    add("trace", "the FST-capable build (cached separately)");
                  }),
       cmd_simulator},
      {"generate",
       {{"CONFIG -o DIR [--verilog2005]"},
        "write the configured RTL bundle",
        "The bundle: sources, a top wrapper with the parameters bound, filelist (.f), FuseSoC .core\n"
        "and manifest."},
       options_of("generate",
                  [](auto add) {
                    add("out,o", text("DIR"), "the bundle's directory (replaced if it holds a bundle)");
                    add("verilog2005", "also <name>_flat.v: the top flattened to one Verilog-2005 file");
                  }),
       cmd_generate},
      {"run", cli::job_synopsis("run"), cli::job_options("run"),
       [](const CommandLine& cl) { return cmd_job("run", cl); }},
      {"cosim", cli::job_synopsis("cosim"), cli::job_options("cosim"),
       [](const CommandLine& cl) { return cmd_job("cosim", cl); }},
      {"compress",
       {{"CONFIG --in weights=W.npy --param density=D --out codebook=C.npy --out w_idx=I.npy [options]"},
        "EIE: prune, k-means codebook, CSC per PE (engine eie)",
        "W: float32/float64 [M, N] (outputs x inputs); D in (0, 1]; the config gives index_bits,\n"
        "frac_bits, PEs and the SRAM sizes the result must fit."},
       options_of("compress",
                  [](auto add) {
                    add("in", texts("weights=W.npy"), "the dense weights, float32/float64 [M, N]");
                    add("param", texts("density=D"), "the fraction of weights kept, in (0, 1]");
                    add("out", texts("NAME=FILE.npy"), "codebook=C.npy and w_idx=I.npy: the EIE operands");
                    add("seed", text("S"), "breaks ties at the pruning threshold (default 1)");
                    add("sram-dir", text("DIR"), "also write each PE's SRAM images (.npy and .hex) here");
                    add("json", text("FILE"), "write a JSON report to this file");
                  }),
       cmd_compress},
      {"infer",
       {{"CONFIG... --model NET.onnx --input X.npy|IMAGES.idx[.gz] [--labels Y] [options]"},
        "run an ONNX network, quantised, through the engines' shells (model or RTL)",
        "Quantises to each engine's numerics on a calibration set, runs every Conv/Gemm/MatMul\n"
        "as a layer descriptor on one of the configurations (bias, requantisation, ReLU in the\n"
        "shell; pooling on the host) and reports accuracy against the float network and the\n"
        "labels, and cycles per layer including data movement (docs/infer.md)."},
       options_of("infer",
                  [](auto add) {
                    add("model", text("NET.onnx"), "the network (ONNX)");
                    add("input", text("FILE"), "the inputs: .npy (float or integer) or IDX (gzip or not)");
                    add("labels", text("FILE"), "their labels: .npy or IDX");
                    add("count", text("N"), "run the first N inputs (default all)");
                    add("input-scale", text("F"), "multiply every input value by F first (default 1)");
                    add("calibrate", text("FILE"), "calibration inputs (default the inputs)");
                    add("calibration-count", text("N"), "calibrate on the first N of them (default 100)");
                    add("calibration", text("METHOD"), "minmax (default) | percentile");
                    add("percentile", text("P"), "percentile: of |x| (default 99.99)");
                    add("batch", text("B"), "inputs a call (a dense layer's M; default 64)");
                    add("backend", text("B"), "model (default) | rtl");
                    add("precision", text("P"),
                        "bit-serial layers: activations of P bits (default: per layer, the fewest bits "
                        "that keep the calibration inputs' SNR at --precision-snr)");
                    add("precision-snr", text("DB"), "the precision profile's SNR target (default 40 dB)");
                    add("mapping", text("FILE.yaml"), "layer names to configuration names (LAYER: CONFIG)");
                    add("map", texts("LAYER=CONFIG"),
                        "run LAYER on the configuration named CONFIG (default: convolutions on the first "
                        "systolic one, fully connected layers at most half non-zero on an EIE one)");
                    add("energy-table", text("FILE.yaml"),
                        "energy per action (default configs/energy/horowitz_45nm.yaml)");
                    add("json", text("FILE"), "write a JSON report to this file");
                    add("predictions", text("FILE.npy"), "write the predicted classes (int64 [N])");
                    add("first", text("I"), "start at input I (default 0; --count counts from there)");
                    add("shards", text("N"),
                        "split the inputs into N tasks of whole batches, run as a batch (local "
                        "workers or --slurm), one report");
                    add("work-dir", text("DIR"), "--shards: the batch directory, kept (a rerun resumes)");
                    add("partial", text("FILE.json"),
                        "what a shard runs: write this run's counts (no report) for the merge");
                    add_execution_options(add);
                  }),
       cmd_infer},
      {"synth",
       {{"CONFIG [--target generic|asic|xilinx|ice40] [options]"},
        "synthesize the configured top with Yosys: area, flip-flops, logic depth",
        ""},
       options_of("synth",
                  [](auto add) {
                    add("target", text("TARGET"), "generic (the default) | asic | xilinx | ice40");
                    add("liberty", text("FILE"), "asic: the Liberty library (default OSU 0.18 um)");
                    add("device", text("NAME"),
                        "ice40: hx1k | up5k | hx8k (default: the smallest that fits)");
                    add("work-dir", text("DIR"), "keep the scripts, logs and netlists here");
                    add("json", text("FILE"), "write a JSON report to this file");
                    add("flat-ltp", "also run Yosys's flat ltp -noff to cross-check the logic depth");
                    add("flat",
                        "generic: flatten before synthesis (one Yosys run, optimized across modules; "
                        "totals only) instead of each distinct module once");
                    add("jobs,j", po::value<unsigned>()->value_name("N"),
                        "generic: synthesize N distinct modules at once (default: the machine's cores)");
                    add("shell",
                        "synthesize the engine behind its AXI shell (the bundle's shell top); the "
                        "shell's share is reported");
                  }),
       cmd_synth},
      {"power", power_usage(), power_options(), cmd_power},
      {"bench",
       {{"CONFIG --network workloads/NAME.csv [--json R]",
         "EIE_CONFIG --network workloads/eie_layers.csv --pe-scaling [--pes LIST] [--json R] [--csv C]"},
        "estimate a whole network with the engine's closed-form cycle model",
        "--pe-scaling (engine eie): each layer on 1, 2, 4, ..., 256 PEs with the cycle model:\n"
        "cycles, speedup over 1 PE and load balance (kernel only, no data movement; docs/eie.md)."},
       options_of("bench",
                  [](auto add) {
                    add("network", text("FILE.csv"), "the layer table (workloads/*.csv)");
                    add("json", text("FILE"), "write a JSON report to this file");
                    add("pe-scaling", "EIE: sweep the PE count (the config's other keys kept)");
                    add("pes", text("LIST"),
                        "--pe-scaling: the PE counts, increasing from 1 (default 1,2,4,...,256)");
                    add("csv", text("FILE"), "--pe-scaling: also write one CSV line per layer and PE count");
                  }),
       cmd_bench},
      {"sweep",
       {{"CONFIG... --set KEY[,KEY]=V1,V2,... [--set ...] -o DIR [options]"},
        "synthesis (and network estimate) over a parameter grid",
        "Writes sweep.json, sweep.csv and report.md with SVG plots."},
       options_of("sweep",
                  [](auto add) {
                    add("set", texts("KEY=V1,V2,..."),
                        "one axis (KEY1,KEY2=V1,... gives both keys each value)");
                    add("out,o", text("DIR"), "the report's directory");
                    add("target", text("TARGET"), "the synthesis target (default generic)");
                    add("network", text("FILE.csv"), "also estimate this layer table at every point");
                    add("work-dir", text("DIR"),
                        "the points' tasks and Yosys runs, kept (default OUT.work, removed after "
                        "a successful sweep); a sweep run again on it resumes");
                    add_execution_options(add);
                  }),
       cmd_sweep},
      {"batch", batch_usage(), batch_options(), cmd_batch},
  };
  return list;
}

// `dnngen --help`: every command's forms and summary.
std::string overview() {
  std::string text =
      "usage: dnngen COMMAND ARGUMENTS [options]\n"
      "       dnngen COMMAND --help\n"
      "       dnngen --help | --version\n\ncommands:\n";
  for (const auto& c : commands()) {
    for (size_t i = 0; i < c.usage.forms.size(); ++i)
      text += fmt::format("  {:<9} {}\n", i == 0 ? c.name : "", c.usage.forms[i]);
    text += fmt::format("  {:<9}   {}\n", "", c.usage.summary);
  }
  text +=
      "\nOptions go before or after the arguments, as --opt value or --opt=value.\n"
      "'dnngen COMMAND --help' lists a command's options.\n";
  return text;
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  using namespace dnngen;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << overview();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    // Until dnngen/common/version.hpp: the version the bundles record.
    fmt::print("dnngen {}\n", kDnngenVersion);
    return 0;
  }
  try {
    const auto& list = commands();
    const auto it = std::find_if(list.begin(), list.end(), [&](const auto& c) { return c.name == args[0]; });
    if (it == list.end()) throw InputError("unknown command '" + args[0] + "' (see dnngen --help)");
    const CommandLine cl = cli::parse_command_line(it->name, {args.begin() + 1, args.end()}, it->options);
    if (cl.help) {
      std::cout << cli::help_text(it->name, it->usage, it->options);
      return 0;
    }
    return it->run(cl);
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
