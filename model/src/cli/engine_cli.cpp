#include "dnngen/cli/engine_cli.hpp"

namespace dnngen {
namespace eie {
const cli::EngineCli& engine_cli();  // model/src/eie/cli.cpp
}
namespace bitserial {
const cli::EngineCli& engine_cli();  // model/src/bitserial/cli.cpp
}
namespace rs {
const cli::EngineCli& engine_cli();  // model/src/row_stationary/cli.cpp
}

namespace cli {

const EngineCli* find_engine_cli(const config::Config& cfg) {
  if (cfg.engine == "eie") return &eie::engine_cli();
  if (cfg.engine == "bitserial") return &bitserial::engine_cli();
  if (cfg.engine == "systolic" && cfg.systolic.row_stationary()) return &rs::engine_cli();
  return nullptr;
}

}  // namespace cli
}  // namespace dnngen
