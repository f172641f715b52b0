// Delays a word by a fixed number of enabled cycles (0 = wire). Registers reset to 0,
// so a delayed valid bit starts out low.
//
// One generate block per stage rather than a for loop over an unpacked array: Verilator
// does not unroll a loop of more than 64 iterations and refuses a delayed assignment to
// an array inside one (BLKLOOPINIT), and a 128 x 128 array's result tags wait
// NumRows + NumCols - 2 = 254 cycles.
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
    for (genvar s = 0; s < Cycles; s++) begin : g_stage
      logic [Width-1:0] stage_d, stage_q;
      if (s == 0) begin : g_first
        assign stage_d = d_i;
      end else begin : g_next
        assign stage_d = g_stage[s-1].stage_q;
      end
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) stage_q <= '0;
        else if (en_i) stage_q <= stage_d;
      end
    end
    assign q_o = g_stage[Cycles-1].stage_q;
  end

endmodule
