// The FPGA targets. xilinx: synth_xilinx (7 series) twice, with and without DSP48
// slices, hierarchy kept, resources counted per module the way Vivado's utilisation
// report groups them. ice40: synth_ice40 of the engine behind an out-of-context
// wrapper (the engine's ports are far more than any iCE40 package has pins), then
// nextpnr-ice40 on the smallest part that fits, post-route Fmax and utilisation. In
// both, the SRAM buffers map to block RAM (or LUT RAM), as in a user's FPGA flow.
// docs/synthesis.md explains the choices.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dnngen/common/error.hpp"
#include "dnngen/eda/run.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth {
namespace detail {
namespace {

const char* const kXilinxNetlist[2] = {"netlist_xilinx_dsp.json", "netlist_xilinx_nodsp.json"};
const char* const kIce40Netlist = "netlist_ice40.json";
const char* const kElabNetlist = "netlist_elaborated.json";
const char* const kIce40Stat = "stat_ice40.txt";
const char* const kWrapperFile = "dnn_ice40_ooc.v";
const char* const kWrapperTop = "dnn_ice40_ooc";
const char* const kPnrLog = "nextpnr.log";
const char* const kPnrReport = "nextpnr_report.json";

// Yosys 0.23 warns when it narrows the unused upper data ports of a block RAM it
// inferred; nothing is wrong with the design.
const std::vector<std::string> kBenignFpgaWarnings = {"Resizing cell port"};

// ---------------------------------------------------------------- xilinx

// LUTs one distributed-RAM primitive occupies (Vivado's "LUT as Distributed RAM").
int64_t lutram_luts(const std::string& type) {
  static const std::map<std::string, int64_t> kLuts = {
      {"RAM16X1S", 1}, {"RAM32X1S", 1}, {"RAM64X1S", 1}, {"RAM128X1S", 2}, {"RAM256X1S", 4},
      {"RAM16X1D", 2}, {"RAM32X1D", 2}, {"RAM64X1D", 2}, {"RAM128X1D", 4}, {"RAM32M", 4},
      {"RAM64M", 4},   {"RAM32M16", 8}, {"RAM64M8", 8},
  };
  const auto it = kLuts.find(type);
  return it == kLuts.end() ? -1 : it->second;
}

bool is_lut(const std::string& t) {
  return t.size() == 4 && starts_with(t, "LUT") && t[3] >= '1' && t[3] <= '6';
}

// INV cells whose output only drives the asynchronous clear / preset of flip-flops:
// Yosys 0.23 leaves one per flop on an active-low reset, Vivado folds them into the
// flop (IS_CLR_INVERTED), so they are not LUTs.
std::set<std::string> reset_inverters(const NetModule& mod) {
  std::map<int64_t, const NetCell*> inv_out;
  for (const auto& cell : mod.cells) {
    if (cell.type != "INV") continue;
    for (const auto& [port, bits] : cell.connections) {
      if (port == "O" && bits.size() == 1 && bits[0] != kConstBit) inv_out[bits[0]] = &cell;
    }
  }
  std::set<int64_t> other_use;
  for (const auto& cell : mod.cells) {
    const bool reset_pin_cell = cell.type == "FDCE" || cell.type == "FDPE";
    for (const auto& [port, bits] : cell.connections) {
      if (cell.type == "INV" && port == "O") continue;
      if (reset_pin_cell && (port == "CLR" || port == "PRE")) continue;
      for (int64_t b : bits) {
        if (inv_out.count(b) != 0) other_use.insert(b);
      }
    }
  }
  for (const auto& port : mod.ports) {
    for (int64_t b : port.bits) {
      if (inv_out.count(b) != 0) other_use.insert(b);
    }
  }
  std::set<std::string> names;
  for (const auto& [bit, cell] : inv_out) {
    if (other_use.count(bit) == 0) names.insert(cell->name);
  }
  return names;
}

void count_xilinx(const Netlist& netlist, const Census& census, const SynthOptions& options,
                  XilinxResources& x, std::vector<std::string>& warnings) {
  std::set<std::string> unknown;
  std::map<std::string, std::set<std::string>> reset_inv;  // per Yosys module
  x.modules =
      module_rows<FpgaModule>(netlist, census, options.categories, true,
                              [&](FpgaModule& row, const NetModule& mod, const NetCell& cell, int64_t count) {
                                auto inv = reset_inv.find(mod.name);
                                if (inv == reset_inv.end())
                                  inv = reset_inv.emplace(mod.name, reset_inverters(mod)).first;
                                const std::string& t = cell.type;
                                x.cells_by_type[t] += count;
                                const double n = static_cast<double>(count);
                                if (is_lut(t) || (t == "INV" && inv->second.count(cell.name) == 0)) {
                                  x.lut_logic += count;
                                  row.resources["lut"] += n;
                                } else if (t == "INV") {
                                  x.reset_inverters += count;
                                } else if (lutram_luts(t) > 0) {
                                  x.lut_memory += count * lutram_luts(t);
                                  row.resources["lut"] += n * static_cast<double>(lutram_luts(t));
                                  row.resources["lutram"] += n * static_cast<double>(lutram_luts(t));
                                } else if (t == "SRL16E" || t == "SRLC16E" || t == "SRLC32E") {
                                  x.lut_shift += count;
                                  row.resources["lut"] += n;
                                } else if (t == "FDRE" || t == "FDSE" || t == "FDCE" || t == "FDPE") {
                                  x.flip_flops += count;
                                  row.resources["ff"] += n;
                                } else if (t == "LDCE" || t == "LDPE") {
                                  x.latches += count;
                                } else if (t == "CARRY4") {
                                  x.carry += count;
                                  row.resources["carry"] += n;
                                } else if (t == "DSP48E1") {
                                  x.dsp48 += count;
                                  row.resources["dsp"] += n;
                                } else if (t == "RAMB36E1") {
                                  x.ramb36 += count;
                                  row.resources["bram"] += n;
                                } else if (t == "RAMB18E1") {
                                  x.ramb18 += count;
                                  row.resources["bram"] += 0.5 * n;
                                } else if (t == "MUXF7") {
                                  x.muxf7 += count;
                                } else if (t == "MUXF8") {
                                  x.muxf8 += count;
                                } else if (t != "VCC" && t != "GND") {
                                  unknown.insert(t);
                                }
                              });
  x.bram_tiles = static_cast<double>(x.ramb36) + 0.5 * static_cast<double>(x.ramb18);
  // Every column in every row, also where it is 0.
  for (auto& row : x.modules) {
    for (const char* key : {"lut", "lutram", "ff", "carry", "dsp", "bram"}) row.resources[key] += 0;
  }
  std::sort(x.modules.begin(), x.modules.end(), [](const FpgaModule& a, const FpgaModule& b) {
    return a.resources.at("lut") > b.resources.at("lut");
  });
  for (const auto& t : unknown) {
    warnings.push_back(fmt::format("dnngen: xilinx cell type {} is not counted in any resource column", t));
  }
  if (x.latches > 0) warnings.push_back(fmt::format("dnngen: {} latches inferred", x.latches));
}

// ---------------------------------------------------------------- ice40

// Verilog of the out-of-context wrapper: every input of the engine (but clk_i and
// rst_ni) comes from a shift register fed by one pin, and the XOR of all outputs goes
// to a flop and one pin, so that no logic is unobservable and no port needs a pin.
std::string ice40_wrapper(const config::Config& cfg, const std::string& core_top,
                          const std::vector<eda::Port>& ports, int64_t& in_bits, int64_t& out_bits) {
  in_bits = 0;
  out_bits = 0;
  std::string conns;
  for (const auto& p : ports) {
    if (p.name == "clk_i" || p.name == "rst_ni") {
      conns += fmt::format("    .{0}({0}),\n", p.name);
    } else if (p.direction == "input") {
      conns += fmt::format("    .{}(in_q[{}:{}]),\n", p.name, in_bits + p.width - 1, in_bits);
      in_bits += p.width;
    } else if (p.direction == "output") {
      conns += fmt::format("    .{}(out_w[{}:{}]),\n", p.name, out_bits + p.width - 1, out_bits);
      out_bits += p.width;
    } else {
      throw ToolError(fmt::format("ice40 target: port {} of {} is {}; only inputs and outputs are supported",
                                  p.name, core_top, p.direction));
    }
  }
  if (in_bits == 0 || out_bits == 0) {
    throw ToolError(fmt::format("ice40 target: {} has no data inputs or no outputs", core_top));
  }
  if (!conns.empty()) conns.erase(conns.size() - 2);  // the last ",\n"
  const std::string shift = in_bits > 1 ? fmt::format("{{in_q[{}:0], scan_i}}", in_bits - 2) : "scan_i";
  std::string v = fmt::format(
      "// Generated by dnngen for config '{}': out-of-context wrapper for place and route.\n"
      "// The {} input bits of the engine come from a shift register, the XOR of its {} output\n"
      "// bits goes to one flop: four pins instead of {}, and every output stays observable.\n",
      cfg.name, in_bits, out_bits, in_bits + out_bits + 2);
  v += fmt::format("module {} (\n", kWrapperTop);
  v += "  input  wire clk_i,\n  input  wire rst_ni,\n  input  wire scan_i,\n  output wire "
       "scan_o\n);\n";
  v += fmt::format("  reg  [{}:0] in_q;\n  wire [{}:0] out_w;\n  reg         out_q;\n", in_bits - 1,
                   out_bits - 1);
  v += "  always @(posedge clk_i) begin\n";
  v += fmt::format("    in_q  <= {};\n", shift);
  v += "    out_q <= ^out_w;\n  end\n";
  v += "  assign scan_o = out_q;\n";
  v += fmt::format("  {} u_core (\n{}\n  );\n", core_top, conns);
  v += "endmodule\n";
  return v;
}

struct PackResult {
  std::map<std::string, std::pair<int64_t, int64_t>> utilisation;  // used, available
  double fmax_mhz = 0;
  bool has_fmax = false;
};

PackResult read_nextpnr_report(const fs::path& path) {
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("utilization")) {
    throw ToolError("nextpnr-ice40 wrote no readable report " + path.string());
  }
  PackResult r;
  for (const auto& [name, u] : j.at("utilization").items()) {
    r.utilisation[name] = {u.value("used", int64_t{0}), u.value("available", int64_t{0})};
  }
  if (j.contains("fmax")) {
    for (const auto& [clock, f] : j.at("fmax").items()) {
      const double achieved = f.value("achieved", 0.0);
      if (!r.has_fmax || achieved < r.fmax_mhz) r.fmax_mhz = achieved;
      r.has_fmax = true;
    }
  }
  return r;
}

// "1602 of 1280 ICESTORM_LC" for each over-used resource, "" if everything fits.
std::string overuse(const PackResult& r) {
  std::string out;
  for (const auto& [name, u] : r.utilisation) {
    if (u.first > u.second)
      out += fmt::format("{}{} of {} {}", out.empty() ? "" : ", ", u.first, u.second, name);
  }
  return out;
}

// The first "ERROR: " line of a nextpnr log, or "".
std::string first_error(const fs::path& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (starts_with(line, "ERROR: ")) return line.substr(7);
  }
  return "";
}

