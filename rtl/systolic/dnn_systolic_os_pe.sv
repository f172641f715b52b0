// Output-stationary PE: owns one output element. A (with its first/last flags) flows
// right, B flows down; each valid step accumulates a x b locally. On the last step
// of a tile the finished sum moves to a result register, so the next tile can start
// accumulating while this one is read out.
module dnn_systolic_os_pe #(
  parameter int unsigned InBits   = 8,
  parameter int unsigned WBits    = 8,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 1
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               en_i,
  input  logic               a_valid_i,
  input  logic               a_first_i,
  input  logic               a_last_i,
  input  logic [InBits-1:0]  a_i,
  output logic               a_valid_o,
  output logic               a_first_o,
  output logic               a_last_o,
  output logic [InBits-1:0]  a_o,
  input  logic [WBits-1:0]   b_i,
  output logic [WBits-1:0]   b_o,
  output logic [AccBits-1:0] result_o
);

  logic               a_valid_q, a_first_q, a_last_q;
  logic [InBits-1:0]  a_q;
  logic [WBits-1:0]   b_q;
  logic [AccBits-1:0] prod, acc_q, acc_d, result_q;

  dnn_systolic_mul #(
    .InBits (InBits),
    .WBits  (WBits),
    .AccBits(AccBits),
    .Signed (Signed)
  ) u_mul (
    .a_i   (a_i),
    .w_i   (b_i),
    .prod_o(prod)
  );

  assign acc_d = (a_first_i ? '0 : acc_q) + prod;

  // Control bits reset; the datapath does not need to (nothing reads it unless a
  // valid bit says so), which saves area and simulation time.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_valid_q <= 1'b0;
      a_first_q <= 1'b0;
      a_last_q  <= 1'b0;
    end else if (en_i) begin
      a_valid_q <= a_valid_i;
      a_first_q <= a_first_i;
      a_last_q  <= a_last_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      a_q <= a_i;
      b_q <= b_i;
      if (a_valid_i) acc_q <= acc_d;
      if (a_valid_i && a_last_i) result_q <= acc_d;
    end
  end

  assign a_valid_o = a_valid_q;
  assign a_first_o = a_first_q;
  assign a_last_o  = a_last_q;
  assign a_o       = a_q;
  assign b_o       = b_q;
  assign result_o  = result_q;

endmodule
