// Sequencer: walks a job's bricks (tiles of windows m0.., filters n0.., bricks k0..;
// windows outermost, bricks innermost), reads each brick's activation and weight words,
// and times the brick on the tile:
//   Stripes   p cycles (p: the job's precision, or the group's detected one),
//   Pragmatic the most populated lane's oneffset count (at least 1),
//   parallel  1 cycle.
// The next brick is read in the current brick's last cycle, so bricks run back to back.
// A tile's last cycle hands its results to the output bank; if the bank is still
// draining the previous tile, that cycle (and with it the whole tile) waits.
// With RowSync (Pragmatic's per-window synchronisation) each window (tile row) starts the
// brick on the buffer outputs as soon as it has finished its previous one (row_first_o),
// and the next brick is read in the cycle the last window starts the current one, so a
// window runs at most one brick ahead of the slowest. A tile's last brick ends when every
// window has finished it: tiles stay synchronised, bricks do not.
// With Cascade (which needs RowSync), a job of one window (M = 1: a fully connected
// layer) spreads its bricks over the tile's windows instead of leaving all but one idle:
// the job's bricks go round the windows, brick after brick and tile after tile (cascade_o:
// each window takes the brick's first activation slot), and the next brick is read in the
// cycle its window starts this one. With a brick of p cycles and p <= TileRows windows a
// brick starts every cycle, as in the bit-parallel baseline, across tile boundaries too: a
// window that has finished its share of a tile of filters goes on to the next tile while
// the others finish. Each window hands its sum of a tile on at the end of its last brick
// in it (fin_o, with the tile's parity fin_par_o), and the compute path adds those sums
// into one of two tile accumulators (by parity); the tile is captured by the output bank
// once every one of its bricks has ended (capture_o, cap_par_o), in tile order. So two
// tiles are open at most: the first brick of a third waits for the oldest's capture.
// The A buffer's brick group (mt, kb) is at mt*AStepTile + kb*AStepBrick: mt*KbMax + kb
// in the kernel top, kb*ceil(MaxM/TileRows) + mt behind the shell (the loader's layout).
module dnn_bitserial_seq #(
  parameter int unsigned Mode     = 0,
  parameter int unsigned Lanes    = 16,
  parameter int unsigned TileRows = 4,
  parameter int unsigned TileCols = 4,
  parameter int unsigned InBits   = 16,
  parameter int unsigned KbMax    = 4,   // bricks per row of the buffers: ceil(MaxK / Lanes)
  parameter int unsigned DimBits  = 8,
  parameter int unsigned ABits    = 4,
  parameter int unsigned BBits    = 4,
  parameter int unsigned AStepTile  = KbMax,
  parameter int unsigned AStepBrick = 1,
  parameter int unsigned RowSync    = 0,
  parameter int unsigned Cascade    = 0,
  localparam int unsigned PBits   = $clog2(InBits + 1),
  localparam int unsigned RowBits = $clog2(TileRows + 1),
  localparam int unsigned SlotBits = dnn_pkg::idx_bits(TileRows)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               start_i,      // a job is accepted this cycle
  input  logic [DimBits-1:0] job_m_i,
  input  logic [DimBits-1:0] job_n_i,
  input  logic [DimBits-1:0] job_k_i,
  input  logic [PBits-1:0]   job_prec_i,
  input  logic               job_auto_i,   // detect the precision per brick group
  // buffer reads (data on the buffers' outputs the next cycle, held until the next read)
  output logic               rd_o,
  output logic [ABits-1:0]   a_addr_o,
  output logic [BBits-1:0]   b_addr_o,
  output logic [RowBits-1:0] rd_rows_o,    // windows of the group read that lie inside M
  // brick timing on the tile
  input  logic [PBits-1:0]   detected_prec_i,  // of the group on the buffer outputs
  input  logic [TileRows-1:0] row_more_i,    // Pragmatic: the window has bits left after this cycle
  output logic               en_o,
  output logic [TileRows-1:0] row_first_o,  // the window starts the brick on the buffer outputs
  output logic [TileRows-1:0] row_last_o,   // RowSync: the window's brick ends this cycle
  output logic               cascade_o,    // Cascade: this job's bricks are spread over the windows
  output logic               step_last_o,
  output logic [TileRows-1:0] tile_last_o,  // the window's sums leave this cycle (restart)
  output logic [TileRows-1:0] fin_o,        // Cascade: the window's sum of a tile is final
  output logic [TileRows-1:0] fin_par_o,    // Cascade: and the parity of that tile
  output logic [PBits-1:0]   prec_o,
  output logic [PBits-1:0]   bit_o,
  // hand-over to the output bank
  input  logic               bank_free_i,
  output logic               capture_o,
  output logic               cap_par_o,    // Cascade: the parity of the captured tile
  output logic [DimBits-1:0] cap_m0_o,
  output logic [DimBits-1:0] cap_n0_o,
  output logic [RowBits-1:0] cap_rows_o,
  output logic               cap_last_o
);

  // Job registers.
  logic [DimBits-1:0] m_q, m_d, n_q, n_d, k_q, k_d;
  logic [PBits-1:0]   prec_job_q, prec_job_d;
  logic               auto_q, auto_d;
  // Read side: the next brick to read.
  logic               rd_left_q, rd_left_d;
  logic [DimBits-1:0] rd_m0_q, rd_m0_d, rd_n0_q, rd_n0_d, rd_k0_q, rd_k0_d;
  logic [ABits-1:0]   a_base_q, a_base_d, a_kb_q, a_kb_d;
  logic [BBits-1:0]   b_base_q, b_base_d, b_kb_q, b_kb_d;
  // Compute side: the brick on the tile.
  logic               active_q, active_d, first_q, first_d;
  logic [PBits-1:0]   prec_q, prec_d, bit_q, bit_d;
  logic               cur_tile_last_q, cur_tile_last_d, cur_job_last_q, cur_job_last_d;
  logic [DimBits-1:0] cur_m0_q, cur_m0_d, cur_n0_q, cur_n0_d;

  logic [PBits-1:0]   prec_cur, bit_cur;
  logic               step_last, stall, adv, rd, last_k, last_n, last_m;
  // Per-window synchronisation: the windows that started the brick on the outputs, and
  // those still working on a brick they started in an earlier cycle.
  logic [TileRows-1:0] started_q, started_d, run_q, run_d, row_first, row_cont;
  logic               all_started;
  // Cascade: the job is one window's, the window of the next brick read and of the one on
  // the outputs, and the windows that take the brick on the outputs.
  logic               cascade_q, cascade_d;
  logic [SlotBits-1:0] rd_slot_q, rd_slot_d, cur_slot_q, cur_slot_d;
  logic [TileRows-1:0] take;
  logic [DimBits:0]   m_left, rd_m_left;
  // Cascade across tiles: the parity of the tile read and of the brick on the outputs,
  // whether that brick is its window's last in the tile (end), the same two for the brick
  // each window runs, and per tile parity: open (its first brick read), all its bricks
  // read, the windows whose last brick in it is read and not ended; old_q is the parity
  // of the oldest open tile, old_n0_q its first filter (tiles are captured in order).
  logic               rd_par_q, rd_par_d, cur_par_q, cur_par_d, cur_end_q, cur_end_d;
  logic [TileRows-1:0] win_end_q, win_end_d, win_par_q, win_par_d;
  logic [1:0]         open_q, open_d, read_q, read_d;
  logic [2*TileRows-1:0] pend_q, pend_d, fin_of;  // parity p's windows at p*TileRows
  logic               old_q, old_d;
  logic [DimBits-1:0] old_n0_q, old_n0_d;
  logic               en, rd_end, rd_open, open_block, cas_capture;
  logic [TileRows-1:0] fin, fin_par;

  assign prec_cur  = (first_q || RowSync != 0) ? (auto_q ? detected_prec_i : prec_job_q) : prec_q;
  assign bit_cur   = first_q ? prec_cur - 1'b1 : bit_q;
  assign take        = cascade_q ? TileRows'(1) << cur_slot_q : {TileRows{1'b1}};
  assign row_first   = (RowSync != 0) ? ({TileRows{active_q}} & ~started_q & ~run_q & take) : {TileRows{first_q}};
  assign row_cont    = (row_first | run_q) & row_more_i;
  assign all_started = &(started_q | row_first | ~take);
  // The step ends (the next brick may be read): with RowSync once every window has started
  // the brick, and for a tile's last brick once every window has finished it.
  assign step_last = (RowSync != 0) ? (all_started && (cascade_q || !(cur_tile_last_q && |row_cont)))
                   : (Mode == dnn_pkg::ModeStripes)   ? (bit_cur == '0)
                   : (Mode == dnn_pkg::ModePragmatic) ? !(|row_more_i)
                   : 1'b1;
  assign stall     = !cascade_q && active_q && step_last && cur_tile_last_q && !bank_free_i;
  assign adv       = active_q && !stall;
  // A cascaded job's windows run on while no brick is on the outputs.
  assign en        = adv || (cascade_q && |run_q);
  assign rd        = rd_left_q && (!active_q || (adv && step_last)) && !open_block;

  // Cascade: brick k0 is its window's last in the tile when no brick of the tile comes
  // round to the window again; a third tile waits for the oldest's capture.
  assign rd_end     = 32'(rd_k0_q) + Lanes * TileRows >= 32'(k_q);
  assign rd_open    = rd_k0_q == '0;
  assign open_block = cascade_q && rd_open && (&open_q);
  for (genvar r = 0; r < TileRows; r++) begin : g_fin
    assign fin[r]     = en && cascade_q && row_last_o[r] && (row_first[r] ? cur_end_q : win_end_q[r]);
    assign fin_par[r] = row_first[r] ? cur_par_q : win_par_q[r];
  end
  assign fin_of = {fin & fin_par, fin & ~fin_par};
  assign cas_capture = cascade_q && open_q[old_q] && read_q[old_q] && bank_free_i
                    && (pend_q[old_q*TileRows +: TileRows] & ~fin_of[old_q*TileRows +: TileRows]) == '0;

  // Where the read pointer goes after this read.
  assign last_k = {1'b0, rd_k0_q} + (DimBits + 1)'(Lanes) >= {1'b0, k_q};
  assign last_n = {1'b0, rd_n0_q} + (DimBits + 1)'(TileCols) >= {1'b0, n_q};
  assign last_m = {1'b0, rd_m0_q} + (DimBits + 1)'(TileRows) >= {1'b0, m_q};

  always_comb begin
    m_d             = m_q;
    n_d             = n_q;
    k_d             = k_q;
    prec_job_d      = prec_job_q;
    auto_d          = auto_q;
    rd_left_d       = rd_left_q;
    rd_m0_d         = rd_m0_q;
    rd_n0_d         = rd_n0_q;
    rd_k0_d         = rd_k0_q;
    a_base_d        = a_base_q;
    a_kb_d          = a_kb_q;
    b_base_d        = b_base_q;
    b_kb_d          = b_kb_q;
    active_d        = active_q;
    first_d         = first_q;
    prec_d          = prec_q;
    bit_d           = bit_q;
    cur_tile_last_d = cur_tile_last_q;
    cur_job_last_d  = cur_job_last_q;
    cur_m0_d        = cur_m0_q;
    cur_n0_d        = cur_n0_q;
    started_d       = started_q;
    run_d           = run_q;
    cascade_d       = cascade_q;
    rd_slot_d       = rd_slot_q;
    cur_slot_d      = cur_slot_q;
    rd_par_d        = rd_par_q;
    cur_par_d       = cur_par_q;
    cur_end_d       = cur_end_q;
    win_end_d       = win_end_q;
    win_par_d       = win_par_q;
    open_d          = open_q;
    read_d          = read_q;
    pend_d          = pend_q;
    old_d           = old_q;
    old_n0_d        = old_n0_q;
    if (start_i) begin
      m_d        = job_m_i;
      n_d        = job_n_i;
      k_d        = job_k_i;
      prec_job_d = job_prec_i;
      auto_d     = job_auto_i;
      rd_left_d  = 1'b1;
      rd_m0_d    = '0;
      rd_n0_d    = '0;
      rd_k0_d    = '0;
      a_base_d   = '0;
      a_kb_d     = '0;
      b_base_d   = '0;
      b_kb_d     = '0;
      active_d   = 1'b0;
      first_d    = 1'b0;
      started_d  = '0;
      run_d      = '0;
      cascade_d  = Cascade != 0 && job_m_i == DimBits'(1);
      rd_slot_d  = '0;
      rd_par_d   = 1'b0;
      open_d     = '0;
      read_d     = '0;
      pend_d     = '0;
      old_d      = 1'b0;
      old_n0_d   = '0;
    end else begin
      if (en) begin
        started_d = started_q | row_first;
        run_d     = row_cont;
        for (int r = 0; r < TileRows; r++) begin
          if (row_first[r]) begin
            win_end_d[r] = cur_end_q;
            win_par_d[r] = cur_par_q;
          end
        end
      end
      pend_d = pend_q & ~fin_of;
      if (cas_capture) begin
        open_d[old_q] = 1'b0;
        read_d[old_q] = 1'b0;
        old_d         = !old_q;
        old_n0_d      = old_n0_q + DimBits'(TileCols);
      end
      if (adv) begin
        first_d = 1'b0;
        prec_d  = prec_cur;
        bit_d   = bit_cur - 1'b1;
        if (step_last) active_d = 1'b0;
      end
      if (rd) begin
        active_d        = 1'b1;
        first_d         = 1'b1;
        started_d       = '0;
        cur_tile_last_d = last_k;
        cur_job_last_d  = last_k && last_n && last_m;
        cur_m0_d        = rd_m0_q;
        cur_n0_d        = rd_n0_q;
        cur_slot_d      = rd_slot_q;
        rd_slot_d       = (32'(rd_slot_q) == TileRows - 1) ? '0 : rd_slot_q + 1'b1;
        cur_par_d       = rd_par_q;
        cur_end_d       = rd_end;
        if (cascade_q) begin
          if (rd_open) open_d[rd_par_q] = 1'b1;
          if (rd_end) pend_d[32'(rd_par_q)*TileRows + 32'(rd_slot_q)] = 1'b1;
          if (last_k) begin
            read_d[rd_par_q] = 1'b1;
            rd_par_d         = !rd_par_q;
          end
        end
        if (!last_k) begin
          rd_k0_d = rd_k0_q + DimBits'(Lanes);
          a_kb_d  = a_kb_q + ABits'(AStepBrick);
          b_kb_d  = b_kb_q + 1'b1;
        end else begin
          rd_k0_d = '0;
          a_kb_d  = '0;
          b_kb_d  = '0;
          if (!last_n) begin
            rd_n0_d  = rd_n0_q + DimBits'(TileCols);
            b_base_d = b_base_q + BBits'(KbMax);
          end else begin
            rd_n0_d   = '0;
            b_base_d  = '0;
            rd_m0_d   = rd_m0_q + DimBits'(TileRows);
            a_base_d  = a_base_q + ABits'(AStepTile);
            rd_left_d = !last_m;
          end
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_q             <= '0;
      n_q             <= '0;
      k_q             <= '0;
      prec_job_q      <= '0;
      auto_q          <= 1'b0;
      rd_left_q       <= 1'b0;
      rd_m0_q         <= '0;
      rd_n0_q         <= '0;
      rd_k0_q         <= '0;
      a_base_q        <= '0;
      a_kb_q          <= '0;
      b_base_q        <= '0;
      b_kb_q          <= '0;
      active_q        <= 1'b0;
      first_q         <= 1'b0;
      prec_q          <= '0;
      bit_q           <= '0;
      cur_tile_last_q <= 1'b0;
      cur_job_last_q  <= 1'b0;
      cur_m0_q        <= '0;
      cur_n0_q        <= '0;
      started_q       <= '0;
      run_q           <= '0;
      cascade_q       <= 1'b0;
      rd_slot_q       <= '0;
      cur_slot_q      <= '0;
      rd_par_q        <= 1'b0;
      cur_par_q       <= 1'b0;
      cur_end_q       <= 1'b0;
      win_end_q       <= '0;
      win_par_q       <= '0;
      open_q          <= '0;
      read_q          <= '0;
      pend_q          <= '0;
      old_q           <= 1'b0;
      old_n0_q        <= '0;
    end else begin
      m_q             <= m_d;
      n_q             <= n_d;
      k_q             <= k_d;
      prec_job_q      <= prec_job_d;
      auto_q          <= auto_d;
      rd_left_q       <= rd_left_d;
      rd_m0_q         <= rd_m0_d;
      rd_n0_q         <= rd_n0_d;
      rd_k0_q         <= rd_k0_d;
      a_base_q        <= a_base_d;
      a_kb_q          <= a_kb_d;
      b_base_q        <= b_base_d;
      b_kb_q          <= b_kb_d;
      active_q        <= active_d;
      first_q         <= first_d;
      prec_q          <= prec_d;
      bit_q           <= bit_d;
      cur_tile_last_q <= cur_tile_last_d;
      cur_job_last_q  <= cur_job_last_d;
      cur_m0_q        <= cur_m0_d;
      cur_n0_q        <= cur_n0_d;
      started_q       <= started_d;
      run_q           <= run_d;
      cascade_q       <= cascade_d;
      rd_slot_q       <= rd_slot_d;
      cur_slot_q      <= cur_slot_d;
      rd_par_q        <= rd_par_d;
      cur_par_q       <= cur_par_d;
      cur_end_q       <= cur_end_d;
      win_end_q       <= win_end_d;
      win_par_q       <= win_par_d;
      open_q          <= open_d;
      read_q          <= read_d;
      pend_q          <= pend_d;
      old_q           <= old_d;
      old_n0_q        <= old_n0_d;
    end
  end

  assign rd_o        = rd;
  assign a_addr_o    = a_base_q + a_kb_q;
  assign b_addr_o    = b_base_q + b_kb_q;
  assign en_o        = en;
  assign row_first_o = row_first;
  assign row_last_o  = (row_first | run_q) & ~row_more_i;
  assign cascade_o   = cascade_q;
  assign step_last_o = step_last;
  // The tile's last cycle; in a cascaded job each window's last cycle in the tile.
  assign tile_last_o = cascade_q ? fin : {TileRows{adv && cur_tile_last_q && step_last}};
  assign fin_o       = fin;
  assign fin_par_o   = fin_par;
  assign prec_o      = prec_cur;
  assign bit_o       = bit_cur;
  assign capture_o   = cascade_q ? cas_capture : (adv && step_last && cur_tile_last_q);
  assign cap_par_o   = old_q;
  assign cap_m0_o    = cur_m0_q;
  assign cap_n0_o    = cascade_q ? old_n0_q : cur_n0_q;
  assign m_left      = {1'b0, m_q} - {1'b0, cur_m0_q};
  assign cap_rows_o  = (m_left < (DimBits + 1)'(TileRows)) ? RowBits'(m_left) : RowBits'(TileRows);
  assign cap_last_o  = cascade_q ? ({1'b0, old_n0_q} + (DimBits + 1)'(TileCols) >= {1'b0, n_q}) : cur_job_last_q;
  assign rd_m_left   = {1'b0, m_q} - {1'b0, rd_m0_q};
  assign rd_rows_o   = (rd_m_left < (DimBits + 1)'(TileRows)) ? RowBits'(rd_m_left) : RowBits'(TileRows);

endmodule
