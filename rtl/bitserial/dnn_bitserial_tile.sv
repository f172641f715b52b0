// The tile: TileRows windows x TileCols filters of SIPs. Row r's activation unit feeds
// the TileCols SIPs of its row; column c's brick of weights feeds the TileRows SIPs of
// its column. Every SIP advances together (one synchronised group per tile); with RowSync
// (Pragmatic) each window starts its bricks on its own (first_i[r]) and keeps the brick's
// weights in a register of its own from that first cycle, since the buffer moves on to
// the next brick once every window has started this one. A Stripes window with RowSync
// also ends its bricks on its own (row_last_i). In a cascaded job (cascade_i: M = 1, the
// bricks spread over the windows) every window takes the brick's first activation slot,
// and hands its sums on (tile_last_i) at its own last cycle of a tile.
module dnn_bitserial_tile #(
  parameter int unsigned Mode     = 0,
  parameter int unsigned Lanes    = 16,
  parameter int unsigned TileRows = 4,
  parameter int unsigned TileCols = 4,
  parameter int unsigned WBits    = 16,
  parameter int unsigned InBits   = 16,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 0,
  parameter int unsigned TwoStage       = 0,  // Pragmatic: two-stage shifting
  parameter int unsigned FirstStageBits = 2,
  parameter int unsigned RowSync        = 0,  // per-window synchronisation
  parameter int unsigned Cascade        = 0,  // M = 1 jobs' bricks spread over the windows
  localparam int unsigned PBits    = $clog2(InBits + 1),
  localparam int unsigned PosBits  = dnn_pkg::idx_bits(InBits),
  localparam int unsigned ShBits   = dnn_pkg::shift_bits(InBits, TwoStage, FirstStageBits),
  localparam int unsigned LaneBits = dnn_pkg::lane_bits(Mode, InBits, ShBits)
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 en_i,
  input  logic [TileRows-1:0]                  first_i,  // window r starts a brick this cycle
  input  logic [TileRows-1:0]                  row_last_i,  // RowSync: window r's brick ends
  input  logic                                 cascade_i,
  input  logic                                 step_last_i,
  input  logic [TileRows-1:0]                  tile_last_i,  // window r's sums leave; they restart
  input  logic [PBits-1:0]                     prec_i,
  input  logic [PBits-1:0]                     bit_i,
  input  logic [TileRows*Lanes*InBits-1:0]     act_i,   // row r's brick at r*Lanes*InBits
  input  logic [TileCols*Lanes*WBits-1:0]      w_i,     // column c's brick at c*Lanes*WBits
  output logic [TileRows-1:0]                  more_o,  // Pragmatic: window r has bits left
  output logic [TileRows*TileCols*AccBits-1:0] sum_o    // SIP (r, c) at (r*TileCols+c)*AccBits
);

  for (genvar r = 0; r < TileRows; r++) begin : g_row
    logic [Lanes*LaneBits-1:0]       lanes;
    logic [PosBits-1:0]              base;
    logic [TileCols*Lanes*WBits-1:0] w_row;  // the weights of the window's current brick
    logic [Lanes*InBits-1:0]         act_row;
    logic                            sip_last;
    if (Cascade != 0) begin : g_cascade
      assign act_row = cascade_i ? act_i[0 +: Lanes*InBits] : act_i[r*Lanes*InBits +: Lanes*InBits];
    end else begin : g_own_slot
      assign act_row = act_i[r*Lanes*InBits +: Lanes*InBits];
    end
    assign sip_last = (RowSync != 0) ? row_last_i[r] : step_last_i;
    if (RowSync != 0) begin : g_w_hold
      logic [TileCols*Lanes*WBits-1:0] w_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) w_q <= '0;
        else if (en_i && first_i[r]) w_q <= w_i;
      end
      assign w_row = first_i[r] ? w_i : w_q;
    end else begin : g_w_shared
      assign w_row = w_i;
    end
    dnn_bitserial_act_row #(
      .Mode(Mode), .Lanes(Lanes), .InBits(InBits), .Signed(Signed), .TwoStage(TwoStage),
      .FirstStageBits(FirstStageBits), .RowSync(RowSync)
    ) u_act (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .en_i    (en_i),
      .first_i (first_i[r]),
      .brick_i (act_row),
      .prec_i  (prec_i),
      .bit_i   (bit_i),
      .lane_o  (lanes),
      .base_o  (base),
      .more_o  (more_o[r])
    );
    for (genvar c = 0; c < TileCols; c++) begin : g_col
      dnn_bitserial_sip #(
        .Mode(Mode), .Lanes(Lanes), .WBits(WBits), .InBits(InBits), .AccBits(AccBits),
        .Signed(Signed), .TwoStage(TwoStage), .FirstStageBits(FirstStageBits)
      ) u_sip (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .en_i         (en_i),
        .step_first_i (first_i[r]),
        .step_last_i  (sip_last),
        .msb_neg_i    (first_i[r]),  // MSB first: a brick's first cycle is its sign bit
        .tile_last_i  (tile_last_i[r]),
        .lane_i       (lanes),
        .base_i       (base),
        .w_i          (w_row[c*Lanes*WBits +: Lanes*WBits]),
        .sum_o        (sum_o[(r*TileCols + c)*AccBits +: AccBits])
      );
    end
  end

  logic unused_tile;
  assign unused_tile = ^{row_last_i, step_last_i, cascade_i};

endmodule
