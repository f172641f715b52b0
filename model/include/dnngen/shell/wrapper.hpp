#pragma once
// The configured shell top: a SystemVerilog module named after the configuration that
// instantiates the engine's shell (rtl/shell/dnn_shell_systolic.sv) with the
// configuration's parameters (config::shell_rtl_parameters). The bundle ships it, and
// `dnngen synth --shell` synthesizes it, so both see one top with no parameters left.
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::shell {

// Name of the configured shell top: "<config name>_shell".
std::string wrapper_top(const config::Config& cfg);

// The engine's shell module inside the wrapper ("dnn_shell_systolic").
std::string engine_shell_module(const config::Config& cfg);

// The engine core's RTL module inside the shell ("dnn_systolic_ws_core"): what is outside
// its instance is the shell's (the synthesis report splits area there).
std::string engine_core_module(const config::Config& cfg);

// The RTL file list of the engine's shell (rtl/filelists/<name>.f), without the generated
// register package, which is read right after common/dnn_pkg.sv.
std::string shell_filelist(const config::Config& cfg);

// The file name of the generated register package (`dnngen regmap --sv`; rtl/shell/ holds
// the same file, checked against the generator by the ctest shell_regmap_outputs).
inline constexpr const char* kRegsPackageFile = "dnn_shell_regs_pkg.sv";

// The shell's sources in reading order: its file list's paths under rtl::rtl_root(), with
// `regs_package` (where the caller writes the generated package) right after dnn_pkg.
std::vector<std::string> shell_source_paths(const config::Config& cfg, const std::string& regs_package);

// The wrapper's SystemVerilog text.
std::string wrapper_sv(const config::Config& cfg);

}  // namespace dnngen::shell
