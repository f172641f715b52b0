// Simulation-only protocol check of a valid/ready port: once valid is high it stays high,
// with the same payload, until the consumer takes it (STYLE.md's handshake rule). Every
// engine's result port instantiates it; synthesis sees an empty module.
module dnn_hold_check #(
  parameter int unsigned Width = 8
) (
  input logic             clk_i,
  input logic             rst_ni,
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
  // Reset clears the stall record, so a random power-up state (X runs) cannot fire it.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) stalled_q <= 1'b0;
    else stalled_q <= stalled_d;
  end
  // The payload is compared only after a cycle with stalled_q set, so it needs no reset (a
  // reset value would be a replication of Width zeros, which Verilator flags above 8k bits:
  // a 256-column array's result port is 8,217 bits wide).
  always_ff @(posedge clk_i) begin
    stalled_payload_q <= payload_i;
  end
  always_ff @(posedge clk_i) begin
    if (stalled_q && !(valid_i && payload_i == stalled_payload_q))
      $error("result port changed while valid and not accepted");
  end
`else
  logic unused;
  assign unused = ^{clk_i, rst_ni, valid_i, ready_i, payload_i};
`endif

endmodule
