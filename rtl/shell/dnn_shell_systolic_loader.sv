// The load process of the systolic shell: walks the layer's jobs (dnn_shell_job_walk) and,
// for each, once its operand bank is free, reads into that bank
//   A rows   A[m0+i, k0 .. k0+kj)  -> A buffer words kt*AStride + i (R elements each),
//   B rows   B[k0+k, n0 .. n0+nj)  -> B buffer words nt*BStride + k (C elements each),
// (the strides are MaxM and MaxK for the systolic cores; the bit-serial core rounds them
// up to whole brick groups: dnn_bitserial_core),
// and for a job that emits (the last of its K split) the output channels' parameters:
//   bias[n0 .. n0+nj) (int32) and (mult, shift)[n0 .. n0+nj) (int32 pairs), C channels a
//   parameter-buffer word, word nt of the bank.
// Each row is one read-DMA command (the DMA queues them back to back) and one segment of
// the realigner (dnn_shell_unpack), except where the job's rows lie back to back in memory
// (A when the job spans all of K and A is packed, B when it spans all of N and B is
// packed): then all of them are one command and one segment, so the bursts are long. A
// FIFO carries each segment's destination from the command side to the data side.
// bank_loaded_o pulses when a job's last word is written.
//
// conv2d (conv_i): A row i is the im2col row of output pixel m0+i, elements k0 .. k0+kj
// with k = (r*S + s)*IN_C + c. For one filter row r the S x IN_C elements lie back to
// back in the ifmap row ih = oh*STRIDE_Y - PAD_Y + r, from pixel iw = ow*STRIDE_X - PAD_X,
// except where the window hangs over the padding. So the row is issued as pieces, one a
// cycle, each up to the next edge of the padding, of filter row r or of the job's K
// range: a read command for the ifmap bytes, or zeros (no command) for the padding; the
// realigner joins the pieces of a row into its words. No division: the pixel (ow, oh) and
// the position in K (r, element j of the S x IN_C run) are stepped, and the walk keeps
// where its M tile and its K split start.
module dnn_shell_systolic_loader #(
  parameter int unsigned NumRows     = 4,
  parameter int unsigned NumCols     = 4,
  parameter int unsigned InBits      = 8,
  parameter int unsigned WBits       = 8,
  parameter int unsigned MaxM        = 64,
  parameter int unsigned MaxN        = 64,
  parameter int unsigned MaxK        = 64,
  parameter int unsigned SizeBits    = 24,
  parameter int unsigned AddrBits    = 32,
  parameter int unsigned DataBits    = 64,
  parameter int unsigned Outstanding = 4,
  parameter int unsigned LdAddrBits  = 10,
  parameter int unsigned LdWidth     = 32,
  parameter int unsigned ParAddrBits = 4,    // parameter-buffer word within a bank
  parameter int unsigned AStride     = MaxM,  // A buffer words between K steps of a row
  parameter int unsigned BStride     = MaxK,  // B buffer words between N tiles of a row
  localparam int unsigned Bytes      = DataBits / 8,
  localparam int unsigned InBytes    = InBits / 8,
  localparam int unsigned WBytes     = WBits / 8,
  localparam int unsigned ABytes     = NumRows * InBytes,   // an A buffer word
  localparam int unsigned BBytes     = NumCols * WBytes,    // a B buffer word
  localparam int unsigned WordBytes  = (ABytes > BBytes) ? ((ABytes > 8) ? ABytes : 8)
                                                         : ((BBytes > 8) ? BBytes : 8),
  localparam int unsigned RotBits    = dnn_pkg::idx_bits(NumRows)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // the layer
  input  logic                      start_i,
  input  logic                      stop_i,        // issue nothing more (abort, error)
  input  logic [SizeBits-1:0]       m_i,
  input  logic [SizeBits-1:0]       n_i,
  input  logic [SizeBits-1:0]       k_i,
  input  logic [AddrBits-1:0]       a_addr_i,
  input  logic [AddrBits-1:0]       b_addr_i,
  input  logic [AddrBits-1:0]       a_stride_i,
  input  logic [AddrBits-1:0]       b_stride_i,
  input  logic                      bias_i,        // load bias
  input  logic [AddrBits-1:0]       bias_addr_i,
  input  logic                      quant_i,       // load per-channel (mult, shift)
  input  logic [AddrBits-1:0]       quant_addr_i,
  // conv2d: A rows by im2col from the ifmap (a_stride_i: bytes between ifmap rows)
  input  logic                      conv_i,
  input  logic [15:0]               in_h_i,        // ifmap rows
  input  logic [17:0]               out_w_i,       // F: output pixels a row
  input  logic [15:0]               pad_y_i,
  input  logic [15:0]               stride_y_i,
  input  logic [SizeBits-1:0]       sc_i,          // S x IN_C: a filter row's elements
  input  logic [SizeBits-1:0]       wc_i,          // IN_W x IN_C: an ifmap row's elements
  input  logic [SizeBits-1:0]       pxc_i,         // PAD_X x IN_C
  input  logic [SizeBits+1:0]       sxc_i,         // STRIDE_X x IN_C (used when F > 1)
  input  logic [AddrBits-1:0]       row_step_i,    // STRIDE_Y x the ifmap row pitch
  input  logic [AddrBits-1:0]       conv_first_i,  // A - PAD_Y x pitch - PAD_X x IN_C elements
  // banks
  input  logic [1:0]                bank_claimable_i,  // bank b is free to fill
  output logic                      claim_o,            // starting to fill bank claim_bank_o
  output logic                      claim_bank_o,
  output logic                      bank_loaded_o,      // a job's bank is full (pulse)
  output logic                      loaded_bank_o,
  output logic                      idle_o,             // nothing issued is still on its way
  // read DMA
  output logic                      cmd_valid_o,
  input  logic                      cmd_ready_i,
  output logic [AddrBits-1:0]       cmd_addr_o,
  output logic [SizeBits:0]         cmd_beats_o,
  input  logic                      dma_busy_i,
  input  logic                      in_valid_i,
  output logic                      in_ready_o,
  input  logic [DataBits-1:0]       in_data_i,
  // operand buffers (the core's loader port)
  output logic                      ld_valid_o,
  output logic                      ld_sel_o,
  output logic                      ld_bank_o,
  output logic [LdAddrBits-1:0]     ld_addr_o,
  output logic [RotBits-1:0]        ld_rot_o,      // A word: its row mod R (OS core)
  output logic [LdWidth-1:0]        ld_data_o,
  // parameter buffers
  output logic                      par_we_o,
  output logic                      par_sel_o,     // 0 bias, 1 (mult, shift)
  output logic                      par_bank_o,
  output logic [ParAddrBits-1:0]    par_addr_o,
  output logic [NumCols*64-1:0]     par_data_o     // lane j: channel j (bias: low 32 bits)
);

  localparam int unsigned SkipBits   = $clog2(Bytes);
  localparam int unsigned WBytesBits = $clog2(WordBytes + 1);
  localparam int unsigned LaneBits   = dnn_pkg::idx_bits(NumCols);
  // Destination kinds and issue states (plain codes: they travel through a FIFO).
  localparam logic [1:0] KindA = 2'd0, KindB = 2'd1, KindBias = 2'd2, KindQuant = 2'd3;
  localparam logic [2:0] IssueIdle = 3'd0, IssueWait = 3'd1, IssueA = 3'd2, IssueB = 3'd3,
                         IssueBias = 3'd4, IssueQuant = 3'd5;

  if (InBits % 8 != 0 || WBits % 8 != 0) begin : g_bad_param
    $error("dnn_shell_systolic_loader: InBits and WBits must be whole bytes");
  end

  // ---------------------------------------------------------------- the job loop
  logic                walk_next, walk_valid, walk_first_k, walk_last_k, walk_last;
  logic [SizeBits-1:0] m0, n0, k0, mj, nj, kj;
  logic [AddrBits-1:0] a_row, b_row, walk_out_row;

  dnn_shell_job_walk #(
    .MaxM(MaxM), .MaxN(MaxN), .MaxK(MaxK), .SizeBits(SizeBits), .AddrBits(AddrBits)
  ) u_walk (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (start_i),
    .m_i         (m_i),
    .n_i         (n_i),
    .k_i         (k_i),
    .a_addr_i    (a_addr_i),
    .b_addr_i    (b_addr_i),
    .out_addr_i  ('0),
    .a_stride_i  (a_stride_i),
    .b_stride_i  (b_stride_i),
    .out_stride_i('0),
    .next_i      (walk_next),
    .valid_o     (walk_valid),
    .m0_o        (m0),
    .n0_o        (n0),
    .k0_o        (k0),
    .mj_o        (mj),
    .nj_o        (nj),
    .kj_o        (kj),
    .first_k_o   (walk_first_k),
    .last_k_o    (walk_last_k),
    .last_o      (walk_last),
    .a_row_o     (a_row),
    .b_row_o     (b_row),
    .out_row_o   (walk_out_row)
  );

  // ---------------------------------------------------------------- command side
  logic [2:0]          state_q, state_d;
  logic                bank_q, bank_d;           // the bank of the job being issued
  logic [SizeBits-1:0] row_q, row_d;             // row of the current phase
  logic [RotBits-1:0]  rot_q, rot_d;             // row_q mod R (the OS core's A rotation)
  logic [AddrBits-1:0] addr_q, addr_d;           // byte address of that row's segment

  // The segment of the current row: address, bytes, word size, destination.
  logic [AddrBits-1:0]   seg_addr;
  logic [SizeBits+3:0]   seg_len, seg_rows;
  logic [WBytesBits-1:0] seg_wbytes;
  logic [1:0]            seg_kind;
  logic [LdAddrBits-1:0] seg_stride;
  logic                  seg_job_end;            // the job's last segment
  logic                  last_row, has_bias, has_quant;
  logic                  piece;                  // conv2d A: a piece of an im2col row
  logic                  seg_zero, seg_more, seg_cont;

  // ---------------------------------------------------------------- conv2d im2col walk
  // The pixel of the current A row: ow, ih0 = oh*STRIDE_Y - PAD_Y, iwc = (ow*STRIDE_X -
  // PAD_X)*IN_C, the byte of its window's first element and of its output row's first
  // pixel's; the position in K: filter row r, element j of its run, r x pitch; the row's
  // elements left. mb_*: the M tile's first pixel; kb_*: the job's first K position.
  localparam int unsigned IhBits = 20;
  localparam int unsigned IwBits = SizeBits + 3;
  logic [17:0]             ow_q, mb_ow_q;
  logic signed [IhBits-1:0] ih0_q, mb_ih0_q;
  logic signed [IwBits-1:0] iwc_q, mb_iwc_q;
  logic [AddrBits-1:0]     pix_q, mb_pix_q, rowst_q, mb_rowst_q;
  logic [15:0]             r_q, kb_r_q;
  logic [SizeBits-1:0]     j_q, kb_j_q, rem_q;
  logic [AddrBits-1:0]     roff_q, kb_roff_q;

  // The piece at (r, j): up to the padding's left edge jl, the ifmap's right edge jh, the
  // run's end or the row's end.
  logic signed [IhBits-1:0] ih;
  logic signed [IwBits:0]   jl, jh, j_s, slice_end, piece_end;
  logic                     row_in;
  logic [SizeBits-1:0]      piece_elems;
  always_comb begin
    ih        = ih0_q + IhBits'(r_q);
    row_in    = ih >= 0 && ih < $signed({4'b0, in_h_i});
    jl        = (iwc_q < 0) ? -((IwBits+1)'(iwc_q)) : '0;
    jh        = (IwBits+1)'(wc_i) - (IwBits+1)'(iwc_q);
    if (jh > $signed((IwBits+1)'(sc_i))) jh = (IwBits+1)'(sc_i);   // jh may be negative
    j_s       = (IwBits+1)'(j_q);
    slice_end = ((IwBits+1)'(sc_i) - j_s > (IwBits+1)'(rem_q)) ? j_s + (IwBits+1)'(rem_q)
                                                               : (IwBits+1)'(sc_i);
    piece_end = slice_end;
    seg_zero  = 1'b1;
    if (row_in && j_s < jl) begin
      if (jl < slice_end) piece_end = jl;
    end else if (row_in && j_s < jh) begin
      if (jh < slice_end) piece_end = jh;
      seg_zero = 1'b0;
    end
    piece_elems = SizeBits'(piece_end - j_s);
  end

  assign piece     = conv_i && state_q == IssueA;
  assign seg_cont  = rem_q != kj;
  assign seg_more  = rem_q != piece_elems;
  assign has_bias  = bias_i && walk_last_k;
  assign has_quant = quant_i && walk_last_k;

  // Jobs whose rows are contiguous in memory: one segment for all of them.
  logic a_contig, b_contig;
  assign a_contig = !conv_i && 32'(k_i) <= MaxK && 64'(a_stride_i) == 64'(k_i) * 64'(InBytes);
  assign b_contig = 32'(n_i) <= MaxN && 64'(b_stride_i) == 64'(n_i) * 64'(WBytes);

  always_comb begin
    seg_addr    = addr_q;
    seg_len     = '0;
    seg_rows    = (SizeBits+4)'(1);
    seg_wbytes  = '0;
    seg_kind    = KindA;
    seg_stride  = '0;
    last_row    = 1'b0;
    seg_job_end = 1'b0;
    unique case (state_q)
      IssueA: begin
        seg_len     = (SizeBits+4)'(kj) * (SizeBits+4)'(InBytes);
        seg_wbytes  = WBytesBits'(ABytes);
        seg_kind    = KindA;
        seg_stride  = LdAddrBits'(AStride);
        seg_rows    = a_contig ? (SizeBits+4)'(mj) : (SizeBits+4)'(1);
        last_row    = a_contig || row_q == mj - 1'b1;
        if (conv_i) begin
          seg_addr = pix_q + roff_q + AddrBits'(j_q) * AddrBits'(InBytes);
          last_row = !seg_more && row_q == mj - 1'b1;
        end
      end
      IssueB: begin
        seg_len     = (SizeBits+4)'(nj) * (SizeBits+4)'(WBytes);
        seg_wbytes  = WBytesBits'(BBytes);
        seg_kind    = KindB;
        seg_stride  = LdAddrBits'(BStride);
        seg_rows    = b_contig ? (SizeBits+4)'(kj) : (SizeBits+4)'(1);
        last_row    = b_contig || row_q == kj - 1'b1;
        seg_job_end = last_row && !has_bias && !has_quant;
      end
      IssueBias: begin
        seg_len     = (SizeBits+4)'(nj) * 4;
        seg_wbytes  = WBytesBits'(4);
        seg_kind    = KindBias;
        last_row    = 1'b1;
        seg_job_end = !has_quant;
      end
      IssueQuant: begin
        seg_len     = (SizeBits+4)'(nj) * 8;
        seg_wbytes  = WBytesBits'(8);
        seg_kind    = KindQuant;
        last_row    = 1'b1;
        seg_job_end = 1'b1;
      end
      default: ;
    endcase
  end

  // Segment info travels beside the DMA command.
  localparam int unsigned TagBits  = 2 + 2 * LdAddrBits + RotBits + 2;
  localparam int unsigned InfoBits = SkipBits + 2 * (SizeBits + 4) + (2 * SizeBits + 9) + WBytesBits + 2
                                   + TagBits;
  logic                issuing, info_ready, seg_fire;
  logic [InfoBits-1:0] info_in;
  logic [SkipBits-1:0] seg_skip;
  assign issuing     = state_q == IssueA || state_q == IssueB || state_q == IssueBias
                    || state_q == IssueQuant;
  // Zeros of the padding go to the realigner only: no read command.
  assign cmd_valid_o = issuing && info_ready && !(piece && seg_zero);
  assign seg_fire    = issuing && info_ready && ((piece && seg_zero) || cmd_ready_i);
  assign cmd_addr_o  = {seg_addr[AddrBits-1:SkipBits], SkipBits'(0)};
  assign seg_skip    = (piece && seg_zero) ? '0 : seg_addr[SkipBits-1:0];
  logic [2*SizeBits+8:0] seg_bytes;
  assign seg_bytes   = piece ? (2*SizeBits+9)'(piece_elems) * (2*SizeBits+9)'(InBytes)
                             : (2*SizeBits+9)'(seg_len) * (2*SizeBits+9)'(seg_rows);
  assign cmd_beats_o = (SizeBits+1)'(((2*SizeBits+9)'(seg_skip) + seg_bytes
                                      + (2*SizeBits+9)'(Bytes) - 1'b1) >> SkipBits);
  // The destination's first word: A row i -> word i, B row k -> word k, parameters -> 0.
  assign info_in = {seg_skip, seg_len, seg_rows, seg_bytes, seg_wbytes,
                    piece && seg_zero, piece && seg_cont, seg_kind,
                    (seg_kind == KindA || seg_kind == KindB) ? LdAddrBits'(row_q) : LdAddrBits'(0),
                    seg_stride, rot_q, seg_job_end, bank_q};

  always_comb begin
    state_d   = state_q;
    bank_d    = bank_q;
    row_d     = row_q;
    rot_d     = rot_q;
    addr_d    = addr_q;
    walk_next = 1'b0;
    claim_o   = 1'b0;
    unique case (state_q)
      IssueIdle: if (start_i) begin
        state_d = IssueWait;
        bank_d  = 1'b0;
      end
      IssueWait: begin
        if (!walk_valid || stop_i) begin
          state_d = IssueIdle;
        end else if (bank_claimable_i[bank_q]) begin
          claim_o = 1'b1;
          state_d = IssueA;
          row_d   = '0;
          rot_d   = '0;
          addr_d  = a_row + AddrBits'(k0) * AddrBits'(InBytes);
        end
      end
      default: if (seg_fire) begin
        // A piece of a conv2d row that the row goes on after keeps the row.
        row_d = (piece && seg_more) ? row_q : row_q + 1'b1;
        if (!(piece && seg_more)) rot_d = (32'(rot_q) == NumRows - 1) ? '0 : rot_q + 1'b1;
        if (state_q == IssueA) addr_d = addr_q + a_stride_i;
        if (state_q == IssueB) addr_d = addr_q + b_stride_i;
        if (last_row) begin
          row_d = '0;
          rot_d = '0;
          if (state_q == IssueA) begin
            state_d = IssueB;
            addr_d  = b_row + AddrBits'(n0) * AddrBits'(WBytes);
          end else if (state_q == IssueB && has_bias) begin
            state_d = IssueBias;
            addr_d  = bias_addr_i + AddrBits'(n0) * 4;
          end else if ((state_q == IssueB || state_q == IssueBias) && has_quant) begin
            state_d = IssueQuant;
            addr_d  = quant_addr_i + AddrBits'(n0) * 8;
          end else begin
            state_d   = IssueWait;
            bank_d    = !bank_q;
            walk_next = 1'b1;
          end
        end
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= IssueIdle;
      bank_q  <= 1'b0;
      row_q   <= '0;
      rot_q   <= '0;
      addr_q  <= '0;
    end else begin
      state_q <= state_d;
      bank_q  <= bank_d;
      row_q   <= row_d;
      rot_q   <= rot_d;
      addr_q  <= addr_d;
    end
  end
  assign claim_bank_o = bank_q;

  // conv2d walk: the next pixel, and the K position after the piece being issued.
  logic [17:0]              ow_n;
  logic signed [IhBits-1:0] ih0_n;
  logic signed [IwBits-1:0] iwc_n;
  logic [AddrBits-1:0]      pix_n, rowst_n, roff_n;
  logic [15:0]              r_n;
  logic [SizeBits-1:0]      j_n;
  logic                     mtile_done;   // the job is its M tile's last: the next starts a tile
  always_comb begin
    if (ow_q == out_w_i - 1'b1) begin
      ow_n    = '0;
      iwc_n   = -(IwBits'(pxc_i));
      ih0_n   = ih0_q + IhBits'(stride_y_i);
      rowst_n = rowst_q + row_step_i;
      pix_n   = rowst_n;
    end else begin
      ow_n    = ow_q + 1'b1;
      iwc_n   = iwc_q + IwBits'(sxc_i);
      ih0_n   = ih0_q;
      rowst_n = rowst_q;
      pix_n   = pix_q + AddrBits'(sxc_i) * AddrBits'(InBytes);
    end
    j_n    = j_q + piece_elems;
    r_n    = r_q;
    roff_n = roff_q;
    if (j_n == sc_i) begin
      j_n    = '0;
      r_n    = r_q + 1'b1;
      roff_n = roff_q + a_stride_i;
    end
  end
  assign mtile_done = walk_last_k && 32'(n0) + 32'(nj) == 32'(n_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {ow_q, mb_ow_q, ih0_q, mb_ih0_q, iwc_q, mb_iwc_q} <= '0;
      {pix_q, mb_pix_q, rowst_q, mb_rowst_q} <= '0;
      {r_q, kb_r_q, j_q, kb_j_q, rem_q, roff_q, kb_roff_q} <= '0;
    end else begin
      if (start_i) begin
        // The first pixel's window starts PAD_Y rows up and PAD_X pixels left.
        mb_ow_q    <= '0;
        mb_ih0_q   <= -(IhBits'(pad_y_i));
        mb_iwc_q   <= -(IwBits'(pxc_i));
        mb_pix_q   <= conv_first_i;
        mb_rowst_q <= conv_first_i;
        kb_r_q     <= '0;
        kb_j_q     <= '0;
        kb_roff_q  <= '0;
      end
      if (claim_o) begin
        {ow_q, ih0_q, iwc_q, pix_q, rowst_q} <= {mb_ow_q, mb_ih0_q, mb_iwc_q, mb_pix_q, mb_rowst_q};
        {r_q, j_q, roff_q} <= {kb_r_q, kb_j_q, kb_roff_q};
        rem_q <= kj;
      end
      if (piece && seg_fire) begin
        if (seg_more) begin
          {r_q, j_q, roff_q} <= {r_n, j_n, roff_n};
          rem_q <= rem_q - piece_elems;
        end else begin
          // The row is done: the next pixel; the next row starts at the job's k0 again.
          {ow_q, ih0_q, iwc_q, pix_q, rowst_q} <= {ow_n, ih0_n, iwc_n, pix_n, rowst_n};
          if (!last_row) begin
            {r_q, j_q, roff_q} <= {kb_r_q, kb_j_q, kb_roff_q};
            rem_q <= kj;
          end else if (walk_last_k) begin
            // The K split is done; a new M tile starts at the pixel after this one's last.
            {kb_r_q, kb_j_q, kb_roff_q} <= '0;
            if (mtile_done) {mb_ow_q, mb_ih0_q, mb_iwc_q, mb_pix_q, mb_rowst_q} <= {ow_n, ih0_n, iwc_n, pix_n, rowst_n};
          end else begin
            {kb_r_q, kb_j_q, kb_roff_q} <= {r_n, j_n, roff_n};
          end
        end
      end
    end
  end

  // ---------------------------------------------------------------- data side
  // Every issued command has its entry here until its segment starts in the realigner:
  // at most Outstanding commands are in flight beyond the one in the realigner.
  logic                  info_valid, info_pop;
  logic [InfoBits-1:0]   info;
  logic [SkipBits-1:0]   info_skip;
  logic [SizeBits+3:0]   info_len, info_rows;
  logic [2*SizeBits+8:0] info_bytes;
  logic [WBytesBits-1:0] info_wbytes;
  logic                  info_zero, info_cont;
  logic [TagBits-1:0]    info_tag;
  assign {info_skip, info_len, info_rows, info_bytes, info_wbytes, info_zero, info_cont, info_tag} = info;

  dnn_fifo #(.Width(InfoBits), .Depth(Outstanding + 2)) u_info (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (seg_fire),
    .in_ready_o (info_ready),
    .in_data_i  (info_in),
    .out_valid_o(info_valid),
    .out_ready_i(info_pop),
    .out_data_o (info)
  );

  // The realigner carries each segment's destination (its tag) to its words.
  logic                   word_valid, word_first, word_row_last, word_last, unpack_seg_ready, unpack_idle;
  logic [WordBytes*8-1:0] word;
  logic [TagBits-1:0]     word_tag;
  dnn_shell_unpack #(
    .DataBits(DataBits),
    .WordBits(WordBytes * 8),
    .LenBits (SizeBits + 4),
    .TagBits (TagBits)
  ) u_unpack (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .seg_valid_i (info_valid),
    .seg_ready_o (unpack_seg_ready),
    .seg_skip_i  (info_skip),
    .seg_len_i   (info_len),
    .seg_rows_i  (info_rows),
    .seg_bytes_i (info_bytes),
    .seg_wbytes_i(info_wbytes),
    .seg_zero_i  (info_zero),
    .seg_cont_i  (info_cont),
    .seg_tag_i   (info_tag),
    .in_valid_i  (in_valid_i),
    .in_ready_o  (in_ready_o),
    .in_data_i   (in_data_i),
    .out_valid_o (word_valid),
    .out_ready_i (1'b1),
    .out_data_o  (word),
    .out_first_o (word_first),
    .out_row_last_o(word_row_last),
    .out_last_o  (word_last),
    .out_tag_o   (word_tag),
    .idle_o      (unpack_idle)
  );
  assign info_pop = info_valid && unpack_seg_ready;

  // The destination of the words leaving the realigner: its segment's tag, and where in
  // the buffer the next word goes (the tag's first word at the segment's first word).
  logic [1:0]             dst_kind;
  logic [LdAddrBits-1:0]  dst_first, dst_stride;
  logic [RotBits-1:0]     dst_first_rot;
  logic                   dst_job_end, dst_bank;
  assign {dst_kind, dst_first, dst_stride, dst_first_rot, dst_job_end, dst_bank} = word_tag;
  logic [LdAddrBits-1:0]  dst_addr_q, dst_row_q, dst_addr, dst_row;
  logic [RotBits-1:0]     dst_rot_q, dst_rot;
  logic [LaneBits-1:0]    lane_q, lane;
  logic [ParAddrBits-1:0] par_word_q, par_word;
  assign dst_addr = word_first ? dst_first : dst_addr_q;
  assign dst_row  = word_first ? dst_first : dst_row_q;
  assign dst_rot  = word_first ? dst_first_rot : dst_rot_q;
  assign lane     = word_first ? '0 : lane_q;
  assign par_word = word_first ? '0 : par_word_q;
  logic [NumCols*64-1:0] lanes_q;                // channel parameters gathered
  // A parameter word goes to its buffer the cycle after its C lanes are in (or its
  // segment ends), from registers: nothing wide is worked out while other data flows.
  logic                  par_word_done, par_we_q, par_sel_q, par_bank_q;
  logic [ParAddrBits-1:0] par_addr_q;
  assign par_word_done = word_valid && (dst_kind == KindBias || dst_kind == KindQuant)
                      && (32'(lane) == NumCols - 1 || word_last);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dst_addr_q    <= '0;
      dst_row_q     <= '0;
      dst_rot_q     <= '0;
      lane_q        <= '0;
      par_word_q    <= '0;
      lanes_q       <= (NumCols * 64)'(0);
      par_we_q      <= 1'b0;
      par_sel_q     <= 1'b0;
      par_bank_q    <= 1'b0;
      par_addr_q    <= '0;
    end else begin
      par_we_q <= par_word_done;
      if (par_word_done) begin
        par_sel_q  <= dst_kind == KindQuant;
        par_bank_q <= dst_bank;
        par_addr_q <= par_word;
      end
      if (word_valid && (dst_kind == KindBias || dst_kind == KindQuant))
        lanes_q[lane*64 +: 64] <= word[63:0];
      if (word_valid) begin
        // Along a row by the stride; a new row starts at the next word of the first column.
        dst_addr_q <= word_row_last ? dst_row + 1'b1 : dst_addr + dst_stride;
        dst_row_q  <= word_row_last ? dst_row + 1'b1 : dst_row;
        dst_rot_q  <= !word_row_last ? dst_rot : (32'(dst_rot) == NumRows - 1) ? '0 : dst_rot + 1'b1;
        if (32'(lane) == NumCols - 1 || word_last) begin
          lane_q     <= '0;
          par_word_q <= par_word + 1'b1;
        end else begin
          lane_q     <= lane + 1'b1;
          par_word_q <= par_word;
        end
      end
    end
  end

  assign ld_valid_o    = word_valid && (dst_kind == KindA || dst_kind == KindB);
  assign ld_sel_o      = dst_kind == KindB;
  assign ld_bank_o     = dst_bank;
  assign ld_addr_o     = dst_addr;
  assign ld_rot_o      = dst_rot;
  assign ld_data_o     = LdWidth'(word);
  assign par_we_o      = par_we_q;
  assign par_sel_o     = par_sel_q;
  assign par_bank_o    = par_bank_q;
  assign par_addr_o    = par_addr_q;
  assign par_data_o    = lanes_q;
  assign bank_loaded_o = word_valid && word_last && dst_job_end;
  assign loaded_bank_o = dst_bank;
  assign idle_o        = !issuing && !info_valid && unpack_idle && !dma_busy_i;

  logic unused;
  assign unused = ^{m0, walk_first_k, walk_last, walk_out_row, word[WordBytes*8-1:0]};

`ifndef SYNTHESIS
  // The im2col walk stays inside a filter row's run and the job's K range.
  always_ff @(posedge clk_i) begin
    if (piece && (j_q >= sc_i || rem_q == '0 || 32'(rem_q) > MaxK || piece_elems == '0))
      $error("dnn_shell_systolic_loader: im2col walk out of range (j %0d of %0d, %0d left, piece %0d)", j_q, sc_i,
             rem_q, piece_elems);
  end
`endif

endmodule
