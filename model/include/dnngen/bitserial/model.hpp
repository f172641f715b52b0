#pragma once
// Golden model of the bit-serial engine (docs/bitserial.md): bit-exact GEMM computed
// the way the SIPs do it (bit by bit, oneffset by oneffset, or word by word), and the
// exact cycle count of the RTL for the same job.
//
// Numerics: C[M,N] = A[M,K] x B[K,N] modulo 2^acc_bits (two's complement), equal to the
// bit-parallel product. Weights are signed; activations are signed when the config
// says `signed: true`, else unsigned (post-ReLU). A job states the activations'
// precision p (1..input_bits): every activation fits p bits (unsigned, or two's
// complement), or p is detected per brick group (`precision=auto`).
//
// Schedule: tiles of tile_rows windows (rows of A) x tile_cols filters (columns of B),
// windows outermost; inside a tile, bricks of `lanes` consecutive k. A brick step takes
//   stripes   p cycles,
//   pragmatic max over the tile_rows x lanes activations of the brick (the synchronised
//             group) of popcount(p-bit pattern), at least 1,
//   parallel  1 cycle.
// Cycle 1 is the first after the job is accepted; the first brick is read in cycle 1
// and each next one in the last cycle of the previous, so a tile whose first read is at
// T ends at E = max(T + sum of its steps, E_prev + rows_prev) (the output bank must have
// handed out the previous tile's rows_prev rows, one per cycle), and the next tile's
// first read is at E. The job ends with its last row: cycles = E_last + rows_last.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"

namespace dnngen::bitserial {

// A job's activation precision: a fixed p, or detected per brick group.
struct Precision {
  bool automatic = false;
  unsigned bits = 0;  // fixed p (1..input_bits); unused when automatic
};

// Parses `precision=P` (P an integer 1..input_bits, or `auto`); `text` empty: p = input_bits.
Precision parse_precision(const config::BitserialConfig& cfg, const std::string& text);
std::string to_string(const Precision& p);

// Throws InputError naming the tensor for: not 2-D, inner dimensions differ, a size of 0
// or (job_limits) above max_m/max_n/max_k, a weight outside weight_bits signed, a negative
// activation in unsigned mode, an activation that does not fit the stated precision.
// Through the shell the hardware walks the jobs: no job limits.
void check_operands(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b, const Precision& p,
                    bool job_limits = true);
// The value checks of check_operands on a tensor of any rank, named `name` in the message:
// weights within weight_bits signed; activations not negative when unsigned and within the
// precision (input_bits when it is detected).
void check_weight_values(const config::BitserialConfig& cfg, const std::string& name, const Tensor& w);
void check_activation_values(const config::BitserialConfig& cfg, const std::string& name, const Tensor& a,
                             const Precision& p);

// Fewest bits (>= 1) holding v: unsigned, or two's complement.
unsigned needed_bits(int64_t v, bool is_signed);
// Cycles Pragmatic's activation unit takes for one window's lanes, given each lane's
// oneffset pattern (bit b set: a one bit at position b): with one full shifter per lane
// the most populated lane's count; with two-stage shifting, cycle by cycle, the lanes whose
// lowest pending bit lies within 2^first_stage_bits positions of the window's lowest one
// take it. 0 when no lane has a one bit.
unsigned oneffset_cycles(const config::BitserialConfig& cfg, const uint64_t* patterns, size_t lanes);
// Pragmatic: a window's cycles on a brick, oneffset_cycles but at least 1 (a brick with no
// one bit still takes the cycle it starts in).
unsigned brick_cycles(const config::BitserialConfig& cfg, const uint64_t* patterns, size_t lanes);

struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
};

struct Timing {
  uint64_t cycles = 0;  // from job accept to the last result (the RTL's cycles_o)
  uint64_t macs = 0;    // M*N*K
  uint64_t tiles = 0;
  uint64_t steps = 0;         // brick steps (tiles x bricks per tile)
  uint64_t step_cycles = 0;   // sum of the steps' cycles
  uint64_t drain_stalls = 0;  // cycles tiles waited for the output bank
  double utilization = 0;     // macs / (cycles * tile_rows * tile_cols * lanes)
};

struct Result {
  Tensor c;  // [M, N], wrapped to acc_bits
  Timing timing;
};

// Runs the job as the engine does. Operands must have passed check_operands.
Result run_gemm(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b, const Precision& p);

// The exact product, modulo 2^acc_bits: the reference every mode must equal.
Tensor reference_gemm(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b);

// Cycles of brick step (tile row block mt, brick kb) of A, as run_gemm counts them.
unsigned step_cycles(const config::BitserialConfig& cfg, const Tensor& a, int64_t mt, int64_t kb,
                     const Precision& p);

// Cycles of one tile's bricks given each window's cycles on each brick (costs[kb * rows + r],
// each >= 1): with the whole tile synchronised the sum over bricks of the slowest window;
// with per-window synchronisation (cfg.window_sync) window r starts brick kb when it has
// finished brick kb-1 and the brick is on the buffer outputs, which it is from the cycle
// after the last window started brick kb-1; the tile ends when every window has finished.
uint64_t synchronised_cycles(const config::BitserialConfig& cfg, const unsigned* costs, size_t bricks,
                             size_t rows);

