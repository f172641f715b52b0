#include "dnngen/tlm/shell_tlm.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>
#include <tuple>

#include "dnngen/common/error.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"

namespace dnngen::tlm {
namespace {

using shell::register_map;
using ::tlm::tlm_generic_payload;
using ::tlm::tlm_response_status;

constexpr uint64_t kPage = 4096;

uint32_t error_code(const char* name) { return register_map().enum_value("error", name); }

// The descriptor in the registers and the ERROR_CODE it ends with before any memory access
// (0: it runs). OP and OUTPUT.TYPE codes the map does not name are checked in the RTL's
// order: an unknown op first (bad_op), an unknown output type with the bad_field checks.
uint32_t decode_and_check(const systolic::ShellParams& p, const shell::RegisterImage& image,
                          shell::LayerDescriptor* d) {
  const auto& map = register_map();
  const uint64_t op = shell::read(map, image, "OP.CODE");
  if (op != map.enum_value("op", "gemm") && op != map.enum_value("op", "conv2d")) return error_code("bad_op");
  const bool bad_type = map.enum_name_of("out_type", shell::read(map, image, "OUTPUT.TYPE")).empty();
  shell::RegisterImage named = image;
  if (bad_type) shell::write(map, named, "OUTPUT.TYPE", map.enum_value("out_type", "int32"));
  *d = shell::decode(named, map);
  const uint32_t code = systolic::check_descriptor(p, *d);
  if (!bad_type) return code;
  // The size checks come before the field checks.
  return code == error_code("zero_size") || code == error_code("size_range") ? code : error_code("bad_field");
}

// One tensor of a layer in memory: `rows` rows of `row_bytes` bytes, `pitch` apart, from
// *addr (a member of the descriptor, so the tensor can be rebased).
struct Extent {
  uint64_t* addr;
  uint64_t rows, pitch, row_bytes;
  bool input;  // read before the layer (OUT is written after it)

