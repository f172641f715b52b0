#pragma once
// `dnngen compress`: dense float32 weights -> pruned, weight-shared, CSC-encoded EIE
// operands (see docs/cli.md).
#include <string>
#include <vector>

namespace dnngen::eie {

// args: everything after the command word. Returns the exit status; InputError on bad
// input (exit 2, nothing written).
int compress_command(const std::vector<std::string>& args);

}  // namespace dnngen::eie
