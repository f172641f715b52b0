#pragma once
// The netlist Yosys writes with `write_json`, read into plain structs: modules with
// their parameters, ports (in declaration order) and cells. Bits are Yosys's bit ids;
// constant bits ("0", "1", "x", "z") are kConstBit.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dnngen::eda {

// The SRAM model of rtl/common: kept out of synthesis as a macro (a black box).
inline constexpr const char* kSramModule = "dnn_sram_1r1w";
// Module attribute put on the (underived) SRAM module so that it can be selected even
// when an instance uses its default parameters; derived copies are found by their
// `hdlname` attribute instead.
inline constexpr const char* kMacroAttr = "dnngen_macro";

inline constexpr int64_t kConstBit = -1;

struct NetPort {
  std::string name;
  std::string direction;  // input | output | inout
  std::vector<int64_t> bits;
  bool is_signed = false;
};

struct NetCell {
  std::string name;
  std::string type;
  std::vector<std::pair<std::string, std::vector<int64_t>>> connections;
  std::map<std::string, std::string> directions;  // port -> input/output (Yosys cells)
};

struct NetModule {
  std::string name;  // Yosys name, e.g. $paramod$<hash>\dnn_systolic_ws_pe
  std::string base;  // RTL name, e.g. dnn_systolic_ws_pe
  bool blackbox = false;
  bool macro = false;  // an SRAM macro (blackboxed kSramModule)
  std::map<std::string, int64_t> params;
  std::vector<NetPort> ports;
  std::vector<NetCell> cells;
};

using Netlist = std::map<std::string, NetModule>;

// Reads a `write_json` netlist. ToolError if it is missing or unreadable.
Netlist load_netlist(const std::filesystem::path& path);

// The module `top` of a netlist read from `path`; ToolError if there is none.
const NetModule& find_top(const Netlist& netlist, const std::string& top, const std::filesystem::path& path);

}  // namespace dnngen::eda
