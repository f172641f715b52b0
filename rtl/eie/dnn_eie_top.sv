// EIE sparse matrix x sparse vector engine (Han et al., ISCA 2016): NumPes PEs, row i
// of W in PE i mod NumPes; the scanner (dnn_eie_lnzd) broadcasts each non-zero input
// activation to every PE's FIFO; the PEs accumulate codebook[v] * x into their rows;
// after the last entry, write-back turns each local row into an activation (requant,
// ReLU) in the destination file, and the files swap roles for the next layer.
//
// Ports:
//   loader (while idle, one word a cycle): ld_sel_i 0 = codebook[ld_addr_i] (16 bits),
//     1 = pointer ld_addr_i of PE ld_pe_i, 2 = entry ld_addr_i of PE ld_pe_i
//     ({v, z}), 3 = source activation ld_addr_i of PE ld_pe_i.
//   job: one layer: rows M, cols N, and the index of its first column pointer.
//   result read: the source file (a finished layer's output) of PE rd_pe_i at
//     rd_addr_i, combinational, while idle.
//   write-back: in each write-back cycle, local row wb_addr_o of every PE as the raw sum
//     before requantisation (global rows wb_addr_o * NumPes + p), for a shell that
//     applies its own output pipeline (bias, per-layer ReLU, raw int32).
// Cycles from accept to finish: model/src/eie/cycle_model.cpp.
module dnn_eie_top #(
  parameter int unsigned NumPes     = 4,
  parameter int unsigned FifoDepth  = 8,
  parameter int unsigned IndexBits  = 4,
  parameter int unsigned ActBits    = 16,
  parameter int unsigned AccBits    = 32,
  parameter int unsigned FracBits   = 8,
  parameter int unsigned Relu       = 1,
  parameter int unsigned MaxRows    = 64,
  parameter int unsigned MaxCols    = 64,
  parameter int unsigned MaxEntries = 1024,
  // derived (not set by the generator)
  parameter int unsigned PeBits     = dnn_pkg::idx_bits(NumPes),
  parameter int unsigned MaxDim     = (MaxRows > MaxCols) ? MaxRows : MaxCols,
  parameter int unsigned DimBits    = $clog2(MaxDim + 1),
  parameter int unsigned ActDepth   = (MaxDim + NumPes - 1) / NumPes,
  parameter int unsigned ActAddrBits = dnn_pkg::idx_bits(ActDepth),
  parameter int unsigned PtrIdxBits = $clog2(MaxCols + 2),
  parameter int unsigned AccAddrBits = dnn_pkg::idx_bits((MaxRows + NumPes - 1) / NumPes),
  parameter int unsigned LdAddrBits = 21,
  parameter int unsigned LdDataBits = 32
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   ld_valid_i,
  output logic                   ld_ready_o,
  input  logic [1:0]             ld_sel_i,
  input  logic [PeBits-1:0]      ld_pe_i,
  input  logic [LdAddrBits-1:0]  ld_addr_i,
  input  logic [LdDataBits-1:0]  ld_data_i,
  input  logic                   job_valid_i,
  output logic                   job_ready_o,
  input  logic [DimBits-1:0]     job_rows_i,
  input  logic [DimBits-1:0]     job_cols_i,
  input  logic [PtrIdxBits-1:0]  job_ptr_base_i,
  output logic                   busy_o,
  output logic                   done_o,
  output logic                   err_o,       // the last job was refused (bad fields)
  output logic [47:0]            cycles_o,
  input  logic [PeBits-1:0]      rd_pe_i,
  input  logic [ActAddrBits-1:0] rd_addr_i,
  output logic [ActBits-1:0]     rd_data_o,
  output logic                   wb_valid_o,
  output logic [AccAddrBits-1:0] wb_addr_o,
  output logic [NumPes*AccBits-1:0] wb_acc_o
);

  localparam int unsigned AccDepth    = (MaxRows + NumPes - 1) / NumPes;
  localparam int unsigned NumPtrs     = MaxCols + 1;
  localparam int unsigned PtrBits     = $clog2(MaxEntries + 1);
  localparam int unsigned CbEntries   = 1 << IndexBits;

  // ---- job control ----
  typedef enum logic [1:0] {PhIdle, PhCompute, PhWriteback} phase_e;
  phase_e                 phase_q, phase_d;
  logic                   accept, finish, sel_q, sel_d;
  logic [DimBits-1:0]     rows_q, cols_q, cols;
  logic [PtrIdxBits-1:0]  base_q;
  logic [AccAddrBits-1:0] wb_addr_q, wb_addr_d;
  logic [31:0]            wb_row_q, wb_row_d;  // wb_addr * NumPes: first global row
  logic                   scan, all_idle, wb_valid;

  // A layer outside 1..MaxRows x 1..MaxCols is refused (done with err_o, never a hang).
  // A size port that cannot exceed its limit needs no check (a constant comparison).
  logic job_bad, rows_over, cols_over;
  if ((64'd1 << DimBits) - 1 > 64'(MaxRows)) begin : g_rows_over
    assign rows_over = 32'(job_rows_i) > MaxRows;
  end else begin : g_rows_fit
    assign rows_over = 1'b0;
  end
  if ((64'd1 << DimBits) - 1 > 64'(MaxCols)) begin : g_cols_over
    assign cols_over = 32'(job_cols_i) > MaxCols;
  end else begin : g_cols_fit
    assign cols_over = 1'b0;
  end
  assign job_bad = job_rows_i == '0 || job_cols_i == '0 || rows_over || cols_over;

  dnn_job_ctrl #(.CycleBits(48)) u_ctrl (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .job_valid_i(job_valid_i),
    .job_bad_i(job_bad),
    .job_ready_o(job_ready_o),
    .accept_o   (accept),
    .finish_i   (finish),
    .busy_o     (busy_o),
    .done_o     (done_o),
    .err_o      (err_o),
    .cycles_o   (cycles_o)
  );

  assign cols     = accept ? job_cols_i : cols_q;
  assign wb_valid = phase_q == PhWriteback;
  assign finish   = wb_valid && (wb_row_q + NumPes >= 32'(rows_q));

  always_comb begin
    phase_d   = phase_q;
    sel_d     = sel_q;
    wb_addr_d = wb_addr_q;
    wb_row_d  = wb_row_q;
    unique case (phase_q)
      PhIdle: if (accept) phase_d = PhCompute;
      // Every PE drained and nothing left to broadcast: write back.
      PhCompute: if (!scan && all_idle) begin
        phase_d   = PhWriteback;
        wb_addr_d = '0;
        wb_row_d  = '0;
      end
      PhWriteback: begin
        wb_addr_d = wb_addr_q + 1'b1;
        wb_row_d  = wb_row_q + NumPes;
        if (finish) begin
          phase_d = PhIdle;
          sel_d   = !sel_q;  // this layer's output is the next layer's input
        end
      end
      default: phase_d = PhIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q   <= PhIdle;
      sel_q     <= 1'b0;
      rows_q    <= '0;
      cols_q    <= '0;
      base_q    <= '0;
      wb_addr_q <= '0;
      wb_row_q  <= '0;
    end else begin
      phase_q   <= phase_d;
      sel_q     <= sel_d;
      wb_addr_q <= wb_addr_d;
      wb_row_q  <= wb_row_d;
      if (accept) begin
        rows_q <= job_rows_i;
        cols_q <= job_cols_i;
        base_q <= job_ptr_base_i;
      end
    end
  end

  // ---- loader and codebook ----
  logic              ld_we;
  // One flat vector (not an array) so it resets in one assignment at any size.
  logic [CbEntries*16-1:0] cb_q;

  assign ld_ready_o = job_ready_o;
  assign ld_we      = ld_valid_i && ld_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cb_q <= '0;
    end else if (ld_we && ld_sel_i == 2'd0) begin
      cb_q[IndexBits'(ld_addr_i)*16 +: 16] <= ld_data_i[15:0];
    end
  end

  // ---- scanner ----
  logic [ActAddrBits-1:0]     lz_addr;
  logic [NumPes*ActBits-1:0]  lz_data;
  logic [NumPes-1:0]          pe_ready, pe_idle;
  logic                       fire;
  logic [DimBits-1:0]         bc_col;
  logic [ActBits-1:0]         bc_x;
  logic [PtrIdxBits-1:0]      bc_k;

  dnn_eie_lnzd #(.NumPes(NumPes), .ActBits(ActBits), .ColBits(DimBits), .AddrBits(ActAddrBits)) u_lnzd (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .start_i  (accept),
    .cols_i   (cols),
    .rd_addr_o(lz_addr),
    .rd_data_i(lz_data),
    .ready_i  (&pe_ready),
    .fire_o   (fire),
    .col_o    (bc_col),
    .x_o      (bc_x),
    .scan_o   (scan)
  );

  assign bc_k     = base_q + PtrIdxBits'(bc_col);
  // A column index is below MaxCols: bits of DimBits above PtrIdxBits (MaxRows > MaxCols)
  // are always 0.
  logic unused_col;
  assign unused_col = ^bc_col;
  assign all_idle = &pe_idle;

  // ---- PEs ----
  logic [NumPes*ActBits-1:0] rd_data;

  for (genvar p = 0; p < NumPes; p++) begin : g_pe
    logic mine;
    assign mine = ld_we && (ld_pe_i == PeBits'(p));
    dnn_eie_pe #(
      .FifoDepth (FifoDepth),
      .IndexBits (IndexBits),
      .ActBits   (ActBits),
      .AccBits   (AccBits),
      .FracBits  (FracBits),
      .Relu      (Relu),
      .ActDepth  (ActDepth),
      .AccDepth  (AccDepth),
      .NumPtrs   (NumPtrs),
      .PtrIdxBits(PtrIdxBits),
      .MaxEntries(MaxEntries),
      .PtrBits   (PtrBits),
      .LdAddrBits(LdAddrBits),
      .LdDataBits(LdDataBits)
    ) u_pe (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .ld_ptr_we_i(mine && ld_sel_i == 2'd1),
      .ld_ent_we_i(mine && ld_sel_i == 2'd2),
      .ld_act_we_i(mine && ld_sel_i == 2'd3),
      .ld_addr_i  (ld_addr_i),
      .ld_data_i  (ld_data_i),
      .codebook_i (cb_q),
      .sel_i      (sel_q),
      .bc_valid_i (fire),
      .bc_k_i     (bc_k),
      .bc_x_i     (bc_x),
      .bc_ready_o (pe_ready[p]),
      .lz_addr_i  (lz_addr),
      .lz_data_o  (lz_data[p*ActBits +: ActBits]),
      .rd_addr_i  (rd_addr_i),
      .rd_data_o  (rd_data[p*ActBits +: ActBits]),
      .wb_valid_i (wb_valid),
      .wb_addr_i  (wb_addr_q),
      .wb_acc_o   (wb_acc_o[p*AccBits +: AccBits]),
      .idle_o     (pe_idle[p])
    );
  end

  assign rd_data_o  = rd_data[rd_pe_i*ActBits +: ActBits];
  assign wb_valid_o = wb_valid;
  assign wb_addr_o  = wb_addr_q;

  `ifndef SYNTHESIS
  initial begin
    if (NumPes < 1 || FifoDepth < 1 || IndexBits < 1 || IndexBits > 8)
      $fatal(1, "dnn_eie_top: NumPes, FifoDepth >= 1 and IndexBits in 1..8 required");
    if (MaxEntries + 1 > (1 << 21) || LdDataBits < 21 || LdAddrBits < 21)
      $fatal(1, "dnn_eie_top: the loader port carries 21-bit addresses and pointers");
  end
  `endif

endmodule
