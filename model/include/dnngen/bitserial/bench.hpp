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

NetworkBench bench_network(const config::BitserialConfig& cfg, const std::string& network_path,
                           uint64_t seed = 1);
std::string format_table(const config::BitserialConfig& cfg, const NetworkBench& b);
nlohmann::json to_json(const config::BitserialConfig& cfg, const NetworkBench& b);

}  // namespace dnngen::bitserial
