#include "fuzz_targets.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/io/npy.hpp"
#include "dnngen/synth/liberty.hpp"
#include "dnngen/workload/network.hpp"

namespace dnngen::fuzz {
namespace {

std::string text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs a reader; InputError is its legal answer to bad bytes, anything else escapes.
template <typename F>
void guarded(F&& reader) {
  try {
    reader();
  } catch (const InputError&) {
  }
}

// The .npy reader takes a path: one scratch file per process, rewritten per input.
const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/dnngen-fuzz-" + std::to_string(::getpid()) + ".npy";
  }();
  return path;
}

}  // namespace

void config_yaml(const uint8_t* data, size_t size) {
  guarded([&] { config::parse_config(text(data, size), "fuzz.yaml"); });
}

void npy(const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(scratch_path().c_str(), "wb");
  if (f == nullptr) std::abort();
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  guarded([&] { io::read_npy(scratch_path()); });
  guarded([&] { io::read_npy_float(scratch_path()); });
  std::remove(scratch_path().c_str());
}

void workload_csv(const uint8_t* data, size_t size) {
  guarded([&] { workload::parse_network(text(data, size), "fuzz.csv"); });
}

void liberty(const uint8_t* data, size_t size) {
  guarded([&] {
    const synth::Liberty lib = synth::parse_liberty(text(data, size), "fuzz.lib");
    synth::smallest_inverter(lib);
    synth::smallest_nand2(lib);
  });
}

const std::vector<NamedTarget>& targets() {
  static const std::vector<NamedTarget> list = {
      {"config_yaml", config_yaml}, {"npy", npy}, {"workload_csv", workload_csv}, {"liberty", liberty}};
  return list;
}

}  // namespace dnngen::fuzz
