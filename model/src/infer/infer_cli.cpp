// `dnngen infer` (infer/infer_cli.hpp).
#include "dnngen/infer/infer_cli.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/energy/energy.hpp"
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
  energy::Actions actions;
  uint64_t calls = 0;     // descriptors
  int64_t overflows = 0;  // sums that did not fit the engine's accumulators
};

int64_t macs_per_sample(const QLayer& l) {
  const int64_t pixels = l.kind == LayerKind::kConv ? l.out_shape[1] * l.out_shape[2] : 1;
  return pixels * l.n * l.k;
}

// What the energy of a layer and of the network counts.
constexpr const char* kEnergyScope =
    "the engine layers through the shell: MACs, register files, on-chip buffers, the array and the DRAM "
    "bytes its DMA moved; not the host's layers, control, clock tree or leakage";

// The report's row for a layer: the same fields for every engine.
nlohmann::json layer_json(const QLayer& l, const LayerTotals& t, int64_t samples, double peak,
                          const config::EnergyTable& table) {
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
  j["energy"] = energy::to_json(energy::evaluate(t.actions, table), t.macs, kEnergyScope,
                                static_cast<uint64_t>(samples));
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

// A mapping file's entries as LAYER=CONFIG_NAME: a YAML map of layer names to configuration
// names. InputError naming the file for anything else.
std::vector<std::string> mapping_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError(fmt::format("--mapping {}: cannot read the file", path));
  } catch (const YAML::Exception& e) {
    throw InputError(
        fmt::format("--mapping {}: malformed YAML at line {}: {}", path, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap())
    throw InputError(
        fmt::format("--mapping {}: expected a map of layer names to configuration names "
                    "(conv1: systolic_ws_16x16_int8)",
                    path));
  std::vector<std::string> entries;
  for (const auto& kv : root) {
    if (!kv.second.IsScalar())
      throw InputError(fmt::format("--mapping {}: layer '{}': expected a configuration name", path,
                                   kv.first.as<std::string>()));
    entries.push_back(kv.first.as<std::string>() + "=" + kv.second.as<std::string>());
  }
  return entries;
}

// The configuration each layer of `net` runs on (its index; engine layers only).
std::vector<size_t> map_layers(const Network& net, const std::vector<config::Config>& cfgs,
                               const std::vector<Target>& targets, const std::vector<std::string>& mapping) {
  const auto first = [&](auto pick) {
    for (size_t c = 0; c < targets.size(); ++c)
      if (pick(targets[c])) return c;
    return targets.size();
  };
  // Convolutions: the first systolic array (WS, OS or row stationary); fully connected:
  // the first WS / OS array, or EIE.
  const size_t conv = first([](const Target& t) { return !t.eie(); });
  const size_t systolic = first([](const Target& t) { return t.kind == Target::Kind::kSystolic; });
  const size_t eie = first([](const Target& t) { return t.eie(); });
  std::vector<size_t> where(net.layers.size(), targets.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (l.kind == LayerKind::kConv) {
      where[i] = conv != targets.size() ? conv : eie;  // EIE refuses it, naming the layer
    } else if (l.kind == LayerKind::kDense) {
      const auto nonzero =
          std::count_if(l.weights.data.begin(), l.weights.data.end(), [](float v) { return v != 0; });
      const bool sparse = 2 * nonzero <= static_cast<int64_t>(l.weights.data.size());
      // With neither, the row-stationary engine refuses it, naming the layer.
      where[i] = eie != targets.size() && (sparse || systolic == targets.size()) ? eie
                 : systolic != targets.size()                                    ? systolic
                                                                                 : conv;
    }
  }
  for (const std::string& m : mapping) {
    const auto eq = m.find('=');
    const std::string layer = m.substr(0, eq), name = eq == std::string::npos ? "" : m.substr(eq + 1);
    const auto l =
        std::find_if(net.layers.begin(), net.layers.end(), [&](const Layer& x) { return x.name == layer; });
    if (eq == std::string::npos || l == net.layers.end() ||
        where[static_cast<size_t>(l - net.layers.begin())] == targets.size())
      throw InputError(fmt::format(
          "mapping {} (--map, --mapping): expected LAYER=CONFIG_NAME with LAYER a Conv, Gemm or MatMul "
          "layer of the network",
          m));
    const auto c =
        std::find_if(cfgs.begin(), cfgs.end(), [&](const config::Config& x) { return x.name == name; });
    if (c == cfgs.end())
      throw InputError(fmt::format(
          "mapping {} (--map, --mapping): no configuration named '{}' on the command line", m, name));
    where[static_cast<size_t>(l - net.layers.begin())] = static_cast<size_t>(c - cfgs.begin());
  }
  return where;
}

}  // namespace

