#pragma once
// What the shell's TLM model (dnngen::tlm::ShellTlm, shell_tlm.hpp) needs from an engine:
// its identity registers, its descriptor checks, and one whole layer run on the engine's
// golden models (values) and cycle model (counters) with its operands read through the
// model's initiator socket. One implementation per engine behind the shell; the register
// file, CTRL, the queue, the interrupt and the timing of ShellTlm are the same for all.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/counters.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/register_file.hpp"

namespace dnngen::tlm {

// Reads `len` bytes at a (global) memory address into `data`; false on an error response.
using MemRead = std::function<bool(uint64_t addr, uint8_t* data, uint64_t len)>;

// A run of bytes the layer writes, at its global address.
struct OutRow {
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
};

// What a layer that passed its descriptor checks did.
struct LayerRun {
  // 0: it finished. Otherwise the ERROR_CODE it ended with after reading memory (axi_read,
  // or an error the engine finds in what it read, e.g. EIE's weight image); nothing is
  // written then.
  uint32_t error = 0;
  shell::Counters counters;  // when it finished
  std::vector<OutRow> out;   // when it finished: written after the layer's time
};

class ShellEngineModel {
 public:
  virtual ~ShellEngineModel() = default;

  virtual shell::Identity identity() const = 0;
  // Descriptors START may queue behind a running layer (0: none; START while busy ends with
  // queue_full).
  virtual unsigned queue_depth() const = 0;
  // Decodes the descriptor registers into *d and returns the ERROR_CODE the RTL ends with
  // in its check cycle, before any memory access (0: the layer runs).
  virtual uint32_t check(const shell::RegisterImage& registers, shell::LayerDescriptor* d) const = 0;
  // Runs a layer that check() passed: reads its inputs through `read`, computes its output
  // rows and its counters (memory: the configuration's `memory:` section).
  virtual LayerRun run(const shell::LayerDescriptor& d, const MemRead& read) = 0;
  // The running layer was stopped by ABORT or SOFT_RESET before it finished, or a SOFT_RESET
  // came while idle: state the engine keeps across layers is lost.
  virtual void stopped() {}
};

// The engine model of `cfg`, a validated configuration with config::has_shell(cfg)
// (std::invalid_argument otherwise).
std::unique_ptr<ShellEngineModel> make_shell_engine(const config::Config& cfg);

// Shared by the engines: OP.CODE and OUTPUT.TYPE of `registers` decoded into *d, checked
// in the RTL's order around the engine's own checks `engine_check(*d)`: an OP code the map
// does not name first (bad_op); an OUTPUT.TYPE code it does not name is checked as int32
// and then reported with the bad_field checks (the size checks come before them).
uint32_t decode_and_check(const shell::RegisterImage& registers, shell::LayerDescriptor* d,
                          const std::function<uint32_t(const shell::LayerDescriptor&)>& engine_check);

// A compact local copy of the tensors a layer touches: each at the next 4 KiB page of
// `bytes`, its address mod 4096 kept (so the models see the same alignment as in memory).
// add() rebases one tensor (`rows` rows of `row_bytes`, `pitch` apart, at *addr, a member
// of the descriptor the models will see) and returns its number; read() fills every input
// through `read`.
class LocalImage {
 public:
  size_t add(uint64_t* addr, uint64_t rows, uint64_t pitch, uint64_t row_bytes, bool input);
  // Reads the rows of input tensors first .. end-1; false on the first error response.
  bool read(const MemRead& read, size_t first = 0, size_t end = SIZE_MAX);
  // The rows of the tensor added as number `i` (an output), at their global addresses.
  std::vector<OutRow> rows_of(size_t i) const;
  // Where tensor `i` starts in bytes() (its rebased address), and its bytes there.
  uint64_t local(size_t i) const { return *tensors_[i].addr; }
  std::vector<uint8_t> tensor_bytes(size_t i) const;
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  struct Tensor {
    uint64_t* addr;
    uint64_t global, rows, pitch, row_bytes;
    bool input;
  };
  std::vector<Tensor> tensors_;
  std::vector<uint8_t> bytes_;
};

}  // namespace dnngen::tlm
