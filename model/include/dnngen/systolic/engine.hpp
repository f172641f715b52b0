#pragma once
// The systolic weight- and output-stationary engine as the dnngen front end sees it
// (dnngen/engine/engine.hpp).
#include "dnngen/engine/engine.hpp"

namespace dnngen::systolic {

const engine::Engine& engine();  // model/src/systolic/engine.cpp

}  // namespace dnngen::systolic