bool is_capacity_error(const std::string& error) {
  return error.find("Unable to find a placement location") != std::string::npos ||
         error.find("than available") != std::string::npos ||
         error.find("failed to place") != std::string::npos ||
         error.find("Failed to route") != std::string::npos ||
         error.find("Failed to legalise") != std::string::npos;
}

[[noreturn]] void throw_no_fit(const config::Config& cfg, const SynthOptions& options, const Ice40Report& ice,
                               const fs::path& work) {
  if (!options.device.empty()) {
    throw InputError(fmt::format("{} does not fit the iCE40 device {}: {} (logs in {})", cfg.name,
                                 options.device, ice.rejected.empty() ? "?" : ice.rejected.front(),
                                 work.string()));
  }
  throw InputError(fmt::format("{} fits no iCE40 device: {} (logs in {})", cfg.name, join(ice.rejected, "; "),
                               work.string()));
}

std::vector<std::string> nextpnr_argv(const Ice40Device& dev) {
  return {"nextpnr-ice40", "--" + dev.name, "--package", dev.package, "--json",
          kIce40Netlist,   "--top",         kWrapperTop, "--seed",    "1"};
}

}  // namespace

std::string xilinx_script(const config::Config& cfg, const SynthOptions& options) {
  const std::string top = synth_design(cfg, options).top;
  std::string s = yosys_front(cfg, options);
  s += "# SRAM buffers map to block RAM or LUT RAM here, as in a user's FPGA flow.\n";
  s += "# Out of context: no I/O buffers, no global clock buffer.\n";
  s += "design -save elaborated\n";
  for (int nodsp = 0; nodsp < 2; ++nodsp) {
    if (nodsp != 0) s += "design -load elaborated\n";
    s += fmt::format("synth_xilinx -top {} -family xc7 -noiopad -noclkbuf{}\n", top, nodsp ? " -nodsp" : "");
    s += fmt::format("tee -q -o stat_xilinx_{}.txt stat\n", nodsp ? "nodsp" : "dsp");
    s += "delete =A:blackbox\n";  // the vendor cell library: nothing to count there
    s += fmt::format("write_json {}\n", kXilinxNetlist[nodsp]);
  }
  return s;
}

