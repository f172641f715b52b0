// R x C grid of weight-stationary PEs. Activations enter on the left (already skewed:
// row i one cycle after row i-1), partial sums start at zero on top and leave at the
// bottom, column j one cycle after column j-1. Weights load one row per cycle over a
// row-broadcast bus.
module dnn_systolic_ws_array #(
  parameter int unsigned NumRows = 4,
  parameter int unsigned NumCols = 4,
  parameter int unsigned InBits  = 8,
  parameter int unsigned WBits   = 8,
  parameter int unsigned AccBits = 32,
  parameter int unsigned Signed   = 1
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       en_i,
  input  logic [NumRows-1:0]         act_valid_i,
  input  logic [NumRows-1:0]         act_bank_i,
  input  logic [NumRows*InBits-1:0]  act_i,
  input  logic [NumRows-1:0]         wload_row_i,
  input  logic                       wload_bank_i,
  input  logic [NumCols*WBits-1:0]   wload_data_i,
  output logic [NumCols*AccBits-1:0] psum_o
);

  // Horizontal links: column c feeds column c+1; index NumCols is the unused right edge.
  logic               h_valid [NumRows][NumCols+1];
  logic               h_bank  [NumRows][NumCols+1];
  logic [InBits-1:0]  h_act   [NumRows][NumCols+1];
  // Vertical links: row r feeds row r+1; index NumRows is the bottom edge.
  logic [AccBits-1:0] v_psum  [NumRows+1][NumCols];

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    assign h_valid[r][0] = act_valid_i[r];
    assign h_bank[r][0]  = act_bank_i[r];
    assign h_act[r][0]   = act_i[r*InBits +: InBits];

    for (genvar c = 0; c < NumCols; c++) begin : g_col
      dnn_systolic_ws_pe #(
        .InBits (InBits),
        .WBits  (WBits),
        .AccBits(AccBits),
        .Signed (Signed)
      ) u_pe (
        .clk_i       (clk_i),
        .rst_ni      (rst_ni),
        .en_i        (en_i),
        .act_valid_i (h_valid[r][c]),
        .act_bank_i  (h_bank[r][c]),
        .act_i       (h_act[r][c]),
        .act_valid_o (h_valid[r][c+1]),
        .act_bank_o  (h_bank[r][c+1]),
        .act_o       (h_act[r][c+1]),
        .psum_i      (v_psum[r][c]),
        .psum_o      (v_psum[r+1][c]),
        .wload_en_i  (wload_row_i[r]),
        .wload_bank_i(wload_bank_i),
        .wload_data_i(wload_data_i[c*WBits +: WBits])
      );
    end

    logic unused_right_edge;
    assign unused_right_edge = ^{h_valid[r][NumCols], h_bank[r][NumCols], h_act[r][NumCols]};
  end

  for (genvar c = 0; c < NumCols; c++) begin : g_edge
    assign v_psum[0][c] = '0;
    assign psum_o[c*AccBits +: AccBits] = v_psum[NumRows][c];
  end

endmodule
