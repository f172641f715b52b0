// Serial inner-product unit (SIP): one output (window m, filter n) of the bit-serial
// engine. Each cycle it sums one term per lane of a brick over an adder tree and
// accumulates; what a lane's term is depends on the mode (the sum is a balanced adder
// tree, dnn_adder_tree, so its depth grows with log2(Lanes)):
//   Mode 0 (Stripes): one activation bit per lane ANDs the lane's full weight; the sum
//     shifts and accumulates MSB first into a per-brick partial sum (negated on the MSB
//     cycle for signed activations), which folds into the accumulator on the brick's
//     last cycle. A brick of precision p takes p cycles.
//   Mode 1 (Pragmatic): each lane offers one non-zero activation bit (oneffset) and
//     its position; the weight shifts by it (negated for the sign bit of a signed
//     activation). A brick takes as many cycles as its most populated lane. With
//     two-stage shifting (TwoStage) a lane shifts its weight by its offset only (0 to
//     2^FirstStageBits - 1, a short first-stage shifter), and the adder tree's sum is
//     shifted by the row's common base (base_i, the second stage) before it accumulates.
// Weights are signed; activations are signed when Signed != 0, else unsigned.
//   Mode 2 (bit-parallel baseline): each lane multiplies its whole activation by its
//     weight; a brick takes one cycle.
// Arithmetic is modulo 2^AccBits throughout, which is exactly the wrapping contract.
module dnn_bitserial_sip #(
  parameter int unsigned Mode     = 0,
  parameter int unsigned Lanes    = 16,
  parameter int unsigned WBits    = 16,
  parameter int unsigned InBits   = 16,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 0,
  parameter int unsigned TwoStage       = 0,
  parameter int unsigned FirstStageBits = 2,
  localparam int unsigned PosBits  = dnn_pkg::idx_bits(InBits),
  localparam int unsigned ShBits   = dnn_pkg::shift_bits(InBits, TwoStage, FirstStageBits),
  localparam int unsigned LaneBits = dnn_pkg::lane_bits(Mode, InBits, ShBits)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      en_i,          // advance one cycle (low: hold)
  input  logic                      step_first_i,  // Stripes: first cycle of a brick
  input  logic                      step_last_i,   // Stripes: last cycle of a brick
  input  logic                      msb_neg_i,     // Stripes: this cycle's bit is the sign bit
  input  logic                      tile_last_i,   // sum_o leaves; the accumulator restarts
  input  logic [Lanes*LaneBits-1:0] lane_i,
  input  logic [PosBits-1:0]        base_i,        // Pragmatic two-stage: the second-stage shift
  input  logic [Lanes*WBits-1:0]    w_i,
  output logic [AccBits-1:0]        sum_o
);

  localparam int unsigned ProdBits = InBits + WBits;