void run_xilinx(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
                SynthReport& report) {
  for (const char* stale : kXilinxNetlist) fs::remove(work / stale);
  report.yosys_seconds =
      eda::run_yosys(work, kScriptName, xilinx_script(cfg, options), kLogName, "synth_xilinx of " + cfg.name);
  add_log_warnings(work / kLogName, report, kBenignFpgaWarnings);
  for (int nodsp = 0; nodsp < 2; ++nodsp) {
    const Netlist netlist = eda::load_netlist(work / kXilinxNetlist[nodsp]);
    const NetModule& top = eda::find_top(netlist, report.top, work / kXilinxNetlist[nodsp]);
    Census census = take_census(netlist, top, report);
    XilinxResources& x = nodsp ? report.xilinx.without_dsp : report.xilinx.with_dsp;
    x.dsp = nodsp == 0;
    count_xilinx(netlist, census, options, x, report.warnings);
  }
}

void check_ice40_device(const std::string& device) {
  if (device.empty()) return;
  std::vector<std::string> names;
  for (const auto& d : ice40_devices()) {
    if (d.name == device) return;
    names.push_back(d.name);
  }
  throw InputError(fmt::format("unknown iCE40 device '{}'; legal devices: {}", device, join(names, ", ")));
}

std::string ice40_script(const config::Config& cfg, const SynthOptions& options) {
  std::string s = yosys_front(cfg, options, {kWrapperFile}, kWrapperTop);
  s += "# SRAM buffers map to SB_RAM40_4K block RAM; synth_ice40 flattens the design.\n";
  s += fmt::format("synth_ice40 -top {} -json {}\n", kWrapperTop, kIce40Netlist);
  s += fmt::format("tee -q -o {} stat\n", kIce40Stat);
  return s;
}

