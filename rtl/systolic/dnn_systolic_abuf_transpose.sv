// The output-stationary core's A buffer behind the accelerator shell: written by rows,
// read by columns. The shell's loader writes A as the weight-stationary layout (word
// kt*MaxM + i holds A[i, kt*R +: R], one row's R consecutive k), while the
// output-stationary array needs column words (A[mt*R +: R, k], R rows at one k). Element
// (i, k = kt*R + j) is kept in lane memory (i + j) mod R at address kt*MaxM + i, so
//   - a row word's R elements go to R different lane memories at one address (the data
//     rotated by i mod R), and
//   - a column word's R elements (rows mt*R + r) come from R different lane memories,
//     memory b at kt*MaxM + mt*R + ((b - j) mod R) (the read rotated back by j),
// one word a cycle both ways, with no corner-turn buffer. Depth is the weight-stationary
// A depth, per bank; Banks = 2 doubles it (the loader fills one bank while a job reads the
// other). Read data appear the cycle after re_i and hold until the next read.
module dnn_systolic_abuf_transpose #(
  parameter int unsigned Lanes    = 4,    // R, the array's rows
  parameter int unsigned Width    = 8,    // bits of an element
  parameter int unsigned Depth    = 16,   // words of a bank
  parameter int unsigned Banks    = 2,
  localparam int unsigned AddrBits = dnn_pkg::idx_bits(Depth),
  localparam int unsigned RotBits  = dnn_pkg::idx_bits(Lanes)
) (
  input  logic                   clk_i,
  // a row word: A[i, kt*R +: R] at kt*MaxM + i, with i mod R
  input  logic                   we_i,
  input  logic                   wbank_i,
  input  logic [AddrBits-1:0]    waddr_i,
  input  logic [RotBits-1:0]     wrot_i,
  input  logic [Lanes*Width-1:0] wdata_i,
  // a column word: A[mt*R +: R, kt*R + j] from rbase_i = kt*MaxM + mt*R and rrot_i = j
  input  logic                   re_i,
  input  logic                   rbank_i,
  input  logic [AddrBits-1:0]    rbase_i,
  input  logic [RotBits-1:0]     rrot_i,
  output logic [Lanes*Width-1:0] rdata_o
);

  if (Banks != 1 && Banks != 2) begin : g_bad_banks
    $error("dnn_systolic_abuf_transpose: Banks must be 1 or 2");
  end

  localparam int unsigned BankAddrBits = dnn_pkg::idx_bits(Banks * Depth);

  // (b - x) mod R for b, x in 0 .. R-1.
  function automatic logic [RotBits-1:0] sub_mod(input int unsigned b, input logic [RotBits-1:0] x);
    sub_mod = (RotBits'(b) >= x) ? RotBits'(b) - x : RotBits'(b + Lanes) - x;
  endfunction

  logic [BankAddrBits-1:0] wbase, rbank_base;
  assign wbase      = BankAddrBits'(waddr_i) + ((Banks == 2 && wbank_i) ? BankAddrBits'(Depth) : '0);
  assign rbank_base = (Banks == 2 && rbank_i) ? BankAddrBits'(Depth) : '0;

  logic [Lanes*Width-1:0] mem_rdata;
  logic [RotBits-1:0]     rrot_q;  // the rotation of the word being read out

  for (genvar b = 0; b < Lanes; b++) begin : g_lane_mem
    logic [RotBits-1:0]      wlane, roff;
    logic [BankAddrBits-1:0] raddr;
    // Memory b holds lane j = (b - i) mod R of a row word, and row r = (b - j) mod R of a
    // column word.
    assign wlane = sub_mod(b, wrot_i);
    assign roff  = sub_mod(b, rrot_i);
    assign raddr = BankAddrBits'(rbase_i) + BankAddrBits'(roff) + rbank_base;

    dnn_sram_1r1w #(
      .Depth(Banks * Depth),
      .Width(Width)
    ) u_mem (
      .clk_i  (clk_i),
      .we_i   (we_i),
      .waddr_i(wbase),
      .wdata_i(wdata_i[wlane*Width +: Width]),
      .re_i   (re_i),
      .raddr_i(raddr),
      .rdata_o(mem_rdata[b*Width +: Width])
    );
  end

  always_ff @(posedge clk_i) begin
    if (re_i) rrot_q <= rrot_i;
  end

  // Lane r of the column word is memory (r + j) mod R.
  for (genvar r = 0; r < Lanes; r++) begin : g_read_lane
    logic [RotBits-1:0] src;
    assign src = (32'(rrot_q) + r >= Lanes) ? RotBits'(32'(rrot_q) + r - Lanes) : RotBits'(32'(rrot_q) + r);
    assign rdata_o[r*Width +: Width] = mem_rdata[src*Width +: Width];
  end

endmodule
