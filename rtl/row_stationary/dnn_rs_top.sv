// Row-stationary (Eyeriss) conv2d engine: ifmap and filter buffers written through the
// loader port (before the job, or behind it: fw_avail_i, if_avail_i), the sequencer, the
// NumRows x NumCols PE array, and the psum buffer at the column heads that accumulates
// the row folds' psums (and finalizes: wrap or saturate). One conv2d job per job
// handshake; the host passes the derived sizes (E, F, filters per group) with the job.
// Schedule and cycle formula: docs/row_stationary.md. A stalled output port freezes the
// whole engine (en).
module dnn_rs_top #(
  parameter int unsigned NumRows     = 4,
  parameter int unsigned NumCols     = 4,
  parameter int unsigned InBits      = 8,
  parameter int unsigned WBits       = 8,
  parameter int unsigned AccBits     = 32,
  parameter int unsigned Signed      = 1,
  parameter int unsigned Saturate    = 0,
  parameter int unsigned MaxRS       = 3,
  parameter int unsigned FilterSpad  = 3,
  parameter int unsigned IfmapSpad   = 8,
  parameter int unsigned IfmapBanks  = 2,   // PE ifmap scratchpad banks: 2 overlaps loads with steps
  parameter int unsigned PsumSpad    = 16,
  parameter int unsigned IfmapRows   = 32,
  parameter int unsigned FilterWords = 32,
  // 0: the buffers hold a job's whole ifmap (row c*H + y) and filters (word per filter and
  // row fold); 1: they are rings that hold the words in the order the sequencer reads them,
  // every read of a word one entry (a row read again is loaded again), so a job may need
  // more than the buffers hold (docs/row_stationary.md, "Ring buffers").
  parameter int unsigned RingBuffers = 0,
  parameter int unsigned CycleBits   = 48,
  localparam int unsigned DimBits = 16,
  localparam int unsigned ProdBits = dnn_pkg::product_bits(InBits, WBits, Signed),
  // Saturation needs the exact sum: product + log2(C*R*S) bits, C*H <= IfmapRows (rings:
  // C < 2^16).
  localparam int unsigned MaxC = (RingBuffers != 0) ? 65536 : IfmapRows,
  localparam int unsigned ExactBits = ProdBits + $clog2(MaxC * MaxRS * MaxRS),
  localparam int unsigned AccIntBits = ((Saturate != 0) && ExactBits > AccBits) ? ExactBits : AccBits,
  localparam int unsigned IRowW = IfmapSpad * InBits,
  localparam int unsigned FRowW = FilterSpad * WBits,
  localparam int unsigned FWordW = NumRows * FRowW,
  localparam int unsigned IAddrBits = dnn_pkg::idx_bits(IfmapRows),
  localparam int unsigned FAddrBits = dnn_pkg::idx_bits(FilterWords),
  localparam int unsigned PAddrBits = dnn_pkg::idx_bits(PsumSpad),
  localparam int unsigned LdAddrBits = (IAddrBits > FAddrBits) ? IAddrBits : FAddrBits,
  // fw_avail_i, if_avail_i: buffer addresses, or (rings) words of the job's read streams.
  localparam int unsigned FAvailBits = (RingBuffers != 0) ? 32 : FAddrBits + 1,
  localparam int unsigned IAvailBits = (RingBuffers != 0) ? 32 : IAddrBits + 1,
  localparam int unsigned LdWidth = (IRowW > FWordW) ? IRowW : FWordW,
  localparam int unsigned SBits = dnn_pkg::idx_bits(FilterSpad),
  localparam int unsigned XBits = dnn_pkg::idx_bits(IfmapSpad),
  localparam int unsigned ColBits = dnn_pkg::idx_bits(NumCols),
  localparam int unsigned CtlBits = 8 + SBits + XBits,
  // Output tag: {first, last, job_last, paddr, k, e0, f}.
  localparam int unsigned TagBits = 4 + PAddrBits + 3 * DimBits
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // loader: one buffer word per cycle, only while idle
  input  logic                       ld_valid_i,
  output logic                       ld_ready_o,
  input  logic                       ld_sel_i,     // 0: ifmap row c*H + y, 1: filter word
  input  logic [LdAddrBits-1:0]      ld_addr_i,
  input  logic [LdWidth-1:0]         ld_data_i,
  // Filter words the buffer holds, in the sequencer's order (addresses 0 .. fw_avail_i - 1):
  // a filter read at or past it waits, the whole engine frozen, so filter words may stream
  // in while a job runs (the shell does). FilterWords or more: all there (a loaded job).
  // Rings: the words of the job's filter-read stream written so far (word n in entry
  // n mod FilterWords); read n waits while n >= fw_avail_i.
  input  logic [FAvailBits-1:0]      fw_avail_i,
  // Ifmap rows the buffer holds (addresses 0 .. if_avail_i - 1, c*H + y): an ifmap read at or
  // past it waits the same way, so the rows may stream in, in address order, while a job
  // runs. IfmapRows or more: all there. Rings: as fw_avail_i, for the ifmap-read stream.
  input  logic [IAvailBits-1:0]      if_avail_i,
  // Rings: the reads done so far in this job (0 without rings); word n of a stream may be
  // written once the stream's reads reach n - depth + 1 (its entry is then free).
  output logic [31:0]                fw_reads_o,
  output logic [31:0]                if_reads_o,
  // job descriptor (the host checks the limits)
  input  logic                       job_valid_i,
  output logic                       job_ready_o,
  input  logic [DimBits-1:0]         job_c_i,
  input  logic [DimBits-1:0]         job_h_i,
  input  logic [DimBits-1:0]         job_w_i,
  input  logic [DimBits-1:0]         job_k_i,
  input  logic [DimBits-1:0]         job_r_i,
  input  logic [DimBits-1:0]         job_s_i,
  input  logic [DimBits-1:0]         job_stride_i,
  input  logic [DimBits-1:0]         job_pad_i,
  input  logic [DimBits-1:0]         job_e_i,
  input  logic [DimBits-1:0]         job_f_i,
  input  logic [DimBits-1:0]         job_kg_i,
  // results: ofmap[out_k, out_e + j, out_f] in lane j
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic                       out_last_o,
  output logic [DimBits-1:0]         out_k_o,
  output logic [DimBits-1:0]         out_e_o,
  output logic [DimBits-1:0]         out_f_o,
  output logic [NumCols*AccBits-1:0] out_data_o,
  output logic                       busy_o,
  output logic                       done_o,
  output logic                       err_o,       // the last job was refused (bad fields)
  output logic [CycleBits-1:0]       cycles_o
);

  if (IfmapBanks < 1 || IfmapBanks > 2) begin : g_bad_banks
    $error("dnn_rs_top: IfmapBanks must be 1 or 2");
  end
