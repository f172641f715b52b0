#pragma once
// EIE's scalability experiment (Han et al., ISCA 2016, "Scalability": speedup over one PE
// and load balance for 1 to 256 PEs on the benchmark layers) with the cycle model
// (cycle_model.hpp). Each layer is one random matrix at its published size and weight
// density and one input vector at its activation density, the same for every PE count: the
// rows are dealt to PE i mod N and each PE's columns encoded with their padding entries, so
// the curve shows how the work divides, not a new draw per point. Kernel cycles only: the
// weights and activations are on chip, no data movement (the shell's figures include it).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/config/config.hpp"
#include "dnngen/eie/bench.hpp"
#include "dnngen/eie/cycle_model.hpp"

namespace dnngen::eie {

// The non-zero weights of the columns that meet a non-zero activation, by global row.
struct LayerMatrix {
  int64_t rows = 0, cols = 0;                  // M, N
  std::vector<int64_t> nz_cols;                // columns j with x_j != 0, increasing
  std::vector<std::vector<uint32_t>> nz_rows;  // [nz column]: rows of its non-zero weights, increasing
};

// A random matrix and input vector with the size and densities of `layer` (each weight and
// each activation non-zero independently at its density, as synthetic_work draws them).
LayerMatrix synthetic_matrix(const BenchLayer& layer, uint64_t seed);

// The matrix on `pes` PEs: row i in PE i mod pes at local row i / pes, each PE's entry count
// per column with the padding entries its gaps of more than 15 zero rows need.
LayerWork partition(const LayerMatrix& m, unsigned pes);

struct ScalingPoint {
  unsigned pes = 0;
  LayerTiming timing;
  uint64_t padding = 0;   // entries - useful MACs
  uint64_t max_pe = 0;    // the most entries any PE processes over the layer
  double speedup = 0;     // cycles on 1 PE / cycles on `pes`
  double balance = 0;     // entries per PE, mean / max: the static work balance (1 = even)
  double busy = 0;        // entries / (cycles x pes): the share of PE cycles spent on an entry
  double efficiency = 0;  // useful MACs / (cycles x pes)
};

struct ScalingRow {
  BenchLayer layer;
  std::vector<ScalingPoint> points;  // one per PE count, in the order asked
};

// The default sweep: 1, 2, 4, ..., config::kEieMaxPes.
std::vector<unsigned> default_pe_counts();

// "1,2,4,...": increasing PE counts in 1..kEieMaxPes, starting at 1 (speedups are over one
// PE). InputError naming `option` otherwise.
std::vector<unsigned> parse_pe_counts(const std::string& text, const std::string& option);

// `cfg` with pes = each count (FIFO depth and the rest as configured); the first count must be 1.
std::vector<ScalingRow> run_pe_scaling(const config::EieConfig& cfg, const std::vector<BenchLayer>& layers,
                                       const std::vector<unsigned>& pe_counts);

std::string format_pe_scaling(const config::EieConfig& cfg, const std::vector<ScalingRow>& rows);
nlohmann::json pe_scaling_json(const config::EieConfig& cfg, const std::vector<ScalingRow>& rows);
// One line per layer and PE count, with a header line.
std::string pe_scaling_csv(const std::vector<ScalingRow>& rows);

// `dnngen bench EIE_CONFIG --network TABLE --pe-scaling [--pes LIST] [--json J] [--csv C]`.
struct PeScalingOptions {
  std::string network;
  std::string pes;  // the --pes list; empty: default_pe_counts()
  std::string json_path, csv_path;
};
int pe_scaling_command(const config::Config& cfg, const PeScalingOptions& options);

}  // namespace dnngen::eie
