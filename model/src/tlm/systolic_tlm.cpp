#include "dnngen/tlm/systolic_tlm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <stdexcept>

#include "dnngen/common/numerics.hpp"
#include "dnngen/systolic/engine_model.hpp"

namespace dnngen::tlm {
namespace {

using Map = SystolicTlmMap;
using ::tlm::tlm_generic_payload;
using ::tlm::tlm_response_status;

constexpr uint64_t kWordBytes = 4;

uint32_t load_word(const unsigned char* p) {
  uint32_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

void store_word(unsigned char* p, uint32_t w) { std::memcpy(p, &w, sizeof w); }

// The value an operand word stands for: its 32 bits read as signed or unsigned.
int64_t word_value(uint32_t w, bool is_signed) {
  return is_signed ? int64_t{static_cast<int32_t>(w)} : int64_t{w};
}

const char* command_name(const tlm_generic_payload& trans) { return trans.is_write() ? "write" : "read"; }

}  // namespace

SystolicTlm::SystolicTlm(sc_core::sc_module_name name, const config::SystolicConfig& cfg,
                         const sc_core::sc_time& clock_period, const sc_core::sc_time& word_delay)
    : sc_core::sc_module(name),
      socket("socket"),
      cfg_(cfg),
      clock_period_(clock_period),
      word_delay_(word_delay) {
  if (clock_period_ == sc_core::SC_ZERO_TIME) {
    throw std::invalid_argument(std::string(this->name()) + ": clock period must be positive");
  }
  socket.register_b_transport(this, &SystolicTlm::b_transport);
  socket.register_transport_dbg(this, &SystolicTlm::transport_dbg);
}

uint64_t SystolicTlm::region_size(Region r) const {
  switch (r) {
    case Region::kRegs:
      return Map::kRegSize;
    case Region::kA:
      return uint64_t{cfg_.max_m} * cfg_.max_k * kWordBytes;
    case Region::kB:
      return uint64_t{cfg_.max_k} * cfg_.max_n * kWordBytes;
    case Region::kC:
      return uint64_t{cfg_.max_m} * cfg_.max_n * c_words_per_element() * kWordBytes;
  }
  return 0;
}

bool SystolicTlm::decode(uint64_t addr, uint64_t len, Decoded* out) const {
  static constexpr struct {
    Region region;
    uint64_t base;
  } kRegions[] = {{Region::kRegs, Map::kRegBase},
                  {Region::kA, Map::kABase},
                  {Region::kB, Map::kBBase},
                  {Region::kC, Map::kCBase}};
  for (const auto& r : kRegions) {
    const uint64_t size = region_size(r.region);
    if (addr >= r.base && addr - r.base < size) {
      const uint64_t offset = addr - r.base;
      if (len > size - offset) return false;
      *out = {r.region, offset};
      return true;
    }
  }
  return false;
}

tlm_response_status SystolicTlm::fail(tlm_response_status status, const std::string& what) {
  error_ = true;
  last_error_ = std::string(name()) + ": " + what;
  return status;
}

void SystolicTlm::b_transport(tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t addr = trans.get_address();
  const uint64_t len = trans.get_data_length();
  const std::string where = fmt::format("{} of {} bytes at 0x{:08x}", command_name(trans), len, addr);
  tlm_response_status status = ::tlm::TLM_OK_RESPONSE;
  Decoded d{};
  if (trans.get_byte_enable_ptr() != nullptr) {
    status = fail(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, where + ": byte enables are not supported");
  } else if (len == 0 || len % kWordBytes != 0) {
    status = fail(::tlm::TLM_GENERIC_ERROR_RESPONSE, where + ": length must be a positive multiple of 4");
  } else if (trans.get_streaming_width() < len) {
    status = fail(::tlm::TLM_BURST_ERROR_RESPONSE, where + ": streaming is not supported");
  } else if (addr % kWordBytes != 0) {
    status = fail(::tlm::TLM_ADDRESS_ERROR_RESPONSE, where + ": address is not word-aligned");
  } else if (!decode(addr, len, &d)) {
    status = fail(::tlm::TLM_ADDRESS_ERROR_RESPONSE, where + ": not inside one mapped region");
  } else if (trans.is_read() || trans.is_write()) {
    const sc_core::sc_time now = sc_core::sc_time_stamp() + delay;
    status = d.region == Region::kRegs ? access_regs(trans, d.offset, now, delay)
                                       : access_data(trans, d.region, d.offset, now, delay);
  }
  trans.set_dmi_allowed(false);
  trans.set_response_status(status);
}

tlm_response_status SystolicTlm::access_regs(tlm_generic_payload& trans, uint64_t offset,
                                             const sc_core::sc_time& now, sc_core::sc_time& delay) {
  const std::string where = fmt::format("{} of register 0x{:02x}", command_name(trans), offset);
  if (trans.get_data_length() != kWordBytes) {
    return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE, where + ": registers take one word per access");
  }
  if (offset > Map::kFormat) {
    return fail(::tlm::TLM_ADDRESS_ERROR_RESPONSE, where + ": no register there");
  }
  unsigned char* data = trans.get_data_ptr();
  if (trans.is_read()) {
    store_word(data, read_reg(offset, now));
    return ::tlm::TLM_OK_RESPONSE;
  }
  const uint32_t value = load_word(data);
  switch (offset) {
    case Map::kM:
    case Map::kN:
    case Map::kK:
    case Map::kStart:
      if (busy(now)) return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE, where + ": engine is busy");
      if (offset == Map::kM) m_ = value;
      if (offset == Map::kN) n_ = value;
      if (offset == Map::kK) k_ = value;
      if (offset == Map::kStart) {
        if (value != 1) {
          return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE,
                      fmt::format("{}: write 1 to start, got {}", where, value));
        }
        return start(now, delay);
      }
      return ::tlm::TLM_OK_RESPONSE;
    case Map::kStatus:
      if ((value & Map::kStatusError) != 0) error_ = false;
      return ::tlm::TLM_OK_RESPONSE;
    default:
      return fail(::tlm::TLM_COMMAND_ERROR_RESPONSE, where + ": register is read-only");
  }
}

