// Per-lane delay triangle: lane l is delayed by l cycles (Reverse = 0) or by
// Lanes - 1 - l cycles (Reverse = 1). Skews operands into a systolic array and de-skews
// results out of it.
module dnn_systolic_skew #(
  parameter int unsigned Lanes   = 4,
  parameter int unsigned Width   = 8,
  parameter int unsigned Reverse = 0
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   en_i,
  input  logic [Lanes*Width-1:0] d_i,
  output logic [Lanes*Width-1:0] q_o
);

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    dnn_delay #(
      .Width (Width),
      .Cycles((Reverse != 0) ? Lanes - 1 - l : l)
    ) u_delay (
      .clk_i (clk_i),
      .rst_ni(rst_ni),
      .en_i  (en_i),
      .d_i   (d_i[l*Width +: Width]),
      .q_o   (q_o[l*Width +: Width])
    );
  end

endmodule
