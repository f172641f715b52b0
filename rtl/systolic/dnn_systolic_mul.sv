// Exact product of one activation and one weight, as an AccBits-wide two's-complement
// number: the operands are sign- (Signed) or zero-extended to AccBits by the
// multiplication's context width, so the low AccBits of the true product come out
// (exact when AccBits holds a product, wrapped otherwise, as the accumulator wraps).
module dnn_systolic_mul #(
  parameter int unsigned InBits  = 8,
  parameter int unsigned WBits   = 8,
  parameter int unsigned AccBits = 32,
  parameter int unsigned Signed  = 1
) (
  input  logic [InBits-1:0]  a_i,
  input  logic [WBits-1:0]   w_i,
  output logic [AccBits-1:0] prod_o
);

  if (Signed != 0) begin : g_signed
    logic signed [AccBits-1:0] prod;
    assign prod   = $signed(a_i) * $signed(w_i);
    assign prod_o = prod;
  end else begin : g_unsigned
    assign prod_o = a_i * w_i;
  end

endmodule
