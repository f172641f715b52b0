// Command-line jobs of the bit-serial engine: see dnngen/bitserial/job.hpp.
#include "dnngen/bitserial/job.hpp"

#include <fmt/format.h>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::bitserial {
namespace {

Tensor load_matrix(const cli::JobOptions& opts, const std::string& name) {
  const std::string& path = opts.inputs.at(name);
  auto arr = io::read_npy(path);
  if (arr.tensor.shape.size() != 2)
    throw InputError(fmt::format("tensor {} ({}): expected a 2-D array, got shape {}", name, path,
                                 shape_string(arr.tensor.shape)));
  return std::move(arr.tensor);
}

}  // namespace

std::string precision_param(const cli::JobOptions& opts) {
  const auto it = opts.params.find("precision");
  return it == opts.params.end() ? "" : it->second;
}

void check_job_options(const config::Config& cfg, const cli::JobOptions& opts) {
  if (opts.op != "gemm") throw InputError("--op " + opts.op + ": the bitserial engine supports: gemm");
  for (const auto& [key, value] : opts.params)
    if (key != "precision")
      throw InputError("--param " + key + ": op gemm on the bitserial engine takes only precision=P (1.." +
                       std::to_string(cfg.bitserial.input_bits) + ") or precision=auto");
  parse_precision(cfg.bitserial, precision_param(opts));
  if (!opts.layer.empty())
    throw InputError("--layer: the bitserial engine co-simulates --in tensors or --random jobs");
  if (opts.random && !opts.inputs.empty()) throw InputError("--random and --in exclude each other");
  if (!opts.random) {
    for (const auto& [name, path] : opts.inputs)
      if (name != "A" && name != "B") throw InputError("--in " + name + ": op gemm reads A and B");
    for (const char* name : {"A", "B"})
      if (!opts.inputs.count(name))
        throw InputError(fmt::format("missing --in {}=FILE.npy (op gemm reads A and B)", name));
  }
  if (opts.command == "run") {
    for (const auto& [name, path] : opts.outputs)
      if (name != "C") throw InputError("--out " + name + ": op gemm writes C");
    if (!opts.outputs.count("C")) throw InputError("missing --out C=FILE.npy (op gemm writes C)");
    cli::check_output_path(opts.outputs.at("C"), "output C");
  } else if (!opts.outputs.empty()) {
    throw InputError("--out: cosim writes no tensors (use dnngen run)");
  }
  if (!opts.json_path.empty()) cli::check_output_path(opts.json_path, "--json");
  if (!opts.fst_path.empty()) cli::check_output_path(opts.fst_path, "--fst");
  if (!opts.random) load_job(cfg, opts);
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
  const std::string& path = opts.outputs.at("C");
  outputs.add(path,
              io::npy_bytes(path, c, cfg.bitserial.acc_bits <= 32 ? io::DType::kInt32 : io::DType::kInt64),
              "--out C");
}

}  // namespace dnngen::bitserial
