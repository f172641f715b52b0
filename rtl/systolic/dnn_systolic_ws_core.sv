// Weight-stationary GEMM engine: C[M,N] = A[M,K] x B[K,N] from on-chip buffers.
//
// Buffers (written through the loader port while idle; the host packs the words):
//   A: word kt*MaxM + m holds A[m, kt*R +: R]      (lane i = row i of the array)
//   B: word nt*MaxK + k holds B[k, nt*C +: C]      (lane j = column j)
// Schedule: tiles (nt outer, kt inner) start every D = max(M, R, ceil((M+C-1)/2), 2)
// cycles. In tile t, B rows are read at phases 0..R-1 into the idle weight bank (so the
// next tile's weights load while the current tile computes), and A rows are read at
// phases 1..M. Partial sums of K-tiles are summed in an accumulator buffer (M x C) and
// the last K-tile streams C[m, n0 +: C] out, one row per cycle. With the output always
// ready, a job takes (T-1)*D + M + R + C + 1 cycles, T = ceil(K/R)*ceil(N/C); the
// golden model's cycle model (model/src/systolic/schedule.cpp) derives the same figure.
module dnn_systolic_ws_core #(
  parameter int unsigned NumRows    = 4,
  parameter int unsigned NumCols    = 4,
  parameter int unsigned InBits     = 8,
  parameter int unsigned WBits      = 8,
  parameter int unsigned AccBits    = 32,
  parameter int unsigned AccIntBits = 32,
  parameter int unsigned Signed   = 1,
  parameter int unsigned Saturate = 0,
  parameter int unsigned MaxM       = 64,
  parameter int unsigned MaxN       = 64,
  parameter int unsigned MaxK       = 64,
  parameter int unsigned DimBits    = 8,
  parameter int unsigned LdAddrBits = 8,
  parameter int unsigned LdWidth    = 32,
  parameter int unsigned CycleBits  = 48
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // loader: one buffer word per transfer, accepted while idle
  input  logic                       ld_valid_i,
  output logic                       ld_ready_o,
  input  logic                       ld_sel_i,      // 0: A buffer, 1: B buffer
  input  logic [LdAddrBits-1:0]      ld_addr_i,
  input  logic [LdWidth-1:0]         ld_data_i,
  // job: sizes M, N, K (1..Max), accepted while idle
  input  logic                       job_valid_i,
  output logic                       job_ready_o,
  input  logic [DimBits-1:0]         job_m_i,
  input  logic [DimBits-1:0]         job_n_i,
  input  logic [DimBits-1:0]         job_k_i,
  // results: row m of C, columns n0 .. n0+C-1 (columns >= N are don't-care)
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic                       out_last_o,
  output logic [DimBits-1:0]         out_row_o,
  output logic [DimBits-1:0]         out_col_o,
  output logic [NumCols*AccBits-1:0] out_data_o,
  // status
  output logic                       busy_o,
  output logic                       done_o,
  output logic [CycleBits-1:0]       cycles_o
);

  localparam int unsigned KTiles     = (MaxK + NumRows - 1) / NumRows;
  localparam int unsigned NTiles     = (MaxN + NumCols - 1) / NumCols;
  localparam int unsigned ADepth     = KTiles * MaxM;
  localparam int unsigned BDepth     = NTiles * MaxK;
  localparam int unsigned ABits      = (ADepth > 1) ? $clog2(ADepth) : 1;
  localparam int unsigned BBits      = (BDepth > 1) ? $clog2(BDepth) : 1;
  localparam int unsigned MBits      = (MaxM > 1) ? $clog2(MaxM) : 1;
  localparam int unsigned AWidth     = NumRows * InBits;
  localparam int unsigned BWidth     = NumCols * WBits;
  localparam int unsigned RowBits    = (NumRows > 1) ? $clog2(NumRows) : 1;
  localparam int unsigned AccWidth   = NumCols * AccIntBits;
  // The accumulator read is issued one cycle before a row's partial sums arrive: the
  // array takes R + C - 1 cycles from the A data stage to the last column, de-skewed.
  localparam int unsigned TagLatency = NumRows + NumCols - 2;

  // One A row in flight: where its results go and what to do with them.
  typedef struct packed {
    logic               valid;
    logic               first_k;   // first K-tile: start the sum afresh
    logic               last_k;    // last K-tile: emit instead of storing
    logic               job_last;  // last row of the last tile
    logic [DimBits-1:0] m;
    logic [DimBits-1:0] n0;
  } row_tag_t;
  localparam int unsigned TagBits = 4 + 2 * DimBits;  // $bits(row_tag_t), spelled out for Yosys

  // Global advance: the whole pipeline freezes while a result waits for the consumer.
  logic en;

  // ---------------------------------------------------------------- job registers
  logic                 busy, job_accept, job_finish;
  logic [DimBits-1:0]   m_q, n_q, k_q;
  logic [DimBits:0]     period_q, period_d;

  dnn_job_ctrl #(
    .CycleBits(CycleBits)
  ) u_job_ctrl (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .job_valid_i(job_valid_i),
    .job_ready_o(job_ready_o),
    .accept_o   (job_accept),
    .finish_i   (job_finish),
    .busy_o     (busy),
    .done_o     (done_o),
    .cycles_o   (cycles_o)
  );

  assign ld_ready_o = !busy;

  // D = max(M, R, ceil((M + C - 1) / 2), 2): A port, B port, and weight-bank reuse
  // (a bank is rewritten only after the tile two back has left every PE).
  always_comb begin
    logic [DimBits:0] half;
    half     = ({1'b0, job_m_i} + (DimBits+1)'(NumCols)) >> 1;
    period_d = {1'b0, job_m_i};
    if (period_d < (DimBits+1)'(NumRows)) period_d = (DimBits+1)'(NumRows);
    if (period_d < half) period_d = half;
    if (period_d < (DimBits+1)'(2)) period_d = (DimBits+1)'(2);
  end

  // ---------------------------------------------------------------- tile sequencer
  logic               issuing_q;
  logic [DimBits:0]   phase_q;
  logic [DimBits-1:0] k0_q, n0_q;
  logic [ABits-1:0]   a_base_q;
  logic [BBits-1:0]   b_base_q, b_nbase_q;
  logic               bank_q;
  logic               first_k, last_k, tile_last, tile_end;

  assign first_k   = (k0_q == '0);
  assign last_k    = ({1'b0, k0_q} + (DimBits+1)'(NumRows)) >= {1'b0, k_q};
  assign tile_last = last_k && (({1'b0, n0_q} + (DimBits+1)'(NumCols)) >= {1'b0, n_q});
  assign tile_end  = issuing_q && (phase_q == period_q - 1'b1);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_q       <= '0;
      n_q       <= '0;
      k_q       <= '0;
      period_q  <= '0;
      issuing_q <= 1'b0;
      phase_q   <= '0;
      k0_q      <= '0;
      n0_q      <= '0;
      a_base_q  <= '0;
      b_base_q  <= '0;
      b_nbase_q <= '0;
      bank_q    <= 1'b0;
    end else if (job_accept) begin
      m_q       <= job_m_i;
      n_q       <= job_n_i;
      k_q       <= job_k_i;
      period_q  <= period_d;
      issuing_q <= 1'b1;
      phase_q   <= '0;
      k0_q      <= '0;
      n0_q      <= '0;
      a_base_q  <= '0;
      b_base_q  <= '0;
      b_nbase_q <= '0;
      bank_q    <= 1'b0;
    end else if (en && issuing_q) begin
      if (tile_end) begin
        phase_q <= '0;
        bank_q  <= !bank_q;
        if (tile_last) issuing_q <= 1'b0;
        if (last_k) begin
          k0_q      <= '0;
          n0_q      <= n0_q + DimBits'(NumCols);
          a_base_q  <= '0;
          b_nbase_q <= b_nbase_q + BBits'(MaxK);
          b_base_q  <= b_nbase_q + BBits'(MaxK);
        end else begin
          k0_q     <= k0_q + DimBits'(NumRows);
          a_base_q <= a_base_q + ABits'(MaxM);
          b_base_q <= b_base_q + BBits'(NumRows);
        end
      end else begin
        phase_q <= phase_q + 1'b1;
      end
    end
  end

  // ---------------------------------------------------------------- B: weight loads
  logic               b_re, b_zero;
  logic [BBits-1:0]   b_raddr;
  logic [BWidth-1:0]  b_rdata;
  logic               wl_valid_q, wl_bank_q, wl_zero_q;
  logic [RowBits-1:0] wl_row_q;
  logic [NumRows-1:0] wload_row;

  assign b_re    = en && issuing_q && (phase_q < (DimBits+1)'(NumRows));
  assign b_raddr = b_base_q + BBits'(phase_q);
  // Rows past K load zero weights, so edge K-tiles need no masking elsewhere.
  assign b_zero  = ({1'b0, k0_q} + phase_q) >= {1'b0, k_q};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wl_valid_q <= 1'b0;
      wl_bank_q  <= 1'b0;
      wl_zero_q  <= 1'b0;
      wl_row_q   <= '0;
    end else if (en) begin
      wl_valid_q <= b_re;
      // Tile t loads its own bank (t mod 2) just in time; the other bank still
      // serves tile t-1's activations on their way through the array.
      wl_bank_q  <= bank_q;
      wl_zero_q  <= b_zero;
      wl_row_q   <= RowBits'(phase_q);
    end
  end

  always_comb begin
    wload_row = '0;
    if (wl_valid_q) wload_row[wl_row_q] = 1'b1;
  end

  // ---------------------------------------------------------------- A: activations
  logic             a_req_q;
  logic [ABits-1:0] a_raddr_q;
  row_tag_t         a_tag_q, a_req_tag_q, a_req_tag_d;
  logic [AWidth-1:0] a_rdata;
  logic             a_bank_q, a_req_bank_q;

  always_comb begin
    a_req_tag_d          = '0;
    a_req_tag_d.valid    = issuing_q && (phase_q < {1'b0, m_q});
    a_req_tag_d.first_k  = first_k;
    a_req_tag_d.last_k   = last_k;
    a_req_tag_d.job_last = tile_last && (phase_q == {1'b0, m_q} - 1'b1);
    a_req_tag_d.m        = DimBits'(phase_q);
    a_req_tag_d.n0       = n0_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_req_q      <= 1'b0;
      a_raddr_q    <= '0;
      a_req_tag_q  <= '0;
      a_req_bank_q <= 1'b0;
      a_tag_q      <= '0;
      a_bank_q     <= 1'b0;
    end else if (en) begin
      a_req_q      <= a_req_tag_d.valid;
      a_raddr_q    <= a_base_q + ABits'(phase_q);
      a_req_tag_q  <= a_req_tag_d;
      a_req_bank_q <= bank_q;
      a_tag_q      <= a_req_tag_q;
      a_bank_q     <= a_req_bank_q;
    end
  end

  // ---------------------------------------------------------------- buffers
  logic a_we, b_we;
  assign a_we = ld_valid_i && ld_ready_o && !ld_sel_i;
  assign b_we = ld_valid_i && ld_ready_o && ld_sel_i;
  // The loader port is sized for the wider and deeper of the two buffers.
  logic unused_ld;
  assign unused_ld = ^{ld_addr_i, ld_data_i};

  dnn_sram_1r1w #(
    .Depth(ADepth),
    .Width(AWidth)
  ) u_abuf (
    .clk_i  (clk_i),
    .we_i   (a_we),
    .waddr_i(ABits'(ld_addr_i)),
    .wdata_i(ld_data_i[AWidth-1:0]),
    .re_i   (en && a_req_q),
    .raddr_i(a_raddr_q),
    .rdata_o(a_rdata)
  );

  dnn_sram_1r1w #(
    .Depth(BDepth),
    .Width(BWidth)
  ) u_bbuf (
    .clk_i  (clk_i),
    .we_i   (b_we),
    .waddr_i(BBits'(ld_addr_i)),
    .wdata_i(ld_data_i[BWidth-1:0]),
    .re_i   (b_re),
    .raddr_i(b_raddr),
    .rdata_o(b_rdata)
  );

  // ---------------------------------------------------------------- array
  // Lane i of the skew carries {valid, bank, activation} for array row i.
  logic [NumRows*(InBits+2)-1:0] act_lanes, act_skewed;
  logic [NumRows-1:0]            act_valid, act_bank;
  logic [NumRows*InBits-1:0]     act;
  logic [AccWidth-1:0]           psum_skewed, psum;

  for (genvar r = 0; r < NumRows; r++) begin : g_act_lane
    assign act_lanes[r*(InBits+2) +: InBits+2] =
        {a_tag_q.valid, a_bank_q, a_rdata[r*InBits +: InBits]};
    assign act_valid[r]              = act_skewed[r*(InBits+2) + InBits + 1];
    assign act_bank[r]               = act_skewed[r*(InBits+2) + InBits];
    assign act[r*InBits +: InBits]   = act_skewed[r*(InBits+2) +: InBits];
  end

  dnn_systolic_skew #(
    .Lanes  (NumRows),
    .Width  (InBits + 2),
    .Reverse(0)
  ) u_act_skew (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (en),
    .d_i   (act_lanes),
    .q_o   (act_skewed)
  );

  dnn_systolic_ws_array #(
    .NumRows(NumRows),
    .NumCols(NumCols),
    .InBits (InBits),
    .WBits  (WBits),
    .AccBits(AccIntBits),
    .Signed (Signed)
  ) u_array (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .en_i        (en),
    .act_valid_i (act_valid),
    .act_bank_i  (act_bank),
    .act_i       (act),
    .wload_row_i (wload_row),
    .wload_bank_i(wl_bank_q),
    .wload_data_i(wl_zero_q ? '0 : b_rdata),
    .psum_o      (psum_skewed)
  );

  // Column j leaves the array j cycles after column 0: delay it C - 1 - j more cycles.
  dnn_systolic_skew #(
    .Lanes  (NumCols),
    .Width  (AccIntBits),
    .Reverse(1)
  ) u_psum_deskew (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (en),
    .d_i   (psum_skewed),
    .q_o   (psum)
  );

  // ---------------------------------------------------------------- accumulate
  row_tag_t              rd_tag, acc_tag_q;
  logic [AccWidth-1:0]   acc_rdata, acc_sum;
  logic [NumCols*AccBits-1:0] out_values;

  dnn_delay #(
    .Width (TagBits),
    .Cycles(TagLatency)
  ) u_tag_delay (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (en),
    .d_i   (a_tag_q),
    .q_o   (rd_tag)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) acc_tag_q <= '0;
    else if (en) acc_tag_q <= rd_tag;
  end

  dnn_sram_1r1w #(
    .Depth(MaxM),
    .Width(AccWidth)
  ) u_accbuf (
    .clk_i  (clk_i),
    .we_i   (en && acc_tag_q.valid && !acc_tag_q.last_k),
    .waddr_i(MBits'(acc_tag_q.m)),
    .wdata_i(acc_sum),
    .re_i   (en && rd_tag.valid && !rd_tag.first_k),
    .raddr_i(MBits'(rd_tag.m)),
    .rdata_o(acc_rdata)
  );

  for (genvar c = 0; c < NumCols; c++) begin : g_acc_lane
    assign acc_sum[c*AccIntBits +: AccIntBits] =
        acc_tag_q.first_k ? psum[c*AccIntBits +: AccIntBits]
                          : acc_rdata[c*AccIntBits +: AccIntBits] + psum[c*AccIntBits +: AccIntBits];
  end

  dnn_systolic_finalize #(
    .Lanes     (NumCols),
    .AccIntBits(AccIntBits),
    .AccBits   (AccBits),
    .Saturate  (Saturate)
  ) u_finalize (
    .sum_i(acc_sum),
    .out_o(out_values)
  );

  // ---------------------------------------------------------------- output
  // The accumulate stage drives the result port directly: its inputs are registers
  // (tag, de-skewed sums, buffer read data) that all hold while the port stalls, so
  // valid and data stay stable until accepted without another register stage.
  logic out_valid;
  assign out_valid = acc_tag_q.valid && acc_tag_q.last_k;
  assign en        = !out_valid || out_ready_i;

  assign job_finish = out_valid && out_ready_i && acc_tag_q.job_last;

  assign out_valid_o = out_valid;
  assign out_last_o  = acc_tag_q.job_last;
  assign out_row_o   = acc_tag_q.m;
  assign out_col_o   = acc_tag_q.n0;
  assign out_data_o  = out_values;
  assign busy_o      = busy;

endmodule
