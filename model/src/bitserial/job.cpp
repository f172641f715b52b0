// Command-line jobs of the bit-serial engine: see dnngen/bitserial/job.hpp.
#include "dnngen/bitserial/job.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::bitserial {
namespace {

Tensor load_matrix(const cli::JobOptions& opts, const std::string& name) {
  return cli::load_tensor(name, opts.inputs.at(name), 2);
}

}  // namespace

std::string precision_param(const cli::JobOptions& opts) {
  const auto it = opts.params.find("precision");
  return it == opts.params.end() ? "" : it->second;
}

void check_job_options(const config::Config& cfg, const cli::JobOptions& opts) {
  const bool conv = opts.op == "conv2d";
  if (opts.op != "gemm" && !conv)
    throw InputError("--op " + opts.op + ": the bitserial engine supports: gemm, conv2d (through the shell)");
  if (conv && !opts.shell)
    throw InputError(
        "--op conv2d: the bit-serial kernel top runs gemm jobs; a convolution runs through the "
        "AXI shell (add --shell)");
  const std::string precision =
      fmt::format("precision=P (1..{}) or precision=auto", cfg.bitserial.input_bits);
  for (const auto& [key, value] : opts.params)
    if (key != "precision" && !(conv && (key == "stride" || key == "pad")))
      throw InputError("--param " + key + ": op " + opts.op + " on the bitserial engine takes only " +
                       (conv ? "stride, pad and " : "") + precision);
  parse_precision(cfg.bitserial, precision_param(opts));
  if (!opts.layer.empty())
    throw InputError("--layer: the bitserial engine co-simulates --in tensors or --random jobs");
  if (opts.random && !opts.inputs.empty()) throw InputError("--random and --in exclude each other");
  if (opts.random && conv) throw InputError("--random: op conv2d runs --in tensors");
  const std::vector<std::string> inputs = cli::input_names(opts.op);
  const std::string reads = fmt::format("op {} reads {}", opts.op, fmt::join(inputs, " and "));
  if (!opts.random) {
    for (const auto& [name, path] : opts.inputs)
      if (std::find(inputs.begin(), inputs.end(), name) == inputs.end())
        throw InputError("--in " + name + ": " + reads);
    for (const auto& name : inputs)
      if (!opts.inputs.count(name))
        throw InputError(fmt::format("missing --in {}=FILE.npy ({})", name, reads));
  }
  const std::string out = cli::output_name(opts.op);
  if (opts.command == "run") {
    for (const auto& [name, path] : opts.outputs)
      if (name != out) throw InputError("--out " + name + ": op " + opts.op + " writes " + out);
    if (!opts.outputs.count(out))
      throw InputError(fmt::format("missing --out {}=FILE.npy (op {} writes {})", out, opts.op, out));
    cli::check_output_path(opts.outputs.at(out), "output " + out);
  } else if (!opts.outputs.empty()) {
    throw InputError("--out: cosim writes no tensors (use dnngen run)");
  }
  if (!opts.json_path.empty()) cli::check_output_path(opts.json_path, "--json");
  if (!opts.fst_path.empty()) cli::check_output_path(opts.fst_path, "--fst");
  if (opts.random) return;
  if (conv)
    load_conv2d_job(cfg, opts);
  else
    load_job(cfg, opts);
}

Conv2dJob load_conv2d_job(const config::Config& cfg, const cli::JobOptions& opts) {
  Conv2dJob job;
  job.ifmap = cli::load_tensor("ifmap", opts.inputs.at("ifmap"), 3);
  job.weights = cli::load_tensor("weights", opts.inputs.at("weights"), 4);
  cli::JobOptions geometry = opts;  // stride and pad, without the precision
  geometry.params.erase("precision");
  job.params = cli::conv2d_params(geometry);
  job.precision = parse_precision(cfg.bitserial, precision_param(opts));
  golden::check_conv2d_shapes(job.ifmap, job.weights, job.params);
  check_weight_values(cfg.bitserial, "weights", job.weights);
  check_activation_values(cfg.bitserial, "ifmap", job.ifmap, job.precision);
  return job;
}

Job load_job(const config::Config& cfg, const cli::JobOptions& opts) {
  Job job;
  job.a = load_matrix(opts, "A");
  job.b = load_matrix(opts, "B");
  job.precision = parse_precision(cfg.bitserial, precision_param(opts));
  check_operands(cfg.bitserial, job.a, job.b, job.precision, !opts.shell);
  job.label = fmt::format("A {} x B {} p={}", shape_string(job.a.shape), shape_string(job.b.shape),
                          to_string(job.precision));
  return job;
}

void add_output(output::OutputSet& outputs, const config::Config& cfg, const cli::JobOptions& opts,
                const Tensor& c) {
  const std::string name = cli::output_name(opts.op);
  const std::string& path = opts.outputs.at(name);
  outputs.add(path,
              io::npy_bytes(path, c, cfg.bitserial.acc_bits <= 32 ? io::DType::kInt32 : io::DType::kInt64),
              "--out " + name);
}

}  // namespace dnngen::bitserial