uint32_t SystolicTlm::read_reg(uint64_t offset, const sc_core::sc_time& now) const {
  switch (offset) {
    case Map::kM:
      return m_;
    case Map::kN:
      return n_;
    case Map::kK:
      return k_;
    case Map::kStatus:
      return (busy(now) ? Map::kStatusBusy : 0u) | (ran_ && !busy(now) ? Map::kStatusDone : 0u) |
             (error_ ? Map::kStatusError : 0u);
    case Map::kCyclesLo:
    case Map::kCyclesHi: {
      const uint64_t cycles = busy(now) ? (now - start_time_).value() / clock_period_.value() : cycles_;
      return static_cast<uint32_t>(offset == Map::kCyclesLo ? cycles : cycles >> 32);
    }
    case Map::kMaxM:
      return cfg_.max_m;
    case Map::kMaxN:
      return cfg_.max_n;
    case Map::kMaxK:
      return cfg_.max_k;
    case Map::kFormat:
      return cfg_.input_bits | (cfg_.weight_bits << 8) | (cfg_.acc_bits << 16) |
             (cfg_.is_signed ? 1u << 24 : 0u);
    default:  // START and the unmapped offsets
      return 0;
  }
}

uint32_t SystolicTlm::read_data_word(Region region, uint64_t word) const {
  const std::vector<uint32_t>* words = nullptr;
  switch (region) {
    case Region::kA:
      words = &a_words_;
      break;
    case Region::kB:
      words = &b_words_;
      break;
    case Region::kC: {
      const uint64_t element = word / c_words_per_element();
      if (element >= c_.data.size()) return 0;
      const auto bits = static_cast<uint64_t>(c_.data[element]);
      return static_cast<uint32_t>(word % c_words_per_element() == 0 ? bits : bits >> 32);
    }
    case Region::kRegs:
      return 0;
  }
  return word < words->size() ? (*words)[word] : 0;
}

