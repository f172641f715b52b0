// `dnngen infer` (infer/infer_cli.hpp).
#include "dnngen/infer/infer_cli.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/process.hpp"
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
namespace fs = std::filesystem;

// What a layer cost over the whole run (engine layers; host layers only count samples).
struct LayerTotals {
  shell::Counters timing;
  uint64_t macs = 0;
  energy::Actions actions;
  uint64_t calls = 0;     // descriptors
  int64_t overflows = 0;  // sums that did not fit the engine's accumulators

  // The same layer over more inputs (infer --shards merges its shards' counts).
  LayerTotals& operator+=(const LayerTotals& o) {
    timing += o.timing;
    macs += o.macs;
    actions += o.actions;
    calls += o.calls;
    overflows += o.overflows;
    return *this;
  }
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
  if (o.shards < 1) throw InputError(fmt::format("--shards {}: expected 1 or more", o.shards));
  if (o.first < 0) throw InputError(fmt::format("--first {}: expected 0 or more", o.first));
  if (o.shards > 1 && !o.partial_path.empty())
    throw InputError("--shards and --partial: a shard is not split again");
  if (!o.partial_path.empty() && (!o.json_path.empty() || !o.predictions_path.empty()))
    throw InputError("--partial writes a shard's counts, not a report: drop --json and --predictions");
  if (!o.json_path.empty()) cli::check_output_path(o.json_path, "--json");
  if (!o.partial_path.empty()) cli::check_output_path(o.partial_path, "--partial");
  if (!o.predictions_path.empty()) cli::check_output_path(o.predictions_path, "--predictions");
  if (!o.mapping_path.empty()) mapping_file(o.mapping_path);
  config::load_energy_table(o.energy_table);
}

namespace {

// The network imported, calibrated, quantised and mapped onto the configurations: all that
// a run over any range of the inputs, and the report of it, need.
struct Prepared {
  Network net;
  QNetwork q;
  std::vector<Target> targets;
  std::vector<size_t> where;  // network layer -> configuration (engine layers)
  int64_t calibration_samples = 0;
  config::EnergyTable table;
  size_t config_of(const QLayer& l) const { return where[l.source]; }
};

Prepared prepare(const std::vector<config::Config>& cfgs, const InferOptions& o, Network net) {
  Prepared p;
  p.net = std::move(net);
  const std::string calib_path = o.calibrate_path.empty() ? o.input_path : o.calibrate_path;
  const Batch calib_all = load_samples(calib_path, p.net.input_shape, o.input_scale, 0);
  const Batch calib = slice(calib_all, 0, std::min(o.calibration_count, calib_all.shape[0]));
  p.calibration_samples = calib.shape[0];
  for (const auto& cfg : cfgs) p.targets.push_back(target_of(cfg));
  std::vector<std::string> mapping =
      o.mapping_path.empty() ? std::vector<std::string>{} : mapping_file(o.mapping_path);
  mapping.insert(mapping.end(), o.mapping.begin(), o.mapping.end());
  p.where = map_layers(p.net, cfgs, p.targets, mapping);
  std::vector<QuantOptions> per_layer;
  for (size_t i = 0; i < p.net.layers.size(); ++i) {
    QuantOptions qo = quant_options(p.targets[p.where[i] < p.targets.size() ? p.where[i] : 0], o.precision);
    qo.precision_snr_db = o.precision_snr_db;
    qo.calibration = calibration_of(o.calibration);
    qo.percentile = o.percentile;
    per_layer.push_back(qo);
  }
  p.q = quantize(p.net, calib, per_layer);
  p.table = config::load_energy_table(o.energy_table);
  return p;
}

// What a run over some of the inputs counted: everything in a report that adds up across
// runs over consecutive ranges (--shards), in the inputs' order.
struct RunCounts {
  std::vector<int64_t> predicted, float_predicted;
  std::vector<LayerTotals> totals;  // per quantised layer
  uint64_t rtl_mismatches = 0;
  double sim_seconds = 0;
  int64_t shards = 1;  // the runs merged

