// `dnngen generate --verilog2005`: the flattened Verilog-2005 file of a 2x2 config.
// Covers: the file is written, listed in the manifest and holds one module named after
// the config with the wrapper's ports; Icarus Verilog re-reads it (and rejects a broken
// file with a ToolError naming its log); and a co-simulation check of equivalence: one
// Verilog testbench (loader writes of a packed GEMM, two back-to-back jobs, a result
// consumer that stalls every third cycle) drives the flat file under Icarus Verilog and
// the original SystemVerilog under Verilator; the two per-cycle traces of every output
// must be identical, and the first job's results must equal the golden GEMM; both
// dataflows (their cores differ). Skips without yosys / iverilog (and the co-simulation
// without verilator).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/process.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eda/yosys.hpp"
#include "dnngen/generate/bundle.hpp"
#include "dnngen/generate/verilog2005.hpp"
#include "dnngen/golden/gemm.hpp"
#include "dnngen/rtl/sources.hpp"
#include "dnngen/systolic/packing.hpp"
#include "dnngen/systolic/random_job.hpp"
#include "test_support.hpp"

namespace dnngen::generate {
namespace {
namespace fs = std::filesystem;
using dnngen::test_support::slurp;

std::string yaml(const std::string& dataflow) {
  return R"(name: tiny_flat
engine: systolic
systolic:
  rows: 2
  cols: 2
  dataflow: )" +
         dataflow + R"(
  input_bits: 8
  weight_bits: 8
  acc_bits: 24
  signed: true
  overflow: wrap
  max_m: 4
  max_n: 4
  max_k: 4
)";
}

// Verilog literal of a little-endian word vector, e.g. 16'h12af.
std::string literal(const BitWords& words, int width) {
  std::string hex;
  for (int digit = (width + 3) / 4 - 1; digit >= 0; --digit) {
    const uint32_t word =
        static_cast<size_t>(digit / 8) < words.size() ? words[static_cast<size_t>(digit / 8)] : 0;
    hex += "0123456789abcdef"[(word >> (4 * (digit % 8))) & 0xf];
  }
  return std::to_string(width) + "'h" + hex;
}

// Little-endian 32-bit words of a hex string (most significant digit first).
BitWords parse_hex(const std::string& hex) {
  BitWords words((hex.size() * 4 + 31) / 32, 0);
  for (size_t i = 0; i < hex.size(); ++i) {
    const size_t digit = hex.size() - 1 - i;
    const uint32_t v = static_cast<uint32_t>(std::stoul(hex.substr(i, 1), nullptr, 16));
    words[digit / 8] |= v << (4 * (digit % 8));
  }
  return words;
}

int width_of(const std::vector<eda::Port>& ports, const std::string& name) {
  for (const auto& p : ports) {
    if (p.name == name) return p.width;
  }
  ADD_FAILURE() << "no port " << name;
  return 1;
}

struct Job {
  int64_t m, n, k;
};

// One testbench for both simulators. Inputs change 1 ns after the falling edge and
// are checked for ready 2 ns after it; outputs are logged 2 ns after it (stable until
// the next rising edge, where transfers happen). The result consumer stalls every third
// cycle. One log line per cycle: cycle, out_ready_i, then every output in port order
// (result fields zeroed while out_valid_o is low).
std::string testbench(const std::string& top, const std::vector<eda::Port>& ports,
                      const std::vector<LoadWord>& loads, const std::vector<Job>& jobs) {
  const auto range = [](int width) {
    return width > 1 ? "[" + std::to_string(width - 1) + ":0] " : std::string();
  };
  std::string tb = "`timescale 1ns/1ps\nmodule tb;\n";
  std::string connect, log_format, log_args;
  for (const auto& p : ports) {
    if (p.direction == "input") {
      tb += "  reg " + range(p.width) + p.name + " = 0;\n";
    } else {
      tb += "  wire " + range(p.width) + p.name + ";\n";
      const bool result = p.name.rfind("out_", 0) == 0 && p.name != "out_valid_o";
      log_format += " %h";
      log_args +=
          ", " + (result ? "({" + std::to_string(p.width) + "{out_valid_o}} & " + p.name + ")" : p.name);
    }
    connect += std::string(connect.empty() ? "" : ", ") + "." + p.name + "(" + p.name + ")";
  }
  tb += "  integer f, cyc;\n";
  tb += "  " + top + " dut (" + connect + ");\n";
  tb += "  always #5 clk_i = ~clk_i;\n";
  tb += "  initial cyc = 0;\n";
  tb +=
      "  always @(negedge clk_i) begin\n    cyc = cyc + 1;\n    #1 out_ready_i = (cyc % 3) != 1;\n"
      "    #1 $fdisplay(f, \"%0d %b" +
      log_format + "\", cyc, out_ready_i" + log_args + ");\n  end\n";
  tb += "  task load(input sel, input " + range(width_of(ports, "ld_addr_i")) + "addr, input " +
        range(width_of(ports, "ld_data_i")) + "data);\n";
  tb +=
      "    begin\n      #1 ld_valid_i = 1'b1; ld_sel_i = sel; ld_addr_i = addr; ld_data_i = data;\n"
      "      #1 while (!ld_ready_o) begin @(negedge clk_i); #2; end\n"
      "      @(negedge clk_i) ld_valid_i = 1'b0;\n    end\n  endtask\n";
  const std::string dim = range(width_of(ports, "job_m_i"));
  tb += "  task job(input " + dim + "m, input " + dim + "n, input " + dim + "k);\n";
  tb +=
      "    begin\n      #1 job_valid_i = 1'b1; job_m_i = m; job_n_i = n; job_k_i = k;\n"
      "      #1 while (!job_ready_o) begin @(negedge clk_i); #2; end\n"
      "      @(negedge clk_i) job_valid_i = 1'b0;\n    end\n  endtask\n";
  tb +=
      "  initial begin\n    f = $fopen(\"trace.txt\", \"w\");\n    repeat (3) @(negedge clk_i);\n"
      "    rst_ni = 1'b1;\n    @(negedge clk_i);\n";
  const int addr_bits = width_of(ports, "ld_addr_i"), data_bits = width_of(ports, "ld_data_i");
  for (const auto& l : loads) {
    tb += "    load(1'b" + std::string(l.to_b ? "1" : "0") + ", " + std::to_string(addr_bits) + "'d" +
          std::to_string(l.addr) + ", " + literal(l.data, data_bits) + ");\n";
  }
  for (const auto& j : jobs) {
    tb += "    job(" + std::to_string(j.m) + ", " + std::to_string(j.n) + ", " + std::to_string(j.k) + ");\n";
  }
  tb += "    repeat (150) @(negedge clk_i);\n    #3 $fclose(f);\n    $finish;\n  end\nendmodule\n";
  return tb;
}

