// The simulator behind `dnngen run --op gemm|conv2d --shell --backend rtl` for an engine
// in dnn_shell_systolic (the systolic array, or the bit-serial engine: gemm): the whole GEMM or convolution
// runs as one layer descriptor through the shell's registers, with its tensors in a memory image behind its
// AXI4 master (the configuration's `memory:` section: latency, bytes per cycle, bus width,
// bursts). No host tiling, im2col or partial-sum addition: the shell walks the tiles,
// gathers the convolution windows and sums K on chip, so a saturating configuration
// saturates the exact sum once.
//
// The run is checked before anything is written: the memory image after the layer must
// equal the golden model's (systolic::run_layer) byte for byte, and every counter
// (CYCLES_TOTAL, CYCLES_COMPUTE, CYCLES_MEM_WAIT, BYTES_READ, BYTES_WRITTEN) the cycle
// model's (systolic::layer_cycles). Built by tools/sim_builder.cpp with -DTB_DataBits=N.
// Exit status: 0 ok, 1 mismatch or failure, 2 bad input.
//
// `sim serve CONFIG [--seed N]` keeps one simulator for many layers (shell::ShellSimServer,
// dnngen/shell/sim_server.hpp, is its client): it reads requests from stdin, one a line,
// until EOF: `<memory image path> <descriptor list path>`. The image is raw bytes (byte 0 at
// address 0); the list a JSON array of descriptors, each its register image as [byte offset,
// value] pairs (shell::encode). Each request loads the image, runs the descriptors in order
// and checks each as `run` checks its layer (the expected image: the golden model applied
// descriptor after descriptor; the cycle model of each on the image before it), writes the
// image back to its path (temp file + rename) and prints one line of JSON:
//   {"ok": bool, "layers": [{"cycles", "compute", "mem_wait", "bytes_read", "bytes_written",
//    "model_cycles"}...], "problems": ["layer I: ..."...], "sim_cycles": N, "sim_seconds": S}
// (layers: the RTL's counters). A request it cannot run (an unreadable file, bad JSON, a
// descriptor that check_descriptor refuses or whose tensors leave the image) gets
// {"ok": false, "error": "..."}, and nothing is written. Paths hold no white space. Nothing
// else goes to stdout while serving: what would (Verilator's messages) goes to stderr. The
// memory is deterministic (no stalls); the register master's waits come from the seed.
#include "sim_main.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "Vdnn_shell_systolic.h"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/systolic/shell_run.hpp"
#include "shell_sim_check.hpp"
#include "shell_systolic_bench.hpp"

