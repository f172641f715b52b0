// Job control shared by every engine: accepts a job while idle, stays busy until the
// engine reports its last result, counts the busy cycles (the figure the golden
// model's cycle model predicts) and pulses done for one cycle at the end.
//
// A job whose fields the engine judges bad (job_bad_i, combinational on the job ports)
// is taken off the port but refused: the engine never starts (accept_o stays low),
// done pulses on the next cycle, busy never rises, cycles_o reads 0 and err_o stays
// high until the next job is taken. So a bad job ends with an error, never a hang.
module dnn_job_ctrl #(
  parameter int unsigned CycleBits = 48
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 job_valid_i,
  input  logic                 job_bad_i,   // the presented job's fields are out of range
  output logic                 job_ready_o,
  output logic                 accept_o,    // the cycle a good job is taken: start the engine
  input  logic                 finish_i,    // the last result is being handed over
  output logic                 busy_o,
  output logic                 done_o,
  output logic                 err_o,       // the last job taken was refused
  output logic [CycleBits-1:0] cycles_o     // busy cycles of the current / last job
);

  logic                 busy_q, busy_d, done_q, done_d, err_q, err_d;
  logic                 take, refuse;
  logic [CycleBits-1:0] cycles_q, cycles_d;

  if (CycleBits < 1) begin : g_bad_param
    $error("dnn_job_ctrl: CycleBits must be >= 1");
  end

  assign job_ready_o = !busy_q;
  assign take        = job_valid_i && !busy_q;
  assign accept_o    = take && !job_bad_i;
  assign refuse      = take && job_bad_i;

  always_comb begin
    busy_d   = busy_q;
    cycles_d = cycles_q;
    err_d    = err_q;
    done_d   = (busy_q && finish_i) || refuse;
    if (take) begin
      busy_d   = !job_bad_i;
      cycles_d = '0;
      err_d    = job_bad_i;
    end else if (busy_q) begin
      busy_d   = !finish_i;
      cycles_d = cycles_q + 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q   <= 1'b0;
      done_q   <= 1'b0;
      err_q    <= 1'b0;
      cycles_q <= '0;
    end else begin
      busy_q   <= busy_d;
      done_q   <= done_d;
      err_q    <= err_d;
      cycles_q <= cycles_d;
    end
  end

  assign busy_o   = busy_q;
  assign done_o   = done_q;
  assign err_o    = err_q;
  assign cycles_o = cycles_q;

`ifndef SYNTHESIS
  // A finish with no job running would end a job that never started.
  always_ff @(posedge clk_i) begin
    if (finish_i && !busy_q) $error("dnn_job_ctrl: finish_i while idle");
  end
`endif

endmodule
