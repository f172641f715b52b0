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
  unsigned psum_spad = 0;        // psum buffer entries per array column: filters in flight x F
  unsigned ifmap_rows = 0;       // ifmap buffer depth in rows: C*H <= it
  unsigned filter_words = 0;     // filter buffer depth in words (one per filter and row fold)
};

}  // namespace dnngen::config