void run_ice40(const config::Config& cfg, const SynthOptions& options, const fs::path& work,
               SynthReport& report) {
  Ice40Report& ice = report.ice40;
  for (const char* stale : {kIce40Netlist, kIce40Stat, kWrapperFile, kPnrReport, kPnrLog})
    fs::remove(work / stale);
  // Elaboration first: the engine's ports for the wrapper, and its SRAM buffers, which
  // rule out parts that could not hold them before the (slow, flat) synthesis.
  const std::string elab_script =
      yosys_front(cfg, options) + blackbox_srams() + "proc\n" + fmt::format("write_json {}\n", kElabNetlist);
  fs::remove(work / kElabNetlist);
  report.yosys_seconds +=
      eda::run_yosys(work, "elaborate.ys", elab_script, "elaborate.log", "elaboration of " + cfg.name);
  std::vector<eda::Port> ports;
  {
    const Netlist elab = eda::load_netlist(work / kElabNetlist);
    const NetModule& core = eda::find_top(elab, report.top, work / kElabNetlist);
    ports = eda::ports_of(core);
    Census census = take_census(elab, core, report);
    add_macros(census, report);
  }
  std::vector<Ice40Device> candidates;
  for (const auto& d : ice40_devices()) {
    if (!options.device.empty() && d.name != options.device) continue;
    // Every SRAM bit needs a block-RAM bit or a logic cell's flip-flop.
    const int64_t capacity = d.brams * 4096 + d.lcs;
    if (report.sram_bits > capacity) {
      ice.rejected.push_back(
          fmt::format("{}: the SRAM buffers hold {} bits, more than its {} block RAMs and {} logic "
                      "cells can store ({})",
                      d.name, report.sram_bits, d.brams, d.lcs, capacity));
      continue;
    }
    candidates.push_back(d);
  }
  ice.auto_device = options.device.empty();
  if (candidates.empty()) throw_no_fit(cfg, options, ice, work);
  eda::write_text(work / kWrapperFile,
                  ice40_wrapper(cfg, report.top, ports, ice.core_input_bits, ice.core_output_bits));
  report.yosys_seconds +=
      eda::run_yosys(work, kScriptName, ice40_script(cfg, options), kLogName, "synth_ice40 of " + cfg.name);
  add_log_warnings(work / kLogName, report, kBenignFpgaWarnings);

  const Netlist netlist = eda::load_netlist(work / kIce40Netlist);
  const NetModule& top = eda::find_top(netlist, kWrapperTop, work / kIce40Netlist);
  for (const auto& cell : top.cells) {
    const std::string& t = cell.type;
    ++ice.cells_by_type[t];
    if (t == "SB_LUT4") ++ice.luts;
    if (t == "SB_CARRY") ++ice.carries;
    if (starts_with(t, "SB_DFF")) ++ice.flip_flops;
    if (starts_with(t, "SB_RAM40_4K")) ++ice.rams;
  }

  ice.nextpnr_log = (work / kPnrLog).string();
  ice.nextpnr_report = (work / kPnrReport).string();
  for (const auto& dev : candidates) {
    // Packing is fast and gives exact logic-cell and RAM counts against the part's.
    const std::string pack_log = fmt::format("nextpnr_pack_{}.log", dev.name);
    const std::string pack_report = fmt::format("nextpnr_pack_{}.json", dev.name);
    std::vector<std::string> argv = nextpnr_argv(dev);
    argv.insert(argv.end(), {"--pack-only", "--report", pack_report});
    ice.nextpnr_seconds +=
        eda::run_checked(argv, work, work / pack_log, "packing " + cfg.name + " for " + dev.name);
    const std::string over = overuse(read_nextpnr_report(work / pack_report));
    if (!over.empty()) {
      ice.rejected.push_back(fmt::format("{}: {}", dev.name, over));
      continue;
    }
    argv = nextpnr_argv(dev);
    argv.insert(argv.end(), {"--report", kPnrReport});
    const std::string what = "place and route of " + cfg.name + " on " + dev.name;
    try {
      ice.nextpnr_seconds += eda::run_checked(argv, work, work / kPnrLog, what);
    } catch (const ToolError&) {
      const std::string error = first_error(work / kPnrLog);
      if (!is_capacity_error(error)) throw;
      ice.rejected.push_back(fmt::format("{}: {}", dev.name, error));
      continue;
    }
    const PackResult routed = read_nextpnr_report(work / kPnrReport);
    ice.device = dev.name;
    ice.package = dev.package;
    ice.utilisation = routed.utilisation;
    ice.fmax_mhz = routed.fmax_mhz;
    if (!routed.has_fmax) report.warnings.push_back("dnngen: nextpnr reported no clock (no Fmax)");
    return;
  }
  throw_no_fit(cfg, options, ice, work);
}

