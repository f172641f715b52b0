// Activation side of one tile row (one window): turns the row's brick of activations
// into what its SIPs consume each cycle, shared by the row's TileCols SIPs.
//   Mode 0 (Stripes): bit bit_i of every lane (the brick stays on the buffer's output
//     register for the whole brick, so nothing is stored here). With RowSync (which
//     Cascade needs) the window runs its brick on its own: the brick is latched on its
//     first cycle and the window counts its bits down itself, from prec_i - 1; more_o:
//     bits are left after this cycle.
//   Mode 1 (Pragmatic): the oneffset encoder. On the brick's first cycle each lane's
//     activation, cut to its p-bit two's-complement pattern, becomes a mask of pending
//     one bits; every cycle each lane gives its lowest pending bit (present, is-sign-bit,
//     position) and clears it. more_o: some lane still has a bit after this cycle.
//     With two-stage shifting (TwoStage, Pragmatic's PRA-nb) the row's lanes share a
//     second-stage shift, base_o: the lowest pending bit over the row's lanes. A lane
//     whose lowest pending bit lies within 2^FirstStageBits positions of it gives that
//     bit with its offset above base_o; the other lanes wait for a later cycle.
//   Mode 2 (parallel): the activations themselves.
module dnn_bitserial_act_row #(
  parameter int unsigned Mode     = 0,
  parameter int unsigned Lanes    = 16,
  parameter int unsigned InBits   = 16,
  parameter int unsigned Signed   = 0,
  parameter int unsigned TwoStage       = 0,
  parameter int unsigned FirstStageBits = 2,
  parameter int unsigned RowSync        = 0,  // the brick (Stripes) or its precision is held here
  localparam int unsigned PosBits  = dnn_pkg::idx_bits(InBits),
  localparam int unsigned ShBits   = dnn_pkg::shift_bits(InBits, TwoStage, FirstStageBits),
  localparam int unsigned PBits    = $clog2(InBits + 1),
  localparam int unsigned LaneBits = dnn_pkg::lane_bits(Mode, InBits, ShBits)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      en_i,     // advance one cycle (low: hold)
  input  logic                      first_i,  // first cycle of a brick: brick_i is new
  input  logic [Lanes*InBits-1:0]   brick_i,
  input  logic [PBits-1:0]          prec_i,   // the brick's precision p (1..InBits)
  input  logic [PBits-1:0]          bit_i,    // Stripes: the bit of this cycle
  output logic [Lanes*LaneBits-1:0] lane_o,
  output logic [PosBits-1:0]        base_o,   // Pragmatic two-stage: the second-stage shift
  output logic                      more_o
);

  if (Mode == dnn_pkg::ModeStripes) begin : g_stripes
    logic [Lanes*InBits-1:0] brick;
    logic [PBits-1:0]        bit_now;
    if (RowSync != 0) begin : g_own
      logic [Lanes*InBits-1:0] brick_q;
      logic [PBits-1:0]        bit_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          brick_q <= '0;
          bit_q   <= '0;
        end else if (en_i) begin
          if (first_i) brick_q <= brick_i;
          bit_q <= bit_now - 1'b1;
        end
      end
      assign brick   = first_i ? brick_i : brick_q;
      assign bit_now = first_i ? prec_i - 1'b1 : bit_q;
      assign more_o  = bit_now != '0;
      logic unused_bit;
      assign unused_bit = ^bit_i;
    end else begin : g_shared
      assign brick   = brick_i;
      assign bit_now = bit_i;
      assign more_o  = 1'b0;
      logic unused_shared;
      assign unused_shared = ^{clk_i, rst_ni, en_i, first_i, prec_i};
    end
    always_comb begin
      lane_o = '0;
      for (int l = 0; l < Lanes; l++) begin
        for (int b = 0; b < InBits; b++) begin
          if (PBits'(b) == bit_now) lane_o[l] = brick[l*InBits + b];
        end
      end
    end
    assign base_o = '0;
  end else if (Mode == dnn_pkg::ModePragmatic) begin : g_pragmatic
    // The first-stage window: 2^FirstStageBits positions from the base (all of them with
    // the single-stage shifter, whose base is always 0).
    localparam int unsigned Window = (TwoStage != 0) ? (1 << FirstStageBits) : InBits;
    localparam logic [InBits-1:0] WindowOnes = (Window >= InBits) ? {InBits{1'b1}}
                                             : InBits'((64'd1 << Window) - 1);
    logic [Lanes*InBits-1:0] mask_q, mask_d, m, low;
    logic [InBits-1:0]       pmask, pending, base_hot, window;
    logic [PBits-1:0]        msb, prec_q;
    logic [PosBits-1:0]      base, pos;
    always_comb begin
      // The p-bit pattern: for a signed activation, bit p-1 is its sign bit (weight -2^(p-1)).
      // With RowSync prec_i is the precision of the brick on the buffer outputs, which may
      // be the next one while this window works on its own: it is held from the first cycle.
      pmask   = ~({InBits{1'b1}} << prec_i);
      msb     = ((RowSync != 0 && !first_i) ? prec_q : prec_i) - 1'b1;
      pending = '0;
      for (int l = 0; l < Lanes; l++) begin
        m[l*InBits +: InBits]   = first_i ? (brick_i[l*InBits +: InBits] & pmask) : mask_q[l*InBits +: InBits];
        low[l*InBits +: InBits] = m[l*InBits +: InBits] & (~m[l*InBits +: InBits] + 1'b1);
        pending                 = pending | low[l*InBits +: InBits];
      end
      // The base: the lowest pending bit of the row (0 with the single-stage shifter).
      base_hot = (TwoStage != 0) ? (pending & (~pending + 1'b1)) : InBits'(1);
      base     = '0;
      for (int b = 0; b < InBits; b++) begin
        if (base_hot[b]) base = PosBits'(b);
      end
      window = WindowOnes << base;
      lane_o = '0;
      mask_d = '0;
      for (int l = 0; l < Lanes; l++) begin
        pos = '0;
        for (int b = 0; b < InBits; b++) begin
          if (low[l*InBits + b]) pos = PosBits'(b);
        end
        if (|(low[l*InBits +: InBits] & window)) begin
          lane_o[l*LaneBits]               = 1'b1;
          lane_o[l*LaneBits + 1]           = (Signed != 0) && (PBits'(pos) == msb);
          lane_o[l*LaneBits + 2 +: ShBits] = ShBits'(pos - base);
          mask_d[l*InBits +: InBits]       = m[l*InBits +: InBits] & ~low[l*InBits +: InBits];
        end else begin
          mask_d[l*InBits +: InBits]       = m[l*InBits +: InBits];
        end
      end
    end
    assign base_o = base;
    assign more_o = |mask_d;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) mask_q <= '0;
      else if (en_i) mask_q <= mask_d;
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) prec_q <= '0;
      else if (en_i && first_i) prec_q <= prec_i;
    end
    logic unused_pragmatic;
    assign unused_pragmatic = ^bit_i;
  end else begin : g_parallel
    assign lane_o = brick_i;
    assign base_o = '0;
    assign more_o = 1'b0;
    logic unused_parallel;
    assign unused_parallel = ^{clk_i, rst_ni, en_i, first_i, prec_i, bit_i};
  end

endmodule
