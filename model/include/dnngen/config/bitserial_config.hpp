#pragma once
// The `bitserial:` section of a configuration (see docs/bitserial.md): Stripes
// (MICRO 2016) and Bit-Pragmatic (MICRO 2017) bit-serial engines, and the bit-parallel
// baseline of equal peak throughput built from the same tile, buffers and control.
namespace dnngen::config {

enum class BitserialMode { kStripes, kPragmatic, kParallel };

struct BitserialConfig {
  BitserialMode mode = BitserialMode::kStripes;
  unsigned lanes = 16;        // activations (and weights) per brick, summed by one adder tree
  unsigned tile_rows = 4;     // windows (output rows) processed at once
  unsigned tile_cols = 4;     // filters (output columns) processed at once
  unsigned weight_bits = 16;  // weights, in parallel
  unsigned input_bits = 16;   // the maximum activation precision
  unsigned acc_bits = 32;
  bool is_signed = false;  // activations signed; weights are always signed
  // Pragmatic's two-stage shifting (PRA-nb): each lane shifts its weight by at most
  // 2^first_stage_bits - 1 above a base shared by the window's lanes, applied after the
  // adder tree. Off (`first_stage_bits` absent): one full-range shifter per lane.
  bool two_stage_shift = false;
  unsigned first_stage_bits = 2;
  // Pragmatic's synchronisation (`sync`): the whole tile steps brick by brick together
  // (false, `tile`), or each window (tile row) starts its next brick as soon as it has
  // finished its last, at most one brick ahead of the slowest (true, `window`).
  bool window_sync = false;
  // Fully connected layers (`cascade`, Stripes and Pragmatic): a job of one window (M = 1)
  // spreads its bricks over the tile's windows, brick kb to window kb mod tile_rows, and the
  // windows' sums add up to one row. Needs each window's own brick, weights and bit count,
  // so the RTL runs with per-window synchronisation (RowSync) whenever this is on.
  bool cascade = false;
  unsigned max_m = 64;  // job size limits
  unsigned max_n = 64;
  unsigned max_k = 64;
};

}  // namespace dnngen::config
