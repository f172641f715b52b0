// `dnngen generate`: the configured RTL bundle. The bundle is assembled in a
// temporary directory beside the destination and renamed into place
// (common/output_dir.hpp), so a failure at any step leaves the destination as it was.
#include "dnngen/generate/bundle.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/eda/yosys.hpp"
#include "dnngen/generate/verilog2005.hpp"
#include "dnngen/rtl/sources.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/shell/wrapper.hpp"

namespace dnngen::generate {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

const char* const kManifest = "manifest.json";
constexpr int kFormatVersion = 1;

// ---------------------------------------------------------------- SHA-256 (FIPS 180-4)

constexpr std::array<uint32_t, 64> kSha256K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void sha256_block(std::array<uint32_t, 8>& h, const unsigned char* block) {
  std::array<uint32_t, 64> w{};
  for (int i = 0; i < 16; ++i) {
    w[i] = (uint32_t{block[4 * i]} << 24) | (uint32_t{block[4 * i + 1]} << 16) |
           (uint32_t{block[4 * i + 2]} << 8) | uint32_t{block[4 * i + 3]};
  }
  for (int i = 16; i < 64; ++i) {
    const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; ++i) {
    const uint32_t t1 =
        k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kSha256K[i] + w[i];
    const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

// ---------------------------------------------------------------- files

std::string read_file(const fs::path& path) { return output::read_text_file(path); }

void write_file(const fs::path& path, const std::string& text) { output::write_text_file(path, text); }

// A directory made with mkdtemp(3) from `prefix` + "XXXXXX".
fs::path make_temp_dir(const fs::path& prefix) {
  std::string pattern = prefix.string() + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw InputError(
        fmt::format("cannot create a temporary directory {}: {}", pattern, std::strerror(errno)));
  }
  return pattern;
}

output::DirKind bundle_kind() { return {kManifest, kBundleFormat, "dnngen bundle"}; }

// ---------------------------------------------------------------- contents

std::string yaml_text(const config::Config& cfg) {
  if (!cfg.source_path.empty() && fs::is_regular_file(cfg.source_path)) return read_file(cfg.source_path);
  // A config parsed from text: render the values it holds.
  const config::SystolicConfig& s = cfg.systolic;
  std::string y = fmt::format("name: {}\nengine: {}\n{}:\n", cfg.name, cfg.engine, cfg.engine);
  y += fmt::format("  rows: {}\n  cols: {}\n  dataflow: {}\n", s.rows, s.cols, config::to_string(s.dataflow));
  y += fmt::format("  input_bits: {}\n  weight_bits: {}\n  acc_bits: {}\n", s.input_bits, s.weight_bits,
                   s.acc_bits);
  y += fmt::format("  signed: {}\n  overflow: {}\n", s.is_signed ? "true" : "false",
                   config::to_string(s.overflow));
  y += fmt::format("  max_m: {}\n  max_n: {}\n  max_k: {}\n", s.max_m, s.max_n, s.max_k);
  return y;
}

std::string range(const eda::Port& p) {
  return p.width > 1 ? fmt::format("[{}:0]", p.width - 1) : std::string();
}

std::string wrapper_sv(const config::Config& cfg, const std::vector<eda::Port>& ports) {
  const std::string top = config::rtl_top_module(cfg);
  const auto params = config::rtl_parameters(cfg);
  size_t range_w = 0, port_w = 0, param_w = 0;
  for (const auto& p : ports) {
    range_w = std::max(range_w, range(p).size() + (p.is_signed ? 7 : 0));
    port_w = std::max(port_w, p.name.size());
  }
  for (const auto& [name, value] : params) param_w = std::max(param_w, name.size());

  std::string sv;
  sv += fmt::format("// {}: {} with the parameters of {}.\n", cfg.name, top,
                    cfg.source_path.empty() ? std::string("its configuration")
                                            : fs::path(cfg.source_path).filename().string());
  sv += fmt::format("// Generated by dnngen {}; do not edit, regenerate with `dnngen generate`.\n",
                    kDnngenVersion);
  sv += fmt::format("module {} (\n", cfg.name);
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto& p = ports[i];
    const std::string dir = p.direction == "input" ? "input " : p.direction == "output" ? "output" : "inout ";
    const std::string type = std::string(p.is_signed ? "signed " : "") + range(p);
    sv +=
        fmt::format("  {} logic {:<{}} {}{}\n", dir, type, range_w, p.name, i + 1 < ports.size() ? "," : "");
  }
  sv += ");\n\n";
  sv += fmt::format("  {} #(\n", top);
  for (size_t i = 0; i < params.size(); ++i) {
    sv += fmt::format("    .{:<{}} ({}){}\n", params[i].first, param_w, params[i].second,
                      i + 1 < params.size() ? "," : "");
  }
  sv += "  ) u_top (\n";
  for (size_t i = 0; i < ports.size(); ++i) {
    sv += fmt::format("    .{:<{}} ({}){}\n", ports[i].name, port_w, ports[i].name,
                      i + 1 < ports.size() ? "," : "");
  }
  sv += "  );\n\nendmodule\n";
  return sv;
}

std::string filelist(const std::vector<std::string>& files) {
  std::string f;
  for (const auto& file : files) f += file + "\n";
  return f;
}

// What every FuseSoC core of the bundle starts with: the header and the RTL fileset.
std::string core_header(const std::string& name, const std::string& description,
                        const std::vector<std::string>& files) {
  std::string c = "CAPI=2:\n";
  c += fmt::format("# Generated by dnngen {}; do not edit, regenerate with `dnngen generate`.\n",
                   kDnngenVersion);
  c += fmt::format("name: dnngen:generated:{}:{}\n", name, kDnngenVersion);
  c += fmt::format("description: \"{}\"\n\n", description);
  c += "filesets:\n  rtl:\n    files:\n";
  for (const auto& file : files) c += "      - " + file + "\n";
  c += "    file_type: systemVerilogSource\n";
  return c;
}

// The targets every core has: the default (RTL fileset, the top) and Verilator lint.
std::string core_default_and_lint(const std::string& top) {
  std::string c = "  default: &default\n    filesets: [rtl]\n    toplevel: " + top + "\n";
  c += "  lint:\n    <<: *default\n    default_tool: verilator\n    tools:\n";
  c += "      verilator:\n        mode: lint-only\n        verilator_options: [-Wall]\n";
  return c;
}

std::string core_file(const config::Config& cfg, const std::vector<std::string>& files) {
  std::string c =
      core_header(cfg.name, fmt::format("dnngen {} engine, configuration {}", cfg.engine, cfg.name), files);
  c += "\ntargets:\n" + core_default_and_lint(cfg.name);
  c += "  # FPGA synthesis; for area reports of the generic/ASIC flow use `dnngen synth`.\n";
  c += "  synth:\n    <<: *default\n    default_tool: yosys\n    tools:\n";
  c += "      yosys:\n        arch: ice40\n        output_format: json\n";
  return c;
}

// ---------------------------------------------------------------- the accelerator shell

std::string shell_core_file(const config::Config& cfg, const std::vector<std::string>& files) {
  const std::string top = shell::wrapper_top(cfg);
  std::vector<std::string> relative;  // to shell/, where the core lies
  for (const auto& file : files) relative.push_back(file.substr(std::string("shell/").size()));
  std::string c = core_header(
      top, fmt::format("dnngen {} engine behind the AXI shell, configuration {}", cfg.engine, cfg.name),
      relative);
  c += "  constraints:\n    files:\n      - " + top + ".sdc: {file_type: SDC}\n";
  c += "\ntargets:\n" + core_default_and_lint(top);
  c += "  # Verilator model of the shell for your own C++ testbench (see testbench/shell/ of dnngen).\n";
  c += "  sim:\n    <<: *default\n    default_tool: verilator\n    tools:\n";
  c += "      verilator:\n        mode: cc\n        verilator_options: [--assert, -O3]\n";
  c += "  synth_xilinx:\n    filesets: [rtl, constraints]\n    toplevel: " + top +
       "\n    default_tool: yosys\n    tools:\n      yosys:\n        arch: xilinx\n        output_format: "
       "json\n";
  return c;
}

// The shell around the engine, in shell/ of the bundle, when the engine has one.
void stage_shell(const config::Config& cfg, const fs::path& dir, std::vector<std::string>& all) {
  const shell::RegisterMap& map = shell::register_map();
  std::vector<std::string> files;  // the shell's filelist, packages first
  const fs::path root = rtl::rtl_root();
  for (const auto& rel : rtl::filelist_sources(shell::shell_filelist(cfg))) {
    const std::string dst = (fs::path("shell/rtl") / rel).generic_string();
    write_file(dir / dst, read_file(root / rel));
    files.push_back(dst);
    if (rel == "common/dnn_pkg.sv") {
      const std::string pkg = "shell/rtl/shell/dnn_shell_regs_pkg.sv";
      write_file(dir / pkg, shell::sv_package(map));
      files.push_back(pkg);
    }
  }
  const std::string top = shell::wrapper_top(cfg);
  const std::string wrapper = "shell/" + top + ".sv";
  write_file(dir / wrapper, shell::wrapper_sv(cfg));
  files.push_back(wrapper);
  std::string list;
  for (const auto& f : files) list += f.substr(std::string("shell/").size()) + "\n";
  const std::string extra[] = {"shell/" + top + ".f", "shell/" + top + ".core", "shell/" + top + ".sdc",
                               "shell/regmap.md", "shell/dnngen_regs.h"};
  write_file(dir / extra[0], list);
  write_file(dir / extra[1], shell_core_file(cfg, files));
  write_file(dir / extra[2],
             fmt::format("# {}: the clock of the engine and its shell. 100 MHz is a placeholder: set "
                         "your target.\ncreate_clock -name clk -period 10.000 [get_ports clk_i]\n",
                         top));
  write_file(dir / extra[3], "# " + top + ": register map\n\n" + shell::markdown_table(map));
  write_file(dir / extra[4], shell::c_header(map));
  all.insert(all.end(), files.begin(), files.end());
  all.insert(all.end(), std::begin(extra), std::end(extra));
}

ojson manifest(const config::Config& cfg, const std::vector<eda::Port>& ports, const fs::path& staged,
               const std::vector<std::string>& files) {
  ojson m;
  m["format"] = kBundleFormat;
  m["format_version"] = kFormatVersion;
  m["dnngen_version"] = kDnngenVersion;
  m["name"] = cfg.name;
  m["engine"] = cfg.engine;
  m["top_module"] = cfg.name;
  m["engine_top_module"] = config::rtl_top_module(cfg);
  m["parameters"] = ojson::object();
  for (const auto& [name, value] : config::rtl_parameters(cfg)) m["parameters"][name] = value;
  m["ports"] = ojson::array();
  for (const auto& p : ports) {
    m["ports"].push_back({{"name", p.name}, {"direction", p.direction}, {"width", p.width}});
  }
  if (config::has_shell(cfg)) {
    m["shell"] = {{"top_module", shell::wrapper_top(cfg)},
                  {"engine_top_module", shell::engine_shell_module(cfg)}};
    m["shell"]["parameters"] = ojson::object();
    for (const auto& [name, value] : config::shell_rtl_parameters(cfg))
      m["shell"]["parameters"][name] = value;
  }
  m["config"] = {{"source", cfg.source_path}, {"yaml", yaml_text(cfg)}};
  m["files"] = ojson::array();
  for (const auto& rel : files) {
    const std::string content = read_file(staged / rel);
    m["files"].push_back({{"path", rel}, {"bytes", content.size()}, {"sha256", sha256_hex(content)}});
  }
  return m;
}

// Writes every file of the bundle into `dir`.
void stage(const config::Config& cfg, const std::vector<eda::Port>& ports, const fs::path& dir,
           const BundleOptions& options) {
  std::vector<std::string> files;  // relative, in filelist order
  const fs::path root = rtl::rtl_root();
  for (const auto& rel : rtl::rtl_sources(cfg)) {
    const std::string dst = (fs::path("rtl") / rel).generic_string();
    write_file(dir / dst, read_file(root / rel));
    files.push_back(dst);
  }
  const std::string wrapper = cfg.name + ".sv";
  write_file(dir / wrapper, wrapper_sv(cfg, ports));
  files.push_back(wrapper);

  const std::string list = cfg.name + ".f";
  const std::string core = cfg.name + ".core";
  write_file(dir / list, filelist(files));
  write_file(dir / core, core_file(cfg, files));
  std::vector<std::string> all = files;
  all.push_back(list);
  all.push_back(core);
  if (options.verilog2005) {
    write_flat_verilog(cfg, dir.string());  // reads the filelist written above
    all.push_back(flat_verilog_name(cfg));
  }
  if (config::has_shell(cfg)) stage_shell(cfg, dir, all);
  write_file(dir / kManifest, manifest(cfg, ports, dir, all).dump(2) + "\n");
}

// Port widths as Yosys elaborates the configured top, in a scratch directory that is
// kept only if Yosys fails (the error names its log).
std::vector<eda::Port> elaborated_ports(const config::Config& cfg) {
  const fs::path scratch = make_temp_dir(fs::temp_directory_path() / "dnngen-elab-");
  std::vector<eda::Port> ports =
      eda::elaborate_top_ports(eda::design(cfg, rtl::rtl_source_paths(cfg)), scratch.string());
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return ports;
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  std::array<uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  size_t full = data.size() / 64;
  for (size_t i = 0; i < full; ++i) sha256_block(h, bytes + 64 * i);
  // Padding: 0x80, zeros, then the message length in bits (big-endian, 64 bits).
  std::array<unsigned char, 128> tail{};
  const size_t rest = data.size() - 64 * full;
  std::copy(bytes + 64 * full, bytes + data.size(), tail.begin());
  tail[rest] = 0x80;
  const size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  for (size_t off = 0; off < tail_len; off += 64) sha256_block(h, tail.data() + off);
  std::string hex;
  for (uint32_t word : h) hex += fmt::format("{:08x}", word);
  return hex;
}

void write_bundle(const config::Config& cfg, const std::string& out_dir, const BundleOptions& options) {
  if (out_dir.empty()) throw InputError("no output directory given for the RTL bundle");
  output::classify(output::normalize(out_dir), bundle_kind());  // refuse early, before any work
  if (options.verilog2005 && !process::tool_exists("iverilog")) {
    throw ToolError("iverilog not found on PATH (needed to check the Verilog-2005 file of --verilog2005)");
  }

  const std::vector<eda::Port> ports = elaborated_ports(cfg);

  output::StagedDir staged(out_dir, bundle_kind());
  stage(cfg, ports, staged.path(), options);
  staged.commit();  // classifies again: the directory may have changed
}

}  // namespace dnngen::generate
