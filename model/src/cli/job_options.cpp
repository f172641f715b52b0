#include "dnngen/cli/job_options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/strings.hpp"
#include "dnngen/golden/conv2d.hpp"
#include "dnngen/golden/gemm.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::cli {
namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace {

// Issue 11: two outputs on one path, or an output on an input, silently overwrote one
// with the other. Paths compare resolved (symbolic links, "..", relative forms).
void check_distinct_paths(const JobOptions& o) {
  std::vector<std::pair<std::string, std::string>> outputs;  // option, path
  for (const auto& [name, path] : o.outputs) outputs.push_back({"--out " + name, path});
  if (!o.json_path.empty()) outputs.push_back({"--json", o.json_path});
  if (!o.fst_path.empty()) outputs.push_back({"--fst", o.fst_path});
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const auto& [name, list] : o.inputs)
    for (const auto& path : strings::split(list, ',')) inputs.push_back({"--in " + name, path});
  auto same = [](const std::string& a, const std::string& b) {
    if (a == "/dev/null" || b == "/dev/null") return false;  // any number of outputs may go there
    std::error_code ea, eb;
    namespace fs = std::filesystem;
    return fs::weakly_canonical(fs::absolute(a), ea) == fs::weakly_canonical(fs::absolute(b), eb) && !ea &&
           !eb;
  };
  for (size_t i = 0; i < outputs.size(); ++i) {
    for (size_t j = i + 1; j < outputs.size(); ++j)
      if (same(outputs[i].second, outputs[j].second))
        throw InputError(fmt::format("{} and {} name the same file {}: give each output its own path",
                                     outputs[i].first, outputs[j].first, outputs[i].second));
    for (const auto& [option, path] : inputs)
      if (same(outputs[i].second, path))
        throw InputError(fmt::format("{} {} is also the input {}: an output must not overwrite an input",
                                     outputs[i].first, outputs[i].second, option));
  }
}

void expect_names(const std::map<std::string, std::string>& got, const std::vector<std::string>& want,
                  const std::string& what, const std::string& op) {
  for (const auto& [name, value] : got) {
    if (std::find(want.begin(), want.end(), name) == want.end()) {
      std::string list;
      for (const auto& w : want) list += (list.empty() ? "" : ", ") + w;
      throw InputError(what + " '" + name + "' is not used by op " + op + " (expected: " + list + ")");
    }
  }
  for (const auto& name : want)
    if (!got.count(name)) throw InputError("missing " + what + " " + name + " for op " + op);
}

}  // namespace

std::map<std::string, std::string> parse_bindings(const CommandLine& cl, const char* key) {
  std::map<std::string, std::string> out;
  for (const auto& b : cl.list(key)) {
    const auto [name, value] = split_binding(std::string("--") + key, b);
    if (out.count(name)) throw InputError(std::string("--") + key + " " + name + " given twice");
    out[name] = value;
  }
  return out;
}

void check_output_path(const std::string& path, const std::string& what) {
  // The file is made beside a symbolic link's target (output::OutputSet puts its temporary
  // file there), so that directory must exist and take new files.
  const fs::path parent = output::write_target(path).parent_path();
  if (!fs::is_directory(parent))
    throw InputError(what + " " + path + ": directory " + parent.string() + " does not exist");
  if (fs::is_directory(path)) throw InputError(what + " " + path + ": is a directory, expected a file name");
  // A device such as /dev/null is written through, not replaced: no file is made beside it.
  const fs::file_status st = fs::status(path);
  if (!fs::exists(st) || fs::is_regular_file(st)) output::check_can_create_in(parent, what + " " + path);
}

