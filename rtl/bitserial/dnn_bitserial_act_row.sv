// Activation side of one tile row (one window): turns the row's brick of activations
// into what its SIPs consume each cycle, shared by the row's TileCols SIPs.
//   Mode 0 (Stripes): bit bit_i of every lane (the brick stays on the buffer's output
//     register for the whole brick, so nothing is stored here).
//   Mode 1 (Pragmatic): the oneffset encoder. On the brick's first cycle each lane's
//     activation, cut to its p-bit two's-complement pattern, becomes a mask of pending
//     one bits; every cycle each lane gives its lowest pending bit (present, is-sign-bit,
//     position) and clears it. more_o: some lane still has a bit after this cycle.
//   Mode 2 (parallel): the activations themselves.
module dnn_bitserial_act_row #(
  parameter int unsigned Mode     = 0,
  parameter int unsigned Lanes    = 16,
  parameter int unsigned InBits   = 16,
  parameter int unsigned Signed   = 0,
  localparam int unsigned ShBits   = dnn_pkg::idx_bits(InBits),
  localparam int unsigned PBits    = $clog2(InBits + 1),
  localparam int unsigned LaneBits = dnn_pkg::lane_bits(Mode, InBits)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      en_i,     // advance one cycle (low: hold)
  input  logic                      first_i,  // first cycle of a brick: brick_i is new
  input  logic [Lanes*InBits-1:0]   brick_i,
  input  logic [PBits-1:0]          prec_i,   // the brick's precision p (1..InBits)
  input  logic [PBits-1:0]          bit_i,    // Stripes: the bit of this cycle
  output logic [Lanes*LaneBits-1:0] lane_o,
  output logic                      more_o
);

  if (Mode == dnn_pkg::ModeStripes) begin : g_stripes
    always_comb begin
      lane_o = '0;
      for (int l = 0; l < Lanes; l++) begin
        for (int b = 0; b < InBits; b++) begin
          if (PBits'(b) == bit_i) lane_o[l] = brick_i[l*InBits + b];
        end
      end
    end
    assign more_o = 1'b0;
    logic unused_stripes;
    assign unused_stripes = ^{clk_i, rst_ni, en_i, first_i, prec_i};
  end else if (Mode == dnn_pkg::ModePragmatic) begin : g_pragmatic
    logic [Lanes*InBits-1:0] mask_q, mask_d;
    logic [InBits-1:0]       pmask, m, low;
    logic [PBits-1:0]        msb;
    always_comb begin
      // The p-bit pattern: for a signed activation, bit p-1 is its sign bit (weight -2^(p-1)).
      pmask  = ~({InBits{1'b1}} << prec_i);
      msb    = prec_i - 1'b1;
      lane_o = '0;
      mask_d = '0;
      for (int l = 0; l < Lanes; l++) begin
        m   = first_i ? (brick_i[l*InBits +: InBits] & pmask) : mask_q[l*InBits +: InBits];
        low = m & (~m + 1'b1);
        lane_o[l*LaneBits] = |m;
        for (int b = 0; b < InBits; b++) begin
          if (low[b]) begin
            lane_o[l*LaneBits + 1]          = (Signed != 0) && (PBits'(b) == msb);
            lane_o[l*LaneBits + 2 +: ShBits] = ShBits'(b);
          end
        end
        mask_d[l*InBits +: InBits] = m & ~low;
      end
    end
    assign more_o = |mask_d;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) mask_q <= '0;
      else if (en_i) mask_q <= mask_d;
    end
    logic unused_pragmatic;
    assign unused_pragmatic = ^bit_i;
  end else begin : g_parallel
    assign lane_o = brick_i;
    assign more_o = 1'b0;
    logic unused_parallel;
    assign unused_parallel = ^{clk_i, rst_ni, en_i, first_i, prec_i, bit_i};
  end

endmodule
