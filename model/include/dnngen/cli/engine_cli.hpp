#pragma once
// What the dnngen front end needs from an engine besides the systolic WS/OS path in
// tools/dnngen.cpp: each engine variant implements one EngineCli in its own
// model/src/<engine>/cli.cpp, and find_engine_cli() picks it by configuration.
#include <string>
#include <vector>

#include "dnngen/cli/job_options.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::cli {

struct EngineCli {
  // --op values the engine runs; the first is the default when --op is not given.
  std::vector<std::string> ops;
  // `dnngen validate`: the lines printed after "<file>: ok", each starting with two spaces.
  std::string (*describe)(const config::Config& cfg);
  // Checks bindings, --param values, output paths and --in tensors before any build or
  // run: InputError (exit 2) on anything wrong, nothing written.
  void (*check_job)(const config::Config& cfg, const JobOptions& opts);
  // `dnngen run --backend model`: runs the golden model, writes --out and --json.
  int (*run_model)(const config::Config& cfg, const JobOptions& opts);
  // `dnngen bench --network FILE [--json J]`: the closed-form estimate of a network.
  int (*bench)(const config::Config& cfg, const std::string& network, const std::string& json);
};

// The engine's CLI, or nullptr for the systolic weight/output-stationary engine, which
// tools/dnngen.cpp handles itself.
const EngineCli* find_engine_cli(const config::Config& cfg);

}  // namespace dnngen::cli