class Verilog2005Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!process::tool_exists("yosys")) GTEST_SKIP() << "yosys not installed";
    if (!process::tool_exists("iverilog")) GTEST_SKIP() << "iverilog not installed";
    std::string pattern = (fs::temp_directory_path() / "dnngen-test-v2005-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_, ec);
  }

  config::Config load(const std::string& dataflow = "weight_stationary") {
    const fs::path path = dir_ / "tiny_flat.yaml";
    std::ofstream(path) << yaml(dataflow);
    return config::load_config(path.string());
  }

  // Runs a tool in cwd with its output in `log`; the exit status, or a failure that
  // prints the command and the log.
  int run(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& log) {
    process::RunOptions opt;
    opt.cwd = cwd.string();
    opt.truncate_log = true;
    opt.timeout_seconds = 300;
    const int rc = process::run_program(argv, log.string(), opt).exit_code;
    EXPECT_EQ(rc, 0) << "cd " << cwd.string() << " && " << process::command_line(argv) << "\n" << slurp(log);
    return rc;
  }

  fs::path dir_;
};

TEST_F(Verilog2005Test, WritesOneFlatModuleThatIcarusReads) {
  const config::Config cfg = load();
  const fs::path out = dir_ / "bundle";
  BundleOptions options;
  options.verilog2005 = true;
  write_bundle(cfg, out.string(), options);

  const fs::path flat = out / flat_verilog_name(cfg);
  ASSERT_TRUE(fs::is_regular_file(flat));
  const std::string v = slurp(flat);
  EXPECT_EQ(v.rfind("// tiny_flat: dnn_systolic_top", 0), 0u) << v.substr(0, 200);
  size_t modules = 0;
  for (size_t p = v.find("\nmodule "); p != std::string::npos; p = v.find("\nmodule ", p + 1)) ++modules;
  EXPECT_EQ(modules, 1u);
  EXPECT_NE(v.find("\nmodule tiny_flat("), std::string::npos);
  for (const char* sv : {"logic", "always_ff", "always_comb", "dnn_pkg::", "(*"}) {
    EXPECT_EQ(v.find(sv), std::string::npos) << "SystemVerilog or attributes in the flat file: " << sv;
  }
  EXPECT_NE(v.find("u_abuf.mem_q"), std::string::npos) << "the SRAMs stay behavioural memories";

  // Listed in the manifest, not in the SystemVerilog filelist.
  const nlohmann::json m = nlohmann::json::parse(slurp(out / "manifest.json"));
  bool listed = false;
  for (const auto& f : m["files"]) {
    if (f["path"] == flat_verilog_name(cfg)) listed = f["sha256"] == sha256_hex(v);
  }
  EXPECT_TRUE(listed);
  EXPECT_EQ(slurp(out / "tiny_flat.f").find("_flat.v"), std::string::npos);

  // The check generation ran, once more by hand, and on a broken copy.
  check_verilog2005(flat.string(), "tiny_flat", (dir_ / "iverilog.log").string());
  std::ofstream(dir_ / "broken.v") << v << "\nmodule extra(input a); assign b = c; endmodule\n";
  try {
    check_verilog2005((dir_ / "broken.v").string(), "extra", (dir_ / "broken.log").string());
    FAIL() << "expected ToolError";
  } catch (const ToolError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("iverilog failed"), std::string::npos) << what;
    EXPECT_NE(what.find("broken.log"), std::string::npos) << what;
  }
  // Without --verilog2005 there is no flat file.
  write_bundle(cfg, out.string());
  EXPECT_FALSE(fs::exists(flat));
}

