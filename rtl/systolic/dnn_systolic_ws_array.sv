// R x C grid of weight-stationary PEs. Activations enter on the left (already skewed:
// row i one cycle after row i-1), partial sums start at zero on top and leave at the
// bottom, column j one cycle after column j-1. Weights load one row per cycle over a
// row-broadcast bus.
//
// Each PE's outputs are plain wires of its generate block, and neighbours read them
// by name: Verilator then aliases them to the PE's registers instead of copying an
// interconnect array every cycle (a large part of the simulation time otherwise).
module dnn_systolic_ws_array #(
  parameter int unsigned NumRows  = 4,
  parameter int unsigned NumCols  = 4,
  parameter int unsigned InBits   = 8,
  parameter int unsigned WBits    = 8,
  parameter int unsigned AccBits  = 32,
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

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    for (genvar c = 0; c < NumCols; c++) begin : g_col
      // This PE's registered outputs.
      logic               valid, bank;
      logic [InBits-1:0]  act;
      logic [AccBits-1:0] psum;
      // Its inputs: from the left neighbour (or the row's skewed input) and from above.
      logic               valid_in, bank_in;
      logic [InBits-1:0]  act_in;
      logic [AccBits-1:0] psum_in;

      if (c == 0) begin : g_left_edge
        assign valid_in = act_valid_i[r];
        assign bank_in  = act_bank_i[r];
        assign act_in   = act_i[r*InBits +: InBits];
      end else begin : g_from_left
        assign valid_in = g_row[r].g_col[c-1].valid;
        assign bank_in  = g_row[r].g_col[c-1].bank;
        assign act_in   = g_row[r].g_col[c-1].act;
      end
      if (r == 0) begin : g_top_edge
        assign psum_in = '0;
      end else begin : g_from_above
        assign psum_in = g_row[r-1].g_col[c].psum;
      end

      dnn_systolic_ws_pe #(
        .InBits (InBits),
        .WBits  (WBits),
        .AccBits(AccBits),
        .Signed (Signed)
      ) u_pe (
        .clk_i       (clk_i),
        .rst_ni      (rst_ni),
        .en_i        (en_i),
        .act_valid_i (valid_in),
        .act_bank_i  (bank_in),
        .act_i       (act_in),
        .act_valid_o (valid),
        .act_bank_o  (bank),
        .act_o       (act),
        .psum_i      (psum_in),
        .psum_o      (psum),
        .wload_en_i  (wload_row_i[r]),
        .wload_bank_i(wload_bank_i),
        .wload_data_i(wload_data_i[c*WBits +: WBits])
      );
    end

    logic unused_right_edge;
    assign unused_right_edge = ^{g_row[r].g_col[NumCols-1].valid, g_row[r].g_col[NumCols-1].bank,
                                 g_row[r].g_col[NumCols-1].act};
  end

  for (genvar c = 0; c < NumCols; c++) begin : g_bottom
    assign psum_o[c*AccBits +: AccBits] = g_row[NumRows-1].g_col[c].psum;
  end

endmodule
