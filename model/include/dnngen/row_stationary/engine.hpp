#pragma once
// The row-stationary engine, as the dnngen front end sees it (dnngen/engine/engine.hpp).
#include "dnngen/engine/engine.hpp"

namespace dnngen::rs {

const engine::Engine& engine();  // model/src/row_stationary/engine.cpp

}  // namespace dnngen::rs
