// Output bank: holds a finished tile's TileRows x TileCols results while the next tile
// computes, and hands them out one row (TileCols results) per cycle. A new tile may be
// captured in the cycle its predecessor's last row leaves (free_o).
module dnn_bitserial_drain #(
  parameter int unsigned TileRows = 4,
  parameter int unsigned TileCols = 4,
  parameter int unsigned AccBits  = 32,
  parameter int unsigned DimBits  = 8,
  localparam int unsigned RowBits = $clog2(TileRows + 1)
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 capture_i,
  input  logic [TileRows*TileCols*AccBits-1:0] sums_i,
  input  logic [DimBits-1:0]                   m0_i,     // first window of the tile
  input  logic [DimBits-1:0]                   n0_i,     // first filter of the tile
  input  logic [RowBits-1:0]                   rows_i,   // windows of the tile inside M (>= 1)
  input  logic                                 last_i,   // the job's last tile
  output logic                                 free_o,
  output logic                                 out_valid_o,
  input  logic                                 out_ready_i,
  output logic                                 out_last_o,
  output logic [DimBits-1:0]                   out_row_o,
  output logic [DimBits-1:0]                   out_col_o,
  output logic [TileCols*AccBits-1:0]          out_data_o
);

  logic [TileRows*TileCols*AccBits-1:0] bank_q;
  logic                                 valid_q, valid_d, last_q, last_d;
  logic [RowBits-1:0]                   row_q, row_d, rows_q, rows_d;
  logic [DimBits-1:0]                   m0_q, m0_d, n0_q, n0_d;
  logic                                 last_row;

  assign last_row = row_q == rows_q - 1'b1;
  assign free_o   = !valid_q || (out_ready_i && last_row);

  always_comb begin
    valid_d = valid_q;
    last_d  = last_q;
    row_d   = row_q;
    rows_d  = rows_q;
    m0_d    = m0_q;
    n0_d    = n0_q;
    if (capture_i) begin
      valid_d = 1'b1;
      last_d  = last_i;
      row_d   = '0;
      rows_d  = rows_i;
      m0_d    = m0_i;
      n0_d    = n0_i;
    end else if (valid_q && out_ready_i) begin
      valid_d = !last_row;
      row_d   = row_q + 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= 1'b0;
      last_q  <= 1'b0;
      row_q   <= '0;
      rows_q  <= '0;
      m0_q    <= '0;
      n0_q    <= '0;
    end else begin
      valid_q <= valid_d;
      last_q  <= last_d;
      row_q   <= row_d;
      rows_q  <= rows_d;
      m0_q    <= m0_d;
      n0_q    <= n0_d;
    end
  end

  // The bank has no reset: it is read only while valid_q.
  always_ff @(posedge clk_i) begin
    if (capture_i) bank_q <= sums_i;
  end

  assign out_valid_o = valid_q;
  assign out_last_o  = valid_q && last_q && last_row;
  assign out_row_o   = m0_q + DimBits'(row_q);
  assign out_col_o   = n0_q;
  assign out_data_o  = bank_q[row_q*TileCols*AccBits +: TileCols*AccBits];

endmodule