namespace dnngen {
namespace {

using Top = Vdnn_shell_systolic;
using Bench = shell::ShellSystolicBench<Top, TB_DataBits>;

// One descriptor on the RTL, checked as `run` and `serve` check every layer. `want` holds the
// golden model's memory image before the layer (the bench's equals it when every layer
// before ran right) and after it on return; the cycle model runs on the image before.
// `g`: the shell's parameters and the memory its cycles assume (its own layer is not used).
struct CheckedLayer {
  shell::LayerRun rtl;
  systolic::LayerTiming model;
  std::vector<std::string> problems;  // the RTL's image and counters against the models'
  double seconds = 0;                 // simulating: the descriptor's writes to the counters read back
};

CheckedLayer run_checked_layer(Bench& bench, const systolic::ShellRun& g, const shell::LayerDescriptor& d,
                               std::vector<uint8_t>& want) {
  CheckedLayer c;
  c.model = systolic::layer_cycles(g.params, d, want, g.latency, g.bytes_per_cycle);
  systolic::run_layer(g.params, d, want);
  const uint64_t watchdog = 2 * c.model.cycles + 100'000;
  const auto t0 = std::chrono::steady_clock::now();
  bench.load_descriptor(d);
  c.rtl = bench.run(0, watchdog);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.problems = shell::run_problems(c.rtl, watchdog, bench.memory(), want, shell::counters_of(c.model));
  return c;
}

int run_command(const config::Config& cfg, const cli::JobOptions& opts) {
  systolic::check_shell_options(cfg, opts);
  if (opts.op != "gemm" && opts.op != "conv2d")
    throw InputError(fmt::format("--op {}: the shell simulator runs gemm and conv2d layers", opts.op));
  const systolic::ShellRun g = systolic::shell_run(cfg, opts);

  const testbench::AxiMemoryTiming t = shell::memory_timing(g, opts.seed);
  Bench bench(t, opts.seed, g.memory.size(), opts.fst_path, opts.x_seed);
  bench.memory() = g.memory;
  std::vector<uint8_t> want = g.memory;
  const CheckedLayer c = run_checked_layer(bench, g, g.descriptor, want);
  if (!c.problems.empty()) {
    for (const auto& problem : c.problems)
      fmt::print(stderr, "dnngen run: shell RTL vs model: {}\n", problem);
    return 1;
  }

  const systolic::LayerTiming rtl = shell::with_rtl_counters(c.model, c.rtl);
  output::OutputSet outputs;
  systolic::add_shell_result(outputs, cfg, opts, systolic::shell_run_result(g, bench.memory()));
  shell::add_rtl_report(outputs, opts.json_path, systolic::shell_run_report(cfg, g, rtl, "rtl"), c.seconds);
  outputs.commit();
  fmt::print("{}", systolic::shell_run_summary(cfg, g, rtl, "rtl"));
  fmt::print("rtl: the memory image equals the golden model's and every counter the cycle model's\n");
  return 0;
}

// ---------------------------------------------------------------------------- serve

// The whole file as bytes; InputError naming it if it cannot be read.
std::vector<uint8_t> read_image(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw InputError("cannot read the memory image " + path);
  std::vector<uint8_t> bytes(static_cast<std::size_t>(f.tellg()));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw InputError("cannot read the memory image " + path);
  return bytes;
}

// Replaces the file at `path` with `bytes`: a temporary file beside it, renamed over it, so a
// reader sees the old image or the new one. Not synced to the disk (output::replace_file is,
// and its fsync was most of a small request's time): the image is a scratch file between two
// processes.
void replace_image(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  bool ok = f != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  int err = errno;
  if (f != nullptr && std::fclose(f) != 0 && ok) ok = false, err = errno;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) ok = false, err = errno;
  if (!ok) {
    std::remove(tmp.c_str());
    throw InputError(fmt::format("cannot write the memory image {}: {}", path, std::strerror(err)));
  }
}

// The descriptor list of a request, each checked as the shell checks it (InputError naming
// the file, the descriptor and what is wrong).
std::vector<shell::LayerDescriptor> read_descriptors(const std::string& path,
                                                     const systolic::ShellParams& p) {
  nlohmann::json list;
  try {
    list = nlohmann::json::parse(output::read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
  if (!list.is_array()) throw InputError(path + ": expected a JSON array of descriptors");
  std::vector<shell::LayerDescriptor> layers;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string what = fmt::format("{}: descriptor {}", path, i);
    if (!list[i].is_array()) throw InputError(what + ": expected an array of [byte offset, value] pairs");
    shell::RegisterImage image;
    for (const auto& pair : list[i]) {
      const auto word = [](const nlohmann::json& v) {
        return v.is_number_unsigned() && v.get<uint64_t>() <= 0xffff'ffffu;
      };
      if (!pair.is_array() || pair.size() != 2 || !word(pair[0]) || !word(pair[1]))
        throw InputError(
            fmt::format("{}: expected [byte offset, value] pairs of 32-bit unsigned integers, got {}", what,
                        pair.dump()));
      image[pair[0].get<uint32_t>()] = pair[1].get<uint32_t>();
    }
    shell::LayerDescriptor d;
    try {
      d = shell::decode(image);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", what, e.what()));
    }
    if (const uint32_t code = systolic::check_descriptor(p, d); code != 0)
      throw InputError(fmt::format("{}: the shell refuses it: ERROR_CODE {}", what,
                                   shell::register_map().enum_name_of("error", code)));
    layers.push_back(d);
  }
  return layers;
}

// One request line: its layers on the bench, checked; the image written back. `broken` is
// set when the bench is left in a state the next request cannot start from (a layer that
// never ended). Throws InputError for a request it cannot run, before the image is written.
nlohmann::json serve_request(Bench& bench, const systolic::ShellRun& g, const std::string& line,
                             bool& broken) {
  std::istringstream words(line);
  std::string memory_path, list_path, extra;
  if (!(words >> memory_path >> list_path) || (words >> extra))
    throw InputError(fmt::format("expected '<memory image path> <descriptor list path>', got '{}'", line));
  const std::vector<shell::LayerDescriptor> layers = read_descriptors(list_path, g.params);
  std::vector<uint8_t> want = read_image(memory_path);

  const uint64_t assertions = testbench::rtl_assertion_count();
  const uint64_t cycle0 = bench.cycle();
  bench.memory() = want;
  nlohmann::json counters = nlohmann::json::array(), problems = nlohmann::json::array();
  double seconds = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    CheckedLayer c;
    try {
      c = run_checked_layer(bench, g, layers[i], want);
    } catch (const std::out_of_range&) {
      throw InputError(fmt::format("{}: descriptor {}: its tensors reach past the {}-byte memory image {}",
                                   list_path, i, bench.memory().size(), memory_path));
    }
    seconds += c.seconds;
    counters.push_back({{"cycles", c.rtl.cycles},
                        {"compute", c.rtl.compute},
                        {"mem_wait", c.rtl.mem_wait},
                        {"bytes_read", c.rtl.bytes_read},
                        {"bytes_written", c.rtl.bytes_written},
                        {"model_cycles", c.model.cycles}});
    for (const auto& problem : c.problems) problems.push_back(fmt::format("layer {}: {}", i, problem));
    if (!c.rtl.finished) {
      broken = true;  // the layers after it would start on a busy shell
      problems.push_back(fmt::format("layers {} to {} not run", i + 1, layers.size()));
      break;
    }
  }
  if (const uint64_t fired = testbench::rtl_assertion_count() - assertions; fired != 0)
    problems.push_back(fmt::format("{} RTL assertion(s) fired (messages on stderr)", fired));
  replace_image(memory_path, bench.memory());
  return {{"ok", problems.empty()},
          {"layers", counters},
          {"problems", problems},
          {"sim_cycles", bench.cycle() - cycle0},
          {"sim_seconds", seconds}};
}

// The replies' channel: a duplicate of stdout. File descriptor 1 then goes to stderr, so
// nothing else (Verilator's messages, an RTL $display) can get between the replies.
int reply_channel() {
  std::cout.flush();
  std::fflush(stdout);
  const int fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (fd < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
    throw std::runtime_error(fmt::format("serve: cannot set up the reply channel: {}", std::strerror(errno)));
  return fd;
}

void reply(int fd, const nlohmann::json& j) {
  const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  for (std::size_t done = 0; done < line.size();) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("serve: cannot write a reply: {}", std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

int serve_command(const config::Config& cfg, uint64_t seed) {
  systolic::ShellRun g;  // the shell and the memory its cycles assume, as `run --shell` has them
  g.params = systolic::shell_params(cfg);
  g.latency = cfg.memory.latency;
  g.bytes_per_cycle = std::min<double>(cfg.memory.bytes_per_cycle, cfg.memory.data_bits / 8.0);
  const testbench::AxiMemoryTiming timing = shell::memory_timing(g, seed);
  // The image of each request replaces the bench's memory, whatever its size (the AXI
  // memory answers SLVERR past its end), so one bench serves every request.
  auto bench = std::make_unique<Bench>(timing, seed, 0);
  if (const uint32_t hash = bench->read(shell::reg("CONFIG_HASH")); hash != g.params.config_hash)
    throw InputError(fmt::format(
        "serve: {} is not the configuration this simulator was built for (CONFIG_HASH 0x{:08x}, the "
        "configuration's 0x{:08x})",
        cfg.source_path, hash, g.params.config_hash));
  const int replies = reply_channel();
  std::string line;
  while (std::getline(std::cin, line)) {
    bool broken = false;
    nlohmann::json answer;
    try {
      answer = serve_request(*bench, g, line, broken);
    } catch (const std::exception& e) {
      broken = true;  // it may have stopped anywhere: start the next request from reset
      answer = {{"ok", false}, {"error", e.what()}};
    }
    if (broken) bench = std::make_unique<Bench>(timing, seed, 0);
    reply(replies, answer);
  }
  return 0;
}

int cosim_command(const config::Config&, const cli::JobOptions&) {
  throw InputError(
      "cosim runs on the kernel top; the shell is co-simulated by the ctests shell_systolic_* "
      "(docs/shell.md)");
}

}  // namespace
}  // namespace dnngen

int main(int argc, char** argv) {
  return dnngen::testbench::sim_main(argc, argv, "gemm", dnngen::run_command, dnngen::cosim_command,
                                     dnngen::serve_command);
}
