#pragma once
// The engine models make_shell_engine() chooses from (one source file each).
#include <memory>

#include "dnngen/tlm/shell_engine.hpp"

namespace dnngen::tlm {

std::unique_ptr<ShellEngineModel> make_systolic_shell_engine(const config::Config& cfg);
std::unique_ptr<ShellEngineModel> make_eie_shell_engine(const config::Config& cfg);
std::unique_ptr<ShellEngineModel> make_rs_shell_engine(const config::Config& cfg);

}  // namespace dnngen::tlm
