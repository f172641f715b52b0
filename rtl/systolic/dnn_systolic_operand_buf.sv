// Operand buffers of a systolic core (weight- or output-stationary): the A and B
// buffers and the loader port that fills them, one word per transfer while the core is
// idle (ld_sel_i 0: A, 1: B). The loader port is as deep and as wide as the larger
// buffer; each buffer takes the low address and data bits. The core reads both
// buffers: read data appear the cycle after a read and hold until the next.
//
// Banks = 2 (the accelerator shell) doubles both buffers: the loader fills one bank while
// a job reads the other, so the loader is always ready; the shell's sequencer never
// writes the bank a job is reading. Banks = 1 (the kernel top) loads only while idle.
module dnn_systolic_operand_buf #(
  parameter int unsigned Banks      = 1,
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
  input  logic                  ld_bank_i,   // Banks = 2: the bank written
  input  logic [LdAddrBits-1:0] ld_addr_i,
  input  logic [LdWidth-1:0]    ld_data_i,
  // reads
  input  logic                  rd_bank_i,   // Banks = 2: the bank read
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
  if (Banks != 1 && Banks != 2) begin : g_bad_banks
    $error("dnn_systolic_operand_buf: Banks must be 1 or 2");
  end

  // Bank b of a buffer is the words b*Depth .. b*Depth + Depth - 1.
  localparam int unsigned ABankBits = dnn_pkg::idx_bits(Banks * ADepth);
  localparam int unsigned BBankBits = dnn_pkg::idx_bits(Banks * BDepth);
  logic [ABankBits-1:0] a_waddr, a_raddr;
  logic [BBankBits-1:0] b_waddr, b_raddr;
  logic                 wbank, rbank;
  assign wbank   = (Banks == 2) && ld_bank_i;
  assign rbank   = (Banks == 2) && rd_bank_i;
  assign a_waddr = ABankBits'(ld_addr_i[ABits-1:0]) + (wbank ? ABankBits'(ADepth) : '0);
  assign b_waddr = BBankBits'(ld_addr_i[BBits-1:0]) + (wbank ? BBankBits'(BDepth) : '0);
  assign a_raddr = ABankBits'(a_raddr_i) + (rbank ? ABankBits'(ADepth) : '0);
  assign b_raddr = BBankBits'(b_raddr_i) + (rbank ? BBankBits'(BDepth) : '0);

  logic a_we, b_we;
  assign ld_ready_o = (Banks == 2) || !busy_i;
  assign a_we       = ld_valid_i && ld_ready_o && !ld_sel_i;
  assign b_we       = ld_valid_i && ld_ready_o && ld_sel_i;
  // The loader port is sized for the wider and deeper of the two buffers.
  logic unused_ld;
  assign unused_ld = ^{ld_addr_i, ld_data_i, busy_i};

  dnn_sram_1r1w #(
    .Depth(Banks * ADepth),
    .Width(AWidth)
  ) u_abuf (
    .clk_i  (clk_i),
    .we_i   (a_we),
    .waddr_i(a_waddr),
    .wdata_i(ld_data_i[AWidth-1:0]),
    .re_i   (a_re_i),
    .raddr_i(a_raddr),
    .rdata_o(a_rdata_o)
  );

  dnn_sram_1r1w #(
    .Depth(Banks * BDepth),
    .Width(BWidth)
  ) u_bbuf (
    .clk_i  (clk_i),
    .we_i   (b_we),
    .waddr_i(b_waddr),
    .wdata_i(ld_data_i[BWidth-1:0]),
    .re_i   (b_re_i),
    .raddr_i(b_raddr),
    .rdata_o(b_rdata_o)
  );

endmodule
