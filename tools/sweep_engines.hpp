#pragma once
// The engine-specific parts of `dnngen sweep` (array size, config columns, network
// estimate), dispatched by hand on the engine until the Engine registry supplies them.
#include "dnngen/sweep/run.hpp"

namespace dnngen {

sweep::EngineHooks sweep_engine_hooks();

}  // namespace dnngen
