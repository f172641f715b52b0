#pragma once
// What the shell's block testbenches share: the base seed (DNNGEN_SEED overrides it) and
// a reset that starts a DUT with every input idle. The DUT's own inputs are set idle by
// the caller first; reset() drives only the clock and rst_ni.
#include <cstdint>
#include <cstdlib>

#include "verilated_dut.hpp"

namespace dnngen::shell {

inline uint64_t base_seed() {
  const char* s = std::getenv("DNNGEN_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261205u;
}

// Two cycles in reset (entered with a falling edge, so asynchronous resets act at once),
// then one out of it.
template <typename Top>
void reset(testbench::VerilatedDut<Top>& dut) {
  dut->clk_i = 0;
  dut->rst_ni = 1;
  dut->eval();
  dut->rst_ni = 0;
  dut->eval();
  dut.tick();
  dut.tick();
  dut->rst_ni = 1;
  dut->eval();
  dut.tick();
}

}  // namespace dnngen::shell
