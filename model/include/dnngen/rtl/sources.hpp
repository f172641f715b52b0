#pragma once
// Which RTL files make up an engine, and where they live. Used by the simulator
// builder, the synthesis flow, lint and `dnngen generate`.
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::rtl {

// Root of the RTL tree: $DNNGEN_RTL_DIR if set, else the compiled-in source path.
std::string rtl_root();

// rtl/filelists/<variant>.f for the configuration's engine variant.
std::string filelist_path(const config::Config& cfg);

// Paths relative to rtl_root(), leaf modules first, the top module last, as listed in
// filelist_path(cfg). ToolError if the list is missing or empty.
std::vector<std::string> rtl_sources(const config::Config& cfg);

// The files of rtl/filelists/<list>.f (e.g. "shell_systolic"), relative to rtl_root().
std::vector<std::string> filelist_sources(const std::string& list);
// Same, as absolute paths.
std::vector<std::string> rtl_source_paths(const config::Config& cfg);

// Include directories (absolute) for tools that resolve modules by file name.
std::vector<std::string> rtl_include_dirs();

}  // namespace dnngen::rtl
