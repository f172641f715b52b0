#pragma once
// Row-stationary (Eyeriss) conv2d engine: the host's job plan, the event-exact cycle
// model of the RTL schedule, its pass-by-pass total, and the buffer packing the host
// driver writes through the loader port. Architecture and schedule: docs/row_stationary.md.
//
// Loop nest of one job (all PEs of a row in lockstep, row i i cycles behind row 0):
//   for eo in E-folds (NumCols output rows at once, column j = output row eo*NumCols + j)
//    for kg in filter groups (kg_size filters, psums of kg_size x F per column in flight)
//     for q in row folds (NumRows consecutive (channel, filter row) slots)
//       load: each ifmap row the fold needs read once and multicast to every PE that
//             holds it (a diagonal of the array): pass_load_cycles()
//       for k in the group: for f < F: for s < S: one MAC per PE per cycle
// A pass's loads (into one of the PEs' two ifmap-scratchpad banks) overlap the pass
// before's steps: pass_starts().
#include <cstdint>
#include <string>
#include <vector>

#include "dnngen/common/bit_words.hpp"
#include "dnngen/common/tensor.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/golden/conv2d.hpp"

namespace dnngen::rs {

struct ConvJob {
  int64_t c = 1, h = 1, w = 1;  // ifmap [C, H, W]
  int64_t k = 1, r = 1, s = 1;  // weights [K, C, R, S]
  int64_t stride = 1, pad = 0;
  // The shell's (0: none): a layer whose filters fit one group runs them as two, the
  // second of ceil(K / tail_div), so that only a small group's tiles drain after the core
  // ends (a group emits its tiles at its last row fold).
  int64_t tail_div = 0;
};

// What the host derives once per job and hands to the RTL with the job.
struct Plan {
  int64_t e = 0, f = 0;  // output height and width
  int64_t ne = 0;        // E-folds: ceil(E / cols)
  int64_t nq = 0;        // row folds: ceil(C*R / rows)
  int64_t kg = 0;        // filters per group: min(K, floor(psum_spad / F)), and
                         // at most K - ceil(K / tail_div) with a tail group
  int64_t nk = 0;        // filter groups: ceil(K / kg)
};

// The plan of a job; InputError naming the limit for a job the configuration cannot run
// (W > ifmap_spad, R or S > max_filter_size, C*H > ifmap_rows, F > psum_spad,
// K * nq > filter_words). Operand checks (shapes, stride, padding) are golden's.
Plan plan(const config::RowStationaryConfig& cfg, const ConvJob& job);

ConvJob job_of(const Tensor& ifmap, const Tensor& weights, const golden::Conv2dParams& p);

struct Timing {
  uint64_t cycles = 0;  // accept edge (exclusive) to the last output handshake (inclusive)
  uint64_t macs = 0;    // K*C*R*S*E*F
  uint64_t passes = 0;  // ne * nk * nq
  double utilization = 0;
};

// Ifmap-row load cycles of one pass (E-fold eo, row fold q): one cycle per distinct ifmap
// row the fold's PEs need. Per run of rows of one channel (w slots, filter rows r0 ..
// r0+w-1) over the ncv = min(cols, E - eo*cols) columns of the E-fold, column j needs
// rows j*stride + r0 .. j*stride + r0+w-1 (plus the E-fold's offset, minus the padding),
// so the run costs w + (ncv - 1) * min(w, stride) cycles. Slots past C*R and columns
// past E load nothing (their filter rows are zero, their sums are not kept).
uint64_t pass_load_cycles(const config::RowStationaryConfig& cfg, const ConvJob& job, const Plan& plan,
                          int64_t eo, int64_t q);

// What the ifmap multicast of one pass (E-fold eo, row fold q) does, as dnn_rs_seq walks
// it: each distinct row the fold needs is one load cycle, a buffer read when it lies inside
// the input (ird_o) and none in the padding (izero_o: the PEs write zeros); every active
// PE (slot < C*R, column < E) takes exactly one row into its scratchpad.
struct PassLoads {
  uint64_t buffer_reads = 0;    // ifmap-buffer reads: rows inside the input
  uint64_t zero_rows = 0;       // load cycles of padding rows: no read
  uint64_t pe_writes = 0;       // ifmap-scratchpad writes: slots x ncv
  uint64_t pe_data_writes = 0;  // of them, rows from a buffer read (over the row bus)
};
// buffer_reads + zero_rows == pass_load_cycles(cfg, job, plan, eo, q).
PassLoads pass_loads(const config::RowStationaryConfig& cfg, const ConvJob& job, const Plan& plan, int64_t eo,
                     int64_t q);

// When each pass's steps start (busy cycles, issue), as dnn_rs_seq's two walkers run them.
// Pass n = (E-fold, filter group, row fold) in loop order loads for L(n) =
// pass_load_cycles cycles from a(n) and steps for St(n) = (filters in its group) * F * S
// cycles from b(n):
//   a(0) = 0, a(n) = max(a(n-1) + L(n-1), b(n-B) + St(n-B))   (its bank free; B =
//   ifmap_spad_banks: with one bank the loads wait for the pass before's steps)
//   b(0) = L(0), b(n) = max(a(n) + L(n), b(n-1) + St(n-1) + 1)
// (the cycle between two passes' steps reads the first filter word). The job ends
// rows + 2 cycles after the last step: cycles = b(last) + St(last) + rows + 2.
struct PassStart {
  int64_t eo = 0, k0 = 0, kend = 0, q = 0;
  uint64_t loads_at = 0;  // a(n)
  uint64_t steps_at = 0;  // b(n)
};
std::vector<PassStart> pass_starts(const config::RowStationaryConfig& cfg, const ConvJob& job);

// The total of pass_starts() and the MACs.
Timing estimate(const config::RowStationaryConfig& cfg, const ConvJob& job);

// Width of the psums in the array and the psum buffer (dnn_rs_top's AccIntBits): acc_bits,
// or the exact sum's width when saturating (product + ceil(log2(ifmap_rows * max_filter_size^2))).
unsigned acc_int_bits(const config::RowStationaryConfig& cfg);

// One on-chip memory of the engine as the RTL instantiates it: `instances` copies of
// `bytes` each, `width_bits` per access (energy::MemoryAccesses prices one access).
struct Memory {
  const char* name;
  energy::Level level;
  int64_t bytes;
  unsigned width_bits;
  int64_t instances;
};

// The core's memories (dnn_rs_top, dnn_rs_pe): the ifmap, filter and psum buffers, and
// per PE the filter scratchpad (2 banks), the ifmap scratchpad and the psum registers.
std::vector<Memory> core_memories(const config::RowStationaryConfig& cfg);

// Adds `reads` and `writes` accesses of `m` (all its instances together) to `a`.
void add_accesses(energy::Actions& a, const Memory& m, uint64_t reads, uint64_t writes);

// What the core does for one job, counted from its loop nest (docs/energy_rs.md): the
// MACs, every access of core_memories(), the bits the array moves (ifmap-row and filter-row
// multicast per receiving PE, the filter skew, psums down the columns). The buffers' writes
// are the loader's (C*H ifmap rows, K*nq filter words). Work of idle PEs (rows past C*R,
// columns past E), which switch too since nothing is gated, is not counted.
energy::Actions core_actions(const config::RowStationaryConfig& cfg, const ConvJob& job);

// One output handshake: ofmap[k, e0 + j, f] for the array's columns j.
struct OutEvent {
  uint64_t cycle = 0;
  int64_t k = 0, e0 = 0, f = 0;
  bool last = false;
};

// Event-exact schedule: walks the loop nest cycle by cycle-count as the sequencer does.
std::vector<OutEvent> schedule(const config::RowStationaryConfig& cfg, const ConvJob& job);

// The busy cycles (counted from 1 after the accept edge, as OutEvent::cycle) in which the
// sequencer reads filter words 0, 1, ... of the first E-fold, in address order: the reads
// that wait for words still streaming in (dnn_rs_top's fw_avail_i). Later E-folds read the
// same words again.
std::vector<uint64_t> filter_reads(const config::RowStationaryConfig& cfg, const ConvJob& job);

// The ifmap-buffer reads (address c*H + y) that need a row no earlier read did, with their
// busy cycles (as filter_reads), in order: each needs rows 0 .. addr in the buffer, which a
// read waits for when they stream in behind the job (dnn_rs_top's if_avail_i).
struct IfmapRead {
  uint64_t cycle = 0, addr = 0;
};
std::vector<IfmapRead> ifmap_reads(const config::RowStationaryConfig& cfg, const ConvJob& job);

// Buffer words (LoadWord::to_b false: ifmap buffer, true: filter buffer): the ifmap
// buffer holds row (c, y) at c*H + y (ifmap_spad lanes of input_bits); the filter
// buffer holds, in sequencer order (k-group, row fold, filter), one word per (filter k,
// row fold q): lane i (filter_spad weights) is filter row r of channel c where
// q*rows + i = c*R + r (zero past C*R).
std::vector<LoadWord> pack(const config::RowStationaryConfig& cfg, const Tensor& ifmap, const Tensor& weights,
                           const ConvJob& job);

// Loader port width in bits: max(ifmap_spad*input_bits, rows*filter_spad*weight_bits).
unsigned load_width(const config::RowStationaryConfig& cfg);

// Writes one output event's lanes (cols lanes of acc_bits) into ofmap [K, E, F].
void unpack_output(const config::RowStationaryConfig& cfg, const BitWords& data, const OutEvent& ev,
                   Tensor& ofmap);

// A random job that fits cfg (filters 1, 3, 5, 11 when they fit; strides 1, 2, 4;
// padding; channel counts that do not divide the array), with operands.
struct RandomJob {
  std::string label;
  Tensor ifmap, weights;
  golden::Conv2dParams params;
};
RandomJob random_job(const config::RowStationaryConfig& cfg, uint64_t seed, uint64_t index);

}  // namespace dnngen::rs
