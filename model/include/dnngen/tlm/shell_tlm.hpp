#pragma once
// SystemC TLM-2.0 model of an engine behind its accelerator shell (rtl/shell/
// dnn_shell_systolic.sv, WS or OS; rtl/shell/dnn_shell_eie.sv; rtl/shell/dnn_shell_rs.sv):
// the shell's AXI4-Lite register map as a target socket, its AXI4 master as an initiator
// socket and its interrupt line, so a virtual platform can run the same driver code it runs
// on the RTL (testbench/tlm/vp_main.cpp). The register file, CTRL, the queue, the interrupt
// and the timing below are the same for every engine; what a layer does comes from the
// engine's golden and cycle models (shell_engine.hpp: systolic, EIE, row stationary).
//
// Sockets and ports:
//   regs  target     the register map of docs/shell.md (rtl/shell/regmap.yaml): byte offsets
//                    from the window base the interconnect decodes; each access is one whole
//                    32-bit word, word-aligned, in host byte order, handled by a
//                    shell::RegisterFile (identity registers from the configuration,
//                    the engine's shell_identity, CONFIG_HASH included).
//   mem    initiator the AXI4 master: the layer's tensors are read and its OUT rows
//                    written with b_transport, one transaction per tensor row (EIE: the
//                    codebook, the image's pointers, the entries its PEs use, the bias,
//                    each X row), addresses as the descriptor gives them.
//   irq    sc_out    IRQ_STATUS & IRQ_ENABLE != 0, as irq_o; bind it to an sc_signal<bool>.
//                    Only one SC_METHOD of this module writes it.
//
// Timing model (loosely timed). Every register access adds one clock_period to the delay
// annotated on it (the AXI4-Lite handshake). A write of CTRL.START at annotated time t (the
// access included) while idle sets STATUS.BUSY at once and starts the layer thread at
// t + kStartCycles periods (the RTL registers the START pulse);
// the thread
//   1. decodes the descriptor and checks it (the engine's check_descriptor); a descriptor
//      that does not run ends after one clock_period (the RTL's check cycle; CYCLES_TOTAL =
//      1, the other counters 0) with ERROR_CODE and the error interrupt, no memory access;
//   2. reads every input tensor's extent (systolic: A or the ifmap, B, the bias and
//      per-channel tables when the output uses them; row stationary: the ifmap rows, the
//      weights, the bias and per-channel tables when used; EIE: the codebook and weight
//      image unless OP.KEEP_WEIGHTS, X, the bias) through `mem` into a compact local image, each
//      tensor at its own 4 KiB-aligned place with its address mod 4096 kept, and runs the
//      engine's golden layer model there on the rebased descriptor;
//   3. waits exactly cycles * clock_period, cycles from the engine's cycle model
//      (systolic::layer_cycles, eie::layer_cycles, rs::layer_cycles) against the memory of
//      the configuration's `memory:` section: the RTL's CYCLES_TOTAL. The delays the memory
//      target annotates are not added (that memory is already in the cycle count);
//   4. writes the OUT rows through `mem`, sets the counters from the cycle model,
//      LAYERS_DONE, STATUS.DONE and the done interrupt, clears STATUS.BUSY. irq follows in
//      the next delta cycle.
// So irq rises exactly (cycles + kStartCycles) * clock_period after the START access
// completes, as irq_o does on the RTL.
//
// Errors. A read answered with an error response ends the layer at once with ERROR_CODE
// axi_read (no wait, no write, counters 0), and so does an error the engine finds in what
// it read (EIE: the weight image's bad_field, size_range, addr_range; the RTL finds it
// while the image streams in, so its CYCLES_TOTAL differs); a write answered with an error ends it with
// axi_write (the rows before it are written, counters as for a finished layer). ABORT and
// SOFT_RESET while a layer runs end it one clock_period after the access (the RTL drains
// what it issued first, a job and its bursts, which this model does not time): no OUT row
// is written, CYCLES_TOTAL is the periods that passed, CYCLES_COMPUTE, CYCLES_MEM_WAIT
// and BYTES_READ the layer's scaled to that share of its time (estimates), BYTES_WRITTEN
// 0; it ends with ERROR_CODE aborted and the error interrupt (ABORT) or with neither DONE
// nor ERROR (SOFT_RESET); either empties the descriptor queue. EIE forgets the image it
// kept on chip after ABORT or SOFT_RESET (the RTL keeps it when the ABORT came after the
// image was in, so a driver that aborts reloads the image).
//
// Queue. START while a layer runs (or waits) queues a copy of the descriptor registers,
// up to queue_depth() of them (config::kShellQueueDepth, as the RTL) (STATUS.QUEUE_LEVEL, QUEUE_FULL);
// beyond that it ends with ERROR_CODE queue_full and the error interrupt and the running layer goes on. A
// layer that ends without an error starts the oldest queued one a clock_period later (the
// RTL's idle cycle), its counters from 0; STATUS.BUSY holds until the queue is empty. Register accesses never
// throw out of b_transport:
//   TLM_BYTE_ENABLE_ERROR_RESPONSE  byte enables
//   TLM_BURST_ERROR_RESPONSE        streaming width shorter than the length
//   TLM_GENERIC_ERROR_RESPONSE      length other than 4
//   TLM_ADDRESS_ERROR_RESPONSE      misaligned offset, offset >= 2^32, or a register SLVERR
//                                   (no register there)
// last_error() describes the last refused access. TLM_IGNORE_COMMAND does nothing. No
// transport_dbg (reads of the counter pairs have side effects), no DMI.
//
// Limits: the local image spans each tensor's whole extent (rows x pitch), so a layer with
// very large strides needs that much host memory; OUT overlapping A or B is not supported
// (as for run_layer). CTRL races are not the RTL's: START while an ABORT or SOFT_RESET is
// still taking effect is ignored (the RTL queues it, and runs it after a SOFT_RESET);
// START together with SOFT_RESET in one write while idle does not start (the RTL starts);
// ABORT or SOFT_RESET in a layer's check cycle stops that layer (the RTL stops only the
// queue there). A driver that waits for the interrupt, or for STATUS.BUSY to clear, after
// a stop sees the same on both.
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/register_file.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen/tlm/shell_engine.hpp"

