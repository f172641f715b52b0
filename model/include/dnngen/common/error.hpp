#pragma once
// Error types shared by every layer. The CLI exits with status 2 for InputError (bad
// input: config, tensors, parameters) and for ToolError (an external tool the command
// needs is missing or failed: the message names it and its log), 1 for anything else.
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
