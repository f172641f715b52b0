// Exact product of one activation and one weight, sign-extended (or wrapped) to the
// accumulator width. Unsigned operands are zero-extended by one bit so a single signed
// multiplier serves both modes.
module dnn_systolic_mul #(
  parameter int unsigned InBits  = 8,
  parameter int unsigned WBits   = 8,
  parameter int unsigned AccBits = 32,
  parameter int unsigned Signed   = 1
) (
  input  logic [InBits-1:0]  a_i,
  input  logic [WBits-1:0]   w_i,
  output logic [AccBits-1:0] prod_o
);

  localparam int unsigned ProdBits = InBits + WBits + 2;

  logic signed [InBits:0]     a_ext;
  logic signed [WBits:0]      w_ext;
  logic signed [ProdBits-1:0] prod;

  assign a_ext = (Signed != 0) ? $signed({a_i[InBits-1], a_i}) : $signed({1'b0, a_i});
  assign w_ext = (Signed != 0) ? $signed({w_i[WBits-1], w_i}) : $signed({1'b0, w_i});
  assign prod  = ProdBits'(a_ext) * ProdBits'(w_ext);

  if (AccBits > ProdBits) begin : g_extend
    assign prod_o = {{(AccBits - ProdBits){prod[ProdBits-1]}}, prod};
  end else begin : g_wrap
    // Modular arithmetic: the low AccBits of the product are all an accumulator of
    // that width can use. The top bits are exact sign copies anyway when AccBits
    // covers the product's real width.
    assign prod_o = prod[AccBits-1:0];
    if (AccBits < ProdBits) begin : g_unused
      logic unused_top;
      assign unused_top = ^prod[ProdBits-1:AccBits];
    end
  end

endmodule
