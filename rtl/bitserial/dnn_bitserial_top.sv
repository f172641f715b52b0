// Bit-serial GEMM engine (Stripes, Bit-Pragmatic, and the bit-parallel baseline of equal
// peak throughput), top level: C[M,N] = A[M,K] (activations) x B[K,N] (weights).
// Buffers: A word (mt, kb) at mt*KbMax + kb holds the brick k = kb*Lanes.. of windows
// mt*TileRows.. (window r, lane l at (r*Lanes + l)*InBits); B word (nt, kb) at
// nt*KbMax + kb holds that brick of filters nt*TileCols.. (filter c, lane l at
// (c*Lanes + l)*WBits). The host zero-fills lanes past M, N and K. Results leave one
// tile row (TileCols results) per cycle. dnngen binds the parameters from the config.
module dnn_bitserial_top #(
  parameter int unsigned Mode     = dnn_pkg::ModeStripes,  // dnn_pkg::bitserial_mode_e: 0, 1, 2
  parameter int unsigned Lanes    = 16,
  parameter int unsigned TileRows = 4,
  parameter int unsigned TileCols = 4,
  parameter int unsigned WBits    = 16,
  parameter int unsigned InBits   = 16,  // the largest activation precision
  parameter int unsigned AccBits  = 32,
  parameter int unsigned Signed   = 0,
  parameter int unsigned TwoStage       = 0,  // Pragmatic: two-stage shifting (PRA-nb)
  parameter int unsigned FirstStageBits = 2,  // its first-stage offset bits
  parameter int unsigned RowSync        = 0,  // per-window synchronisation (Pragmatic, or for Cascade)
  parameter int unsigned Cascade        = 0,  // M = 1 jobs' bricks spread over the windows
  parameter int unsigned MaxM     = 64,
  parameter int unsigned MaxN     = 64,
  parameter int unsigned MaxK     = 64,
  // Derived; not meant to be overridden.
  parameter int unsigned MaxDim     = (MaxM > MaxN) ? ((MaxM > MaxK) ? MaxM : MaxK)
                                                    : ((MaxN > MaxK) ? MaxN : MaxK),
  parameter int unsigned DimBits    = $clog2(MaxDim + Lanes + TileRows + TileCols + 1),
  parameter int unsigned PBits      = $clog2(InBits + 1),
  parameter int unsigned KbMax      = (MaxK + Lanes - 1) / Lanes,
  parameter int unsigned ADepth     = ((MaxM + TileRows - 1) / TileRows) * KbMax,
  parameter int unsigned BDepth     = ((MaxN + TileCols - 1) / TileCols) * KbMax,
  parameter int unsigned ABits      = dnn_pkg::idx_bits(ADepth),
  parameter int unsigned BBits      = dnn_pkg::idx_bits(BDepth),
  parameter int unsigned LdAddrBits = (ABits > BBits) ? ABits : BBits,
  parameter int unsigned AWidth     = TileRows * Lanes * InBits,
  parameter int unsigned BWidth     = TileCols * Lanes * WBits,
  parameter int unsigned LdWidth    = (AWidth > BWidth) ? AWidth : BWidth,
  parameter int unsigned CycleBits  = 48
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        ld_valid_i,
  output logic                        ld_ready_o,
  input  logic                        ld_sel_i,     // 0: A buffer, 1: B buffer
  input  logic [LdAddrBits-1:0]       ld_addr_i,
  input  logic [LdWidth-1:0]          ld_data_i,
  input  logic                        job_valid_i,
  output logic                        job_ready_o,
  input  logic [DimBits-1:0]          job_m_i,
  input  logic [DimBits-1:0]          job_n_i,
  input  logic [DimBits-1:0]          job_k_i,
  input  logic [PBits-1:0]            job_prec_i,   // activation precision p, 1..InBits
  input  logic                        job_auto_i,   // detect p per brick group instead
  output logic                        out_valid_o,
  input  logic                        out_ready_i,
  output logic                        out_last_o,
  output logic [DimBits-1:0]          out_row_o,
  output logic [DimBits-1:0]          out_col_o,
  output logic [TileCols*AccBits-1:0] out_data_o,
  output logic                        busy_o,
  output logic                        done_o,
  output logic                        err_o,       // the last job was refused (bad fields)
  output logic [CycleBits-1:0]        cycles_o
);

  localparam int unsigned RowBits = $clog2(TileRows + 1);