void check_infer_options(const std::vector<config::Config>& cfgs, const InferOptions& o) {
  if (cfgs.empty()) throw InputError("dnngen infer: missing CONFIG.yaml");
  for (const auto& cfg : cfgs) target_of(cfg);
  for (size_t a = 0; a < cfgs.size(); ++a)
    for (size_t b = a + 1; b < cfgs.size(); ++b)
      if (cfgs[a].name == cfgs[b].name)
        throw InputError(fmt::format("infer: two configurations named '{}' ({} and {})", cfgs[a].name,
                                     cfgs[a].source_path, cfgs[b].source_path));
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
  if (o.precision == 1 || o.precision > 16)
    throw InputError(
        fmt::format("--precision {}: expected 2..16 bits (0: the calibration profile)", o.precision));
  if (!(o.precision_snr_db > 0 && o.precision_snr_db <= 120))
    throw InputError(fmt::format("--precision-snr {}: expected a value in (0, 120] dB", o.precision_snr_db));
  if (o.backend != "model" && o.backend != "rtl")
    throw InputError("--backend " + o.backend + ": expected model or rtl");
  if (!o.json_path.empty()) cli::check_output_path(o.json_path, "--json");
  if (!o.predictions_path.empty()) cli::check_output_path(o.predictions_path, "--predictions");
  if (!o.mapping_path.empty()) mapping_file(o.mapping_path);
  config::load_energy_table(o.energy_table);
}