`ifndef SYNTHESIS
  initial begin
    if (NumRows == 0 || NumCols == 0) $fatal(1, "dnn_rs_top: NumRows and NumCols must be >= 1");
    if (FilterSpad < MaxRS) $fatal(1, "dnn_rs_top: FilterSpad must hold a filter row (>= MaxRS)");
    if (AccBits < ProdBits) $fatal(1, "dnn_rs_top: AccBits is smaller than a product");
  end
`endif

  logic en, accept, busy;
  logic out_valid_q, out_last_q;
  logic [DimBits-1:0] out_k_q, out_e_q, out_f_q;
  logic [NumCols*AccBits-1:0] out_data_q;

  // The engine advances unless a result waits for the consumer or the filter word or ifmap
  // row it is about to read is not in its buffer yet.
  logic f_wait, i_wait;
  assign en = (!out_valid_q || out_ready_i) && !f_wait && !i_wait;

  // A job the buffers cannot hold is refused (done with err_o, never a hang): a size of 0,
  // a filter wider than MaxRS, an ifmap row wider than the scratchpad, more ifmap rows
  // than the buffer, or output rows of the psum groups past the psum buffer. (The host
  // checks the rest of its plan: the filter words and the derived E, F.)
  logic job_bad;
  assign job_bad = job_c_i == '0 || job_h_i == '0 || job_w_i == '0 || job_k_i == '0 || job_r_i == '0
                || job_s_i == '0 || job_stride_i == '0 || job_e_i == '0 || job_f_i == '0 || job_kg_i == '0
                || 32'(job_r_i) > MaxRS || 32'(job_s_i) > MaxRS || 32'(job_w_i) > IfmapSpad
                || (RingBuffers == 0 && 32'(job_c_i) * 32'(job_h_i) > IfmapRows)
                || 32'(job_kg_i) * 32'(job_f_i) > PsumSpad;

  dnn_job_ctrl #(.CycleBits(CycleBits)) u_ctrl (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .job_valid_i(job_valid_i),
    .job_bad_i(job_bad),
    .job_ready_o(job_ready_o),
    .accept_o   (accept),
    .finish_i   (out_valid_o && out_ready_i && out_last_q),
    .busy_o     (busy),
    .done_o     (done_o),
    .err_o      (err_o),
    .cycles_o   (cycles_o)
  );
  assign busy_o     = busy;
  // Rows and words load at any time; fw_avail_i and if_avail_i say which the sequencer may
  // read.
  assign ld_ready_o = 1'b1;

  // ---- sequencer -------------------------------------------------------------------
  logic [NumRows-1:0]         iload;
  logic                       ird, izero, ibank, frd, fbank;
  logic [IAddrBits-1:0]       iaddr, iaddr_seq;
  logic [NumRows*ColBits-1:0] icol;
  logic [FAddrBits-1:0] faddr, faddr_seq;
  if (RingBuffers != 0) begin : g_ring
    // Each stream's next entry and its read count; both restart with the job.
    logic [IAddrBits-1:0] iptr_q;
    logic [FAddrBits-1:0] fptr_q;
    logic [31:0]          ireads_q, freads_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        iptr_q <= '0; fptr_q <= '0; ireads_q <= '0; freads_q <= '0;
      end else if (accept) begin
        iptr_q <= '0; fptr_q <= '0; ireads_q <= '0; freads_q <= '0;
      end else if (en) begin
        if (ird) begin
          iptr_q   <= (32'(iptr_q) + 1 == IfmapRows) ? '0 : iptr_q + 1'b1;
          ireads_q <= ireads_q + 1;
        end
        if (frd) begin
          fptr_q   <= (32'(fptr_q) + 1 == FilterWords) ? '0 : fptr_q + 1'b1;
          freads_q <= freads_q + 1;
        end
      end
    end
    assign iaddr  = iptr_q;
    assign faddr  = fptr_q;
    assign f_wait = frd && freads_q >= fw_avail_i;
    assign i_wait = ird && ireads_q >= if_avail_i;
    assign fw_reads_o = freads_q;
    assign if_reads_o = ireads_q;
    logic unused_seq_addr;
    assign unused_seq_addr = ^{iaddr_seq, faddr_seq};
  end else begin : g_whole
    assign iaddr  = iaddr_seq;
    assign faddr  = faddr_seq;
    assign f_wait = frd && {1'b0, faddr} >= fw_avail_i;
    assign i_wait = ird && {1'b0, iaddr} >= if_avail_i;
    assign fw_reads_o = '0;
    assign if_reads_o = '0;
  end
  logic                 st_valid, st_first, st_last, st_xzero, st_bank, st_ibank;
  logic [SBits-1:0]     st_s;
  logic [XBits-1:0]     st_x;
  logic                 tag_valid, tag_first, tag_last, tag_job_last;
  logic [PAddrBits-1:0] tag_paddr;
  logic [DimBits-1:0]   tag_k, tag_e0, tag_f;

  dnn_rs_seq #(
    .NumRows   (NumRows),
    .NumCols   (NumCols),
    .FilterSpad(FilterSpad),
    .IfmapSpad (IfmapSpad),
    .IfmapBanks(IfmapBanks),
    .IAddrBits (IAddrBits),
    .FAddrBits (FAddrBits),
    .PAddrBits (PAddrBits)
  ) u_seq (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .en_i          (en),
    .start_i       (accept),
    .job_c_i       (job_c_i),
    .job_h_i       (job_h_i),
    .job_w_i       (job_w_i),
    .job_k_i       (job_k_i),
    .job_r_i       (job_r_i),
    .job_s_i       (job_s_i),
    .job_stride_i  (job_stride_i),
    .job_pad_i     (job_pad_i),
    .job_e_i       (job_e_i),
    .job_f_i       (job_f_i),
    .job_kg_i      (job_kg_i),
    .iload_o       (iload),
    .ird_o         (ird),
    .iaddr_o       (iaddr_seq),
    .icol_o        (icol),
    .izero_o       (izero),
    .ibank_o       (ibank),
    .frd_o         (frd),
    .faddr_o       (faddr_seq),
    .fbank_o       (fbank),
    .step_valid_o  (st_valid),
    .step_first_o  (st_first),
    .step_last_o   (st_last),
    .step_s_o      (st_s),
    .step_x_o      (st_x),
    .step_xzero_o  (st_xzero),
    .step_bank_o   (st_bank),
    .step_ibank_o  (st_ibank),
    .tag_valid_o   (tag_valid),
    .tag_first_o   (tag_first),
    .tag_last_o    (tag_last),
    .tag_job_last_o(tag_job_last),
    .tag_paddr_o   (tag_paddr),
    .tag_k_o       (tag_k),
    .tag_e0_o      (tag_e0),
    .tag_f_o       (tag_f)
  );

  // ---- buffers ---------------------------------------------------------------------
  logic [IRowW-1:0]  irdata;
  logic [FWordW-1:0] frdata;

  dnn_sram_1r1w #(.Depth(IfmapRows), .Width(IRowW), .AddrBits(IAddrBits)) u_ibuf (
    .clk_i  (clk_i),
    .we_i   (ld_valid_i && !ld_sel_i),
    .waddr_i(IAddrBits'(ld_addr_i)),
    .wdata_i(ld_data_i[IRowW-1:0]),
    .re_i   (en && ird),
    .raddr_i(iaddr),
    .rdata_o(irdata)
  );

  dnn_sram_1r1w #(.Depth(FilterWords), .Width(FWordW), .AddrBits(FAddrBits)) u_fbuf (
    .clk_i  (clk_i),
    .we_i   (ld_valid_i && ld_sel_i),
    .waddr_i(FAddrBits'(ld_addr_i)),
    .wdata_i(ld_data_i[FWordW-1:0]),
    .re_i   (en && frd),
    .raddr_i(faddr),
    .rdata_o(frdata)
  );

  // ---- array -----------------------------------------------------------------------
  // Row 0 runs one cycle after issue, when the buffers' read data arrive.
  logic [CtlBits-1:0] ctl_q;
  logic [NumRows-1:0]         ild_valid_q;
  logic                       ild_zero_q, ild_bank_q;
  logic [NumRows*ColBits-1:0] ild_col_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ctl_q       <= '0;
      ild_valid_q <= '0;
    end else if (en) begin
      ctl_q       <= {frd, fbank, st_valid, st_first, st_last, st_s, st_x, st_xzero, st_bank, st_ibank};
      ild_valid_q <= iload;
    end
  end
  always_ff @(posedge clk_i) begin
    if (en) begin
      ild_zero_q <= izero;
      ild_bank_q <= ibank;
      ild_col_q  <= icol;
    end
  end

  // Filter row i reaches PE row i i cycles after row 0, with that row's controls.
  logic [FWordW-1:0] wld_data;
  dnn_systolic_skew #(.Lanes(NumRows), .Width(FRowW), .Reverse(0)) u_wskew (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (en),
    .d_i   (frdata),
    .q_o   (wld_data)
  );

  logic [NumCols*AccIntBits-1:0] psum;
  dnn_rs_array #(
    .NumRows   (NumRows),
    .NumCols   (NumCols),
    .InBits    (InBits),
    .WBits     (WBits),
    .AccIntBits(AccIntBits),
    .Signed    (Signed),
    .FilterSpad(FilterSpad),
    .IfmapSpad (IfmapSpad),
    .IfmapBanks(IfmapBanks)
  ) u_array (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .en_i       (en),
    .ctl_i      (ctl_q),
    .wld_data_i (wld_data),
    .ild_valid_i(ild_valid_q),
    .ild_col_i  (ild_col_q),
    .ild_zero_i (ild_zero_q),
    .ild_bank_i (ild_bank_q),
    .ild_data_i (irdata),
    .psum_o     (psum)
  );

  // ---- psum buffer and output ------------------------------------------------------
  // A window's tag arrives with its last step at the bottom row (issue + NumRows), when
  // the psum buffer read is issued; one cycle later the bottom psum and the buffer word
  // are added: written back (more row folds to come) or finalized to the output port.
  logic [TagBits-1:0] tag_d, tag_row, tag2_q;
  logic               tag2_valid_q;
  assign tag_d = {tag_valid, tag_first, tag_last, tag_job_last, tag_paddr, tag_k, tag_e0, tag_f};
  dnn_delay #(.Width(TagBits), .Cycles(NumRows)) u_tag (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (en),
    .d_i   (tag_d),
    .q_o   (tag_row)
  );
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) tag2_valid_q <= 1'b0;
    else if (en) tag2_valid_q <= tag_row[TagBits-1];
  end
  always_ff @(posedge clk_i) begin
    if (en) tag2_q <= tag_row;
  end

  logic                 t2_first, t2_last, t2_job_last, unused_t2_valid;
  logic [PAddrBits-1:0] t2_paddr;
  logic [DimBits-1:0]   t2_k, t2_e0, t2_f;
  assign {unused_t2_valid, t2_first, t2_last, t2_job_last, t2_paddr, t2_k, t2_e0, t2_f} = tag2_q;

  logic [NumCols*AccIntBits-1:0] pbuf_rdata, sum;
  logic [NumCols*AccBits-1:0]    final_sum;
  dnn_sram_1r1w #(.Depth(PsumSpad), .Width(NumCols*AccIntBits), .AddrBits(PAddrBits)) u_pbuf (
    .clk_i  (clk_i),
    .we_i   (en && tag2_valid_q && !t2_last),
    .waddr_i(t2_paddr),
    .wdata_i(sum),
    .re_i   (en && tag_row[TagBits-1] && !tag_row[TagBits-2]),
    .raddr_i(tag_row[TagBits-5 -: PAddrBits]),
    .rdata_o(pbuf_rdata)
  );

  for (genvar c = 0; c < NumCols; c++) begin : g_sum
    assign sum[c*AccIntBits +: AccIntBits] =
        (t2_first ? '0 : pbuf_rdata[c*AccIntBits +: AccIntBits]) + psum[c*AccIntBits +: AccIntBits];
  end

  dnn_systolic_finalize #(
    .Lanes     (NumCols),
    .AccIntBits(AccIntBits),
    .AccBits   (AccBits),
    .Saturate  (Saturate)
  ) u_final (
    .sum_i(sum),
    .out_o(final_sum)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_valid_q <= 1'b0;
    else if (en) out_valid_q <= tag2_valid_q && t2_last;
  end
  always_ff @(posedge clk_i) begin
    if (en && tag2_valid_q && t2_last) begin
      out_last_q <= t2_job_last;
      out_k_q    <= t2_k;
      out_e_q    <= t2_e0;
      out_f_q    <= t2_f;
      out_data_q <= final_sum;
    end
  end

  // A result is offered only while the engine may advance: during a wait for a filter word
  // or an ifmap row the frozen output register must not be taken twice.
  assign out_valid_o = out_valid_q && !f_wait && !i_wait;
  assign out_last_o  = out_last_q;
  assign out_k_o     = out_k_q;
  assign out_e_o     = out_e_q;
  assign out_f_o     = out_f_q;
  assign out_data_o  = out_data_q;

endmodule
