#pragma once
// The virtual platform's memory for the SystemC tests (vp_main.cpp, test_shell_tlm.cpp):
// a flat byte array behind a TLM-2.0 target socket. An access outside it is an address
// error, one with byte enables a byte-enable error; no delay is annotated (the shell model
// counts the memory's time itself).
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstring>
#include <systemc>
#include <tlm>
#include <vector>

namespace dnngen::tlm_test {

struct Memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<Memory> socket;
  std::vector<uint8_t> bytes;

  Memory(sc_core::sc_module_name name, uint64_t size) : sc_module(name), socket("socket"), bytes(size, 0) {
    socket.register_b_transport(this, &Memory::b_transport);
  }

  void b_transport(::tlm::tlm_generic_payload& t, sc_core::sc_time&) {
    const uint64_t addr = t.get_address(), len = t.get_data_length();
    if (t.get_byte_enable_ptr() != nullptr) {
      t.set_response_status(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    } else if (addr >= bytes.size() || len > bytes.size() - addr) {
      t.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    } else {
      if (t.is_read()) std::memcpy(t.get_data_ptr(), bytes.data() + addr, len);
      if (t.is_write()) std::memcpy(bytes.data() + addr, t.get_data_ptr(), len);
      t.set_response_status(::tlm::TLM_OK_RESPONSE);
    }
  }
};

}  // namespace dnngen::tlm_test
