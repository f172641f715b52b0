// The tile: TileRows windows x TileCols filters of SIPs. Row r's activation unit feeds
// the TileCols SIPs of its row; column c's brick of weights feeds the TileRows SIPs of
// its column. Every SIP advances together (one synchronised group per tile).
module dnn_bitserial_tile #(
  parameter int unsigned Mode     = 0,
  parameter int unsigned Lanes    = 16,
  parameter int unsigned TileRows = 4,
  parameter int unsigned TileCols = 4,
  parameter int unsigned WBits    = 16,
  parameter int unsigned InBits   = 16,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 0,
  localparam int unsigned PBits    = $clog2(InBits + 1),
  localparam int unsigned LaneBits = dnn_pkg::lane_bits(Mode, InBits)
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 en_i,
  input  logic                                 first_i,
  input  logic                                 step_last_i,
  input  logic                                 tile_last_i,
  input  logic [PBits-1:0]                     prec_i,
  input  logic [PBits-1:0]                     bit_i,
  input  logic [TileRows*Lanes*InBits-1:0]     act_i,   // row r's brick at r*Lanes*InBits
  input  logic [TileCols*Lanes*WBits-1:0]      w_i,     // column c's brick at c*Lanes*WBits
  output logic                                 more_o,  // Pragmatic: some lane has bits left
  output logic [TileRows*TileCols*AccBits-1:0] sum_o    // SIP (r, c) at (r*TileCols+c)*AccBits
);

  logic [TileRows-1:0] row_more;

  for (genvar r = 0; r < TileRows; r++) begin : g_row
    logic [Lanes*LaneBits-1:0] lanes;
    dnn_bitserial_act_row #(
      .Mode(Mode), .Lanes(Lanes), .InBits(InBits), .Signed(Signed)
    ) u_act (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .en_i    (en_i),
      .first_i (first_i),
      .brick_i (act_i[r*Lanes*InBits +: Lanes*InBits]),
      .prec_i  (prec_i),
      .bit_i   (bit_i),
      .lane_o  (lanes),
      .more_o  (row_more[r])
    );
    for (genvar c = 0; c < TileCols; c++) begin : g_col
      dnn_bitserial_sip #(
        .Mode(Mode), .Lanes(Lanes), .WBits(WBits), .InBits(InBits), .AccBits(AccBits),
        .Signed(Signed)
      ) u_sip (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .en_i         (en_i),
        .step_first_i (first_i),
        .step_last_i  (step_last_i),
        .msb_neg_i    (first_i),  // MSB first: a brick's first cycle is its sign bit
        .tile_last_i  (tile_last_i),
        .lane_i       (lanes),
        .w_i          (w_i[c*Lanes*WBits +: Lanes*WBits]),
        .sum_o        (sum_o[(r*TileCols + c)*AccBits +: AccBits])
      );
    end
  end

  assign more_o = |row_more;

endmodule
