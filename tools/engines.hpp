#pragma once
// The engine registry: every engine dnngen knows, and the one that builds a
// configuration. The only list of engines outside the configuration parser; adding an
// engine is one line in engines.cpp (and its folder under model/, rtl/ and testbench/).
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/engine/engine.hpp"
#include "dnngen/sweep/run.hpp"

namespace dnngen::engines {

// Every engine.
const std::vector<const engine::Engine*>& all();

// The engine that handles cfg: every validated configuration has exactly one
// (std::logic_error if none or two do).
const engine::Engine& find(const config::Config& cfg);

// What `dnngen sweep` needs of the engines, looked up per configuration.
sweep::EngineHooks sweep_hooks();

}  // namespace dnngen::engines
