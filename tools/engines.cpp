#include "engines.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "dnngen/bitserial/engine.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/eie/engine.hpp"
#include "dnngen/row_stationary/engine.hpp"
#include "dnngen/systolic/engine.hpp"

namespace dnngen::engines {

const std::vector<const engine::Engine*>& all() {
  static const std::vector<const engine::Engine*> list = {
      &systolic::engine(),
      &rs::engine(),
      &eie::engine(),
      &bitserial::engine(),
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
