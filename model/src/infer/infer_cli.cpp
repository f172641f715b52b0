// `dnngen infer` (infer/infer_cli.hpp).
#include "dnngen/infer/infer_cli.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/infer/data.hpp"
#include "dnngen/infer/onnx_import.hpp"
#include "dnngen/infer/quantize.hpp"
#include "dnngen/infer/shell_plan.hpp"
#include "dnngen/io/npy.hpp"
#include "dnngen/shell/sim_server.hpp"

namespace dnngen::infer {
namespace {

// What a layer cost over the whole run (engine layers; host layers only count samples).
struct LayerTotals {
  shell::Counters timing;
  uint64_t macs = 0;
  uint64_t calls = 0;     // descriptors
  int64_t overflows = 0;  // sums that did not fit the engine's accumulators
};

int64_t macs_per_sample(const QLayer& l) {
  const int64_t pixels = l.kind == LayerKind::kConv ? l.out_shape[1] * l.out_shape[2] : 1;
  return pixels * l.n * l.k;
}

// The report's row for a layer: the same fields for every engine.
nlohmann::json layer_json(const QLayer& l, const LayerTotals& t, int64_t samples, double peak) {
  const bool engine = l.kind == LayerKind::kConv || l.kind == LayerKind::kDense;
  nlohmann::json j = {{"name", l.name},
                      {"kind", to_string(l.kind)},
                      {"where", engine ? "engine" : "host"},
                      {"input_shape", l.in_shape},
                      {"output_shape", l.out_shape}};
  if (!engine) return j;
  const auto per = [&](uint64_t v) { return static_cast<double>(v) / static_cast<double>(samples); };
  j["macs_per_sample"] = macs_per_sample(l);  // of the dense layer
  j["macs"] = t.macs;  // done by the engine (EIE: useful ones, non-zero weight x non-zero activation)
  j["descriptors"] = t.calls;
  j["cycles"] = t.timing.cycles;
  j["cycles_per_sample"] = per(t.timing.cycles);
  j["compute_cycles"] = t.timing.compute;
  j["mem_wait_cycles"] = t.timing.mem_wait;
  j["dram_bytes_read"] = t.timing.bytes_read;
  j["dram_bytes_written"] = t.timing.bytes_written;
  j["utilization"] =
      t.timing.cycles ? static_cast<double>(t.macs) / (static_cast<double>(t.timing.cycles) * peak) : 0.0;
  j["overflowed_sums"] = t.overflows;
  j["requantize"] = !l.raw;
  j["relu"] = l.relu;
  return j;
}

Calibration calibration_of(const std::string& name) {
  if (name == "minmax") return Calibration::kMinMax;
  if (name == "percentile") return Calibration::kPercentile;
  throw InputError("--calibration " + name + ": expected minmax or percentile");
}

// Samples [from, from + n) of a batch.
Batch slice(const Batch& all, int64_t from, int64_t n) {
  Batch b;
  b.shape = all.shape;
  b.shape[0] = n;
  const int64_t per = all.size() / all.shape[0];
  b.data.assign(all.data.begin() + from * per, all.data.begin() + (from + n) * per);
  return b;
}

double percent(int64_t hits, int64_t total) {
  return total ? 100.0 * static_cast<double>(hits) / static_cast<double>(total) : 0.0;
}

}  // namespace

void check_infer_options(const config::Config& cfg, const InferOptions& o) {
  target_of(cfg);
  if (o.model_path.empty()) throw InputError("infer: missing --model NET.onnx");
  if (o.input_path.empty()) throw InputError("infer: missing --input X.npy|IMAGES.idx[.gz]");
  calibration_of(o.calibration);
  if (!(o.percentile > 0 && o.percentile <= 100))
    throw InputError(fmt::format("--percentile {}: expected a value in (0, 100]", o.percentile));
  if (o.count < 0) throw InputError(fmt::format("--count {}: expected 0 (all) or more", o.count));
  if (o.calibration_count < 1)
    throw InputError(fmt::format("--calibration-count {}: expected 1 or more", o.calibration_count));
  if (o.batch < 1 || o.batch > 4096) throw InputError(fmt::format("--batch {}: expected 1..4096", o.batch));
  if (!(o.input_scale > 0))
    throw InputError(fmt::format("--input-scale {}: expected a positive number", o.input_scale));
  if (o.backend != "model" && o.backend != "rtl")
    throw InputError("--backend " + o.backend + ": expected model or rtl");
  if (!o.json_path.empty()) cli::check_output_path(o.json_path, "--json");
  if (!o.predictions_path.empty()) cli::check_output_path(o.predictions_path, "--predictions");
}

int infer_command(const config::Config& cfg, const InferOptions& o) {
  check_infer_options(cfg, o);
  const auto t0 = std::chrono::steady_clock::now();
  const Network net = import_onnx(o.model_path);
  const Batch inputs = load_samples(o.input_path, net.input_shape, o.input_scale, o.count);
  const int64_t n_samples = inputs.shape[0];
  std::vector<int64_t> labels;
  if (!o.labels_path.empty()) {
    labels = load_labels(o.labels_path, n_samples);
  }
  const std::string calib_path = o.calibrate_path.empty() ? o.input_path : o.calibrate_path;
  const Batch calib_all = load_samples(calib_path, net.input_shape, o.input_scale, 0);
  const Batch calib = slice(calib_all, 0, std::min(o.calibration_count, calib_all.shape[0]));

  const Target target = target_of(cfg);
  QuantOptions qo = quant_options(target);
  qo.calibration = calibration_of(o.calibration);
  qo.percentile = o.percentile;
  const QNetwork q = quantize(net, calib, qo);
  // The engine layers on the chosen backend. Both count the same descriptors; the RTL's
  // simulator checks every descriptor against the golden model and the cycle model, and the
  // outputs are checked here against the model's integer layer.
  std::vector<LayerTotals> totals(q.layers.size());
  std::map<std::pair<size_t, int64_t>, PlanCost> model_cost;  // systolic: (layer, batch)
  std::unique_ptr<shell::ShellSimServer> server;
  if (o.backend == "rtl") server = std::make_unique<shell::ShellSimServer>(o.simulator, cfg.source_path);
  double sim_seconds = 0;
  uint64_t rtl_mismatches = 0;
  const EngineLayerRunner runner = [&](size_t i, const QLayer& l, const QBatch& in) {
    QBatch out = engine_layer(l, in);
    LayerTotals& t = totals[i];
    t.overflows += out.overflows;
    // The systolic shell's time does not depend on the values: a plan of zeros, timed once
    // per batch size, costs the same. EIE's does (it skips zero activations).
    const auto key = std::make_pair(i, in.batch);
    if (target.eie || model_cost.count(key) == 0) {
      QBatch timed = in;
      if (!target.eie) std::fill(timed.data.begin(), timed.data.end(), 0);
      model_cost[key] = plan_cycles(target, plan_layer(target, l, timed));
    }
    const PlanCost& cost = model_cost[key];
    t.macs += cost.macs;
    t.calls += l.kind == LayerKind::kConv ? static_cast<uint64_t>(in.batch) : 1;
    if (!server) {
      t.timing += cost.counters;
      return out;
    }
    // The simulator holds every counter to the cycle model; these are the RTL's own.
    LayerPlan plan = plan_layer(target, l, in);
    const auto r = server->run(plan.memory, plan.descriptors);
    sim_seconds += r.sim_seconds;
    for (const auto& layer : r.layers) t.timing += layer.counters;
    const QBatch rtl = plan_outputs(target, l, plan, plan.memory);
    if (rtl.data != out.data) ++rtl_mismatches;
    return rtl;
  };

  std::vector<int64_t> predicted, float_predicted;
  for (int64_t from = 0; from < n_samples; from += o.batch) {
    const Batch b = slice(inputs, from, std::min(o.batch, n_samples - from));
    const auto pq = predictions(run_quantized(q, b, runner));
    const auto pf = predictions(run_float(net, b));
    predicted.insert(predicted.end(), pq.begin(), pq.end());
    float_predicted.insert(float_predicted.end(), pf.begin(), pf.end());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  int64_t agree = 0, right = 0, float_right = 0;
  for (int64_t i = 0; i < n_samples; ++i) {
    const auto u = static_cast<size_t>(i);
    agree += predicted[u] == float_predicted[u];
    if (!labels.empty()) right += predicted[u] == labels[u], float_right += float_predicted[u] == labels[u];
  }
  const double peak = target.peak_macs;
  nlohmann::json report = {
      {"network", o.model_path},
      {"config", cfg.name},
      {"engine", cfg.engine},
      {"backend", o.backend},
      {"samples", n_samples},
      {"bits", q.bits},
      {"calibration", o.calibration},
      {"calibration_samples", calib.shape[0]},
      {"memory", {{"latency", cfg.memory.latency}, {"bytes_per_cycle", cfg.memory.bytes_per_cycle}}},
      {"agreement_with_float", percent(agree, n_samples) / 100.0},
      {"seconds", seconds}};
  if (!labels.empty()) {
    report["accuracy"] = percent(right, n_samples) / 100.0;
    report["float_accuracy"] = percent(float_right, n_samples) / 100.0;
  }
  shell::Counters all;
  uint64_t all_macs = 0;
  report["layers"] = nlohmann::json::array();
  for (size_t i = 0; i < q.layers.size(); ++i) {
    report["layers"].push_back(layer_json(q.layers[i], totals[i], n_samples, peak));
    all += totals[i].timing;
    all_macs += totals[i].macs;
  }
  report["cycles"] = all.cycles;
  report["cycles_per_sample"] = static_cast<double>(all.cycles) / static_cast<double>(n_samples);
  report["compute_cycles"] = all.compute;
  report["mem_wait_cycles"] = all.mem_wait;
  report["dram_bytes_read"] = all.bytes_read;
  report["dram_bytes_written"] = all.bytes_written;
  report["utilization"] =
      all.cycles ? static_cast<double>(all_macs) / (static_cast<double>(all.cycles) * peak) : 0.0;
  if (server) {
    report["rtl_matches_model"] = rtl_mismatches == 0;
    report["sim_seconds"] = sim_seconds;
    report["samples_per_second"] = static_cast<double>(n_samples) / seconds;
  }

  fmt::print("infer {} on {} ({} backend): {} samples, int{} ({} calibration on {} samples)\n", o.model_path,
             cfg.name, o.backend, n_samples, q.bits, o.calibration, calib.shape[0]);
  fmt::print("  {:<10} {:<8} {:<6} {:>14} {:>12} {:>10} {:>10} {:>12} {:>6}\n", "layer", "kind", "where",
             "output", "cycles/smp", "compute", "mem wait", "DRAM bytes", "util");
  for (const auto& l : report["layers"]) {
    const std::string shape = shape_string(l["output_shape"].get<std::vector<int64_t>>());
    if (l["where"] == "host") {
      fmt::print("  {:<10} {:<8} {:<6} {:>14}\n", l["name"].get<std::string>(), l["kind"].get<std::string>(),
                 "host", shape);
      continue;
    }
    fmt::print("  {:<10} {:<8} {:<6} {:>14} {:>12.0f} {:>10} {:>10} {:>12} {:>5.1f}%\n",
               l["name"].get<std::string>(), l["kind"].get<std::string>(), "shell", shape,
               l["cycles_per_sample"].get<double>(), l["compute_cycles"].get<uint64_t>(),
               l["mem_wait_cycles"].get<uint64_t>(),
               l["dram_bytes_read"].get<uint64_t>() + l["dram_bytes_written"].get<uint64_t>(),
               100.0 * l["utilization"].get<double>());
  }
  fmt::print(
      "  total: {:.0f} cycles a sample including data movement (latency {}, {} bytes/cycle), {:.1f} % "
      "utilisation; pooling on the host is not counted\n",
      report["cycles_per_sample"].get<double>(), cfg.memory.latency, cfg.memory.bytes_per_cycle,
      100.0 * report["utilization"].get<double>());
  for (size_t i = 0; i < q.layers.size(); ++i)
    if (totals[i].overflows > 0)
      fmt::print(
          "  warning: layer '{}': {} sums did not fit the {}-bit accumulators and {}, as the engine does\n",
          q.layers[i].name, totals[i].overflows, q.layers[i].acc_bits,
          q.layers[i].saturate ? "saturated" : "wrapped");
  if (!labels.empty())
    fmt::print("  accuracy: {:.2f} % int{} ({} / {}), float {:.2f} %; top-1 agreement with float {:.2f} %\n",
               percent(right, n_samples), q.bits, right, n_samples, percent(float_right, n_samples),
               percent(agree, n_samples));
  else
    fmt::print("  top-1 agreement with the float network: {:.2f} %\n", percent(agree, n_samples));
  if (server)
    fmt::print(
        "  rtl: {} samples in {:.1f} s ({:.1f} samples/s, {:.1f} s simulating); outputs {} the model's, "
        "every descriptor's memory and counters equal the golden and cycle models\n",
        n_samples, seconds, static_cast<double>(n_samples) / seconds, sim_seconds,
        rtl_mismatches == 0 ? "equal" : "DIFFER FROM");

  output::OutputSet outputs;  // both files or neither
  cli::add_json_report(outputs, o.json_path, report);
  if (!o.predictions_path.empty()) {
    Tensor t({n_samples});
    t.data = predicted;
    outputs.add(o.predictions_path, io::npy_bytes(o.predictions_path, t, io::DType::kInt64), "--predictions");
  }
  outputs.commit();
  return rtl_mismatches == 0 ? 0 : 1;
}

}  // namespace dnngen::infer
