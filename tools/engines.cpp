#include "engines.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "dnngen/bitserial/engine.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/eie/engine.hpp"
#include "dnngen/row_stationary/engine.hpp"
#include "dnngen/row_stationary/rs_host.hpp"
#include "dnngen/row_stationary/shell_run.hpp"
#include "dnngen/systolic/energy_actions.hpp"
#include "dnngen/systolic/engine.hpp"
#include "dnngen/systolic/shell_run.hpp"

namespace dnngen::engines {
namespace {

// The bit-serial engine, with its --shell jobs run in the shell it shares with the systolic
// array (systolic/shell_run.hpp: the bitserial area sits below the systolic one).
const engine::Engine& bitserial_engine() {
  static const engine::Engine e = [] {
    engine::Engine x = bitserial::engine();
    x.ops = {"gemm", "conv2d"};  // conv2d through the shell only (check_job says so)
    x.check_job = [](const config::Config& cfg, const cli::JobOptions& opts) {
      bitserial::engine().check_job(cfg, opts);
      if (opts.shell && !opts.random) systolic::shell_run(cfg, opts);
    };
    x.run_model = [](const config::Config& cfg, const cli::JobOptions& opts) {
      return opts.shell ? systolic::run_model_through_shell(cfg, opts)
                        : bitserial::engine().run_model(cfg, opts);
    };
    x.job_actions = systolic::bitserial_job_actions;
    return x;
  }();
  return e;
}

// The row-stationary engine, with `run --shell` (conv2d) through its AXI shell
// (row_stationary/shell_run.hpp); without --shell it runs the kernel as before.
const engine::Engine& rs_engine() {
  static const engine::Engine e = [] {
    engine::Engine x = rs::engine();
    x.check_job = [](const config::Config& cfg, const cli::JobOptions& opts) {
      if (!opts.shell) return rs::engine().check_job(cfg, opts);
      rs::check_rs_bindings(cfg, opts);
      rs::shell_run(cfg, opts);  // the operands, then the shell's limits, before a build
    };
    x.run_model = [](const config::Config& cfg, const cli::JobOptions& opts) {
      return opts.shell ? rs::run_model_through_shell(cfg, opts) : rs::engine().run_model(cfg, opts);
    };
    return x;
  }();
  return e;
}

}  // namespace

const std::vector<const engine::Engine*>& all() {
  static const std::vector<const engine::Engine*> list = {
      &systolic::engine(),
      &rs_engine(),
      &eie::engine(),
      &bitserial_engine(),
  };
  return list;
}

const engine::Engine& find(const config::Config& cfg) {
  const engine::Engine* found = nullptr;
  for (const engine::Engine* e : all()) {
    if (!e->handles(cfg)) continue;
    if (found != nullptr)
      throw std::logic_error("engines " + found->name + " and " + e->name + " both handle " +
                             cfg.source_path);
    found = e;
  }
  if (found == nullptr)
    throw std::logic_error("no engine handles " + cfg.source_path + " (engine " + cfg.engine + ")");
  return *found;
}

sweep::EngineHooks sweep_hooks() {
  sweep::EngineHooks hooks;
  hooks.array_size = [](const config::Config& cfg) { return find(cfg).array_size(cfg); };
  hooks.config_fields = [](const config::Config& cfg) { return find(cfg).config_fields(cfg); };
  hooks.check_network = [](const config::Config& cfg) {
    if (find(cfg).network_estimate == nullptr)
      throw InputError(fmt::format("{}: --network estimates need a systolic engine, got '{}'",
                                   cfg.source_path, cfg.engine));
  };
  hooks.network_estimate = [](const config::Config& cfg, const std::string& network) {
    return find(cfg).network_estimate(cfg, network);
  };
  hooks.synth_categories = [](const config::Config& cfg) { return find(cfg).synth_categories; };
  return hooks;
}

}  // namespace dnngen::engines