// ---------------------------------------------------------------- output

namespace {

nlohmann::json xilinx_resources_json(const XilinxResources& x) {
  nlohmann::json j = {{"dsp_allowed", x.dsp},
                      {"luts", x.luts()},
                      {"lut_logic", x.lut_logic},
                      {"lut_memory", x.lut_memory},
                      {"lut_shift", x.lut_shift},
                      {"flip_flops", x.flip_flops},
                      {"latches", x.latches},
                      {"carry4", x.carry},
                      {"dsp48e1", x.dsp48},
                      {"ramb36e1", x.ramb36},
                      {"ramb18e1", x.ramb18},
                      {"bram_tiles", x.bram_tiles},
                      {"muxf7", x.muxf7},
                      {"muxf8", x.muxf8},
                      {"reset_inverters", x.reset_inverters},
                      {"cells_by_type", x.cells_by_type}};
  j["modules"] = nlohmann::json::array();
  for (const auto& m : x.modules) {
    j["modules"].push_back({{"module", m.module},
                            {"category", m.category},
                            {"instances", m.instances},
                            {"resources", m.resources}});
  }
  return j;
}

std::string xilinx_row(const std::string& label, const XilinxResources& x) {
  return fmt::format("  {:<10} {:>9} {:>8} {:>7} {:>8} {:>7} {:>6} {:>9} {:>7}", label, x.luts(),
                     x.lut_memory, x.lut_shift, x.flip_flops, x.carry, x.dsp48, x.bram_tiles,
                     x.ramb36 + x.ramb18);
}

}  // namespace