  uint64_t span() const { return (rows - 1) * pitch + row_bytes; }
};

// The extents of every tensor the layer reads or writes, as check_descriptor bounds them.
// `d` must pass check_descriptor.
std::vector<Extent> tensor_extents(const systolic::ShellParams& p, shell::LayerDescriptor& d) {
  const systolic::GemmView v = systolic::gemm_view(p, d);
  const uint64_t in_b = p.in_bits / 8;
  std::vector<Extent> out;
  if (d.op == "conv2d") {  // the ifmap: IN_H rows of IN_W x IN_C pixels
    const uint64_t row = uint64_t{d.in_w} * d.in_c * in_b;
    out.push_back({&d.a_addr, d.in_h, d.a_stride != 0 ? d.a_stride : row, row, true});
  } else {
    out.push_back({&d.a_addr, v.m, v.a_pitch, v.a_row_bytes, true});
  }
  out.push_back({&d.b_addr, v.k, v.b_pitch, v.b_row_bytes, true});
  if (d.out_type != "int32" && d.bias) out.push_back({&d.bias_addr, 1, 0, v.n * 4, true});
  if (d.out_type != "int32" && d.per_channel) out.push_back({&d.quant_addr, 1, 0, v.n * 8, true});
  out.push_back({&d.out_addr, v.m, v.out_pitch, v.out_row_bytes, false});
  return out;
}

}  // namespace

ShellSystolicTlm::ShellSystolicTlm(sc_core::sc_module_name name, const config::Config& cfg,
                                   const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name),
      regs("regs"),
      mem("mem"),
      irq("irq"),
      cfg_(cfg),
      params_(config::has_shell(cfg) && cfg.engine == "systolic" ? systolic::shell_params(cfg)
                                                                 : systolic::ShellParams{}),
      clock_period_(clock_period),
      rf_(systolic::shell_identity(params_)) {
  if (!config::has_shell(cfg) || cfg.engine != "systolic") {
    throw std::invalid_argument(std::string(this->name()) + ": configuration '" + cfg.name +
                                "' has no systolic shell (engine " + cfg.engine + ")");
  }
  if (clock_period_ == sc_core::SC_ZERO_TIME) {
    throw std::invalid_argument(std::string(this->name()) + ": clock period must be positive");
  }
  regs.register_b_transport(this, &ShellSystolicTlm::b_transport);
  SC_THREAD(layer_thread);
  SC_METHOD(drive_irq);
  sensitive << irq_update_;
}

tlm_response_status ShellSystolicTlm::refuse(tlm_response_status status, const std::string& what) {
  last_error_ = std::string(name()) + ": " + what;
  return status;
}

void ShellSystolicTlm::b_transport(tlm_generic_payload& trans, sc_core::sc_time& delay) {
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
      if (st.busy && pulses.soft_reset) {
        stop_ = Stop::kSoftReset;
        queue_.clear();
        stop_event_.notify(delay);
      } else if (st.busy && pulses.abort && stop_ == Stop::kNone) {
        stop_ = Stop::kAbort;
        queue_.clear();
        stop_event_.notify(delay);
      } else if (st.busy && pulses.start && !pulses.soft_reset && stop_ == Stop::kNone) {
        if (queue_.size() < params_.queue_depth)
          queue_.push_back(rf_.descriptor());
        else
          rf_.layer_error(error_code("queue_full"));
      } else if (!st.busy && pulses.start && !pulses.soft_reset) {
        st = shell::EngineStatus{};  // the RTL zeroes the counters at START
        st.busy = true;
        stop_ = Stop::kNone;
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

void ShellSystolicTlm::drive_irq() { irq.write(rf_.irq()); }

bool ShellSystolicTlm::mem_access(::tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint64_t len) {
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

void ShellSystolicTlm::set_queue_status() {
  shell::EngineStatus& st = rf_.status();
  st.queue_level = static_cast<uint32_t>(queue_.size());
  st.queue_full = queue_.size() == params_.queue_depth;
}

void ShellSystolicTlm::layer_thread() {
  for (;;) {
    sc_core::wait(start_event_);
    bool ok = run_layer(rf_.descriptor());
    while (ok && !queue_.empty()) {
      sc_core::wait(clock_period_);  // the RTL takes the next descriptor in an idle cycle
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

bool ShellSystolicTlm::run_layer(const shell::RegisterImage& descriptor) {
  shell::EngineStatus& st = rf_.status();
  shell::LayerDescriptor d;
  if (const uint32_t code = decode_and_check(params_, descriptor, &d)) {
    sc_core::wait(clock_period_);
    st.cycles_total = 1;
    rf_.layer_error(code);
    return false;
  }
  const systolic::LayerTiming timing =
      systolic::layer_cycles(params_, d, cfg_.memory.latency, cfg_.memory.bytes_per_cycle);
  last_timing_ = timing;

  // The compact image: each tensor at the next 4 KiB page, its address mod 4096 kept.
  std::vector<Extent> extents = tensor_extents(params_, d);
  std::vector<uint64_t> global(extents.size());
  uint64_t top = 0;
  for (size_t i = 0; i < extents.size(); ++i) {
    global[i] = *extents[i].addr;
    *extents[i].addr = top + global[i] % kPage;
    top = (*extents[i].addr + extents[i].span() + kPage - 1) / kPage * kPage;
  }
  std::vector<uint8_t> image(top, 0);
  for (size_t i = 0; i < extents.size(); ++i) {
    const Extent& e = extents[i];
    if (!e.input) continue;
    for (uint64_t r = 0; r < e.rows; ++r) {
      if (!mem_access(::tlm::TLM_READ_COMMAND, global[i] + r * e.pitch, image.data() + *e.addr + r * e.pitch,
                      e.row_bytes)) {
        rf_.layer_error(error_code("axi_read"));
        return false;
      }
    }
  }
  systolic::run_layer(params_, d, image);
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
    const Extent& out = extents.back();
    for (uint64_t r = 0; r < out.rows; ++r) {
      if (!mem_access(::tlm::TLM_WRITE_COMMAND, global.back() + r * out.pitch,
                      image.data() + *out.addr + r * out.pitch, out.row_bytes)) {
        rf_.layer_error(error_code("axi_write"));
        return false;
      }
    }
  }
  if (stop_ == Stop::kAbort) rf_.layer_error(error_code("aborted"));
  if (stop_ != Stop::kNone) return false;
  rf_.layer_done();
  return true;
}

}  // namespace dnngen::tlm
