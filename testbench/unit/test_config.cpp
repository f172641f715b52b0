// Config loader: every preset in configs/ loads; a valid file maps to the expected
// struct and RTL parameters; each class of bad input (unreadable, malformed, unknown,
// missing, duplicate, mistyped, out of range, inconsistent) gives one line naming the
// file and key.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::config {
namespace {

const char kValid[] = R"(# test config
name: test_cfg
engine: systolic
description: "a test"
systolic:
  rows: 16
  cols: 8
  dataflow: weight_stationary
  input_bits: 8
  weight_bits: 8
  acc_bits: 32
  signed: true
  overflow: wrap
  max_m: 256
  max_n: 128
  max_k: 64
)";

// kValid with the first occurrence of `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: '" << from << "' not in kValid";
  return pos == std::string::npos ? text : text.replace(pos, from.size(), to);
}

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "x.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError for:\n" << yaml;
  return "";
}

TEST(Config, ParsesValidText) {
  const Config cfg = parse_config(kValid, "x.yaml");
  EXPECT_EQ(cfg.name, "test_cfg");
  EXPECT_EQ(cfg.engine, "systolic");
  EXPECT_EQ(cfg.source_path, "x.yaml");
  const SystolicConfig& s = cfg.systolic;
  EXPECT_EQ(s.rows, 16u);
  EXPECT_EQ(s.cols, 8u);
  EXPECT_EQ(s.dataflow, Dataflow::kWeightStationary);
  EXPECT_EQ(s.input_bits, 8u);
  EXPECT_EQ(s.weight_bits, 8u);
  EXPECT_EQ(s.acc_bits, 32u);
  EXPECT_TRUE(s.is_signed);
  EXPECT_EQ(s.overflow, Overflow::kWrap);
  EXPECT_EQ(s.max_m, 256u);
  EXPECT_EQ(s.max_n, 128u);
  EXPECT_EQ(s.max_k, 64u);
  EXPECT_EQ(s.product_bits(), 16u);
  EXPECT_EQ(s.output_bits(), 32u);
}

TEST(Config, RtlParametersInDeclarationOrder) {
  const Config cfg =
      parse_config(edited("dataflow: weight_stationary", "dataflow: output_stationary"), "x.yaml");
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"NumRows", 16}, {"NumCols", 8},  {"InBits", 8}, {"WBits", 8},  {"AccBits", 32}, {"Signed", 1},
      {"Saturate", 0}, {"Dataflow", 1}, {"MaxM", 256}, {"MaxN", 128}, {"MaxK", 64}};
  EXPECT_EQ(rtl_parameters(cfg), expected);
  EXPECT_EQ(rtl_top_module(cfg), "dnn_systolic_top");
}

// The shell's parameters end with ConfigHash, the FNV-1a hash of the others (bit 31
// clear); any parameter of the engine or the memory changes it.
TEST(Config, ShellConfigHashCoversEveryOtherParameter) {
  const Config cfg = parse_config(kValid, "x.yaml");
  const auto params = shell_rtl_parameters(cfg);
  ASSERT_EQ(params.back().first, "ConfigHash");
  const uint32_t hash = shell_config_hash(cfg);
  EXPECT_EQ(params.back().second, int64_t{hash});
  EXPECT_EQ(hash >> 31, 0u);
  uint32_t fnv = 2166136261u;
  for (size_t i = 0; i + 1 < params.size(); ++i)
    for (const char c : params[i].first + "=" + std::to_string(params[i].second) + "\n") {
      fnv ^= static_cast<uint8_t>(c);
      fnv *= 16777619u;
    }
  EXPECT_EQ(hash, fnv & 0x7FFF'FFFFu);
  std::set<uint32_t> seen{hash};
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"dataflow: weight_stationary", "dataflow: output_stationary"},
           {"signed: true", "signed: false"},
           {"max_k: 64", "max_k: 65"}}) {
    EXPECT_TRUE(seen.insert(shell_config_hash(parse_config(edited(from, to), "x.yaml"))).second) << to;
  }
  Config outstanding = cfg;
  outstanding.memory.outstanding += 1;
  EXPECT_TRUE(seen.insert(shell_config_hash(outstanding)).second);
}

