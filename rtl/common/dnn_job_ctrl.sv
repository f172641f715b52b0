// Job control shared by every engine: accepts a job while idle, stays busy until the
// engine reports its last result, counts the busy cycles (the figure the golden
// model's cycle model predicts) and pulses done for one cycle at the end.
module dnn_job_ctrl #(
  parameter int unsigned CycleBits = 48
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 job_valid_i,
  output logic                 job_ready_o,
  output logic                 accept_o,    // the cycle a job is taken
  input  logic                 finish_i,    // the last result is being handed over
  output logic                 busy_o,
  output logic                 done_o,
  output logic [CycleBits-1:0] cycles_o     // busy cycles of the current / last job
);

  logic                 busy_q, busy_d, done_q, done_d;
  logic [CycleBits-1:0] cycles_q, cycles_d;

  if (CycleBits < 1) begin : g_bad_param
    $error("dnn_job_ctrl: CycleBits must be >= 1");
  end

  assign job_ready_o = !busy_q;
  assign accept_o    = job_valid_i && !busy_q;

  always_comb begin
    busy_d   = busy_q;
    cycles_d = cycles_q;
    done_d   = busy_q && finish_i;
    if (accept_o) begin
      busy_d   = 1'b1;
      cycles_d = '0;
    end else if (busy_q) begin
      busy_d   = !finish_i;
      cycles_d = cycles_q + 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q   <= 1'b0;
      done_q   <= 1'b0;
      cycles_q <= '0;
    end else begin
      busy_q   <= busy_d;
      done_q   <= done_d;
      cycles_q <= cycles_d;
    end
  end

  assign busy_o   = busy_q;
  assign done_o   = done_q;
  assign cycles_o = cycles_q;

endmodule
