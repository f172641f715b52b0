// Simulation speed of the weight-stationary PE array alone (make bench, step 9): the bound
// an engine built around it cannot beat. Every row streams a valid activation every cycle
// (every PE multiplies and adds, as in a busy layer), the weight banks swap every 256
// cycles and one weight row loads every 16. Prints cycles per second and a checksum of the
// bottom row's sums (so the compiler keeps the work).
//
//   array_speed [cycles]        (default 2,000,000)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "Vdnn_systolic_ws_array.h"
#include "verilated.h"

// The 32-bit words of a wide Verilated port.
template <typename Port>
constexpr std::size_t kWords(const Port& port) {
  return sizeof(port) / sizeof(port[0]);
}

int main(int argc, char** argv) {
  const uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  VerilatedContext ctx;
  Vdnn_systolic_ws_array top(&ctx);
  std::mt19937 rng(1);
  top.clk_i = 0;
  top.rst_ni = 0;
  top.eval();
  top.rst_ni = 1;
  top.en_i = 1;
  top.eval();
  uint64_t checksum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t c = 0; c < cycles; ++c) {
    top.act_valid_i = ~0u;
    top.act_bank_i = (c / 256) % 2 ? ~0u : 0u;
    top.wload_row_i = c % 16 == 0 ? 1u << (c / 16 % 16) : 0u;
    top.wload_bank_i = (c / 256 + 1) % 2;
    for (std::size_t w = 0; w < kWords(top.act_i); ++w) top.act_i[w] = rng();
    for (std::size_t w = 0; w < kWords(top.wload_data_i); ++w) top.wload_data_i[w] = rng();
    top.clk_i = 0;
    top.eval();
    top.clk_i = 1;
    top.eval();
    checksum += top.psum_o[c % kWords(top.psum_o)];
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%.2f M cycles/s (%llu cycles, checksum %llu)\n", cycles / seconds / 1e6,
              static_cast<unsigned long long>(cycles), static_cast<unsigned long long>(checksum));
  return 0;
}