TEST(Config, OptionalDescriptionAndAlternativeValues) {
  std::string text = edited("description: \"a test\"\n", "");
  const size_t pos = text.find("overflow: wrap");
  text.replace(pos, 14, "overflow: saturate");
  const Config cfg = parse_config(text, "x.yaml");
  EXPECT_EQ(cfg.systolic.overflow, Overflow::kSaturate);
  EXPECT_EQ(parse_config(edited("signed: true", "signed: false"), "x.yaml").systolic.is_signed, false);
}

TEST(Config, EveryPresetLoads) {
  int count = 0;
  // configs/ and configs/large/ (the datacenter-size arrays, kept out of the loops over
  // configs/*.yaml that co-simulate or synthesize every preset).
  std::vector<std::filesystem::directory_entry> entries;
  for (const std::string dir : {DNNGEN_CONFIGS_DIR, DNNGEN_CONFIGS_DIR "/large"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) entries.push_back(entry);
  }
  for (const auto& entry : entries) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    const Config cfg = load_config(entry.path().string());
    // Presets are named after their file so generated files are easy to trace back.
    EXPECT_EQ(cfg.name, entry.path().stem().string());
    std::ifstream in(entry.path());
    std::string first_line;
    std::getline(in, first_line);
    EXPECT_EQ(first_line.rfind("# ", 0), 0u) << "preset must start with a one-line comment";
    ++count;
  }
  EXPECT_GE(count, 9);
}

TEST(Config, PresetValues) {
  const std::string dir = DNNGEN_CONFIGS_DIR;
  const SystolicConfig sat = load_config(dir + "/systolic_ws_4x4_int8_sat.yaml").systolic;
  EXPECT_EQ(sat.overflow, Overflow::kSaturate);
  EXPECT_EQ(sat.acc_bits, 20u);
  const SystolicConfig u8 = load_config(dir + "/systolic_os_4x4_uint8.yaml").systolic;
  EXPECT_FALSE(u8.is_signed);
  EXPECT_EQ(u8.product_bits(), 17u);
  EXPECT_EQ(u8.dataflow, Dataflow::kOutputStationary);
  const SystolicConfig i16 = load_config(dir + "/systolic_ws_8x8_int16.yaml").systolic;
  EXPECT_EQ(i16.output_bits(), 64u);
  const SystolicConfig tpu = load_config(dir + "/large/systolic_ws_256x256_int8.yaml").systolic;
  EXPECT_EQ(tpu.rows, 256u);
  EXPECT_EQ(tpu.cols, 256u);
  EXPECT_EQ(tpu.acc_bits, 32u);
  EXPECT_EQ(load_config(dir + "/large/systolic_ws_128x128_int8.yaml").systolic.rows, 128u);
}

TEST(ConfigErrors, UnreadableFile) {
  try {
    load_config("/nonexistent/x.yaml");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/x.yaml: cannot read file: No such file or directory");
  }
  try {
    load_config(DNNGEN_CONFIGS_DIR);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), std::string(DNNGEN_CONFIGS_DIR) + ": cannot read file: Is a directory");
  }
}