po::options_description job_options(const std::string& command) {
  po::options_description d = command_options(command);
  auto add = d.add_options();
  add("op", text("OP")->default_value("gemm"),
      "operation: gemm (A, B -> C) | conv2d (ifmap, weights -> ofmap; --param stride=S pad=P) | "
      "spmv (codebook, w_idx, x -> y; engine eie); default: the engine's first op");
  add("in", texts("NAME=FILE.npy"), "an input tensor");
  add("param", texts("KEY=VALUE"), "a job parameter");
  add("json", text("FILE"), "write a JSON report to this file");
  add("fst", text("FILE"), "write an FST waveform of the RTL run (slow)");
  add("rebuild", "rebuild the cached simulator");
  add("quiet", "print only the summary");
  if (command == "run") {
    add("backend", text("BACKEND")->default_value("model"), "model | rtl");
    add("out", texts("NAME=FILE.npy"), "an output tensor");
    add("shell",
        "through the engine's AXI shell, tensors in memory, cycles including data movement: systolic WS and "
        "OS "
        "gemm or conv2d as one layer (the default where the shell's int32 output holds the sums); eie spmv "
        "as "
        "one layer per w_idx, x one vector or a batch [N, K]; row-stationary conv2d as one layer (CHW / "
        "KCRS)");
    add("kernel",
        "run on the engine's kernel top instead of its shell: operands in the on-chip buffers, jobs within "
        "the buffers' limits, cycles of compute only (no data movement)");
  } else {
    add("random", "run random jobs instead of --in tensors");
    add("layer", text("FILE.csv:NAME"),
        "run a real layer FILE.csv:NAME (conv lowered by im2col), split into jobs that fit");
    add("seed", po::value<uint64_t>()->default_value(1)->value_name("S"), "random seed");
    add("count", po::value<uint64_t>()->default_value(20)->value_name("N"), "number of random jobs");
    add("ready", po::value<double>()->default_value(1.0)->value_name("P"),
        "probability the result consumer is ready each cycle (backpressure test)");
    add("gaps", po::value<double>()->default_value(0.0)->value_name("P"),
        "probability an input transfer (loader word, job) is held back a cycle (input valid gaps)");
    add("x-seed", po::value<uint64_t>()->default_value(0)->value_name("S"),
        "start every RTL register and memory at a random value from seed S (0: all zero)");
    add("resets",
        "before each job, reset the RTL at a random point (mid-load, mid-job, output stalled), then run the "
        "job");
    add("bad-jobs", po::value<uint64_t>()->default_value(0)->value_name("N"),
        "also send N jobs with out-of-range fields: each must end with the error flag and done");
  }
  return d;
}

Usage job_synopsis(const std::string& command) {
  if (command == "run") {
    return {{"CONFIG [--backend model|rtl] --in A=a.npy --in B=b.npy --out C=c.npy [--json R]",
             "CONFIG --op conv2d --in ifmap=x.npy --in weights=w.npy --param stride=S --param pad=P --out "
             "ofmap=y.npy",
             "CONFIG --op spmv --in codebook=cb.npy --in w_idx=w.npy --in x=x.npy --out y=y.npy",
             "CONFIG --in A=a.npy --in B=b.npy --param precision=P|auto --out C=c.npy"},
            "run one job on the golden model or on the RTL simulator, write its output",
            "systolic WS/OS: gemm and conv2d as one layer through the AXI shell (implicit im2col;\n"
            "cycles include data movement), or on the kernel top with --kernel (host im2col,\n"
            "compute-only cycles); conv2d native on row_stationary; spmv: engine eie (through\n"
            "its AXI shell with --shell, x then one vector or a batch [N, K]);\n"
            "--param precision: engine bitserial (default input_bits)."};
  }
  return {{"CONFIG --in NAME=FILE.npy ... [--op OP] [--ready P] [--json R]",
           "CONFIG --random [--seed S] [--count N] [--op OP] [--ready P] [--json R]",
           "CONFIG --layer FILE.csv:NAME [--seed S] [--ready P] [--json R]"},
          "run jobs on the RTL simulator and the golden model, compare values and cycles",
          "Jobs: the one of the --in tensors, N random jobs, or a real layer of a network table."};
}

std::string job_usage(const std::string& command) {
  return help_text(command, job_synopsis(command), job_options(command));
}

JobOptions parse_job_options(const std::string& command, const std::vector<std::string>& args) {
  if (command != "run" && command != "cosim") throw InputError("unknown job command " + command);
  const CommandLine cl = parse_command_line(command, args, job_options(command));
  if (cl.help) {
    JobOptions o;
    o.command = command;
    o.config_path = "--help";
    return o;
  }
  return job_options_from(command, cl);
}

