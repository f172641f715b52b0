#pragma once
// `dnngen compress`: dense float32 weights -> pruned, weight-shared, CSC-encoded EIE
// operands (see docs/cli.md). tools/dnngen.cpp parses the command line.
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::eie {

// The command line as given: --in, --out and --param bindings NAME=VALUE, --seed as text.
struct CompressOptions {
  std::vector<std::string> in, out, param;
  std::string seed = "1";
  std::string sram_dir, json_path;
};

// Checks the options, the weights and the fit into cfg's SRAMs, then writes. Returns the
// exit status; InputError on bad input (exit 2, nothing written).
int compress_command(const config::Config& cfg, const CompressOptions& opts);

}  // namespace dnngen::eie