TEST(ConfigErrors, MalformedYamlHasLineAndColumn) {
  EXPECT_EQ(error_of("name: a\nsystolic: [1,\nengine: b\n"),
            "x.yaml:4:1: malformed YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("name: a\n  engine: b\n"), "x.yaml:2:9: malformed YAML: illegal map value");
}

TEST(ConfigErrors, EmptyOrNotAMapping) {
  EXPECT_EQ(error_of(""), "x.yaml: empty file (expected a mapping with keys name, engine, ...)");
  EXPECT_EQ(error_of("# only a comment\n"),
            "x.yaml: empty file (expected a mapping with keys name, engine, ...)");
  EXPECT_EQ(error_of("- 1\n- 2\n"),
            "x.yaml: top level must be a mapping with keys name, engine, ..., got a sequence");
  EXPECT_EQ(error_of("hello\n"),
            "x.yaml: top level must be a mapping with keys name, engine, ..., got 'hello'");
  EXPECT_EQ(error_of(std::string(kValid) + "---\n" + kValid), "x.yaml: expected one YAML document, found 2");
}

// Fuzzing found that yaml-cpp 0.7's LoadAll loops forever, allocating, on a lone ','.
TEST(ConfigErrors, StrayTokenIsMalformedNotAHang) {
  EXPECT_EQ(error_of(","), "x.yaml: malformed YAML: a token outside any node (e.g. a stray ',')");
  EXPECT_EQ(error_of("---\n,\n"), "x.yaml: malformed YAML: a token outside any node (e.g. a stray ',')");
}

TEST(ConfigErrors, UnknownKeys) {
  EXPECT_EQ(error_of(edited("rows:", "rowz:")),
            "x.yaml: unknown key 'systolic.rowz' (expected one of: rows, cols, dataflow, "
            "input_bits, weight_bits, acc_bits, signed, overflow, max_m, max_n, max_k)");
  EXPECT_EQ(error_of(edited("engine: systolic", "engine: systolic\nengines: x")),
            "x.yaml: unknown key 'engines' (expected one of: name, engine, description, memory, "
            "systolic, eie, bitserial)");
}

// Issue 11: a name that is a SystemVerilog keyword or one of dnngen's own module names
// made `generate` write a broken bundle.
TEST(ConfigErrors, NameCannotBeAKeywordOrADnngenModule) {
  EXPECT_NE(error_of(edited("name: test_cfg", "name: module")).find("'module' is a SystemVerilog keyword"),
            std::string::npos);
  EXPECT_NE(error_of(edited("name: test_cfg", "name: always_ff")).find("SystemVerilog keyword"),
            std::string::npos);
  EXPECT_NE(error_of(edited("name: test_cfg", "name: dnn_sram_1r1w")).find("starts with dnn_"),
            std::string::npos);
  EXPECT_NO_THROW(config::parse_config(edited("name: test_cfg", "name: modules"), "x.yaml"));
}

// The optional memory section: defaults, ranges, unknown keys.
TEST(ConfigErrors, MemorySection) {
  const auto cfg = config::parse_config(kValid, "x.yaml");
  EXPECT_EQ(cfg.memory.bytes_per_cycle, 16u);
  EXPECT_EQ(cfg.memory.latency, 100u);
  const auto fast =
      config::parse_config(std::string(kValid) + "memory: {bytes_per_cycle: 64, data_bits: 512}\n", "x.yaml");
  EXPECT_EQ(fast.memory.bytes_per_cycle, 64u);
  EXPECT_DOUBLE_EQ(fast.memory.effective_bytes_per_cycle(), 64.0);
  EXPECT_EQ(error_of(std::string(kValid) + "memory: {latency: -1}\n"),
            "x.yaml: memory.latency: must be an integer in 0..100000, got -1");
  EXPECT_EQ(error_of(std::string(kValid) + "memory: {data_bits: 96}\n"),
            "x.yaml: memory.data_bits: must be 64, 128, 256 or 512, got 96");
  EXPECT_NE(error_of(std::string(kValid) + "memory: {speed: 1}\n").find("unknown key 'memory.speed'"),
            std::string::npos);
  // Little's law: 1 burst of 16 beats of 8 bytes in flight over 256 cycles moves 0.5 B/cycle.
  const auto starved = config::parse_config(
      std::string(kValid) + "memory: {latency: 256, outstanding: 1, data_bits: 64, max_burst: 16}\n",
      "x.yaml");
  EXPECT_DOUBLE_EQ(starved.memory.effective_bytes_per_cycle(), 0.5);
}

// Pragmatic's two-stage shifting: an optional key of mode pragmatic, below log2(input_bits).
TEST(ConfigErrors, BitserialFirstStageBits) {
  const std::string pragmatic = R"(name: bs
engine: bitserial
bitserial:
  mode: pragmatic
  lanes: 4
  tile_rows: 2
  tile_cols: 2
  weight_bits: 8
  input_bits: 16
  acc_bits: 32
  signed: false
  max_m: 8
  max_n: 8
  max_k: 8
)";
  const auto single = parse_config(pragmatic, "x.yaml");
  EXPECT_FALSE(single.bitserial.two_stage_shift);
  const auto with = [&](const std::string& extra) {
    std::string text = pragmatic;
    return text.insert(text.find("  lanes:"), extra);
  };
  const auto two = parse_config(with("  first_stage_bits: 2\n"), "x.yaml");
  EXPECT_TRUE(two.bitserial.two_stage_shift);
  EXPECT_EQ(two.bitserial.first_stage_bits, 2u);
  // An RTL parameter of a configuration, and the text in another mode.
  const auto has_param = [](const config::Config& cfg, const std::string& name, int64_t value) {
    const auto params = rtl_parameters(cfg);
    return std::find(params.begin(), params.end(), std::pair<std::string, int64_t>{name, value}) !=
           params.end();
  };
  const auto in_mode = [](std::string text, const std::string& mode) {
    return text.replace(text.find("pragmatic"), 9, mode);
  };
  EXPECT_TRUE(has_param(two, "TwoStage", 1));
  EXPECT_TRUE(has_param(two, "FirstStageBits", 2));
  EXPECT_EQ(
      error_of(with("  first_stage_bits: 4\n")),
      "x.yaml: bitserial.first_stage_bits: must be an integer in 0..3 (below log2(input_bits) = 4; omit "
      "the key for the single-stage shifter), got 4");
  EXPECT_EQ(error_of(in_mode(with("  first_stage_bits: 1\n"), "stripes")),
            "x.yaml: bitserial.first_stage_bits: is a Pragmatic option (mode: pragmatic); remove it for mode "
            "stripes");
  // Per-window synchronisation: `sync: window`, Pragmatic only; `tile` is the default.
  const auto window = parse_config(with("  sync: window\n"), "x.yaml");
  EXPECT_TRUE(window.bitserial.window_sync);
  EXPECT_TRUE(has_param(window, "RowSync", 1));
  EXPECT_FALSE(parse_config(with("  sync: tile\n"), "x.yaml").bitserial.window_sync);
  EXPECT_EQ(error_of(with("  sync: column\n")),
            "x.yaml: bitserial.sync: must be one of: tile, window; got 'column'");
  EXPECT_EQ(
      error_of(in_mode(with("  sync: window\n"), "stripes")),
      "x.yaml: bitserial.sync: window is a Pragmatic option (mode: pragmatic); use tile or remove it for "
      "mode stripes");
  // Fully connected layers cascaded: Stripes, or Pragmatic with sync: window; RowSync in the RTL.
  const std::string stripes_cascade = in_mode(with("  cascade: true\n"), "stripes");
  const auto cascade = parse_config(stripes_cascade, "x.yaml");
  EXPECT_TRUE(cascade.bitserial.cascade);
  EXPECT_FALSE(cascade.bitserial.window_sync);
  EXPECT_TRUE(has_param(cascade, "RowSync", 1));
  EXPECT_TRUE(has_param(cascade, "Cascade", 1));
  EXPECT_TRUE(parse_config(with("  sync: window\n  cascade: true\n"), "x.yaml").bitserial.cascade);
  EXPECT_EQ(error_of(with("  cascade: true\n")),
            "x.yaml: bitserial.cascade: needs sync: window in mode pragmatic (a cascaded brick runs on one "
            "window while the others run theirs)");
  EXPECT_EQ(error_of(in_mode(with("  cascade: true\n"), "parallel")),
            "x.yaml: bitserial.cascade: is for the bit-serial modes (stripes, pragmatic): the bit-parallel "
            "baseline already takes a brick a cycle; remove it for mode parallel");
  std::string one_row = stripes_cascade;
  one_row.replace(one_row.find("tile_rows: 2"), 12, "tile_rows: 1");
  EXPECT_EQ(error_of(one_row),
            "x.yaml: bitserial.cascade: needs tile_rows >= 2 to spread bricks over, got 1");
  EXPECT_EQ(error_of(with("  cascade: maybe\n")).substr(0, 26), "x.yaml: bitserial.cascade:");
}

