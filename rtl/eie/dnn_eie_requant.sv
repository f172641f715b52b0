// Write-back conversion of one accumulator to an activation (DESIGN.md, EIE numerics):
// add the rounding half (none when FracBits = 0), arithmetic shift right by FracBits,
// saturate to ActBits, then ReLU when enabled. Computed in AccBits + 1 bits so the
// rounding add never overflows.
module dnn_eie_requant #(
  parameter int unsigned ActBits  = 16,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned FracBits = 8,
  parameter int unsigned Relu     = 1
) (
  input  logic [AccBits-1:0] acc_i,
  output logic [ActBits-1:0] act_o
);

  localparam int unsigned W = AccBits + 1;
  localparam int unsigned HiBits = W - ActBits + 1;  // bits that must all equal the sign

  logic signed [W-1:0] rounded, shifted;
  logic [HiBits-1:0]   hi;
  logic                fits;
  logic [ActBits-1:0]  sat;

  if (FracBits > 0) begin : g_round
    assign rounded = $signed({acc_i[AccBits-1], acc_i}) + $signed(W'(1) << (FracBits - 1));
  end else begin : g_no_round
    assign rounded = $signed({acc_i[AccBits-1], acc_i});
  end
  assign shifted = rounded >>> FracBits;
  assign hi = shifted[W-1:ActBits-1];
  assign fits = (hi == '0) || (hi == '1);

  always_comb begin
    if (fits) sat = shifted[ActBits-1:0];
    else if (shifted[W-1]) sat = {1'b1, {(ActBits - 1){1'b0}}};
    else sat = {1'b0, {(ActBits - 1){1'b1}}};
  end

  assign act_o = (Relu != 0 && sat[ActBits-1]) ? '0 : sat;

  `ifndef SYNTHESIS
  initial begin
    if (FracBits >= ActBits || AccBits < ActBits + 16) $fatal(1, "dnn_eie_requant: bad widths");
  end
  `endif

endmodule
