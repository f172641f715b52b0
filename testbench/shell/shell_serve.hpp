#pragma once
// `sim serve CONFIG [--seed N]` of the shell simulators (sim_main.cpp: systolic and
// bit-serial, sim_main_eie.cpp: EIE, sim_main_rs.cpp: row stationary): one simulator
// process for many layers
// (shell::ShellSimServer, dnngen/shell/sim_server.hpp, is its client). This is the part the
// engines share (the protocol, the files, the replies, one bench kept across requests); each
// simulator brings its engine's part: how a descriptor is checked, and one descriptor run on
// the bench against the golden and cycle models.
//
// It reads requests from stdin, one a line, until EOF: `<memory image path> <descriptor list
// path>`. The image is raw bytes (byte 0 at address 0); the list a JSON array of
// descriptors, each its register image as [byte offset, value] pairs (shell::encode). Each
// request loads the image, runs the descriptors in order and checks each as `run` checks its
// layers (the expected image: the golden model applied descriptor after descriptor; the cycle
// model of each on the image before it), writes the image back to its path (temp file +
// rename) and prints one line of JSON:
//   {"ok": bool, "layers": [{"cycles", "compute", "mem_wait", "bytes_read", "bytes_written",
//    "model_cycles"}...], "problems": ["layer I: ..."...], "sim_cycles": N, "sim_seconds": S}
// (layers: the RTL's counters). A request it cannot run (an unreadable file, bad JSON, a
// descriptor the shell refuses, one whose tensors leave the image) gets {"ok": false,
// "error": "..."}, and nothing is written. Paths hold no white space. Nothing else goes to
// stdout while serving: what would (Verilator's messages) goes to stderr. The memory is
// deterministic (no stalls); the register master's waits come from the seed.
//
// The bench lives across requests, rebuilt (from reset) after a request that threw or left a
// layer unfinished. State the engine keeps on chip between layers (EIE's OP.KEEP_WEIGHTS)
// therefore lasts across requests too; the engine forgets it after a request that did not
// pass and whenever the bench is rebuilt.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/shell/descriptor.hpp"
#include "dnngen/shell/regmap.hpp"
#include "shell_sim_check.hpp"
#include "verilated_dut.hpp"

