#pragma once
// Verilator harness of dnn_bitserial_top: driver (loader and job ports), monitor (result
// handshakes, valid/data hold) and the raw RTL result, plus the scoreboard rules that
// compare it with the golden model (dnngen/bitserial/model.hpp).
//
// Inputs change right after a rising edge, never at it; a transfer happens at a rising
// edge when valid and ready were both high just before it.
#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "Vdnn_bitserial_top.h"
#include "dnngen/bitserial/model.hpp"
#include "dnngen/bitserial/packing.hpp"
#include "dnngen/config/config.hpp"
#include "verilated_dut.hpp"

namespace dnngen::bitserial {

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
      v.problems.push_back(
          fmt::format("C[{}, {}]: model {} rtl {}", i / n, i % n, model.c.data[i], rtl.c.data[i]));
    }
  }
  if (rtl.counter_cycles != rtl.measured_cycles)
    v.problems.push_back(
        fmt::format("cycles_o {} != harness count {}", rtl.counter_cycles, rtl.measured_cycles));
  if (always_ready ? rtl.measured_cycles != model.timing.cycles : rtl.measured_cycles < model.timing.cycles)
    v.problems.push_back(fmt::format("cycles: model {} rtl {}", model.timing.cycles, rtl.measured_cycles));
  v.pass = v.problems.empty();
  return v;
}

class BitserialHarness {
 public:
  // x_seed: random power-up state (0: all zero); see testbench::VerilatedDut.
  explicit BitserialHarness(const config::BitserialConfig& cfg, const std::string& fst_path = "",
                            uint64_t x_seed = 0)
      : cfg_(cfg), dut_(fst_path, x_seed) {
    dut_->out_ready_i = 0;
    dut_.reset();
  }

  uint64_t sim_cycles() const { return dut_.sim_cycles(); }

  // Seeded idle cycles before each loader word and job (input valid gaps).
  void set_input_gaps(double p, uint64_t seed) { dut_.set_input_gaps(p, seed); }

  void load(const std::vector<LoadWord>& words) { dut_.load(words); }

  // A job with out-of-range sizes or precision: refused (done with err_o), busy never
  // rising, no result.
  std::vector<std::string> refuse_job(const GemmShape& s, const Precision& p) {
    put_job(s, p);
    dut_->out_ready_i = 1;
    auto problems = dut_.refuse_job([this] { return dut_->out_valid_o != 0; });
    dut_->out_ready_i = 0;
    return problems;
  }

  using ResetPoint = testbench::VerilatedDut<Vdnn_bitserial_top>::ResetPoint;

  // Loads (part of) `words` and runs the job to `point` (see VerilatedDut::reset_in_job),
  // then resets; the caller loads the job again.
  void reset_at(ResetPoint point, const std::vector<LoadWord>& words, const GemmShape& s, const Precision& p,
                uint64_t at) {
    dut_->out_ready_i = 0;
    dut_.reset_at(
        point, words, at, [&] { put_job(s, p); }, [this] { return dut_->out_valid_o != 0; });
  }

  RtlRun run_job(const GemmShape& s, const Precision& p, double ready_probability, uint64_t seed,
                 uint64_t timeout_cycles) {
    RtlRun run;
    run.c = Tensor({s.m, s.n});
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution ready(ready_probability);

    put_job(s, p);
    dut_->out_ready_i = 0;
    dut_.start_job();

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
      dut_->out_ready_i = take ? 1 : 0;
      dut_->eval();
      if (pending && !dut_->out_valid_o) {
        run.protocol_errors.push_back(
            fmt::format("output valid dropped before it was accepted (row {})", pending_row));
        pending = false;
      }
      if (dut_->out_valid_o) {
        const BitWords data = testbench::port::read(dut_->out_data_o);
        if (pending && (data != pending_data || dut_->out_row_o != pending_row))
          run.protocol_errors.push_back(
              fmt::format("output changed while valid and not accepted (row {})", pending_row));
        if (take) {
          const int64_t row = dut_->out_row_o, col0 = dut_->out_col_o;
          if (row >= s.m || col0 >= s.n)
            run.protocol_errors.push_back(fmt::format("output row/col out of range: {}/{}", row, col0));
          else
            unpack_result_row(cfg_, data, row, col0, run.c);
          ++rows_seen;
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
      dut_.tick();
      run.measured_cycles = edge;
    }
    const uint64_t tiles_rows =
        static_cast<uint64_t>(s.m) * static_cast<uint64_t>((s.n + cfg_.tile_cols - 1) / cfg_.tile_cols);
    if (rows_seen != tiles_rows)
      run.protocol_errors.push_back(
          fmt::format("{} result rows handed out, expected {}", rows_seen, tiles_rows));
    dut_->out_ready_i = 0;
    dut_->eval();
    if (dut_->busy_o) run.protocol_errors.push_back("busy still high after the last output");
    run.counter_cycles = dut_->cycles_o;
    dut_.tick();
    return run;
  }

 private:
  void put_job(const GemmShape& s, const Precision& p) {
    dut_->job_m_i = static_cast<uint32_t>(s.m);
    dut_->job_n_i = static_cast<uint32_t>(s.n);
    dut_->job_k_i = static_cast<uint32_t>(s.k);
    dut_->job_prec_i = p.automatic ? 0u : p.bits;
    dut_->job_auto_i = p.automatic ? 1 : 0;
  }

  config::BitserialConfig cfg_;
  testbench::VerilatedDut<Vdnn_bitserial_top> dut_;
};

}  // namespace dnngen::bitserial
