#include "dnngen/shell/register_file.hpp"

namespace dnngen::shell {
namespace {

// Byte strobes as a bit mask.
uint32_t strobe_mask(uint8_t wstrb) {
  uint32_t m = 0;
  for (unsigned b = 0; b < 4; ++b)
    if (wstrb & (1u << b)) m |= 0xFFu << (8 * b);
  return m;
}

// The read-only 64-bit pairs, whose _LO read snapshots _HI.
const char* const kPairs[] = {"CYCLES_TOTAL", "CYCLES_COMPUTE", "CYCLES_MEM_WAIT", "BYTES_READ",
                              "BYTES_WRITTEN"};

constexpr uint32_t kIrqDone = 1, kIrqError = 2;  // bit order of irq_enable_ / irq_status_

}  // namespace

RegisterFile::RegisterFile(const Identity& id, const RegisterMap& map) : map_(map), id_(id) {}

bool RegisterFile::common_mapped(uint32_t offset) const {
  if (offset >= kDescriptorBase) return false;
  for (const auto& reg : map_.registers)
    for (const auto& [name, at] : register_words(reg))
      if (at == offset) return true;
  return false;
}

uint32_t RegisterFile::descriptor_mask(uint32_t offset) const {
  if (offset < kDescriptorBase) return 0;
  for (const auto& reg : map_.registers)
    for (const auto& [name, at] : register_words(reg))
      if (at == offset) return defined_bits(reg, offset);
  return 0;
}

uint64_t RegisterFile::pair_value(const std::string& name) const {
  if (name == "CYCLES_TOTAL") return status_.cycles_total;
  if (name == "CYCLES_COMPUTE") return status_.cycles_compute;
  if (name == "CYCLES_MEM_WAIT") return status_.cycles_mem_wait;
  if (name == "BYTES_READ") return status_.bytes_read;
  return status_.bytes_written;
}

Resp RegisterFile::write(uint32_t offset, uint32_t data, uint8_t wstrb) {
  const uint32_t wmask = strobe_mask(wstrb);
  if (const uint32_t mask = descriptor_mask(offset); mask != 0) {
    const uint32_t old = descriptor_.count(offset) ? descriptor_.at(offset) : 0;
    descriptor_[offset] = (old & ~wmask) | (data & wmask & mask);
    return Resp::kOkay;
  }
  if (!common_mapped(offset)) return Resp::kSlvErr;
  if ((wstrb & 1) == 0) return Resp::kOkay;  // every writable common bit is in byte 0
  RegisterImage word{{offset, data}};
  auto bit = [&](const char* path) { return shell::read(map_, word, path) != 0; };
  if (offset == map_.reg("CTRL").offset) {
    if (bit("CTRL.START")) {
      pulses_.start = true;
      done_ = error_ = false;
      error_code_ = 0;
    }
    if (bit("CTRL.ABORT")) pulses_.abort = true;
    if (bit("CTRL.SOFT_RESET")) {
      pulses_.soft_reset = true;
      done_ = error_ = false;
      error_code_ = 0;
      irq_status_ = 0;
      layers_done_ = 0;
    }
  } else if (offset == map_.reg("IRQ_ENABLE").offset) {
    irq_enable_ = (bit("IRQ_ENABLE.DONE") ? kIrqDone : 0) | (bit("IRQ_ENABLE.ERROR") ? kIrqError : 0);
  } else if (offset == map_.reg("IRQ_STATUS").offset) {
    if (bit("IRQ_STATUS.DONE")) irq_status_ &= ~kIrqDone;
    if (bit("IRQ_STATUS.ERROR")) irq_status_ &= ~kIrqError;
  }
  return Resp::kOkay;  // a read-only register ignores the write
}

std::pair<uint32_t, Resp> RegisterFile::read(uint32_t offset) {
  if (descriptor_mask(offset) != 0) {
    const auto it = descriptor_.find(offset);
    return {it == descriptor_.end() ? 0 : it->second, Resp::kOkay};
  }
  if (!common_mapped(offset)) return {0, Resp::kSlvErr};
  RegisterImage img;
  auto set = [&](const char* path, uint64_t v) { shell::write(map_, img, path, v); };
  set("ID", map_.id);
  set("VERSION", version_word(map_));
  set("ENGINE.KIND", id_.engine_kind);
  set("ENGINE.VARIANT", id_.engine_variant);
  set("ENGINE.OPS", id_.engine_ops);
  set("CONFIG_HASH", id_.config_hash);
  set("ARRAY.ROWS", id_.array_rows);
  set("ARRAY.COLS", id_.array_cols);
  set("DATATYPE.IN_BITS", id_.in_bits);
  set("DATATYPE.W_BITS", id_.w_bits);
  set("DATATYPE.ACC_BITS", id_.acc_bits);
  set("DATATYPE.SIGNED", id_.is_signed);
  set("DATATYPE.SATURATE", id_.saturate);
  set("MEMORY.DATA_BITS", id_.mem_data_bits);
  set("MEMORY.MAX_BURST", id_.max_burst & 0xFF);  // 256 reads as 0
  set("MEMORY.OUTSTANDING", id_.outstanding);
  set("ADDR_BITS", id_.mem_addr_bits);
  set("STATUS.BUSY", status_.busy);
  set("STATUS.DONE", done_);
  set("STATUS.ERROR", error_);
  set("STATUS.QUEUE_LEVEL", status_.queue_level);
  set("STATUS.QUEUE_FULL", status_.queue_full);
  set("ERROR_CODE", error_code_);
  set("IRQ_ENABLE.DONE", (irq_enable_ & kIrqDone) != 0);
  set("IRQ_ENABLE.ERROR", (irq_enable_ & kIrqError) != 0);
  set("IRQ_STATUS.DONE", (irq_status_ & kIrqDone) != 0);
  set("IRQ_STATUS.ERROR", (irq_status_ & kIrqError) != 0);
  set("LAYERS_DONE", layers_done_);
  for (const char* pair : kPairs) {
    const Register& reg = map_.reg(pair);
    set(pair, pair_value(pair));
    if (offset == reg.offset) {  // _LO: keep _HI for the next read
      snapshot_pair_ = pair;
      snapshot_hi_ = img[reg.offset + 4];
    } else if (offset == reg.offset + 4 && snapshot_pair_ == pair) {
      img[offset] = snapshot_hi_;
    }
  }
  const auto it = img.find(offset);
  return {it == img.end() ? 0 : it->second, Resp::kOkay};
}

ControlPulses RegisterFile::take_pulses() {
  const ControlPulses p = pulses_;
  pulses_ = {};
  return p;
}

void RegisterFile::layer_done() {
  done_ = true;
  irq_status_ |= kIrqDone;
  ++layers_done_;
}

void RegisterFile::layer_error(uint32_t code) {
  error_ = true;
  error_code_ = code & 0xFF;
  irq_status_ |= kIrqError;
}

}  // namespace dnngen::shell
