// R x C grid of output-stationary PEs. A rows enter on the left skewed by row, B
// columns on top skewed by column, so A[m0+i, k] meets B[k, n0+j] in PE(i, j).
// any_done_o pulses when a row's results are all in their result registers (its
// last-step flag has left the right edge); done_row_o/done_results_o give that row's
// index and results. Rows finish one cycle apart, so at most one is done per cycle.
module dnn_systolic_os_array #(
  parameter int unsigned NumRows  = 4,
  parameter int unsigned NumCols  = 4,
  parameter int unsigned InBits   = 8,
  parameter int unsigned WBits    = 8,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 1,
  parameter int unsigned RowBits  = (NumRows > 1) ? $clog2(NumRows) : 1
) (
  input  logic                               clk_i,
  input  logic                               rst_ni,
  input  logic                               en_i,
  input  logic [NumRows-1:0]                 a_valid_i,
  input  logic [NumRows-1:0]                 a_first_i,
  input  logic [NumRows-1:0]                 a_last_i,
  input  logic [NumRows*InBits-1:0]          a_i,
  input  logic [NumCols*WBits-1:0]           b_i,
  output logic                               any_done_o,
  output logic [RowBits-1:0]                 done_row_o,
  output logic [NumCols*AccBits-1:0]         done_results_o
);

  logic              h_valid [NumRows][NumCols+1];
  logic              h_first [NumRows][NumCols+1];
  logic              h_last  [NumRows][NumCols+1];
  logic [InBits-1:0] h_a     [NumRows][NumCols+1];
  logic [WBits-1:0]  v_b     [NumRows+1][NumCols];
  logic [AccBits-1:0] result [NumRows][NumCols];
  logic [NumRows-1:0] row_done;

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    assign h_valid[r][0] = a_valid_i[r];
    assign h_first[r][0] = a_first_i[r];
    assign h_last[r][0]  = a_last_i[r];
    assign h_a[r][0]     = a_i[r*InBits +: InBits];

    for (genvar c = 0; c < NumCols; c++) begin : g_col
      dnn_systolic_os_pe #(
        .InBits (InBits),
        .WBits  (WBits),
        .AccBits(AccBits),
        .Signed (Signed)
      ) u_pe (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .en_i     (en_i),
        .a_valid_i(h_valid[r][c]),
        .a_first_i(h_first[r][c]),
        .a_last_i (h_last[r][c]),
        .a_i      (h_a[r][c]),
        .a_valid_o(h_valid[r][c+1]),
        .a_first_o(h_first[r][c+1]),
        .a_last_o (h_last[r][c+1]),
        .a_o      (h_a[r][c+1]),
        .b_i      (v_b[r][c]),
        .b_o      (v_b[r+1][c]),
        .result_o (result[r][c])
      );
    end

    assign row_done[r] = h_valid[r][NumCols] && h_last[r][NumCols];
    logic unused_right_edge;
    assign unused_right_edge = ^{h_first[r][NumCols], h_a[r][NumCols]};
  end

  for (genvar c = 0; c < NumCols; c++) begin : g_top
    assign v_b[0][c] = b_i[c*WBits +: WBits];
    logic unused_bottom_edge;
    assign unused_bottom_edge = ^v_b[NumRows][c];
  end

  // Row read-out multiplexer. Kept inside the array: a flat port of every result
  // register would be R*C*AccBits wide and slow simulation down by an order of magnitude.
  always_comb begin
    any_done_o     = 1'b0;
    done_row_o     = '0;
    done_results_o = '0;
    for (int unsigned r = 0; r < NumRows; r++) begin
      if (row_done[r]) begin
        any_done_o = 1'b1;
        done_row_o = RowBits'(r);
        for (int unsigned c = 0; c < NumCols; c++)
          done_results_o[c*AccBits +: AccBits] = result[r][c];
      end
    end
  end

endmodule
