// AXI4-Lite register file of the accelerator shell: the common block (identification and
// configuration read-back, control, status, interrupts, counters) and the layer
// descriptor, at the offsets of dnn_shell_regs_pkg, which `dnngen regmap --sv` generates
// from rtl/shell/regmap.yaml (docs/shell.md has the table).
//
// One write and one read in flight: AW and W are taken independently, each into its own
// register; the write happens when both are held and B answers the next cycle. AR is
// taken while no read data waits. Every ready and valid comes from a flop, so no path runs
// from an input port to an output port. Unmapped offsets answer SLVERR; writes to
// read-only registers and to undefined bits are ignored.
//
// The engine side sees the descriptor words as one flat bus (word i at [i*32 +: 32]) and
// one-cycle pulses for START, ABORT and SOFT_RESET; it reports layer ends and errors as
// pulses and drives the busy flag, the queue level and the counters.
module dnn_shell_regs #(
  parameter int unsigned AddrBits      = 12,  // AXI4-Lite address width
  parameter int unsigned EngineKind    = 1,   // dnn_shell_regs_pkg::Engine* values
  parameter int unsigned EngineVariant = 0,
  parameter int unsigned EngineOps     = 1,   // bit i: op i runs
  parameter int unsigned ConfigHash    = 0,
  parameter int unsigned ArrayRows     = 4,
  parameter int unsigned ArrayCols     = 4,
  parameter int unsigned InBits        = 8,
  parameter int unsigned WBits         = 8,
  parameter int unsigned AccBits       = 32,
  parameter int unsigned Signed        = 1,
  parameter int unsigned Saturate      = 0,
  parameter int unsigned MemDataBits   = 64,
  parameter int unsigned MaxBurst      = 16,
  parameter int unsigned Outstanding   = 4,
  parameter int unsigned MemAddrBits   = 32,
  localparam int unsigned DescBits     = dnn_shell_regs_pkg::DescWords * 32,
  localparam int unsigned LevelBits    = dnn_shell_regs_pkg::StatusQueueLevelWidth
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // AXI4-Lite slave
  input  logic [AddrBits-1:0] s_axil_awaddr_i,
  input  logic [2:0]          s_axil_awprot_i,
  input  logic                s_axil_awvalid_i,
  output logic                s_axil_awready_o,
  input  logic [31:0]         s_axil_wdata_i,
  input  logic [3:0]          s_axil_wstrb_i,
  input  logic                s_axil_wvalid_i,
  output logic                s_axil_wready_o,
  output logic [1:0]          s_axil_bresp_o,
  output logic                s_axil_bvalid_o,
  input  logic                s_axil_bready_i,
  input  logic [AddrBits-1:0] s_axil_araddr_i,
  input  logic [2:0]          s_axil_arprot_i,
  input  logic                s_axil_arvalid_i,
  output logic                s_axil_arready_o,
  output logic [31:0]         s_axil_rdata_o,
  output logic [1:0]          s_axil_rresp_o,
  output logic                s_axil_rvalid_o,
  input  logic                s_axil_rready_i,
  // engine side
  output logic [DescBits-1:0] desc_o,         // the descriptor registers
  output logic                start_o,        // CTRL.START written: queue desc_o now
  output logic                abort_o,        // CTRL.ABORT written
  output logic                soft_reset_o,   // CTRL.SOFT_RESET written
  input  logic                busy_i,
  input  logic [LevelBits-1:0] queue_level_i,
  input  logic                queue_full_i,
  input  logic                layer_done_i,   // a layer finished (pulse)
  input  logic                layer_error_i,  // a layer ended with an error (pulse)
  input  logic [7:0]          error_code_i,   // valid with layer_error_i
  input  logic [63:0]         cycles_total_i,
  input  logic [63:0]         cycles_compute_i,
  input  logic [63:0]         cycles_mem_wait_i,
  input  logic [63:0]         bytes_read_i,
  input  logic [63:0]         bytes_written_i,
  output logic                irq_o
);

  localparam logic [1:0] RespOkay   = 2'b00;
  localparam logic [1:0] RespSlvErr = 2'b10;
  localparam int unsigned DescWords = dnn_shell_regs_pkg::DescWords;
  localparam int unsigned DescBase  = dnn_shell_regs_pkg::DescBase;

  if (AddrBits < 9 || AddrBits > 32) begin : g_bad_addr
    $error("dnn_shell_regs: AddrBits must be 9..32 (the map reaches 0x%0h)", DescBase + 4 * DescWords);
  end
  if (MemDataBits != 64 && MemDataBits != 128 && MemDataBits != 256 && MemDataBits != 512) begin : g_bad_data
    $error("dnn_shell_regs: MemDataBits must be 64, 128, 256 or 512");
  end
  if (MaxBurst < 1 || MaxBurst > 256 || Outstanding < 1 || Outstanding > 255) begin : g_bad_burst
    $error("dnn_shell_regs: MaxBurst must be 1..256 and Outstanding 1..255");
  end
  if (MemAddrBits < 12 || MemAddrBits > 64) begin : g_bad_mem_addr
    $error("dnn_shell_regs: MemAddrBits must be 12..64");
  end

  // The read-only 64-bit pairs: reading _LO keeps _HI of the same pair for the next read.
  localparam int unsigned NumPairs = 5;
  logic [NumPairs*64-1:0] pairs;
  assign pairs = {bytes_written_i, bytes_read_i, cycles_mem_wait_i, cycles_compute_i, cycles_total_i};
  function automatic logic [31:0] pair_lo(input int unsigned p);
    case (p)
      0:       pair_lo = dnn_shell_regs_pkg::RegCyclesTotalLo;
      1:       pair_lo = dnn_shell_regs_pkg::RegCyclesComputeLo;
      2:       pair_lo = dnn_shell_regs_pkg::RegCyclesMemWaitLo;
      3:       pair_lo = dnn_shell_regs_pkg::RegBytesReadLo;
      default: pair_lo = dnn_shell_regs_pkg::RegBytesWrittenLo;
    endcase
  endfunction

  // ---- state ---------------------------------------------------------------------------
  logic                aw_full_q, aw_full_d, w_full_q, w_full_d;
  logic [AddrBits-1:0] aw_addr_q, aw_addr_d;
  logic [31:0]         w_data_q, w_data_d;
  logic [3:0]          w_strb_q, w_strb_d;
  logic                bvalid_q, bvalid_d, rvalid_q, rvalid_d;
  logic [1:0]          bresp_q, bresp_d, rresp_q, rresp_d;
  logic [31:0]         rdata_q, rdata_d;
  logic [DescBits-1:0] desc_q, desc_d;
  logic [1:0]          irq_en_q, irq_en_d, irq_st_q, irq_st_d;
  logic                done_q, done_d, err_q, err_d, irq_q, irq_d;
  logic [7:0]          err_code_q, err_code_d;
  logic [31:0]         layers_q, layers_d;
  logic [31:0]         snap_hi_q, snap_hi_d;   // _HI of the pair whose _LO was read last
  logic [2:0]          snap_pair_q, snap_pair_d;  // that pair, NumPairs: none
  logic                start_q, start_d, abort_q, abort_d, soft_q, soft_d;

  // ---- write ---------------------------------------------------------------------------
  logic        do_write;
  logic [31:0] wa, ra, wmask;
  assign do_write = aw_full_q && w_full_q && !bvalid_q;
  assign wa       = 32'(aw_addr_q);
  assign ra       = 32'(s_axil_araddr_i);
  assign wmask    = {{8{w_strb_q[3]}}, {8{w_strb_q[2]}}, {8{w_strb_q[1]}}, {8{w_strb_q[0]}}};

  // Descriptor words addressed by the held write and by the read request, one-hot (a gap
  // word the map leaves undefined is never selected, so it answers SLVERR). Decoded only
  // while a write or read is taken: the read address is an input, so a simulator would
  // otherwise compare it against every word at every evaluation.
  logic                 ar_fire;
  logic [DescWords-1:0] desc_wsel, desc_rsel;
  logic [31:0]          desc_rdata;
  assign ar_fire = s_axil_arvalid_i && s_axil_arready_o;
  always_comb begin
    desc_wsel  = '0;
    desc_rsel  = '0;
    desc_rdata = 32'h0;
    if (do_write) begin
      for (int unsigned i = 0; i < DescWords; i++) begin
        desc_wsel[i] = dnn_shell_regs_pkg::DescMasks[i*32+:32] != 32'h0 && wa == 32'(DescBase + 4 * i);
      end
    end
    if (ar_fire) begin
      for (int unsigned i = 0; i < DescWords; i++) begin
        if (dnn_shell_regs_pkg::DescMasks[i*32+:32] != 32'h0 && ra == 32'(DescBase + 4 * i)) begin
          desc_rsel[i] = 1'b1;
          desc_rdata   = desc_q[i*32+:32];
        end
      end
    end
  end

  // The offsets of the common block this file answers.
  function automatic logic common_mapped(input logic [31:0] a);
    common_mapped = 1'b0;
    case (a)
      dnn_shell_regs_pkg::RegId, dnn_shell_regs_pkg::RegVersion, dnn_shell_regs_pkg::RegEngine,
      dnn_shell_regs_pkg::RegConfigHash, dnn_shell_regs_pkg::RegArray, dnn_shell_regs_pkg::RegDatatype,
      dnn_shell_regs_pkg::RegMemory, dnn_shell_regs_pkg::RegAddrBits, dnn_shell_regs_pkg::RegCtrl,
      dnn_shell_regs_pkg::RegStatus, dnn_shell_regs_pkg::RegErrorCode, dnn_shell_regs_pkg::RegIrqEnable,
      dnn_shell_regs_pkg::RegIrqStatus, dnn_shell_regs_pkg::RegLayersDone,
      dnn_shell_regs_pkg::RegCyclesTotalLo, dnn_shell_regs_pkg::RegCyclesTotalHi,
      dnn_shell_regs_pkg::RegCyclesComputeLo, dnn_shell_regs_pkg::RegCyclesComputeHi,
      dnn_shell_regs_pkg::RegCyclesMemWaitLo, dnn_shell_regs_pkg::RegCyclesMemWaitHi,
      dnn_shell_regs_pkg::RegBytesReadLo, dnn_shell_regs_pkg::RegBytesReadHi,
      dnn_shell_regs_pkg::RegBytesWrittenLo, dnn_shell_regs_pkg::RegBytesWrittenHi: common_mapped = 1'b1;
      default: common_mapped = 1'b0;
    endcase
  endfunction

  always_comb begin
    aw_full_d  = aw_full_q;
    aw_addr_d  = aw_addr_q;
    w_full_d   = w_full_q;
    w_data_d   = w_data_q;
    w_strb_d   = w_strb_q;
    bvalid_d   = bvalid_q;
    bresp_d    = bresp_q;
    desc_d     = desc_q;
    irq_en_d   = irq_en_q;
    irq_st_d   = irq_st_q;
    done_d     = done_q;
    err_d      = err_q;
    err_code_d = err_code_q;
    layers_d   = layers_q;
    start_d    = 1'b0;
    abort_d    = 1'b0;
    soft_d     = 1'b0;

    if (s_axil_awvalid_i && !aw_full_q) begin
      aw_full_d = 1'b1;
      aw_addr_d = s_axil_awaddr_i;
    end
    if (s_axil_wvalid_i && !w_full_q) begin
      w_full_d = 1'b1;
      w_data_d = s_axil_wdata_i;
      w_strb_d = s_axil_wstrb_i;
    end
    if (s_axil_bvalid_o && s_axil_bready_i) bvalid_d = 1'b0;

    if (do_write) begin
      aw_full_d = 1'b0;
      w_full_d  = 1'b0;
      bvalid_d  = 1'b1;
      bresp_d   = (common_mapped(wa) || |desc_wsel) ? RespOkay : RespSlvErr;
      for (int unsigned i = 0; i < DescWords; i++) begin
        if (desc_wsel[i]) begin
          desc_d[i*32+:32] = (desc_q[i*32+:32] & ~wmask)
                           | (w_data_q & wmask & dnn_shell_regs_pkg::DescMasks[i*32+:32]);
        end
      end
      if (wa == dnn_shell_regs_pkg::RegCtrl && w_strb_q[0]) begin
        start_d = w_data_q[dnn_shell_regs_pkg::CtrlStartLsb];
        abort_d = w_data_q[dnn_shell_regs_pkg::CtrlAbortLsb];
        soft_d  = w_data_q[dnn_shell_regs_pkg::CtrlSoftResetLsb];
      end
      if (wa == dnn_shell_regs_pkg::RegIrqEnable && w_strb_q[0]) begin
        irq_en_d[0] = w_data_q[dnn_shell_regs_pkg::IrqEnableDoneLsb];
        irq_en_d[1] = w_data_q[dnn_shell_regs_pkg::IrqEnableErrorLsb];
      end
      if (wa == dnn_shell_regs_pkg::RegIrqStatus && w_strb_q[0]) begin
        if (w_data_q[dnn_shell_regs_pkg::IrqStatusDoneLsb]) irq_st_d[0] = 1'b0;
        if (w_data_q[dnn_shell_regs_pkg::IrqStatusErrorLsb]) irq_st_d[1] = 1'b0;
      end
    end

    // START begins a new run: DONE, ERROR and the code describe the layers it queues.
    if (start_q) begin
      done_d     = 1'b0;
      err_d      = 1'b0;
      err_code_d = 8'h0;
    end
    if (soft_q) begin
      done_d     = 1'b0;
      err_d      = 1'b0;
      err_code_d = 8'h0;
      irq_st_d   = 2'b00;
      layers_d   = 32'h0;
    end
    // Events from the engine win over a clear in the same cycle: none is lost.
    if (layer_done_i) begin
      done_d      = 1'b1;
      irq_st_d[0] = 1'b1;
      layers_d    = layers_q + 32'h1;
    end
    if (layer_error_i) begin
      err_d       = 1'b1;
      err_code_d  = error_code_i;
      irq_st_d[1] = 1'b1;
    end
  end

  assign irq_d = |(irq_st_d & irq_en_d);

  // ---- read ----------------------------------------------------------------------------
  logic [31:0] rd;
  logic        rd_ok;

  always_comb begin
    rd    = 32'h0;
    rd_ok = 1'b1;
    if (ar_fire) case (ra)  // decoded only for a taken read (see ar_fire)
      dnn_shell_regs_pkg::RegId:         rd = dnn_shell_regs_pkg::ShellId;
      dnn_shell_regs_pkg::RegVersion:    rd = dnn_shell_regs_pkg::RegmapVersion;
      dnn_shell_regs_pkg::RegEngine: begin
        rd[dnn_shell_regs_pkg::EngineKindLsb+:8]    = 8'(EngineKind);
        rd[dnn_shell_regs_pkg::EngineVariantLsb+:8] = 8'(EngineVariant);
        rd[dnn_shell_regs_pkg::EngineOpsLsb+:8]     = 8'(EngineOps);
      end
      dnn_shell_regs_pkg::RegConfigHash: rd = ConfigHash;
      dnn_shell_regs_pkg::RegArray: begin
        rd[dnn_shell_regs_pkg::ArrayRowsLsb+:16] = 16'(ArrayRows);
        rd[dnn_shell_regs_pkg::ArrayColsLsb+:16] = 16'(ArrayCols);
      end
      dnn_shell_regs_pkg::RegDatatype: begin
        rd[dnn_shell_regs_pkg::DatatypeInBitsLsb+:8]  = 8'(InBits);
        rd[dnn_shell_regs_pkg::DatatypeWBitsLsb+:8]   = 8'(WBits);
        rd[dnn_shell_regs_pkg::DatatypeAccBitsLsb+:8] = 8'(AccBits);
        rd[dnn_shell_regs_pkg::DatatypeSignedLsb]     = Signed != 0;
        rd[dnn_shell_regs_pkg::DatatypeSaturateLsb]   = Saturate != 0;
      end
      dnn_shell_regs_pkg::RegMemory: begin
        rd[dnn_shell_regs_pkg::MemoryDataBitsLsb+:16]  = 16'(MemDataBits);
        rd[dnn_shell_regs_pkg::MemoryMaxBurstLsb+:8]   = 8'(MaxBurst);  // 256 reads as 0
        rd[dnn_shell_regs_pkg::MemoryOutstandingLsb+:8] = 8'(Outstanding);
      end
      dnn_shell_regs_pkg::RegAddrBits:   rd = MemAddrBits;
      dnn_shell_regs_pkg::RegCtrl:       rd = 32'h0;
      dnn_shell_regs_pkg::RegStatus: begin
        rd[dnn_shell_regs_pkg::StatusBusyLsb]                 = busy_i;
        rd[dnn_shell_regs_pkg::StatusDoneLsb]                 = done_q;
        rd[dnn_shell_regs_pkg::StatusErrorLsb]                = err_q;
        rd[dnn_shell_regs_pkg::StatusQueueLevelLsb+:LevelBits] = queue_level_i;
        rd[dnn_shell_regs_pkg::StatusQueueFullLsb]            = queue_full_i;
      end
      dnn_shell_regs_pkg::RegErrorCode:  rd = 32'(err_code_q);
      dnn_shell_regs_pkg::RegIrqEnable: begin
        rd[dnn_shell_regs_pkg::IrqEnableDoneLsb]  = irq_en_q[0];
        rd[dnn_shell_regs_pkg::IrqEnableErrorLsb] = irq_en_q[1];
      end
      dnn_shell_regs_pkg::RegIrqStatus: begin
        rd[dnn_shell_regs_pkg::IrqStatusDoneLsb]  = irq_st_q[0];
        rd[dnn_shell_regs_pkg::IrqStatusErrorLsb] = irq_st_q[1];
      end
      dnn_shell_regs_pkg::RegLayersDone: rd = layers_q;
      default: begin
        rd_ok = 1'b0;
        for (int unsigned p = 0; p < NumPairs; p++) begin
          if (ra == pair_lo(p)) begin
            rd    = pairs[p*64+:32];
            rd_ok = 1'b1;
          end
          if (ra == pair_lo(p) + 32'd4) begin
            rd    = (32'(snap_pair_q) == p) ? snap_hi_q : pairs[p*64+32+:32];
            rd_ok = 1'b1;
          end
        end
        if (|desc_rsel) begin
          rd    = desc_rdata;
          rd_ok = 1'b1;
        end
      end
    endcase
  end

  always_comb begin
    rvalid_d    = rvalid_q;
    rdata_d     = rdata_q;
    rresp_d     = rresp_q;
    snap_hi_d   = snap_hi_q;
    snap_pair_d = snap_pair_q;
    if (s_axil_rvalid_o && s_axil_rready_i) rvalid_d = 1'b0;
    if (ar_fire) begin
      rvalid_d = 1'b1;
      rdata_d  = rd;
      rresp_d  = rd_ok ? RespOkay : RespSlvErr;
      for (int unsigned p = 0; p < NumPairs; p++) begin
        if (ra == pair_lo(p)) begin
          snap_hi_d   = pairs[p*64+32+:32];
          snap_pair_d = 3'(p);
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_full_q   <= 1'b0;
      aw_addr_q   <= '0;
      w_full_q    <= 1'b0;
      w_data_q    <= '0;
      w_strb_q    <= '0;
      bvalid_q    <= 1'b0;
      bresp_q     <= RespOkay;
      rvalid_q    <= 1'b0;
      rdata_q     <= '0;
      rresp_q     <= RespOkay;
      desc_q      <= '0;
      irq_en_q    <= '0;
      irq_st_q    <= '0;
      done_q      <= 1'b0;
      err_q       <= 1'b0;
      err_code_q  <= '0;
      layers_q    <= '0;
      snap_hi_q   <= '0;
      snap_pair_q <= 3'(NumPairs);
      irq_q       <= 1'b0;
      start_q     <= 1'b0;
      abort_q     <= 1'b0;
      soft_q      <= 1'b0;
    end else begin
      aw_full_q   <= aw_full_d;
      aw_addr_q   <= aw_addr_d;
      w_full_q    <= w_full_d;
      w_data_q    <= w_data_d;
      w_strb_q    <= w_strb_d;
      bvalid_q    <= bvalid_d;
      bresp_q     <= bresp_d;
      rvalid_q    <= rvalid_d;
      rdata_q     <= rdata_d;
      rresp_q     <= rresp_d;
      if (do_write) desc_q <= desc_d;  // only a write changes it
      irq_en_q    <= irq_en_d;
      irq_st_q    <= irq_st_d;
      done_q      <= done_d;
      err_q       <= err_d;
      err_code_q  <= err_code_d;
      layers_q    <= layers_d;
      snap_hi_q   <= snap_hi_d;
      snap_pair_q <= snap_pair_d;
      irq_q       <= irq_d;
      start_q     <= start_d;
      abort_q     <= abort_d;
      soft_q      <= soft_d;
    end
  end

  assign s_axil_awready_o = !aw_full_q;
  assign s_axil_wready_o  = !w_full_q;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = bresp_q;
  assign s_axil_arready_o = !rvalid_q;
  assign s_axil_rvalid_o  = rvalid_q;
  assign s_axil_rdata_o   = rdata_q;
  assign s_axil_rresp_o   = rresp_q;
  assign desc_o           = desc_q;
  assign start_o          = start_q;
  assign abort_o          = abort_q;
  assign soft_reset_o     = soft_q;
  assign irq_o            = irq_q;

  // AXI4-Lite carries no protection semantics here.
  logic unused_prot;
  assign unused_prot = ^{s_axil_awprot_i, s_axil_arprot_i};

  // The slave's own B and R channels keep valid and payload until taken.
  dnn_hold_check #(.Width(2)) u_b_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (s_axil_bvalid_o),
    .ready_i  (s_axil_bready_i),
    .payload_i(s_axil_bresp_o)
  );
  dnn_hold_check #(.Width(34)) u_r_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (s_axil_rvalid_o),
    .ready_i  (s_axil_rready_i),
    .payload_i({s_axil_rresp_o, s_axil_rdata_o})
  );

endmodule
