#pragma once
// SystemC TLM-2.0 target wrapping the transaction-level model of the systolic engine
// (systolic::run_gemm): a loosely-timed, memory-mapped accelerator that another SystemC
// model (a CPU, a DMA, a NoC) drives through the base protocol with b_transport.
//
// Memory map (byte addresses; every access is whole 32-bit words, word-aligned):
//
//   base         size                   access  contents
//   0x0000_0000  0x100                  regs    control / status registers, below
//   0x2000_0000  max_m*max_k*4          RW      A operand: word i*K + k = A[i][k]
//   0x4000_0000  max_k*max_n*4          RW      B operand: word k*N + j = B[k][j]
//   0x8000_0000  max_m*max_n*4 (or *8)  RO      C result:  element i*N + j = C[i][j]
//
//   offset  name       access  meaning
//   0x00    M          RW      rows of A and C of the next job
//   0x04    N          RW      columns of B and C
//   0x08    K          RW      columns of A, rows of B
//   0x0C    START      WO      write 1: run the job on the M, N, K, A and B held now
//                              (reads as 0)
//   0x10    STATUS     R/W1C   bit 0 BUSY, bit 1 DONE (last job finished), bit 2 ERROR
//                              (sticky; write 1 to bit 2 to clear it)
//   0x14    CYCLES_LO  RO      cycles of the last job, accept to last output (the RTL's
//   0x18    CYCLES_HI  RO      cycles_o); while BUSY, the cycles elapsed so far
//   0x1C    MAX_M      RO      the configuration's job limits
//   0x20    MAX_N      RO
//   0x24    MAX_K      RO
//   0x28    FORMAT     RO      [7:0] input_bits, [15:8] weight_bits, [23:16] acc_bits,
//                              [24] signed
//
// A and B are dense row-major matrices whose row length is the K (for A) or N (for B)
// register at START time, so write K and N before the operands. One element per 32-bit
// word, sign-extended (signed configurations) or zero-extended (unsigned) from
// input_bits / weight_bits; a word that is not such an extension is rejected. C holds
// the last job's [M, N] result: one 32-bit two's-complement word per element when
// acc_bits <= 32, else two words per element, low word at the lower address. C elements
// past the last job's M*N read as 0. Words are in host byte order, as TLM-2.0 requires.
//
// Timing model (loosely timed; the target never calls wait()): with t = sc_time_stamp()
// plus the delay annotated on the incoming transaction,
//   * a write of 1 to START at time t adds cycles * clock_period to the delay, where
//     cycles = run_gemm(...).timing.cycles, exactly the RTL's job; the engine is BUSY in
//     [t, t + cycles * clock_period) and DONE from then on;
//   * an access to A, B or C adds words * word_delay (default 0) to the delay;
//   * other register accesses add nothing.
// While BUSY, writes to M, N, K, START, A and B and reads of C fail (the engine is using
// them); STATUS, CYCLES and the information registers stay readable.
//
// Errors never throw out of b_transport: the response status says what was wrong, the
// STATUS ERROR bit is set, the engine state is left unchanged and last_error() describes
// the access:
//   TLM_ADDRESS_ERROR_RESPONSE     unmapped or misaligned address, access past a region
//   TLM_COMMAND_ERROR_RESPONSE     write to C or to a read-only register
//   TLM_BYTE_ENABLE_ERROR_RESPONSE byte enables (not supported)
//   TLM_BURST_ERROR_RESPONSE       streaming width shorter than the data length
//   TLM_GENERIC_ERROR_RESPONSE     length 0 or not a multiple of 4, more than one word to a
//                                  register, an operand word that does not fit its width,
//                                  START with M, N or K outside 1..max, START with a value
//                                  other than 1, an access refused while BUSY
//
// transport_dbg reads registers, A, B and C without side effects or timing (word-aligned,
// whole words, truncated at the end of a region); C is visible as soon as START was
// accepted. Debug writes are not supported and transfer 0 bytes. DMI is not offered.
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::tlm {

// Byte addresses of the memory map above.
struct SystolicTlmMap {
  static constexpr uint64_t kRegBase = 0x0000'0000;
  static constexpr uint64_t kRegSize = 0x100;
  static constexpr uint64_t kABase = 0x2000'0000;
  static constexpr uint64_t kBBase = 0x4000'0000;
  static constexpr uint64_t kCBase = 0x8000'0000;

  static constexpr uint64_t kM = 0x00;
  static constexpr uint64_t kN = 0x04;
  static constexpr uint64_t kK = 0x08;
  static constexpr uint64_t kStart = 0x0C;
  static constexpr uint64_t kStatus = 0x10;
  static constexpr uint64_t kCyclesLo = 0x14;
  static constexpr uint64_t kCyclesHi = 0x18;
  static constexpr uint64_t kMaxM = 0x1C;
  static constexpr uint64_t kMaxN = 0x20;
  static constexpr uint64_t kMaxK = 0x24;
  static constexpr uint64_t kFormat = 0x28;

  static constexpr uint32_t kStatusBusy = 1u << 0;
  static constexpr uint32_t kStatusDone = 1u << 1;
  static constexpr uint32_t kStatusError = 1u << 2;
};

class SystolicTlm : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<SystolicTlm> socket;

  // cfg must be a validated configuration (config::load_config). clock_period must be
  // positive (std::invalid_argument otherwise).
  SystolicTlm(sc_core::sc_module_name name, const config::SystolicConfig& cfg,
              const sc_core::sc_time& clock_period,
              const sc_core::sc_time& word_delay = sc_core::SC_ZERO_TIME);

  const config::SystolicConfig& systolic_config() const { return cfg_; }
  // Words per C element: 1 when acc_bits <= 32, else 2.
  unsigned c_words_per_element() const { return cfg_.acc_bits <= 32 ? 1u : 2u; }
  // What the last refused access did wrong ("" if none yet).
  const std::string& last_error() const { return last_error_; }

 private:
  enum class Region { kRegs, kA, kB, kC };
  struct Decoded {
    Region region;
    uint64_t offset;  // bytes from the region base
  };

  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(::tlm::tlm_generic_payload& trans);

  // Address decoding: false if [addr, addr+len) is not inside one region.
  bool decode(uint64_t addr, uint64_t len, Decoded* out) const;
  uint64_t region_size(Region r) const;

  ::tlm::tlm_response_status access_regs(::tlm::tlm_generic_payload& trans, uint64_t offset,
                                         const sc_core::sc_time& now, sc_core::sc_time& delay);
  ::tlm::tlm_response_status access_data(::tlm::tlm_generic_payload& trans, Region region, uint64_t offset,
                                         const sc_core::sc_time& now, sc_core::sc_time& delay);
  ::tlm::tlm_response_status start(const sc_core::sc_time& now, sc_core::sc_time& delay);

  // Side-effect-free reads shared by b_transport and transport_dbg.
  uint32_t read_reg(uint64_t offset, const sc_core::sc_time& now) const;
  uint32_t read_data_word(Region region, uint64_t word) const;

  bool busy(const sc_core::sc_time& now) const { return now < busy_until_; }
  ::tlm::tlm_response_status fail(::tlm::tlm_response_status status, const std::string& what);

  config::SystolicConfig cfg_;
  sc_core::sc_time clock_period_;
  sc_core::sc_time word_delay_;

  uint32_t m_ = 0, n_ = 0, k_ = 0;
  // Operand words as written; grown on demand up to the region size, unwritten words
  // read as 0.
  std::vector<uint32_t> a_words_, b_words_;

  bool ran_ = false;  // a job has been accepted
  bool error_ = false;
  std::string last_error_;
  Tensor c_;             // result of the last accepted job
  uint64_t cycles_ = 0;  // its cycle count
  sc_core::sc_time start_time_;
  sc_core::sc_time busy_until_;
};

}  // namespace dnngen::tlm
