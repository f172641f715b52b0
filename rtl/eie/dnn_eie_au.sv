// EIE arithmetic unit (the paper's "ArithmUnit"): codebook decode, 16-bit x ActBits
// multiply, accumulate into one of the PE's accumulator registers, with a bypass for
// back-to-back hits on the same register. Two stages behind the entry read:
//   M: decode v through the codebook, multiply by x, register the product and its row;
//   A: add the product to the row's accumulator (or to the sum being written this cycle
//      when the previous accumulate hit the same row), register the sum for write.
// The accumulator registers themselves stay in the PE (they are also cleared by
// write-back); the unit reads one (acc_raddr_o / acc_rdata_i) and writes one (acc_we_o).
// A separate module so synthesis reports its area next to EIE's published 3,110 um^2.
module dnn_eie_au #(
  parameter int unsigned IndexBits   = 4,
  parameter int unsigned ActBits     = 16,
  parameter int unsigned AccBits     = 32,
  parameter int unsigned AccAddrBits = 4
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic [(1<<IndexBits)*16-1:0] codebook_i,
  // one entry per cycle from the entry-read stage
  input  logic                       in_valid_i,
  input  logic [IndexBits-1:0]       in_v_i,
  input  logic [ActBits-1:0]         in_x_i,
  input  logic [AccAddrBits-1:0]     in_row_i,
  // accumulator read (combinational, in stage A) and write (the cycle after)
  output logic [AccAddrBits-1:0]     acc_raddr_o,
  input  logic [AccBits-1:0]         acc_rdata_i,
  output logic                       acc_we_o,
  output logic [AccAddrBits-1:0]     acc_waddr_o,
  output logic [AccBits-1:0]         acc_wdata_o,
  output logic                       busy_o        // a product or a sum is in flight
);

  localparam int unsigned ProdBits = ActBits + 16;

`ifndef SYNTHESIS
  initial begin
    if (AccBits < ProdBits) $fatal(1, "AccBits must hold a product (>= %0d)", ProdBits);
  end
`endif

  // ---- stage M: decode and multiply ----
  logic signed [15:0]         weight;
  logic signed [ProdBits-1:0] weight_ext, x_ext, prod;
  assign weight = $signed(codebook_i[in_v_i*16 +: 16]);
  // Both operands sign-extended to the product width first, so the multiply is exact.
  assign weight_ext = {{ActBits{weight[15]}}, weight};
  assign x_ext      = {{16{in_x_i[ActBits-1]}}, in_x_i};
  assign prod       = weight_ext * x_ext;

  logic                       mv_q, av_q;
  logic [AccAddrBits-1:0]     mrow_q, arow_q;
  logic signed [ProdBits-1:0] mprod_q;
  logic [AccBits-1:0]         asum_q, operand, msum;
  logic signed [AccBits-1:0]  mprod_ext;

  // ---- stage A: accumulate, with the bypass ----
  // Back-to-back hits on one row: the value being written this cycle is the operand.
  assign acc_raddr_o = mrow_q;
  assign operand     = (av_q && arow_q == mrow_q) ? asum_q : acc_rdata_i;
  assign mprod_ext   = {{(AccBits - ProdBits + 1){mprod_q[ProdBits-1]}}, mprod_q[ProdBits-2:0]};
  assign msum        = operand + mprod_ext;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mv_q    <= 1'b0;
      mrow_q  <= '0;
      mprod_q <= '0;
      av_q    <= 1'b0;
      arow_q  <= '0;
      asum_q  <= '0;
    end else begin
      mv_q    <= in_valid_i;
      mrow_q  <= in_row_i;
      mprod_q <= prod;
      av_q    <= mv_q;
      arow_q  <= mrow_q;
      asum_q  <= msum;
    end
  end

  assign acc_we_o    = av_q;
  assign acc_waddr_o = arow_q;
  assign acc_wdata_o = asum_q;
  assign busy_o      = mv_q || av_q;

endmodule
