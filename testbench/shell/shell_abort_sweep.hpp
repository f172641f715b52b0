#pragma once
// A shell test every engine's suite runs: ABORT written in each cycle around the end of
// one layer and the start of the next, queued behind it (the second layer's descriptor
// check included), stops whatever runs and drops what waits. So the second layer never
// finishes, whichever cycle the ABORT lands in, and the shell is idle again soon after.
// The sweep must cover both sides of the boundary: an ABORT that stops the first layer,
// and one that stops the second after the first finished.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>

#include "shell_systolic_bench.hpp"

namespace dnngen::shell {

// load(i): writes layer i's descriptor (0, then 1); `cycles` is one layer's (the model's),
// both the same length; replay() says how to rerun the failing case.
template <typename Bench>
void expect_abort_stops_the_queue(Bench& b, const std::function<void(int)>& load, uint64_t cycles,
                                  const std::function<std::string()>& replay) {
  const uint32_t aborted = register_map().enum_value("error", "aborted");
  bool stopped_first = false, stopped_second = false;
  for (uint64_t at = cycles - 12; at <= cycles + 12; ++at) {
    const std::string what = fmt::format(
        "ABORT {} cycles after the first of two queued layers' START ({} cycles each)", at, cycles);
    const uint32_t done_before = b.read(reg("LAYERS_DONE"));
    load(0);
    const uint64_t start = b.cycle();
    b.write(reg("CTRL"), 1);
    load(1);
    b.write(reg("CTRL"), 1);
    while (b.cycle() < start + at) b.idle_cycle();
    b.write(reg("CTRL"), 2);
    uint64_t waited = 0;
    while ((b.read(reg("STATUS")) & 1) != 0 && waited < cycles) b.idle_cycle(), ++waited;
    const uint32_t finished = b.read(reg("LAYERS_DONE")) - done_before;
    const uint32_t code = b.read(reg("ERROR_CODE"));
    EXPECT_LT(waited, cycles) << what << ": the shell ran on\n" << replay();
    EXPECT_LE(finished, 1u) << what << ": the second layer finished\n" << replay();
    stopped_first = stopped_first || (finished == 0 && code == aborted);
    stopped_second = stopped_second || (finished == 1 && code == aborted);
    b.write(reg("IRQ_STATUS"), 3);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_TRUE(stopped_first && stopped_second)
      << "the sweep missed the boundary: ABORT stopped the first layer " << stopped_first << ", the second "
      << stopped_second << "\n"
      << replay();
}

}  // namespace dnngen::shell
