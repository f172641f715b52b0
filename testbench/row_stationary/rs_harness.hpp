#pragma once
// Verilator harness of dnn_rs_top: driver (loader and job ports), monitor (output
// handshakes, valid/data hold, event cycles) and the raw RTL result. The comparison
// with the model is score() below: outputs bit for bit, every output event's cycle,
// and the cycle counter against the closed form.
//
// Inputs change right after a rising edge, never at it; a transfer happens at a rising
// edge when valid and ready were both high just before it.
#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "Vdnn_rs_top.h"
#include "dnngen/row_stationary/rs_model.hpp"
#include "verilated_dut.hpp"

namespace dnngen::rs {

struct RtlRun {
  Tensor ofmap;
  std::vector<OutEvent> events;  // as observed: handshake edge, k, e0, f, last
  uint64_t counter_cycles = 0;   // cycles_o after the job
  uint64_t measured_cycles = 0;  // edges from accept to the last handshake
  uint64_t stall_cycles = 0;
  std::vector<std::string> protocol_errors;
};

struct Verdict {
  bool pass = false;
  uint64_t value_mismatches = 0;
  uint64_t model_cycles = 0, rtl_cycles = 0;
  std::vector<std::string> problems;
};

// Model vs RTL: every ofmap element, the event sequence (order and, with an always
// ready consumer, each cycle), and the cycle count (event-exact model == closed form
// == RTL counter).
inline Verdict score(const config::RowStationaryConfig& cfg, const ConvJob& job, const Tensor& golden,
                     const RtlRun& rtl, bool always_ready) {
  Verdict v;
  const auto events = schedule(cfg, job);
  v.model_cycles = estimate(cfg, job).cycles;
  v.rtl_cycles = rtl.counter_cycles;
  for (const auto& p : rtl.protocol_errors) v.problems.push_back("protocol: " + p);
  if (events.empty() || events.back().cycle != v.model_cycles)
    v.problems.push_back(fmt::format("model: event schedule ends at {}, closed form says {}",
                                     events.empty() ? 0 : events.back().cycle, v.model_cycles));
  if (rtl.events.size() != events.size()) {
    v.problems.push_back(fmt::format("{} output events, model expects {}", rtl.events.size(), events.size()));
  } else {
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& m = events[i];
      const auto& r = rtl.events[i];
      if (m.k != r.k || m.e0 != r.e0 || m.f != r.f || m.last != r.last ||
          (always_ready && m.cycle != r.cycle)) {
        v.problems.push_back(
            fmt::format("event {}: model (k {}, e0 {}, f {}, last {}) at cycle {}, "
                        "rtl (k {}, e0 {}, f {}, last {}) at cycle {}",
                        i, m.k, m.e0, m.f, m.last, m.cycle, r.k, r.e0, r.f, r.last, r.cycle));
        break;
      }
    }
  }
  if (always_ready && rtl.counter_cycles != v.model_cycles)
    v.problems.push_back(fmt::format("cycles: model {} rtl {}", v.model_cycles, rtl.counter_cycles));
  if (!always_ready && rtl.counter_cycles != v.model_cycles + rtl.stall_cycles)
    v.problems.push_back(fmt::format("cycles: model {} + {} stalls, rtl {}", v.model_cycles, rtl.stall_cycles,
                                     rtl.counter_cycles));
  for (size_t i = 0; i < golden.data.size() && i < rtl.ofmap.data.size(); ++i)
    v.value_mismatches += golden.data[i] != rtl.ofmap.data[i];
  if (v.value_mismatches)
    v.problems.push_back(
        fmt::format("{} of {} ofmap elements differ", v.value_mismatches, golden.data.size()));
  v.pass = v.problems.empty();
  return v;
}

class RsHarness {
 public:
  // x_seed: random power-up state (0: all zero); see testbench::VerilatedDut.
  explicit RsHarness(const config::RowStationaryConfig& cfg, const std::string& fst_path = "",
                     uint64_t x_seed = 0)
      : cfg_(cfg), dut_(fst_path, x_seed) {
    dut_->out_ready_i = 0;
    dut_->fw_avail_i = cfg.filter_words;  // every filter word is loaded before its job
    dut_->if_avail_i = cfg.ifmap_rows;    // and every ifmap row
    dut_.reset();
  }

  uint64_t sim_cycles() const { return dut_.sim_cycles(); }

  // Seeded idle cycles before each loader word and job (input valid gaps).
  void set_input_gaps(double p, uint64_t seed) { dut_.set_input_gaps(p, seed); }

