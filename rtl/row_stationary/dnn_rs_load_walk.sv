// The row-stationary load walk: the order in which one conv2d job reads ifmap rows from
// the ifmap buffer into the PEs' scratchpads (docs/row_stationary.md). One step a cycle
// while en_i; a step is one row load, from the buffer (ird_o, row c*H + y at iaddr_o) or
// zeros (a row above or below the input: izero_o). Passes in the sequencer's nest order:
// E-fold e0, filter group k0, row fold; a pass's first step follows the one before's last
// while may_load_i (its scratchpad bank is free), else the walk waits there.
// Two users: dnn_rs_seq, whose loads it drives (may_load_i: the pass two back has stepped),
// and, with ring buffers, the row-stationary shell, which walks a copy of it ahead of the
// core to read the same rows from memory in the same order (may_load_i tied high, en_i
// when a read is issued or the step is a zero row).
// Loads multicast as in Eyeriss: PE (i, j) needs ifmap row (c, (e0+j)*stride + r - pad)
// of its (channel, filter row) slot, and the PEs of one channel's run of rows that need
// the same row lie on a diagonal. The fold is walked run by run; within a run, column
// by column, each row not read before is read once (row-major: the rows of column j the
// previous column did not need), and every PE row takes it into the column its tracker
// (the next row it needs and the column it goes to) names. Rows are read in increasing
// order within a run. All outputs are combinational from the state.
module dnn_rs_load_walk #(
  parameter int unsigned NumRows    = 4,
  parameter int unsigned NumCols    = 4,
  parameter int unsigned IfmapBanks = 2,
  parameter int unsigned IAddrBits  = 4,
  localparam int unsigned DimBits = 16,
  localparam int unsigned ColBits = dnn_pkg::idx_bits(NumCols)
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       en_i,
  input  logic                       start_i,      // job accepted: latch the descriptor
  input  logic                       may_load_i,   // the next pass may start loading
  input  logic [DimBits-1:0]         job_c_i,
  input  logic [DimBits-1:0]         job_h_i,
  input  logic [DimBits-1:0]         job_k_i,
  input  logic [DimBits-1:0]         job_r_i,
  input  logic [DimBits-1:0]         job_stride_i,
  input  logic [DimBits-1:0]         job_pad_i,
  input  logic [DimBits-1:0]         job_e_i,
  input  logic [DimBits-1:0]         job_kg_i,
  // this cycle's step: PE row i writes column icol_o[i] of bank ibank_o where iload_o[i]
  output logic                       loading_o,
  output logic [NumRows-1:0]         iload_o,
  output logic                       ird_o,
  output logic [IAddrBits-1:0]       iaddr_o,
  output logic [NumRows*ColBits-1:0] icol_o,
  output logic                       izero_o,
  output logic                       ibank_o,
  // the pass's last step is now (load_done_o), and whether that pass is its filter
  // group's last row fold
  output logic                       load_done_o,
  output logic                       lq_last_o,
  output logic                       done_o        // every pass's loads issued
);

  localparam int unsigned YBits = DimBits + 4;  // signed ifmap coordinates
  localparam int unsigned NjBits = $clog2(NumCols + 1);
  localparam int unsigned RowBits = dnn_pkg::idx_bits(NumRows);

  typedef enum logic [1:0] {LWait, LLoad, LDone} lstate_e;

  // The descriptor, latched at accept.
  logic [DimBits-1:0] c_q, h_q, k_q, r_q, stride_q, pad_q, e_q, kg_q;
  // The walker: its pass (E-fold le0, group lk0) and bank; (lc, lr) is the (channel,
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

  logic               lbank_d, run_new_d;
  logic [DimBits-1:0] le0_d, lk0_d, lc_d, lr_d, rr_d;
  logic [RowBits-1:0] ilo_d;
  logic [ColBits-1:0] lj_d;
  logic signed [YBits-1:0] le0s_d, y_d;
  logic [31:0]        rowbase_d;
  logic [NumRows*YBits-1:0]  ny_d;
  logic [NumRows*NjBits-1:0] nj_d;

  logic signed [YBits-1:0] pad_s, stride_s;
  assign pad_s    = $signed({{(YBits-DimBits){1'b0}}, pad_q});
  assign stride_s = $signed({{(YBits-DimBits){1'b0}}, stride_q});

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

  assign loading_o   = loading;
  assign iload_o     = loading ? take : '0;
  assign izero_o     = !y_valid;
  assign ird_o       = loading && y_valid;
  assign iaddr_o     = IAddrBits'(rowbase_q + 32'(y_q[YBits-2:0]));
  assign ibank_o     = lbank_q;
  assign load_done_o = load_done;
  assign lq_last_o   = lq_last;
  assign done_o      = lst_q == LDone;

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
    if (!start_i) begin
      if (load_done && l_last_pass) lst_d = LDone;
      else if (lst_q != LDone) lst_d = may_load_i ? LLoad : LWait;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) lst_q <= LDone;
    else if (en_i || start_i) lst_q <= lst_d;
  end

  // The walk and the descriptor: only read while the walker runs, set up at start.
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      c_q <= job_c_i; h_q <= job_h_i; k_q <= job_k_i; r_q <= job_r_i; stride_q <= job_stride_i;
      pad_q <= job_pad_i; e_q <= job_e_i; kg_q <= job_kg_i;
    end
    if (en_i || start_i) begin
      lbank_q <= lbank_d; run_new_q <= run_new_d; le0_q <= le0_d; lk0_q <= lk0_d; lc_q <= lc_d;
      lr_q <= lr_d; rr_q <= rr_d; ilo_q <= ilo_d; lj_q <= lj_d; le0s_q <= le0s_d; y_q <= y_d;
      rowbase_q <= rowbase_d; ny_q <= ny_d; nj_q <= nj_d;
    end
  end

endmodule
