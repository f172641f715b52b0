// Operand buffers of a systolic core (weight- or output-stationary): the A and B
// buffers and the loader port that fills them, one word per transfer while the core is
// idle (ld_sel_i 0: A, 1: B). The loader port is as deep and as wide as the larger
// buffer; each buffer takes the low address and data bits. The core reads both
// buffers: read data appear the cycle after a read and hold until the next.
module dnn_systolic_operand_buf #(
  parameter int unsigned ADepth     = 16,
  parameter int unsigned AWidth     = 32,
  parameter int unsigned BDepth     = 16,
  parameter int unsigned BWidth     = 32,
  parameter int unsigned LdAddrBits = 4,
  parameter int unsigned LdWidth    = 32,
  localparam int unsigned ABits     = dnn_pkg::idx_bits(ADepth),
  localparam int unsigned BBits     = dnn_pkg::idx_bits(BDepth)
) (
  input  logic                  clk_i,
  input  logic                  busy_i,      // a job runs: the loader waits
  // loader
  input  logic                  ld_valid_i,
  output logic                  ld_ready_o,
  input  logic                  ld_sel_i,    // 0: A buffer, 1: B buffer
  input  logic [LdAddrBits-1:0] ld_addr_i,
  input  logic [LdWidth-1:0]    ld_data_i,
  // reads
  input  logic                  a_re_i,
  input  logic [ABits-1:0]      a_raddr_i,
  output logic [AWidth-1:0]     a_rdata_o,
  input  logic                  b_re_i,
  input  logic [BBits-1:0]      b_raddr_i,
  output logic [BWidth-1:0]     b_rdata_o
);

  if (LdAddrBits < ABits || LdAddrBits < BBits || LdWidth < AWidth || LdWidth < BWidth)
  begin : g_bad_param
    $error("dnn_systolic_operand_buf: the loader port must reach every word of both buffers");
  end

  logic a_we, b_we;
  assign ld_ready_o = !busy_i;
  assign a_we       = ld_valid_i && ld_ready_o && !ld_sel_i;
  assign b_we       = ld_valid_i && ld_ready_o && ld_sel_i;
  // The loader port is sized for the wider and deeper of the two buffers.
  logic unused_ld;
  assign unused_ld = ^{ld_addr_i, ld_data_i};

  dnn_sram_1r1w #(
    .Depth(ADepth),
    .Width(AWidth)
  ) u_abuf (
    .clk_i  (clk_i),
    .we_i   (a_we),
    .waddr_i(ABits'(ld_addr_i)),
    .wdata_i(ld_data_i[AWidth-1:0]),
    .re_i   (a_re_i),
    .raddr_i(a_raddr_i),
    .rdata_o(a_rdata_o)
  );

  dnn_sram_1r1w #(
    .Depth(BDepth),
    .Width(BWidth)
  ) u_bbuf (
    .clk_i  (clk_i),
    .we_i   (b_we),
    .waddr_i(BBits'(ld_addr_i)),
    .wdata_i(ld_data_i[BWidth-1:0]),
    .re_i   (b_re_i),
    .raddr_i(b_raddr_i),
    .rdata_o(b_rdata_o)
  );

endmodule