  void append(const RunCounts& o) {
    predicted.insert(predicted.end(), o.predicted.begin(), o.predicted.end());
    float_predicted.insert(float_predicted.end(), o.float_predicted.begin(), o.float_predicted.end());
    totals.resize(std::max(totals.size(), o.totals.size()));
    for (size_t i = 0; i < o.totals.size(); ++i) totals[i] += o.totals[i];
    rtl_mismatches += o.rtl_mismatches;
    sim_seconds += o.sim_seconds;
  }
};

// The network over `inputs`, batch by batch, on the chosen backend.
RunCounts run_samples(const Prepared& p, const std::vector<config::Config>& cfgs, const InferOptions& o,
                      const Batch& inputs) {
  // The engine layers on the chosen backend. Both count the same descriptors; the RTL's
  // simulators (one long-lived process per configuration) check every descriptor against
  // the golden model and the cycle model, and the outputs are checked here against the
  // model's integer layer.
  RunCounts run;
  run.totals.resize(p.q.layers.size());
  std::map<std::pair<size_t, int64_t>, PlanCost> model_cost;  // systolic: (layer, batch)
  std::vector<std::unique_ptr<shell::ShellSimServer>> servers(cfgs.size());
  const EngineLayerRunner runner = [&](size_t i, const QLayer& l, const QBatch& in) {
    const size_t c = p.config_of(l);
    const Target& target = p.targets[c];
    // The model's integer layer, on the other core while the simulator runs the same layer.
    const bool rtl_backend = o.backend == "rtl";
    std::future<QBatch> model = std::async(rtl_backend ? std::launch::async : std::launch::deferred,
                                           [&l, &in] { return engine_layer(l, in); });
    LayerTotals& t = run.totals[i];
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
    run.sim_seconds += r.sim_seconds;
    for (const auto& layer : r.layers) t.timing += layer.counters;
    const QBatch rtl = plan_outputs(target, l, *plan, plan->memory);
    const QBatch out = model.get();
    t.overflows += out.overflows;
    if (rtl.data != out.data) ++run.rtl_mismatches;
    return rtl;
  };

  const int64_t n_samples = inputs.shape[0];
  for (int64_t from = 0; from < n_samples; from += o.batch) {
    const Batch b = slice(inputs, from, std::min(o.batch, n_samples - from));
    // The float network on the other core meanwhile (both are pure functions of b).
    std::future<std::vector<int64_t>> float_run =
        std::async(std::launch::async, [&p, &b] { return predictions(run_float(p.net, b)); });
    const auto pq = predictions(run_quantized(p.q, b, runner));
    const auto pf = float_run.get();
    run.predicted.insert(run.predicted.end(), pq.begin(), pq.end());
    run.float_predicted.insert(run.float_predicted.end(), pf.begin(), pf.end());
  }
  return run;
}

// A shard's counts as JSON (--partial), and back.
nlohmann::json partial_json(const RunCounts& c) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& t : c.totals) {
    layers.push_back({{"cycles", t.timing.cycles},
                      {"compute", t.timing.compute},
                      {"mem_wait", t.timing.mem_wait},
                      {"bytes_read", t.timing.bytes_read},
                      {"bytes_written", t.timing.bytes_written},
                      {"macs", t.macs},
                      {"calls", t.calls},
                      {"overflows", t.overflows},
                      {"actions", energy::to_json(t.actions)}});
  }
  return {{"predicted", c.predicted},
          {"float_predicted", c.float_predicted},
          {"layers", layers},
          {"rtl_mismatches", c.rtl_mismatches},
          {"sim_seconds", c.sim_seconds}};
}

