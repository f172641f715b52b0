#pragma once
// Verilator harness of dnn_eie_top: driver (loader, job and result-read ports) and
// monitor (busy / done / cycle counter). One instance per simulator run; the activation
// files persist between layers, as they do in the engine.
//
// Inputs change right after a rising edge, never at it.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vdnn_eie_top.h"
#include "dnngen/common/numerics.hpp"
#include "dnngen/config/eie_config.hpp"
#include "dnngen/eie/job.hpp"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

namespace dnngen::eie {

struct RtlLayerRun {
  uint64_t counter_cycles = 0;   // dnn_job_ctrl's count
  uint64_t measured_cycles = 0;  // clock edges from accept to busy low
  bool done_pulsed = false;
  std::vector<std::string> protocol_errors;
};

class EieHarness {
 public:
  explicit EieHarness(const config::EieConfig& cfg, const std::string& fst_path = "")
      : cfg_(cfg), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->debug(0);
    ctx_->randReset(0);
#if VM_TRACE
    if (!fst_path.empty()) ctx_->traceEverOn(true);
#endif
    top_ = std::make_unique<Vdnn_eie_top>(ctx_.get(), "top");
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
  ~EieHarness() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
  }
  EieHarness(const EieHarness&) = delete;
  EieHarness& operator=(const EieHarness&) = delete;

  uint64_t sim_cycles() const { return sim_cycles_; }

  void reset() {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->ld_valid_i = 0;
    top_->job_valid_i = 0;
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
      top_->ld_sel_i = w.sel;
      top_->ld_pe_i = w.pe;
      top_->ld_addr_i = w.addr;
      top_->ld_data_i = w.data;
      top_->eval();
      if (!top_->ld_ready_o) throw std::runtime_error("loader not ready: engine busy");
      tick();
    }
    top_->ld_valid_i = 0;
    top_->eval();
  }

  RtlLayerRun run_layer(const LayerProgram& layer, uint64_t timeout_cycles) {
    RtlLayerRun run;
    top_->job_rows_i = static_cast<uint32_t>(layer.rows);
    top_->job_cols_i = static_cast<uint32_t>(layer.cols);
    top_->job_ptr_base_i = layer.ptr_base;
    top_->job_valid_i = 1;
    top_->eval();
    if (!top_->job_ready_o) throw std::runtime_error("job port not ready: engine busy");
    tick();  // accept edge
    top_->job_valid_i = 0;
    top_->eval();
    for (uint64_t edge = 1;; ++edge) {
      if (edge > timeout_cycles) {
        run.protocol_errors.push_back("timeout: busy after " + std::to_string(timeout_cycles) + " cycles");
        break;
      }
      if (!top_->busy_o) run.protocol_errors.push_back("busy low before the job finished");
      tick();
      if (!top_->busy_o) {
        run.measured_cycles = edge;
        break;
      }
    }
    run.counter_cycles = top_->cycles_o;
    run.done_pulsed = top_->done_o != 0;
    if (!run.done_pulsed) run.protocol_errors.push_back("done did not pulse after the last cycle");
    tick();
    if (top_->done_o) run.protocol_errors.push_back("done high for more than one cycle");
    return run;
  }

  // The engine's current source file: the last layer's output (M values).
  std::vector<int64_t> read_activations(int64_t m) {
    std::vector<int64_t> y(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) {
      top_->rd_pe_i = static_cast<uint32_t>(i % cfg_.pes);
      top_->rd_addr_i = static_cast<uint32_t>(i / cfg_.pes);
      top_->eval();
      y[static_cast<size_t>(i)] = numerics::from_field(top_->rd_data_o, cfg_.act_bits, true);
    }
    return y;
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

  config::EieConfig cfg_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vdnn_eie_top> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  uint64_t sim_cycles_ = 0;
};

}  // namespace dnngen::eie
