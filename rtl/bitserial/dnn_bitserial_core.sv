// The bit-serial engine (Stripes, Pragmatic or bit-parallel) as a core of the accelerator
// shell (dnn_shell_systolic): the interface of the systolic cores, so that the shell's
// loader, job walk, output pipeline and write path serve it unchanged.
//
// Loads come in the loader's layout (an A word holds Lanes consecutive k of one window, a
// B word TileCols filters of one k):
//   A: word kt*AStride + i   holds A[i, kt*Lanes +: Lanes]      AStride = MRows*TileRows
//   B: word nt*BStride + k   holds B[k, nt*TileCols +: TileCols] BStride = KbMax*Lanes
// and are spread over TileRows A sub-banks (window i mod TileRows) and Lanes B sub-banks
// (k mod Lanes), so that one read of every sub-bank gives a brick group: the TileRows x
// Lanes activations and the Lanes x TileCols weights of brick kb of a tile. Each sub-bank
// has two halves, the operand banks (the loader fills one while a job reads the other).
// Windows of a group past the job's M read as zeros (the loader leaves them as the last
// job wrote them): neither Pragmatic's timing nor the detected precision sees them.
//
// A layer's K is split over jobs (job_first_i / job_last_i): the tile's sums leave the
// output bank through one stage that adds the sums the previous job of the split left in
// the accumulator buffer (one word of TileCols sums per window and N-tile), and either
// stores the result there or, in the last job, emits it. The job ends with its last row.
// Arithmetic wraps modulo 2^AccBits, as in the engine's kernel top.
module dnn_bitserial_core #(
  parameter int unsigned Mode       = dnn_pkg::ModeStripes,
  parameter int unsigned Lanes      = 16,
  parameter int unsigned TileRows   = 4,
  parameter int unsigned TileCols   = 4,
  parameter int unsigned InBits     = 8,
  parameter int unsigned WBits      = 8,
  parameter int unsigned AccBits    = 32,
  parameter int unsigned Signed     = 1,
  parameter int unsigned TwoStage       = 0,  // Pragmatic: two-stage shifting (PRA-nb)
  parameter int unsigned FirstStageBits = 2,  // its first-stage offset bits
  parameter int unsigned RowSync        = 0,  // per-window synchronisation (Pragmatic, or for Cascade)
  parameter int unsigned Cascade        = 0,  // M = 1 jobs' bricks spread over the windows
  parameter int unsigned MaxM       = 64,
  parameter int unsigned MaxN       = 64,
  parameter int unsigned MaxK       = 64,
  parameter int unsigned DimBits    = 8,
  parameter int unsigned LdAddrBits = 10,
  parameter int unsigned LdWidth    = 128,
  parameter int unsigned CycleBits  = 48,
  localparam int unsigned PBits     = $clog2(InBits + 1)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // loader: one buffer word per transfer (always accepted: the job reads the other bank)
  input  logic                        ld_valid_i,
  output logic                        ld_ready_o,
  input  logic                        ld_sel_i,      // 0: A buffer, 1: B buffer
  input  logic                        ld_bank_i,
  input  logic [LdAddrBits-1:0]       ld_addr_i,
  input  logic [LdWidth-1:0]          ld_data_i,
  // job: sizes M, N, K (1..Max) on bank job_bank_i, accepted while idle
  input  logic                        job_valid_i,
  output logic                        job_ready_o,
  input  logic [DimBits-1:0]          job_m_i,
  input  logic [DimBits-1:0]          job_n_i,
  input  logic [DimBits-1:0]          job_k_i,
  input  logic [PBits-1:0]            job_prec_i,    // activation precision p, 1..InBits
  input  logic                        job_auto_i,    // detect p per brick group instead
  input  logic                        job_bank_i,
  input  logic                        job_first_i,   // the first job of a K split
  input  logic                        job_last_i,    // the last job (emits results)
  // results: row m of C, columns n0 .. n0+TileCols-1 (columns >= N are don't-care)
  output logic                        out_valid_o,
  input  logic                        out_ready_i,
  output logic                        out_last_o,
  output logic [DimBits-1:0]          out_row_o,
  output logic [DimBits-1:0]          out_col_o,
  output logic [TileCols*AccBits-1:0] out_data_o,
  output logic                        busy_o,
  output logic                        done_o,
  output logic                        err_o,
  output logic [CycleBits-1:0]        cycles_o
);

  localparam int unsigned MRows     = (MaxM + TileRows - 1) / TileRows;
  localparam int unsigned KbMax     = (MaxK + Lanes - 1) / Lanes;
  localparam int unsigned NTiles    = (MaxN + TileCols - 1) / TileCols;
  localparam int unsigned ADepth    = MRows * KbMax;    // a sub-bank's words per bank
  localparam int unsigned BDepth    = NTiles * KbMax;
  localparam int unsigned ABits     = dnn_pkg::idx_bits(ADepth);
  localparam int unsigned BBits     = dnn_pkg::idx_bits(BDepth);
  localparam int unsigned ASubBits  = dnn_pkg::idx_bits(2 * ADepth);
  localparam int unsigned BSubBits  = dnn_pkg::idx_bits(2 * BDepth);
  localparam int unsigned ARowBits  = Lanes * InBits;    // an A sub-bank word
  localparam int unsigned BRowBits  = TileCols * WBits;  // a B sub-bank word
  localparam int unsigned RowBits   = $clog2(TileRows + 1);
  localparam int unsigned AccDepth  = NTiles * MaxM;
  localparam int unsigned AccABits  = dnn_pkg::idx_bits(AccDepth);
  localparam int unsigned OutBits   = TileCols * AccBits;

  if (LdWidth < ARowBits || LdWidth < BRowBits
      || 64'(MRows * TileRows * KbMax) > (64'd1 << LdAddrBits)
      || 64'(NTiles * KbMax * Lanes) > (64'd1 << LdAddrBits)) begin : g_bad_param
    $error("dnn_bitserial_core: LdWidth must hold an A and a B word, LdAddrBits both buffers");
  end

  // ---------------------------------------------------------------- job control
  logic accept, finish;
  logic bank_q, first_q, last_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bank_q  <= 1'b0;
      first_q <= 1'b0;
      last_q  <= 1'b0;
    end else if (accept) begin
      bank_q  <= job_bank_i;
      first_q <= job_first_i;
      last_q  <= job_last_i;
    end
  end

  // ---------------------------------------------------------------- operand sub-banks
  logic                       rd;
  logic [ABits-1:0]           a_addr;
  logic [BBits-1:0]           b_addr;
  logic [RowBits-1:0]         rd_rows;
  logic [TileRows-1:0]        row_in_q;   // windows of the group on the outputs inside M
  logic [TileRows*ARowBits-1:0] a_word;
  logic [TileCols*Lanes*WBits-1:0] b_word;

  assign ld_ready_o = 1'b1;

  logic [ASubBits-1:0]   a_waddr;
  logic [BSubBits-1:0]   b_waddr;
  logic [LdAddrBits-1:0] a_sub, b_sub;  // the sub-bank a word goes to
  assign a_sub   = ld_addr_i % LdAddrBits'(TileRows);
  assign b_sub   = ld_addr_i % LdAddrBits'(Lanes);
  assign a_waddr = ASubBits'(ld_addr_i / LdAddrBits'(TileRows)) + (ld_bank_i ? ASubBits'(ADepth) : '0);
  assign b_waddr = BSubBits'(ld_addr_i / LdAddrBits'(Lanes)) + (ld_bank_i ? BSubBits'(BDepth) : '0);

  for (genvar r = 0; r < TileRows; r++) begin : g_a_sub
    logic [ARowBits-1:0] rdata;
    dnn_sram_1r1w #(.Depth(2 * ADepth), .Width(ARowBits), .AddrBits(ASubBits)) u_sram (
      .clk_i   (clk_i),
      .we_i    (ld_valid_i && !ld_sel_i && 32'(a_sub) == r),
      .waddr_i (a_waddr),
      .wdata_i (ld_data_i[ARowBits-1:0]),
      .re_i    (rd),
      .raddr_i (ASubBits'(a_addr) + (bank_q ? ASubBits'(ADepth) : '0)),
      .rdata_o (rdata)
    );
    assign a_word[r*ARowBits +: ARowBits] = row_in_q[r] ? rdata : '0;
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_b_sub
    logic [BRowBits-1:0] rdata;
    dnn_sram_1r1w #(.Depth(2 * BDepth), .Width(BRowBits), .AddrBits(BSubBits)) u_sram (
      .clk_i   (clk_i),
      .we_i    (ld_valid_i && ld_sel_i && 32'(b_sub) == l),
      .waddr_i (b_waddr),
      .wdata_i (ld_data_i[BRowBits-1:0]),
      .re_i    (rd),
      .raddr_i (BSubBits'(b_addr) + (bank_q ? BSubBits'(BDepth) : '0)),
      .rdata_o (rdata)
    );
    // The tile wants filter c's lanes together: (c*Lanes + l)*WBits.
    for (genvar c = 0; c < TileCols; c++) begin : g_col
      assign b_word[(c*Lanes + l)*WBits +: WBits] = rdata[c*WBits +: WBits];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) row_in_q <= '0;
    else if (rd) begin
      for (int r = 0; r < TileRows; r++) row_in_q[r] <= RowBits'(r) < rd_rows;
    end
  end

  // ---------------------------------------------------------------- the engine
  logic               d_valid, d_ready, d_last;
  logic [DimBits-1:0] d_row, d_col;
  logic [OutBits-1:0] d_data;

  dnn_bitserial_compute #(
    .Mode(Mode), .Lanes(Lanes), .TileRows(TileRows), .TileCols(TileCols), .InBits(InBits),
    .WBits(WBits), .AccBits(AccBits), .Signed(Signed), .TwoStage(TwoStage),
    .FirstStageBits(FirstStageBits), .RowSync(RowSync), .Cascade(Cascade), .KbMax(KbMax), .DimBits(DimBits),
    .ABits(ABits), .BBits(BBits), .AStepTile(1), .AStepBrick(MRows), .MaxM(MaxM), .MaxN(MaxN),
    .MaxK(MaxK), .CycleBits(CycleBits)
  ) u_compute (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .job_valid_i (job_valid_i),
    .job_ready_o (job_ready_o),
    .job_m_i     (job_m_i),
    .job_n_i     (job_n_i),
    .job_k_i     (job_k_i),
    .job_prec_i  (job_prec_i),
    .job_auto_i  (job_auto_i),
    .rd_o        (rd),
    .a_addr_o    (a_addr),
    .b_addr_o    (b_addr),
    .rd_rows_o   (rd_rows),
    .a_word_i    (a_word),
    .b_word_i    (b_word),
    .out_valid_o (d_valid),
    .out_ready_i (d_ready),
    .out_last_o  (d_last),
    .out_row_o   (d_row),
    .out_col_o   (d_col),
    .out_data_o  (d_data),
    .accept_o    (accept),
    .finish_i    (finish),
    .busy_o      (busy_o),
    .done_o      (done_o),
    .err_o       (err_o),
    .cycles_o    (cycles_o)
  );

  // ---------------------------------------------------------------- K split
  // A row read from the output bank reads its accumulator word at once; the next cycle it
  // adds it (unless the job is the first of its split) and is stored or emitted.
  logic                s1_valid_q, s1_last_q, s1_leave;
  logic [DimBits-1:0]  s1_row_q, s1_col_q;
  logic [AccABits-1:0] s1_addr_q, d_addr;
  logic [OutBits-1:0]  s1_data_q, acc_rdata, sum;

  assign d_addr   = AccABits'(32'(d_col) / TileCols * MaxM + 32'(d_row));
  assign s1_leave = s1_valid_q && (!last_q || out_ready_i);
  assign d_ready  = !s1_valid_q || s1_leave;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_last_q  <= 1'b0;
      s1_row_q   <= '0;
      s1_col_q   <= '0;
      s1_addr_q  <= '0;
      s1_data_q  <= OutBits'(0);
    end else if (d_ready) begin
      s1_valid_q <= d_valid;
      if (d_valid) begin
        s1_last_q <= d_last;
        s1_row_q  <= d_row;
        s1_col_q  <= d_col;
        s1_addr_q <= d_addr;
        s1_data_q <= d_data;
      end
    end
  end

  dnn_sram_1r1w #(.Depth(AccDepth), .Width(OutBits), .AddrBits(AccABits)) u_acc (
    .clk_i   (clk_i),
    .we_i    (s1_valid_q && !last_q),
    .waddr_i (s1_addr_q),
    .wdata_i (sum),
    .re_i    (d_valid && d_ready),
    .raddr_i (d_addr),
    .rdata_o (acc_rdata)
  );

  for (genvar c = 0; c < TileCols; c++) begin : g_sum
    assign sum[c*AccBits +: AccBits] = first_q ? s1_data_q[c*AccBits +: AccBits]
                                               : s1_data_q[c*AccBits +: AccBits] + acc_rdata[c*AccBits +: AccBits];
  end

  assign finish      = s1_leave && s1_last_q;
  assign out_valid_o = s1_valid_q && last_q;
  assign out_last_o  = s1_last_q;
  assign out_row_o   = s1_row_q;
  assign out_col_o   = s1_col_q;
  assign out_data_o  = sum;

  // Result port protocol: once valid is high it stays high, with the same data, row
  // and column, until the consumer takes it.
  dnn_hold_check #(.Width(2*DimBits + OutBits)) u_out_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (out_valid_o),
    .ready_i  (out_ready_i),
    .payload_i({out_row_o, out_col_o, out_data_o})
  );

  logic unused_ld;
  assign unused_ld = ^ld_data_i;

endmodule
