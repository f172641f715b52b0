// Row-stationary sequencer: walks one conv2d job's loop nest (docs/row_stationary.md):
// E-fold e0, filter group k0, row fold, each such pass loading the fold's ifmap rows into
// the PEs' ifmap scratchpads, then stepping for k < kend, f < F, s < S one array step a
// cycle. Two walkers share the nest, one pass apart, so a pass's loads overlap the pass
// before's steps: the ifmap scratchpad has two banks, and pass n loads into bank n mod 2.
//   * The load walker (dnn_rs_load_walk: the Eyeriss multicast) issues one ifmap-row
//     load a cycle. It starts pass n once pass n-1's loads are issued and pass n-2's
//     steps are (its bank is then free: held_q <= 1).
//   * The step walker starts pass n once its loads are issued and pass n-1's last step
//     is, with one cycle between them in which it reads the pass's first filter word.
// Within a pass the walk reads rows in increasing order, so PE row i is first written i
// or more cycles into a pass's loads: after its last step of the pass that used the bank
// before (steps reach row i i cycles after issue).
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

  typedef enum logic [1:0] {SIdle, SStep, SDone} sstate_e;

  // Job descriptor, latched at accept (the step walk's part).
  logic [DimBits-1:0] w_q, k_q, s_q, stride_q, pad_q, e_q, f_q, kg_q;
  // Passes whose loads are issued and whose steps are not all issued (0, 1 or 2), and for
  // each ifmap bank whether its pass is the last row fold of its filter group.
  logic [1:0] held_q, held_d;
  logic [1:0] qlast_q, qlast_d;
  // Step walker: its pass (E-fold se0, group sk0, ifmap bank sibank), filter kk, output
  // column ff, weight ss, the filter bank, the psum address and the filter pointer.
  sstate_e            sst_q, sst_d;
  logic               sibank_q, qfirst_q, bank_q;
  logic [DimBits-1:0] se0_q, sk0_q, kk_q, ff_q, ss_q;
  logic signed [YBits-1:0] xb_q;
  logic [FAddrBits-1:0] fptr_q;
  logic [PAddrBits-1:0] paddr_q;

  logic               sibank_d, qfirst_d, bank_d;
  logic [DimBits-1:0] se0_d, sk0_d, kk_d, ff_d, ss_d;
  logic signed [YBits-1:0] xb_d;
  logic [FAddrBits-1:0] fptr_d;
  logic [PAddrBits-1:0] paddr_d;

  logic signed [YBits-1:0] pad_s, stride_s;
  assign pad_s    = $signed({{(YBits-DimBits){1'b0}}, pad_q});
  assign stride_s = $signed({{(YBits-DimBits){1'b0}}, stride_q});

  // ---- the load walk ---------------------------------------------------------------
  // The next pass may load once the pass two back has stepped (its bank is then free).
  logic lbank, load_done, lq_last, l_loading, l_done;
  dnn_rs_load_walk #(
    .NumRows   (NumRows),
    .NumCols   (NumCols),
    .IfmapBanks(IfmapBanks),
    .IAddrBits (IAddrBits)
  ) u_load (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .en_i        (en_i),
    .start_i     (start_i),
    .may_load_i  (held_d < 2'(IfmapBanks)),
    .job_c_i     (job_c_i),
    .job_h_i     (job_h_i),
    .job_k_i     (job_k_i),
    .job_r_i     (job_r_i),
    .job_stride_i(job_stride_i),
    .job_pad_i   (job_pad_i),
    .job_e_i     (job_e_i),
    .job_kg_i    (job_kg_i),
    .loading_o   (l_loading),
    .iload_o     (iload_o),
    .ird_o       (ird_o),
    .iaddr_o     (iaddr_o),
    .icol_o      (icol_o),
    .izero_o     (izero_o),
    .ibank_o     (lbank),
    .load_done_o (load_done),
    .lq_last_o   (lq_last),
    .done_o      (l_done)
  );
  logic unused_walk;
  assign unused_walk = ^{l_loading, l_done};
  assign ibank_o = lbank;

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

  // The step walker, and the passes held between the two.
  always_comb begin
    sst_d = sst_q; sibank_d = sibank_q; qfirst_d = qfirst_q; bank_d = bank_q; se0_d = se0_q;
    sk0_d = sk0_q; kk_d = kk_q; ff_d = ff_q; ss_d = ss_q; xb_d = xb_q; fptr_d = fptr_q;
    paddr_d = paddr_q;
    held_d  = held_q + (load_done ? 2'd1 : 2'd0) - (pass_end ? 2'd1 : 2'd0);
    qlast_d = qlast_q;
    if (load_done && !lbank) qlast_d[0] = lq_last;
    if (load_done && lbank) qlast_d[1] = lq_last;
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
      sst_q  <= SDone;
      held_q <= '0;
    end else if (en_i || start_i) begin
      sst_q  <= sst_d;
      held_q <= held_d;
    end
  end

  // Loop counters and the descriptor: only read while the step walker runs, set up at
  // start.
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      w_q <= job_w_i; k_q <= job_k_i; s_q <= job_s_i; stride_q <= job_stride_i;
      pad_q <= job_pad_i; e_q <= job_e_i; f_q <= job_f_i; kg_q <= job_kg_i;
    end
    if (en_i || start_i) begin
      qlast_q <= qlast_d;
      sibank_q <= sibank_d; qfirst_q <= qfirst_d; bank_q <= bank_d; se0_q <= se0_d;
      sk0_q <= sk0_d; kk_q <= kk_d; ff_q <= ff_d; ss_q <= ss_d; xb_q <= xb_d;
      fptr_q <= fptr_d; paddr_q <= paddr_d;
    end
  end

endmodule