`ifndef SYNTHESIS
  initial begin
    if (Mode != dnn_pkg::ModeStripes && Mode != dnn_pkg::ModePragmatic && Mode != dnn_pkg::ModeParallel)
      $fatal(1, "Mode must be 0 (stripes), 1 (pragmatic) or 2 (parallel)");
    if (Lanes < 1 || TileRows < 1 || TileCols < 1) $fatal(1, "Lanes, TileRows, TileCols must be >= 1");
    if (AccBits < InBits + WBits) $fatal(1, "AccBits must be >= InBits + WBits");
  end
`endif

  logic ld_fire, finish, accept;
  logic rd;
  logic [ABits-1:0] a_addr;
  logic [BBits-1:0] b_addr;
  logic [AWidth-1:0] a_word;
  logic [BWidth-1:0] b_word;
  logic [RowBits-1:0] rd_rows;  // not needed: the host zero-fills the windows past M

  assign ld_ready_o = !busy_o;
  assign ld_fire    = ld_valid_i && ld_ready_o;

  dnn_sram_1r1w #(.Depth(ADepth), .Width(AWidth), .AddrBits(ABits)) u_abuf (
    .clk_i   (clk_i),
    .we_i    (ld_fire && !ld_sel_i),
    .waddr_i (ld_addr_i[ABits-1:0]),
    .wdata_i (ld_data_i[AWidth-1:0]),
    .re_i    (rd),
    .raddr_i (a_addr),
    .rdata_o (a_word)
  );

  dnn_sram_1r1w #(.Depth(BDepth), .Width(BWidth), .AddrBits(BBits)) u_bbuf (
    .clk_i   (clk_i),
    .we_i    (ld_fire && ld_sel_i),
    .waddr_i (ld_addr_i[BBits-1:0]),
    .wdata_i (ld_data_i[BWidth-1:0]),
    .re_i    (rd),
    .raddr_i (b_addr),
    .rdata_o (b_word)
  );

  dnn_bitserial_compute #(
    .Mode(Mode), .Lanes(Lanes), .TileRows(TileRows), .TileCols(TileCols), .InBits(InBits),
    .WBits(WBits), .AccBits(AccBits), .Signed(Signed), .TwoStage(TwoStage),
    .FirstStageBits(FirstStageBits), .RowSync(RowSync), .Cascade(Cascade), .KbMax(KbMax), .DimBits(DimBits),
    .ABits(ABits), .BBits(BBits), .MaxM(MaxM), .MaxN(MaxN), .MaxK(MaxK), .CycleBits(CycleBits)
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
    .out_valid_o (out_valid_o),
    .out_ready_i (out_ready_i),
    .out_last_o  (out_last_o),
    .out_row_o   (out_row_o),
    .out_col_o   (out_col_o),
    .out_data_o  (out_data_o),
    .accept_o    (accept),
    .finish_i    (finish),
    .busy_o      (busy_o),
    .done_o      (done_o),
    .err_o       (err_o),
    .cycles_o    (cycles_o)
  );

  assign finish = out_valid_o && out_ready_i && out_last_o;

  // Result port protocol: once valid is high it stays high, with the same data, row
  // and column, until the consumer takes it.
  dnn_hold_check #(.Width(2*DimBits + TileCols*AccBits)) u_out_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (out_valid_o),
    .ready_i  (out_ready_i),
    .payload_i({out_row_o, out_col_o, out_data_o})
  );

  logic unused_ld;
  assign unused_ld = ^{ld_addr_i, ld_data_i, rd_rows, accept};

endmodule
