#include "fuzz_targets.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/infer/data.hpp"
#include "dnngen/infer/onnx_import.hpp"
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

// The file readers take a path: one scratch file per process and extension (the data
// readers choose the format by it), rewritten per input.
std::string scratch_path(const std::string& extension) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/dnngen-fuzz-" + std::to_string(::getpid()) + extension;
}

// Writes the bytes to the scratch file, runs `readers` on its path, removes it.
template <typename F>
void with_file(const uint8_t* data, size_t size, const std::string& extension, F&& readers) {
  const std::string path = scratch_path(extension);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  readers(path);
  std::remove(path.c_str());
}

}  // namespace

void config_yaml(const uint8_t* data, size_t size) {
  guarded([&] { config::parse_config(text(data, size), "fuzz.yaml"); });
}

void npy(const uint8_t* data, size_t size) {
  with_file(data, size, ".npy", [](const std::string& path) {
    guarded([&] { io::read_npy(path); });
    guarded([&] { io::read_npy_float(path); });
  });
}

void onnx(const uint8_t* data, size_t size) {
  with_file(data, size, ".onnx", [](const std::string& path) {
    guarded([&] {
      const infer::Network net = infer::import_onnx(path);
      infer::shape_after(net, net.layers.size());  // an imported network's shapes are consistent
    });
  });
}

void idx(const uint8_t* data, size_t size) {
  with_file(data, size, ".idx", [](const std::string& path) {
    guarded([&] { infer::load_samples(path, {1, 2, 2}, 1.0, 0); });
    guarded([&] { infer::load_labels(path, 0); });
  });
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
      {"config_yaml", config_yaml}, {"npy", npy},   {"workload_csv", workload_csv},
      {"liberty", liberty},         {"onnx", onnx}, {"idx", idx}};
  return list;
}

}  // namespace dnngen::fuzz