TEST(ConfigErrors, MissingKeys) {
  EXPECT_EQ(error_of(edited("  acc_bits: 32\n", "")), "x.yaml: missing key 'systolic.acc_bits'");
  EXPECT_EQ(error_of(edited("name: test_cfg\n", "")), "x.yaml: missing key 'name'");
  EXPECT_EQ(error_of("name: a\nengine: systolic\n"),
            "x.yaml: missing key 'systolic' (the section of engine systolic)");
}

TEST(ConfigErrors, DuplicateKeys) {
  EXPECT_EQ(error_of(edited("cols: 8", "cols: 8\n  cols: 4")), "x.yaml: duplicate key 'systolic.cols'");
  EXPECT_EQ(error_of(std::string(kValid) + "name: other\n"), "x.yaml: duplicate key 'name'");
  EXPECT_EQ(error_of(edited("rows: 16", "? [a]\n  : 1")),
            "x.yaml: keys must be strings, got a sequence as a key in 'systolic'");
}

TEST(ConfigErrors, OutOfRangeIntegers) {
  EXPECT_EQ(error_of(edited("rows: 16", "rows: 0")),
            "x.yaml: systolic.rows: must be an integer in 1..256, got 0");
  EXPECT_EQ(error_of(edited("cols: 8", "cols: 257")),
            "x.yaml: systolic.cols: must be an integer in 1..256, got 257");
  EXPECT_NO_THROW(parse_config(edited("cols: 8", "cols: 256"), "x.yaml"));
  EXPECT_EQ(error_of(edited("input_bits: 8", "input_bits: 17")),
            "x.yaml: systolic.input_bits: must be an integer in 2..16, got 17");
  EXPECT_EQ(error_of(edited("weight_bits: 8", "weight_bits: 1")),
            "x.yaml: systolic.weight_bits: must be an integer in 2..16, got 1");
  EXPECT_EQ(error_of(edited("max_k: 64", "max_k: 16385")),
            "x.yaml: systolic.max_k: must be an integer in 1..16384, got 16385");
  EXPECT_EQ(error_of(edited("max_m: 256", "max_m: -3")),
            "x.yaml: systolic.max_m: must be an integer in 1..16384, got -3");
  EXPECT_EQ(error_of(edited("max_m: 256", "max_m: 99999999999999999999999")),
            "x.yaml: systolic.max_m: must be an integer in 1..16384, got "
            "'99999999999999999999999'");
}