RunCounts partial_from_file(const std::string& path, size_t layers, int64_t samples) {
  RunCounts c;
  try {
    const nlohmann::json j = nlohmann::json::parse(output::read_text_file(path));
    c.predicted = j.at("predicted").get<std::vector<int64_t>>();
    c.float_predicted = j.at("float_predicted").get<std::vector<int64_t>>();
    for (const auto& l : j.at("layers")) {
      LayerTotals t;
      t.timing = {l.at("cycles").get<uint64_t>(), l.at("compute").get<uint64_t>(),
                  l.at("mem_wait").get<uint64_t>(), l.at("bytes_read").get<uint64_t>(),
                  l.at("bytes_written").get<uint64_t>()};
      t.macs = l.at("macs").get<uint64_t>();
      t.calls = l.at("calls").get<uint64_t>();
      t.overflows = l.at("overflows").get<int64_t>();
      t.actions = energy::actions_from_json(l.at("actions"));
      c.totals.push_back(std::move(t));
    }
    c.rtl_mismatches = j.at("rtl_mismatches").get<uint64_t>();
    c.sim_seconds = j.at("sim_seconds").get<double>();
  } catch (const std::exception& e) {
    throw ToolError(fmt::format("infer --shards: shard result {}: {}", path, e.what()));
  }
  if (c.totals.size() != layers || static_cast<int64_t>(c.predicted.size()) != samples ||
      c.float_predicted.size() != c.predicted.size())
    throw ToolError(
        fmt::format("infer --shards: shard result {} has {} layers and {} predictions, expected {} and {}",
                    path, c.totals.size(), c.predicted.size(), layers, samples));
  return c;
}

// The options of a shard's `dnngen infer`: those that decide its results, files absolute
// (a task runs in a directory of its own, on any node).
std::vector<std::string> shard_argv(const std::vector<config::Config>& cfgs, const InferOptions& o) {
  const auto file = [](const std::string& path) { return fs::absolute(path).string(); };
  std::vector<std::string> argv = {o.dnngen, "infer"};
  for (const auto& cfg : cfgs) argv.push_back(file(cfg.source_path));
  argv.insert(argv.end(), {"--model", file(o.model_path), "--input", file(o.input_path)});
  if (!o.calibrate_path.empty()) argv.insert(argv.end(), {"--calibrate", file(o.calibrate_path)});
  argv.insert(argv.end(), {"--calibration", o.calibration, "--percentile", fmt::format("{}", o.percentile),
                           "--input-scale", fmt::format("{}", o.input_scale), "--calibration-count",
                           std::to_string(o.calibration_count), "--batch", std::to_string(o.batch),
                           "--backend", o.backend, "--precision", std::to_string(o.precision),
                           "--precision-snr", fmt::format("{}", o.precision_snr_db)});
  if (!o.mapping_path.empty()) argv.insert(argv.end(), {"--mapping", file(o.mapping_path)});
  // Not for the counts (the first process prices them), but every run checks its table.
  if (!o.energy_table.empty()) argv.insert(argv.end(), {"--energy-table", file(o.energy_table)});
  for (const auto& m : o.mapping) argv.insert(argv.end(), {"--map", m});
  return argv;
}

