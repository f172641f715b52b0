#pragma once
// The -G parameters a dnn_shell_systolic testbench was built with (build_tb.sh passes each
// -GName=V as the macro TB_Name=V; the defaults are the RTL's), and the model's ShellParams
// for them. Shared by the testbenches of testbench/shell/.
#include "dnngen/config/config.hpp"
#include "dnngen/systolic/shell_layer.hpp"

#ifndef TB_Engine
#define TB_Engine 1  // dnn_shell_regs_pkg::EngineSystolic; 4: EngineBitserial
#endif
#ifndef TB_Mode
#define TB_Mode 0  // bit-serial: 0 Stripes, 1 Pragmatic, 2 bit-parallel
#endif
#ifndef TB_TwoStage
#define TB_TwoStage 0  // bit-serial Pragmatic: two-stage shifting
#endif
#ifndef TB_FirstStageBits
#define TB_FirstStageBits 2
#endif
#ifndef TB_RowSync
#define TB_RowSync 0  // bit-serial Pragmatic: per-window synchronisation
#endif
#ifndef TB_Cascade
#define TB_Cascade 0  // bit-serial: M = 1 jobs spread over the windows (with RowSync)
#endif
#ifndef TB_Lanes
#define TB_Lanes 16
#endif
#ifndef TB_Dataflow
#define TB_Dataflow 0  // dnn_pkg::DataflowWs
#endif
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
#ifndef TB_MaxM
#define TB_MaxM 64
#endif
#ifndef TB_MaxN
#define TB_MaxN 64
#endif
#ifndef TB_MaxK
#define TB_MaxK 64
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

inline systolic::ShellParams tb_params() {
  systolic::ShellParams p;
  p.bitserial = TB_Engine == 4;
  p.mode = static_cast<config::BitserialMode>(TB_Mode);
  p.lanes = TB_Lanes;
  p.two_stage_shift = TB_TwoStage != 0;
  p.first_stage_bits = TB_FirstStageBits;
  p.window_sync = TB_RowSync != 0 && TB_Mode == 1;  // Stripes has RowSync only for Cascade
  p.cascade = TB_Cascade != 0;
  p.dataflow = TB_Dataflow == 0 ? config::Dataflow::kWeightStationary : config::Dataflow::kOutputStationary;
  p.rows = TB_NumRows;
  p.cols = TB_NumCols;
  p.in_bits = TB_InBits;
  p.w_bits = TB_WBits;
  p.acc_bits = TB_AccBits;
  p.is_signed = TB_Signed != 0;
  p.saturate = TB_Saturate != 0;
  p.max_m = TB_MaxM;
  p.max_n = TB_MaxN;
  p.max_k = TB_MaxK;
  p.data_bits = TB_DataBits;
  p.max_burst = TB_MaxBurst;
  p.outstanding = TB_Outstanding;
  p.config_hash = TB_ConfigHash;
  p.queue_depth = TB_QueueDepth;
  return p;
}

}  // namespace dnngen::shell
