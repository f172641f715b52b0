#include "dnngen/tlm/shell_tlm.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::tlm {
namespace {

using shell::register_map;
using ::tlm::tlm_generic_payload;
using ::tlm::tlm_response_status;

uint32_t error_code(const char* name) { return register_map().enum_value("error", name); }

// The engine model of `cfg`, its failure named after the module.
std::unique_ptr<ShellEngineModel> engine_of(const std::string& module, const config::Config& cfg) {
  try {
    return make_shell_engine(cfg);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(module + ": " + e.what());
  }
}

}  // namespace

ShellTlm::ShellTlm(sc_core::sc_module_name name, const config::Config& cfg,
                   const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name),
      regs("regs"),
      mem("mem"),
      irq("irq"),
      engine_(engine_of(this->name(), cfg)),
      clock_period_(clock_period),
      rf_(engine_->identity()) {
  if (clock_period_ == sc_core::SC_ZERO_TIME) {
    throw std::invalid_argument(std::string(this->name()) + ": clock period must be positive");
  }
  regs.register_b_transport(this, &ShellTlm::b_transport);
  SC_THREAD(layer_thread);
  SC_METHOD(drive_irq);
  sensitive << irq_update_;
}

tlm_response_status ShellTlm::refuse(tlm_response_status status, const std::string& what) {
  last_error_ = std::string(name()) + ": " + what;
  return status;
}

void ShellTlm::b_transport(tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  const std::string where =
      fmt::format("{} of {} bytes at register offset 0x{:x}", trans.is_write() ? "write" : "read", len, addr);
  tlm_response_status status = ::tlm::TLM_OK_RESPONSE;
  trans.set_dmi_allowed(false);
  if (trans.get_byte_enable_ptr() != nullptr) {
    status = refuse(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, where + ": byte enables are not supported");
  } else if (len != 4) {
    status = refuse(::tlm::TLM_GENERIC_ERROR_RESPONSE, where + ": registers take one 32-bit word");
  } else if (trans.get_streaming_width() < len) {
    status = refuse(::tlm::TLM_BURST_ERROR_RESPONSE, where + ": streaming is not supported");
  } else if (addr % 4 != 0 || addr > 0xFFFF'FFFFu) {
    status = refuse(::tlm::TLM_ADDRESS_ERROR_RESPONSE, where + ": not a word-aligned 32-bit offset");
  } else if (trans.is_read() || trans.is_write()) {
    delay += clock_period_;
    const auto offset = static_cast<uint32_t>(addr);
    shell::Resp resp;
    if (trans.is_read()) {
      uint32_t value;
      std::tie(value, resp) = rf_.read(offset);
      if (resp == shell::Resp::kOkay) std::memcpy(trans.get_data_ptr(), &value, 4);
    } else {
      uint32_t value;
      std::memcpy(&value, trans.get_data_ptr(), 4);
      resp = rf_.write(offset, value);
      const shell::ControlPulses pulses = rf_.take_pulses();
      shell::EngineStatus& st = rf_.status();
      if (pulses.soft_reset) engine_->stopped();
      if (st.busy && pulses.soft_reset) {
        stop_ = Stop::kSoftReset;
        queue_.clear();
        stop_event_.notify(delay);
      } else if (st.busy && pulses.abort && stop_ == Stop::kNone) {
        stop_ = Stop::kAbort;
        queue_.clear();
        stop_event_.notify(delay);
      } else if (st.busy && pulses.start && !pulses.soft_reset && stop_ == Stop::kNone) {
        if (queue_.size() < engine_->queue_depth())
          queue_.push_back(rf_.descriptor());
        else
          rf_.layer_error(error_code("queue_full"));
      } else if (!st.busy && pulses.start && !pulses.soft_reset) {
        st = shell::EngineStatus{};  // the RTL zeroes the counters at START
        st.busy = true;
        stop_ = Stop::kNone;
        started_ = rf_.descriptor();  // the RTL latches it now: the driver may write the next
        start_event_.notify(delay + static_cast<double>(kStartCycles) * clock_period_);
      }
      set_queue_status();
      irq_update_.notify(sc_core::SC_ZERO_TIME);
    }
    if (resp != shell::Resp::kOkay) {
      status = refuse(::tlm::TLM_ADDRESS_ERROR_RESPONSE, where + ": SLVERR (no register there)");
    }
  }
  trans.set_response_status(status);
}

