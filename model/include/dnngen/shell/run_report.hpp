#pragma once
// The fields every `dnngen run --shell` JSON report has, whatever the engine: how it ran
// (through the shell), its counters (the RTL's CYCLES_* and BYTES_* registers, or the cycle
// model's equal ones) and the memory the cycles assume.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "dnngen/shell/counters.hpp"

namespace dnngen::shell {

struct RunMemory {
  unsigned latency = 0;
  double bytes_per_cycle = 0;
  unsigned data_bits = 0, max_burst = 0, outstanding = 0;
};

// through, cycles, cycles_include, cycles_compute, cycles_mem_wait, bytes_read,
// bytes_written, memory {latency, bytes_per_cycle, data_bits, max_burst, outstanding}.
inline nlohmann::json run_report_fields(const Counters& c, const RunMemory& m) {
  return {{"through", "shell"},
          {"cycles", c.cycles},
          {"cycles_include", "data movement through the shell's DMA"},
          {"cycles_compute", c.compute},
          {"cycles_mem_wait", c.mem_wait},
          {"bytes_read", c.bytes_read},
          {"bytes_written", c.bytes_written},
          {"memory",
           {{"latency", m.latency},
            {"bytes_per_cycle", m.bytes_per_cycle},
            {"data_bits", m.data_bits},
            {"max_burst", m.max_burst},
            {"outstanding", m.outstanding}}}};
}

}  // namespace dnngen::shell
