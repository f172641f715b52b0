#pragma once
// Verilator harness of dnn_bitserial_top: driver (loader and job ports), monitor (result
// handshakes, valid/data hold) and the raw RTL result, plus the scoreboard rules that
// compare it with the golden model (dnngen/bitserial/model.hpp).
//
// Inputs change right after a rising edge, never at it; a transfer happens at a rising
// edge when valid and ready were both high just before it.
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "Vdnn_bitserial_top.h"
#include "dnngen/bitserial/model.hpp"
#include "dnngen/bitserial/packing.hpp"
#include "dnngen/config/config.hpp"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

namespace dnngen::bitserial {

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

// What the harness observed on one job.
struct RtlRun {
  Tensor c;
  uint64_t counter_cycles = 0;   // the RTL's own cycles_o after the job
  uint64_t measured_cycles = 0;  // edges from accept to the last output
  uint64_t stall_cycles = 0;     // cycles with a result waiting and the consumer not ready
  std::vector<std::string> protocol_errors;
};

struct Verdict {
  bool pass = true;
  uint64_t value_mismatches = 0;
  std::vector<std::string> problems;
};

// Rules: no protocol errors; C equal element for element to the model's (which equals
// the exact product, checked separately); the RTL's counter equals the harness's count;
// with the consumer always ready, that count equals the model's cycles exactly; with
// backpressure it can only be larger.
inline Verdict score(const Result& model, const RtlRun& rtl, bool always_ready) {
  Verdict v;
  for (const auto& e : rtl.protocol_errors) v.problems.push_back("protocol: " + e);
  for (size_t i = 0; i < model.c.data.size(); ++i) {
    if (model.c.data[i] == rtl.c.data[i]) continue;
    if (v.value_mismatches++ < 4) {
      const auto n = static_cast<size_t>(model.c.shape[1]);
      v.problems.push_back(fmt::format("C[{}, {}]: model {} rtl {}", i / n, i % n, model.c.data[i], rtl.c.data[i]));
    }
  }
  if (rtl.counter_cycles != rtl.measured_cycles)
    v.problems.push_back(fmt::format("cycles_o {} != harness count {}", rtl.counter_cycles, rtl.measured_cycles));
  if (always_ready ? rtl.measured_cycles != model.timing.cycles : rtl.measured_cycles < model.timing.cycles)
    v.problems.push_back(fmt::format("cycles: model {} rtl {}", model.timing.cycles, rtl.measured_cycles));
  v.pass = v.problems.empty();
  return v;
}

class BitserialHarness {
 public:
  explicit BitserialHarness(const config::BitserialConfig& cfg, const std::string& fst_path = "")
      : cfg_(cfg), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->debug(0);
    ctx_->randReset(0);
#if VM_TRACE
    if (!fst_path.empty()) ctx_->traceEverOn(true);
#endif
    top_ = std::make_unique<Vdnn_bitserial_top>(ctx_.get(), "top");
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

  ~BitserialHarness() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
  }

  BitserialHarness(const BitserialHarness&) = delete;
  BitserialHarness& operator=(const BitserialHarness&) = delete;

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

  RtlRun run_job(const GemmShape& s, const Precision& p, double ready_probability, uint64_t seed,
                 uint64_t timeout_cycles) {
    RtlRun run;
    run.c = Tensor({s.m, s.n});
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution ready(ready_probability);

    top_->job_m_i = static_cast<uint32_t>(s.m);
    top_->job_n_i = static_cast<uint32_t>(s.n);
    top_->job_k_i = static_cast<uint32_t>(s.k);
    top_->job_prec_i = p.automatic ? 0u : p.bits;
    top_->job_auto_i = p.automatic ? 1 : 0;
    top_->job_valid_i = 1;
    top_->out_ready_i = 0;
    top_->eval();
    if (!top_->job_ready_o) throw std::runtime_error("job port not ready: engine busy");
    tick();  // accept edge
    top_->job_valid_i = 0;

    bool finished = false, pending = false;
    BitWords pending_data;
    uint64_t pending_row = 0;
    uint64_t rows_seen = 0;
    for (uint64_t edge = 1; !finished; ++edge) {
      if (edge > timeout_cycles) {
        run.protocol_errors.push_back(fmt::format("timeout: no last output after {} cycles", timeout_cycles));
        break;
      }
      const bool take = ready_probability >= 1.0 || ready(rng);
      top_->out_ready_i = take ? 1 : 0;
      top_->eval();
      if (pending && !top_->out_valid_o) {
        run.protocol_errors.push_back(fmt::format("output valid dropped before it was accepted (row {})", pending_row));
        pending = false;
      }
      if (top_->out_valid_o) {
        const BitWords data = port::read(top_->out_data_o);
        if (pending && (data != pending_data || top_->out_row_o != pending_row))
          run.protocol_errors.push_back(fmt::format("output changed while valid and not accepted (row {})", pending_row));
        if (take) {
          const int64_t row = top_->out_row_o, col0 = top_->out_col_o;
          if (row >= s.m || col0 >= s.n)
            run.protocol_errors.push_back(fmt::format("output row/col out of range: {}/{}", row, col0));
          else
            unpack_result_row(cfg_, data, row, col0, run.c);
          ++rows_seen;
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
    const uint64_t tiles_rows = static_cast<uint64_t>(s.m) *
                                static_cast<uint64_t>((s.n + cfg_.tile_cols - 1) / cfg_.tile_cols);
    if (rows_seen != tiles_rows)
      run.protocol_errors.push_back(fmt::format("{} result rows handed out, expected {}", rows_seen, tiles_rows));
    top_->out_ready_i = 0;
    top_->eval();
    if (top_->busy_o) run.protocol_errors.push_back("busy still high after the last output");
    run.counter_cycles = top_->cycles_o;
    tick();
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

  config::BitserialConfig cfg_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vdnn_bitserial_top> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  uint64_t sim_cycles_ = 0;
};

}  // namespace dnngen::bitserial
