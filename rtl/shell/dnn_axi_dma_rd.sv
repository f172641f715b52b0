// AXI4 read DMA: a command (a bus-aligned address and a number of bus beats) becomes
// INCR bursts of at most MaxBurst beats that never cross a 4 KiB boundary, with up to
// Outstanding bursts in flight; the data comes out in order as a valid/ready stream. The
// next command is taken as soon as the last burst of the previous one is on AR, so short
// commands (tensor rows) keep the bursts in flight back to back. out_last_o marks the
// last beat of every command taken so far. One ID (0), so the slave returns bursts in
// order.
//
// AR comes from flops, and R lands in a two-entry FIFO whose ready is registered, so
// neither RREADY nor ARVALID depends on an input port in the same cycle. A response other
// than OKAY sets err_o (sticky until a command is taken while the DMA is idle); the data
// is delivered anyway, so a command always ends.
module dnn_axi_dma_rd #(
  parameter int unsigned AddrBits    = 32,
  parameter int unsigned DataBits    = 64,
  parameter int unsigned MaxBurst    = 16,   // beats, 1..256
  parameter int unsigned Outstanding = 4,    // bursts in flight, 1..255
  parameter int unsigned BeatsBits   = 32,   // width of a command's beat count
  localparam int unsigned Bytes      = DataBits / 8,
  localparam int unsigned SizeCode   = $clog2(Bytes)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // command: read `beats` bus words from `addr` (aligned to Bytes)
  input  logic                 cmd_valid_i,
  output logic                 cmd_ready_o,
  input  logic [AddrBits-1:0]  cmd_addr_i,
  input  logic [BeatsBits-1:0] cmd_beats_i,   // >= 1
  // data
  output logic                 out_valid_o,
  input  logic                 out_ready_i,
  output logic [DataBits-1:0]  out_data_o,
  output logic                 out_last_o,    // the command's last beat
  output logic                 busy_o,
  output logic                 err_o,         // a burst answered SLVERR or DECERR
  // AXI4 master, read channels
  output logic [AddrBits-1:0]  m_axi_araddr_o,
  output logic [7:0]           m_axi_arlen_o,
  output logic [2:0]           m_axi_arsize_o,
  output logic [1:0]           m_axi_arburst_o,
  output logic [3:0]           m_axi_arcache_o,
  output logic [2:0]           m_axi_arprot_o,
  output logic                 m_axi_arvalid_o,
  input  logic                 m_axi_arready_i,
  input  logic [DataBits-1:0]  m_axi_rdata_i,
  input  logic [1:0]           m_axi_rresp_i,
  input  logic                 m_axi_rlast_i,
  input  logic                 m_axi_rvalid_i,
  output logic                 m_axi_rready_o
);

  localparam int unsigned CountBits = dnn_pkg::idx_bits(Outstanding + 1);
  // Beats taken but not yet delivered: a new command plus what is still in flight.
  localparam int unsigned DeliverBits = ((BeatsBits > 16) ? BeatsBits : 16) + 1;

  if (DataBits != 64 && DataBits != 128 && DataBits != 256 && DataBits != 512) begin : g_bad_data
    $error("dnn_axi_dma_rd: DataBits must be 64, 128, 256 or 512");
  end
  if (MaxBurst < 1 || MaxBurst > 256 || Outstanding < 1 || Outstanding > 255) begin : g_bad_burst
    $error("dnn_axi_dma_rd: MaxBurst must be 1..256 and Outstanding 1..255");
  end
  if (AddrBits < 12 || AddrBits > 64 || BeatsBits < 1 || BeatsBits > 32
      || 64'(MaxBurst) >= (64'd1 << BeatsBits)) begin : g_bad_width
    $error("dnn_axi_dma_rd: AddrBits must be 12..64, BeatsBits 1..32 and hold MaxBurst");
  end

  logic                 busy_q, busy_d, err_q, err_d;
  logic [AddrBits-1:0]  addr_q, addr_d;            // next burst's address
  logic [BeatsBits-1:0] issue_q, issue_d;          // beats not yet put on AR
  logic [DeliverBits-1:0] deliver_q, deliver_d;    // beats taken, not yet handed out
  logic [CountBits-1:0] inflight_q, inflight_d;    // bursts on AR or in flight on R
  logic                 arvalid_q, arvalid_d;
  logic [AddrBits-1:0]  araddr_q, araddr_d;
  logic [7:0]           arlen_q, arlen_d;

  // The next burst: up to MaxBurst beats, the beats left, and the beats to the page end.
  logic [BeatsBits-1:0] burst;
  dnn_axi_burst #(.DataBits(DataBits), .MaxBurst(MaxBurst), .BeatsBits(BeatsBits)) u_burst (
    .addr_i (addr_q[11:0]),
    .left_i (issue_q),
    .beats_o(burst)
  );

  logic cmd_fire, ar_fire, r_fire, r_done, out_fire, load_ar;
  assign cmd_fire = cmd_valid_i && cmd_ready_o;
  assign ar_fire  = arvalid_q && m_axi_arready_i;
  assign out_fire = out_valid_o && out_ready_i;
  assign r_done   = r_fire && m_axi_rlast_i;
  // A new burst goes on AR when AR is free (or being taken), beats remain to issue and
  // fewer than Outstanding bursts are committed.
  assign load_ar  = busy_q && issue_q != '0 && (!arvalid_q || m_axi_arready_i)
                  && 32'(inflight_q) < Outstanding;

  always_comb begin
    busy_d     = busy_q;
    err_d      = err_q;
    addr_d     = addr_q;
    issue_d    = issue_q;
    deliver_d  = deliver_q;
    inflight_d = inflight_q;
    arvalid_d  = arvalid_q;
    araddr_d   = araddr_q;
    arlen_d    = arlen_q;
    if (cmd_fire) begin
      busy_d  = 1'b1;
      if (!busy_q) err_d = 1'b0;
      addr_d  = cmd_addr_i;
      issue_d = cmd_beats_i;
    end
    deliver_d = deliver_q + (cmd_fire ? DeliverBits'(cmd_beats_i) : '0) - DeliverBits'(out_fire);
    if (ar_fire) arvalid_d = 1'b0;
    if (load_ar) begin
      arvalid_d = 1'b1;
      araddr_d  = addr_q;
      arlen_d   = 8'(burst - 1'b1);
      addr_d    = addr_q + AddrBits'(burst) * AddrBits'(Bytes);
      issue_d   = issue_q - burst;
    end
    inflight_d = inflight_q + CountBits'(load_ar) - CountBits'(r_done);
    if (r_fire && m_axi_rresp_i[1]) err_d = 1'b1;
    if (deliver_d == '0 && issue_d == '0) busy_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q     <= 1'b0;
      err_q      <= 1'b0;
      addr_q     <= '0;
      issue_q    <= '0;
      deliver_q  <= '0;
      inflight_q <= '0;
      arvalid_q  <= 1'b0;
      araddr_q   <= '0;
      arlen_q    <= '0;
    end else begin
      busy_q     <= busy_d;
      err_q      <= err_d;
      addr_q     <= addr_d;
      issue_q    <= issue_d;
      deliver_q  <= deliver_d;
      inflight_q <= inflight_d;
      arvalid_q  <= arvalid_d;
      araddr_q   <= araddr_d;
      arlen_q    <= arlen_d;
    end
  end

  // R lands in a FIFO: RREADY is its registered not-full.
  dnn_fifo #(.Width(DataBits), .Depth(2)) u_rbuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (m_axi_rvalid_i),
    .in_ready_o (m_axi_rready_o),
    .in_data_i  (m_axi_rdata_i),
    .out_valid_o(out_valid_o),
    .out_ready_i(out_ready_i),
    .out_data_o (out_data_o)
  );
  assign r_fire = m_axi_rvalid_i && m_axi_rready_o;

  assign cmd_ready_o     = issue_q == '0;
  assign out_last_o      = deliver_q == DeliverBits'(1);
  assign busy_o          = busy_q;
  assign err_o           = err_q;
  assign m_axi_arvalid_o = arvalid_q;
  assign m_axi_araddr_o  = araddr_q;
  assign m_axi_arlen_o   = arlen_q;
  assign m_axi_arsize_o  = 3'(SizeCode);
  assign m_axi_arburst_o = 2'b01;    // INCR
  assign m_axi_arcache_o = 4'b0011;  // normal, non-cacheable, bufferable
  assign m_axi_arprot_o  = 3'b000;

  // SLVERR and DECERR both have bit 1 set; EXOKAY (bit 0) does not occur without locks.
  logic unused_resp;
  assign unused_resp = m_axi_rresp_i[0];

`ifndef SYNTHESIS
  // The command's address is bus-aligned and asks for at least one beat; no burst crosses
  // a 4 KiB page; R never brings more bursts than were asked for.
  always_ff @(posedge clk_i) begin
    if (cmd_fire && (cmd_beats_i == '0 || cmd_addr_i[SizeCode-1:0] != '0))
      $error("dnn_axi_dma_rd: command with 0 beats or an unaligned address");
    if (arvalid_q && (32'(araddr_q[11:0]) + (32'(arlen_q) + 1) * Bytes > 4096))
      $error("dnn_axi_dma_rd: burst crosses a 4 KiB boundary");
    if (r_fire && !busy_q) $error("dnn_axi_dma_rd: read data with no command");
  end
`endif

endmodule