namespace dnngen::tlm {

class ShellTlm : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ShellTlm> regs;
  tlm_utils::simple_initiator_socket<ShellTlm> mem;
  sc_core::sc_out<bool> irq;

  // Clock periods from the START write's completion to the layer's first (check) cycle, as
  // the RTL takes them (systolic::kStartCycles; the EIE and row-stationary shells' are the
  // same).
  static constexpr uint64_t kStartCycles = systolic::kStartCycles;

  SC_HAS_PROCESS(ShellTlm);
  // cfg: a validated configuration of an engine with a shell model (systolic, EIE, row
  // stationary; std::invalid_argument otherwise); clock_period > 0 (std::invalid_argument
  // otherwise).
  ShellTlm(sc_core::sc_module_name name, const config::Config& cfg, const sc_core::sc_time& clock_period);

  unsigned queue_depth() const { return engine_->queue_depth(); }
  const sc_core::sc_time& clock_period() const { return clock_period_; }
  // The counters of the last layer that passed its check and read its operands.
  const shell::Counters& last_counters() const { return last_counters_; }
  // What the last refused register access did wrong ("" if none yet).
  const std::string& last_error() const { return last_error_; }

 private:
  enum class Stop { kNone, kAbort, kSoftReset };

  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  ::tlm::tlm_response_status refuse(::tlm::tlm_response_status status, const std::string& what);
  void layer_thread();
  // One layer from its descriptor registers; false if it ended early (an error, ABORT,
  // SOFT_RESET), which empties the queue.
  bool run_layer(const shell::RegisterImage& descriptor);
  void set_queue_status();
  void drive_irq();
  // A read or write of `len` bytes at `addr` through `mem`; false on an error response.
  bool mem_access(::tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint64_t len);

  std::unique_ptr<ShellEngineModel> engine_;
  sc_core::sc_time clock_period_;
  shell::RegisterFile rf_;
  sc_core::sc_event start_event_, stop_event_, irq_update_;
  Stop stop_ = Stop::kNone;
  shell::RegisterImage started_;            // the descriptor START took while idle
  std::deque<shell::RegisterImage> queue_;  // descriptors queued by START while busy
  shell::Counters last_counters_;
  std::string last_error_;
};

}  // namespace dnngen::tlm
