// Row-stationary PE (Eyeriss): holds filter rows stationary in a two-bank filter
// scratchpad and an ifmap row in each of two ifmap-scratchpad banks (the next pass's row
// loads into one while the steps read the other), and runs the 1-D convolution
// primitive one MAC per cycle. The step controls (weight index s, ifmap index x, zero
// padding, bank, first/last step of a window) are shared by the whole array row; the
// PE only multiplies and accumulates. At the last step of a window it adds the psum
// of the PE above (registered one cycle earlier, as row i runs one cycle behind row
// i-1) and registers the sum for the PE below: psums accumulate vertically.
module dnn_rs_pe #(
  parameter int unsigned InBits     = 8,
  parameter int unsigned WBits      = 8,
  parameter int unsigned AccIntBits = 32,
  parameter int unsigned Signed     = 1,
  parameter int unsigned FilterSpad = 3,
  parameter int unsigned IfmapSpad  = 8,
  parameter int unsigned IfmapBanks = 2,   // 1: one ifmap row, step_ibank_i and ild_bank_i unused
  localparam int unsigned SBits = dnn_pkg::idx_bits(FilterSpad),
  localparam int unsigned XBits = dnn_pkg::idx_bits(IfmapSpad)
) (
  input  logic                            clk_i,
  input  logic                            en_i,        // global advance (output backpressure)
  // step of the 1-D convolution
  input  logic                            step_valid_i,
  input  logic                            step_first_i,  // s == 0: the window's sum starts
  input  logic                            step_last_i,   // s == S-1: add psum_i, pass down
  input  logic [SBits-1:0]                step_s_i,
  input  logic [XBits-1:0]                step_x_i,
  input  logic                            step_xzero_i,  // padding: the ifmap value is 0
  input  logic                            step_bank_i,
  input  logic                            step_ibank_i,  // the ifmap bank the step reads
  // filter row load into one bank
  input  logic                            wld_valid_i,
  input  logic                            wld_bank_i,
  input  logic [FilterSpad*WBits-1:0]     wld_data_i,
  // ifmap row load
  input  logic                            ild_valid_i,
  input  logic                            ild_zero_i,    // row outside the input: all zero
  input  logic                            ild_bank_i,
  input  logic [IfmapSpad*InBits-1:0]     ild_data_i,
  // vertical psum chain
  input  logic [AccIntBits-1:0]           psum_i,
  output logic [AccIntBits-1:0]           psum_o
);

  logic [FilterSpad*WBits-1:0] fbank0_q, fbank1_q;
  logic [IfmapSpad*InBits-1:0] ispad0_q, ispad1_q;
  logic                        ibank, lbank;
  assign ibank = IfmapBanks > 1 && step_ibank_i;
  assign lbank = IfmapBanks > 1 && ild_bank_i;
  logic [AccIntBits-1:0]       acc_q, acc_d, psum_q, psum_d, prod, sum;
  logic [WBits-1:0]            w;
  logic [InBits-1:0]           x;

  assign w = step_bank_i ? fbank1_q[step_s_i*WBits +: WBits] : fbank0_q[step_s_i*WBits +: WBits];
  assign x = step_xzero_i ? '0 : ibank ? ispad1_q[step_x_i*InBits +: InBits]
                                               : ispad0_q[step_x_i*InBits +: InBits];

  dnn_systolic_mul #(
    .InBits (InBits),
    .WBits  (WBits),
    .AccBits(AccIntBits),
    .Signed (Signed)
  ) u_mul (
    .a_i   (x),
    .w_i   (w),
    .prod_o(prod)
  );

  assign sum = (step_first_i ? '0 : acc_q) + prod;

  always_comb begin
    acc_d  = acc_q;
    psum_d = psum_q;
    if (step_valid_i) begin
      if (step_last_i) psum_d = sum + psum_i;
      else acc_d = sum;
    end
  end

  // Datapath only: nothing reads these before a valid step or load writes them.
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      acc_q  <= acc_d;
      psum_q <= psum_d;
      if (wld_valid_i && !wld_bank_i) fbank0_q <= wld_data_i;
      if (wld_valid_i && wld_bank_i) fbank1_q <= wld_data_i;
      if (ild_valid_i && !lbank) ispad0_q <= ild_zero_i ? '0 : ild_data_i;
      if (ild_valid_i && lbank) ispad1_q <= ild_zero_i ? '0 : ild_data_i;
    end
  end

  assign psum_o = psum_q;

endmodule
