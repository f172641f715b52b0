#pragma once
// The bit-serial engine (Stripes, Pragmatic, bit-parallel) as the dnngen front end
// sees it (dnngen/engine/engine.hpp).
#include "dnngen/engine/engine.hpp"

namespace dnngen::bitserial {

const engine::Engine& engine();  // model/src/bitserial/engine.cpp

}  // namespace dnngen::bitserial
