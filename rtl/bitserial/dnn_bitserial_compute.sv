// The bit-serial engine's job control and compute path, shared by its kernel top
// (dnn_bitserial_top) and its shell core (dnn_bitserial_core): from a job and the brick
// groups its buffers give to the result rows. A job outside 1..Max in any size, or with a
// fixed precision outside 1..InBits, is refused (done with err_o, never a hang). The
// sequencer walks the bricks and reads the buffers; the precision of a group is detected
// on the buffers' outputs; the tile of SIPs runs each brick; the output bank hands the
// tile's sums out one row (TileCols results) a cycle. The job ends with finish_i (its last
// result handed over, after whatever stage follows the output bank). With Cascade, a job of
// one window (M = 1) spreads its bricks over the tile's windows (dnn_bitserial_seq), and
// each window's sums of a tile of filters, handed on at its last brick in the tile, add up
// into that tile's accumulator (one of two: a tile's windows may still finish while the
// next tile's have begun), which becomes the one row the output bank hands out.
module dnn_bitserial_compute #(
  parameter int unsigned Mode       = dnn_pkg::ModeStripes,
  parameter int unsigned Lanes      = 16,
  parameter int unsigned TileRows   = 4,
  parameter int unsigned TileCols   = 4,
  parameter int unsigned InBits     = 16,
  parameter int unsigned WBits      = 16,
  parameter int unsigned AccBits    = 32,
  parameter int unsigned Signed     = 0,
  parameter int unsigned TwoStage       = 0,  // Pragmatic: two-stage shifting
  parameter int unsigned FirstStageBits = 2,
  parameter int unsigned RowSync        = 0,  // per-window synchronisation (Pragmatic, or for Cascade)
  parameter int unsigned Cascade        = 0,  // M = 1 jobs' bricks spread over the windows
  parameter int unsigned KbMax      = 4,   // bricks a row of the buffers: ceil(MaxK / Lanes)
  parameter int unsigned DimBits    = 8,
  parameter int unsigned ABits      = 4,
  parameter int unsigned BBits      = 4,
  parameter int unsigned AStepTile  = KbMax,  // the A buffer's layout (dnn_bitserial_seq)
  parameter int unsigned AStepBrick = 1,
  parameter int unsigned MaxM       = 64,
  parameter int unsigned MaxN       = 64,
  parameter int unsigned MaxK       = 64,
  parameter int unsigned CycleBits  = 48,
  localparam int unsigned PBits     = $clog2(InBits + 1),
  localparam int unsigned RowBits   = $clog2(TileRows + 1)
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 job_valid_i,
  output logic                                 job_ready_o,
  input  logic [DimBits-1:0]                   job_m_i,
  input  logic [DimBits-1:0]                   job_n_i,
  input  logic [DimBits-1:0]                   job_k_i,
  input  logic [PBits-1:0]                     job_prec_i,
  input  logic                                 job_auto_i,
  // buffer reads: the group's words on a_word_i / b_word_i from the next cycle, held
  output logic                                 rd_o,
  output logic [ABits-1:0]                     a_addr_o,
  output logic [BBits-1:0]                     b_addr_o,
  output logic [RowBits-1:0]                   rd_rows_o,   // windows of the group inside M
  input  logic [TileRows*Lanes*InBits-1:0]     a_word_i,    // window r, lane l at (r*Lanes + l)*InBits
  input  logic [TileCols*Lanes*WBits-1:0]      b_word_i,    // filter c, lane l at (c*Lanes + l)*WBits
  // result rows
  output logic                                 out_valid_o,
  input  logic                                 out_ready_i,
  output logic                                 out_last_o,
  output logic [DimBits-1:0]                   out_row_o,
  output logic [DimBits-1:0]                   out_col_o,
  output logic [TileCols*AccBits-1:0]          out_data_o,
  // job status
  output logic                                 accept_o,    // a job starts this cycle
  input  logic                                 finish_i,
  output logic                                 busy_o,
  output logic                                 done_o,
  output logic                                 err_o,       // the last job was refused
  output logic [CycleBits-1:0]                 cycles_o
);

  if (RowSync != 0 && Mode != dnn_pkg::ModePragmatic && Cascade == 0) begin : g_bad_sync
    $error("dnn_bitserial_compute: RowSync (per-window synchronisation) needs Mode 1 (pragmatic), or Cascade");
  end
  if (Cascade != 0 && (RowSync == 0 || Mode == dnn_pkg::ModeParallel)) begin : g_bad_cascade
    $error("dnn_bitserial_compute: Cascade needs RowSync and a serial Mode (0 stripes, 1 pragmatic)");
  end

  // A precision port that cannot exceed InBits needs no check (a constant comparison).
  logic job_bad, prec_over, accept;
  if ((64'd1 << PBits) - 1 > 64'(InBits)) begin : g_prec_over
    assign prec_over = 32'(job_prec_i) > InBits;
  end else begin : g_prec_fit
    assign prec_over = 1'b0;
  end
  assign job_bad = job_m_i == '0 || job_n_i == '0 || job_k_i == '0 || 32'(job_m_i) > MaxM
                || 32'(job_n_i) > MaxN || 32'(job_k_i) > MaxK
                || (!job_auto_i && (job_prec_i == '0 || prec_over));

  dnn_job_ctrl #(.CycleBits(CycleBits)) u_ctrl (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .job_valid_i (job_valid_i),
    .job_bad_i   (job_bad),
    .job_ready_o (job_ready_o),
    .accept_o    (accept),
    .finish_i    (finish_i),
    .busy_o      (busy_o),
    .done_o      (done_o),
    .err_o       (err_o),
    .cycles_o    (cycles_o)
  );
  assign accept_o = accept;

  logic [PBits-1:0] detected_prec, prec, bit_idx;
  logic en, step_last, bank_free, capture, cap_last, cap_par;
  logic [TileRows-1:0] row_first, row_more, row_last, tile_last, fin, fin_par;
  logic cascade;
  logic [DimBits-1:0] cap_m0, cap_n0;
  logic [RowBits-1:0] cap_rows;
  logic [TileRows*TileCols*AccBits-1:0] sums, bank_sums;

  dnn_bitserial_seq #(
    .Mode(Mode), .Lanes(Lanes), .TileRows(TileRows), .TileCols(TileCols), .InBits(InBits),
    .KbMax(KbMax), .DimBits(DimBits), .ABits(ABits), .BBits(BBits),
    .AStepTile(AStepTile), .AStepBrick(AStepBrick), .RowSync(RowSync), .Cascade(Cascade)
  ) u_seq (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .start_i         (accept),
    .job_m_i         (job_m_i),
    .job_n_i         (job_n_i),
    .job_k_i         (job_k_i),
    .job_prec_i      (job_prec_i),
    .job_auto_i      (job_auto_i),
    .rd_o            (rd_o),
    .a_addr_o        (a_addr_o),
    .b_addr_o        (b_addr_o),
    .rd_rows_o       (rd_rows_o),
    .detected_prec_i (detected_prec),
    .row_more_i      (row_more),
    .en_o            (en),
    .row_first_o     (row_first),
    .row_last_o      (row_last),
    .cascade_o       (cascade),
    .step_last_o     (step_last),
    .tile_last_o     (tile_last),
    .fin_o           (fin),
    .fin_par_o       (fin_par),
    .prec_o          (prec),
    .bit_o           (bit_idx),
    .bank_free_i     (bank_free),
    .capture_o       (capture),
    .cap_par_o       (cap_par),
    .cap_m0_o        (cap_m0),
    .cap_n0_o        (cap_n0),
    .cap_rows_o      (cap_rows),
    .cap_last_o      (cap_last)
  );

  dnn_bitserial_prec #(.Count(TileRows * Lanes), .InBits(InBits), .Signed(Signed)) u_prec (
    .group_i (a_word_i),
    .prec_o  (detected_prec)
  );

  dnn_bitserial_tile #(
    .Mode(Mode), .Lanes(Lanes), .TileRows(TileRows), .TileCols(TileCols), .WBits(WBits),
    .InBits(InBits), .AccBits(AccBits), .Signed(Signed), .TwoStage(TwoStage),
    .FirstStageBits(FirstStageBits), .RowSync(RowSync), .Cascade(Cascade)
  ) u_tile (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .en_i        (en),
    .first_i     (row_first),
    .row_last_i  (row_last),
    .cascade_i   (cascade),
    .step_last_i (step_last),
    .tile_last_i (tile_last),
    .prec_i      (prec),
    .bit_i       (bit_idx),
    .act_i       (a_word_i),
    .w_i         (b_word_i),
    .more_o      (row_more),
    .sum_o       (sums)
  );

  // A cascaded job's tile accumulators, one per tile parity: each cycle, the sums of the
  // windows that finish their share of a tile of that parity (fin, fin_par) are added in,
  // filter by filter, over a balanced tree of TileRows (masked) inputs. The captured
  // tile's total (this cycle's finishes included) is the output bank's row 0, and its
  // accumulator restarts. Modulo 2^AccBits, as every sum.
  if (Cascade != 0) begin : g_cascade_sum
    logic [2*TileCols*AccBits-1:0] acc_q, acc_d, total;  // parity p's filter c at (p*TileCols + c)*AccBits
    for (genvar p = 0; p < 2; p++) begin : g_parity
      for (genvar c = 0; c < TileCols; c++) begin : g_filter
        logic [TileRows*AccBits-1:0] column;  // window r's finished sum of filter c at r*AccBits
        logic [AccBits-1:0]          added;
        for (genvar r = 0; r < TileRows; r++) begin : g_window
          assign column[r*AccBits +: AccBits] = (fin[r] && fin_par[r] == 1'(p))
                                              ? sums[(r*TileCols + c)*AccBits +: AccBits] : '0;
        end
        dnn_adder_tree #(.Count(TileRows), .Width(AccBits)) u_sum (
          .in_i  (column),
          .sum_o (added)
        );
        assign total[(p*TileCols + c)*AccBits +: AccBits] = acc_q[(p*TileCols + c)*AccBits +: AccBits] + added;
        assign acc_d[(p*TileCols + c)*AccBits +: AccBits] =
            (accept || (capture && cascade && cap_par == 1'(p))) ? '0 : total[(p*TileCols + c)*AccBits +: AccBits];
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) acc_q <= '0;
      else acc_q <= acc_d;
    end
    always_comb begin
      bank_sums = sums;
      if (cascade) bank_sums[0 +: TileCols*AccBits] = total[32'(cap_par)*TileCols*AccBits +: TileCols*AccBits];
    end
  end else begin : g_window_sums
    assign bank_sums = sums;
    logic unused_cascade;
    assign unused_cascade = ^{cascade, fin, fin_par, cap_par};
  end

  dnn_bitserial_drain #(
    .TileRows(TileRows), .TileCols(TileCols), .AccBits(AccBits), .DimBits(DimBits)
  ) u_drain (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .capture_i   (capture),
    .sums_i      (bank_sums),
    .m0_i        (cap_m0),
    .n0_i        (cap_n0),
    .rows_i      (cap_rows),
    .last_i      (cap_last),
    .free_o      (bank_free),
    .out_valid_o (out_valid_o),
    .out_ready_i (out_ready_i),
    .out_last_o  (out_last_o),
    .out_row_o   (out_row_o),
    .out_col_o   (out_col_o),
    .out_data_o  (out_data_o)
  );

endmodule
