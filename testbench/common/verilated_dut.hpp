#pragma once
// The Verilator plumbing every engine harness shares: reading and writing ports of any
// width, and VerilatedDut, which owns one Verilated top (its context, the model and the
// optional FST trace) and clocks it. What a harness drives and checks on its job and
// result ports stays in the engine's own harness.
//
// Inputs change right after a rising edge, never at it: tick() leaves the clock high, a
// harness then sets inputs and calls eval() (so combinational outputs such as ready
// reflect them), and the next tick() is the edge that samples them.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "dnngen/common/bit_words.hpp"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

namespace dnngen::testbench {

// Verilator maps a port of up to 64 bits to an integer and a wider one to VlWide<N>
// (N 32-bit words, least significant first); BitWords uses the same word order, so a
// harness packs a port once whatever its width in this configuration.
namespace port {

template <typename P>
void write(P& p, const BitWords& w) {
  static_assert(std::is_integral_v<P>);
  uint64_t v = w.empty() ? 0 : w[0];
  if (w.size() > 1) v |= static_cast<uint64_t>(w[1]) << 32;
  p = static_cast<P>(v);
}
template <std::size_t N>
void write(VlWide<N>& p, const BitWords& w) {
  for (std::size_t i = 0; i < N; ++i) p[i] = i < w.size() ? w[i] : 0u;
}
template <typename P>
BitWords read(const P& p) {
  static_assert(std::is_integral_v<P>);
  const auto v = static_cast<uint64_t>(p);
  return {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
}
template <std::size_t N>
BitWords read(const VlWide<N>& p) {
  BitWords w(N);
  for (std::size_t i = 0; i < N; ++i) w[i] = p[i];
  return w;
}

}  // namespace port

// RTL assertions ($error in the RTL's checks). By default one aborts the process (a unit
// testbench then fails on the spot). The simulators turn that off before making a DUT
// (abort_on_rtl_assertion() = false): then every DUT counts them in
// rtl_assertion_count(), and the simulator reports a failed check the way it reports a
// mismatch: exit 1, a JSON report and a replay line.
inline bool& abort_on_rtl_assertion() {
  static bool abort = true;
  return abort;
}
inline uint64_t& rtl_assertion_count() {
  static uint64_t count = 0;
  return count;
}

// One Verilated top with its own context (never the global one, so two harnesses in one
// process do not share time). Tracing is opt-in: a non-empty fst_path in a simulator built
// with --trace-fst. Access the ports through ->, e.g. dut->ld_valid_i = 1.
//
// x_seed 0 starts every register and memory at zero; any other value starts them at
// random values drawn from that seed (the simulators are built with --x-initial unique),
// so a test shows the design does not depend on power-up state: reset must clear what
// matters. Input gaps (set_input_gaps) hold back each loader word and job by an idle
// cycle with a seeded probability, as a producer that is not always ready would.
template <typename Top>
class VerilatedDut {
 public:
  explicit VerilatedDut(const std::string& fst_path, uint64_t x_seed = 0)
      : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->debug(0);
    ctx_->fatalOnError(abort_on_rtl_assertion());
    ctx_->randReset(x_seed == 0 ? 0 : 2);
    if (x_seed != 0) ctx_->randSeed(static_cast<int>(x_seed % 0x7fffffffu) + 1);
#if VM_TRACE
    if (!fst_path.empty()) ctx_->traceEverOn(true);  // before the model exists
#endif
    top_ = std::make_unique<Top>(ctx_.get(), "top");
#if VM_TRACE
    if (!fst_path.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      top_->trace(trace_.get(), 99);
      trace_->open(fst_path.c_str());
    }
#else
    (void)fst_path;
#endif
  }

  ~VerilatedDut() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
#if VM_COVERAGE
    // A coverage build (make coverage) writes its line and toggle counts into the
    // directory DNNGEN_COVERAGE names, one file per simulated design.
    if (const char* dir = std::getenv("DNNGEN_COVERAGE")) {
      static int designs = 0;
      ctx_->coveragep()->write(
          (std::string(dir) + "/" + std::to_string(::getpid()) + "-" + std::to_string(designs++) + ".dat")
              .c_str());
    }
#endif
  }

  VerilatedDut(const VerilatedDut&) = delete;
  VerilatedDut& operator=(const VerilatedDut&) = delete;

  Top* operator->() { return top_.get(); }

  // Each later input transfer (loader word, job) waits one idle cycle first with
  // probability p, repeatedly (a geometric number of gaps), drawn from seed.
  void set_input_gaps(double p, uint64_t seed) {
    gap_probability_ = p;
    gap_rng_.seed(seed);
  }

  // The idle cycles before the next input transfer (inputs must already be idle).
  void input_gaps() {
    if (gap_probability_ <= 0.0) return;
    std::bernoulli_distribution gap(gap_probability_);
    while (gap(gap_rng_)) tick();
  }

  // Rising edges since construction, reset included (the speed figure's numerator).
  uint64_t sim_cycles() const { return sim_cycles_; }

  // For a harness that evaluates its inputs once per cycle anyway: the clock goes low now,
  // and the harness's own eval() (which must follow before tick()) is the falling half, so
  // tick() skips its own. Every eval() runs the design's input-dependent logic, so one
  // fewer per cycle is about 4 % of a shell simulation.
  void lower_clock() {
    top_->clk_i = 0;
    low_by_harness_ = true;
  }

