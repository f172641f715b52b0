#pragma once
// Builds (once, cached by a hash of the configuration and every source it compiles)
// a Verilator simulator of a configuration's RTL with the co-simulation harness, so
// any user configuration runs on RTL, not only the shipped presets.
#include <string>

#include "dnngen/config/config.hpp"

namespace dnngen::sim {

struct SimBuild {
  std::string executable;
  bool cached = false;  // found in the cache, nothing compiled
  double seconds = 0;   // build time when not cached
  std::string log_path;
};

// $DNNGEN_CACHE, else $XDG_CACHE_HOME/dnngen, else ~/.cache/dnngen.
std::string cache_root();

// Throws ToolError (naming verilator and the build log) when the build fails.
// `shell`: the engine behind its AXI shell (config::has_shell) with testbench/shell/'s
// simulator, for `run --shell`; otherwise the engine's kernel top with its own harness.
SimBuild build_simulator(const config::Config& cfg, bool trace = false, bool force = false,
                         bool shell = false);

}  // namespace dnngen::sim