void ShellTlm::drive_irq() { irq.write(rf_.irq()); }

bool ShellTlm::mem_access(::tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint64_t len) {
  tlm_generic_payload trans;
  trans.set_command(cmd);
  trans.set_address(addr);
  trans.set_data_ptr(data);
  trans.set_data_length(static_cast<unsigned>(len));
  trans.set_streaming_width(static_cast<unsigned>(len));
  trans.set_byte_enable_ptr(nullptr);
  trans.set_dmi_allowed(false);
  trans.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // not added: layer_cycles has the memory
  mem->b_transport(trans, delay);
  return trans.is_response_ok();
}

void ShellTlm::set_queue_status() {
  shell::EngineStatus& st = rf_.status();
  st.queue_level = static_cast<uint32_t>(queue_.size());
  st.queue_full = queue_.size() == engine_->queue_depth();
}

void ShellTlm::layer_thread() {
  for (;;) {
    sc_core::wait(start_event_);
    bool ok = run_layer(started_);
    while (ok && !queue_.empty()) {
      sc_core::wait(clock_period_);  // the RTL takes the next descriptor in an idle cycle
      // ABORT or SOFT_RESET in that cycle emptied the queue: nothing more runs, no error
      // (as in the RTL, where the stop meets an idle engine).
      if (queue_.empty()) break;
      const shell::RegisterImage next = queue_.front();
      queue_.pop_front();
      set_queue_status();
      rf_.status() = shell::EngineStatus{true, rf_.status().queue_level, rf_.status().queue_full};
      ok = run_layer(next);
    }
    queue_.clear();
    set_queue_status();
    rf_.status().busy = false;
    stop_ = Stop::kNone;
    irq_update_.notify(sc_core::SC_ZERO_TIME);
  }
}

bool ShellTlm::run_layer(const shell::RegisterImage& descriptor) {
  shell::EngineStatus& st = rf_.status();
  shell::LayerDescriptor d;
  if (const uint32_t code = engine_->check(descriptor, &d)) {
    sc_core::wait(clock_period_);
    st.cycles_total = 1;
    rf_.layer_error(code);
    return false;
  }
  const LayerRun run = engine_->run(d, [this](uint64_t addr, uint8_t* data, uint64_t len) {
    return mem_access(::tlm::TLM_READ_COMMAND, addr, data, len);
  });
  if (run.error != 0) {
    rf_.layer_error(run.error);
    return false;
  }
  const shell::Counters& timing = run.counters;
  last_counters_ = timing;
  // The layer's time, or until an ABORT or SOFT_RESET takes effect; then one period more
  // (the RTL's drain is not modelled) and the counters scaled to the time that passed.
  const sc_core::sc_time begun = sc_core::sc_time_stamp();
  if (stop_ == Stop::kNone)
    sc_core::wait(sc_core::sc_time::from_value(timing.cycles * clock_period_.value()), stop_event_);
  uint64_t cycles = timing.cycles;
  const uint64_t passed = (sc_core::sc_time_stamp() - begun).value() / clock_period_.value();
  if (stop_ != Stop::kNone && passed < timing.cycles) {
    sc_core::wait(clock_period_);
    cycles = passed + 1;
  }
  auto scaled = [&](uint64_t v) { return cycles == timing.cycles ? v : v * cycles / timing.cycles; };
  st.cycles_total = cycles;
  st.cycles_compute = scaled(timing.compute);
  st.cycles_mem_wait = scaled(timing.mem_wait);
  st.bytes_read = scaled(timing.bytes_read);
  st.bytes_written = stop_ == Stop::kNone ? timing.bytes_written : 0;
  if (stop_ == Stop::kNone) {
    for (const OutRow& row : run.out) {
      std::vector<uint8_t> bytes = row.bytes;
      if (!mem_access(::tlm::TLM_WRITE_COMMAND, row.addr, bytes.data(), bytes.size())) {
        rf_.layer_error(error_code("axi_write"));
        return false;
      }
    }
  }
  if (stop_ != Stop::kNone) engine_->stopped();
  if (stop_ == Stop::kAbort) rf_.layer_error(error_code("aborted"));
  if (stop_ != Stop::kNone) return false;
  rf_.layer_done();
  irq_update_.notify(sc_core::SC_ZERO_TIME);  // the done interrupt, also between queued layers
  return true;
}

}  // namespace dnngen::tlm
