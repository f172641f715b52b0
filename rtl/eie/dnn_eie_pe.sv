// One EIE processing element. Holds rows p, p+NumPes, ... of every layer's matrix in
// CSC form and the same rows of the activation vectors:
//   FIFO of broadcast (pointer index k, x) -> pointer read (even/odd banks, p[k], p[k+1])
//   -> one-entry column register -> column walker (one entry address per cycle) -> entry
//   read (v, z) -> row = previous row + 1 + z; codebook decode; multiply -> accumulate
//   into the row's register, with a bypass when the previous accumulate hit the same row.
// The pointer stage reads the FIFO head's pointers whenever its data register is free, so
// it runs ahead of the walker: a column this PE holds no entry of (p[k+1] == p[k]) retires
// there without costing the walker a cycle, and a non-empty column waits in the column
// register (or goes straight to the walker when both are free). The walker starts the next
// column the cycle after the previous column's last entry.
// Two activation files: the source (read by the LNZD scanner) and the destination
// (written by write-back through requant + ReLU); sel_i says which is the source, and
// the top flips it after every layer so a layer's output is the next layer's input.
// Timing is mirrored by model/src/eie/cycle_model.cpp.
module dnn_eie_pe #(
  parameter int unsigned FifoDepth = 8,
  parameter int unsigned IndexBits = 4,
  parameter int unsigned ActBits   = 16,
  parameter int unsigned AccBits   = 32,
  parameter int unsigned FracBits  = 8,
  parameter int unsigned Relu      = 1,
  parameter int unsigned ActDepth  = 16,   // words per activation file
  parameter int unsigned AccDepth  = 16,   // accumulators (local rows)
  parameter int unsigned NumPtrs   = 65,   // pointer memory words
  parameter int unsigned PtrIdxBits = 7,
  parameter int unsigned MaxEntries = 1024,
  parameter int unsigned PtrBits   = 11,
  parameter int unsigned LdAddrBits = 10,
  parameter int unsigned LdDataBits = 16,
  localparam int unsigned ActAddrBits = dnn_pkg::idx_bits(ActDepth),
  localparam int unsigned AccAddrBits = dnn_pkg::idx_bits(AccDepth),
  localparam int unsigned EntAddrBits = dnn_pkg::idx_bits(MaxEntries)
) (
  input  logic                               clk_i,
  input  logic                               rst_ni,
  // loader (decoded for this PE; only while idle)
  input  logic                               ld_ptr_we_i,
  input  logic                               ld_ent_we_i,
  input  logic                               ld_act_we_i,
  input  logic [LdAddrBits-1:0]              ld_addr_i,
  input  logic [LdDataBits-1:0]              ld_data_i,
  input  logic [(1<<IndexBits)*16-1:0]       codebook_i,
  input  logic                               sel_i,        // source file: 0 or 1
  // broadcast from the scanner
  input  logic                               bc_valid_i,
  input  logic [PtrIdxBits-1:0]              bc_k_i,
  input  logic [ActBits-1:0]                 bc_x_i,
  output logic                               bc_ready_o,
  // source-file read ports: scanner and host result read
  input  logic [ActAddrBits-1:0]             lz_addr_i,
  output logic [ActBits-1:0]                 lz_data_o,
  input  logic [ActAddrBits-1:0]             rd_addr_i,
  output logic [ActBits-1:0]                 rd_data_o,
  // write-back of one local row
  input  logic                               wb_valid_i,
  input  logic [AccAddrBits-1:0]             wb_addr_i,
  output logic [AccBits-1:0]                 wb_acc_o,     // the raw sum write-back reads
  output logic                               idle_o
);

  localparam int unsigned EntBits     = IndexBits + 4;
  localparam int unsigned QBits       = PtrIdxBits + ActBits;

  // ---- activation FIFO ----
  logic             q_valid, pop;
  logic [QBits-1:0] q_data;
  dnn_fifo #(.Width(QBits), .Depth(FifoDepth)) u_fifo (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (bc_valid_i),
    .in_ready_o (bc_ready_o),
    .in_data_i  ({bc_k_i, bc_x_i}),
    .out_valid_o(q_valid),
    .out_ready_i(pop),
    .out_data_o (q_data)
  );

  // ---- pointer read ----
  logic [PtrBits-1:0] p_start, p_end;
  logic               pv_q, pv_d;
  logic [ActBits-1:0] px_q, px_d;
  dnn_eie_ptr_banks #(.NumPtrs(NumPtrs), .IdxBits(PtrIdxBits), .PtrBits(PtrBits)) u_ptr (
    .clk_i  (clk_i),
    .we_i   (ld_ptr_we_i),
    .waddr_i(PtrIdxBits'(ld_addr_i)),
    .wdata_i(PtrBits'(ld_data_i)),
    .re_i   (pop),
    .raddr_i(q_data[QBits-1:ActBits]),
    .start_o(p_start),
    .end_o  (p_end)
  );

  // ---- column register and column walker ----
  logic               hv_q, hv_d;                  // a non-empty column waits for the walker
  logic [PtrBits-1:0] h_start_q, h_start_d, h_end_q, h_end_d;
  logic [ActBits-1:0] hx_q, hx_d;
  logic               wk_active_q, wk_active_d, wk_first_q, wk_first_d;
  logic [PtrBits-1:0] wk_cur_q, wk_cur_d, wk_end_q, wk_end_d;
  logic [ActBits-1:0] wk_x_q, wk_x_d;
  logic               p_full, wk_free, take_h, take_p, h_free, consume;

  assign p_full  = pv_q && (p_start != p_end);
  assign wk_free = !(wk_active_q && (wk_cur_q + 1'b1 != wk_end_q));
  assign take_h  = hv_q && wk_free;
  assign take_p  = !hv_q && wk_free && p_full;   // both free: straight to the walker
  assign h_free  = !hv_q || take_h;
  // Pointer data retires when empty, or moves on when the column register frees.
  assign consume = pv_q && (!p_full || h_free);
  assign pop     = q_valid && (!pv_q || consume);

  always_comb begin
    pv_d        = pop || (pv_q && !consume);
    px_d        = pop ? q_data[ActBits-1:0] : px_q;
    hv_d        = hv_q && !take_h;
    h_start_d   = h_start_q;
    h_end_d     = h_end_q;
    hx_d        = hx_q;
    if (p_full && h_free && !take_p) begin
      hv_d      = 1'b1;
      h_start_d = p_start;
      h_end_d   = p_end;
      hx_d      = px_q;
    end
    wk_active_d = !wk_free;
    wk_first_d  = 1'b0;
    wk_cur_d    = wk_active_q ? wk_cur_q + 1'b1 : wk_cur_q;
    wk_end_d    = wk_end_q;
    wk_x_d      = wk_x_q;
    if (take_h || take_p) begin
      wk_active_d = 1'b1;
      wk_first_d  = 1'b1;
      wk_cur_d    = take_h ? h_start_q : p_start;
      wk_end_d    = take_h ? h_end_q : p_end;
      wk_x_d      = take_h ? hx_q : px_q;
    end
  end

  // ---- entry read (stage E) ----
  logic [EntBits-1:0] entry;
  dnn_sram_1r1w #(.Depth(MaxEntries), .Width(EntBits)) u_entries (
    .clk_i  (clk_i),
    .we_i   (ld_ent_we_i),
    .waddr_i(EntAddrBits'(ld_addr_i)),
    .wdata_i(EntBits'(ld_data_i)),
    .re_i   (wk_active_q),
    .raddr_i(EntAddrBits'(wk_cur_q)),
    .rdata_o(entry)
  );

  logic                   ev_q, efirst_q;
  logic [ActBits-1:0]     ex_q;
  logic [AccAddrBits-1:0] row_q, row_e;
  logic [IndexBits-1:0]   ent_v;
  logic [3:0]             ent_z;

  assign ent_v = entry[EntBits-1:4];
  assign ent_z = entry[3:0];
  // z zeros precede this entry: the first entry of a column sits at row z.
  assign row_e = efirst_q ? AccAddrBits'(ent_z) : row_q + 1'b1 + AccAddrBits'(ent_z);

  // ---- arithmetic unit: decode, multiply (stage M), accumulate with bypass (stage A) ----
  logic                   acc_we, au_busy;
  logic [AccAddrBits-1:0] acc_raddr, acc_waddr;
  logic [AccBits-1:0]     acc_wdata;
  // Accumulators as one flat vector: resets in one assignment at any depth.
  logic [AccDepth*AccBits-1:0] acc_q;

  dnn_eie_au #(.IndexBits(IndexBits), .ActBits(ActBits), .AccBits(AccBits), .AccAddrBits(AccAddrBits)) u_au (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .codebook_i (codebook_i),
    .in_valid_i (ev_q),
    .in_v_i     (ent_v),
    .in_x_i     (ex_q),
    .in_row_i   (row_e),
    .acc_raddr_o(acc_raddr),
    .acc_rdata_i(acc_q[acc_raddr*AccBits +: AccBits]),
    .acc_we_o   (acc_we),
    .acc_waddr_o(acc_waddr),
    .acc_wdata_o(acc_wdata),
    .busy_o     (au_busy)
  );

  // ---- write-back ----
  logic [ActBits-1:0] wb_act;
  assign wb_acc_o = acc_q[wb_addr_i*AccBits +: AccBits];
  dnn_eie_requant #(.ActBits(ActBits), .AccBits(AccBits), .FracBits(FracBits), .Relu(Relu)) u_requant (
    .acc_i(wb_acc_o),
    .act_o(wb_act)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pv_q        <= 1'b0;
      px_q        <= '0;
      hv_q        <= 1'b0;
      h_start_q   <= '0;
      h_end_q     <= '0;
      hx_q        <= '0;
      wk_active_q <= 1'b0;
      wk_first_q  <= 1'b0;
      wk_cur_q    <= '0;
      wk_end_q    <= '0;
      wk_x_q      <= '0;
      ev_q        <= 1'b0;
      efirst_q    <= 1'b0;
      ex_q        <= '0;
      row_q       <= '0;
    end else begin
      pv_q        <= pv_d;
      px_q        <= px_d;
      hv_q        <= hv_d;
      h_start_q   <= h_start_d;
      h_end_q     <= h_end_d;
      hx_q        <= hx_d;
      wk_active_q <= wk_active_d;
      wk_first_q  <= wk_first_d;
      wk_cur_q    <= wk_cur_d;
      wk_end_q    <= wk_end_d;
      wk_x_q      <= wk_x_d;
      ev_q        <= wk_active_q;
      efirst_q    <= wk_first_q;
      ex_q        <= wk_x_q;
      if (ev_q) row_q <= row_e;
    end
  end

  // Accumulators start at zero and are cleared as write-back reads them.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q <= '0;
    end else if (wb_valid_i) begin
      acc_q[wb_addr_i*AccBits +: AccBits] <= '0;
    end else if (acc_we) begin
      acc_q[acc_waddr*AccBits +: AccBits] <= acc_wdata;
    end
  end

  // ---- activation files: the loader fills the source, write-back the destination ----
  logic [ActAddrBits-1:0] act_waddr;
  logic [ActBits-1:0]     act_wdata;
  assign act_waddr = wb_valid_i ? ActAddrBits'(wb_addr_i) : ActAddrBits'(ld_addr_i);
  assign act_wdata = wb_valid_i ? wb_act : ActBits'(ld_data_i);

  dnn_eie_act_rw #(.ActBits(ActBits), .ActDepth(ActDepth)) u_act (
    .clk_i    (clk_i),
    .sel_i    (sel_i),
    .ld_we_i  (ld_act_we_i),
    .wb_we_i  (wb_valid_i),
    .waddr_i  (act_waddr),
    .wdata_i  (act_wdata),
    .lz_addr_i(lz_addr_i),
    .lz_data_o(lz_data_o),
    .rd_addr_i(rd_addr_i),
    .rd_data_o(rd_data_o)
  );

  assign idle_o    = !q_valid && !pv_q && !hv_q && !wk_active_q && !ev_q && !au_busy;

  logic unused_ld;
  assign unused_ld = ^{ld_addr_i, ld_data_i, ent_z};  // z bits above the row width (small configs)

endmodule
