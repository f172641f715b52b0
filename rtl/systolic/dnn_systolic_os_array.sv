// R x C grid of output-stationary PEs. A rows enter on the left skewed by row, B
// columns on top skewed by column, so A[m0+i, k] meets B[k, n0+j] in PE(i, j).
// any_done_o pulses when a row's results are all in their result registers (its
// last-step flag has left the right edge); done_row_o/done_results_o give that row's
// index and results. Rows finish one cycle apart, so at most one is done per cycle.
//
// Each PE's outputs are plain wires of its generate block, read by name by its
// neighbours, so Verilator aliases them instead of copying an interconnect array
// every cycle.
module dnn_systolic_os_array #(
  parameter int unsigned NumRows  = 4,
  parameter int unsigned NumCols  = 4,
  parameter int unsigned InBits   = 8,
  parameter int unsigned WBits    = 8,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 1,
  localparam int unsigned RowBits = dnn_pkg::idx_bits(NumRows)
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       en_i,
  input  logic [NumRows-1:0]         a_valid_i,
  input  logic [NumRows-1:0]         a_first_i,
  input  logic [NumRows-1:0]         a_last_i,
  input  logic [NumRows*InBits-1:0]  a_i,
  input  logic [NumCols*WBits-1:0]   b_i,
  output logic                       any_done_o,
  output logic [RowBits-1:0]         done_row_o,
  output logic [NumCols*AccBits-1:0] done_results_o
);

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    for (genvar c = 0; c < NumCols; c++) begin : g_col
      // This PE's registered outputs.
      logic               valid, first, last;
      logic [InBits-1:0]  a;
      logic [WBits-1:0]   b;
      logic [AccBits-1:0] result;
      // Its inputs: A from the left neighbour (or the row's skewed input), B from above.
      logic               valid_in, first_in, last_in;
      logic [InBits-1:0]  a_in;
      logic [WBits-1:0]   b_in;

      if (c == 0) begin : g_left_edge
        assign valid_in = a_valid_i[r];
        assign first_in = a_first_i[r];
        assign last_in  = a_last_i[r];
        assign a_in     = a_i[r*InBits +: InBits];
      end else begin : g_from_left
        assign valid_in = g_row[r].g_col[c-1].valid;
        assign first_in = g_row[r].g_col[c-1].first;
        assign last_in  = g_row[r].g_col[c-1].last;
        assign a_in     = g_row[r].g_col[c-1].a;
      end
      if (r == 0) begin : g_top_edge
        assign b_in = b_i[c*WBits +: WBits];
      end else begin : g_from_above
        assign b_in = g_row[r-1].g_col[c].b;
      end

      dnn_systolic_os_pe #(
        .InBits (InBits),
        .WBits  (WBits),
        .AccBits(AccBits),
        .Signed (Signed)
      ) u_pe (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .en_i     (en_i),
        .a_valid_i(valid_in),
        .a_first_i(first_in),
        .a_last_i (last_in),
        .a_i      (a_in),
        .a_valid_o(valid),
        .a_first_o(first),
        .a_last_o (last),
        .a_o      (a),
        .b_i      (b_in),
        .b_o      (b),
        .result_o (result)
      );
    end

    // Row read-out: this row's results when its last step has left the right edge,
    // OR-ed down the rows (one row at most is done in any cycle).
    logic                       done;
    logic [NumCols*AccBits-1:0] results, results_so_far;
    assign done = g_row[r].g_col[NumCols-1].valid && g_row[r].g_col[NumCols-1].last;
    for (genvar c = 0; c < NumCols; c++) begin : g_pick
      assign results[c*AccBits +: AccBits] = done ? g_row[r].g_col[c].result : '0;
    end
    if (r == 0) begin : g_first_row
      assign results_so_far = results;
    end else begin : g_next_row
      assign results_so_far = g_row[r-1].results_so_far | results;
    end

    logic unused_edges;
    assign unused_edges = ^{g_row[r].g_col[NumCols-1].first, g_row[r].g_col[NumCols-1].a};
  end

  for (genvar c = 0; c < NumCols; c++) begin : g_bottom
    logic unused_b;
    assign unused_b = ^g_row[NumRows-1].g_col[c].b;
  end

  logic [NumRows-1:0] row_done;
  for (genvar r = 0; r < NumRows; r++) begin : g_done
    assign row_done[r] = g_row[r].done;
  end

  always_comb begin
    any_done_o = 1'b0;
    done_row_o = '0;
    for (int unsigned r = 0; r < NumRows; r++) begin
      if (row_done[r]) begin
        any_done_o = 1'b1;
        done_row_o = RowBits'(r);
      end
    end
  end

  assign done_results_o = g_row[NumRows-1].results_so_far;

endmodule
