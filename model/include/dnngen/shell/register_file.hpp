#pragma once
// The shell's register file as a transaction-level model: what each AXI4-Lite read and
// write does, as rtl/shell/dnn_shell_regs.sv does it, one access at a time. The engine
// side (the layer sequencer model, a harness) reads the descriptor and the CTRL pulses and
// reports layer ends, errors, the busy flag, the queue level and the counters.
#include <cstdint>
#include <utility>

#include "dnngen/shell/regmap.hpp"

namespace dnngen::shell {

enum class Resp : uint8_t { kOkay = 0, kSlvErr = 2 };

// The read-only configuration read-back: the RTL's parameters of the same names.
struct Identity {
  uint32_t engine_kind = 1, engine_variant = 0, engine_ops = 1, config_hash = 0;
  uint32_t array_rows = 4, array_cols = 4, in_bits = 8, w_bits = 8, acc_bits = 32;
  bool is_signed = true, saturate = false;
  uint32_t mem_data_bits = 64, max_burst = 16, outstanding = 4, mem_addr_bits = 32;
};

// What the engine drives into STATUS and the counters.
struct EngineStatus {
  bool busy = false;
  uint32_t queue_level = 0;
  bool queue_full = false;
  uint64_t cycles_total = 0, cycles_compute = 0, cycles_mem_wait = 0, bytes_read = 0, bytes_written = 0;
};

// CTRL bits written since the engine last took them.
struct ControlPulses {
  bool start = false, abort = false, soft_reset = false;
};

class RegisterFile {
 public:
  explicit RegisterFile(const Identity& id, const RegisterMap& map = register_map());

  // One AXI4-Lite write (byte strobes wstrb) or read at a byte offset.
  Resp write(uint32_t offset, uint32_t data, uint8_t wstrb = 0xF);
  std::pair<uint32_t, Resp> read(uint32_t offset);

  // The descriptor registers (offsets from kDescriptorBase), as decode() takes them.
  const RegisterImage& descriptor() const { return descriptor_; }
  // The CTRL pulses written since the last call; START also clears DONE, ERROR and the
  // error code, SOFT_RESET clears them, the interrupt causes and LAYERS_DONE.
  ControlPulses take_pulses();

  EngineStatus& status() { return status_; }
  void layer_done();
  void layer_error(uint32_t code);
  bool irq() const { return (irq_status_ & irq_enable_) != 0; }

 private:
  bool common_mapped(uint32_t offset) const;
  // The defined bits of a descriptor word, 0 for a gap or an offset outside the descriptor.
  uint32_t descriptor_mask(uint32_t offset) const;
  // The value of read-only pair register `name` (64 bits).
  uint64_t pair_value(const std::string& name) const;

  const RegisterMap& map_;
  Identity id_;
  EngineStatus status_;
  RegisterImage descriptor_;
  ControlPulses pulses_;
  uint32_t irq_enable_ = 0, irq_status_ = 0, layers_done_ = 0, error_code_ = 0;
  bool done_ = false, error_ = false;
  std::string snapshot_pair_;  // the pair whose _LO was read last
  uint32_t snapshot_hi_ = 0;
};

}  // namespace dnngen::shell
