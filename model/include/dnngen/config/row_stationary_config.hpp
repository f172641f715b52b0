#pragma once
// The row-stationary (Eyeriss) conv2d engine's configuration: in YAML the `systolic:`
// section with `dataflow: row_stationary` (docs/configuration.md), whose own keys size
// the PE scratchpads and the buffers in place of the GEMM job limits
// (docs/row_stationary.md).
#include "dnngen/config/systolic_config.hpp"

namespace dnngen::config {

struct RowStationaryConfig : ArrayConfig {
  unsigned max_filter_size = 0;  // largest R and S of a conv2d job
  unsigned filter_spad = 0;      // PE filter scratchpad: weights per bank (two banks), >= S
  unsigned ifmap_spad = 0;       // PE ifmap scratchpad: one whole ifmap row, so W <= it
  // Ifmap scratchpad banks per PE: 2 (default) loads the next pass's rows while the
  // steps read the other bank; 1 loads between passes, at half the scratchpad area.
  unsigned ifmap_spad_banks = 2;
  unsigned psum_spad = 0;     // psum buffer entries per array column: filters in flight x F
  unsigned ifmap_rows = 0;    // ifmap buffer depth in rows: C*H <= it
  unsigned filter_words = 0;  // filter buffer depth in words (one per filter and row fold)
  // buffers: ring. The ifmap and filter buffers are rings of ifmap_rows and filter_words
  // entries holding the words in the order the sequencer reads them (every read one
  // entry), streamed in while the job runs: a job's C*H and filter words are not bounded
  // by them (docs/row_stationary.md, "Ring buffers").
  bool ring_buffers = false;
  // The most filters (OUT_C) a layer may have behind the shell: the depth of its bias and
  // scale tables. Default min(filter_words, 65535), which whole buffers never exceed (K
  // filter words at least); with rings, K is otherwise unbounded.
  unsigned max_filters = 0;
  // Behind the shell: the words of its output tile ring (a tile is F words of cols sums;
  // the core emits a filter group's tiles in a burst). Default 2 x psum_spad; at least
  // psum_spad, so a tile of any F <= psum_spad fits.
  unsigned tile_words = 0;
  // A bound on a job's channels C, for the exact sum's C*R*S terms: ifmap_rows (C*H <= it),
  // or 2^16 with rings.
  uint64_t max_channels() const { return ring_buffers ? uint64_t{1} << 16 : ifmap_rows; }
};

}  // namespace dnngen::config