class Verilog2005CosimTest : public Verilog2005Test, public ::testing::WithParamInterface<std::string> {};

TEST_P(Verilog2005CosimTest, CoSimulatesLikeTheSystemVerilog) {
  if (!process::tool_exists("verilator")) GTEST_SKIP() << "verilator not installed";
  const config::Config cfg = load(GetParam());
  const fs::path out = dir_ / "bundle";
  BundleOptions options;
  options.verilog2005 = true;
  write_bundle(cfg, out.string(), options);

  // A 4x4x4 GEMM packed into loader words, then two jobs on it (the second smaller).
  std::mt19937_64 rng(2005);
  const auto gemm = systolic::make_gemm_job(cfg.systolic, 4, 4, 4, systolic::ValueMode::kMixed, rng);
  const auto loads = systolic::pack_operands(cfg.systolic, gemm.a, gemm.b);
  const auto ports =
      eda::elaborate_top_ports(eda::design(cfg, rtl::rtl_source_paths(cfg)), (dir_ / "elab").string());
  std::ofstream(dir_ / "tb.v") << testbench(cfg.name, ports, loads, {{4, 4, 4}, {3, 2, 3}});

  // Icarus Verilog on the flat file.
  fs::create_directory(dir_ / "iv");
  ASSERT_EQ(run({"iverilog", "-g2005", "-o", "sim", (out / flat_verilog_name(cfg)).string(),
                 (dir_ / "tb.v").string()},
                dir_ / "iv", dir_ / "iv" / "build.log"),
            0);
  ASSERT_EQ(run({"vvp", "-n", "sim"}, dir_ / "iv", dir_ / "iv" / "run.log"), 0);
  // Verilator on the bundle's SystemVerilog (assertions included: no SYNTHESIS define).
  fs::create_directory(dir_ / "vl");
  ASSERT_EQ(run({"verilator", "--binary", "--timing", "-j", "2", "-Wno-fatal", "-Wno-lint", "-Wno-style",
                 "--top-module", "tb", "-Mdir", (dir_ / "vl" / "obj").string(), "-o", "vsim", "-f",
                 cfg.name + ".f", (dir_ / "tb.v").string()},
                out, dir_ / "vl" / "build.log"),
            0);
  ASSERT_EQ(run({(dir_ / "vl" / "obj" / "vsim").string()}, dir_ / "vl", dir_ / "vl" / "run.log"), 0);

  const std::string iv = slurp(dir_ / "iv" / "trace.txt"), vl = slurp(dir_ / "vl" / "trace.txt");
  EXPECT_EQ(slurp(dir_ / "iv" / "run.log").find("TIMEOUT"), std::string::npos);
  ASSERT_FALSE(iv.empty());
  EXPECT_EQ(iv.find('x'), std::string::npos) << "X in the Icarus trace";
  EXPECT_EQ(iv, vl) << "traces differ: diff " << (dir_ / "iv" / "trace.txt").string() << " "
                    << (dir_ / "vl" / "trace.txt").string();

  // The first job's results (transfers until out_last) equal the golden GEMM.
  std::vector<std::string> names;
  for (const auto& p : ports) {
    if (p.direction == "output") names.push_back(p.name);
  }
  const auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin()) + 2;
  };
  Tensor c({4, 4});
  int transfers = 0, jobs_done = 0;
  std::istringstream lines(iv);
  for (std::string line; std::getline(lines, line) && jobs_done == 0;) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string x; fields >> x;) f.push_back(x);
    ASSERT_EQ(f.size(), names.size() + 2) << line;
    if (f[1] != "1" || f[column("out_valid_o")] != "1") continue;
    ++transfers;
    systolic::unpack_result_row(cfg.systolic, parse_hex(f[column("out_data_o")]),
                                std::stoll(f[column("out_row_o")], nullptr, 16),
                                std::stoll(f[column("out_col_o")], nullptr, 16), c);
    if (f[column("out_last_o")] == "1") ++jobs_done;
  }
  EXPECT_EQ(jobs_done, 1);
  EXPECT_GT(transfers, 0);
  EXPECT_EQ(c.data, golden::gemm(cfg.systolic, gemm.a, gemm.b).data) << gemm.label;
}

INSTANTIATE_TEST_SUITE_P(Dataflows, Verilog2005CosimTest,
                         ::testing::Values("weight_stationary", "output_stationary"));

}  // namespace
}  // namespace dnngen::generate
