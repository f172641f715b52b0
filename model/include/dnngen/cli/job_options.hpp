#pragma once
// Options of the job commands (`run`, `cosim`), shared by the dnngen front end and the
// per-configuration simulator it builds, so both accept exactly the same syntax.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/cli/command_line.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/golden/conv2d.hpp"

namespace dnngen::cli {

struct JobOptions {
  std::string command;  // "run" or "cosim"
  std::string config_path;
  std::string op = "gemm";
  bool op_given = false;                      // --op on the command line (else the engine's default)
  std::string backend = "model";              // run: model | rtl
  std::map<std::string, std::string> inputs;  // NAME -> .npy path
  std::map<std::string, std::string> outputs;
  std::map<std::string, std::string> params;  // --param key=value
  std::string json_path;
  bool random = false;
  std::string layer;  // cosim: FILE.csv:LAYER, a real layer's GEMM
  uint64_t seed = 1;
  uint64_t count = 20;
  double ready_probability = 1.0;  // cosim: consumer ready rate (backpressure)
  double input_gap = 0.0;          // cosim: chance an input transfer waits a cycle
  bool shell = false;              // run: gemm through the engine's AXI shell (systolic/shell_run.hpp)
  bool kernel = false;             // run: --kernel, the engine's kernel top even where a shell is
  uint64_t x_seed = 0;             // cosim: random power-up state from this seed (0: zeros)
  bool resets = false;             // cosim: a reset at a random point before each job
  uint64_t bad_jobs = 0;           // cosim: jobs with out-of-range fields, to be refused
  std::string fst_path;            // waveform of the RTL run (trace builds only)
  bool rebuild = false;
  bool quiet = false;
};

// The options of `run` or `cosim` (with -h/--help), how the command is called, and the
// whole `--help` text.
boost::program_options::options_description job_options(const std::string& command);
Usage job_synopsis(const std::string& command);
std::string job_usage(const std::string& command);

// The job of a parsed command line. Throws InputError with one line naming the offending
// option and what was expected.
JobOptions job_options_from(const std::string& command, const CommandLine& cl);

// The NAME=VALUE items of a repeatable option (--in, --param, --out); InputError for an
// item without '=' and for a name given twice.
std::map<std::string, std::string> parse_bindings(const CommandLine& cl, const char* key);

// Parses argv after the command word (the simulators' entry point). With --help the
// result holds only config_path = "--help": print job_usage(command).
JobOptions parse_job_options(const std::string& command, const std::vector<std::string>& args);

// Re-serialises options as arguments (for handing a job to the simulator process).
std::vector<std::string> to_args(const JobOptions& opts);

// run: whether a gemm or conv2d goes through the engine's AXI shell when neither --shell nor
// --kernel says: yes where the engine has a shell whose int32 output holds its sums.
bool shell_by_default(const config::Config& cfg, const std::string& op);

// Tensor names of an op: gemm reads A, B and writes C; conv2d reads ifmap, weights
// and writes ofmap; spmv reads codebook, w_idx, x and writes y.
// The .npy tensor at `path` as --in `name`: InputError unless it has `rank` dimensions.
Tensor load_tensor(const std::string& name, const std::string& path, size_t rank);

std::vector<std::string> input_names(const std::string& op);
std::string output_name(const std::string& op);

struct GemmOperands {
  Tensor a, b;
};

// Reads --in A=... --in B=... for op gemm and checks them against the config.
GemmOperands load_gemm_operands(const config::Config& cfg, const JobOptions& opts);

struct Conv2dOperands {
  Tensor ifmap, weights;  // ifmap [C, H, W], or [N, C, H, W] where images are allowed
  golden::Conv2dParams params;
};

// --param stride=S pad=P of op conv2d (defaults 1 and 0); InputError for other keys,
// non-integers, stride < 1 or pad < 0.
golden::Conv2dParams conv2d_params(const JobOptions& opts);

// Reads --in ifmap=... --in weights=... for op conv2d and checks them; with `images` the
// ifmap may also be a batch [N, C, H, W] (N >= 1), each image checked as one ifmap.
Conv2dOperands load_conv2d_operands(const config::Config& cfg, const JobOptions& opts, bool images = false);

// Checks the op, its parameters, the binding names and output paths before any work
// is done, so a bad command line fails fast and writes nothing (systolic WS/OS; the
// other engines have checks of their own).
void check_bindings(const config::Config& cfg, const JobOptions& opts);

// Adds the op's output (C or ofmap; int32 when acc_bits <= 32, else int64), for its --out
// binding, to the outputs the command commits together.
void add_result(output::OutputSet& outputs, const config::Config& cfg, const JobOptions& opts,
                const Tensor& t);

// Throws InputError unless `path` names a file (new or existing) in an existing
// directory; `what` names the option in the message ("--json").
void check_output_path(const std::string& path, const std::string& what);

// Adds a JSON report (--json) to the outputs the command commits together; no-op when
// path is empty.
void add_json_report(output::OutputSet& outputs, const std::string& path, const nlohmann::json& report);

// Writes a JSON report, the command's only output, atomically (temp file + rename). No-op
// when path is empty.
void write_json_report(const std::string& path, const nlohmann::json& report);

}  // namespace dnngen::cli