JobOptions job_options_from(const std::string& command, const CommandLine& cl) {
  const po::variables_map& vm = cl.options;
  JobOptions o;
  o.command = command;
  o.config_path = config_argument(command, cl);
  o.op_given = !vm["op"].defaulted();
  o.op = vm["op"].as<std::string>();
  const std::vector<std::string> known_ops = {"gemm", "conv2d", "spmv"};
  if (std::find(known_ops.begin(), known_ops.end(), o.op) == known_ops.end())
    throw InputError("--op " + o.op + ": expected one of gemm, conv2d, spmv");
  o.inputs = parse_bindings(cl, "in");
  o.params = parse_bindings(cl, "param");
  o.json_path = cl.get("json");
  o.fst_path = cl.get("fst");
  o.rebuild = cl.has("rebuild");
  o.quiet = cl.has("quiet");
  if (command == "run") {
    o.backend = vm["backend"].as<std::string>();
    if (o.backend != "model" && o.backend != "rtl")
      throw InputError("--backend " + o.backend + ": expected model or rtl");
    o.outputs = parse_bindings(cl, "out");
    o.shell = cl.has("shell");
    o.kernel = cl.has("kernel");
    if (o.shell && o.kernel) throw InputError("--shell and --kernel: give one of them");
  } else {
    o.backend = "cosim";
    o.random = cl.has("random");
    o.layer = cl.get("layer");
    o.seed = vm["seed"].as<uint64_t>();
    o.count = vm["count"].as<uint64_t>();
    o.ready_probability = vm["ready"].as<double>();
    // Below 1 % a job's timeout (model cycles / P) would outgrow any run worth waiting for.
    if (!(o.ready_probability >= 0.01 && o.ready_probability <= 1.0))
      throw InputError(fmt::format("--ready {}: expected a probability in [0.01, 1]", o.ready_probability));
    o.input_gap = vm["gaps"].as<double>();
    if (!(o.input_gap >= 0.0 && o.input_gap < 1.0)) throw InputError("--gaps must be in [0, 1)");
    o.x_seed = vm["x-seed"].as<uint64_t>();
    o.resets = cl.has("resets");
    o.bad_jobs = vm["bad-jobs"].as<uint64_t>();
    const int sources = (o.random ? 1 : 0) + (o.inputs.empty() ? 0 : 1) + (o.layer.empty() ? 0 : 1);
    if (sources != 1)
      throw InputError(
          "dnngen cosim: give exactly one of --random, --layer FILE:NAME or the job's --in tensors");
    if (o.random && o.count == 0) throw InputError("--count must be at least 1");
  }
  check_distinct_paths(o);
  return o;
}

std::vector<std::string> to_args(const JobOptions& o) {
  std::vector<std::string> a = {o.command, o.config_path, "--op", o.op};
  for (const auto& [n, p] : o.inputs) a.insert(a.end(), {"--in", n + "=" + p});
  for (const auto& [n, p] : o.outputs) a.insert(a.end(), {"--out", n + "=" + p});
  for (const auto& [k, v] : o.params) a.insert(a.end(), {"--param", k + "=" + v});
  if (!o.json_path.empty()) a.insert(a.end(), {"--json", o.json_path});
  if (!o.fst_path.empty()) a.insert(a.end(), {"--fst", o.fst_path});
  if (o.quiet) a.push_back("--quiet");
  if (o.command == "run") {
    a.insert(a.end(), {"--backend", o.backend});
    if (o.shell) a.push_back("--shell");
  } else {
    if (o.random) a.push_back("--random");
    if (!o.layer.empty()) a.insert(a.end(), {"--layer", o.layer});
    a.insert(a.end(), {"--seed", std::to_string(o.seed), "--count", std::to_string(o.count)});
    std::ostringstream ready;
    ready.precision(17);
    ready << o.ready_probability;
    a.insert(a.end(), {"--ready", ready.str()});
    std::ostringstream gaps;
    gaps.precision(17);
    gaps << o.input_gap;
    a.insert(a.end(), {"--gaps", gaps.str(), "--x-seed", std::to_string(o.x_seed)});
    if (o.resets) a.push_back("--resets");
    a.insert(a.end(), {"--bad-jobs", std::to_string(o.bad_jobs)});
  }
  return a;
}

void check_bindings(const config::Config& /*cfg*/, const JobOptions& o) {
  if (o.op != "gemm" && o.op != "conv2d")
    throw InputError("--op " + o.op + ": the systolic engine supports: gemm, conv2d");
  if (o.op == "gemm" && !o.params.empty())
    throw InputError("--param " + o.params.begin()->first + ": op gemm takes no parameters");
  if (o.op == "conv2d") conv2d_params(o);  // validates the keys and values now
  const bool generated = o.random || !o.layer.empty();
  if (!o.inputs.empty() || !generated) expect_names(o.inputs, input_names(o.op), "input", o.op);
  if (o.command == "run") {
    const std::string out = output_name(o.op);
    expect_names(o.outputs, {out}, "output", o.op);
    check_output_path(o.outputs.at(out), "output " + out);
  }
  if (o.op == "conv2d" && generated)
    throw InputError("dnngen cosim --op conv2d: give the job's --in ifmap=... --in weights=... tensors");
  if (!o.json_path.empty()) check_output_path(o.json_path, "--json");
  if (!o.fst_path.empty()) check_output_path(o.fst_path, "--fst");
}

