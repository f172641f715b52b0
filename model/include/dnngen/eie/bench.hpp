#pragma once
// EIE benchmark layers (workloads/eie_layers.csv: Table III of Han et al., ISCA 2016)
// timed with the cycle model at their published sizes and densities. The matrices are
// never materialised: each PE's entry counts per non-zero column are drawn from the
// gaps between non-zeros (geometric at the weight density), padding included.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dnngen/config/eie_config.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/eie/cycle_model.hpp"
#include "dnngen/eie/job.hpp"

namespace dnngen::eie {

struct BenchLayer {
  std::string name;
  int64_t inputs = 0, outputs = 0;  // N, M
  double weight_density = 0, act_density = 0;
};

// Reads the CSV (header: name,inputs,outputs,weight_density,act_density); InputError on
// a malformed row or a density outside (0, 1].
std::vector<BenchLayer> load_bench_layers(const std::string& path);

LayerWork synthetic_work(const BenchLayer& layer, unsigned pes, uint64_t seed);

// The PEs' encodings of a random layer at the published size and weight density of
// `layer` (every column, non-zero weights 1 .. 2^index_bits - 1, gaps geometric, padding
// entries for runs of more than 15 zeros), without the dense matrix: the image the shell
// reads (shell_layer.hpp, weight_image).
std::vector<PeImage> synthetic_pe_images(const BenchLayer& layer, unsigned pes, unsigned index_bits,
                                         uint64_t seed);

// A random layer with the densities of `layer`, shrunk by a power of two until it fits
// the config's SRAMs (for co-simulating the benchmark layers in RTL).
Chain scaled_chain(const config::EieConfig& cfg, const BenchLayer& layer, uint64_t seed);

struct BenchRow {
  BenchLayer layer;
  LayerTiming timing;
  uint64_t dense_cycles = 0;  // ceil(M * N / pes): a dense engine with as many MACs
  // The job's action counts (eie::job_actions: on chip only, weights already in SRAM, no
  // DRAM) priced with the energy table.
  energy::Actions actions;
  energy::Breakdown energy;
  std::string energy_table;  // the table's name
};

// The clock EIE's published power is at (Han et al., ISCA 2016: 800 MHz, 45 nm), and its
// power per PE (64 PEs), which the benchmark's average power per PE is set against.
constexpr double kEieClockMhz = 800;
constexpr double kEiePaperMwPerPe = 9.157;

std::vector<BenchRow> run_bench(const config::EieConfig& cfg, const std::vector<BenchLayer>& layers,
                                const config::EnergyTable& table = config::load_energy_table());
std::string format_bench(const config::EieConfig& cfg, const std::vector<BenchRow>& rows);
nlohmann::json bench_json(const config::EieConfig& cfg, const std::vector<BenchRow>& rows);

}  // namespace dnngen::eie
