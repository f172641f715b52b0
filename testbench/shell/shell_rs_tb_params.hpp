#pragma once
// The -G parameters a dnn_shell_rs testbench was built with (build_tb.sh passes each
// -GName=V as the macro TB_Name=V; the defaults are the RTL's), and the model's
// rs::ShellParams for them.
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"

#ifndef TB_NumRows
#define TB_NumRows 4
#endif
#ifndef TB_NumCols
#define TB_NumCols 4
#endif
#ifndef TB_InBits
#define TB_InBits 8
#endif
#ifndef TB_WBits
#define TB_WBits 8
#endif
#ifndef TB_AccBits
#define TB_AccBits 32
#endif
#ifndef TB_Signed
#define TB_Signed 1
#endif
#ifndef TB_Saturate
#define TB_Saturate 0
#endif
#ifndef TB_MaxRS
#define TB_MaxRS 3
#endif
#ifndef TB_FilterSpad
#define TB_FilterSpad 3
#endif
#ifndef TB_IfmapSpad
#define TB_IfmapSpad 8
#endif
#ifndef TB_IfmapBanks
#define TB_IfmapBanks 2
#endif
#ifndef TB_PsumSpad
#define TB_PsumSpad 16
#endif
#ifndef TB_IfmapRows
#define TB_IfmapRows 32
#endif
#ifndef TB_FilterWords
#define TB_FilterWords 32
#endif
#ifndef TB_RingBuffers
#define TB_RingBuffers 0
#endif
#ifndef TB_MaxFilters
#define TB_MaxFilters TB_FilterWords
#endif
#ifndef TB_TileWords
#define TB_TileWords (2 * TB_PsumSpad)
#endif
#ifndef TB_DataBits
#define TB_DataBits 64
#endif
#ifndef TB_MaxBurst
#define TB_MaxBurst 16
#endif
#ifndef TB_Outstanding
#define TB_Outstanding 4
#endif
#ifndef TB_ConfigHash
#define TB_ConfigHash 0
#endif
#ifndef TB_QueueDepth
#define TB_QueueDepth 2
#endif

namespace dnngen::shell {

inline rs::ShellParams rs_tb_params() {
  rs::ShellParams p;
  auto& c = p.rs;
  c.rows = TB_NumRows;
  c.cols = TB_NumCols;
  c.input_bits = TB_InBits;
  c.weight_bits = TB_WBits;
  c.acc_bits = TB_AccBits;
  c.is_signed = TB_Signed != 0;
  c.overflow = TB_Saturate != 0 ? config::Overflow::kSaturate : config::Overflow::kWrap;
  c.max_filter_size = TB_MaxRS;
  c.filter_spad = TB_FilterSpad;
  c.ifmap_spad = TB_IfmapSpad;
  c.ifmap_spad_banks = TB_IfmapBanks;
  c.psum_spad = TB_PsumSpad;
  c.ifmap_rows = TB_IfmapRows;
  c.filter_words = TB_FilterWords;
  c.ring_buffers = TB_RingBuffers != 0;
  c.max_filters = TB_MaxFilters;
  c.tile_words = TB_TileWords;
  p.data_bits = TB_DataBits;
  p.max_burst = TB_MaxBurst;
  p.outstanding = TB_Outstanding;
  p.config_hash = TB_ConfigHash;
  p.queue_depth = TB_QueueDepth;
  return p;
}

}  // namespace dnngen::shell