Tensor load_tensor(const std::string& name, const std::string& path, size_t rank) {
  io::NpyArray arr = io::read_npy(path);
  if (arr.tensor.shape.size() != rank)
    throw InputError(fmt::format("tensor {} ({}): expected a {}-D array, got shape {}", name, path, rank,
                                 shape_string(arr.tensor.shape)));
  return std::move(arr.tensor);
}

namespace {

int64_t integer_param(const std::string& key, const std::string& text) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw InputError("--param " + key + "=" + text + ": expected an integer");
}

}  // namespace

std::vector<std::string> input_names(const std::string& op) {
  if (op == "conv2d") return {"ifmap", "weights"};
  if (op == "spmv") return {"codebook", "w_idx", "x"};
  return {"A", "B"};
}

std::string output_name(const std::string& op) {
  if (op == "conv2d") return "ofmap";
  if (op == "spmv") return "y";
  return "C";
}

golden::Conv2dParams conv2d_params(const JobOptions& o) {
  golden::Conv2dParams p;
  for (const auto& [key, value] : o.params) {
    if (key == "stride")
      p.stride = integer_param(key, value);
    else if (key == "pad")
      p.pad = integer_param(key, value);
    else
      throw InputError("--param " + key + ": op conv2d takes stride and pad");
  }
  if (p.stride < 1) throw InputError(fmt::format("--param stride={}: must be at least 1", p.stride));
  if (p.pad < 0) throw InputError(fmt::format("--param pad={}: must be at least 0", p.pad));
  return p;
}

GemmOperands load_gemm_operands(const config::Config& cfg, const JobOptions& o) {
  GemmOperands ops;
  ops.a = load_tensor("A", o.inputs.at("A"), 2);
  ops.b = load_tensor("B", o.inputs.at("B"), 2);
  // Through the shell, the hardware walks the tiles: any size (the descriptor check bounds it).
  golden::check_gemm_operands(cfg.systolic, ops.a, ops.b, !o.shell);
  return ops;
}

Conv2dOperands load_conv2d_operands(const config::Config& cfg, const JobOptions& o, bool images) {
  Conv2dOperands ops;
  const std::string& path = o.inputs.at("ifmap");
  ops.ifmap = images ? io::read_npy(path).tensor : load_tensor("ifmap", path, 3);
  const size_t rank = ops.ifmap.shape.size();
  if (rank != 3 && rank != 4)
    throw InputError(
        fmt::format("tensor ifmap ({}): expected a 3-D array [C, H, W] or a batch [N, C, H, W], got "
                    "shape {}",
                    path, shape_string(ops.ifmap.shape)));
  if (rank == 4 && ops.ifmap.shape[0] < 1)
    throw InputError(fmt::format("tensor ifmap ({}): a batch of no images (shape {})", path,
                                 shape_string(ops.ifmap.shape)));
  ops.weights = load_tensor("weights", o.inputs.at("weights"), 4);
  ops.params = conv2d_params(o);
  if (rank == 3) {
    golden::check_conv2d_operands(cfg.systolic, ops.ifmap, ops.weights, ops.params);
    return ops;
  }
  for (int64_t n = 0; n < ops.ifmap.shape[0]; ++n) {
    try {
      golden::check_conv2d_operands(cfg.systolic, sub_tensor(ops.ifmap, n), ops.weights, ops.params);
    } catch (const InputError& e) {
      throw InputError(fmt::format("ifmap image {} of {}: {}", n, ops.ifmap.shape[0], e.what()));
    }
  }
  return ops;
}

void add_result(output::OutputSet& outputs, const config::Config& cfg, const JobOptions& o, const Tensor& t) {
  const auto dtype = cfg.systolic.output_bits() == 32 ? io::DType::kInt32 : io::DType::kInt64;
  const std::string& path = o.outputs.at(output_name(o.op));
  outputs.add(path, io::npy_bytes(path, t, dtype), "--out " + output_name(o.op));
}

void add_json_report(output::OutputSet& outputs, const std::string& path, const nlohmann::json& report) {
  if (!path.empty()) outputs.add(path, report.dump(2) + "\n", "--json");
}

void write_json_report(const std::string& path, const nlohmann::json& report) {
  output::OutputSet outputs;
  add_json_report(outputs, path, report);
  outputs.commit();
}

bool shell_by_default(const config::Config& cfg, const std::string& op) {
  return cfg.engine == "systolic" && !cfg.systolic.row_stationary() && config::has_shell(cfg) &&
         (op == "gemm" || op == "conv2d") && cfg.systolic.acc_bits <= 32;
}

}  // namespace dnngen::cli
