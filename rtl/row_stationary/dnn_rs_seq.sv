// Row-stationary sequencer: walks one conv2d job's loop nest (docs/row_stationary.md):
// E-fold e0, filter group k0, row fold, each such pass loading the fold's ifmap rows into
// the PEs' ifmap scratchpads, then stepping for k < kend, f < F, s < S one array step a
// cycle. Two walkers share the nest, one pass apart, so a pass's loads overlap the pass
// before's steps: the ifmap scratchpad has two banks, and pass n loads into bank n mod 2.
//   * The load walker issues one ifmap-row load a cycle. It starts pass n once pass n-1's
//     loads are issued and pass n-2's steps are (its bank is then free: held_q <= 1).
//   * The step walker starts pass n once its loads are issued and pass n-1's last step
//     is, with one cycle between them in which it reads the pass's first filter word.
// Loads multicast as in Eyeriss: PE (i, j) needs ifmap row (c, (e0+j)*stride + r - pad)
// of its (channel, filter row) slot, and the PEs of one channel's run of rows that need
// the same row lie on a diagonal. The fold is walked run by run; within a run, column
// by column, each row not read before is read once (row-major: the rows of column j the
// previous column did not need), and every PE row takes it into the column its tracker
// (the next row it needs and the column it goes to) names. Rows are read in increasing
// order, so PE row i is first written i or more cycles into a pass's loads: after its
// last step of the pass that used the bank before (steps reach row i i cycles after
// issue).
// The filter word of filter k is read in the cycle before k's first step, into the
// bank k's step will use (banks alternate per filter, the first filter of a pass in bank
// 0), so the next filter row loads while the current one computes. The cycle between two
// passes also keeps a window's psum read two or more cycles after the same window's
// write in the pass before. All outputs are combinational from the state.
module dnn_rs_seq #(
  parameter int unsigned NumRows     = 4,
  parameter int unsigned NumCols     = 4,
  parameter int unsigned FilterSpad  = 3,
  parameter int unsigned IfmapSpad   = 8,
  parameter int unsigned IfmapBanks  = 2,   // 1: a pass loads only after the pass before's steps
  parameter int unsigned IAddrBits   = 4,
  parameter int unsigned FAddrBits   = 4,
  parameter int unsigned PAddrBits   = 4,
  localparam int unsigned DimBits = 16,
  localparam int unsigned SBits = dnn_pkg::idx_bits(FilterSpad),
  localparam int unsigned XBits = dnn_pkg::idx_bits(IfmapSpad),
  localparam int unsigned RowBits = dnn_pkg::idx_bits(NumRows),
  localparam int unsigned ColBits = dnn_pkg::idx_bits(NumCols)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 en_i,
  input  logic                 start_i,          // job accepted: latch the descriptor
  input  logic [DimBits-1:0]   job_c_i,
  input  logic [DimBits-1:0]   job_h_i,
  input  logic [DimBits-1:0]   job_w_i,
  input  logic [DimBits-1:0]   job_k_i,
  input  logic [DimBits-1:0]   job_r_i,
  input  logic [DimBits-1:0]   job_s_i,
  input  logic [DimBits-1:0]   job_stride_i,
  input  logic [DimBits-1:0]   job_pad_i,
  input  logic [DimBits-1:0]   job_e_i,
  input  logic [DimBits-1:0]   job_f_i,
  input  logic [DimBits-1:0]   job_kg_i,
  // ifmap-row load: PE row i writes column icol_o[i] of ifmap bank ibank_o where
  // iload_o[i]; ird_o: from the buffer, izero_o: zeros (a row above or below the input)
  output logic [NumRows-1:0]         iload_o,
  output logic                       ird_o,
  output logic [IAddrBits-1:0]       iaddr_o,
  output logic [NumRows*ColBits-1:0] icol_o,
  output logic                       izero_o,
  output logic                       ibank_o,
  // filter word read
  output logic                 frd_o,
  output logic [FAddrBits-1:0] faddr_o,
  output logic                 fbank_o,
  // array step (step_ibank_o: the ifmap bank it reads)
  output logic                 step_valid_o,
  output logic                 step_first_o,
  output logic                 step_last_o,
  output logic [SBits-1:0]     step_s_o,
  output logic [XBits-1:0]     step_x_o,
  output logic                 step_xzero_o,
  output logic                 step_bank_o,
  output logic                 step_ibank_o,
  // output tag of a window's last step
  output logic                 tag_valid_o,
  output logic                 tag_first_o,      // first row fold: no psum to add yet
  output logic                 tag_last_o,       // last row fold: the output is final
  output logic                 tag_job_last_o,
  output logic [PAddrBits-1:0] tag_paddr_o,
  output logic [DimBits-1:0]   tag_k_o,
  output logic [DimBits-1:0]   tag_e0_o,
  output logic [DimBits-1:0]   tag_f_o
);

  localparam int unsigned YBits = DimBits + 4;  // signed ifmap coordinates
  localparam int unsigned NjBits = $clog2(NumCols + 1);

  typedef enum logic [1:0] {LWait, LLoad, LDone} lstate_e;
  typedef enum logic [1:0] {SIdle, SStep, SDone} sstate_e;

  // Job descriptor, latched at accept.
  logic [DimBits-1:0] c_q, h_q, w_q, k_q, r_q, s_q, stride_q, pad_q, e_q, f_q, kg_q;
  // Passes whose loads are issued and whose steps are not all issued (0, 1 or 2), and for
  // each ifmap bank whether its pass is the last row fold of its filter group.
  logic [1:0] held_q, held_d;
  logic [1:0] qlast_q, qlast_d;
  // Load walker: its pass (E-fold le0, group lk0) and bank; (lc, lr) is the (channel,
  // filter row) slot of the run's first PE row ilo; lj the column, rr the filter row
  // being read, y the ifmap row read.
  lstate_e            lst_q, lst_d;
  logic               lbank_q, run_new_q;
  logic [DimBits-1:0] le0_q, lk0_q, lc_q, lr_q, rr_q;
  logic [RowBits-1:0] ilo_q;
  logic [ColBits-1:0] lj_q;
  logic signed [YBits-1:0] le0s_q, y_q;
  logic [31:0]        rowbase_q;
  // Per PE row: the next ifmap row it needs and the column that row goes to.
  logic [NumRows*YBits-1:0]  ny_q;   // row i at [i*YBits +: YBits]
  logic [NumRows*NjBits-1:0] nj_q;
  // Step walker: its pass (E-fold se0, group sk0, ifmap bank sibank), filter kk, output
  // column ff, weight ss, the filter bank, the psum address and the filter pointer.
  sstate_e            sst_q, sst_d;
  logic               sibank_q, qfirst_q, bank_q;
  logic [DimBits-1:0] se0_q, sk0_q, kk_q, ff_q, ss_q;
  logic signed [YBits-1:0] xb_q;
  logic [FAddrBits-1:0] fptr_q;
  logic [PAddrBits-1:0] paddr_q;

  logic               lbank_d, run_new_d, sibank_d, qfirst_d, bank_d;
  logic [DimBits-1:0] le0_d, lk0_d, lc_d, lr_d, rr_d, se0_d, sk0_d, kk_d, ff_d, ss_d;
  logic [RowBits-1:0] ilo_d;
  logic [ColBits-1:0] lj_d;
  logic signed [YBits-1:0] le0s_d, y_d, xb_d;
  logic [31:0]        rowbase_d;
  logic [FAddrBits-1:0] fptr_d;
  logic [PAddrBits-1:0] paddr_d;
  logic [NumRows*YBits-1:0]  ny_d;
  logic [NumRows*NjBits-1:0] nj_d;

  logic signed [YBits-1:0] pad_s, stride_s;
  assign pad_s    = $signed({{(YBits-DimBits){1'b0}}, pad_q});
  assign stride_s = $signed({{(YBits-DimBits){1'b0}}, stride_q});

  // ---- the load walk ---------------------------------------------------------------
  // The run: PE rows ilo .. ilo+rw-1 hold filter rows lr .. rhi of channel lc (the rest
  // of the channel's filter rows, or of the array's rows). Columns: ncv = min(NumCols,
  // E - e0) (columns past E compute nothing that is kept).
  logic               loading, y_valid;
  logic [DimBits:0]   rw, rhi, rows_left, r_left, ncv, e_left, lj_next, rr_restart, lkend;
  logic               run_col_end, run_end, fold_end, next_chan, rows_done, lq_last, l_e_end;
  logic               load_done, l_last_pass;
  logic [DimBits:0]   lr_after, lc_after;
  assign loading   = lst_q == LLoad;
  assign rows_left = (DimBits+1)'(NumRows) - (DimBits+1)'(ilo_q);
  assign r_left    = {1'b0, r_q} - {1'b0, lr_q};
  assign rw        = (rows_left < r_left) ? rows_left : r_left;
  assign rhi       = {1'b0, lr_q} + rw - 1'b1;
  assign e_left    = {1'b0, e_q} - {1'b0, le0_q};
  assign ncv       = (e_left < (DimBits+1)'(NumCols)) ? e_left : (DimBits+1)'(NumCols);
  assign lj_next   = (DimBits+1)'(lj_q) + 1'b1;
  // A new column reads only the rows the previous one did not: from rhi - stride + 1.
  assign rr_restart = (rhi + 1'b1 > {1'b0, lr_q} + {1'b0, stride_q}) ? rhi + 1'b1 - {1'b0, stride_q}
                                                                    : {1'b0, lr_q};
  assign run_col_end = ({1'b0, rr_q} == rhi);
  assign run_end     = run_col_end && lj_next >= ncv;
  // After the run: the next slot, and whether the fold's rows are used up.
  assign next_chan = (rhi + 1'b1 == {1'b0, r_q});
  assign lr_after  = next_chan ? '0 : rhi + 1'b1;
  assign lc_after  = next_chan ? {1'b0, lc_q} + 1'b1 : {1'b0, lc_q};
  assign rows_done = (rw == rows_left);
  assign fold_end  = run_end && (rows_done || lc_after >= {1'b0, c_q});
  assign y_valid   = !y_q[YBits-1] && (y_q < $signed({{(YBits-DimBits){1'b0}}, h_q}));
  // The pass's last load: the walk then points at the next fold's first slot, so past C
  // means this fold is the group's last.
  assign load_done   = loading && fold_end;
  assign lq_last     = lc_after >= {1'b0, c_q};
  assign lkend       = ({1'b0, lk0_q} + {1'b0, kg_q} > {1'b0, k_q}) ? {1'b0, k_q}
                                                                  : {1'b0, lk0_q} + {1'b0, kg_q};
  assign l_e_end     = ({1'b0, le0_q} + (DimBits+1)'(NumCols) >= {1'b0, e_q});
  assign l_last_pass = lq_last && lkend == {1'b0, k_q} && l_e_end;

  // Row i's tracker, fresh at a run's first read: filter row lr + (i - ilo) of the run
  // needs ifmap row e0*stride - pad + that filter row first, for column 0.
  logic [NumRows*YBits-1:0]  ny_now;
  logic [NumRows*NjBits-1:0] nj_now;
  logic [NumRows-1:0]      take;
  for (genvar i = 0; i < NumRows; i++) begin : g_track
    logic in_run;
    assign in_run    = (DimBits+1)'(i) - (DimBits+1)'(ilo_q) < rw;  // wraps above rw for i < ilo
    logic [YBits-1:0]  ny;
    logic [NjBits-1:0] nj;
    assign ny = run_new_q ? YBits'(le0s_q - pad_s + $signed(YBits'(lr_q)) + $signed(YBits'(i))
                                   - $signed(YBits'(ilo_q)))
                          : ny_q[i*YBits +: YBits];
    assign nj = run_new_q ? '0 : nj_q[i*NjBits +: NjBits];
    assign ny_now[i*YBits +: YBits]   = ny;
    assign nj_now[i*NjBits +: NjBits] = nj;
    assign take[i]   = in_run && ny == YBits'(y_q) && (DimBits+1)'(nj) < ncv;
    assign icol_o[i*ColBits +: ColBits] = ColBits'(nj);
  end

  // ---- the step walk ---------------------------------------------------------------
  logic               stepping, s_begin, pass_end, s_qlast, s_end, f_end, k_end, s_e_end;
  logic [DimBits:0]   skend;
  logic signed [YBits-1:0] x;
  assign stepping = sst_q == SStep;
  // A pass may start when one is loaded, or its last load is issued now.
  assign s_begin  = sst_q == SIdle && (held_q != '0 || load_done);
  assign s_qlast  = qlast_q[sibank_q];
  assign skend    = ({1'b0, sk0_q} + {1'b0, kg_q} > {1'b0, k_q}) ? {1'b0, k_q}
                                                               : {1'b0, sk0_q} + {1'b0, kg_q};
  // Step: ifmap column f*stride + s - pad of the row in every PE's scratchpad.
  assign x        = xb_q + $signed({{(YBits-DimBits){1'b0}}, ss_q});
  assign s_end    = (ss_q + 1'b1 == s_q);
  assign f_end    = (ff_q + 1'b1 == f_q);
  assign k_end    = ({1'b0, kk_q} + 1'b1 == skend);
  assign s_e_end  = ({1'b0, se0_q} + (DimBits+1)'(NumCols) >= {1'b0, e_q});
  assign pass_end = stepping && s_end && f_end && k_end;

  always_comb begin
    iload_o = loading ? take : '0;
    izero_o = !y_valid;
    ird_o   = loading && y_valid;
    iaddr_o = IAddrBits'(rowbase_q + 32'(y_q[YBits-2:0]));
    ibank_o = lbank_q;
    // Filter reads: a pass's first filter in the cycle before its first step, the next
    // filter in the last step of the current one.
    frd_o   = s_begin || (stepping && s_end && f_end && !k_end);
    faddr_o = fptr_q;
    fbank_o = s_begin ? 1'b0 : !bank_q;
    step_valid_o = stepping;
    step_first_o = (ss_q == '0);
    step_last_o  = s_end;
    step_s_o     = SBits'(ss_q);
    step_x_o     = XBits'(x[YBits-2:0]);
    step_xzero_o = x[YBits-1] || (x >= $signed({{(YBits-DimBits){1'b0}}, w_q}));
    step_bank_o  = bank_q;
    step_ibank_o = sibank_q;
    tag_valid_o    = stepping && s_end;
    tag_first_o    = qfirst_q;
    tag_last_o     = s_qlast;
    tag_job_last_o = s_qlast && k_end && f_end && s_e_end && (skend == {1'b0, k_q});
    tag_paddr_o    = paddr_q;
    tag_k_o        = kk_q;
    tag_e0_o       = se0_q;
    tag_f_o        = ff_q;
  end

  // The load walker.
  always_comb begin
    // A waiting walker keeps its place: the next run's fresh trackers included.
    lst_d = lst_q; lbank_d = lbank_q; run_new_d = loading ? 1'b0 : run_new_q; le0_d = le0_q;
    lk0_d = lk0_q; lc_d = lc_q; lr_d = lr_q; rr_d = rr_q; ilo_d = ilo_q; lj_d = lj_q;
    le0s_d = le0s_q; y_d = y_q; rowbase_d = rowbase_q; ny_d = ny_q; nj_d = nj_q;
    if (loading) begin
      for (int unsigned i = 0; i < NumRows; i++) begin
        ny_d[i*YBits+:YBits]   = ny_now[i*YBits+:YBits] + (take[i] ? YBits'(stride_q) : '0);
        nj_d[i*NjBits+:NjBits] = nj_now[i*NjBits+:NjBits] + (take[i] ? NjBits'(1) : '0);
      end
    end
    if (start_i) begin
      lst_d = LLoad; lbank_d = 1'b0; run_new_d = 1'b1;
      le0_d = '0; lk0_d = '0; lc_d = '0; lr_d = '0; rr_d = '0; ilo_d = '0; lj_d = '0; le0s_d = '0;
      y_d = -$signed({{(YBits-DimBits){1'b0}}, job_pad_i});
      rowbase_d = '0;
    end else if (loading) begin
      if (!run_col_end) begin
        rr_d = rr_q + 1'b1;
        y_d  = y_q + $signed(YBits'(1));
      end else if (!run_end) begin
        // The next column: its rows from rr_restart (y of (lj+1, rr_restart)).
        lj_d = lj_q + 1'b1;
        rr_d = DimBits'(rr_restart);
        y_d  = y_q + stride_s - $signed(YBits'(rhi)) + $signed(YBits'(rr_restart));
      end else begin
        // The run is read: the next slot starts the next run, or the next fold.
        lr_d = DimBits'(lr_after);
        lc_d = DimBits'(lc_after);
        if (next_chan) rowbase_d = rowbase_q + 32'(h_q);
        ilo_d = RowBits'((DimBits+1)'(ilo_q) + rw);
        lj_d  = '0;
        rr_d  = DimBits'(lr_after);
        y_d   = le0s_q + $signed(YBits'(lr_after)) - pad_s;
        run_new_d = 1'b1;
        if (fold_end) begin
          // The pass is loaded: the next one starts at the fold's first PE row, in the
          // other bank; after a group's last fold, at the first slot of the next group
          // or E-fold.
          ilo_d   = '0;
          lbank_d = IfmapBanks > 1 && !lbank_q;
          if (lq_last) begin
            lc_d = '0; lr_d = '0; rr_d = '0; rowbase_d = '0;
            y_d = le0s_q - pad_s;
            if (lkend != {1'b0, k_q}) begin
              lk0_d = DimBits'(lkend);
            end else if (!l_e_end) begin
              lk0_d  = '0;
              le0_d  = le0_q + DimBits'(NumCols);
              le0s_d = le0s_q + $signed(YBits'(NumCols)) * stride_s;
              y_d    = le0s_q + $signed(YBits'(NumCols)) * stride_s - pad_s;
            end
          end
        end
      end
    end
    // The next pass's bank is free once the pass before last has all its steps issued.
    if (!start_i) begin
      if (load_done && l_last_pass) lst_d = LDone;
      else if (lst_q != LDone) lst_d = (held_d < 2'(IfmapBanks)) ? LLoad : LWait;
    end
  end

  // The step walker, and the passes held between the two.
  always_comb begin
    sst_d = sst_q; sibank_d = sibank_q; qfirst_d = qfirst_q; bank_d = bank_q; se0_d = se0_q;
    sk0_d = sk0_q; kk_d = kk_q; ff_d = ff_q; ss_d = ss_q; xb_d = xb_q; fptr_d = fptr_q;
    paddr_d = paddr_q;
    held_d  = held_q + (load_done ? 2'd1 : 2'd0) - (pass_end ? 2'd1 : 2'd0);
    qlast_d = qlast_q;
    if (load_done && !lbank_q) qlast_d[0] = lq_last;
    if (load_done && lbank_q) qlast_d[1] = lq_last;
    if (start_i) begin
      sst_d = SIdle; sibank_d = 1'b0; qfirst_d = 1'b1; se0_d = '0; sk0_d = '0; fptr_d = '0;
      held_d = '0;
    end else if (s_begin) begin
      sst_d = SStep;
      fptr_d = fptr_q + 1'b1;
      kk_d = sk0_q; ff_d = '0; ss_d = '0; bank_d = 1'b0; paddr_d = '0;
      xb_d = -pad_s;
    end else if (stepping) begin
      if (frd_o) fptr_d = fptr_q + 1'b1;
      ss_d = ss_q + 1'b1;
      if (s_end) begin
        ss_d = '0;
        ff_d = ff_q + 1'b1;
        xb_d = xb_q + stride_s;
        paddr_d = paddr_q + 1'b1;
        if (f_end) begin
          ff_d = '0;
          xb_d = -pad_s;
          kk_d = kk_q + 1'b1;
          bank_d = !bank_q;
          if (k_end) begin
            // End of a pass: next row fold, else next filter group, else next E-fold.
            sst_d    = SIdle;
            sibank_d = IfmapBanks > 1 && !sibank_q;
            qfirst_d = s_qlast;
            if (s_qlast) begin
              if (skend != {1'b0, k_q}) begin
                sk0_d = DimBits'(skend);
              end else if (!s_e_end) begin
                sk0_d  = '0;
                fptr_d = '0;
                se0_d  = se0_q + DimBits'(NumCols);
              end else begin
                sst_d = SDone;
              end
            end
          end
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lst_q  <= LDone;
      sst_q  <= SDone;
      held_q <= '0;
    end else if (en_i || start_i) begin
      lst_q  <= lst_d;
      sst_q  <= sst_d;
      held_q <= held_d;
    end
  end

  // Loop counters, trackers and the descriptor: only read while a walker runs, set up at
  // start.
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      c_q <= job_c_i; h_q <= job_h_i; w_q <= job_w_i; k_q <= job_k_i; r_q <= job_r_i;
      s_q <= job_s_i; stride_q <= job_stride_i; pad_q <= job_pad_i; e_q <= job_e_i;
      f_q <= job_f_i; kg_q <= job_kg_i;
    end
    if (en_i || start_i) begin
      qlast_q <= qlast_d; lbank_q <= lbank_d; run_new_q <= run_new_d; le0_q <= le0_d;
      lk0_q <= lk0_d; lc_q <= lc_d; lr_q <= lr_d; rr_q <= rr_d; ilo_q <= ilo_d; lj_q <= lj_d;
      le0s_q <= le0s_d; y_q <= y_d; rowbase_q <= rowbase_d; ny_q <= ny_d; nj_q <= nj_d;
      sibank_q <= sibank_d; qfirst_q <= qfirst_d; bank_q <= bank_d; se0_q <= se0_d;
      sk0_q <= sk0_d; kk_q <= kk_d; ff_q <= ff_d; ss_q <= ss_d; xb_q <= xb_d;
      fptr_q <= fptr_d; paddr_q <= paddr_d;
    end
  end

endmodule