// Array sides: 1..256 for weight- and output-stationary arrays and bit-serial tiles (the
// TPU's 256 x 256); row stationary keeps 1..64, what its shell is built for.
TEST(ConfigErrors, ArraySideLimits) {
  const Config big = parse_config(edited("rows: 16", "rows: 256"), "x.yaml");
  EXPECT_EQ(big.systolic.rows, 256u);
  std::string os = edited("cols: 8", "cols: 256");
  os.replace(os.find("weight_stationary"), 17, "output_stationary");
  EXPECT_EQ(parse_config(os, "x.yaml").systolic.cols, 256u);
  EXPECT_EQ(error_of(edited("rows: 16", "rows: 257")),
            "x.yaml: systolic.rows: must be an integer in 1..256, got 257");

  const std::string dir = DNNGEN_CONFIGS_DIR;
  std::ifstream rs_file(dir + "/systolic_rs_4x4_int8.yaml");
  const std::string rs((std::istreambuf_iterator<char>(rs_file)), std::istreambuf_iterator<char>());
  const auto rs_with = [&rs](const std::string& from, const std::string& to) {
    std::string text = rs;
    return text.replace(text.find(from), from.size(), to);
  };
  EXPECT_EQ(parse_config(rs_with("cols: 4", "cols: 64"), "x.yaml").row_stationary.cols, 64u);
  EXPECT_EQ(error_of(rs_with("cols: 4", "cols: 65")),
            "x.yaml: systolic.cols: must be an integer in 1..64 with dataflow row_stationary, got 65");

  std::ifstream bs_file(dir + "/bitserial_stripes_4x4_l16.yaml");
  const std::string bs((std::istreambuf_iterator<char>(bs_file)), std::istreambuf_iterator<char>());
  const auto bs_with = [&bs](const std::string& from, const std::string& to) {
    std::string text = bs;
    return text.replace(text.find(from), from.size(), to);
  };
  const Config tile = parse_config(bs_with("tile_cols: 4", "tile_cols: 256"), "x.yaml");
  EXPECT_EQ(tile.bitserial.tile_cols, 256u);
  EXPECT_EQ(parse_config(bs_with("tile_rows: 4", "tile_rows: 256"), "x.yaml").bitserial.tile_rows, 256u);
  EXPECT_EQ(error_of(bs_with("tile_rows: 4", "tile_rows: 257")),
            "x.yaml: bitserial.tile_rows: must be an integer in 1..256, got 257");
  EXPECT_EQ(error_of(bs_with("lanes: 16", "lanes: 65")),
            "x.yaml: bitserial.lanes: must be an integer in 1..64, got 65");
}

