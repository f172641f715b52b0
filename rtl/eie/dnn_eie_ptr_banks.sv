// Column pointers of one PE in an even and an odd bank, so p[k] and p[k+1] (one even,
// one odd) come out of one read cycle. Pointer k lives in bank k[0] at address k >> 1.
// Read data appears the cycle after re_i and holds while re_i is low (dnn_sram_1r1w).
module dnn_eie_ptr_banks #(
  parameter int unsigned NumPtrs  = 65,  // pointers stored (max_cols + 1)
  parameter int unsigned IdxBits  = 7,   // pointer index width
  parameter int unsigned PtrBits  = 11   // pointer value width
) (
  input  logic               clk_i,
  input  logic               we_i,
  input  logic [IdxBits-1:0] waddr_i,
  input  logic [PtrBits-1:0] wdata_i,
  input  logic               re_i,
  input  logic [IdxBits-1:0] raddr_i,   // k: read p[k] and p[k+1]
  output logic [PtrBits-1:0] start_o,   // p[k]
  output logic [PtrBits-1:0] end_o      // p[k+1]
);

  localparam int unsigned BankDepth = NumPtrs / 2 + 1;
  localparam int unsigned BankBits  = dnn_pkg::idx_bits(BankDepth);

  logic [BankBits-1:0] waddr, raddr_lo, raddr_hi;
  logic [PtrBits-1:0]  even_data, odd_data;
  logic                odd_q;

  assign waddr    = BankBits'(waddr_i >> 1);
  assign raddr_lo = BankBits'(raddr_i >> 1);
  // For odd k, p[k+1] is the next even word.
  assign raddr_hi = BankBits'((raddr_i >> 1) + IdxBits'(raddr_i[0]));

  dnn_sram_1r1w #(.Depth(BankDepth), .Width(PtrBits)) u_even (
    .clk_i  (clk_i),
    .we_i   (we_i && !waddr_i[0]),
    .waddr_i(waddr),
    .wdata_i(wdata_i),
    .re_i   (re_i),
    .raddr_i(raddr_hi),
    .rdata_o(even_data)
  );

  dnn_sram_1r1w #(.Depth(BankDepth), .Width(PtrBits)) u_odd (
    .clk_i  (clk_i),
    .we_i   (we_i && waddr_i[0]),
    .waddr_i(waddr),
    .wdata_i(wdata_i),
    .re_i   (re_i),
    .raddr_i(raddr_lo),
    .rdata_o(odd_data)
  );

  always_ff @(posedge clk_i) begin
    if (re_i) odd_q <= raddr_i[0];
  end

  assign start_o = odd_q ? odd_data : even_data;
  assign end_o   = odd_q ? even_data : odd_data;

endmodule
