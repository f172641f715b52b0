#pragma once
// `dnngen generate`: a self-contained RTL bundle for one configuration.
//
//   <out_dir>/rtl/...        copies of the engine's sources (same layout as rtl/)
//   <out_dir>/<name>.sv      top wrapper `module <name>` with every parameter bound
//   <out_dir>/<name>.f       filelist, paths relative to the bundle, wrapper last
//   <out_dir>/<name>.core    FuseSoC CAPI2 core (targets default, lint, synth)
//   <out_dir>/manifest.json  config, parameters, files with sizes and SHA-256
//   <out_dir>/<name>_flat.v  with BundleOptions::verilog2005: the top flattened to one
//                            Verilog-2005 module (generate/verilog2005.hpp)
#include <string>

#include "dnngen/common/version.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::generate {

// "format" of manifest.json; a directory whose manifest has it holds a bundle that
// write_bundle() may replace.
inline constexpr const char* kBundleFormat = "dnngen-rtl-bundle";

struct BundleOptions {
  // Also write <name>_flat.v (Yosys), checked with Icarus Verilog; needs both tools.
  bool verilog2005 = false;
};

// Writes the bundle atomically: it is built in a temporary directory beside out_dir
// and renamed into place, so out_dir is either the complete new bundle or untouched.
// A previous bundle in out_dir is replaced; a non-empty out_dir holding anything else
// is refused with InputError ("refusing to overwrite"). The wrapper's port widths come
// from Yosys's elaboration of the configured top (ToolError if Yosys fails/is missing).
void write_bundle(const config::Config& cfg, const std::string& out_dir, const BundleOptions& options = {});

// Lower-case hex SHA-256 of a byte string (the manifest's content hash).
std::string sha256_hex(const std::string& data);

}  // namespace dnngen::generate
