#include "dnngen/rtl/sources.hpp"

#include <cstdlib>

namespace dnngen::rtl {

std::string rtl_root() {
  if (const char* env = std::getenv("DNNGEN_RTL_DIR"); env != nullptr && *env != '\0') return env;
  return DNNGEN_RTL_DIR;
}

std::vector<std::string> rtl_sources(const config::Config& /*cfg*/) {
  // Only the systolic engine exists so far; both dataflows live in one top.
  return {
      "common/dnn_sram_1r1w.sv",        "common/dnn_delay.sv",
      "common/dnn_fifo.sv",             "common/dnn_job_ctrl.sv",
      "systolic/dnn_systolic_mul.sv",
      "systolic/dnn_systolic_skew.sv",  "systolic/dnn_systolic_finalize.sv",
      "systolic/dnn_systolic_ws_pe.sv", "systolic/dnn_systolic_ws_array.sv",
      "systolic/dnn_systolic_ws_core.sv", "systolic/dnn_systolic_os_pe.sv",
      "systolic/dnn_systolic_os_array.sv", "systolic/dnn_systolic_os_core.sv",
      "systolic/dnn_systolic_top.sv",
  };
}

std::vector<std::string> rtl_source_paths(const config::Config& cfg) {
  std::vector<std::string> paths;
  for (const auto& rel : rtl_sources(cfg)) paths.push_back(rtl_root() + "/" + rel);
  return paths;
}

std::vector<std::string> rtl_include_dirs() {
  return {rtl_root() + "/common", rtl_root() + "/systolic"};
}

}  // namespace dnngen::rtl