// Whether a job of m windows runs cascaded (cfg.cascade and M = 1).
bool cascaded(const config::BitserialConfig& cfg, int64_t m);

// A cascaded job's bricks' cycles on their window (one activation row: every tile of
// filters runs the same bricks), step_cycles of each.
std::vector<unsigned> cascade_costs(const config::BitserialConfig& cfg, const Tensor& a, const Precision& p);

// A cascaded job cycle by cycle, as dnn_bitserial_seq runs it: the job's bricks, tile of
// filters after tile, go round the windows (brick b of the job on window b mod rows); brick
// b is read in the cycle brick b-1's window starts it (cycle 1 for the first) and is on
// the buffer outputs from the next cycle, where its window starts it once it has finished
// its previous brick. A window's last brick in a tile ends its share; a tile is complete
// when every share has ended and is captured (by the output bank, when free) in tile
// order; the first brick of a tile waits while two tiles are open (read, not captured).
class CascadeTiming {
 public:
  CascadeTiming(std::vector<unsigned> costs, uint64_t tiles, unsigned rows);
  // One cycle (the first call is cycle 1); bank_free: the output bank may take a tile this
  // cycle. Returns true when a tile is captured.
  bool step(bool bank_free);
  bool done() const { return captured_ == tiles_; }

 private:
  std::vector<unsigned> costs_;  // per brick of a tile
  uint64_t tiles_, bricks_;      // bricks_: the job's (tiles x bricks a tile)
  unsigned rows_;
  uint64_t next_ = 0, cur_ = 0;  // the next brick to read, the brick on the outputs
  bool active_ = false;
  std::vector<uint64_t> left_;                     // window w's cycles left on its brick (0: free)
  std::vector<uint64_t> tile_of_;                  // the tile of window w's brick, when its last in the tile
  std::vector<bool> ends_;                         // window w's brick is its last in its tile
  uint64_t captured_ = 0, opened_ = 0, read_ = 0;  // tiles captured, opened, all read
  std::vector<uint64_t> pending_;                  // per open tile (captured_ + i): shares not ended
};

// The Timing of a cascaded job of shape s with an always-ready consumer: cycles = the
// last tile's capture + 1 (its one row handed over); step_cycles = every brick's cycles.
Timing cascade_schedule(const config::BitserialConfig& cfg, const GemmShape& s,
                        const std::vector<unsigned>& costs);

// Cycles of the bricks of tile row block mt (every brick of A's K), one tile's work; for a
// cascaded job, the sum of its bricks' cycles (window-cycles: they overlap on different
// windows, as cascade_schedule times them).
uint64_t tile_cycles(const config::BitserialConfig& cfg, const Tensor& a, int64_t mt, const Precision& p);

// A job's Timing as run_gemm gives it: cascade_schedule for a cascaded job, else schedule.
Timing job_timing(const config::BitserialConfig& cfg, const GemmShape& s, const Tensor& a,
                  const Precision& p);

// The schedule's cycles when every step of tile row block mt takes cycles_of(mt)
// cycles in total per tile (sum over its bricks): shared by run_gemm and the bench.
template <typename TileCycles>
Timing schedule(const config::BitserialConfig& cfg, const GemmShape& s, TileCycles tile_cycles);

double utilization(const config::BitserialConfig& cfg, uint64_t macs, uint64_t cycles);

// --- implementation of the template ---
template <typename TileCycles>
Timing schedule(const config::BitserialConfig& cfg, const GemmShape& s, TileCycles tile_cycles) {
  Timing t;
  const int64_t mtiles = (s.m + cfg.tile_rows - 1) / cfg.tile_rows;
  const int64_t ntiles = (s.n + cfg.tile_cols - 1) / cfg.tile_cols;
  const int64_t kb = (s.k + cfg.lanes - 1) / cfg.lanes;
  uint64_t read_at = 1, end = 0, rows_prev = 0;
  for (int64_t mt = 0; mt < mtiles; ++mt) {
    const uint64_t rows = static_cast<uint64_t>(std::min<int64_t>(cfg.tile_rows, s.m - mt * cfg.tile_rows));
    const uint64_t work = tile_cycles(mt);  // the same A bricks for every filter tile
    for (int64_t nt = 0; nt < ntiles; ++nt) {
      const uint64_t natural = read_at + work;
      const uint64_t e = std::max(natural, end + rows_prev);
      t.drain_stalls += e - natural;
      t.step_cycles += work;
      end = e;
      read_at = e;
      rows_prev = rows;
    }
  }
  t.cycles = end + rows_prev;
  t.tiles = static_cast<uint64_t>(mtiles * ntiles);
  t.steps = t.tiles * static_cast<uint64_t>(kb);
  t.macs = static_cast<uint64_t>(s.m) * static_cast<uint64_t>(s.n) * static_cast<uint64_t>(s.k);
  t.utilization = utilization(cfg, t.macs, t.cycles);
  return t;
}

}  // namespace dnngen::bitserial
