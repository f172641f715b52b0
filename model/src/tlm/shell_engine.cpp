#include "dnngen/tlm/shell_engine.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "dnngen/shell/regmap.hpp"
#include "shell_engines.hpp"

namespace dnngen::tlm {

std::unique_ptr<ShellEngineModel> make_shell_engine(const config::Config& cfg) {
  // The bit-serial engine runs in the systolic shell: the same engine model, its core's
  // golden and cycle models behind systolic::ShellParams.
  const bool row_stationary = cfg.engine == "systolic" && cfg.systolic.row_stationary();
  if (config::has_shell(cfg) && !row_stationary && (cfg.engine == "systolic" || cfg.engine == "bitserial"))
    return make_systolic_shell_engine(cfg);
  if (config::has_shell(cfg) && row_stationary) return make_rs_shell_engine(cfg);
  if (config::has_shell(cfg) && cfg.engine == "eie") return make_eie_shell_engine(cfg);
  throw std::invalid_argument("configuration '" + cfg.name + "' has no shell model (engine " + cfg.engine +
                              ")");
}

uint32_t decode_and_check(const shell::RegisterImage& registers, shell::LayerDescriptor* d,
                          const std::function<uint32_t(const shell::LayerDescriptor&)>& engine_check) {
  const auto& map = shell::register_map();
  auto code = [&](const char* name) { return map.enum_value("error", name); };
  if (map.enum_name_of("op", shell::read(map, registers, "OP.CODE")).empty()) return code("bad_op");
  const bool bad_type = map.enum_name_of("out_type", shell::read(map, registers, "OUTPUT.TYPE")).empty();
  shell::RegisterImage named = registers;
  if (bad_type) shell::write(map, named, "OUTPUT.TYPE", map.enum_value("out_type", "int32"));
  *d = shell::decode(named, map);
  const uint32_t result = engine_check(*d);
  if (!bad_type) return result;
  return result == code("zero_size") || result == code("size_range") || result == code("bad_op")
             ? result
             : code("bad_field");
}

size_t LocalImage::add(uint64_t* addr, uint64_t rows, uint64_t pitch, uint64_t row_bytes, bool input) {
  constexpr uint64_t kPage = 4096;
  const uint64_t top = (bytes_.size() + kPage - 1) / kPage * kPage;
  const uint64_t global = *addr;
  *addr = top + global % kPage;
  const uint64_t span = rows == 0 ? 0 : (rows - 1) * pitch + row_bytes;
  bytes_.resize(*addr + span, 0);
  tensors_.push_back({addr, global, rows, pitch, row_bytes, input});
  return tensors_.size() - 1;
}

bool LocalImage::read(const MemRead& read, size_t first, size_t end) {
  for (size_t i = first; i < std::min(end, tensors_.size()); ++i) {
    const Tensor& t = tensors_[i];
    if (!t.input) continue;
    for (uint64_t r = 0; r < t.rows; ++r)
      if (!read(t.global + r * t.pitch, bytes_.data() + *t.addr + r * t.pitch, t.row_bytes)) return false;
  }
  return true;
}

std::vector<uint8_t> LocalImage::tensor_bytes(size_t i) const {
  const Tensor& t = tensors_[i];
  const uint64_t span = t.rows == 0 ? 0 : (t.rows - 1) * t.pitch + t.row_bytes;
  return std::vector<uint8_t>(bytes_.begin() + *t.addr, bytes_.begin() + *t.addr + span);
}

std::vector<OutRow> LocalImage::rows_of(size_t i) const {
  const Tensor& t = tensors_[i];
  std::vector<OutRow> rows;
  for (uint64_t r = 0; r < t.rows; ++r) {
    const auto* first = bytes_.data() + *t.addr + r * t.pitch;
    rows.push_back({t.global + r * t.pitch, std::vector<uint8_t>(first, first + t.row_bytes)});
  }
  return rows;
}

}  // namespace dnngen::tlm