namespace {

// With --shell: the resources of the module rows outside the engine core (category shell).
std::map<std::string, double> xilinx_shell_resources(const XilinxResources& x) {
  std::map<std::string, double> sum = {{"lut", 0}, {"ff", 0}, {"carry", 0}, {"dsp", 0}, {"bram", 0}};
  for (const auto& m : x.modules) {
    if (m.category != "shell") continue;
    for (auto& [name, value] : sum) {
      const auto it = m.resources.find(name);
      if (it != m.resources.end()) value += it->second;
    }
  }
  return sum;
}

}  // namespace

nlohmann::json xilinx_json(const SynthReport& r) {
  nlohmann::json j = {{"family", r.xilinx.family},
                      {"with_dsp", xilinx_resources_json(r.xilinx.with_dsp)},
                      {"without_dsp", xilinx_resources_json(r.xilinx.without_dsp)},
                      {"srams", "mapped to block RAM / LUT RAM by synth_xilinx"}};
  if (!r.engine_core.empty()) {
    j["shell"] = xilinx_shell_resources(r.xilinx.with_dsp);
    j["shell"]["engine_core"] = r.engine_core;
  }
  return j;
}

std::string xilinx_table(const SynthReport& r) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  const XilinxResources& d = r.xilinx.with_dsp;
  line(fmt::format("synth {} (target xilinx {}, top {}): Yosys {:.1f} s (both runs)", r.config_name,
                   r.xilinx.family, r.top, r.yosys_seconds));
  line("  SRAM buffers are mapped to block RAM / LUT RAM (not black boxes) on this target.");
  line("");
  line(fmt::format("  {:<10} {:>9} {:>8} {:>7} {:>8} {:>7} {:>6} {:>9} {:>7}", "run", "LUTs", "LUTRAM", "SRL",
                   "FFs", "CARRY4", "DSP48", "BRAM36eq", "RAMB"));
  line(xilinx_row("DSP", d));
  line(xilinx_row("-nodsp", r.xilinx.without_dsp));
  line(fmt::format("  (LUTs include LUTRAM and SRL; {} reset inverters left by Yosys are not counted)",
                   d.reset_inverters));
  if (!r.engine_core.empty()) {
    const auto shell = xilinx_shell_resources(d);
    line(fmt::format("  of which shell: {} LUTs, {} FFs, {} CARRY4, {} DSP48, {} BRAM36eq (the rest is {})",
                     shell.at("lut"), shell.at("ff"), shell.at("carry"), shell.at("dsp"), shell.at("bram"),
                     r.engine_core));
  }
  line("");
  line(fmt::format("  {:<26} {:<8} {:>6} {:>9} {:>8} {:>7} {:>6} {:>9}", "module (DSP run)", "category",
                   "inst", "LUTs", "FFs", "CARRY4", "DSP48", "BRAM36eq"));
  for (const auto& m : d.modules) {
    line(fmt::format("  {:<26} {:<8} {:>6} {:>9} {:>8} {:>7} {:>6} {:>9}", m.module, m.category, m.instances,
                     m.resources.at("lut"), m.resources.at("ff"), m.resources.at("carry"),
                     m.resources.at("dsp"), m.resources.at("bram")));
  }
  line("");
  for (const auto& w : r.warnings) line("  warning: " + w);
  line("  log: " + r.log_path);
  return out;
}