TEST(ConfigErrors, AccBitsBelowProductBits) {
  EXPECT_EQ(error_of(edited("acc_bits: 32", "acc_bits: 15")),
            "x.yaml: systolic.acc_bits: must be an integer in 16..64 (the lower bound is "
            "product_bits = input_bits + weight_bits = 16), got 15");
  // Unsigned operands need one more bit to hold the product as two's complement.
  std::string text = edited("acc_bits: 32", "acc_bits: 16");
  text.replace(text.find("signed: true"), 12, "signed: false");
  EXPECT_EQ(error_of(text),
            "x.yaml: systolic.acc_bits: must be an integer in 17..64 (the lower bound is "
            "product_bits = input_bits + weight_bits + 1 for unsigned = 17), got 16");
  EXPECT_EQ(error_of(edited("acc_bits: 32", "acc_bits: 65")).substr(0, 50),
            "x.yaml: systolic.acc_bits: must be an integer in 1");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(error_of(edited("rows: 16", "rows: \"16\"")),
            "x.yaml: systolic.rows: must be an integer in 1..256, got the quoted string \"16\"");
  EXPECT_EQ(error_of(edited("rows: 16", "rows: 16.0")),
            "x.yaml: systolic.rows: must be an integer in 1..256, got '16.0'");
  EXPECT_EQ(error_of(edited("rows: 16", "rows: 0x10")),
            "x.yaml: systolic.rows: must be an integer in 1..256, got '0x10'");
  EXPECT_EQ(error_of(edited("rows: 16", "rows: [16]")),
            "x.yaml: systolic.rows: must be an integer in 1..256, got a sequence");
  EXPECT_EQ(error_of(edited("rows: 16", "rows:")),
            "x.yaml: systolic.rows: must be an integer in 1..256, got nothing (null)");
  EXPECT_EQ(error_of(edited("signed: true", "signed: yes")),
            "x.yaml: systolic.signed: must be a boolean (true or false), got 'yes'");
  EXPECT_EQ(error_of(edited("signed: true", "signed: 1")),
            "x.yaml: systolic.signed: must be a boolean (true or false), got '1'");
  EXPECT_EQ(error_of(edited("name: test_cfg", "name: {a: 1}")),
            "x.yaml: name: must be a string, got a mapping");
  EXPECT_EQ(error_of("name: a\nengine: systolic\nsystolic: 3\n"),
            "x.yaml: systolic: must be a mapping of the engine's parameters, got '3'");
}