  void load(const std::vector<LoadWord>& words) { dut_.load(words); }

  // The job port fields, in the order of dnn_rs_top's ports.
  struct JobFields {
    int64_t c, h, w, k, r, s, stride, pad, e, f, kg;
  };
  JobFields fields(const ConvJob& j) const {
    const Plan p = plan(cfg_, j);
    return {j.c, j.h, j.w, j.k, j.r, j.s, j.stride, j.pad, p.e, p.f, p.kg};
  }

  // A job with out-of-range fields: refused (done with err_o), busy never rising, no result.
  std::vector<std::string> refuse_job(const JobFields& f) {
    put_job(f);
    dut_->out_ready_i = 1;
    auto problems = dut_.refuse_job([this] { return dut_->out_valid_o != 0; });
    dut_->out_ready_i = 0;
    return problems;
  }

  using ResetPoint = testbench::VerilatedDut<Vdnn_rs_top>::ResetPoint;

  // Loads (part of) `words` and runs job `j` to `point` (see VerilatedDut::reset_in_job),
  // then resets; the caller loads the job again.
  void reset_at(ResetPoint point, const std::vector<LoadWord>& words, const ConvJob& j, uint64_t at) {
    dut_->out_ready_i = 0;
    dut_.reset_at(
        point, words, at, [&] { put_job(fields(j)); }, [this] { return dut_->out_valid_o != 0; });
  }

  RtlRun run_job(const ConvJob& j, double ready_probability, uint64_t seed, uint64_t timeout_cycles) {
    const Plan p = plan(cfg_, j);
    RtlRun run;
    run.ofmap = Tensor({j.k, p.e, p.f});
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution ready(ready_probability);
    put_job(fields(j));
    dut_->out_ready_i = 0;
    dut_.start_job();

    bool finished = false, pending = false;
    BitWords pending_data;
    for (uint64_t edge = 1; !finished; ++edge) {
      if (edge > timeout_cycles) {
        run.protocol_errors.push_back(fmt::format("timeout: no last output after {} cycles", timeout_cycles));
        break;
      }
      const bool take = ready_probability >= 1.0 || ready(rng);
      dut_->out_ready_i = take ? 1 : 0;
      if (pending && !dut_->out_valid_o) {
        run.protocol_errors.push_back("output valid dropped before it was accepted");
        pending = false;
      }
      if (dut_->out_valid_o) {
        const BitWords data = testbench::port::read(dut_->out_data_o);
        if (pending && data != pending_data)
          run.protocol_errors.push_back("output changed while valid and not accepted");
        if (take) {
          OutEvent ev{edge, dut_->out_k_o, dut_->out_e_o, dut_->out_f_o, dut_->out_last_o != 0};
          if (ev.k >= j.k || ev.e0 >= p.e || ev.f >= p.f)
            run.protocol_errors.push_back(
                fmt::format("output k/e/f out of range: {}/{}/{}", ev.k, ev.e0, ev.f));
          else
            unpack_output(cfg_, data, ev, run.ofmap);
          run.events.push_back(ev);
          finished = ev.last;
          pending = false;
        } else {
          ++run.stall_cycles;
          pending = true;
          pending_data = data;
        }
      }
      if (!dut_->busy_o) run.protocol_errors.push_back("busy low before the last output");
      dut_.tick();
      run.measured_cycles = edge;
    }
    dut_->out_ready_i = 0;
    dut_->eval();
    if (dut_->busy_o) run.protocol_errors.push_back("busy still high after the last output");
    run.counter_cycles = dut_->cycles_o;
    dut_.tick();
    return run;
  }

 private:
  void put_job(const JobFields& f) {
    dut_->job_c_i = static_cast<uint16_t>(f.c);
    dut_->job_h_i = static_cast<uint16_t>(f.h);
    dut_->job_w_i = static_cast<uint16_t>(f.w);
    dut_->job_k_i = static_cast<uint16_t>(f.k);
    dut_->job_r_i = static_cast<uint16_t>(f.r);
    dut_->job_s_i = static_cast<uint16_t>(f.s);
    dut_->job_stride_i = static_cast<uint16_t>(f.stride);
    dut_->job_pad_i = static_cast<uint16_t>(f.pad);
    dut_->job_e_i = static_cast<uint16_t>(f.e);
    dut_->job_f_i = static_cast<uint16_t>(f.f);
    dut_->job_kg_i = static_cast<uint16_t>(f.kg);
  }

  config::RowStationaryConfig cfg_;
  testbench::VerilatedDut<Vdnn_rs_top> dut_;
};

}  // namespace dnngen::rs
