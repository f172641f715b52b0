// Self-checking test of the SystemC TLM-2.0 wrapper dnngen::tlm::SystolicTlm.
//
// Covers, through an initiator that uses only the memory map:
//   * random GEMMs (systolic::random_gemm_job, seeded) on the WS and OS 4x4 int8 presets,
//     plus the unsigned (zero-extended operands, acc_bits 24) and int16 (two-word C
//     elements, acc_bits 48) presets: C read over the bus and through transport_dbg
//     equals run_gemm's C; the START write is annotated with exactly cycles x period and
//     sc_time_stamp() advances by exactly that; data accesses cost words x word_delay;
//     STATUS and CYCLES mid-job (temporal decoupling) and after it;
//   * every refused access: unmapped, misaligned, past a region, bad lengths, byte
//     enables, streaming, writes to read-only places, operand words that do not fit
//     their width, START with M, N or K out of range or a wrong value, accesses while
//     busy; each gives its response status, sets and clears the STATUS error bit and
//     leaves the engine state unchanged; a good job runs afterwards;
//   * TLM_IGNORE_COMMAND, the information registers, transport_dbg truncation and
//     refusal of debug writes; a zero clock period is refused at construction.
//
// Usage: test_tlm [--seed N]   (default seed 1; every failure prints the replay command)
#include <fmt/format.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>
#include <tuple>
#include <utility>
#include <vector>

#include "dnngen/common/numerics.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/engine_model.hpp"
#include "dnngen/systolic/random_job.hpp"
#include "dnngen/tlm/systolic_tlm.hpp"

