#pragma once
// `dnngen generate --verilog2005`: one flattened Verilog-2005 file of the configured
// top, for tools that do not read SystemVerilog. Yosys reads the bundle's sources with
// the parameters bound by its wrapper and runs
//
//   hierarchy -check -top <name>; proc; flatten; opt_clean; write_verilog -noattr
//
// No technology mapping: the file is RTL-level Verilog (always blocks, operators), the
// on-chip SRAMs stay behavioural memories, so it is self-contained and simulates. Icarus
// Verilog (`iverilog -g2005`) re-reads and elaborates it as part of generation.
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"

namespace dnngen::generate {

// "<name>_flat.v": the file's name inside the bundle. Its module is `<name>`, with the
// same ports as the bundle's SystemVerilog wrapper <name>.sv.
std::string flat_verilog_name(const config::Config& cfg);

struct FlatVerilogResult {
  std::string path;  // the written file
  double yosys_seconds = 0;
  double iverilog_seconds = 0;
};

// Writes bundle_dir/<name>_flat.v from the bundle in bundle_dir (the files of its
// filelist <name>.f, which ends with the wrapper), then checks it with iverilog.
// Throws ToolError naming the tool and its log when Yosys or iverilog is missing or
// fails; the logs live in a scratch directory that is removed on success.
FlatVerilogResult write_flat_verilog(const config::Config& cfg, const std::string& bundle_dir);

// The Yosys script write_flat_verilog() runs in the bundle directory: `sources` are
// the filelist's paths (relative to the bundle), `output` the file to write.
std::string flat_verilog_script(const config::Config& cfg, const std::vector<std::string>& sources,
                                const std::string& output);

// Elaborates `path` with `iverilog -g2005 -t null -s top`, output in log_path.
// Throws ToolError (naming iverilog, the log, its last lines and the command) if
// iverilog is missing or rejects the file; returns the wall time.
double check_verilog2005(const std::string& path, const std::string& top, const std::string& log_path);

}  // namespace dnngen::generate
