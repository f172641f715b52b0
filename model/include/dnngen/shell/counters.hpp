#pragma once
// The counters a shell layer leaves in its registers (CYCLES_TOTAL, CYCLES_COMPUTE,
// CYCLES_MEM_WAIT, BYTES_READ, BYTES_WRITTEN), for every engine: what the RTL counted,
// what an engine's cycle model predicts, what the TLM model sets.
#include <cstdint>

namespace dnngen::shell {

struct Counters {
  uint64_t cycles = 0, compute = 0, mem_wait = 0, bytes_read = 0, bytes_written = 0;

  // The totals of layers run one after another.
  Counters& operator+=(const Counters& o) {
    cycles += o.cycles, compute += o.compute, mem_wait += o.mem_wait;
    bytes_read += o.bytes_read, bytes_written += o.bytes_written;
    return *this;
  }
};

// A cycle model's timing (systolic::LayerTiming, eie::ShellTiming) as counters.
template <typename Timing>
Counters counters_of(const Timing& t) {
  return {t.cycles, t.compute, t.mem_wait, t.bytes_read, t.bytes_written};
}

}  // namespace dnngen::shell
