#pragma once
// The `memory:` section: the AXI4 memory behind the accelerator shell (every engine).
// Optional; the defaults are a DDR-like memory that a 16x16 int8 array can just keep fed.
namespace dnngen::config {

struct MemoryConfig {
  unsigned bytes_per_cycle = 16;  // sustained bandwidth, reads and writes together, 1..4096
  unsigned latency = 100;         // cycles from a read request to its first data, 0..100000
  unsigned data_bits = 128;       // AXI4 data width: 64, 128, 256 or 512
  unsigned max_burst = 16;        // beats per burst, 1..256
  unsigned outstanding = 8;       // read bursts in flight, 1..255

  // Bytes per cycle each way of the memory the shells' cycle models and testbenches assume:
  // the memory's, at most the bus width.
  double bus_bytes_per_cycle() const;
  // Bytes per cycle the shell can actually move: the memory, the bus width and, by
  // Little's law, what `outstanding` bursts in flight sustain over the latency.
  double effective_bytes_per_cycle() const;
};

}  // namespace dnngen::config
