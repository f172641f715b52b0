#pragma once
// The -G parameters a dnn_shell_eie testbench was built with (build_tb.sh passes each
// -GName=V as the macro TB_Name=V; the defaults are the RTL's), and the model's
// eie::ShellParams for them.
#include "dnngen/config/config.hpp"
#include "dnngen/eie/shell_layer.hpp"

#ifndef TB_NumPes
#define TB_NumPes 4
#endif
#ifndef TB_FifoDepth
#define TB_FifoDepth 8
#endif
#ifndef TB_IndexBits
#define TB_IndexBits 4
#endif
#ifndef TB_ActBits
#define TB_ActBits 16
#endif
#ifndef TB_AccBits
#define TB_AccBits 32
#endif
#ifndef TB_FracBits
#define TB_FracBits 8
#endif
#ifndef TB_MaxRows
#define TB_MaxRows 64
#endif
#ifndef TB_MaxCols
#define TB_MaxCols 64
#endif
#ifndef TB_MaxEntries
#define TB_MaxEntries 1024
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

inline eie::ShellParams eie_tb_params() {
  eie::ShellParams p;
  p.eie.pes = TB_NumPes;
  p.eie.fifo_depth = TB_FifoDepth;
  p.eie.index_bits = TB_IndexBits;
  p.eie.act_bits = TB_ActBits;
  p.eie.acc_bits = TB_AccBits;
  p.eie.frac_bits = TB_FracBits;
  p.eie.max_rows = TB_MaxRows;
  p.eie.max_cols = TB_MaxCols;
  p.eie.max_entries = TB_MaxEntries;
  p.eie.relu = false;  // ReLU is per layer (OUTPUT.RELU)
  p.data_bits = TB_DataBits;
  p.max_burst = TB_MaxBurst;
  p.outstanding = TB_Outstanding;
  p.config_hash = TB_ConfigHash;
  p.queue_depth = TB_QueueDepth;
  return p;
}

}  // namespace dnngen::shell
