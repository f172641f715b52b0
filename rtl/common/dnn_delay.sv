// Delays a word by a fixed number of enabled cycles (0 = wire). Registers reset to 0,
// so a delayed valid bit starts out low.
module dnn_delay #(
  parameter int unsigned Width  = 1,
  parameter int unsigned Cycles = 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             en_i,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);

  if (Width < 1) begin : g_bad_param
    $error("dnn_delay: Width must be >= 1");
  end

  if (Cycles == 0) begin : g_wire
    assign q_o = d_i;
    logic unused_ctl;
    assign unused_ctl = ^{clk_i, rst_ni, en_i};
  end else begin : g_shift
    logic [Width-1:0] stage_q [Cycles];
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int unsigned s = 0; s < Cycles; s++) stage_q[s] <= '0;
      end else if (en_i) begin
        stage_q[0] <= d_i;
        for (int unsigned s = 1; s < Cycles; s++) stage_q[s] <= stage_q[s-1];
      end
    end
    assign q_o = stage_q[Cycles-1];
  end

endmodule
