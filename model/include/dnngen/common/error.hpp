#pragma once
// Error types shared by every layer. The CLI maps InputError to exit status 2
// (bad input: config, tensors, parameters) and everything else to 1.
#include <stdexcept>
#include <string>

namespace dnngen {

// Bad user input. The message names the file / key / tensor and what was expected.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

// A required external tool (verilator, yosys, make, ...) failed or is missing.
// The message names the tool and its log file.
class ToolError : public std::runtime_error {
 public:
  explicit ToolError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace dnngen