  // One clock cycle: falling half, then the rising edge; ends with the clock high.
  void tick() {
    if (!low_by_harness_) {
      top_->clk_i = 0;
      top_->eval();
    }
    low_by_harness_ = false;
#if VM_TRACE
    if (trace_) trace_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
    top_->clk_i = 1;
    top_->eval();
#if VM_TRACE
    if (trace_) trace_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
    ++sim_cycles_;
    if (ctx_->gotError()) {
      ++rtl_assertion_count();
      ctx_->gotError(false);
      ctx_->gotFinish(false);
    }
  }

  // Two cycles in reset with the loader and job ports idle, then one cycle out of it.
  // Every engine has these ports; a harness sets its other inputs idle (out_ready_i = 0)
  // before calling this.
  void reset() {
    top_->clk_i = 0;
    top_->ld_valid_i = 0;
    top_->job_valid_i = 0;
    // A falling edge on rst_ni, so every asynchronous reset acts before the next clock
    // edge: with a random power-up state (x_seed) a clocked check must not see the
    // registers' power-up values at that edge.
    top_->rst_ni = 1;
    top_->eval();
    top_->rst_ni = 0;
    top_->eval();
    tick();
    tick();
    top_->rst_ni = 1;
    top_->eval();
    tick();
  }

  // Writes buffer words through the loader port (ld_sel_i: A or B buffer), one per
  // cycle; the engine must be idle. Only the engines whose loader takes a LoadWord call
  // this (a member of a class template is compiled only where it is used).
  void load(const std::vector<LoadWord>& words) {
    for (const auto& w : words) {
      top_->ld_valid_i = 0;
      input_gaps();
      top_->ld_valid_i = 1;
      top_->ld_sel_i = w.to_b ? 1 : 0;
      top_->ld_addr_i = w.addr;
      port::write(top_->ld_data_i, w.data);
      top_->eval();
      if (!top_->ld_ready_o) throw std::runtime_error("loader not ready: engine busy");
      tick();
    }
    top_->ld_valid_i = 0;
  }

  // Presents the job the caller has put on the job_*_i ports and lets the accept edge
  // pass; the engine must be idle. Returns with job_valid_i low again (not yet evaluated).
  void start_job() {
    input_gaps();
    top_->job_valid_i = 1;
    top_->eval();
    if (!top_->job_ready_o) throw std::runtime_error("job port not ready: engine busy");
    tick();  // accept edge
    top_->job_valid_i = 0;
  }

  // Presents the job the caller has put on the job ports, one with out-of-range fields: it
  // must be taken, then refused within `watchdog` cycles (done with err_o), with busy never
  // rising and no result (`result_valid()`: whether the engine offers a result now; the
  // caller sets its output ready). Returns the problems.
  template <class ResultValid>
  std::vector<std::string> refuse_job(ResultValid result_valid, int watchdog = 8) {
    std::vector<std::string> problems;
    start_job();
    bool done = false;
    for (int edge = 0; edge < watchdog && !done; ++edge) {
      top_->eval();
      if (result_valid()) problems.push_back("a result came out of a refused job");
      if (top_->busy_o) problems.push_back("busy rose for a refused job");
      done = top_->done_o;
      if (done && !top_->err_o) problems.push_back("done without the error flag for a refused job");
      tick();
    }
    if (!done) problems.push_back("no done within " + std::to_string(watchdog) + " cycles of a refused job");
    return problems;
  }

  // Where a robustness run resets the engine (cosim --resets): after part of the loader
  // words, some cycles into a job, or some cycles after a result first waits for a
  // consumer that is not ready.
  enum class ResetPoint { kMidLoad, kMidJob, kStalledOutput };

  // Runs the job the caller has loaded and put on the job ports until `point` (the
  // caller holds the output not ready; `result_valid()` as above), waits `at` cycles
  // and resets. The engine is then idle; the caller loads the job again.
  template <class ResultValid>
  void reset_in_job(ResetPoint point, uint64_t at, ResultValid result_valid) {
    start_job();
    if (point == ResetPoint::kStalledOutput) {
      for (uint64_t edge = 0; edge < 1'000'000 && !result_valid(); ++edge) tick();
    }
    for (uint64_t i = 0; i < at; ++i) tick();
    reset();
  }

  // The same for an engine whose loader takes LoadWords: resets after `at` of `words`
  // (mid-load), or loads them all, puts the job on its ports (`put_job()`) and resets at
  // `point` of it.
  template <class PutJob, class ResultValid>
  void reset_at(ResetPoint point, const std::vector<LoadWord>& words, uint64_t at, PutJob put_job,
                ResultValid result_valid) {
    if (point == ResetPoint::kMidLoad) {
      load({words.begin(), words.begin() + static_cast<long>(std::min<uint64_t>(at, words.size()))});
      reset();
      return;
    }
    load(words);
    put_job();
    reset_in_job(point, at, result_valid);
  }

 private:
  // Declared in construction order; destroyed in reverse (trace, model, context).
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Top> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  uint64_t sim_cycles_ = 0;
  bool low_by_harness_ = false;  // lower_clock() was called and the harness evaluates
  double gap_probability_ = 0.0;
  std::mt19937_64 gap_rng_;
};

}  // namespace dnngen::testbench
