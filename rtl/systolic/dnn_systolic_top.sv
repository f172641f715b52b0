// Systolic GEMM engine, top level. Derives buffer and port widths from the job-size
// limits and instantiates the core of the configured dataflow. dnngen binds these
// parameters from the YAML config (Verilator -G, Yosys chparam, generated wrapper).
module dnn_systolic_top #(
  parameter int unsigned NumRows  = 4,
  parameter int unsigned NumCols  = 4,
  parameter int unsigned InBits   = 8,
  parameter int unsigned WBits    = 8,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 1,
  parameter int unsigned Saturate = 0,
  parameter int unsigned Dataflow = dnn_pkg::DataflowWs,  // dnn_pkg::dataflow_e: 0 WS, 1 OS
  parameter int unsigned MaxM     = 64,
  parameter int unsigned MaxN     = 64,
  parameter int unsigned MaxK     = 64,
  // Derived; not meant to be overridden.
  parameter int unsigned DimBits    = dnn_pkg::systolic_dim_bits(MaxM, MaxN, MaxK, NumRows, NumCols),
  parameter int unsigned ADepth     = dnn_pkg::systolic_a_depth(Dataflow, NumRows, MaxM, MaxK),
  parameter int unsigned BDepth     = dnn_pkg::systolic_b_depth(NumCols, MaxN, MaxK),
  parameter int unsigned LdAddrBits = dnn_pkg::idx_bits(dnn_pkg::max2(ADepth, BDepth)),
  parameter int unsigned LdWidth    = dnn_pkg::systolic_ld_width(NumRows, NumCols, InBits, WBits),
  parameter int unsigned CycleBits  = 48
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       ld_valid_i,
  output logic                       ld_ready_o,
  input  logic                       ld_sel_i,
  input  logic [LdAddrBits-1:0]      ld_addr_i,
  input  logic [LdWidth-1:0]         ld_data_i,
  input  logic                       job_valid_i,
  output logic                       job_ready_o,
  input  logic [DimBits-1:0]         job_m_i,
  input  logic [DimBits-1:0]         job_n_i,
  input  logic [DimBits-1:0]         job_k_i,
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic                       out_last_o,
  output logic [DimBits-1:0]         out_row_o,
  output logic [DimBits-1:0]         out_col_o,
  output logic [NumCols*AccBits-1:0] out_data_o,
  output logic                       busy_o,
  output logic                       done_o,
  output logic                       err_o,       // the last job was refused (bad fields)
  output logic [CycleBits-1:0]       cycles_o
);

  localparam int unsigned ProdBits = dnn_pkg::product_bits(InBits, WBits, Signed);
  localparam int unsigned SumBits  = ProdBits + $clog2(MaxK + 1);
  // Saturation needs the exact sum; wrapping needs only AccBits (arithmetic mod 2^AccBits).
  localparam int unsigned AccIntBits = ((Saturate != 0) && SumBits > AccBits) ? SumBits : AccBits;
  // The OS core's A-row rotation port, unused on the kernel top (tied to a sized zero: Yosys
  // 0.23 keeps a parameterised top's derived name when a port is tied to an unsized '0).
  localparam int unsigned RotBits = dnn_pkg::idx_bits(NumRows);

`ifndef SYNTHESIS
  initial begin
    if (NumRows < 1 || NumCols < 1) $fatal(1, "NumRows and NumCols must be >= 1");
    if (AccBits < ProdBits) $fatal(1, "AccBits must hold a product (>= %0d)", ProdBits);
    if (Dataflow != dnn_pkg::DataflowWs && Dataflow != dnn_pkg::DataflowOs)
      $fatal(1, "Dataflow must be 0 (WS) or 1 (OS)");
  end
`endif

  // Result port protocol: once valid is high it stays high, with the same data, row
  // and column, until the consumer takes it.
  dnn_hold_check #(.Width(2*DimBits + NumCols*AccBits)) u_out_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (out_valid_o),
    .ready_i  (out_ready_i),
    .payload_i({out_row_o, out_col_o, out_data_o})
  );

  if (Dataflow == dnn_pkg::DataflowWs) begin : g_ws
    dnn_systolic_ws_core #(
      .NumRows   (NumRows),
      .NumCols   (NumCols),
      .InBits    (InBits),
      .WBits     (WBits),
      .AccBits   (AccBits),
      .AccIntBits(AccIntBits),
      .Signed    (Signed),
      .Saturate  (Saturate),
      .MaxM      (MaxM),
      .MaxN      (MaxN),
      .MaxK      (MaxK),
      .DimBits   (DimBits),
      .LdAddrBits(LdAddrBits),
      .LdWidth   (LdWidth),
      .CycleBits (CycleBits)
    ) u_core (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .ld_valid_i (ld_valid_i),
      .ld_ready_o (ld_ready_o),
      .ld_sel_i   (ld_sel_i),
      .ld_bank_i  (1'b0),
      .ld_addr_i  (ld_addr_i),
      .ld_data_i  (ld_data_i),
      .job_valid_i(job_valid_i),
      .job_ready_o(job_ready_o),
      .job_m_i    (job_m_i),
      .job_n_i    (job_n_i),
      .job_k_i    (job_k_i),
      .job_bank_i (1'b0),
      .job_first_i(1'b1),
      .job_last_i (1'b1),
      .out_valid_o(out_valid_o),
      .out_ready_i(out_ready_i),
      .out_last_o (out_last_o),
      .out_row_o  (out_row_o),
      .out_col_o  (out_col_o),
      .out_data_o (out_data_o),
      .busy_o     (busy_o),
      .done_o     (done_o),
      .err_o      (err_o),
      .cycles_o   (cycles_o)
    );
  end else begin : g_os
    dnn_systolic_os_core #(
      .NumRows   (NumRows),
      .NumCols   (NumCols),
      .InBits    (InBits),
      .WBits     (WBits),
      .AccBits   (AccBits),
      .AccIntBits(AccIntBits),
      .Signed    (Signed),
      .Saturate  (Saturate),
      .MaxM      (MaxM),
      .MaxN      (MaxN),
      .MaxK      (MaxK),
      .DimBits   (DimBits),
      .LdAddrBits(LdAddrBits),
      .LdWidth   (LdWidth),
      .CycleBits (CycleBits)
    ) u_core (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .ld_valid_i (ld_valid_i),
      .ld_ready_o (ld_ready_o),
      .ld_sel_i   (ld_sel_i),
      .ld_bank_i  (1'b0),
      .ld_addr_i  (ld_addr_i),
      .ld_rot_i   (RotBits'(0)),
      .ld_data_i  (ld_data_i),
      .job_valid_i(job_valid_i),
      .job_ready_o(job_ready_o),
      .job_m_i    (job_m_i),
      .job_n_i    (job_n_i),
      .job_k_i    (job_k_i),
      .job_bank_i (1'b0),
      .job_first_i(1'b1),
      .job_last_i (1'b1),
      .out_valid_o(out_valid_o),
      .out_ready_i(out_ready_i),
      .out_last_o (out_last_o),
      .out_row_o  (out_row_o),
      .out_col_o  (out_col_o),
      .out_data_o (out_data_o),
      .busy_o     (busy_o),
      .done_o     (done_o),
      .err_o      (err_o),
      .cycles_o   (cycles_o)
    );
  end

endmodule
