#pragma once
// Verilator harness of dnn_rs_top: driver (loader and job ports), monitor (output
// handshakes, valid/data hold, event cycles) and the raw RTL result. The comparison
// with the model is score() below: outputs bit for bit, every output event's cycle,
// and the cycle counter against the closed form.
//
// Inputs change right after a rising edge, never at it; a transfer happens at a rising
// edge when valid and ready were both high just before it.
#include <fmt/format.h>

#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vdnn_rs_top.h"
#include "dnngen/row_stationary/ring.hpp"
#include "dnngen/row_stationary/rs_model.hpp"
#include "verilated_dut.hpp"

namespace dnngen::rs {

struct RtlRun {
  Tensor ofmap;
  std::vector<OutEvent> events;  // as observed: handshake edge, k, e0, f, last
  uint64_t counter_cycles = 0;   // cycles_o after the job
  uint64_t measured_cycles = 0;  // edges from accept to the last handshake
  uint64_t stall_cycles = 0;
  HeldCycles feed_gaps;         // ring buffers: the cycles the loader was held back
  HeldCycles consumer_unready;  // the cycles out_ready_i was low
  std::vector<std::string> protocol_errors;
};

struct Verdict {
  bool pass = false;
  uint64_t value_mismatches = 0;
  uint64_t model_cycles = 0, rtl_cycles = 0;
  bool cycles_agree = false;  // rtl == model (+ stalls; with rings the model counts them)
  std::vector<std::string> problems;
};

// Model vs RTL: every ofmap element, the event sequence (order and, with an always
// ready consumer, each cycle), and the cycle count (event-exact model == closed form
// == RTL counter).
inline Verdict score(const config::RowStationaryConfig& cfg, const ConvJob& job, const Tensor& golden,
                     const RtlRun& rtl, bool always_ready) {
  Verdict v;
  auto events = schedule(cfg, job);
  v.model_cycles = estimate(cfg, job).cycles;
  v.rtl_cycles = rtl.counter_cycles;
  for (const auto& p : rtl.protocol_errors) v.problems.push_back("protocol: " + p);
  if (events.empty() || events.back().cycle != v.model_cycles)
    v.problems.push_back(fmt::format("model: event schedule ends at {}, closed form says {}",
                                     events.empty() ? 0 : events.back().cycle, v.model_cycles));
  // Ring buffers: the same events, later by the cycles the core waits for words streaming in
  // and for the consumer, which the model replays: every cycle exact, stalls or not.
  const bool exact = always_ready || cfg.ring_buffers;
  if (cfg.ring_buffers) {
    RingSchedule ring = ring_schedule(cfg, job, rtl.feed_gaps, rtl.consumer_unready);
    events = std::move(ring.events);
    v.model_cycles = ring.cycles;
    if (ring.stalls != rtl.stall_cycles)
      v.problems.push_back(fmt::format("stalls: model {} rtl {}", ring.stalls, rtl.stall_cycles));
  }
  if (rtl.events.size() != events.size()) {
    v.problems.push_back(fmt::format("{} output events, model expects {}", rtl.events.size(), events.size()));
  } else {
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& m = events[i];
      const auto& r = rtl.events[i];
      if (m.k != r.k || m.e0 != r.e0 || m.f != r.f || m.last != r.last || (exact && m.cycle != r.cycle)) {
        v.problems.push_back(
            fmt::format("event {}: model (k {}, e0 {}, f {}, last {}) at cycle {}, "
                        "rtl (k {}, e0 {}, f {}, last {}) at cycle {}",
                        i, m.k, m.e0, m.f, m.last, m.cycle, r.k, r.e0, r.f, r.last, r.cycle));
        break;
      }
    }
  }
  const size_t before_cycles = v.problems.size();
  if (exact && rtl.counter_cycles != v.model_cycles)
    v.problems.push_back(fmt::format("cycles: model {} rtl {}", v.model_cycles, rtl.counter_cycles));
  // A stalled consumer freezes the core: exactly its stall cycles more than the model.
  if (!exact && rtl.counter_cycles != v.model_cycles + rtl.stall_cycles)
    v.problems.push_back(fmt::format("cycles: model {} + {} stalls, rtl {}", v.model_cycles, rtl.stall_cycles,
                                     rtl.counter_cycles));
  v.cycles_agree = v.problems.size() == before_cycles;
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
    // Without rings every filter word and ifmap row is loaded before its job.
    dut_->fw_avail_i = cfg.ring_buffers ? 0 : cfg.filter_words;
    dut_->if_avail_i = cfg.ring_buffers ? 0 : cfg.ifmap_rows;
    dut_.reset();
  }

  uint64_t sim_cycles() const { return dut_.sim_cycles(); }

  // Seeded idle cycles before each loader word and job (input valid gaps).
  // With ring buffers also the loader's cycles during a job (HeldCycles, seeded per job by
  // run_job's seed).
  void set_input_gaps(double p, uint64_t seed) {
    dut_.set_input_gaps(p, seed);
    feed_gap_ = p;
  }

  // pack()'s words: loaded before the job, or with ring buffers (the job's) the first
  // words of both read streams, the rest written while the job runs (RingFeed).
  void load(const ConvJob& j, const std::vector<LoadWord>& words) {
    dut_.load(cfg_.ring_buffers ? ring_preload(j, words) : words);
  }

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
  // With ring buffers the loader feeds the rings up to the reset, as in run_job: a reset
  // mid-load lands among the words written before the job (`at` wraps to their count),
  // in the job while the loader streams or with a result stalled (not a wait that
  // never ends).
  void reset_at(ResetPoint point, const std::vector<LoadWord>& words, const ConvJob& j, uint64_t at) {
    dut_->out_ready_i = 0;
    if (!cfg_.ring_buffers)
      return dut_.reset_at(
          point, words, at, [&] { put_job(fields(j)); }, [this] { return dut_->out_valid_o != 0; });
    const std::vector<LoadWord> first = ring_preload(j, words);
    if (point == ResetPoint::kMidLoad) {
      dut_.load({first.begin(), first.begin() + static_cast<std::ptrdiff_t>(at % (first.size() + 1))});
    } else {
      dut_.load(first);
      put_job(fields(j));
      dut_.start_job();
      uint64_t edge = 1;
      if (point == ResetPoint::kStalledOutput)
        for (; edge < 1'000'000 && !dut_->out_valid_o; ++edge) tick_feeding(edge);
      for (const uint64_t end = edge + at; edge < end; ++edge) tick_feeding(edge);
    }
    dut_.reset();
    feed_.reset();
  }

  RtlRun run_job(const ConvJob& j, double ready_probability, uint64_t seed, uint64_t timeout_cycles) {
    const Plan p = plan(cfg_, j);
    RtlRun run;
    run.ofmap = Tensor({j.k, p.e, p.f});
    // The consumer's ready: low in seeded cycles (which the ring buffers' model replays).
    run.consumer_unready = {1.0 - ready_probability, seed ^ 0xC0'5E'4A'11ull};
    put_job(fields(j));
    dut_->out_ready_i = 0;
    dut_.start_job();
    if (cfg_.ring_buffers && !feed_) throw std::logic_error("RsHarness: a ring job without load()");
    if (feed_) {
      run.feed_gaps = {feed_gap_, seed};
      feed_->set_gaps(run.feed_gaps);
    }

    bool finished = false, pending = false;
    BitWords pending_data;
    for (uint64_t edge = 1; !finished; ++edge) {
      if (edge > timeout_cycles) {
        run.protocol_errors.push_back(fmt::format("timeout: no last output after {} cycles", timeout_cycles));
        break;
      }
      const bool take = !run.consumer_unready.held(edge);
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
      tick_feeding(edge);
      run.measured_cycles = edge;
    }
    dut_->out_ready_i = 0;
    dut_->eval();
    if (dut_->busy_o) run.protocol_errors.push_back("busy still high after the last output");
    run.counter_cycles = dut_->cycles_o;
    dut_.tick();
    feed_.reset();
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

  // Ring buffers: the job's streams and loader, the words written before it (the loader's
  // first words, ring-entry addressed), avail set to them.
  std::vector<LoadWord> ring_preload(const ConvJob& j, const std::vector<LoadWord>& words) {
    const ReadStreams streams = read_streams(cfg_, j);
    ring_ = ring_words(cfg_, j, streams, words);
    feed_.emplace(cfg_, streams);
    set_avail();
    std::vector<LoadWord> first(ring_.ifmap.begin(),
                                ring_.ifmap.begin() + static_cast<std::ptrdiff_t>(feed_->ifmap_written()));
    first.insert(first.end(), ring_.filter.begin(),
                 ring_.filter.begin() + static_cast<std::ptrdiff_t>(feed_->filter_written()));
    return first;
  }

  // One clock edge of a running job; with ring buffers the loader writes the word it picks
  // for this cycle (`edge`, counted from the accept edge) and avail follows.
  void tick_feeding(uint64_t edge) {
    const RingFeed::Pick pick =
        feed_ ? feed_->pick(edge, dut_->if_reads_o, dut_->fw_reads_o) : RingFeed::Pick::kNone;
    if (pick != RingFeed::Pick::kNone) {
      const bool ifmap = pick == RingFeed::Pick::kIfmap;
      const LoadWord& w = ifmap ? ring_.ifmap[feed_->ifmap_written()] : ring_.filter[feed_->filter_written()];
      dut_->ld_valid_i = 1;
      dut_->ld_sel_i = ifmap ? 0 : 1;
      dut_->ld_addr_i = w.addr;
      testbench::port::write(dut_->ld_data_i, w.data);
    }
    dut_.tick();
    dut_->ld_valid_i = 0;
    if (feed_) {
      feed_->wrote(pick);
      set_avail();
      dut_->eval();  // the outputs the new avail frees (out_valid_o is gated by the waits)
    }
  }

  void set_avail() {
    dut_->if_avail_i = static_cast<uint32_t>(feed_->ifmap_written());
    dut_->fw_avail_i = static_cast<uint32_t>(feed_->filter_written());
  }

  config::RowStationaryConfig cfg_;
  testbench::VerilatedDut<Vdnn_rs_top> dut_;
  // Ring buffers: the words of the job's read streams and the loader (from load() to the
  // end of run_job).
  RingWords ring_;
  std::optional<RingFeed> feed_;
  double feed_gap_ = 0.0;
};

}  // namespace dnngen::rs