// The inputs [o.first, o.first + n) in shards of whole batches (a batch's cycles depend on
// its size, so the shards' batches are the single run's), run through the execution layer.
RunCounts run_shards(const Prepared& p, const std::vector<config::Config>& cfgs, const InferOptions& o,
                     int64_t n, const exec::ProgressFn& progress) {
  const int64_t batches = (n + o.batch - 1) / o.batch;
  const int64_t per_shard = (batches + o.shards - 1) / o.shards * o.batch;
  const std::vector<std::string> argv = shard_argv(cfgs, o);
  // Every file the shards read, and the binary: a changed one reruns them on a resume.
  std::vector<std::string> files = {o.dnngen,         o.model_path,   o.input_path,
                                    o.calibrate_path, o.mapping_path, o.energy_table};
  for (const auto& cfg : cfgs) files.push_back(cfg.source_path);
  std::string sources;
  for (const auto& path : files) {
    if (path.empty()) continue;
    std::error_code ec;
    sources += fmt::format("{} {} {}\n", fs::absolute(path).string(), fs::file_size(path, ec),
                           fs::last_write_time(path, ec).time_since_epoch().count());
  }
  std::vector<exec::Task> tasks;
  std::vector<int64_t> counts;  // inputs per shard
  for (int64_t from = 0; from < n; from += per_shard) {
    const int64_t count = std::min(per_shard, n - from);
    std::vector<std::string> shard = argv;
    shard.insert(shard.end(), {"--first", std::to_string(o.first + from), "--count", std::to_string(count),
                               "--partial", "partial.json"});
    tasks.push_back({fmt::format("shard_{}", counts.size()),
                     process::command_line(shard) + " >/dev/null",
                     {{"sources", sources}},
                     static_cast<double>(count)});
    counts.push_back(count);
  }
  const bool temporary = o.work_dir.empty();
  const fs::path dir = temporary ? output::temp_dir("dnngen-infer") : fs::path(o.work_dir);
  exec::BatchOptions batch = o.execution;
  batch.job_name = "dnngen-infer";
  const exec::BatchResult result = exec::run_batch(tasks, dir.string(), batch, progress);
  if (result.failed() > 0)
    throw ToolError(
        fmt::format("infer --shards: {} of {} shards failed (batch {}{})\n{}", result.failed(), tasks.size(),
                    dir.string(),
                    temporary ? ", kept for its logs; with --work-dir a rerun runs only the failed shards"
                              : "; run the same command again to rerun only those",
                    exec::failure_report(result)));
  RunCounts all;
  for (size_t k = 0; k < result.tasks.size(); ++k)
    all.append(partial_from_file((fs::path(result.tasks[k].output) / "partial.json").string(),
                                 p.q.layers.size(), counts[k]));
  all.shards = static_cast<int64_t>(tasks.size());
  std::error_code ec;  // a temporary directory left behind is no reason to lose the report
  if (temporary) fs::remove_all(dir, ec);
  return all;
}

}  // namespace

