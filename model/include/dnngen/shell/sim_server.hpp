#pragma once
// The client of a shell simulator's serve mode (`sim serve CONFIG`, testbench/shell/shell_serve.hpp:
// the systolic, bit-serial, EIE and row-stationary shells' simulators): one long-lived
// simulator process that
// runs many requests, each a memory image and a list of layer descriptors, instead of one
// process per layer. The simulator checks every layer against the golden model (the image
// byte for byte) and the cycle model (every counter); run() returns the counters or throws.
//
// The simulator runs as a child with two pipes (requests on its stdin, one JSON reply a line
// on its stdout; its stderr is ours) and dies with its parent (PR_SET_PDEATHSIG). The files
// of a request (the image, the descriptor list) go to a private temporary directory, removed
// with the server: in $TMPDIR when set, else in /dev/shm (no disk writeback: a one-layer
// request takes about 0.5 ms there, 3.8 ms on ext4), else in /tmp.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/shell/counters.hpp"
#include "dnngen/shell/descriptor.hpp"

namespace dnngen::shell {

class ShellSimServer {
 public:
  // One layer of a request: what the RTL counted (equal to the cycle model's, or run() throws).
  struct Layer {
    Counters counters;
    uint64_t model_cycles = 0;
  };
  struct Result {
    std::vector<Layer> layers;  // one per descriptor, in order
    uint64_t sim_cycles = 0;    // clock edges the request took, register writes included
    double sim_seconds = 0;     // simulating the layers, in the simulator
  };

  // Starts `executable serve config_path --seed seed` (a shell simulator built for that
  // configuration: sim::build_simulator(cfg, ..., shell = true)). ToolError if it cannot.
  ShellSimServer(const std::string& executable, const std::string& config_path, uint64_t seed = 1);
  // Closes the simulator's stdin and waits for it; kills it if it has not exited within a
  // few seconds. Removes the temporary directory.
  ~ShellSimServer();
  ShellSimServer(const ShellSimServer&) = delete;
  ShellSimServer& operator=(const ShellSimServer&) = delete;

  // Runs the descriptors one after another on `memory` (byte 0 at address 0) and replaces it
  // with the image they leave. ToolError, `memory` unchanged, when the simulator refuses the
  // request ({"ok": false}: its message), when a layer differs from the golden or the cycle
  // model (the simulator's problems), or when the simulator has died (its exit status);
  // InputError when a descriptor does not encode (shell::encode).
  Result run(std::vector<uint8_t>& memory, const std::vector<LayerDescriptor>& descriptors);

  // The simulator's process id (for tests).
  pid_t pid() const { return pid_; }

 private:
  // The next line of the simulator's stdout, without its newline; ToolError if it ended.
  std::string read_line();
  // ToolError saying the simulator ended (with its exit status) while doing `what`.
  [[noreturn]] void died(const std::string& what);

  std::string executable_;
  std::string dir_;  // the private temporary directory
  pid_t pid_ = -1;
  int to_child_ = -1, from_child_ = -1;
  std::string pending_;  // read past the last line
};

}  // namespace dnngen::shell
