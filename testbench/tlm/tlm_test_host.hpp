#pragma once
// What a self-checking SystemC test of the shell model (dnngen::tlm::ShellTlm) needs on the
// host side: a test initiator on the register socket whose accesses go by register and
// field name through the register map (each checked for an OK response; a raw access for
// the refused ones), the interrupt input, failures counted with the command that replays
// them; and the sc_main body that elaborates the memory, the shell and the test for one
// configuration.
#include <fmt/format.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <iostream>
#include <random>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/tlm/shell_tlm.hpp"
#include "tlm_memory.hpp"

namespace dnngen::tlm_test {

// The name of a TLM response status, as tlm_generic_payload::get_response_string gives it.
inline std::string response_name(::tlm::tlm_response_status status) {
  ::tlm::tlm_generic_payload t;
  t.set_response_status(status);
  return t.get_response_string();
}

// Where a memory image first differs from the expected one, for a failure message ("" when
// they are equal).
inline std::string first_difference(const std::vector<uint8_t>& got, const std::vector<uint8_t>& expect) {
  const auto [g, e] = std::mismatch(got.begin(), got.end(), expect.begin(), expect.end());
  if (g == got.end()) return "";
  return fmt::format(" (first at 0x{:x}: 0x{:02x}, expected 0x{:02x})", g - got.begin(), *g, *e);
}

// A test is a RegisterHost whose run() is its thread: the simulation stops when run()
// returns (`finished` then set). It gets what run_shell_test elaborates: the
// configuration, the memory and the shell, the replay command, the seed of its random
// numbers (rng_) and how many random layers to run.
class RegisterHost : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<RegisterHost> socket;
  sc_core::sc_in<bool> irq;
  int failures = 0;
  bool finished = false;  // run() got to its end

  SC_HAS_PROCESS(RegisterHost);
  RegisterHost(sc_core::sc_module_name name, const config::Config& cfg, Memory& memory,
               dnngen::tlm::ShellTlm& shell, std::string replay, uint64_t seed, unsigned layers)
      : sc_module(name),
        socket("socket"),
        irq("irq"),
        cfg_(cfg),
        memory_(memory),
        shell_(shell),
        rng_(seed),
        layers_(layers),
        replay_(std::move(replay)) {
    SC_THREAD(thread);
  }

 protected:
  virtual void run() = 0;

  const shell::RegisterMap& map_ = shell::register_map();
  const config::Config& cfg_;
  Memory& memory_;
  dnngen::tlm::ShellTlm& shell_;
  std::mt19937_64 rng_;
  const unsigned layers_;

