#pragma once
// Network benchmark of the bit-serial engine: per-layer cycles of the bit-parallel
// baseline, Stripes and Pragmatic on the configured tile, from the exact schedule
// (model.hpp) applied to each layer's im2col GEMM.
//
// Per-layer activation precisions come from a profile beside the network file,
// workloads/bitserial_<network>.csv, lines `layer,precision,zero_fraction`; a layer it
// does not list runs at input_bits. Pragmatic needs activation values: they are
// synthetic and seeded (docs/bitserial.md): a value is 0 with the layer's zero fraction
// (ReLU), else a half-normal magnitude with sigma 2^q / 4, rounded, at least 1 and
// clipped to 2^q - 1, where q = p (p - 1 for signed configurations). Every im2col
// element is drawn independently. The whole layer is one job (the buffers are assumed
// to hold it); Stripes and the baseline do not depend on the values.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/bitserial/model.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::bitserial {

struct LayerProfile {
  unsigned precision = 0;
  double zero_fraction = 0;
};

struct LayerBench {
  std::string name;
  GemmShape gemm;  // per group
  int64_t groups = 1;
  bool profiled = false;
  unsigned precision = 0;
  double zero_fraction = 0;
  uint64_t macs = 0;
  uint64_t parallel = 0, stripes = 0, pragmatic = 0;  // cycles, all groups
};

struct NetworkBench {
  std::string network;
  std::string profile_path;  // empty: none found
  std::vector<LayerBench> layers;
  uint64_t parallel = 0, stripes = 0, pragmatic = 0, macs = 0;
  double seconds = 0;
};

// The precision profile beside a network file (workloads/bitserial_<network>.csv), by layer
// name; `found` gets its path, or "" when there is none.
std::map<std::string, LayerProfile> network_profile(const std::string& network_path, std::string* found);
// A layer's profile: the file's line for it (`profiled` set), else input_bits and the default
// zero fraction; the precision at most input_bits.
LayerProfile layer_profile(const config::BitserialConfig& cfg,
                           const std::map<std::string, LayerProfile>& profile, const std::string& layer,
                           bool* profiled = nullptr);
// An [M, K] activation matrix drawn as the benchmark draws Pragmatic's values (above).
Tensor synthetic_activations(const config::BitserialConfig& cfg, int64_t m, int64_t k,
                             const LayerProfile& prof, uint64_t seed);

NetworkBench bench_network(const config::BitserialConfig& cfg, const std::string& network_path,
                           uint64_t seed = 1);
std::string format_table(const config::BitserialConfig& cfg, const NetworkBench& b);
nlohmann::json to_json(const config::BitserialConfig& cfg, const NetworkBench& b);

}  // namespace dnngen::bitserial
