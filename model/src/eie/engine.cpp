// The eie engine's part of the dnngen front end (see dnngen/engine/engine.hpp): op
// spmv on the golden model, the option checks shared with the simulator, and the
// benchmark of the EIE reference layers. The RTL backend and cosim run in the simulator
// built from testbench/eie/sim_main.cpp.
#include "dnngen/eie/engine.hpp"

#include <fmt/format.h>

#include <iostream>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/eie/bench.hpp"
#include "dnngen/eie/job.hpp"
#include "dnngen/eie/shell_run.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::eie {

void check_job_options(const cli::JobOptions& o) {
  if (o.op != "spmv") throw InputError("--op " + o.op + ": engine eie supports: spmv");
  if (!o.params.empty())
    throw InputError("--param " + o.params.begin()->first +
                     ": op spmv takes no parameters (chain layers with --in w_idx=L0.npy,L1.npy,...)");
  // The result is read from the activation file after the job: there is no output
  // handshake for a consumer to stall, so backpressure would be a silent no-op.
  if (o.ready_probability < 1.0)
    throw InputError(
        "--ready: engine eie has no result handshake to stall (y is read from the activation file "
        "after the job); drop --ready");
  const bool generated = o.random || !o.layer.empty();
  if (!o.inputs.empty() || !generated) {
    for (const auto& [name, path] : o.inputs)
      if (name != "codebook" && name != "w_idx" && name != "x")
        throw InputError("input '" + name + "' is not used by op spmv (expected: codebook, w_idx, x)");
    for (const char* name : {"codebook", "w_idx", "x"})
      if (!o.inputs.count(name)) throw InputError(std::string("missing input ") + name + " for op spmv");
  }
  if (!o.layer.empty() && o.layer.find(':') == std::string::npos)
    throw InputError("--layer " + o.layer +
                     ": expected FILE.csv:NAME (an EIE layer table, workloads/eie_layers.csv)");
  if (o.command == "run") {
    for (const auto& [name, path] : o.outputs)
      if (name != "y") throw InputError("output '" + name + "' is not used by op spmv (expected: y)");
    if (!o.outputs.count("y")) throw InputError("missing output y for op spmv");
    cli::check_output_path(o.outputs.at("y"), "output y");
  }
  if (!o.json_path.empty()) cli::check_output_path(o.json_path, "--json");
  if (!o.fst_path.empty()) cli::check_output_path(o.fst_path, "--fst");
}

namespace {

bool handles(const config::Config& cfg) { return cfg.engine == "eie"; }

std::string describe(const config::Config& cfg) {
  const auto& e = cfg.eie;
  return fmt::format(
      "  engine eie, {} PEs, FIFO depth {}, {}-bit weight indices (codebook of {} int16), int{} activations "
      "(Q{}), acc {} bits, ReLU {}\n  limits M <= {}, N <= {} (pointers per PE: {}), {} entries per PE\n",
      e.pes, e.fifo_depth, e.index_bits, 1u << e.index_bits, e.act_bits, e.frac_bits, e.acc_bits,
      e.relu ? "on" : "off", e.max_rows, e.max_cols, e.max_cols + 1, e.max_entries);
}

void check_job(const config::Config& cfg, const cli::JobOptions& opts) {
  check_job_options(opts);
  if (opts.shell) {
    shell_run(cfg, opts);  // the shell's own checks: each layer alone, x one vector or a batch
    return;
  }
  if (!opts.inputs.empty()) load_chain(cfg.eie, opts);  // bad tensors fail before a build
  if (!opts.layer.empty()) {
    const auto colon = opts.layer.rfind(':');
    const auto layers = load_bench_layers(opts.layer.substr(0, colon));
    const std::string name = opts.layer.substr(colon + 1);
    bool found = false;
    for (const auto& l : layers) found = found || l.name == name;
    if (!found) throw InputError("--layer " + opts.layer + ": no layer named '" + name + "'");
  }
}

// run --shell: the layers on the golden model (bytes) and the shell's cycle model.
int run_model_through_shell(const config::Config& cfg, const cli::JobOptions& opts) {
  const ShellRun g = shell_run(cfg, opts);
  std::vector<uint8_t> memory = g.memory;
  const std::vector<ShellTiming> timing = run_shell_layers(g, memory);
  output::OutputSet outputs;
  const std::string& path = opts.outputs.at("y");
  outputs.add(path, io::npy_bytes(path, shell_run_result(g, memory), io::DType::kInt16), "--out y");
  cli::add_json_report(outputs, opts.json_path, shell_run_report(cfg, g, timing, "model"));
  outputs.commit();
  fmt::print("{}", shell_run_summary(cfg, g, timing, "model"));
  return 0;
}

int run_model(const config::Config& cfg, const cli::JobOptions& opts) {
  if (opts.shell) return run_model_through_shell(cfg, opts);
  const auto chain = load_chain(cfg.eie, opts);
  const auto r = run_chain(cfg.eie, chain);
  Tensor y({static_cast<int64_t>(r.outputs.back().size())});
  y.data = r.outputs.back();
  output::OutputSet outputs;
  outputs.add(opts.outputs.at("y"), io::npy_bytes(opts.outputs.at("y"), y, io::DType::kInt16), "--out y");
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& t : r.timing)
    layers.push_back({{"cycles", t.cycles},
                      {"useful_macs", t.useful_macs},
                      {"stall_cycles", t.stall_cycles},
                      {"efficiency", t.efficiency(cfg.eie.pes)}});
  const double util = static_cast<double>(r.useful_macs()) / (static_cast<double>(r.cycles()) * cfg.eie.pes);
  cli::add_json_report(outputs, opts.json_path,
                       {{"engine", cfg.engine},
                        {"config", cfg.name},
                        {"pes", cfg.eie.pes},
                        {"fifo_depth", cfg.eie.fifo_depth},
                        {"op", "spmv"},
                        {"backend", "model"},
                        {"layers", layers},
                        {"cycles", r.cycles()},
                        {"macs", r.useful_macs()},
                        {"utilization", util}});
  outputs.commit();
  fmt::print(
      "model: {} {} layer(s): {} cycles (compute only), {} useful MACs, load-balance efficiency {:.1f} %\n",
      cfg.name, r.timing.size(), r.cycles(), r.useful_macs(), 100.0 * util);
  return 0;
}

int bench(const config::Config& cfg, const std::string& network, const std::string& json) {
  const auto rows = run_bench(cfg.eie, load_bench_layers(network));
  std::cout << format_bench(cfg.eie, rows);
  auto report = bench_json(cfg.eie, rows);
  report["engine"] = cfg.engine;
  report["config"] = cfg.name;
  report["network"] = network;
  cli::write_json_report(json, report);
  return 0;
}

// Every layer of the chain's job on the kernel.
energy::Actions job_actions(const config::Config& cfg, const cli::JobOptions& opts) {
  energy::Actions a;
  for (const auto& t : run_chain(cfg.eie, load_chain(cfg.eie, opts)).timing)
    a += eie::job_actions(cfg.eie, t);
  return a;
}

}  // namespace

const engine::Engine& engine() {
  static const engine::Engine e{"eie",
                                handles,
                                {"spmv"},
                                describe,
                                check_job,
                                run_model,
                                bench,
                                nullptr,
                                engine::no_array,
                                {{"dnn_eie_au", "pe"}, {"dnn_eie_act_rw", "pe"}},
                                "eie",
                                engine::rtl_parameter_fields,
                                job_actions};
  return e;
}

}  // namespace dnngen::eie