int infer_command(const std::vector<config::Config>& cfgs, const InferOptions& o) {
  check_infer_options(cfgs, o);
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

  std::vector<Target> targets;
  for (const auto& cfg : cfgs) targets.push_back(target_of(cfg));
  std::vector<std::string> mapping =
      o.mapping_path.empty() ? std::vector<std::string>{} : mapping_file(o.mapping_path);
  mapping.insert(mapping.end(), o.mapping.begin(), o.mapping.end());
  const std::vector<size_t> where = map_layers(net, cfgs, targets, mapping);
  std::vector<QuantOptions> per_layer;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    QuantOptions qo = quant_options(targets[where[i] < targets.size() ? where[i] : 0], o.precision);
    qo.precision_snr_db = o.precision_snr_db;
    qo.calibration = calibration_of(o.calibration);
    qo.percentile = o.percentile;
    per_layer.push_back(qo);
  }
  const QNetwork q = quantize(net, calib, per_layer);
  const config::EnergyTable table = config::load_energy_table(o.energy_table);
  const auto config_of = [&](const QLayer& l) { return where[l.source]; };

  // The engine layers on the chosen backend. Both count the same descriptors; the RTL's
  // simulators (one long-lived process per configuration) check every descriptor against
  // the golden model and the cycle model, and the outputs are checked here against the
  // model's integer layer.
  std::vector<LayerTotals> totals(q.layers.size());
  std::map<std::pair<size_t, int64_t>, PlanCost> model_cost;  // systolic: (layer, batch)
  std::vector<std::unique_ptr<shell::ShellSimServer>> servers(cfgs.size());
  double sim_seconds = 0;
  uint64_t rtl_mismatches = 0;
  const EngineLayerRunner runner = [&](size_t i, const QLayer& l, const QBatch& in) {
    const size_t c = config_of(l);
    const Target& target = targets[c];
    // The model's integer layer, on the other core while the simulator runs the same layer.
    const bool rtl_backend = o.backend == "rtl";
    std::future<QBatch> model = std::async(rtl_backend ? std::launch::async : std::launch::deferred,
                                           [&l, &in] { return engine_layer(l, in); });
    LayerTotals& t = totals[i];
    // The systolic array's and the row-stationary engine's time does not depend on the
    // values: a plan of zeros, timed once per batch size, costs the same. EIE's and the
    // bit-serial engines' does (zero activations, zero bits): the cycle model times the
    // batch's own plan, the one the RTL runs, before it runs.
    const bool data_timed = target.timing_depends_on_data();
    std::optional<LayerPlan> plan;
    if (rtl_backend || data_timed) plan = plan_layer(target, l, in);
    const auto key = std::make_pair(i, in.batch);
    if (data_timed) {
      model_cost[key] = plan_cycles(target, *plan);
    } else if (model_cost.count(key) == 0) {
      QBatch zeros = in;
      std::fill(zeros.data.begin(), zeros.data.end(), 0);
      model_cost[key] = plan_cycles(target, plan_layer(target, l, zeros));
    }
    const PlanCost& cost = model_cost[key];
    t.macs += cost.macs;
    t.actions += cost.actions;
    t.calls += l.kind == LayerKind::kConv ? static_cast<uint64_t>(in.batch) : 1;
    if (!rtl_backend) {
      QBatch out = model.get();
      t.overflows += out.overflows;
      t.timing += cost.counters;
      return out;
    }
    // The simulator holds every counter to the cycle model; these are the RTL's own.
    if (!servers[c])
      servers[c] = std::make_unique<shell::ShellSimServer>(o.simulators.at(c), cfgs[c].source_path);
    const auto r = servers[c]->run(plan->memory, plan->descriptors);
    sim_seconds += r.sim_seconds;
    for (const auto& layer : r.layers) t.timing += layer.counters;
    const QBatch rtl = plan_outputs(target, l, *plan, plan->memory);
    const QBatch out = model.get();
    t.overflows += out.overflows;
    if (rtl.data != out.data) ++rtl_mismatches;
    return rtl;
  };

  std::vector<int64_t> predicted, float_predicted;
  for (int64_t from = 0; from < n_samples; from += o.batch) {
    const Batch b = slice(inputs, from, std::min(o.batch, n_samples - from));
    // The float network on the other core meanwhile (both are pure functions of b).
    std::future<std::vector<int64_t>> float_run =
        std::async(std::launch::async, [&net, &b] { return predictions(run_float(net, b)); });
    const auto pq = predictions(run_quantized(q, b, runner));
    const auto pf = float_run.get();
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
  std::vector<std::string> names;
  nlohmann::json configs = nlohmann::json::array();
  for (const auto& cfg : cfgs) {
    names.push_back(cfg.name);
    configs.push_back(
        {{"name", cfg.name},
         {"engine", cfg.engine},
         {"memory", {{"latency", cfg.memory.latency}, {"bytes_per_cycle", cfg.memory.bytes_per_cycle}}}});
  }
  const std::string on = fmt::format("{}", fmt::join(names, " + "));
  nlohmann::json report = {{"network", o.model_path},
                           {"config", on},
                           {"engine", cfgs.size() == 1 ? cfgs[0].engine : "mixed"},
                           {"configs", configs},
                           {"backend", o.backend},
                           {"samples", n_samples},
                           {"bits", q.bits},
                           {"calibration", o.calibration},
                           {"calibration_samples", calib.shape[0]},
                           {"agreement_with_float", percent(agree, n_samples) / 100.0},
                           {"seconds", seconds}};
  if (!labels.empty()) {
    report["accuracy"] = percent(right, n_samples) / 100.0;
    report["float_accuracy"] = percent(float_right, n_samples) / 100.0;
  }
  shell::Counters all;
  uint64_t all_macs = 0;
  energy::Actions all_actions;
  double capacity = 0;  // MACs the engines could have done in their layers' cycles
  report["layers"] = nlohmann::json::array();
  for (size_t i = 0; i < q.layers.size(); ++i) {
    const QLayer& l = q.layers[i];
    const bool engine = l.kind == LayerKind::kConv || l.kind == LayerKind::kDense;
    const double peak = engine ? targets[config_of(l)].peak_macs : 0.0;
    nlohmann::json j = layer_json(l, totals[i], n_samples, peak, table);
    if (engine) {
      if (l.precision != 0) j["precision"] = l.precision;
      j["config"] = cfgs[config_of(l)].name;
      j["engine"] = cfgs[config_of(l)].engine;
      j["bits"] = l.in_bits;
      j["host_rescale"] = l.rescale != 0;
    }
    report["layers"].push_back(j);
    all += totals[i].timing;
    all_macs += totals[i].macs;
    all_actions += totals[i].actions;
    capacity += static_cast<double>(totals[i].timing.cycles) * peak;
  }
  report["cycles"] = all.cycles;
  report["cycles_per_sample"] = static_cast<double>(all.cycles) / static_cast<double>(n_samples);
  report["compute_cycles"] = all.compute;
  report["mem_wait_cycles"] = all.mem_wait;
  report["dram_bytes_read"] = all.bytes_read;
  report["dram_bytes_written"] = all.bytes_written;
  report["utilization"] = capacity > 0 ? static_cast<double>(all_macs) / capacity : 0.0;
  const energy::Breakdown all_energy = energy::evaluate(all_actions, table);
  report["energy"] = energy::to_json(all_energy, all_macs, kEnergyScope, static_cast<uint64_t>(n_samples));
  report["energy"]["table"] = table.name;
  if (o.backend == "rtl") {
    report["rtl_matches_model"] = rtl_mismatches == 0;
    report["sim_seconds"] = sim_seconds;
    report["samples_per_second"] = static_cast<double>(n_samples) / seconds;
  }

  fmt::print("infer {} on {} ({} backend): {} samples, input int{} ({} calibration on {} samples)\n",
             o.model_path, on, o.backend, n_samples, q.bits, o.calibration, calib.shape[0]);
  fmt::print("  {:<10} {:<8} {:<24} {:>14} {:>12} {:>10} {:>10} {:>12} {:>6} {:>10} {:>7}\n", "layer", "kind",
             "where", "output", "cycles/smp", "compute", "mem wait", "DRAM bytes", "util", "nJ/smp",
             "pJ/MAC");
  for (const auto& l : report["layers"]) {
    const std::string shape = shape_string(l["output_shape"].get<std::vector<int64_t>>());
    if (l["where"] == "host") {
      fmt::print("  {:<10} {:<8} {:<24} {:>14}\n", l["name"].get<std::string>(), l["kind"].get<std::string>(),
                 "host", shape);
      continue;
    }
    const auto& e = l["energy"];
    fmt::print("  {:<10} {:<8} {:<24} {:>14} {:>12.0f} {:>10} {:>10} {:>12} {:>5.1f}% {:>10.1f} {:>7.2f}\n",
               l["name"].get<std::string>(), l["kind"].get<std::string>(),
               (l["host_rescale"].get<bool>() ? "*" : "") + l["config"].get<std::string>(), shape,
               l["cycles_per_sample"].get<double>(), l["compute_cycles"].get<uint64_t>(),
               l["mem_wait_cycles"].get<uint64_t>(),
               l["dram_bytes_read"].get<uint64_t>() + l["dram_bytes_written"].get<uint64_t>(),
               100.0 * l["utilization"].get<double>(), e["pj_per_inference"].get<double>() / 1e3,
               e["pj_per_mac"].get<double>());
  }
  fmt::print(
      "  total: {:.0f} cycles a sample including data movement (latency {}, {} bytes/cycle), {:.1f} % "
      "utilisation; pooling on the host is not counted\n",
      report["cycles_per_sample"].get<double>(), cfgs[0].memory.latency, cfgs[0].memory.bytes_per_cycle,
      100.0 * report["utilization"].get<double>());
  energy::Breakdown per_sample = all_energy;
  per_sample *= 1.0 / static_cast<double>(n_samples);
  fmt::print("  {} a sample; {:.3g} inferences/J ({} table: engine layers and their DRAM traffic)\n",
             energy::summary(per_sample, all_macs / static_cast<uint64_t>(n_samples)),
             report["energy"]["inferences_per_joule"].get<double>(), table.name);
  if (std::any_of(q.layers.begin(), q.layers.end(), [](const QLayer& l) { return l.rescale != 0; }))
    fmt::print("  *: the host converts the layer's inputs from the previous engine's numerics\n");
  for (size_t i = 0; i < q.layers.size(); ++i)
    if (totals[i].overflows > 0)
      fmt::print(
          "  warning: layer '{}': {} sums did not fit the {}-bit accumulators and {}, as the engine does\n",
          q.layers[i].name, totals[i].overflows, q.layers[i].acc_bits,
          q.layers[i].saturate ? "saturated" : "wrapped");
  if (!labels.empty())
    fmt::print(
        "  accuracy: {:.2f} % quantised ({} / {}), float {:.2f} %; top-1 agreement with float {:.2f} %\n",
        percent(right, n_samples), right, n_samples, percent(float_right, n_samples),
        percent(agree, n_samples));
  else
    fmt::print("  top-1 agreement with the float network: {:.2f} %\n", percent(agree, n_samples));
  if (o.backend == "rtl")
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
