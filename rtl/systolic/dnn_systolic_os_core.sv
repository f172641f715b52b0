// Output-stationary GEMM engine: C[M,N] = A[M,K] x B[K,N] from on-chip buffers.
//
// Buffers (written through the loader port while idle; the host packs the words):
//   A: word mt*MaxK + k holds A[mt*R +: R, k]      (lane i = row i of the array)
//   B: word nt*MaxK + k holds B[k, nt*C +: C]      (lane j = column j)
// Schedule: output tiles (mt outer, nt inner) start every D = max(K, R, C) cycles; in
// tile t, A and B words k = 0..K-1 are read at phases 0..K-1. Each PE sums its own
// output; when row i's last step leaves the right edge, row i's C results are read
// out through a row multiplexer, one row per cycle. With the output always ready a
// job takes (T-1)*D + K + C + r + 1 cycles, T = ceil(M/R)*ceil(N/C), r = (M-1) mod R.
module dnn_systolic_os_core #(
  parameter int unsigned NumRows    = 4,
  parameter int unsigned NumCols    = 4,
  parameter int unsigned InBits     = 8,
  parameter int unsigned WBits      = 8,
  parameter int unsigned AccBits    = 32,
  parameter int unsigned AccIntBits = 32,
  parameter int unsigned Signed     = 1,
  parameter int unsigned Saturate   = 0,
  parameter int unsigned MaxM       = 64,
  parameter int unsigned MaxN       = 64,
  parameter int unsigned MaxK       = 64,
  parameter int unsigned DimBits    = 8,
  parameter int unsigned LdAddrBits = 10,  // addresses every word of the larger buffer
  parameter int unsigned LdWidth    = 32,
  parameter int unsigned CycleBits  = 48
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       ld_valid_i,
  output logic                       ld_ready_o,
  input  logic                       ld_sel_i,      // 0: A buffer, 1: B buffer
  input  logic [LdAddrBits-1:0]      ld_addr_i,
  input  logic [LdWidth-1:0]         ld_data_i,
  input  logic                       job_valid_i,
  output logic                       job_ready_o,
  input  logic [DimBits-1:0]         job_m_i,
  input  logic [DimBits-1:0]         job_n_i,
  input  logic [DimBits-1:0]         job_k_i,
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic                       out_last_o,
  output logic [DimBits-1:0]         out_row_o,
  output logic [DimBits-1:0]         out_col_o,
  output logic [NumCols*AccBits-1:0] out_data_o,
  output logic                       busy_o,
  output logic                       done_o,
  output logic                       err_o,       // the last job was refused (bad fields)
  output logic [CycleBits-1:0]       cycles_o
);

  localparam int unsigned MTiles   = (MaxM + NumRows - 1) / NumRows;
  localparam int unsigned NTiles   = (MaxN + NumCols - 1) / NumCols;
  localparam int unsigned ADepth   = MTiles * MaxK;
  localparam int unsigned BDepth   = NTiles * MaxK;
  localparam int unsigned ABits    = dnn_pkg::idx_bits(ADepth);
  localparam int unsigned BBits    = dnn_pkg::idx_bits(BDepth);
  localparam int unsigned AWidth   = NumRows * InBits;
  localparam int unsigned BWidth   = NumCols * WBits;
  localparam int unsigned RowBits  = dnn_pkg::idx_bits(NumRows);
  localparam int unsigned AccWidth = NumCols * AccIntBits;
  // Tiles between issue and read-out: D >= max(K, R, C) bounds it by 3; one spare.
  localparam int unsigned TileFifoDepth = 4;

  // Per-tile record, queued at tile start, consumed as the tile's rows are read out.
  typedef struct packed {
    logic               tile_last;
    logic [DimBits-1:0] m0;
    logic [DimBits-1:0] n0;
  } tile_rec_t;
  localparam int unsigned TileRecBits = 1 + 2 * DimBits;  // $bits(tile_rec_t), spelled out for Yosys

  logic en;

  // ---------------------------------------------------------------- job control
  logic job_accept, job_finish;

  // A job outside 1..Max in any size is refused (error, done, no start).
  logic job_bad;
  assign job_bad = (job_m_i == '0) || (32'(job_m_i) > MaxM) ||
                   (job_n_i == '0) || (32'(job_n_i) > MaxN) ||
                   (job_k_i == '0) || (32'(job_k_i) > MaxK);

  dnn_job_ctrl #(
    .CycleBits(CycleBits)
  ) u_job_ctrl (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .job_valid_i(job_valid_i),
    .job_bad_i(job_bad),
    .job_ready_o(job_ready_o),
    .accept_o   (job_accept),
    .finish_i   (job_finish),
    .busy_o     (busy_o),
    .done_o     (done_o),
    .err_o      (err_o),
    .cycles_o   (cycles_o)
  );

  // D = max(K, R, C): A/B ports, output rows per tile, result-register reuse.
  logic [DimBits:0] job_period;
  always_comb begin
    job_period = {1'b0, job_k_i};
    if (job_period < (DimBits+1)'(NumRows)) job_period = (DimBits+1)'(NumRows);
    if (job_period < (DimBits+1)'(NumCols)) job_period = (DimBits+1)'(NumCols);
  end

  // ---------------------------------------------------------------- tile sequencer
  logic [DimBits-1:0] m_q, m_d, n_q, n_d, k_q, k_d;
  logic [DimBits:0]   period_q, period_d;
  logic               issuing_q, issuing_d;
  logic [DimBits:0]   phase_q, phase_d;
  logic [DimBits-1:0] m0_q, m0_d, n0_q, n0_d;
  logic [ABits-1:0]   a_base_q, a_base_d;
  logic [BBits-1:0]   b_base_q, b_base_d;
  logic               last_n, tile_last, tile_end;

  assign last_n    = ({1'b0, n0_q} + (DimBits+1)'(NumCols)) >= {1'b0, n_q};
  assign tile_last = last_n && (({1'b0, m0_q} + (DimBits+1)'(NumRows)) >= {1'b0, m_q});
  assign tile_end  = issuing_q && (phase_q == period_q - 1'b1);

  always_comb begin
    m_d       = m_q;
    n_d       = n_q;
    k_d       = k_q;
    period_d  = period_q;
    issuing_d = issuing_q;
    phase_d   = phase_q;
    m0_d      = m0_q;
    n0_d      = n0_q;
    a_base_d  = a_base_q;
    b_base_d  = b_base_q;
    if (job_accept) begin
      m_d       = job_m_i;
      n_d       = job_n_i;
      k_d       = job_k_i;
      period_d  = job_period;
      issuing_d = 1'b1;
      phase_d   = '0;
      m0_d      = '0;
      n0_d      = '0;
      a_base_d  = '0;
      b_base_d  = '0;
    end else if (en && issuing_q) begin
      if (tile_end) begin
        phase_d = '0;
        if (tile_last) issuing_d = 1'b0;
        if (last_n) begin
          n0_d     = '0;
          b_base_d = '0;
          m0_d     = m0_q + DimBits'(NumRows);
          a_base_d = a_base_q + ABits'(MaxK);
        end else begin
          n0_d     = n0_q + DimBits'(NumCols);
          b_base_d = b_base_q + BBits'(MaxK);
        end
      end else begin
        phase_d = phase_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_q       <= '0;
      n_q       <= '0;
      k_q       <= '0;
      period_q  <= '0;
      issuing_q <= 1'b0;
      phase_q   <= '0;
      m0_q      <= '0;
      n0_q      <= '0;
      a_base_q  <= '0;
      b_base_q  <= '0;
    end else begin
      m_q       <= m_d;
      n_q       <= n_d;
      k_q       <= k_d;
      period_q  <= period_d;
      issuing_q <= issuing_d;
      phase_q   <= phase_d;
      m0_q      <= m0_d;
      n0_q      <= n0_d;
      a_base_q  <= a_base_d;
      b_base_q  <= b_base_d;
    end
  end

  // ---------------------------------------------------------------- buffers
  // Tile step k reads A and B word k; the step's flags follow the read data.
  logic               rd_en, step_first_d, step_last_d;
  logic               step_valid_q, step_first_q, step_last_q;
  logic [NumRows-1:0] row_live, step_rows_q;
  logic [AWidth-1:0]  a_rdata;
  logic [BWidth-1:0]  b_rdata;

  assign rd_en        = en && issuing_q && (phase_q < {1'b0, k_q});
  assign step_first_d = (phase_q == '0);
  assign step_last_d  = (phase_q == {1'b0, k_q} - 1'b1);

  // Array rows past M in the last row tile carry no valid steps: they never finish,
  // so nothing of a job is left in flight once its last row is out.
  for (genvar r = 0; r < NumRows; r++) begin : g_row_live
    assign row_live[r] = ({1'b0, m0_q} + (DimBits+1)'(r)) < {1'b0, m_q};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      step_valid_q <= 1'b0;
      step_first_q <= 1'b0;
      step_last_q  <= 1'b0;
      step_rows_q  <= '0;
    end else if (en) begin
      step_valid_q <= rd_en;
      step_rows_q  <= row_live;
      step_first_q <= step_first_d;
      step_last_q  <= step_last_d;
    end
  end

  dnn_systolic_operand_buf #(
    .ADepth    (ADepth),
    .AWidth    (AWidth),
    .BDepth    (BDepth),
    .BWidth    (BWidth),
    .LdAddrBits(LdAddrBits),
    .LdWidth   (LdWidth)
  ) u_operands (
    .clk_i     (clk_i),
    .busy_i    (busy_o),
    .ld_valid_i(ld_valid_i),
    .ld_ready_o(ld_ready_o),
    .ld_sel_i  (ld_sel_i),
    .ld_bank_i (1'b0),
    .ld_addr_i (ld_addr_i),
    .ld_data_i (ld_data_i),
    .rd_bank_i (1'b0),
    .a_re_i    (rd_en),
    .a_raddr_i (a_base_q + ABits'(phase_q)),
    .a_rdata_o (a_rdata),
    .b_re_i    (rd_en),
    .b_raddr_i (b_base_q + BBits'(phase_q)),
    .b_rdata_o (b_rdata)
  );

  // ---------------------------------------------------------------- array
  // Lane i of the A skew carries {valid, first, last, a} for array row i.
  logic [NumRows*(InBits+3)-1:0]        a_lanes, a_skewed;
  logic [NumRows-1:0]                   a_valid, a_first, a_last;
  logic [NumRows*InBits-1:0]            a_vals;
  logic [NumCols*WBits-1:0]             b_skewed;
  logic                                 any_done;
  logic [RowBits-1:0]                   done_row;
  logic [AccWidth-1:0]                  row_sum;

  for (genvar r = 0; r < NumRows; r++) begin : g_a_lane
    assign a_lanes[r*(InBits+3) +: InBits+3] =
        {step_valid_q && step_rows_q[r], step_first_q, step_last_q, a_rdata[r*InBits +: InBits]};
    assign a_valid[r]                = a_skewed[r*(InBits+3) + InBits + 2];
    assign a_first[r]                = a_skewed[r*(InBits+3) + InBits + 1];
    assign a_last[r]                 = a_skewed[r*(InBits+3) + InBits];
    assign a_vals[r*InBits +: InBits] = a_skewed[r*(InBits+3) +: InBits];
  end

  dnn_systolic_skew #(
    .Lanes  (NumRows),
    .Width  (InBits + 3),
    .Reverse(0)
  ) u_a_skew (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (en),
    .d_i   (a_lanes),
    .q_o   (a_skewed)
  );

  dnn_systolic_skew #(
    .Lanes  (NumCols),
    .Width  (WBits),
    .Reverse(0)
  ) u_b_skew (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (en),
    .d_i   (b_rdata),
    .q_o   (b_skewed)
  );

  dnn_systolic_os_array #(
    .NumRows(NumRows),
    .NumCols(NumCols),
    .InBits (InBits),
    .WBits  (WBits),
    .AccBits(AccIntBits),
    .Signed (Signed)
  ) u_array (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .en_i      (en),
    .a_valid_i (a_valid),
    .a_first_i (a_first),
    .a_last_i  (a_last),
    .a_i       (a_vals),
    .b_i       (b_skewed),
    .any_done_o    (any_done),
    .done_row_o    (done_row),
    .done_results_o(row_sum)
  );

  // ---------------------------------------------------------------- read-out
  tile_rec_t                  rec;
  logic                       rec_valid;         // checked in simulation only
  logic                       unused_rec_ready;  // checked in simulation only
  logic                       emit, job_last, tile_done;
  logic [DimBits-1:0]         out_m;

  dnn_fifo #(
    .Width(TileRecBits),
    .Depth(TileFifoDepth)
  ) u_tile_fifo (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (en && issuing_q && (phase_q == '0)),
    .in_ready_o (unused_rec_ready),
    .in_data_i  ({tile_last, m0_q, n0_q}),
    .out_valid_o(rec_valid),
    .out_ready_i(en && tile_done),
    .out_data_o (rec)
  );

  // A tile's record retires with its last live row (R-1, or M-1 in the last row tile).
  assign tile_done = any_done && ((done_row == RowBits'(NumRows - 1)) || (out_m + 1'b1 == m_q));
  assign out_m    = rec.m0 + DimBits'(done_row);
  assign emit     = any_done;
  assign job_last = rec.tile_last && tile_done;

  dnn_systolic_finalize #(
    .Lanes     (NumCols),
    .AccIntBits(AccIntBits),
    .AccBits   (AccBits),
    .Saturate  (Saturate)
  ) u_finalize (
    .sum_i(row_sum),
    .out_o(out_data_o)
  );

  // ---------------------------------------------------------------- output
  // The read-out drives the result port directly: its inputs (result registers, the
  // row-done flags, the tile record) all hold while the port stalls, so valid and data
  // stay stable until accepted without another register stage.
  assign en = !emit || out_ready_i;

  assign job_finish = emit && out_ready_i && job_last;

`ifndef SYNTHESIS
  // Self-checks; the record FIFO is sized so neither can fire.
  always_ff @(posedge clk_i) begin
    if (en && issuing_q && phase_q == '0 && !unused_rec_ready)
      $error("tile record FIFO overflow");
    if (any_done && !rec_valid) $error("row finished with no tile record");
  end
`endif

  assign out_valid_o = emit;
  assign out_last_o  = emit && job_last;
  assign out_row_o   = out_m;
  assign out_col_o   = rec.n0;

endmodule