  // Random values for the tests' layers.
  int64_t value(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  uint32_t pick(uint64_t lo, uint64_t hi) { return static_cast<uint32_t>(value(lo, hi)); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  void check(bool ok, const std::string& what) {
    if (ok) return;
    ++failures;
    std::cout << "FAIL: " << what << "\n  replay: " << replay_ << "\n";
  }

  // n clock periods of the shell.
  sc_core::sc_time periods(uint64_t n) const {
    return sc_core::sc_time::from_value(n * shell_.clock_period().value());
  }

  // One access as given (`len` bytes, at most 8, the first 4 from and back into `value`;
  // `byte_enable`, if any, `len` bytes), its annotated delay waited; its response status,
  // unchecked.
  ::tlm::tlm_response_status transport(::tlm::tlm_command cmd, uint64_t address, uint32_t& value,
                                       unsigned len = 4, unsigned streaming = 4,
                                       unsigned char* byte_enable = nullptr) {
    ::tlm::tlm_generic_payload t;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    uint8_t buffer[8] = {};
    std::memcpy(buffer, &value, 4);
    t.set_command(cmd);
    t.set_address(address);
    t.set_data_ptr(buffer);
    t.set_data_length(len);
    t.set_streaming_width(streaming);
    t.set_byte_enable_ptr(byte_enable);
    t.set_byte_enable_length(byte_enable != nullptr ? len : 0);
    t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(t, delay);
    wait(delay);
    std::memcpy(&value, buffer, 4);
    return t.get_response_status();
  }

  // One 32-bit access at a register offset, its annotated delay waited; false (and a
  // failure) unless the response is OK.
  bool access(::tlm::tlm_command cmd, uint32_t offset, uint32_t& value) {
    const ::tlm::tlm_response_status status = transport(cmd, offset, value);
    check(status == ::tlm::TLM_OK_RESPONSE,
          fmt::format("register access at 0x{:x}: {}", offset, response_name(status)));
    return status == ::tlm::TLM_OK_RESPONSE;
  }

  // A whole register (the _LO word of a pair).
  uint32_t read(const std::string& reg) {
    uint32_t v = 0;
    access(::tlm::TLM_READ_COMMAND, map_.reg(reg).offset, v);
    return v;
  }
  // A 64-bit counter pair: _LO first (it snapshots _HI), then _HI.
  uint64_t read_pair(const std::string& reg) {
    const uint64_t lo = read(reg);
    uint32_t hi = 0;
    access(::tlm::TLM_READ_COMMAND, map_.reg(reg).offset + 4, hi);
    return lo | uint64_t{hi} << 32;
  }
  // Field "REG.FIELD" of `word`, a value of REG.
  uint64_t field(const std::string& path, uint32_t word) const {
    const std::string reg = path.substr(0, path.find('.'));
    return shell::read(map_, shell::RegisterImage{{map_.reg(reg).offset, word}}, path);
  }
  uint64_t read_field(const std::string& path) { return field(path, read(path.substr(0, path.find('.')))); }
  // The word of one register with the one-bit fields `paths` ("REG.FIELD", all of one
  // register) set.
  uint32_t bits(std::initializer_list<const char*> paths) const {
    shell::RegisterImage image;
    uint32_t offset = 0;
    for (const char* path : paths) {
      const std::string p = path;
      offset = map_.reg(p.substr(0, p.find('.'))).offset;
      shell::write(map_, image, p, 1);
    }
    return image[offset];
  }
  void write(const std::string& reg, uint32_t value) {
    access(::tlm::TLM_WRITE_COMMAND, map_.reg(reg).offset, value);
  }
  // CTRL.START, CTRL.ABORT or CTRL.SOFT_RESET.
  void control(const char* path) { write("CTRL", bits({path})); }
  void write_descriptor(const shell::LayerDescriptor& d) {
    for (auto [offset, word] : shell::encode(d, map_)) access(::tlm::TLM_WRITE_COMMAND, offset, word);
  }
  // Until irq is high; a failure if it does not rise within `limit`.
  void wait_irq(const std::string& what,
                const sc_core::sc_time& limit = sc_core::sc_time(100, sc_core::SC_MS)) {
    const sc_core::sc_time until = sc_core::sc_time_stamp() + limit;
    while (!irq.read() && sc_core::sc_time_stamp() < until)
      wait(until - sc_core::sc_time_stamp(), irq.value_changed_event());
    check(irq.read(), what + ": no interrupt within " + limit.to_string());
  }

 private:
  void thread() {
    run();
    finished = true;
    sc_core::sc_stop();
  }

  std::string replay_;
};

// The body of a test's sc_main: `Test` is a RegisterHost constructed as RegisterHost is
// (Test(name, cfg, memory, shell, replay, seed, layers)). Arguments CONFIG.yaml [SEED]
// [LAYERS]; a memory of `memory_bytes`, a 1 ns clock. 0 when every check passed.
template <class Test>
int run_shell_test(const char* test_name, int argc, char* argv[], uint64_t memory_bytes,
                   unsigned default_layers) {
  if (argc < 2 || argc > 4) {
    std::cerr << "usage: " << argv[0] << " CONFIG.yaml [SEED] [LAYERS]\n";
    return 2;
  }
  try {
    const config::Config cfg = config::load_config(argv[1]);
    const uint64_t seed = argc >= 3 ? std::stoull(argv[2]) : 1;
    const unsigned layers = argc >= 4 ? std::stoul(argv[3]) : default_layers;
    const std::string replay = fmt::format("{} {} {} {}", argv[0], argv[1], seed, layers);
    std::cout << fmt::format("{}: {} (seed {}, {} layers)\n", test_name, cfg.name, seed, layers);
    Memory memory("memory", memory_bytes);
    dnngen::tlm::ShellTlm shell("shell", cfg, sc_core::sc_time(1, sc_core::SC_NS));
    Test test("test", cfg, memory, shell, replay, seed, layers);
    sc_core::sc_signal<bool> irq("irq");
    test.socket.bind(shell.regs);
    shell.mem.bind(memory.socket);
    shell.irq(irq);
    test.irq(irq);
    sc_core::sc_start();
    if (!test.finished) {
      ++test.failures;
      std::cout << "FAIL: the test stopped before its end\n  replay: " << replay << "\n";
    }
    std::cout << fmt::format("{}: {}\n", test_name,
                             test.failures == 0 ? "PASS" : fmt::format("FAIL ({} checks)", test.failures));
    return test.failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << test_name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace dnngen::tlm_test