namespace {

using dnngen::Tensor;
using dnngen::tlm::SystolicTlm;
using Map = dnngen::tlm::SystolicTlmMap;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;
using tlm::tlm_response_status;

constexpr uint64_t kJobsPerConfig = 4;

std::string status_name(tlm_response_status s) {
  switch (s) {
    case tlm::TLM_OK_RESPONSE:
      return "OK";
    case tlm::TLM_INCOMPLETE_RESPONSE:
      return "INCOMPLETE";
    case tlm::TLM_GENERIC_ERROR_RESPONSE:
      return "GENERIC_ERROR";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE:
      return "ADDRESS_ERROR";
    case tlm::TLM_COMMAND_ERROR_RESPONSE:
      return "COMMAND_ERROR";
    case tlm::TLM_BURST_ERROR_RESPONSE:
      return "BURST_ERROR";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE:
      return "BYTE_ENABLE_ERROR";
  }
  return "?";
}

struct Access {
  tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  sc_time delay;  // as annotated by the target, including the incoming delay
};

void setup(tlm::tlm_generic_payload& p, tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
  p.set_command(cmd);
  p.set_address(addr);
  p.set_data_ptr(static_cast<unsigned char*>(data));
  p.set_data_length(len);
  p.set_streaming_width(len);
  p.set_byte_enable_ptr(nullptr);
  p.set_byte_enable_length(0);
  p.set_dmi_allowed(false);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

// The bus master: whole-word accesses over b_transport and transport_dbg.
class Initiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Initiator> socket;

  explicit Initiator(sc_core::sc_module_name name) : sc_module(name), socket("socket") {}

  Access transport(tlm::tlm_generic_payload& p, const sc_time& delay_in = SC_ZERO_TIME) {
    Access a;
    a.delay = delay_in;
    socket->b_transport(p, a.delay);
    a.status = p.get_response_status();
    return a;
  }
  Access access(tlm::tlm_command cmd, uint64_t addr, std::vector<uint32_t>& words,
                const sc_time& delay_in = SC_ZERO_TIME) {
    tlm::tlm_generic_payload p;
    setup(p, cmd, addr, words.data(), static_cast<unsigned>(words.size() * 4));
    return transport(p, delay_in);
  }
  Access write(uint64_t addr, std::vector<uint32_t> words) {
    return access(tlm::TLM_WRITE_COMMAND, addr, words);
  }
  Access write_reg(uint64_t offset, uint32_t value) { return write(Map::kRegBase + offset, {value}); }
  Access read_reg(uint64_t offset, uint32_t* value, const sc_time& delay_in = SC_ZERO_TIME) {
    std::vector<uint32_t> w(1, 0xDEADBEEF);
    Access a = access(tlm::TLM_READ_COMMAND, Map::kRegBase + offset, w, delay_in);
    *value = w[0];
    return a;
  }
  unsigned debug(tlm::tlm_command cmd, uint64_t addr, std::vector<uint32_t>& words) {
    tlm::tlm_generic_payload p;
    setup(p, cmd, addr, words.data(), static_cast<unsigned>(words.size() * 4));
    return socket->transport_dbg(p);
  }
  std::vector<uint32_t> debug_read(uint64_t addr, size_t count) {
    std::vector<uint32_t> w(count, 0xDEADBEEF);
    debug(tlm::TLM_READ_COMMAND, addr, w);
    return w;
  }
};

// Failures of one case.
class Check {
 public:
  void expect(bool ok, const std::string& what) {
    if (!ok) failures.push_back(what);
  }
  void status(const Access& a, tlm_response_status want, const std::string& what) {
    expect(a.status == want,
           fmt::format("{}: response {}, expected {}", what, status_name(a.status), status_name(want)));
  }
  std::vector<std::string> failures;
};

std::vector<uint32_t> to_words(const Tensor& t) {
  std::vector<uint32_t> w;
  w.reserve(t.data.size());
  for (int64_t v : t.data) w.push_back(static_cast<uint32_t>(v));  // low 32 bits
  return w;
}

sc_time cycles_time(const sc_time& period, uint64_t cycles) {
  return sc_time::from_value(period.value() * cycles);
}

// One device under test and its initiator.
struct Bench {
  std::string name;
  dnngen::config::SystolicConfig cfg;
  sc_time period, word_delay;
  std::unique_ptr<SystolicTlm> target;
  std::unique_ptr<Initiator> init;
};

class Suite : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Suite);

  Suite(sc_core::sc_module_name name, uint64_t seed, std::string replay)
      : sc_module(name), seed_(seed), replay_(std::move(replay)) {
    add("systolic_ws_4x4_int8", sc_time(10, sc_core::SC_NS), SC_ZERO_TIME);
    add("systolic_os_4x4_int8", sc_time(4, sc_core::SC_NS), sc_time(500, sc_core::SC_PS));
    add("systolic_os_4x4_uint8", sc_time(5, sc_core::SC_NS), sc_time(1, sc_core::SC_NS));
    add("systolic_ws_8x8_int16", sc_time(2500, sc_core::SC_PS), SC_ZERO_TIME);
    SC_THREAD(run);
  }

  int passed = 0, failed = 0;
  bool finished = false;

 private:
  void add(const std::string& preset, const sc_time& period, const sc_time& word_delay) {
    Bench b;
    b.name = preset;
    b.cfg =
        dnngen::config::load_config(std::string(DNNGEN_SOURCE_DIR) + "/configs/" + preset + ".yaml").systolic;
    b.period = period;
    b.word_delay = word_delay;
    b.target = std::make_unique<SystolicTlm>(("dut_" + preset).c_str(), b.cfg, period, word_delay);
    b.init = std::make_unique<Initiator>(("cpu_" + preset).c_str());
    b.init->socket.bind(b.target->socket);
    benches_.push_back(std::move(b));
  }

  void run_case(const std::string& name, const std::function<void(Check&)>& body) {
    Check c;
    try {
      body(c);
    } catch (const std::exception& e) {
      c.failures.push_back(std::string("exception: ") + e.what());
    }
    if (c.failures.empty()) {
      ++passed;
      std::cout << "PASS " << name << "\n";
    } else {
      ++failed;
      std::cout << "FAIL " << name << "\n";
      for (const auto& f : c.failures) std::cout << "  " << f << "\n";
      std::cout << "  replay: " << replay_ << "\n";
    }
  }

  void run() {
    // Each configuration takes its own slice of the seed's job stream.
    uint64_t index = 0;
    for (Bench& b : benches_) {
      for (uint64_t j = 0; j < kJobsPerConfig; ++j) {
        const auto job = dnngen::systolic::random_gemm_job(b.cfg, seed_, index++);
        run_case(b.name + " " + job.label, [&](Check& c) { gemm_job(b, job.a, job.b, c); });
      }
      run_case(b.name + " operand words must fit their width", [&](Check& c) { operand_range(b, c); });
    }
    Bench& b = benches_.front();
    run_case(b.name + " information registers", [&](Check& c) { info_registers(b, c); });
    run_case(b.name + " unmapped, misaligned and past-the-end accesses",
             [&](Check& c) { address_errors(b, c); });
    run_case(b.name + " lengths, byte enables, streaming, ignore", [&](Check& c) { payload_errors(b, c); });
    run_case(b.name + " writes to read-only places", [&](Check& c) { read_only(b, c); });
    run_case(b.name + " START with bad M/N/K or value", [&](Check& c) { bad_start(b, c); });
    run_case(b.name + " accesses while busy", [&](Check& c) { while_busy(b, c); });
    run_case(b.name + " debug transport", [&](Check& c) { debug_transport(b, c); });
    run_case(b.name + " a good job after the errors", [&](Check& c) {
      const auto job = dnngen::systolic::random_gemm_job(b.cfg, seed_, index);
      gemm_job(b, job.a, job.b, c);
    });
    finished = true;
  }

  // The whole flow of one job, checking values and timing at every step.
  void gemm_job(Bench& b, const Tensor& a, const Tensor& bm, Check& c) {
    Initiator& in = *b.init;
    const auto expected = dnngen::systolic::run_gemm(b.cfg, a, bm);
    const auto m = static_cast<uint32_t>(a.shape[0]), k = static_cast<uint32_t>(a.shape[1]),
               n = static_cast<uint32_t>(bm.shape[1]);
    c.status(in.write_reg(Map::kM, m), tlm::TLM_OK_RESPONSE, "write M");
    c.status(in.write_reg(Map::kN, n), tlm::TLM_OK_RESPONSE, "write N");
    c.status(in.write_reg(Map::kK, k), tlm::TLM_OK_RESPONSE, "write K");
    for (const auto& [name, base, t] :
         {std::tuple{"A", Map::kABase, &a}, std::tuple{"B", Map::kBBase, &bm}}) {
      const sc_time t0 = sc_core::sc_time_stamp();
      const Access r = in.write(base, to_words(*t));
      c.status(r, tlm::TLM_OK_RESPONSE, std::string("write ") + name);
      const sc_time want = cycles_time(b.word_delay, static_cast<uint64_t>(t->size()));
      c.expect(r.delay == want,
               fmt::format("write {}: delay {}, expected {}", name, r.delay.to_string(), want.to_string()));
      wait(r.delay);
      c.expect(sc_core::sc_time_stamp() - t0 == want, std::string("write ") + name + ": time");
    }

    const uint64_t cycles = expected.timing.cycles;
    const sc_time job_time = cycles_time(b.period, cycles);
    const sc_time t0 = sc_core::sc_time_stamp();
    const Access r = in.write_reg(Map::kStart, 1);
    c.status(r, tlm::TLM_OK_RESPONSE, "write START");
    c.expect(r.delay == job_time,
             fmt::format("START: annotated delay {}, expected {} cycles x {} = {}", r.delay.to_string(),
                         cycles, b.period.to_string(), job_time.to_string()));
    uint32_t v = 0;
    if (cycles >= 2) {  // mid-job, seen from an initiator running ahead by half the job
      const sc_time half = cycles_time(b.period, cycles / 2);
      c.status(in.read_reg(Map::kStatus, &v, half), tlm::TLM_OK_RESPONSE, "read STATUS mid-job");
      c.expect(v == Map::kStatusBusy, fmt::format("STATUS mid-job = {:#x}, expected BUSY", v));
      c.status(in.read_reg(Map::kCyclesLo, &v, half), tlm::TLM_OK_RESPONSE, "read CYCLES mid-job");
      c.expect(v == cycles / 2, fmt::format("CYCLES_LO mid-job = {}, expected {}", v, cycles / 2));
    }
    wait(r.delay);
    const sc_time elapsed = sc_core::sc_time_stamp() - t0;
    c.expect(elapsed == job_time,
             fmt::format("START: time advanced {}, expected {}", elapsed.to_string(), job_time.to_string()));
    c.status(in.read_reg(Map::kStatus, &v), tlm::TLM_OK_RESPONSE, "read STATUS");
    c.expect(v == Map::kStatusDone, fmt::format("STATUS after the job = {:#x}, expected DONE", v));
    uint32_t hi = 0;
    in.read_reg(Map::kCyclesLo, &v);
    in.read_reg(Map::kCyclesHi, &hi);
    c.expect((uint64_t{hi} << 32 | v) == cycles,
             fmt::format("CYCLES = {}, expected {}", uint64_t{hi} << 32 | v, cycles));

    const unsigned cw = b.target->c_words_per_element();
    std::vector<uint32_t> words(static_cast<size_t>(expected.c.size()) * cw);
    const sc_time t1 = sc_core::sc_time_stamp();
    const Access rc = in.access(tlm::TLM_READ_COMMAND, Map::kCBase, words);
    c.status(rc, tlm::TLM_OK_RESPONSE, "read C");
    c.expect(rc.delay == cycles_time(b.word_delay, words.size()), "read C: delay");
    wait(rc.delay);
    c.expect(sc_core::sc_time_stamp() - t1 == cycles_time(b.word_delay, words.size()), "read C: time");
    const std::vector<uint32_t> dbg = in.debug_read(Map::kCBase, words.size());
    for (const auto& [source, w] : {std::pair{"bus", &std::as_const(words)}, std::pair{"debug", &dbg}}) {
      int64_t mismatches = 0;
      for (int64_t e = 0; e < expected.c.size(); ++e) {
        const int64_t got =
            cw == 1 ? int64_t{static_cast<int32_t>((*w)[e])}
                    : static_cast<int64_t>(uint64_t{(*w)[2 * e]} | uint64_t{(*w)[2 * e + 1]} << 32);
        const int64_t want = expected.c.data[e];
        if (got != want && mismatches++ == 0) {
          c.failures.push_back(
              fmt::format("C ({}) [{}, {}] = {}, expected {}", source, e / n, e % n, got, want));
        }
      }
      if (mismatches > 1) {
        c.failures.push_back(fmt::format("C ({}): {} mismatching elements", source, mismatches));
      }
    }
  }

  // Expects the STATUS error bit set, clears it (write 1 to bit 2) and checks it cleared.
  void expect_error_then_clear(Initiator& in, Check& c, const std::string& after) {
    uint32_t v = 0;
    in.read_reg(Map::kStatus, &v);
    c.expect((v & Map::kStatusError) != 0, after + ": STATUS error bit not set");
    c.status(in.write_reg(Map::kStatus, Map::kStatusError), tlm::TLM_OK_RESPONSE, "clear error");
    in.read_reg(Map::kStatus, &v);
    c.expect((v & Map::kStatusError) == 0, after + ": STATUS error bit did not clear");
  }

  void operand_range(Bench& b, Check& c) {
    Initiator& in = *b.init;
    const auto& s = b.cfg;
    for (const auto& [name, base, bits] :
         {std::tuple{"A", Map::kABase, s.input_bits}, std::tuple{"B", Map::kBBase, s.weight_bits}}) {
      const int64_t lo = dnngen::numerics::min_value(bits, s.is_signed);
      const int64_t hi = dnngen::numerics::max_value(bits, s.is_signed);
      const auto good = std::vector<uint32_t>{static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)};
      c.status(in.write(base, good), tlm::TLM_OK_RESPONSE, fmt::format("{} = {}, {}", name, lo, hi));
      c.expect(in.debug_read(base, 2) == good, std::string(name) + ": extremes read back");
      for (const int64_t bad : {lo - 1, hi + 1}) {
        // The good word first: a refused burst must not store any of its words.
        const std::vector<uint32_t> burst = {0, static_cast<uint32_t>(bad)};
        c.status(in.write(base, burst), tlm::TLM_GENERIC_ERROR_RESPONSE,
                 fmt::format("{} word 0x{:08x} ({}) in {}-bit {}", name, burst[1], bad, bits,
                             s.is_signed ? "signed" : "unsigned"));
        c.expect(in.debug_read(base, 2) == good, std::string(name) + ": refused burst stored");
        expect_error_then_clear(in, c, std::string("bad ") + name + " word");
      }
    }
  }

  void info_registers(Bench& b, Check& c) {
    const auto& s = b.cfg;
    const std::pair<uint64_t, uint32_t> regs[] = {
        {Map::kMaxM, s.max_m},
        {Map::kMaxN, s.max_n},
        {Map::kMaxK, s.max_k},
        {Map::kFormat, s.input_bits | s.weight_bits << 8 | s.acc_bits << 16 | (s.is_signed ? 1u << 24 : 0u)},
        {Map::kStart, 0}};
    for (const auto& [offset, want] : regs) {
      uint32_t v = 0;
      c.status(b.init->read_reg(offset, &v), tlm::TLM_OK_RESPONSE,
               fmt::format("read register {:#x}", offset));
      c.expect(v == want, fmt::format("register {:#x} = {:#x}, expected {:#x}", offset, v, want));
    }
  }

  void address_errors(Bench& b, Check& c) {
    Initiator& in = *b.init;
    const auto& s = b.cfg;
    const uint64_t a_end = Map::kABase + uint64_t{s.max_m} * s.max_k * 4;
    const uint64_t c_end = Map::kCBase + uint64_t{s.max_m} * s.max_n * 4;
    const std::vector<uint32_t> before = in.debug_read(a_end - 4, 1);
    std::vector<uint32_t> one(1), two(2);
    const struct {
      const char* what;
      tlm::tlm_command cmd;
      uint64_t addr;
      std::vector<uint32_t>* words;
    } cases[] = {
        {"read unmapped register 0x2c", tlm::TLM_READ_COMMAND, Map::kRegBase + 0x2C, &one},
        {"read past the register window", tlm::TLM_READ_COMMAND, Map::kRegBase + 0x100, &one},
        {"read between regions", tlm::TLM_READ_COMMAND, 0x1000'0000, &one},
        {"read misaligned register", tlm::TLM_READ_COMMAND, Map::kRegBase + 2, &one},
        {"write misaligned A", tlm::TLM_WRITE_COMMAND, Map::kABase + 2, &one},
        {"write A across its end", tlm::TLM_WRITE_COMMAND, a_end - 4, &two},
        {"read just past B", tlm::TLM_READ_COMMAND, Map::kBBase + uint64_t{s.max_k} * s.max_n * 4, &one},
        {"read C across its end", tlm::TLM_READ_COMMAND, c_end - 4, &two},
        {"read top of the address space", tlm::TLM_READ_COMMAND, ~uint64_t{3}, &one},
    };
    for (const auto& x : cases) {
      std::fill(x.words->begin(), x.words->end(), 0);
      const Access r = in.access(x.cmd, x.addr, *x.words);
      c.status(r, tlm::TLM_ADDRESS_ERROR_RESPONSE, x.what);
      c.expect(r.delay == SC_ZERO_TIME, std::string(x.what) + ": refused access took time");
      expect_error_then_clear(in, c, x.what);
    }
    c.expect(in.debug_read(a_end - 4, 1) == before, "write across the end of A stored a word");
  }

  void payload_errors(Bench& b, Check& c) {
    Initiator& in = *b.init;
    uint32_t buf[4] = {0, 0, 0, 0};
    unsigned char enables[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    tlm::tlm_generic_payload p;
    const auto expect_refused = [&](tlm_response_status want, const std::string& what) {
      c.status(in.transport(p), want, what);
      expect_error_then_clear(in, c, what);
    };
    setup(p, tlm::TLM_READ_COMMAND, Map::kRegBase + Map::kM, buf, 3);
    expect_refused(tlm::TLM_GENERIC_ERROR_RESPONSE, "read of 3 bytes");
    setup(p, tlm::TLM_READ_COMMAND, Map::kABase, buf, 0);
    expect_refused(tlm::TLM_GENERIC_ERROR_RESPONSE, "read of 0 bytes");
    setup(p, tlm::TLM_READ_COMMAND, Map::kABase, buf, 6);
    expect_refused(tlm::TLM_GENERIC_ERROR_RESPONSE, "read of 6 bytes");
    setup(p, tlm::TLM_READ_COMMAND, Map::kRegBase + Map::kM, buf, 8);
    expect_refused(tlm::TLM_GENERIC_ERROR_RESPONSE, "two-word register read");
    setup(p, tlm::TLM_WRITE_COMMAND, Map::kRegBase + Map::kM, buf, 16);
    expect_refused(tlm::TLM_GENERIC_ERROR_RESPONSE, "four-word register write");
    setup(p, tlm::TLM_READ_COMMAND, Map::kABase, buf, 4);
    p.set_byte_enable_ptr(enables);
    p.set_byte_enable_length(4);
    expect_refused(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, "byte enables");
    setup(p, tlm::TLM_READ_COMMAND, Map::kABase, buf, 8);
    p.set_streaming_width(4);
    expect_refused(tlm::TLM_BURST_ERROR_RESPONSE, "streaming width 4 of 8 bytes");

    setup(p, tlm::TLM_IGNORE_COMMAND, Map::kABase, buf, 4);
    c.status(in.transport(p), tlm::TLM_OK_RESPONSE, "ignore command at A");
    setup(p, tlm::TLM_IGNORE_COMMAND, 0x1000'0000, buf, 4);
    expect_refused(tlm::TLM_ADDRESS_ERROR_RESPONSE, "ignore command at an unmapped address");
  }

  void read_only(Bench& b, Check& c) {
    Initiator& in = *b.init;
    const std::vector<uint32_t> c_before = in.debug_read(Map::kCBase, 4);
    const std::pair<const char*, uint64_t> places[] = {{"C", Map::kCBase},
                                                       {"CYCLES_LO", Map::kRegBase + Map::kCyclesLo},
                                                       {"CYCLES_HI", Map::kRegBase + Map::kCyclesHi},
                                                       {"MAX_M", Map::kRegBase + Map::kMaxM},
                                                       {"FORMAT", Map::kRegBase + Map::kFormat}};
    for (const auto& [name, addr] : places) {
      c.status(in.write(addr, {1}), tlm::TLM_COMMAND_ERROR_RESPONSE, std::string("write to ") + name);
      expect_error_then_clear(in, c, std::string("write to ") + name);
    }
    c.expect(in.debug_read(Map::kCBase, 4) == c_before, "a refused write changed C");
  }

  void bad_start(Bench& b, Check& c) {
    Initiator& in = *b.init;
    const auto& s = b.cfg;
    const std::vector<uint32_t> c_before = in.debug_read(Map::kCBase, 4);
    uint32_t cycles_before = 0;
    in.read_reg(Map::kCyclesLo, &cycles_before);
    const struct {
      const char* what;
      uint32_t m, n, k, start;
    } cases[] = {
        {"M = 0", 0, 4, 4, 1},
        {"N = 0", 4, 0, 4, 1},
        {"K = 0", 4, 4, 0, 1},
        {"M = max_m + 1", s.max_m + 1, 4, 4, 1},
        {"N = max_n + 1", 4, s.max_n + 1, 4, 1},
        {"K = max_k + 1", 4, 4, s.max_k + 1, 1},
        {"K = 0xffffffff", 4, 4, 0xFFFF'FFFF, 1},
        {"START = 2", 4, 4, 4, 2},
        {"START = 0", 4, 4, 4, 0},
    };
    for (const auto& x : cases) {
      in.write_reg(Map::kM, x.m);
      in.write_reg(Map::kN, x.n);
      in.write_reg(Map::kK, x.k);
      const Access r = in.write_reg(Map::kStart, x.start);
      c.status(r, tlm::TLM_GENERIC_ERROR_RESPONSE, std::string("START with ") + x.what);
      c.expect(r.delay == SC_ZERO_TIME, std::string("START with ") + x.what + ": took time");
      uint32_t v = 0;
      in.read_reg(Map::kStatus, &v);
      c.expect(v == (Map::kStatusDone | Map::kStatusError),
               fmt::format("STATUS after START with {} = {:#x}, expected DONE|ERROR", x.what, v));
      expect_error_then_clear(in, c, std::string("START with ") + x.what);
    }
    uint32_t cycles_after = 0;
    in.read_reg(Map::kCyclesLo, &cycles_after);
    c.expect(cycles_after == cycles_before, "a refused START changed CYCLES");
    c.expect(in.debug_read(Map::kCBase, 4) == c_before, "a refused START changed C");
  }

  void while_busy(Bench& b, Check& c) {
    Initiator& in = *b.init;
    in.write_reg(Map::kM, 4);
    in.write_reg(Map::kN, 4);
    in.write_reg(Map::kK, 4);
    const std::vector<uint32_t> ones(16, 1);
    in.write(Map::kABase, ones);
    in.write(Map::kBBase, ones);
    const Access start = in.write_reg(Map::kStart, 1);
    c.status(start, tlm::TLM_OK_RESPONSE, "START");
    c.expect(start.delay > SC_ZERO_TIME, "START took no time");
    // Still at the START's time: the engine is busy.
    std::vector<uint32_t> w(1, 0);
    c.status(in.write_reg(Map::kStart, 1), tlm::TLM_GENERIC_ERROR_RESPONSE, "START while busy");
    c.status(in.write_reg(Map::kM, 2), tlm::TLM_GENERIC_ERROR_RESPONSE, "write M while busy");
    c.status(in.write(Map::kABase, {0}), tlm::TLM_GENERIC_ERROR_RESPONSE, "write A while busy");
    c.status(in.write(Map::kBBase, {0}), tlm::TLM_GENERIC_ERROR_RESPONSE, "write B while busy");
    c.status(in.access(tlm::TLM_READ_COMMAND, Map::kCBase, w), tlm::TLM_GENERIC_ERROR_RESPONSE,
             "read C while busy");
    uint32_t v = 0;
    c.status(in.read_reg(Map::kStatus, &v), tlm::TLM_OK_RESPONSE, "read STATUS while busy");
    c.expect(v == (Map::kStatusBusy | Map::kStatusError),
             fmt::format("STATUS while busy = {:#x}, expected BUSY|ERROR", v));
    c.status(in.access(tlm::TLM_READ_COMMAND, Map::kABase, w), tlm::TLM_OK_RESPONSE, "read A while busy");
    c.expect(w[0] == 1, "A changed by a refused write");
    // An initiator running ahead by the job's time sees it finished.
    w[0] = 0;
    c.status(in.access(tlm::TLM_READ_COMMAND, Map::kCBase, w, start.delay), tlm::TLM_OK_RESPONSE,
             "read C at the end of the job (temporal decoupling)");
    c.expect(w[0] == 4, fmt::format("C[0, 0] = {}, expected 4", w[0]));
    wait(start.delay);
    c.status(in.read_reg(Map::kM, &v), tlm::TLM_OK_RESPONSE, "read M");
    c.expect(v == 4, "a write of M while busy took effect");
    expect_error_then_clear(in, c, "accesses while busy");
    c.status(in.read_reg(Map::kStatus, &v), tlm::TLM_OK_RESPONSE, "read STATUS");
    c.expect(v == Map::kStatusDone, fmt::format("STATUS after the job = {:#x}, expected DONE", v));
  }

  void debug_transport(Bench& b, Check& c) {
    Initiator& in = *b.init;
    const auto& s = b.cfg;
    std::vector<uint32_t> w(2, 0);
    const uint64_t a_last = Map::kABase + (uint64_t{s.max_m} * s.max_k - 1) * 4;
    c.expect(in.debug(tlm::TLM_WRITE_COMMAND, Map::kABase, w) == 0, "debug write transferred");
    c.expect(in.debug(tlm::TLM_READ_COMMAND, 0x1000'0000, w) == 0, "debug read of unmapped");
    c.expect(in.debug(tlm::TLM_READ_COMMAND, Map::kABase + 2, w) == 0, "misaligned debug read");
    c.expect(in.debug(tlm::TLM_READ_COMMAND, a_last, w) == 4,
             "debug read across the end of A is not truncated to 4 bytes");
    c.expect(in.debug(tlm::TLM_READ_COMMAND, Map::kRegBase + Map::kMaxM, w) == 8,
             "debug read of MAX_M, MAX_N");
    c.expect(w[0] == s.max_m && w[1] == s.max_n, "debug read of MAX_M, MAX_N: values");
    uint32_t v = 0;
    in.read_reg(Map::kStatus, &v);
    c.expect((v & Map::kStatusError) == 0, "a refused debug access set the error bit");
  }

  uint64_t seed_;
  std::string replay_;
  std::vector<Bench> benches_;
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 0);
    } else {
      std::cerr << "usage: " << argv[0] << " [--seed N]\n";
      return 2;
    }
  }
  const std::string replay = fmt::format("{} --seed {}", argv[0], seed);
  std::cout << "tlm: seed " << seed << " (replay: " << replay << ")\n";

  int constructor_failures = 0;
  try {
    const auto cfg =
        dnngen::config::load_config(std::string(DNNGEN_SOURCE_DIR) + "/configs/systolic_ws_4x4_int8.yaml");
    SystolicTlm bad("zero_period", cfg.systolic, SC_ZERO_TIME);
    std::cout << "FAIL zero clock period accepted\n  replay: " << replay << "\n";
    constructor_failures = 1;
  } catch (const std::invalid_argument& e) {
    std::cout << "PASS zero clock period refused (" << e.what() << ")\n";
  }

  try {
    Suite suite("suite", seed, replay);
    sc_core::sc_start();
    int failed = suite.failed + constructor_failures;
    if (!suite.finished) {
      std::cout << "FAIL the test thread did not finish\n  replay: " << replay << "\n";
      ++failed;
    }
    const int passed = suite.passed + (constructor_failures == 0 ? 1 : 0);
    std::cout << "tlm: " << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cout << "FAIL exception: " << e.what() << "\n  replay: " << replay << "\n";
    return 1;
  }
}
