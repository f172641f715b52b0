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
//
// Inside the accelerator shell (Banks = 2, KSplit = 1) the operand buffers have two banks
// (a job reads job_bank_i while the loader fills the other), and a layer's K is split
// over several jobs: the accumulator buffer keeps every row of every N-tile, a job that
// is not job_first_i adds to the sums the previous one left, and only a job_last_i job
// emits results; the others end when their last row is stored, on the cycle it would
// have been emitted, so every job keeps the cycle count above.
module dnn_systolic_ws_core #(
  parameter int unsigned Banks      = 1,   // operand buffer banks: 1 kernel top, 2 shell
  parameter int unsigned KSplit     = 0,   // 1: job_first_i / job_last_i chain jobs over K
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
  parameter int unsigned LdAddrBits = 10,  // addresses every word of the larger buffer
  parameter int unsigned LdWidth    = 32,
  parameter int unsigned CycleBits  = 48
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // loader: one buffer word per transfer, accepted while idle
  input  logic                       ld_valid_i,
  output logic                       ld_ready_o,
  input  logic                       ld_sel_i,      // 0: A buffer, 1: B buffer
  input  logic                       ld_bank_i,     // Banks = 2: the bank written
  input  logic [LdAddrBits-1:0]      ld_addr_i,
  input  logic [LdWidth-1:0]         ld_data_i,
  // job: sizes M, N, K (1..Max), accepted while idle
  input  logic                       job_valid_i,
  output logic                       job_ready_o,
  input  logic [DimBits-1:0]         job_m_i,
  input  logic [DimBits-1:0]         job_n_i,
  input  logic [DimBits-1:0]         job_k_i,
  input  logic                       job_bank_i,    // Banks = 2: the bank the job reads
  input  logic                       job_first_i,   // KSplit: the first job of a K split
  input  logic                       job_last_i,    // KSplit: the last job (emits results)
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
  output logic                       err_o,       // the last job was refused (bad fields)
  output logic [CycleBits-1:0]       cycles_o
);

  localparam int unsigned KTiles     = (MaxK + NumRows - 1) / NumRows;
  localparam int unsigned NTiles     = (MaxN + NumCols - 1) / NumCols;
  localparam int unsigned ADepth     = KTiles * MaxM;
  localparam int unsigned BDepth     = NTiles * MaxK;
  localparam int unsigned ABits      = dnn_pkg::idx_bits(ADepth);
  localparam int unsigned BBits      = dnn_pkg::idx_bits(BDepth);
  localparam int unsigned AccDepth   = (KSplit != 0) ? NTiles * MaxM : MaxM;
  localparam int unsigned AccABits   = dnn_pkg::idx_bits(AccDepth);
  localparam int unsigned AWidth     = NumRows * InBits;
  localparam int unsigned BWidth     = NumCols * WBits;
  localparam int unsigned RowBits    = dnn_pkg::idx_bits(NumRows);
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
    logic [AccABits-1:0] acc;      // accumulator buffer word of this row
  } row_tag_t;
  // $bits(row_tag_t), spelled out for Yosys
  localparam int unsigned TagBits = 4 + 2 * DimBits + AccABits;

  // Global advance: the whole pipeline freezes while a result waits for the consumer.
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

  // D = max(M, R, ceil((M + C - 1) / 2), 2): A port, B port, and weight-bank reuse
  // (a bank is rewritten only after the tile two back has left every PE).
  logic [DimBits:0] job_period;
  always_comb begin
    logic [DimBits:0] half;
    half       = ({1'b0, job_m_i} + (DimBits+1)'(NumCols)) >> 1;
    job_period = {1'b0, job_m_i};
    if (job_period < (DimBits+1)'(NumRows)) job_period = (DimBits+1)'(NumRows);
    if (job_period < half) job_period = half;
    if (job_period < (DimBits+1)'(2)) job_period = (DimBits+1)'(2);
  end

  // ---------------------------------------------------------------- tile sequencer
  logic [DimBits-1:0] m_q, m_d, n_q, n_d, k_q, k_d;
  logic [DimBits:0]   period_q, period_d;
  logic               issuing_q, issuing_d;
  logic [DimBits:0]   phase_q, phase_d;
  logic [DimBits-1:0] k0_q, k0_d, n0_q, n0_d;
  logic [ABits-1:0]   a_base_q, a_base_d;
  logic [BBits-1:0]   b_base_q, b_base_d, b_nbase_q, b_nbase_d;
  logic               bank_q, bank_d;
  logic               jbank_q, jbank_d, jfirst_q, jfirst_d, jlast_q, jlast_d;
  logic [AccABits-1:0] acc_base_q, acc_base_d;
  logic               first_k, last_ktile, last_k, tile_last, tile_end;

  // K-tiles of a job: the first starts a sum only in the first job of a K split, the last
  // emits only in the last job (always both on the kernel top, whose flags are tied high).
  assign first_k    = (k0_q == '0) && jfirst_q;
  assign last_ktile = ({1'b0, k0_q} + (DimBits+1)'(NumRows)) >= {1'b0, k_q};
  assign last_k     = last_ktile && jlast_q;
  assign tile_last = last_ktile && (({1'b0, n0_q} + (DimBits+1)'(NumCols)) >= {1'b0, n_q});
  assign tile_end  = issuing_q && (phase_q == period_q - 1'b1);

  always_comb begin
    m_d       = m_q;
    n_d       = n_q;
    k_d       = k_q;
    period_d  = period_q;
    issuing_d = issuing_q;
    phase_d   = phase_q;
    k0_d      = k0_q;
    n0_d      = n0_q;
    a_base_d  = a_base_q;
    b_base_d  = b_base_q;
    b_nbase_d = b_nbase_q;
    bank_d    = bank_q;
    jbank_d   = jbank_q;
    jfirst_d  = jfirst_q;
    jlast_d   = jlast_q;
    acc_base_d = acc_base_q;
    if (job_accept) begin
      jbank_d   = (Banks == 2) && job_bank_i;
      jfirst_d  = (KSplit == 0) || job_first_i;
      jlast_d   = (KSplit == 0) || job_last_i;
      acc_base_d = '0;
      m_d       = job_m_i;
      n_d       = job_n_i;
      k_d       = job_k_i;
      period_d  = job_period;
      issuing_d = 1'b1;
      phase_d   = '0;
      k0_d      = '0;
      n0_d      = '0;
      a_base_d  = '0;
      b_base_d  = '0;
      b_nbase_d = '0;
      bank_d    = 1'b0;
    end else if (en && issuing_q) begin
      if (tile_end) begin
        phase_d = '0;
        bank_d  = !bank_q;
        if (tile_last) issuing_d = 1'b0;
        if (last_ktile) begin
          k0_d      = '0;
          if (KSplit != 0) acc_base_d = acc_base_q + AccABits'(MaxM);
          n0_d      = n0_q + DimBits'(NumCols);
          a_base_d  = '0;
          b_nbase_d = b_nbase_q + BBits'(MaxK);
          b_base_d  = b_nbase_q + BBits'(MaxK);
        end else begin
          k0_d     = k0_q + DimBits'(NumRows);
          a_base_d = a_base_q + ABits'(MaxM);
          b_base_d = b_base_q + BBits'(NumRows);
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
      k0_q      <= '0;
      n0_q      <= '0;
      a_base_q  <= '0;
      b_base_q  <= '0;
      b_nbase_q <= '0;
      bank_q    <= 1'b0;
      jbank_q   <= 1'b0;
      jfirst_q  <= 1'b1;
      jlast_q   <= 1'b1;
      acc_base_q <= '0;
    end else begin
      m_q       <= m_d;
      n_q       <= n_d;
      k_q       <= k_d;
      period_q  <= period_d;
      issuing_q <= issuing_d;
      phase_q   <= phase_d;
      k0_q      <= k0_d;
      n0_q      <= n0_d;
      a_base_q  <= a_base_d;
      b_base_q  <= b_base_d;
      b_nbase_q <= b_nbase_d;
      bank_q    <= bank_d;
      jbank_q   <= jbank_d;
      jfirst_q  <= jfirst_d;
      jlast_q   <= jlast_d;
      acc_base_q <= acc_base_d;
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

  // Tile t loads its own bank (t mod 2) just in time; the other bank still serves tile
  // t-1's activations on their way through the array.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wl_valid_q <= 1'b0;
      wl_bank_q  <= 1'b0;
      wl_zero_q  <= 1'b0;
      wl_row_q   <= '0;
    end else if (en) begin
      wl_valid_q <= b_re;
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
  logic              a_req_q;
  logic [ABits-1:0]  a_raddr_q, a_raddr_d;
  row_tag_t          a_tag_q, a_req_tag_q, a_req_tag_d;
  logic [AWidth-1:0] a_rdata;
  logic              a_bank_q, a_req_bank_q;

  assign a_raddr_d = a_base_q + ABits'(phase_q);

  always_comb begin
    a_req_tag_d          = '0;
    a_req_tag_d.valid    = issuing_q && (phase_q < {1'b0, m_q});
    a_req_tag_d.first_k  = first_k;
    a_req_tag_d.last_k   = last_k;
    a_req_tag_d.job_last = tile_last && (phase_q == {1'b0, m_q} - 1'b1);
    a_req_tag_d.m        = DimBits'(phase_q);
    a_req_tag_d.n0       = n0_q;
    a_req_tag_d.acc      = acc_base_q + AccABits'(phase_q);
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
      a_raddr_q    <= a_raddr_d;
      a_req_tag_q  <= a_req_tag_d;
      a_req_bank_q <= bank_q;
      a_tag_q      <= a_req_tag_q;
      a_bank_q     <= a_req_bank_q;
    end
  end

  // ---------------------------------------------------------------- buffers
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
    .a_re_i    (en && a_req_q),
    .a_raddr_i (a_raddr_q),
    .a_rdata_o (a_rdata),
    .b_re_i    (b_re),
    .b_raddr_i (b_raddr),
    .b_rdata_o (b_rdata)
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
  row_tag_t            rd_tag, acc_tag_q;
  logic [AccWidth-1:0] acc_rdata, acc_sum;

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
    .Depth(AccDepth),
    .Width(AccWidth)
  ) u_accbuf (
    .clk_i  (clk_i),
    .we_i   (en && acc_tag_q.valid && !acc_tag_q.last_k),
    .waddr_i(acc_tag_q.acc),
    .wdata_i(acc_sum),
    .re_i   (en && rd_tag.valid && !rd_tag.first_k),
    .raddr_i(rd_tag.acc),
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
    .out_o(out_data_o)
  );

  // ---------------------------------------------------------------- output
  // The accumulate stage drives the result port directly: its inputs are registers
  // (tag, de-skewed sums, buffer read data) that all hold while the port stalls, so
  // valid and data stay stable until accepted without another register stage.
  assign out_valid_o = acc_tag_q.valid && acc_tag_q.last_k;
  assign out_last_o  = acc_tag_q.job_last;
  assign out_row_o   = acc_tag_q.m;
  assign out_col_o   = acc_tag_q.n0;
  assign en          = !out_valid_o || out_ready_i;
  // A job ends with its last row: emitted, or stored when a later job of the K split
  // will emit it.
  assign job_finish  = en && acc_tag_q.valid && acc_tag_q.job_last;

  // The result port holds while stalled (behind the shell it feeds the output stage).
  dnn_hold_check #(.Width(1 + 2 * DimBits + NumCols * AccBits)) u_out_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (out_valid_o),
    .ready_i  (out_ready_i),
    .payload_i({out_last_o, out_row_o, out_col_o, out_data_o})
  );

endmodule
