#include "engines.hpp"

#include <stdexcept>

#include "dnngen/bitserial/engine.hpp"
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
      throw std::logic_error("engines " + found->name + " and " + e->name + " both handle " + cfg.source_path);
    found = e;
  }
  if (found == nullptr) throw std::logic_error("no engine handles " + cfg.source_path + " (engine " + cfg.engine + ")");
  return *found;
}

}  // namespace dnngen::engines
