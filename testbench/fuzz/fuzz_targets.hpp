#pragma once
// The fuzz targets: each feeds arbitrary bytes to one of dnngen's readers of user files.
// A reader may refuse the bytes only with dnngen::InputError (the one-line bad-input
// contract, exit 2); any other exception, a crash or a sanitizer report is a finding.
// The same functions run under libFuzzer (scripts/fuzz.sh, `make fuzz`) and, over the
// seed corpus and every past finding, in the quick suite (ctest fuzz_corpus).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dnngen::fuzz {

using Target = void (*)(const uint8_t* data, size_t size);

void config_yaml(const uint8_t* data, size_t size);   // config::parse_config
void npy(const uint8_t* data, size_t size);           // io::read_npy and io::read_npy_float
void workload_csv(const uint8_t* data, size_t size);  // workload::parse_network
void liberty(const uint8_t* data, size_t size);       // synth::parse_liberty
void onnx(const uint8_t* data, size_t size);          // infer::import_onnx
void idx(const uint8_t* data, size_t size);           // infer::load_samples and load_labels (IDX)

struct NamedTarget {
  const char* name;  // also the corpus directory: testbench/fuzz/corpus/<name>/
  Target run;
};
const std::vector<NamedTarget>& targets();

}  // namespace dnngen::fuzz