nlohmann::json ice40_json(const SynthReport& r) {
  const Ice40Report& i = r.ice40;
  nlohmann::json util = nlohmann::json::object();
  for (const auto& [name, u] : i.utilisation) util[name] = {{"used", u.first}, {"available", u.second}};
  return {{"device", i.device},
          {"package", i.package},
          {"auto_device", i.auto_device},
          {"rejected", i.rejected},
          {"fmax_mhz", i.fmax_mhz},
          {"utilization", util},
          {"synth",
           {{"luts", i.luts},
            {"carries", i.carries},
            {"flip_flops", i.flip_flops},
            {"rams", i.rams},
            {"cells_by_type", i.cells_by_type}}},
          {"wrapper",
           {{"module", kWrapperTop},
            {"core_input_bits", i.core_input_bits},
            {"core_output_bits", i.core_output_bits}}},
          {"nextpnr_seconds", i.nextpnr_seconds},
          {"nextpnr_log", i.nextpnr_log},
          {"nextpnr_report", i.nextpnr_report}};
}

std::string ice40_table(const SynthReport& r) {
  const Ice40Report& i = r.ice40;
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  auto util = [&i](const char* name) {
    const auto it = i.utilisation.find(name);
    if (it == i.utilisation.end()) return std::string("-");
    const auto [used, avail] = it->second;
    return fmt::format("{} / {} ({:.0f} %)", used, avail, avail > 0 ? 100.0 * used / avail : 0.0);
  };
  line(fmt::format("synth {} (target ice40, top {}): Yosys {:.1f} s, nextpnr {:.1f} s", r.config_name, r.top,
                   r.yosys_seconds, i.nextpnr_seconds));
  line(fmt::format("  device           {} ({}){}", i.device, i.package,
                   i.auto_device ? ", the smallest that fits" : ""));
  for (const auto& why : i.rejected) line("    does not fit " + why);
  line(fmt::format("  Fmax (routed)    {:.1f} MHz", i.fmax_mhz));
  line("  logic cells      " + util("ICESTORM_LC"));
  line("  block RAMs       " + util("ICESTORM_RAM"));
  line("  I/O              " + util("SB_IO"));
  line("  global buffers   " + util("SB_GB"));
  line(fmt::format("  synth_ice40      {} SB_LUT4, {} SB_CARRY, {} flip-flops, {} SB_RAM40_4K", i.luts,
                   i.carries, i.flip_flops, i.rams));
  line(fmt::format("  wrapper          {} input bits shifted in, XOR of {} output bits (SRAMs in block RAM)",
                   i.core_input_bits, i.core_output_bits));
  line("");
  for (const auto& w : r.warnings) line("  warning: " + w);
  line("  log: " + r.log_path);
  line("  place and route: " + i.nextpnr_log);
  return out;
}

}  // namespace detail

std::vector<Ice40Device> ice40_devices() {
  // Smallest first, with the capacities nextpnr-ice40 0.4 reports (the open flow uses
  // the whole die: an HX4K is an HX8K die, an UP3K an UP5K one, so those are left out).
  return {{"hx1k", "tq144", 1280, 16}, {"up5k", "sg48", 5280, 30}, {"hx8k", "ct256", 7680, 32}};
}

}  // namespace dnngen::synth