TEST(ConfigErrors, BadEnumValues) {
  EXPECT_EQ(error_of(edited("dataflow: weight_stationary", "dataflow: input_stationary")),
            "x.yaml: systolic.dataflow: must be one of: weight_stationary, output_stationary, "
            "row_stationary; got 'input_stationary'");
  EXPECT_EQ(error_of(edited("overflow: wrap", "overflow: clamp")),
            "x.yaml: systolic.overflow: must be one of: wrap, saturate; got 'clamp'");
  EXPECT_EQ(error_of(edited("engine: systolic", "engine: tpu")),
            "x.yaml: engine: must be one of: systolic, eie, bitserial; got 'tpu'");
  EXPECT_EQ(error_of(edited("engine: systolic", "engine: eie")),
            "x.yaml: systolic: section does not apply to engine eie (expected the section 'eie')");
  EXPECT_EQ(error_of(edited("engine: systolic\ndescription: \"a test\"\nsystolic:", "engine: eie\neie:")),
            "x.yaml: unknown key 'eie.rows' (expected one of: pes, fifo_depth, index_bits, "
            "act_bits, acc_bits, frac_bits, relu, max_rows, max_cols, max_entries)");
}

TEST(ConfigErrors, BadNames) {
  for (const char* bad : {"Upper", "1abc", "_x", "has-dash", "\"\""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_of(edited("name: test_cfg", std::string("name: ") + bad))
                  .rfind("x.yaml: name: must match [a-z][a-z0-9_]* and be at most 64", 0),
              0u);
  }
  EXPECT_EQ(error_of(edited("name: test_cfg", "name: Upper")),
            "x.yaml: name: must match [a-z][a-z0-9_]* and be at most 64 characters (it names "
            "generated modules and files), got 'Upper'");
  EXPECT_NO_THROW(parse_config(edited("name: test_cfg", "name: " + std::string(64, 'a')), "x"));
  EXPECT_NE(error_of(edited("name: test_cfg", "name: " + std::string(65, 'a'))), "");
}

TEST(ConfigErrors, BufferTooLarge) {
  // 16384 * 16384 * 8 * 2 bits = 4 Gibit, far above 64 Mibit.
  std::string text = edited("max_m: 256", "max_m: 16384");
  text.replace(text.find("max_n: 128"), 10, "max_n: 16384");
  text.replace(text.find("max_k: 64"), 9, "max_k: 16384");
  EXPECT_EQ(error_of(text),
            "x.yaml: systolic: on-chip buffers need max_m*max_k*input_bits + "
            "max_k*max_n*weight_bits = 4294967296 bits, above the 64 Mibit (67108864) limit; "
            "reduce systolic.max_m, systolic.max_n, systolic.max_k or the operand widths");
  // Exactly at the limit is fine: 2048 * 2048 * 8 * 2 = 64 Mibit.
  text = edited("max_m: 256", "max_m: 2048");
  text.replace(text.find("max_n: 128"), 10, "max_n: 2048");
  text.replace(text.find("max_k: 64"), 9, "max_k: 2048");
  EXPECT_NO_THROW(parse_config(text, "x.yaml"));
}

}  // namespace
}  // namespace dnngen::config
