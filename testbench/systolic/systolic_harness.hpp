#pragma once
// Verilator harness of dnn_systolic_top: driver (loader and job ports), monitor
// (output handshakes, valid/data hold, per-row timing) and the raw RTL result. The
// scoreboard that compares against the golden model is dnngen/systolic/scoreboard.hpp.
//
// Inputs change right after a rising edge, never at it; a transfer happens at a rising
// edge when valid and ready were both high just before it.
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "Vdnn_systolic_top.h"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/packing.hpp"
#include "dnngen/systolic/schedule.hpp"
#include "dnngen/systolic/scoreboard.hpp"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

namespace dnngen::systolic {


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

class SystolicHarness {
 public:
  explicit SystolicHarness(const config::SystolicConfig& cfg, const std::string& fst_path = "")
      : cfg_(cfg), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->debug(0);
    ctx_->randReset(0);
#if VM_TRACE
    if (!fst_path.empty()) ctx_->traceEverOn(true);
#endif
    top_ = std::make_unique<Vdnn_systolic_top>(ctx_.get(), "top");
#if VM_TRACE
    if (!fst_path.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      top_->trace(trace_.get(), 99);
      trace_->open(fst_path.c_str());
    }
#else
    (void)fst_path;
#endif
    reset();
  }

  ~SystolicHarness() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
  }

  SystolicHarness(const SystolicHarness&) = delete;
  SystolicHarness& operator=(const SystolicHarness&) = delete;

  uint64_t sim_cycles() const { return sim_cycles_; }

  void reset() {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->ld_valid_i = 0;
    top_->job_valid_i = 0;
    top_->out_ready_i = 0;
    top_->eval();
    tick();
    tick();
    top_->rst_ni = 1;
    top_->eval();
    tick();
  }

  // Writes buffer words through the loader port, one per cycle.
  void load(const std::vector<LoadWord>& words) {
    for (const auto& w : words) {
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

  // Starts a job and collects its results. The consumer is ready each cycle with
  // probability ready_probability (1.0: always, which the cycle model assumes).
  RtlRun run_job(const GemmShape& s, double ready_probability, uint64_t seed,
                 uint64_t timeout_cycles) {
    RtlRun run;
    run.c = Tensor({s.m, s.n});
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution ready(ready_probability);

    top_->job_m_i = static_cast<uint32_t>(s.m);
    top_->job_n_i = static_cast<uint32_t>(s.n);
    top_->job_k_i = static_cast<uint32_t>(s.k);
    top_->job_valid_i = 1;
    top_->out_ready_i = 0;
    top_->eval();
    if (!top_->job_ready_o) throw std::runtime_error("job port not ready: engine busy");
    tick();  // accept edge
    top_->job_valid_i = 0;

    bool finished = false;
    bool pending = false;  // a result was valid and not taken last cycle
    BitWords pending_data;
    uint64_t pending_row = 0;
    for (uint64_t edge = 1; !finished; ++edge) {
      if (edge > timeout_cycles) {
        run.protocol_errors.push_back("timeout: no last output after " +
                                      std::to_string(timeout_cycles) + " cycles");
        break;
      }
      // The result port depends on registers only (valid never depends on ready), so
      // the values from the last edge's eval are current: no eval needed here.
      const bool take = ready_probability >= 1.0 || ready(rng);
      top_->out_ready_i = take ? 1 : 0;
      if (pending && !top_->out_valid_o) {
        run.protocol_errors.push_back("output valid dropped before it was accepted (row " +
                                      std::to_string(pending_row) + ")");
        pending = false;
      }
      if (top_->out_valid_o) {
        const BitWords data = port::read(top_->out_data_o);
        if (pending && (data != pending_data || top_->out_row_o != pending_row))
          run.protocol_errors.push_back("output changed while valid and not accepted (row " +
                                        std::to_string(pending_row) + ")");
        if (take) {
          const int64_t row = top_->out_row_o, col0 = top_->out_col_o;
          if (row >= s.m || col0 >= s.n) {
            run.protocol_errors.push_back("output row/col out of range: " +
                                          std::to_string(row) + "/" + std::to_string(col0));
          } else {
            unpack_result_row(cfg_, data, row, col0, run.c);
          }
          run.events.push_back({edge, row, col0});
          finished = top_->out_last_o != 0;
          pending = false;
        } else {
          ++run.stall_cycles;
          pending = true;
          pending_data = data;
          pending_row = top_->out_row_o;
        }
      }
      if (!top_->busy_o) run.protocol_errors.push_back("busy low before the last output");
      tick();
      run.measured_cycles = edge;
    }
    top_->out_ready_i = 0;
    top_->eval();
    if (top_->busy_o) run.protocol_errors.push_back("busy still high after the last output");
    run.counter_cycles = top_->cycles_o;
    tick();  // let done pulse and idle settle
    return run;
  }

 private:
  void tick() {
    top_->clk_i = 0;
    top_->eval();
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
  }

  config::SystolicConfig cfg_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vdnn_systolic_top> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  uint64_t sim_cycles_ = 0;
};

}  // namespace dnngen::systolic
