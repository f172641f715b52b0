// Weight-stationary PE: holds two weights (double buffer) and, each cycle an
// activation passes through, adds activation x weight[bank] to the partial sum coming
// from above. The bank bit travels with the activation, so the switch to the next
// tile's weights ripples through the array exactly with that tile's first activation.
module dnn_systolic_ws_pe #(
  parameter int unsigned InBits  = 8,
  parameter int unsigned WBits   = 8,
  parameter int unsigned AccBits = 32,
  parameter int unsigned Signed   = 1
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               en_i,
  // activation from the left, registered to the right
  input  logic               act_valid_i,
  input  logic               act_bank_i,
  input  logic [InBits-1:0]  act_i,
  output logic               act_valid_o,
  output logic               act_bank_o,
  output logic [InBits-1:0]  act_o,
  // partial sum from above, registered downwards
  input  logic [AccBits-1:0] psum_i,
  output logic [AccBits-1:0] psum_o,
  // weight load into one bank
  input  logic               wload_en_i,
  input  logic               wload_bank_i,
  input  logic [WBits-1:0]   wload_data_i
);

  logic [WBits-1:0]   weight0_q, weight1_q;  // the two banks
  logic [AccBits-1:0] prod;
  logic               act_valid_q, act_bank_q;
  logic [InBits-1:0]  act_q;
  logic [AccBits-1:0] psum_q, psum_d;

  dnn_systolic_mul #(
    .InBits (InBits),
    .WBits  (WBits),
    .AccBits(AccBits),
    .Signed (Signed)
  ) u_mul (
    .a_i   (act_i),
    .w_i   (act_bank_i ? weight1_q : weight0_q),
    .prod_o(prod)
  );

  assign psum_d = act_valid_i ? psum_i + prod : psum_i;

  // Control bits reset; the datapath does not need to (nothing reads it unless a
  // valid bit says so), which saves area and simulation time.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_valid_q <= 1'b0;
      act_bank_q  <= 1'b0;
    end else if (en_i) begin
      act_valid_q <= act_valid_i;
      act_bank_q  <= act_bank_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      act_q  <= act_i;
      psum_q <= psum_d;
      if (wload_en_i && !wload_bank_i) weight0_q <= wload_data_i;
      if (wload_en_i && wload_bank_i) weight1_q <= wload_data_i;
    end
  end

  assign act_valid_o = act_valid_q;
  assign act_bank_o  = act_bank_q;
  assign act_o       = act_q;
  assign psum_o      = psum_q;

endmodule
