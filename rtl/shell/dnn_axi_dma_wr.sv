// AXI4 write DMA: a command (a bus-aligned address and a number of bus beats) takes that
// many beats from the input stream and writes them as INCR bursts of at most MaxBurst
// beats that never cross a 4 KiB boundary, with up to Outstanding bursts awaiting their
// write response. Each input beat carries its byte strobes (a tensor row that ends inside
// a beat writes only its own bytes). The next command is taken as soon as the last burst
// of the previous one is on AW; busy_o falls when every burst is answered.
//
// AW comes from flops; W comes from a two-entry FIFO's registers, its WLAST from a counter
// against the burst lengths AW has issued (kept in order in a small FIFO), so no AXI
// output depends on an input port in the same cycle. BREADY is always high: the DMA only
// counts responses. SLVERR or DECERR sets err_o, sticky until a command is taken while
// the DMA is idle.
module dnn_axi_dma_wr #(
  parameter int unsigned AddrBits    = 32,
  parameter int unsigned DataBits    = 64,
  parameter int unsigned MaxBurst    = 16,   // beats, 1..256
  parameter int unsigned Outstanding = 4,    // bursts awaiting B, 1..255
  parameter int unsigned BeatsBits   = 32,   // width of a command's beat count
  localparam int unsigned Bytes      = DataBits / 8,
  localparam int unsigned SizeCode   = $clog2(Bytes)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // command: write `beats` bus words at `addr` (aligned to Bytes)
  input  logic                 cmd_valid_i,
  output logic                 cmd_ready_o,
  input  logic [AddrBits-1:0]  cmd_addr_i,
  input  logic [BeatsBits-1:0] cmd_beats_i,   // >= 1
  // data to write, in order
  input  logic                 in_valid_i,
  output logic                 in_ready_o,
  input  logic [DataBits-1:0]  in_data_i,
  input  logic [Bytes-1:0]     in_strb_i,
  output logic                 busy_o,
  output logic                 err_o,         // a burst answered SLVERR or DECERR
  // AXI4 master, write channels
  output logic [AddrBits-1:0]  m_axi_awaddr_o,
  output logic [7:0]           m_axi_awlen_o,
  output logic [2:0]           m_axi_awsize_o,
  output logic [1:0]           m_axi_awburst_o,
  output logic [3:0]           m_axi_awcache_o,
  output logic [2:0]           m_axi_awprot_o,
  output logic                 m_axi_awvalid_o,
  input  logic                 m_axi_awready_i,
  output logic [DataBits-1:0]  m_axi_wdata_o,
  output logic [Bytes-1:0]     m_axi_wstrb_o,
  output logic                 m_axi_wlast_o,
  output logic                 m_axi_wvalid_o,
  input  logic                 m_axi_wready_i,
  input  logic [1:0]           m_axi_bresp_i,
  input  logic                 m_axi_bvalid_i,
  output logic                 m_axi_bready_o
);

  localparam int unsigned CountBits = dnn_pkg::idx_bits(Outstanding + 1);

  if (DataBits != 64 && DataBits != 128 && DataBits != 256 && DataBits != 512) begin : g_bad_data
    $error("dnn_axi_dma_wr: DataBits must be 64, 128, 256 or 512");
  end
  if (MaxBurst < 1 || MaxBurst > 256 || Outstanding < 1 || Outstanding > 255) begin : g_bad_burst
    $error("dnn_axi_dma_wr: MaxBurst must be 1..256 and Outstanding 1..255");
  end
  if (AddrBits < 12 || AddrBits > 64 || BeatsBits < 1 || BeatsBits > 32
      || 64'(MaxBurst) >= (64'd1 << BeatsBits)) begin : g_bad_width
    $error("dnn_axi_dma_wr: AddrBits must be 12..64, BeatsBits 1..32 and hold MaxBurst");
  end

  logic                 busy_q, busy_d, err_q, err_d;
  logic [AddrBits-1:0]  addr_q, addr_d;           // next burst's address
  logic [BeatsBits-1:0] issue_q, issue_d;         // beats not yet put on AW
  logic [CountBits-1:0] pending_q, pending_d;     // bursts on AW or awaiting B
  logic                 awvalid_q, awvalid_d;
  logic [AddrBits-1:0]  awaddr_q, awaddr_d;
  logic [7:0]           awlen_q, awlen_d;
  logic [7:0]           wbeat_q, wbeat_d;         // beats sent of the current W burst

  logic [BeatsBits-1:0] burst;
  dnn_axi_burst #(.DataBits(DataBits), .MaxBurst(MaxBurst), .BeatsBits(BeatsBits)) u_burst (
    .addr_i (addr_q[11:0]),
    .left_i (issue_q),
    .beats_o(burst)
  );

  // The lengths (AWLEN) of the bursts whose W beats are still to go, in order.
  logic       len_valid, len_ready, len_pop;
  logic [7:0] len_head;
  logic       cmd_fire, aw_fire, w_fire, b_fire, load_aw;
  assign cmd_fire = cmd_valid_i && cmd_ready_o;
  assign aw_fire  = awvalid_q && m_axi_awready_i;
  assign b_fire   = m_axi_bvalid_i && m_axi_bready_o;
  assign load_aw  = busy_q && issue_q != '0 && (!awvalid_q || m_axi_awready_i)
                  && 32'(pending_q) < Outstanding && len_ready;

  dnn_fifo #(.Width(8), .Depth(Outstanding)) u_lens (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (load_aw),
    .in_ready_o (len_ready),
    .in_data_i  (8'(burst - 1'b1)),
    .out_valid_o(len_valid),
    .out_ready_i(len_pop),
    .out_data_o (len_head)
  );

  // W: the input beats through a FIFO, released only while a burst length is known.
  logic                buf_valid, buf_ready;
  logic [DataBits-1:0] buf_data;
  logic [Bytes-1:0]    buf_strb;
  dnn_fifo #(.Width(DataBits + Bytes), .Depth(2)) u_wbuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (in_valid_i),
    .in_ready_o (in_ready_o),
    .in_data_i  ({in_strb_i, in_data_i}),
    .out_valid_o(buf_valid),
    .out_ready_i(buf_ready),
    .out_data_o ({buf_strb, buf_data})
  );
  assign m_axi_wvalid_o = buf_valid && len_valid;
  assign m_axi_wdata_o  = buf_data;
  assign m_axi_wstrb_o  = buf_strb;
  assign m_axi_wlast_o  = wbeat_q == len_head;
  assign w_fire         = m_axi_wvalid_o && m_axi_wready_i;
  assign buf_ready      = len_valid && m_axi_wready_i;
  assign len_pop        = w_fire && m_axi_wlast_o;

  always_comb begin
    busy_d    = busy_q;
    err_d     = err_q;
    addr_d    = addr_q;
    issue_d   = issue_q;
    pending_d = pending_q;
    awvalid_d = awvalid_q;
    awaddr_d  = awaddr_q;
    awlen_d   = awlen_q;
    wbeat_d   = wbeat_q;
    if (cmd_fire) begin
      busy_d  = 1'b1;
      if (!busy_q) err_d = 1'b0;
      addr_d  = cmd_addr_i;
      issue_d = cmd_beats_i;
    end
    if (aw_fire) awvalid_d = 1'b0;
    if (load_aw) begin
      awvalid_d = 1'b1;
      awaddr_d  = addr_q;
      awlen_d   = 8'(burst - 1'b1);
      addr_d    = addr_q + AddrBits'(burst) * AddrBits'(Bytes);
      issue_d   = issue_q - burst;
    end
    if (w_fire) wbeat_d = m_axi_wlast_o ? 8'h0 : wbeat_q + 8'h1;
    pending_d = pending_q + CountBits'(load_aw) - CountBits'(b_fire);
    if (b_fire && m_axi_bresp_i[1]) err_d = 1'b1;
    // Done when everything is issued and the last response is in.
    if (busy_q && !cmd_fire && issue_q == '0 && pending_d == '0 && !awvalid_q) busy_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q    <= 1'b0;
      err_q     <= 1'b0;
      addr_q    <= '0;
      issue_q   <= '0;
      pending_q <= '0;
      awvalid_q <= 1'b0;
      awaddr_q  <= '0;
      awlen_q   <= '0;
      wbeat_q   <= '0;
    end else begin
      busy_q    <= busy_d;
      err_q     <= err_d;
      addr_q    <= addr_d;
      issue_q   <= issue_d;
      pending_q <= pending_d;
      awvalid_q <= awvalid_d;
      awaddr_q  <= awaddr_d;
      awlen_q   <= awlen_d;
      wbeat_q   <= wbeat_d;
    end
  end

  assign cmd_ready_o     = issue_q == '0;
  assign busy_o          = busy_q;
  assign err_o           = err_q;
  assign m_axi_awvalid_o = awvalid_q;
  assign m_axi_awaddr_o  = awaddr_q;
  assign m_axi_awlen_o   = awlen_q;
  assign m_axi_awsize_o  = 3'(SizeCode);
  assign m_axi_awburst_o = 2'b01;    // INCR
  assign m_axi_awcache_o = 4'b0011;  // normal, non-cacheable, bufferable
  assign m_axi_awprot_o  = 3'b000;
  assign m_axi_bready_o  = 1'b1;

  // SLVERR and DECERR both have bit 1 set; EXOKAY (bit 0) does not occur without locks.
  logic unused_resp;
  assign unused_resp = m_axi_bresp_i[0];

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (cmd_fire && (cmd_beats_i == '0 || cmd_addr_i[SizeCode-1:0] != '0))
      $error("dnn_axi_dma_wr: command with 0 beats or an unaligned address");
    if (awvalid_q && (32'(awaddr_q[11:0]) + (32'(awlen_q) + 1) * Bytes > 4096))
      $error("dnn_axi_dma_wr: burst crosses a 4 KiB boundary");
    if (b_fire && pending_q == '0) $error("dnn_axi_dma_wr: write response with no burst");
  end
`endif

endmodule