tlm_response_status SystolicTlm::access_data(tlm_generic_payload& trans, Region region, uint64_t offset,
                                             const sc_core::sc_time& now, sc_core::sc_time& delay) {
  static constexpr const char* kNames[] = {"registers", "A", "B", "C"};
  const std::string where = fmt::format("{} of {} bytes at {} byte 0x{:x}", command_name(trans),
                                        trans.get_data_length(), kNames[static_cast<int>(region)], offset);
  const uint64_t first = offset / kWordBytes;
  const uint64_t count = trans.get_data_length() / kWordBytes;
  unsigned char* data = trans.get_data_ptr();
  if (trans.is_read()) {
    if (region == Region::kC && busy(now)) {
      return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE, where + ": engine is busy");
    }
    for (uint64_t i = 0; i < count; ++i) {
      store_word(data + i * kWordBytes, read_data_word(region, first + i));
    }
  } else {
    if (region == Region::kC) {
      return fail(::tlm::TLM_COMMAND_ERROR_RESPONSE, where + ": C is read-only");
    }
    if (busy(now)) return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE, where + ": engine is busy");
    const bool is_a = region == Region::kA;
    const unsigned bits = is_a ? cfg_.input_bits : cfg_.weight_bits;
    // Check every word before storing any, so a refused write changes nothing.
    for (uint64_t i = 0; i < count; ++i) {
      const uint32_t w = load_word(data + i * kWordBytes);
      if (!numerics::fits(word_value(w, cfg_.is_signed), bits, cfg_.is_signed)) {
        return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE,
                    fmt::format("{}: word {} = 0x{:08x} is not a {}-extended {}-bit value ({})", where, i, w,
                                cfg_.is_signed ? "sign" : "zero", bits, is_a ? "input_bits" : "weight_bits"));
      }
    }
    std::vector<uint32_t>& words = is_a ? a_words_ : b_words_;
    if (words.size() < first + count) words.resize(first + count, 0);
    for (uint64_t i = 0; i < count; ++i) words[first + i] = load_word(data + i * kWordBytes);
  }
  delay += sc_core::sc_time::from_value(word_delay_.value() * count);
  return ::tlm::TLM_OK_RESPONSE;
}

tlm_response_status SystolicTlm::start(const sc_core::sc_time& now, sc_core::sc_time& delay) {
  const auto check = [](const char* dim, uint32_t v, const char* key, unsigned limit) {
    return v >= 1 && v <= limit ? std::string()
                                : fmt::format("START: {} = {} is outside 1..{} = {}", dim, v, key, limit);
  };
  for (const std::string& problem : {check("M", m_, "max_m", cfg_.max_m), check("N", n_, "max_n", cfg_.max_n),
                                     check("K", k_, "max_k", cfg_.max_k)}) {
    if (!problem.empty()) return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE, problem);
  }
  const int64_t m = m_, n = n_, k = k_;
  Tensor a({m, k});
  Tensor b({k, n});
  for (int64_t i = 0; i < m * k; ++i) {
    a.data[i] = word_value(read_data_word(Region::kA, i), cfg_.is_signed);
  }
  for (int64_t i = 0; i < k * n; ++i) {
    b.data[i] = word_value(read_data_word(Region::kB, i), cfg_.is_signed);
  }
  systolic::GemmResult result;
  try {
    result = systolic::run_gemm(cfg_, a, b);
  } catch (const std::exception& e) {
    return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE, std::string("START: ") + e.what());
  }
  const uint64_t period = clock_period_.value();
  if (result.timing.cycles > std::numeric_limits<uint64_t>::max() / period) {
    return fail(::tlm::TLM_GENERIC_ERROR_RESPONSE,
                fmt::format("START: {} cycles overflow sc_time", result.timing.cycles));
  }
  const sc_core::sc_time job_time = sc_core::sc_time::from_value(result.timing.cycles * period);
  c_ = std::move(result.c);
  cycles_ = result.timing.cycles;
  ran_ = true;
  start_time_ = now;
  busy_until_ = now + job_time;
  delay += job_time;
  return ::tlm::TLM_OK_RESPONSE;
}

unsigned int SystolicTlm::transport_dbg(tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  uint64_t len = trans.get_data_length();
  Decoded d{};
  if (!trans.is_read() || addr % kWordBytes != 0 || len % kWordBytes != 0 || !decode(addr, 0, &d)) {
    return 0;
  }
  len = std::min(len, region_size(d.region) - d.offset);
  unsigned char* data = trans.get_data_ptr();
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  for (uint64_t i = 0; i < len / kWordBytes; ++i) {
    const uint64_t offset = d.offset + i * kWordBytes;
    store_word(data + i * kWordBytes, d.region == Region::kRegs
                                          ? read_reg(offset, now)
                                          : read_data_word(d.region, offset / kWordBytes));
  }
  return static_cast<unsigned int>(len);
}

}  // namespace dnngen::tlm
