// NumRows x NumCols row-stationary PEs. Every PE of row i takes row i's controls
// (filter loads and steps, each one cycle behind row i-1's: the skew that lets psums
// accumulate down a column one row per cycle); filter rows are broadcast along a row
// (horizontal reuse), the ifmap-row load bus reaches every PE and one is enabled per
// cycle, and column j's psum leaves the bottom row.
module dnn_rs_array #(
  parameter int unsigned NumRows    = 4,
  parameter int unsigned NumCols    = 4,
  parameter int unsigned InBits     = 8,
  parameter int unsigned WBits      = 8,
  parameter int unsigned AccIntBits = 32,
  parameter int unsigned Signed     = 1,
  parameter int unsigned FilterSpad = 3,
  parameter int unsigned IfmapSpad  = 8,
  parameter int unsigned IfmapBanks = 2,
  localparam int unsigned SBits = dnn_pkg::idx_bits(FilterSpad),
  localparam int unsigned XBits = dnn_pkg::idx_bits(IfmapSpad),
  localparam int unsigned ColBits = dnn_pkg::idx_bits(NumCols),
  // One row's controls: {wld_valid, wld_bank, valid, first, last, s, x, xzero, bank}.
  localparam int unsigned CtlBits = 8 + SBits + XBits
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic                                en_i,
  input  logic [CtlBits-1:0]                  ctl_i,      // row 0's controls
  input  logic [NumRows*FilterSpad*WBits-1:0] wld_data_i, // row i's filter row, skewed by i
  input  logic [NumRows-1:0]                  ild_valid_i, // row r writes PE (r, ild_col_i[r])
  input  logic [NumRows*ColBits-1:0]          ild_col_i,
  input  logic                                ild_zero_i,
  input  logic                                ild_bank_i,
  input  logic [IfmapSpad*InBits-1:0]         ild_data_i,
  output logic [NumCols*AccIntBits-1:0]       psum_o
);

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    // Row r's controls: row 0 takes ctl_i, row r the register of row r-1's.
    logic [CtlBits-1:0] ctl;
    if (r == 0) begin : g_first
      assign ctl = ctl_i;
    end else begin : g_next
      assign ctl = g_row[r-1].g_pass.ctl_q;
    end
    if (r + 1 < NumRows) begin : g_pass
      logic [CtlBits-1:0] ctl_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) ctl_q <= '0;
        else if (en_i) ctl_q <= ctl;
      end
    end
    logic             wld_valid, wld_bank, valid, first, last, xzero, bank, ibank;
    logic [SBits-1:0] s;
    logic [XBits-1:0] x;
    assign {wld_valid, wld_bank, valid, first, last, s, x, xzero, bank, ibank} = ctl;

    for (genvar c = 0; c < NumCols; c++) begin : g_col
      logic [AccIntBits-1:0] psum_in, psum;
      if (r == 0) begin : g_top
        assign psum_in = '0;
      end else begin : g_below
        assign psum_in = g_row[r-1].g_col[c].psum;
      end
      dnn_rs_pe #(
        .InBits    (InBits),
        .WBits     (WBits),
        .AccIntBits(AccIntBits),
        .Signed    (Signed),
        .FilterSpad(FilterSpad),
        .IfmapSpad (IfmapSpad),
        .IfmapBanks(IfmapBanks)
      ) u_pe (
        .clk_i       (clk_i),
        .en_i        (en_i),
        .step_valid_i(valid),
        .step_first_i(first),
        .step_last_i (last),
        .step_s_i    (s),
        .step_x_i    (x),
        .step_xzero_i(xzero),
        .step_bank_i (bank),
        .step_ibank_i(ibank),
        .wld_valid_i (wld_valid),
        .wld_bank_i  (wld_bank),
        .wld_data_i  (wld_data_i[r*FilterSpad*WBits +: FilterSpad*WBits]),
        .ild_valid_i (ild_valid_i[r] && ild_col_i[r*ColBits +: ColBits] == ColBits'(c)),
        .ild_zero_i  (ild_zero_i),
        .ild_bank_i  (ild_bank_i),
        .ild_data_i  (ild_data_i),
        .psum_i      (psum_in),
        .psum_o      (psum)
      );
    end
  end

  if (NumRows == 1) begin : g_no_skew
    logic unused_rst;
    assign unused_rst = rst_ni;  // one row: no control register to reset
  end

  for (genvar c = 0; c < NumCols; c++) begin : g_out
    assign psum_o[c*AccIntBits +: AccIntBits] = g_row[NumRows-1].g_col[c].psum;
  end

endmodule
