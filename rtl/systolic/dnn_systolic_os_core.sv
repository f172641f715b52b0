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
//
// Inside the accelerator shell (Banks = 2, KSplit = 1, ARows = 1):
//   - the operand buffers have two banks (a job reads job_bank_i while the loader fills
//     the other);
//   - the loader writes A as rows, in the weight-stationary layout (word kt*MaxM + i
//     holds A[i, kt*R +: R], ld_rot_i = i mod R), and a transposing buffer
//     (dnn_systolic_abuf_transpose) serves the columns the array reads;
//   - a layer's K is split over several jobs: a finished row waits one cycle in a stage
//     while its earlier partial sums are read from an accumulator buffer (every row of
//     every N-tile); a job that is not job_first_i adds to them, and only a job_last_i
//     job emits results, the others store them. Every job then takes one cycle more than
//     above, emitting or not.
module dnn_systolic_os_core #(
  parameter int unsigned Banks      = 1,   // operand buffer banks: 1 kernel top, 2 shell
  parameter int unsigned KSplit     = 0,   // 1: job_first_i / job_last_i chain jobs over K
  parameter int unsigned ARows      = 0,   // 1: A written as rows (the shell's loader)
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
  parameter int unsigned CycleBits  = 48,
  localparam int unsigned RotBits   = dnn_pkg::idx_bits(NumRows)
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       ld_valid_i,
  output logic                       ld_ready_o,
  input  logic                       ld_sel_i,      // 0: A buffer, 1: B buffer
  input  logic                       ld_bank_i,     // Banks = 2: the bank written
  input  logic [LdAddrBits-1:0]      ld_addr_i,
  input  logic [RotBits-1:0]         ld_rot_i,      // ARows: the A row mod R
  input  logic [LdWidth-1:0]         ld_data_i,
  input  logic                       job_valid_i,
  output logic                       job_ready_o,
  input  logic [DimBits-1:0]         job_m_i,
  input  logic [DimBits-1:0]         job_n_i,
  input  logic [DimBits-1:0]         job_k_i,
  input  logic                       job_bank_i,    // Banks = 2: the bank the job reads
  input  logic                       job_first_i,   // KSplit: the first job of a K split
  input  logic                       job_last_i,    // KSplit: the last job (emits results)
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

  localparam int unsigned NTiles   = (MaxN + NumCols - 1) / NumCols;
  // ARows: the weight-stationary A layout, kt*MaxM + i.
  localparam int unsigned ADepth   = dnn_pkg::systolic_a_depth(
      (ARows != 0) ? dnn_pkg::DataflowWs : dnn_pkg::DataflowOs, NumRows, MaxM, MaxK);
  localparam int unsigned BDepth   = NTiles * MaxK;
  localparam int unsigned ABits    = dnn_pkg::idx_bits(ADepth);
  localparam int unsigned BBits    = dnn_pkg::idx_bits(BDepth);
  localparam int unsigned AWidth   = NumRows * InBits;
  localparam int unsigned BWidth   = NumCols * WBits;
  localparam int unsigned RowBits  = dnn_pkg::idx_bits(NumRows);
  localparam int unsigned AccWidth = NumCols * AccIntBits;
  // KSplit: the accumulator buffer holds every row of every N-tile, word nt*MaxM + m.
  localparam int unsigned AccDepth = NTiles * MaxM;
  localparam int unsigned AccABits = dnn_pkg::idx_bits(AccDepth);
  // Tiles between issue and read-out: D >= max(K, R, C) bounds it by 3; one spare.
  localparam int unsigned TileFifoDepth = 4;

  // Per-tile record, queued at tile start, consumed as the tile's rows are read out.
  typedef struct packed {
    logic                tile_last;
    logic [DimBits-1:0]  m0;
    logic [DimBits-1:0]  n0;
    logic [AccABits-1:0] acc;  // KSplit: accumulator word of the tile's first row
  } tile_rec_t;
  // $bits(tile_rec_t), spelled out for Yosys
  localparam int unsigned TileRecBits = 1 + 2 * DimBits + AccABits;

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
  logic [AccABits-1:0] acc_nt_q, acc_nt_d;  // KSplit: nt*MaxM of the tile
  logic               jbank_q, jbank_d, jfirst_q, jfirst_d, jlast_q, jlast_d;
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
    acc_nt_d  = acc_nt_q;
    jbank_d   = jbank_q;
    jfirst_d  = jfirst_q;
    jlast_d   = jlast_q;
    if (job_accept) begin
      jbank_d   = (Banks == 2) && job_bank_i;
      jfirst_d  = (KSplit == 0) || job_first_i;
      jlast_d   = (KSplit == 0) || job_last_i;
      acc_nt_d  = '0;
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
          acc_nt_d = '0;
          m0_d     = m0_q + DimBits'(NumRows);
          // ARows: the next M-tile's column words start R rows on.
          a_base_d = a_base_q + ABits'((ARows != 0) ? NumRows : MaxK);
        end else begin
          n0_d     = n0_q + DimBits'(NumCols);
          b_base_d = b_base_q + BBits'(MaxK);
          acc_nt_d = acc_nt_q + AccABits'(MaxM);
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
      acc_nt_q  <= '0;
      jbank_q   <= 1'b0;
      jfirst_q  <= 1'b1;
      jlast_q   <= 1'b1;
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
      acc_nt_q  <= acc_nt_d;
      jbank_q   <= jbank_d;
      jfirst_q  <= jfirst_d;
      jlast_q   <= jlast_d;
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

  if (ARows == 0) begin : g_col_a
    dnn_systolic_operand_buf #(
      .Banks     (Banks),
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
      .ld_bank_i (ld_bank_i),
      .ld_addr_i (ld_addr_i),
      .ld_data_i (ld_data_i),
      .rd_bank_i (jbank_q),
      .a_re_i    (rd_en),
      .a_raddr_i (a_base_q + ABits'(phase_q)),
      .a_rdata_o (a_rdata),
      .b_re_i    (rd_en),
      .b_raddr_i (b_base_q + BBits'(phase_q)),
      .b_rdata_o (b_rdata)
    );
    logic unused_rot;
    assign unused_rot = ^ld_rot_i;
  end else begin : g_row_a
    // Step k of a tile reads column word k: row word kt = k / R of the tile's rows, lane
    // j = k mod R, stepped without a division.
    logic [RowBits-1:0] j_q;
    logic [ABits-1:0]   kt_base_q;  // kt * MaxM
    logic               a_we, b_we;
    if (LdAddrBits < ABits || LdAddrBits < BBits || LdWidth < AWidth || LdWidth < BWidth)
    begin : g_bad_param
      $error("dnn_systolic_os_core: the loader port must reach every word of both buffers");
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        j_q       <= '0;
        kt_base_q <= '0;
      end else if (job_accept || (en && tile_end)) begin
        j_q       <= '0;
        kt_base_q <= '0;
      end else if (rd_en) begin
        j_q       <= (32'(j_q) == NumRows - 1) ? '0 : j_q + 1'b1;
        kt_base_q <= (32'(j_q) == NumRows - 1) ? kt_base_q + ABits'(MaxM) : kt_base_q;
      end
    end

    assign ld_ready_o = (Banks == 2) || !busy_o;
    assign a_we       = ld_valid_i && ld_ready_o && !ld_sel_i;
    // The loader port is sized for the deeper and wider of the two buffers.
    logic unused_ld;
    assign unused_ld = ^{ld_addr_i, ld_data_i};
    assign b_we       = ld_valid_i && ld_ready_o && ld_sel_i;

    dnn_systolic_abuf_transpose #(
      .Lanes(NumRows),
      .Width(InBits),
      .Depth(ADepth),
      .Banks(Banks)
    ) u_abuf (
      .clk_i  (clk_i),
      .we_i   (a_we),
      .wbank_i(ld_bank_i),
      .waddr_i(ld_addr_i[ABits-1:0]),
      .wrot_i (ld_rot_i),
      .wdata_i(ld_data_i[AWidth-1:0]),
      .re_i   (rd_en),
      .rbank_i(jbank_q),
      .rbase_i(kt_base_q + a_base_q),
      .rrot_i (j_q),
      .rdata_o(a_rdata)
    );

    localparam int unsigned BBankBits = dnn_pkg::idx_bits(Banks * BDepth);
    dnn_sram_1r1w #(
      .Depth(Banks * BDepth),
      .Width(BWidth)
    ) u_bbuf (
      .clk_i  (clk_i),
      .we_i   (b_we),
      .waddr_i(BBankBits'(ld_addr_i[BBits-1:0]) + ((Banks == 2 && ld_bank_i) ? BBankBits'(BDepth) : '0)),
      .wdata_i(ld_data_i[BWidth-1:0]),
      .re_i   (rd_en),
      .raddr_i(BBankBits'(b_base_q + BBits'(phase_q)) + ((Banks == 2 && jbank_q) ? BBankBits'(BDepth) : '0)),
      .rdata_o(b_rdata)
    );
  end

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
  logic                       job_last, tile_done;
  logic [DimBits-1:0]         out_m;
  logic [AccABits-1:0]        out_acc;
  logic [AccWidth-1:0]        final_sum;  // a row's whole sums, to the result port

  // The tile's first accumulator word, a named signal of its own width: a sum inside the
  // concatenation below came out one bit wider in Yosys's Verilog-2005 flattening and
  // shifted every field of the record.
  logic [AccABits-1:0] tile_acc;
  assign tile_acc = acc_nt_q + AccABits'(m0_q);

  dnn_fifo #(
    .Width(TileRecBits),
    .Depth(TileFifoDepth)
  ) u_tile_fifo (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (en && issuing_q && (phase_q == '0)),
    .in_ready_o (unused_rec_ready),
    .in_data_i  ({tile_last, m0_q, n0_q, tile_acc}),
    .out_valid_o(rec_valid),
    .out_ready_i(en && tile_done),
    .out_data_o (rec)
  );

  // A tile's record retires with its last live row (R-1, or M-1 in the last row tile).
  assign tile_done = any_done && ((done_row == RowBits'(NumRows - 1)) || (out_m + 1'b1 == m_q));
  assign out_m    = rec.m0 + DimBits'(done_row);
  assign out_acc  = rec.acc + AccABits'(done_row);
  assign job_last = rec.tile_last && tile_done;

  if (KSplit == 0) begin : g_direct
    // The read-out drives the result port directly: its inputs (result registers, the
    // row-done flags, the tile record) all hold while the port stalls, so valid and data
    // stay stable until accepted without another register stage.
    logic unused_ksplit;  // every job is a whole K: jfirst_q and jlast_q stay high
    assign unused_ksplit = ^{out_acc, jfirst_q, jlast_q};

    assign final_sum = row_sum;

    assign out_valid_o = any_done;
    assign out_last_o  = any_done && job_last;
    assign out_row_o   = out_m;
    assign out_col_o   = rec.n0;
    assign en          = !any_done || out_ready_i;
    assign job_finish  = any_done && out_ready_i && job_last;
  end else begin : g_ksplit
    // A finished row waits here one cycle while the sums of its K split's earlier jobs are
    // read; then it is emitted (the split's last job) or its sums are stored for the next.
    logic                st_valid_q, st_last_q;
    logic [DimBits-1:0]  st_m_q, st_n0_q;
    logic [AccABits-1:0] st_acc_q;
    logic [AccWidth-1:0] st_sum_q, acc_rdata, acc_sum;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        st_valid_q <= 1'b0;
        st_last_q  <= 1'b0;
        st_m_q     <= '0;
        st_n0_q    <= '0;
        st_acc_q   <= '0;
        st_sum_q   <= AccWidth'(0);
      end else if (en) begin
        st_valid_q <= any_done;
        st_last_q  <= job_last;
        st_m_q     <= out_m;
        st_n0_q    <= rec.n0;
        st_acc_q   <= out_acc;
        st_sum_q   <= row_sum;
      end
    end

    dnn_sram_1r1w #(
      .Depth(AccDepth),
      .Width(AccWidth)
    ) u_accbuf (
      .clk_i  (clk_i),
      .we_i   (st_valid_q && !jlast_q),
      .waddr_i(st_acc_q),
      .wdata_i(acc_sum),
      .re_i   (en && any_done && !jfirst_q),
      .raddr_i(out_acc),
      .rdata_o(acc_rdata)
    );

    for (genvar c = 0; c < NumCols; c++) begin : g_acc_lane
      assign acc_sum[c*AccIntBits +: AccIntBits] =
          jfirst_q ? st_sum_q[c*AccIntBits +: AccIntBits]
                   : acc_rdata[c*AccIntBits +: AccIntBits] + st_sum_q[c*AccIntBits +: AccIntBits];
    end

    assign final_sum = acc_sum;

    // The stage drives the result port: registers and buffer read data, held while stalled.
    assign out_valid_o = st_valid_q && jlast_q;
    assign out_last_o  = st_valid_q && st_last_q;
    assign out_row_o   = st_m_q;
    assign out_col_o   = st_n0_q;
    assign en          = !out_valid_o || out_ready_i;
    // A job ends with its last row: emitted, or stored for a later job of the K split.
    assign job_finish  = en && st_valid_q && st_last_q;
  end

  dnn_systolic_finalize #(
    .Lanes     (NumCols),
    .AccIntBits(AccIntBits),
    .AccBits   (AccBits),
    .Saturate  (Saturate)
  ) u_finalize (
    .sum_i(final_sum),
    .out_o(out_data_o)
  );

  // The result port holds while stalled (behind the shell it feeds the output stage).
  dnn_hold_check #(.Width(1 + 2 * DimBits + NumCols * AccBits)) u_out_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (out_valid_o),
    .ready_i  (out_ready_i),
    .payload_i({out_last_o, out_row_o, out_col_o, out_data_o})
  );

`ifndef SYNTHESIS
  // Self-checks; the record FIFO is sized so neither can fire.
  always_ff @(posedge clk_i) begin
    if (en && issuing_q && phase_q == '0 && !unused_rec_ready)
      $error("tile record FIFO overflow");
    if (any_done && !rec_valid) $error("row finished with no tile record");
  end
`endif

endmodule
