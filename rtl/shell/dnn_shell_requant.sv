// The shell's output pipeline, Lanes results a beat (docs/shell.md):
//   y = clamp(((acc + bias) * mult + 2^(shift-1)) >>> shift) to OutBits, then ReLU,
// with bias, mult and shift per lane (per output channel) and the sum and the product
// exact; shift 0 adds no rounding term. numerics::requantize is the same rule in the
// model.
//
// Two register stages (sum, product), then the rounded result into an output FIFO. The
// stages never stall: a beat is taken only while the FIFO has room for it and for every
// beat already in the stages (a credit count), so in_ready_o comes from flops and
// out_ready_i drives nothing but the FIFO's read side.
module dnn_shell_requant #(
  parameter int unsigned Lanes   = 4,
  parameter int unsigned AccBits = 32,   // signed accumulators, 2..64
  parameter int unsigned OutBits = 8,    // signed results, 2..32
  parameter int unsigned TagBits = 1,    // carried alongside unchanged (e.g. position, last)
  localparam int unsigned ShiftBits = 6  // 0..62
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic                         in_valid_i,
  output logic                         in_ready_o,
  input  logic [Lanes*AccBits-1:0]     in_acc_i,
  input  logic [Lanes*32-1:0]          in_bias_i,   // int32 per lane
  input  logic [Lanes*32-1:0]          in_mult_i,   // int32 per lane
  input  logic [Lanes*ShiftBits-1:0]   in_shift_i,  // per lane
  input  logic                         in_relu_i,
  input  logic [TagBits-1:0]           in_tag_i,
  output logic                         out_valid_o,
  input  logic                         out_ready_i,
  output logic [Lanes*OutBits-1:0]     out_data_o,
  output logic [TagBits-1:0]           out_tag_o,
  output logic                         empty_o      // no beat in the stages or the FIFO
);

  localparam int unsigned SumBits  = ((AccBits > 32) ? AccBits : 32) + 1;
  localparam int unsigned ProdBits = SumBits + 32;
  localparam int unsigned Depth    = 4;  // two stages in flight + two to absorb a stall
  localparam int unsigned OccBits  = $clog2(Depth + 1);
  // The signed output range, at the width the rounding works in.
  localparam longint unsigned OutMaxU = (64'd1 << (OutBits - 1)) - 64'd1;
  localparam logic signed [ProdBits:0] OutMax = (ProdBits + 1)'(OutMaxU);
  localparam logic signed [ProdBits:0] OutMin = -OutMax - 1;

  if (Lanes < 1 || AccBits < 2 || AccBits > 64 || OutBits < 2 || OutBits > 32 || TagBits < 1)
  begin : g_bad_param
    $error("dnn_shell_requant: Lanes >= 1, AccBits 2..64, OutBits 2..32 and TagBits >= 1 required");
  end

  // ---- stage 1: acc + bias ---------------------------------------------------------------
  logic                        s1_valid_q;
  logic [Lanes*SumBits-1:0]    s1_sum_q;
  logic [Lanes*32-1:0]         s1_mult_q;
  logic [Lanes*ShiftBits-1:0]  s1_shift_q;
  logic                        s1_relu_q;
  logic [TagBits-1:0]          s1_tag_q;
  // ---- stage 2: * mult -------------------------------------------------------------------
  logic                        s2_valid_q;
  logic [Lanes*ProdBits-1:0]   s2_prod_q;
  logic [Lanes*ShiftBits-1:0]  s2_shift_q;
  logic                        s2_relu_q;
  logic [TagBits-1:0]          s2_tag_q;
  // ---- stage 3: round, shift, clamp, ReLU (into the FIFO) ---------------------------------
  logic [Lanes*OutBits-1:0]    s3_data;

  logic                in_fire, out_fire, fifo_ready;
  logic [OccBits-1:0]  occ_q, occ_d;  // beats in the stages and the FIFO
  assign in_ready_o = 32'(occ_q) < Depth;
  assign in_fire    = in_valid_i && in_ready_o;
  assign out_fire   = out_valid_o && out_ready_i;
  assign occ_d      = occ_q + OccBits'(in_fire) - OccBits'(out_fire);
  assign empty_o    = occ_q == '0;

  // The sum and the product: functions called only where a stage loads (below), so a
  // simulator computes them for real beats only.
  function automatic logic [Lanes*SumBits-1:0] sums(input logic [Lanes*AccBits-1:0] acc,
                                                    input logic [Lanes*32-1:0] bias);
    for (int unsigned l = 0; l < Lanes; l++) begin
      sums[l*SumBits+:SumBits] = SumBits'($signed(acc[l*AccBits+:AccBits])) + SumBits'($signed(bias[l*32+:32]));
    end
  endfunction
  function automatic logic [Lanes*ProdBits-1:0] products(input logic [Lanes*SumBits-1:0] sum,
                                                         input logic [Lanes*32-1:0] mult);
    for (int unsigned l = 0; l < Lanes; l++) begin
      products[l*ProdBits+:ProdBits] = ProdBits'($signed(sum[l*SumBits+:SumBits]))
                                     * ProdBits'($signed(mult[l*32+:32]));
    end
  endfunction

  // Round half up, shift, saturate, ReLU: one lane.
  function automatic logic [OutBits-1:0] finish(input logic [ProdBits-1:0] prod,
                                                input logic [ShiftBits-1:0] shift,
                                                input logic relu);
    logic signed [ProdBits:0] t;
    t = $signed({prod[ProdBits-1], prod});
    if (shift != '0) t = t + ((ProdBits + 1)'(1) << (shift - 1'b1));
    t  = t >>> shift;
    if (t > OutMax) t = OutMax;
    if (t < OutMin) t = OutMin;
    if (relu && t < 0) t = '0;
    finish = t[OutBits-1:0];
  endfunction

  // Worked out only for a beat (zeros otherwise, which the FIFO does not take), so a
  // simulator does not round and clamp every lane on every cycle.
  always_comb begin
    s3_data = '0;
    if (s2_valid_q) begin
      for (int unsigned l = 0; l < Lanes; l++) begin
        s3_data[l*OutBits+:OutBits] = finish(s2_prod_q[l*ProdBits+:ProdBits],
                                             s2_shift_q[l*ShiftBits+:ShiftBits], s2_relu_q);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      occ_q      <= '0;
      s1_valid_q <= 1'b0;
      s1_sum_q   <= (Lanes * SumBits)'(0);
      s1_mult_q  <= '0;
      s1_shift_q <= '0;
      s1_relu_q  <= 1'b0;
      s1_tag_q   <= '0;
      s2_valid_q <= 1'b0;
      s2_prod_q  <= (Lanes * ProdBits)'(0);
      s2_shift_q <= '0;
      s2_relu_q  <= 1'b0;
      s2_tag_q   <= '0;
    end else begin
      occ_q      <= occ_d;
      s1_valid_q <= in_fire;
      s2_valid_q <= s1_valid_q;
      // Datapath registers load only with a beat (they are don't-care otherwise).
      if (in_fire) begin
        s1_sum_q   <= sums(in_acc_i, in_bias_i);
        s1_mult_q  <= in_mult_i;
        s1_shift_q <= in_shift_i;
        s1_relu_q  <= in_relu_i;
        s1_tag_q   <= in_tag_i;
      end
      if (s1_valid_q) begin
        s2_prod_q  <= products(s1_sum_q, s1_mult_q);
        s2_shift_q <= s1_shift_q;
        s2_relu_q  <= s1_relu_q;
        s2_tag_q   <= s1_tag_q;
      end
    end
  end

  dnn_fifo #(.Width(Lanes * OutBits + TagBits), .Depth(Depth)) u_out (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (s2_valid_q),
    .in_ready_o (fifo_ready),
    .in_data_i  ({s2_tag_q, s3_data}),
    .out_valid_o(out_valid_o),
    .out_ready_i(out_ready_i),
    .out_data_o ({out_tag_o, out_data_o})
  );

`ifndef SYNTHESIS
  // The credit count guarantees the FIFO has room for whatever leaves the stages.
  always_ff @(posedge clk_i) begin
    if (s2_valid_q && !fifo_ready) $error("dnn_shell_requant: output FIFO overflow");
  end
`endif

endmodule
