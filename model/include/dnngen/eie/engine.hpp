#pragma once
// The EIE engine, as the dnngen front end sees it (dnngen/engine/engine.hpp).
#include "dnngen/engine/engine.hpp"

namespace dnngen::eie {

const engine::Engine& engine();  // model/src/eie/engine.cpp

}  // namespace dnngen::eie