namespace dnngen::shell {

// The whole file as bytes; InputError naming it if it cannot be read.
inline std::vector<uint8_t> read_image_file(const std::string& path) {
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
inline void replace_image_file(const std::string& path, const std::vector<uint8_t>& bytes) {
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

// What a request's error says about a descriptor the shell refuses with `code`.
inline std::string refusal(uint32_t code) {
  return fmt::format("the shell refuses it: ERROR_CODE {}", register_map().enum_name_of("error", code));
}

// The descriptor list of a request, each decoded and checked as the shell checks its
// registers: `refuses(layers, i)` is the ERROR_CODE of layers[i] after layers[0..i) (0: it
// runs). InputError naming the file, the descriptor and what is wrong.
template <typename Refuses>
std::vector<LayerDescriptor> read_descriptor_list(const std::string& path, Refuses refuses) {
  nlohmann::json list;
  try {
    list = nlohmann::json::parse(output::read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
  if (!list.is_array()) throw InputError(path + ": expected a JSON array of descriptors");
  std::vector<LayerDescriptor> layers;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string what = fmt::format("{}: descriptor {}", path, i);
    if (!list[i].is_array()) throw InputError(what + ": expected an array of [byte offset, value] pairs");
    RegisterImage image;
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
    try {
      layers.push_back(decode(image));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", what, e.what()));
    }
    if (const uint32_t code = refuses(layers, i); code != 0)
      throw InputError(fmt::format("{}: {}", what, refusal(code)));
  }
  return layers;
}

// One request line on `bench`: its layers, each run by `engine.run` (see serve()), the image
// written back; the reply. `broken` is set when the bench is left in a state the next request
// cannot start from (a layer that never ended). Throws InputError for a request it cannot run,
// before the image is written.
template <typename Bench, typename Engine>
nlohmann::json serve_request(Bench& bench, Engine& engine, const std::string& line, bool& broken) {
  std::istringstream words(line);
  std::string memory_path, list_path, extra;
  if (!(words >> memory_path >> list_path) || (words >> extra))
    throw InputError(fmt::format("expected '<memory image path> <descriptor list path>', got '{}'", line));
  const std::vector<LayerDescriptor> layers = read_descriptor_list(
      list_path,
      [&](const std::vector<LayerDescriptor>& ls, std::size_t i) { return engine.refuses(ls, i); });
  std::vector<uint8_t> want = read_image_file(memory_path);

  const uint64_t assertions = testbench::rtl_assertion_count();
  const uint64_t cycle0 = bench.cycle();
  bench.memory() = want;
  nlohmann::json counters = nlohmann::json::array(), problems = nlohmann::json::array();
  double seconds = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string what = fmt::format("{}: descriptor {}", list_path, i);
    try {
      const auto c = engine.run(bench, layers[i], want);
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
    } catch (const std::out_of_range&) {
      throw InputError(fmt::format("{}: its tensors reach past the {}-byte memory image {}", what,
                                   bench.memory().size(), memory_path));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", what, e.what()));
    }
  }
  if (const uint64_t fired = testbench::rtl_assertion_count() - assertions; fired != 0)
    problems.push_back(fmt::format("{} RTL assertion(s) fired (messages on stderr)", fired));
  replace_image_file(memory_path, bench.memory());
  return {{"ok", problems.empty()},
          {"layers", counters},
          {"problems", problems},
          {"sim_cycles", bench.cycle() - cycle0},
          {"sim_seconds", seconds}};
}

// The replies' channel: a duplicate of stdout. File descriptor 1 then goes to stderr, so
// nothing else (Verilator's messages, an RTL $display) can get between the replies.
inline int reply_channel() {
  std::cout.flush();
  std::fflush(stdout);
  const int fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (fd < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
    throw std::runtime_error(fmt::format("serve: cannot set up the reply channel: {}", std::strerror(errno)));
  return fd;
}

inline void write_reply(int fd, const nlohmann::json& j) {
  const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  for (std::size_t done = 0; done < line.size();) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("serve: cannot write a reply: {}", std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

// Serves requests on stdin until EOF with one Bench (ShellSystolicBench of the engine's top,
// built from `timing` and `seed`); returns the exit status. `config_hash` is the
// configuration's (CONFIG_HASH must equal it: the simulator was built for `config_path`).
// The engine's part, an object kept across requests:
//   uint32_t refuses(const std::vector<LayerDescriptor>& layers, std::size_t i)
//       ERROR_CODE of layers[i] after layers[0..i) of the request, from the registers alone;
//   CheckedLayer<Timing> run(Bench& bench, const LayerDescriptor& d, std::vector<uint8_t>& want)
//       d on the bench, checked (run_checked); `want` holds the golden model's image before
//       the layer, and after it on return. InputError if the shell refuses d on that image;
//   void forget()
//       the bench was rebuilt, or a request did not pass: nothing is on chip.
template <typename Bench, typename Engine>
int serve(Engine& engine, const testbench::AxiMemoryTiming& timing, uint64_t seed, uint32_t config_hash,
          const std::string& config_path) {
  // The image of each request replaces the bench's memory, whatever its size (the AXI
  // memory answers SLVERR past its end), so one bench serves every request.
  auto bench = std::make_unique<Bench>(timing, seed, 0);
  if (const uint32_t hash = bench->read(reg("CONFIG_HASH")); hash != config_hash)
    throw InputError(fmt::format(
        "serve: {} is not the configuration this simulator was built for (CONFIG_HASH 0x{:08x}, the "
        "configuration's 0x{:08x})",
        config_path, hash, config_hash));
  const int replies = reply_channel();
  std::string line;
  while (std::getline(std::cin, line)) {
    bool broken = false;
    nlohmann::json answer;
    try {
      answer = serve_request(*bench, engine, line, broken);
    } catch (const std::exception& e) {
      broken = true;  // it may have stopped anywhere: start the next request from reset
      answer = {{"ok", false}, {"error", e.what()}};
    }
    if (broken) bench = std::make_unique<Bench>(timing, seed, 0);
    if (broken || answer["ok"] != true) engine.forget();
    write_reply(replies, answer);
  }
  return 0;
}

}  // namespace dnngen::shell
