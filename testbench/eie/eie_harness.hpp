#pragma once
// Verilator harness of dnn_eie_top: driver (loader, job and result-read ports) and
// monitor (busy / done / cycle counter). One instance per simulator run; the activation
// files persist between layers, as they do in the engine.
//
// Inputs change right after a rising edge, never at it.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vdnn_eie_top.h"
#include "dnngen/common/numerics.hpp"
#include "dnngen/config/eie_config.hpp"
#include "dnngen/eie/job.hpp"
#include "verilated_dut.hpp"

namespace dnngen::eie {

struct RtlLayerRun {
  uint64_t counter_cycles = 0;   // dnn_job_ctrl's count
  uint64_t measured_cycles = 0;  // clock edges from accept to busy low
  bool done_pulsed = false;
  std::vector<std::string> protocol_errors;
};

class EieHarness {
 public:
  // x_seed: random power-up state (0: all zero); see testbench::VerilatedDut.
  explicit EieHarness(const config::EieConfig& cfg, const std::string& fst_path = "", uint64_t x_seed = 0)
      : cfg_(cfg), dut_(fst_path, x_seed) {
    dut_.reset();
  }

  uint64_t sim_cycles() const { return dut_.sim_cycles(); }

  // Seeded idle cycles before each loader word and job (input valid gaps).
  void set_input_gaps(double p, uint64_t seed) { dut_.set_input_gaps(p, seed); }

  // The EIE loader addresses a PE and takes one scalar word, so it has its own driver.
  void load(const std::vector<LoadWord>& words) {
    for (const auto& w : words) {
      dut_->ld_valid_i = 0;
      dut_.input_gaps();
      dut_->ld_valid_i = 1;
      dut_->ld_sel_i = w.sel;
      dut_->ld_pe_i = w.pe;
      dut_->ld_addr_i = w.addr;
      dut_->ld_data_i = w.data;
      dut_->eval();
      if (!dut_->ld_ready_o) throw std::runtime_error("loader not ready: engine busy");
      dut_.tick();
    }
    dut_->ld_valid_i = 0;
    dut_->eval();
  }

  // A layer job with out-of-range sizes: refused (done with err_o), busy never rising.
  std::vector<std::string> refuse_job(int64_t rows, int64_t cols, uint32_t ptr_base) {
    put_job(rows, cols, ptr_base);
    return dut_.refuse_job([] { return false; });  // no result port
  }

  using ResetPoint = testbench::VerilatedDut<Vdnn_eie_top>::ResetPoint;

  // Loads (part of) the program's image, or all of it and the first layer's codebook and
  // runs that layer `at` cycles (mid-job; the engine has no result port to stall), then
  // resets; the caller loads the program again.
  void reset_at(ResetPoint point, const Program& prog, uint64_t at) {
    if (point == ResetPoint::kMidLoad) {
      load({prog.image.begin(),
            prog.image.begin() + static_cast<long>(std::min<uint64_t>(at, prog.image.size()))});
      dut_.reset();
      return;
    }
    load(prog.image);
    load(prog.layers.front().codebook);
    const LayerProgram& l = prog.layers.front();
    put_job(l.rows, l.cols, l.ptr_base);
    dut_.reset_in_job(ResetPoint::kMidJob, at, [] { return false; });
  }

  RtlLayerRun run_layer(const LayerProgram& layer, uint64_t timeout_cycles) {
    RtlLayerRun run;
    put_job(layer.rows, layer.cols, layer.ptr_base);
    dut_.start_job();
    dut_->eval();
    for (uint64_t edge = 1;; ++edge) {
      if (edge > timeout_cycles) {
        run.protocol_errors.push_back("timeout: busy after " + std::to_string(timeout_cycles) + " cycles");
        break;
      }
      if (!dut_->busy_o) run.protocol_errors.push_back("busy low before the job finished");
      dut_.tick();
      if (!dut_->busy_o) {
        run.measured_cycles = edge;
        break;
      }
    }
    run.counter_cycles = dut_->cycles_o;
    run.done_pulsed = dut_->done_o != 0;
    if (!run.done_pulsed) run.protocol_errors.push_back("done did not pulse after the last cycle");
    dut_.tick();
    if (dut_->done_o) run.protocol_errors.push_back("done high for more than one cycle");
    return run;
  }

  // The engine's current source file: the last layer's output (M values).
  std::vector<int64_t> read_activations(int64_t m) {
    std::vector<int64_t> y(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) {
      dut_->rd_pe_i = static_cast<uint32_t>(i % cfg_.pes);
      dut_->rd_addr_i = static_cast<uint32_t>(i / cfg_.pes);
      dut_->eval();
      y[static_cast<size_t>(i)] = numerics::from_field(dut_->rd_data_o, cfg_.act_bits, true);
    }
    return y;
  }

 private:
  void put_job(int64_t rows, int64_t cols, uint32_t ptr_base) {
    dut_->job_rows_i = static_cast<uint32_t>(rows);
    dut_->job_cols_i = static_cast<uint32_t>(cols);
    dut_->job_ptr_base_i = ptr_base;
  }

  config::EieConfig cfg_;
  testbench::VerilatedDut<Vdnn_eie_top> dut_;
};

}  // namespace dnngen::eie
