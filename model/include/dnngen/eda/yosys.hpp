#pragma once
// Yosys as a tool: the script lines that read and elaborate a configured design, a
// checked Yosys run, and the elaborated ports of the design's top module.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/eda/netlist.hpp"

namespace dnngen::eda {

// What Yosys reads for one configuration.
struct Design {
  std::string name;  // the configuration's name, for the script's header comment
  std::string top;   // RTL top module
  std::vector<std::pair<std::string, int64_t>> parameters;  // bound with chparam
  std::vector<std::string> sources;                         // SystemVerilog files
};

// The configuration's top module and parameters with the given source files
// (rtl::rtl_source_paths(cfg) for the engine's RTL).
Design design(const config::Config& cfg, std::vector<std::string> sources);

// A file name as Yosys scripts take it, in double quotes; InputError if it contains a
// quote or newline.
std::string quoted(const std::string& path);
// A SystemVerilog package's file (its name ends in _pkg.sv): read before the modules that
// use it, and never as a black box.
bool is_package(const std::string& path);

// read_verilog, setattr on the SRAM module (kMacroAttr), chparam, hierarchy -check -top.
// A wrapper (extra_sources, wrapper_top) may instantiate the design's top, which chparam
// has bound.
std::string yosys_front(const Design& design, const std::vector<std::string>& extra_sources = {},
                        const std::string& wrapper_top = "");
// The same for the top alone: the packages and the top's file (named after it) are read
// and elaborated, every other source is read with -lib, as a black box with its ports, so
// the cost does not grow with the array below the top. yosys_front() if no file is named
// after the top.
std::string yosys_top_only_front(const Design& design);

// Writes the script to work_dir/script_name and runs `yosys -s script_name` in work_dir
// with its output in work_dir/log_name; returns the wall time. ToolError
// "yosys not found on PATH" or run_checked()'s.
double run_yosys(const std::filesystem::path& work_dir, const std::string& script_name,
                 const std::string& script_text, const std::string& log_name, const std::string& what);

struct Port {
  std::string name;
  std::string direction;  // input | output | inout
  int width = 0;
  bool is_signed = false;
};

// The ports of a netlist module, in declaration order.
std::vector<Port> ports_of(const NetModule& mod);

// Ports of the design's top module as Yosys elaborates it with the design's
// parameters, in declaration order. Runs Yosys in work_dir (created if missing).
std::vector<Port> elaborate_top_ports(const Design& design, const std::string& work_dir);

}  // namespace dnngen::eda
