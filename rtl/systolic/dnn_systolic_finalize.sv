// Turns internal accumulator lanes into output values of AccBits: with Saturate the
// internal sum is exact and is clamped to the signed AccBits range; otherwise the
// internal width already equals AccBits and values pass unchanged (they wrapped).
module dnn_systolic_finalize #(
  parameter int unsigned Lanes      = 4,
  parameter int unsigned AccIntBits = 32,
  parameter int unsigned AccBits    = 32,
  parameter int unsigned Saturate = 0
) (
  input  logic [Lanes*AccIntBits-1:0] sum_i,
  output logic [Lanes*AccBits-1:0]    out_o
);

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    logic [AccIntBits-1:0] sum;
    assign sum = sum_i[l*AccIntBits +: AccIntBits];
    if ((Saturate != 0) && AccIntBits > AccBits) begin : g_sat
      // In range exactly when every bit above the output sign bit copies it.
      logic                         negative, in_range;
      logic [AccIntBits-AccBits:0]  top;
      assign negative = sum[AccIntBits-1];
      assign top      = sum[AccIntBits-1:AccBits-1];
      assign in_range = (top == '0) || (top == '1);
      assign out_o[l*AccBits +: AccBits] =
          in_range ? sum[AccBits-1:0]
                   : (negative ? {1'b1, {(AccBits-1){1'b0}}} : {1'b0, {(AccBits-1){1'b1}}});
    end else begin : g_pass
      assign out_o[l*AccBits +: AccBits] = sum[AccBits-1:0];
      if (AccIntBits > AccBits) begin : g_unused
        logic unused_top;
        assign unused_top = ^sum[AccIntBits-1:AccBits];
      end
    end
  end

endmodule