int infer_command(const std::vector<config::Config>& cfgs, const InferOptions& o,
                  const exec::ProgressFn& progress) {
  check_infer_options(cfgs, o);
  const auto t0 = std::chrono::steady_clock::now();
  Network net = import_onnx(o.model_path);
  // The inputs [first, first + count): loaded up to the range's end, then cut.
  const int64_t end = o.count > 0 ? o.first + o.count : 0;
  Batch inputs = load_samples(o.input_path, net.input_shape, o.input_scale, end);
  if (inputs.shape[0] == 0) throw InputError(fmt::format("--input {}: no inputs in it", o.input_path));
  if (o.first >= inputs.shape[0])
    throw InputError(fmt::format("--first {}: {} has {} inputs", o.first, o.input_path, inputs.shape[0]));
  inputs = slice(inputs, o.first, inputs.shape[0] - o.first);
  const int64_t n_samples = inputs.shape[0];
  std::vector<int64_t> labels;
  if (!o.labels_path.empty()) {
    labels = load_labels(o.labels_path, end > 0 ? end : o.first + n_samples);
    labels.erase(labels.begin(), labels.begin() + o.first);
  }
  const Prepared p = prepare(cfgs, o, std::move(net));

  if (!o.partial_path.empty()) {
    output::OutputSet outputs;
    cli::add_json_report(outputs, o.partial_path, partial_json(run_samples(p, cfgs, o, inputs)));
    outputs.commit();
    return 0;
  }
  const RunCounts c =
      o.shards > 1 ? run_shards(p, cfgs, o, n_samples, progress) : run_samples(p, cfgs, o, inputs);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  int64_t agree = 0, right = 0, float_right = 0;
  for (int64_t i = 0; i < n_samples; ++i) {
    const auto u = static_cast<size_t>(i);
    agree += c.predicted[u] == c.float_predicted[u];
    if (!labels.empty())
      right += c.predicted[u] == labels[u], float_right += c.float_predicted[u] == labels[u];
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
                           {"bits", p.q.bits},
                           {"calibration", o.calibration},
                           {"calibration_samples", p.calibration_samples},
                           {"agreement_with_float", percent(agree, n_samples) / 100.0},
                           {"seconds", seconds}};
  if (o.shards > 1) report["shards"] = c.shards;  // fewer than asked when there are fewer batches
  if (!labels.empty()) {
    report["accuracy"] = percent(right, n_samples) / 100.0;
    report["float_accuracy"] = percent(float_right, n_samples) / 100.0;
  }
  shell::Counters all;
  uint64_t all_macs = 0;
  energy::Actions all_actions;
  double capacity = 0;  // MACs the engines could have done in their layers' cycles
  report["layers"] = nlohmann::json::array();
  for (size_t i = 0; i < p.q.layers.size(); ++i) {
    const QLayer& l = p.q.layers[i];
    const bool engine = l.kind == LayerKind::kConv || l.kind == LayerKind::kDense;
    const double peak = engine ? p.targets[p.config_of(l)].peak_macs : 0.0;
    nlohmann::json j = layer_json(l, c.totals[i], n_samples, peak, p.table);
    if (engine) {
      if (l.precision != 0) j["precision"] = l.precision;
      j["config"] = cfgs[p.config_of(l)].name;
      j["engine"] = cfgs[p.config_of(l)].engine;
      j["bits"] = l.in_bits;
      j["host_rescale"] = l.rescale != 0;
    }
    report["layers"].push_back(j);
    all += c.totals[i].timing;
    all_macs += c.totals[i].macs;
    all_actions += c.totals[i].actions;
    capacity += static_cast<double>(c.totals[i].timing.cycles) * peak;
  }
  report["cycles"] = all.cycles;
  report["cycles_per_sample"] = static_cast<double>(all.cycles) / static_cast<double>(n_samples);
  report["compute_cycles"] = all.compute;
  report["mem_wait_cycles"] = all.mem_wait;
  report["dram_bytes_read"] = all.bytes_read;
  report["dram_bytes_written"] = all.bytes_written;
  report["utilization"] = capacity > 0 ? static_cast<double>(all_macs) / capacity : 0.0;
  const energy::Breakdown all_energy = energy::evaluate(all_actions, p.table);
  report["energy"] = energy::to_json(all_energy, all_macs, kEnergyScope, static_cast<uint64_t>(n_samples));
  report["energy"]["table"] = p.table.name;
  if (o.backend == "rtl") {
    report["rtl_matches_model"] = c.rtl_mismatches == 0;
    report["sim_seconds"] = c.sim_seconds;
    report["samples_per_second"] = static_cast<double>(n_samples) / seconds;
  }

  fmt::print("infer {} on {} ({} backend): {} samples, input int{} ({} calibration on {} samples)\n",
             o.model_path, on, o.backend, n_samples, p.q.bits, o.calibration, p.calibration_samples);
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
             report["energy"]["inferences_per_joule"].get<double>(), p.table.name);
  if (std::any_of(p.q.layers.begin(), p.q.layers.end(), [](const QLayer& l) { return l.rescale != 0; }))
    fmt::print("  *: the host converts the layer's inputs from the previous engine's numerics\n");
  for (size_t i = 0; i < p.q.layers.size(); ++i)
    if (c.totals[i].overflows > 0)
      fmt::print(
          "  warning: layer '{}': {} sums did not fit the {}-bit accumulators and {}, as the engine does\n",
          p.q.layers[i].name, c.totals[i].overflows, p.q.layers[i].acc_bits,
          p.q.layers[i].saturate ? "saturated" : "wrapped");
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
        n_samples, seconds, static_cast<double>(n_samples) / seconds, c.sim_seconds,
        c.rtl_mismatches == 0 ? "equal" : "DIFFER FROM");

  output::OutputSet outputs;  // both files or neither
  cli::add_json_report(outputs, o.json_path, report);
  if (!o.predictions_path.empty()) {
    Tensor t({n_samples});
    t.data = c.predicted;
    outputs.add(o.predictions_path, io::npy_bytes(o.predictions_path, t, io::DType::kInt64), "--predictions");
  }
  outputs.commit();
  return c.rtl_mismatches == 0 ? 0 : 1;
}

}  // namespace dnngen::infer
