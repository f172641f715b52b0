// Action counts of a GEMM shell job (systolic/energy_actions.hpp).
#include "dnngen/systolic/energy_actions.hpp"

#include <algorithm>

#include "dnngen/common/numerics.hpp"
#include "dnngen/systolic/schedule.hpp"

namespace dnngen::systolic {
namespace {

using energy::Level;

using numerics::ceil_div;

// Bytes of a memory of `depth` words of `width` bits.
int64_t bytes_of(uint64_t depth, uint64_t width) { return static_cast<int64_t>(ceil_div(depth * width, 8)); }

// The K-split accumulator (both cores and the bit-serial one): each row of C sums of the
// job is read unless the job starts its sums and written back unless it emits them.
void add_k_split(const ShellParams& p, const CoreJob& job, uint64_t rows, uint64_t acc_width,
                 energy::Actions& a) {
  const uint64_t depth = ceil_div(p.max_n, p.cols) * p.max_m;
  a.add_memory("accumulator", Level::kBuffer, bytes_of(depth, acc_width), static_cast<unsigned>(acc_width),
               job.first_k ? 0 : rows, job.last_k ? 0 : rows);
}

// The shell around the core (dnn_shell_systolic): an emitting job loads its channels'
// bias and (mult, shift) words (one per N tile, two banks), reads them for every row it
// emits, writes each row into the output tile buffer and the writer reads it back.
void add_output_path(const ShellParams& p, const CoreJob& job, energy::Actions& a) {
  if (!job.last_k) return;
  const uint64_t n_tiles = ceil_div(p.max_n, p.cols);
  const uint64_t rows = job.m * ceil_div(job.n, p.cols);
  const uint64_t loads = ceil_div(job.n, p.cols);
  a.add_memory("bias", Level::kBuffer, bytes_of(2 * n_tiles, p.cols * 32), p.cols * 32, rows, loads);
  a.add_memory("quant", Level::kBuffer, bytes_of(2 * n_tiles, p.cols * 38), p.cols * 38, rows, loads);
  a.add_memory("output_tiles", Level::kBuffer, bytes_of(2 * p.max_m * n_tiles, p.cols * 32), p.cols * 32,
               rows, rows);
}

// Weight stationary (dnn_systolic_ws_core): tiles are N strips x K tiles. A tile reads R
// weight words into the PEs' idle bank (R x C weight register writes) and streams M
// activation words through the array: each activation hops across C PEs, each partial sum
// down R PEs, and every MAC reads its PE's weight (a two-entry register file).
void add_weight_stationary(const ShellParams& p, const CoreJob& job, energy::Actions& a) {
  const uint64_t r = p.rows, c = p.cols;
  const uint64_t k_tiles = ceil_div(job.k, r), n_tiles = ceil_div(job.n, c), tiles = k_tiles * n_tiles;
  const uint64_t a_depth = ceil_div(p.max_k, r) * p.max_m, b_depth = ceil_div(p.max_n, c) * p.max_k;
  a.add_memory("a_buffer", Level::kBuffer, bytes_of(2 * a_depth, r * p.in_bits), r * p.in_bits, tiles * job.m,
               job.m * k_tiles);
  a.add_memory("b_buffer", Level::kBuffer, bytes_of(2 * b_depth, c * p.w_bits), c * p.w_bits, tiles * r,
               job.k * n_tiles);
  const uint64_t macs = job.m * job.n * job.k;
  a.add_memory("pe_weights", Level::kRegister, 2 * p.w_bits / 8, p.w_bits, macs, tiles * r * c);
  a.array_bits += tiles * job.m * (r * c * p.in_bits + r * c * p.acc_bits);
  a.add_macs(p.in_bits, p.w_bits, p.acc_bits, macs);
  add_k_split(p, job, job.m * n_tiles, c * p.acc_bits, a);
}

// Output stationary (dnn_systolic_os_core): tiles are M tiles x N strips; a tile reads K
// A words and K B words, A hops across C PEs and B down R PEs, and every MAC updates its
// PE's accumulator register.
void add_output_stationary(const ShellParams& p, const CoreJob& job, energy::Actions& a) {
  const uint64_t r = p.rows, c = p.cols;
  const uint64_t tiles = ceil_div(job.m, r) * ceil_div(job.n, c);
  const uint64_t a_depth = ceil_div(p.max_m, r) * p.max_k, b_depth = ceil_div(p.max_n, c) * p.max_k;
  a.add_memory("a_buffer", Level::kBuffer, bytes_of(2 * a_depth, r * p.in_bits), r * p.in_bits, tiles * job.k,
               ceil_div(job.m, r) * job.k);
  a.add_memory("b_buffer", Level::kBuffer, bytes_of(2 * b_depth, c * p.w_bits), c * p.w_bits, tiles * job.k,
               job.k * ceil_div(job.n, c));
  const uint64_t macs = job.m * job.n * job.k;
  a.add_memory("pe_accumulators", Level::kRegister, p.acc_bits / 8, p.acc_bits, macs, macs);
  a.array_bits += tiles * job.k * (r * c * p.in_bits + r * c * p.w_bits);
  a.add_macs(p.in_bits, p.w_bits, p.acc_bits, macs);
  add_k_split(p, job, job.m * ceil_div(job.n, c), c * p.acc_bits, a);
}

// Bit-serial core (dnn_bitserial_core): a tile of windows x filters SIPs runs one brick of
// `lanes` activations at a time; the brick's A words (one per window sub-bank) and B words
// (one per lane sub-bank) are read once and held for its steps. Each busy cycle every SIP
// of the tile does `lanes` 1 x w_bits terms (an AND or a shifted weight) into its sum and
// receives the window's activation bits (Stripes: 1 a lane, Pragmatic: an oneffset), and a
// brick's weights go down each column. The bit-parallel baseline does whole products.
void add_bitserial(const ShellParams& p, const CoreJob& job, uint64_t sip_cycles, energy::Actions& a) {
  const uint64_t r = p.rows, c = p.cols, lanes = p.lanes;
  const uint64_t bricks = ceil_div(job.k, lanes);
  const uint64_t tiles = ceil_div(job.m, r) * ceil_div(job.n, c);
  const uint64_t a_depth = ceil_div(p.max_m, r) * ceil_div(p.max_k, lanes);
  const uint64_t b_depth = ceil_div(p.max_n, c) * ceil_div(p.max_k, lanes);
  a.add_memory("a_buffer", Level::kBuffer, r * bytes_of(2 * a_depth, lanes * p.in_bits), lanes * p.in_bits,
               tiles * bricks * r, job.m * bricks);
  a.add_memory("b_buffer", Level::kBuffer, lanes * bytes_of(2 * b_depth, c * p.w_bits), c * p.w_bits,
               tiles * bricks * lanes, job.k * ceil_div(job.n, c));
  const bool parallel = p.mode == config::BitserialMode::kParallel;
  uint64_t offset_bits = 1;
  if (p.mode == config::BitserialMode::kPragmatic) {
    while ((uint64_t{1} << offset_bits) < p.in_bits) ++offset_bits;
  }
  if (parallel) {
    a.add_macs(p.in_bits, p.w_bits, p.acc_bits, job.m * job.n * job.k);
    a.array_bits += tiles * bricks * r * c * lanes * (p.in_bits + p.w_bits);
  } else {
    a.add_serial_terms(p.w_bits, p.acc_bits, sip_cycles * lanes, job.m * job.n * job.k);
    a.array_bits += sip_cycles * lanes * offset_bits + tiles * bricks * r * c * lanes * p.w_bits;
  }
  add_k_split(p, job, job.m * ceil_div(job.n, c), c * p.acc_bits, a);
}

}  // namespace

void add_core_job_actions(const ShellParams& p, const CoreJob& job, uint64_t bitserial_sip_cycles,
                          energy::Actions& a) {
  if (p.bitserial) {
    add_bitserial(p, job, bitserial_sip_cycles, a);
  } else if (p.dataflow == config::Dataflow::kOutputStationary) {
    add_output_stationary(p, job, a);
  } else {
    add_weight_stationary(p, job, a);
  }
}

void add_job_actions(const ShellParams& p, const CoreJob& job, uint64_t bitserial_sip_cycles,
                     energy::Actions& a) {
  add_core_job_actions(p, job, bitserial_sip_cycles, a);
  add_output_path(p, job, a);
}

ShellParams kernel_params(const config::SystolicConfig& cfg) {
  ShellParams p;
  p.dataflow = cfg.dataflow;
  p.rows = cfg.rows, p.cols = cfg.cols;
  p.in_bits = cfg.input_bits, p.w_bits = cfg.weight_bits, p.acc_bits = cfg.acc_bits;
  p.max_m = cfg.max_m, p.max_n = cfg.max_n, p.max_k = cfg.max_k;
  return p;
}

energy::Actions gemm_actions(const ShellParams& p, uint64_t m, uint64_t n, uint64_t k, bool shell) {
  // Jobs of one (m, n) tile differ only by their K size and place in the K split, and the
  // tiles only by their M and N edge sizes: at most 2 x 2 x 3 distinct jobs.
  const uint64_t k_jobs = ceil_div(k, p.max_k), k_last = k - (k_jobs - 1) * p.max_k;
  const DimSplit ms = split_dim(static_cast<int64_t>(m), p.max_m),
                 ns = split_dim(static_cast<int64_t>(n), p.max_n);
  energy::Actions all;
  for (int i = 0; i < ms.parts; ++i) {
    for (int j = 0; j < ns.parts; ++j) {
      const auto mj = static_cast<uint64_t>(ms.size[i]), nj = static_cast<uint64_t>(ns.size[j]);
      energy::Actions tile;
      const auto add = [&](uint64_t kj, bool first, bool last, uint64_t times) {
        if (times == 0) return;
        energy::Actions job;
        const CoreJob j{mj, nj, kj, first, last};
        shell ? add_job_actions(p, j, 0, job) : add_core_job_actions(p, j, 0, job);
        job *= times;
        tile += job;
      };
      if (k_jobs == 1) {
        add(k, true, true, 1);
      } else {
        add(p.max_k, true, false, 1);
        add(p.max_k, false, false, k_jobs - 2);
        add(k_last, false, true, 1);
      }
      tile *= ms.count[i] * ns.count[j];
      all += tile;
    }
  }
  return all;
}

}  // namespace dnngen::systolic
