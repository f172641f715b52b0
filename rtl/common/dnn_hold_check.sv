// Simulation-only protocol check of a valid/ready port: once valid is high it stays high,
// with the same payload, until the consumer takes it (STYLE.md's handshake rule). Every
// engine's result port instantiates it; synthesis sees an empty module.
module dnn_hold_check #(
  parameter int unsigned Width = 8
) (
  input logic             clk_i,
  input logic             valid_i,
  input logic             ready_i,
  input logic [Width-1:0] payload_i
);

  if (Width < 1) begin : g_bad_param
    $error("dnn_hold_check: Width must be >= 1");
  end

`ifndef SYNTHESIS
  logic             stalled_q, stalled_d;
  logic [Width-1:0] stalled_payload_q;
  assign stalled_d = valid_i && !ready_i;
  always_ff @(posedge clk_i) begin
    stalled_q         <= stalled_d;
    stalled_payload_q <= payload_i;
  end
  always_ff @(posedge clk_i) begin
    if (stalled_q && !(valid_i && payload_i == stalled_payload_q))
      $error("result port changed while valid and not accepted");
  end
`else
  logic unused;
  assign unused = ^{clk_i, valid_i, ready_i, payload_i};
`endif

endmodule