`ifndef SYNTHESIS
  initial begin
    if (Mode != dnn_pkg::ModeStripes && Mode != dnn_pkg::ModePragmatic && Mode != dnn_pkg::ModeParallel)
      $fatal(1, "Mode must be 0 (stripes), 1 (pragmatic) or 2 (parallel)");
    if (AccBits < ProdBits) $fatal(1, "AccBits must hold a product (>= %0d)", ProdBits);
  end
`endif

  // The adder tree is only as wide as a brick's sum can be: a lane's term (a weight for
  // Stripes; a shifted weight or a product, up to ProdBits signed, otherwise; a weight
  // shifted by at most 2^FirstStageBits - 1 and negated with two-stage shifting) plus
  // log2(Lanes) bits of growth, and never wider than the accumulator. Its result is
  // sign-extended to AccBits, which is exact because the true sum fits TreeBits.
  localparam int unsigned StageTermBits = WBits + (1 << FirstStageBits);
  localparam int unsigned TermBits = (Mode == dnn_pkg::ModeStripes) ? WBits
                                   : (Mode == dnn_pkg::ModePragmatic && TwoStage != 0
                                      && StageTermBits < ProdBits) ? StageTermBits : ProdBits;
  localparam int unsigned SumBits  = TermBits + ((Lanes > 1) ? $clog2(Lanes) : 0);
  localparam int unsigned TreeBits = (SumBits < AccBits) ? SumBits : AccBits;

  // A weight (always signed) extended to the tree width.
  function automatic logic [TreeBits-1:0] wext(input logic [WBits-1:0] w);
    wext = {{(TreeBits - WBits){w[WBits-1]}}, w};
  endfunction

  logic [AccBits-1:0]        acc_q, acc_d;
  logic [Lanes*TreeBits-1:0] terms;   // this cycle's term of every lane
  logic [TreeBits-1:0]       tree_n;  // their sum, over a balanced adder tree
  logic [AccBits-1:0]        tree;    // the same, sign-extended to the accumulator
  logic [AccBits-1:0]        sum;     // the accumulator including this cycle's contribution

  dnn_adder_tree #(.Count(Lanes), .Width(TreeBits)) u_tree (
    .in_i (terms),
    .sum_o(tree_n)
  );
  assign tree = {{(AccBits - TreeBits){tree_n[TreeBits-1]}}, tree_n};

  if (Mode == dnn_pkg::ModeStripes) begin : g_stripes
    // Only the low AccBits-1 bits of the partial sum matter after the next doubling.
    logic [AccBits-2:0] partial_q;
    logic [AccBits-1:0] partial_d;
    always_comb begin
      for (int l = 0; l < Lanes; l++) begin
        terms[l*TreeBits +: TreeBits] = lane_i[l] ? wext(w_i[l*WBits +: WBits]) : '0;
      end
      // MSB first: the partial sum doubles each cycle; the sign bit weighs -2^(p-1).
      partial_d = (step_first_i ? '0 : {partial_q, 1'b0}) +
                  ((Signed != 0 && msb_neg_i) ? (~tree + 1'b1) : tree);
      // The brick's partial sum counts on its last cycle only. With per-window
      // synchronisation a window may have ended its last brick before the tile's last
      // cycle (tile_last_i without step_last_i): its sum is then the accumulator alone.
      sum   = acc_q + (step_last_i ? partial_d : '0);
      acc_d = tile_last_i ? '0 : sum;
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) partial_q <= '0;
      else if (en_i) partial_q <= partial_d[AccBits-2:0];
    end
  end else if (Mode == dnn_pkg::ModePragmatic) begin : g_pragmatic
    logic [TreeBits-1:0] shifted;
    always_comb begin
      for (int l = 0; l < Lanes; l++) begin
        // Lane field: [0] a oneffset is present, [1] it is the sign bit, [2+] its position.
        shifted = wext(w_i[l*WBits +: WBits]) << lane_i[l*LaneBits + 2 +: ShBits];
        terms[l*TreeBits +: TreeBits] = !lane_i[l*LaneBits] ? '0
                                      : (lane_i[l*LaneBits + 1] ? (~shifted + 1'b1) : shifted);
      end
    end
  end else begin : g_parallel
    logic [ProdBits-1:0] prod;
    always_comb begin
      for (int l = 0; l < Lanes; l++) begin
        // Both operands extended to the product width: the product modulo 2^ProdBits is
        // exact, since it fits ProdBits bits as a signed number (the weight is signed).
        prod = {{WBits{(Signed != 0) && lane_i[l*LaneBits + InBits - 1]}}, lane_i[l*LaneBits +: InBits]} *
               {{InBits{w_i[l*WBits + WBits - 1]}}, w_i[l*WBits +: WBits]};
        terms[l*TreeBits +: TreeBits] = {{(TreeBits - ProdBits){prod[ProdBits-1]}}, prod};
      end
    end
  end

  // Pragmatic and bit-parallel: the brick's sum goes straight into the accumulator, with
  // two-stage Pragmatic shifted by the row's base first (the second stage).
  if (Mode != dnn_pkg::ModeStripes) begin : g_word_accumulate
    logic [AccBits-1:0] word;
    assign word  = (Mode == dnn_pkg::ModePragmatic && TwoStage != 0) ? (tree << base_i) : tree;
    assign sum   = acc_q + word;
    assign acc_d = tile_last_i ? '0 : sum;
    logic unused_stripes;
    assign unused_stripes = ^{step_first_i, step_last_i, msb_neg_i};
  end else begin : g_no_base
    logic unused_base;
    assign unused_base = ^base_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) acc_q <= '0;
    else if (en_i) acc_q <= acc_d;
  end

  assign sum_o = sum;

endmodule
