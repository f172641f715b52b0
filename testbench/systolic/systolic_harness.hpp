#pragma once
// Verilator harness of dnn_systolic_top: driver (loader and job ports), monitor
// (output handshakes, valid/data hold, per-row timing) and the raw RTL result. The
// scoreboard that compares against the golden model is dnngen/systolic/scoreboard.hpp.
//
// Inputs change right after a rising edge, never at it; a transfer happens at a rising
// edge when valid and ready were both high just before it.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "Vdnn_systolic_top.h"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/packing.hpp"
#include "dnngen/systolic/schedule.hpp"
#include "dnngen/systolic/scoreboard.hpp"
#include "verilated_dut.hpp"

namespace dnngen::systolic {

class SystolicHarness {
 public:
  // x_seed: random power-up state (0: all zero); see testbench::VerilatedDut.
  explicit SystolicHarness(const config::SystolicConfig& cfg, const std::string& fst_path = "",
                           uint64_t x_seed = 0)
      : cfg_(cfg), dut_(fst_path, x_seed) {
    dut_->out_ready_i = 0;
    dut_.reset();
  }

  uint64_t sim_cycles() const { return dut_.sim_cycles(); }

  // Seeded idle cycles before each loader word and job (input valid gaps).
  void set_input_gaps(double p, uint64_t seed) { dut_.set_input_gaps(p, seed); }

  // Writes buffer words through the loader port, one per cycle.
  void load(const std::vector<LoadWord>& words) { dut_.load(words); }

  // Starts a job and collects its results. The consumer is ready each cycle with
  // probability ready_probability (1.0: always, which the cycle model assumes).
  RtlRun run_job(const GemmShape& s, double ready_probability, uint64_t seed, uint64_t timeout_cycles) {
    RtlRun run;
    run.c = Tensor({s.m, s.n});
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution ready(ready_probability);

    dut_->job_m_i = static_cast<uint32_t>(s.m);
    dut_->job_n_i = static_cast<uint32_t>(s.n);
    dut_->job_k_i = static_cast<uint32_t>(s.k);
    dut_->out_ready_i = 0;
    dut_.start_job();

    bool finished = false;
    bool pending = false;  // a result was valid and not taken last cycle
    BitWords pending_data;
    uint64_t pending_row = 0;
    for (uint64_t edge = 1; !finished; ++edge) {
      if (edge > timeout_cycles) {
        run.protocol_errors.push_back("timeout: no last output after " + std::to_string(timeout_cycles) +
                                      " cycles");
        break;
      }
      // The result port depends on registers only (valid never depends on ready), so
      // the values from the last edge's eval are current: no eval needed here.
      const bool take = ready_probability >= 1.0 || ready(rng);
      dut_->out_ready_i = take ? 1 : 0;
      if (pending && !dut_->out_valid_o) {
        run.protocol_errors.push_back("output valid dropped before it was accepted (row " +
                                      std::to_string(pending_row) + ")");
        pending = false;
      }
      if (dut_->out_valid_o) {
        const BitWords data = testbench::port::read(dut_->out_data_o);
        if (pending && (data != pending_data || dut_->out_row_o != pending_row))
          run.protocol_errors.push_back("output changed while valid and not accepted (row " +
                                        std::to_string(pending_row) + ")");
        if (take) {
          const int64_t row = dut_->out_row_o, col0 = dut_->out_col_o;
          if (row >= s.m || col0 >= s.n) {
            run.protocol_errors.push_back("output row/col out of range: " + std::to_string(row) + "/" +
                                          std::to_string(col0));
          } else {
            unpack_result_row(cfg_, data, row, col0, run.c);
          }
          run.events.push_back({edge, row, col0});
          finished = dut_->out_last_o != 0;
          pending = false;
        } else {
          ++run.stall_cycles;
          pending = true;
          pending_data = data;
          pending_row = dut_->out_row_o;
        }
      }
      if (!dut_->busy_o) run.protocol_errors.push_back("busy low before the last output");
      // The job is offered again on the first cycle of the job: a busy engine must not
      // take it (dnn_job_ctrl; the result and the cycle count would show it).
      if (edge == 1) {
        dut_->job_valid_i = 1;
        dut_->eval();
        if (dut_->job_ready_o) run.protocol_errors.push_back("the job port is ready while busy");
      }
      dut_.tick();
      dut_->job_valid_i = 0;
      run.measured_cycles = edge;
    }
    dut_->out_ready_i = 0;
    dut_->eval();
    if (dut_->busy_o) run.protocol_errors.push_back("busy still high after the last output");
    run.counter_cycles = dut_->cycles_o;
    if (dut_->err_o) run.protocol_errors.push_back("error flag set after a good job");
    dut_.tick();  // let done pulse and idle settle
    return run;
  }

  // A job with out-of-range sizes: it must be taken, then refused within a few cycles
  // (done with err_o), with busy never rising and no result. Returns the problems.
  std::vector<std::string> refuse_job(const GemmShape& s) {
    dut_->job_m_i = static_cast<uint32_t>(s.m);
    dut_->job_n_i = static_cast<uint32_t>(s.n);
    dut_->job_k_i = static_cast<uint32_t>(s.k);
    dut_->out_ready_i = 1;
    auto problems = dut_.refuse_job([this] { return dut_->out_valid_o != 0; });
    dut_->out_ready_i = 0;
    return problems;
  }

  using ResetPoint = testbench::VerilatedDut<Vdnn_systolic_top>::ResetPoint;

  // Loads (part of) a job and starts it, then asserts reset at `point`: after `at` of the
  // loader words, `at` cycles into the job, or `at` cycles after a result first waits for
  // a consumer that is not ready. Leaves the engine reset and idle; its buffers hold
  // whatever was loaded, so the caller loads the job again.
  void reset_at(ResetPoint point, const std::vector<LoadWord>& words, const GemmShape& s, uint64_t at) {
    dut_->out_ready_i = 0;
    dut_.reset_at(
        point, words, at,
        [&] {
          dut_->job_m_i = static_cast<uint32_t>(s.m);
          dut_->job_n_i = static_cast<uint32_t>(s.n);
          dut_->job_k_i = static_cast<uint32_t>(s.k);
        },
        [this] { return dut_->out_valid_o != 0; });
  }

 private:
  config::SystolicConfig cfg_;
  testbench::VerilatedDut<Vdnn_systolic_top> dut_;
};

}  // namespace dnngen::systolic
