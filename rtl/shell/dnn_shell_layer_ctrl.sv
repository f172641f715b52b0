// The layer control every phase-sequenced shell shares (dnn_shell_eie, dnn_shell_rs): the
// AXI4-Lite register file, the descriptor queue, the stop requests, how a layer ends and
// with which code, and the counters. The engine's shell keeps its own phases; it tells
// this block when a layer is idle, checking or draining, and what its core and data
// movers do in each cycle.
//
// - A layer starts when the queue hands over a descriptor (take_o): the shell latches
//   desc_o and checks it for one cycle (checking_i), ending at once with check_code_i if
//   that is not none.
// - ABORT, SOFT_RESET and the first AXI error response while a layer runs (from its check
//   cycle, when the check passes) set stop_o (the
//   shell ends its running phase and drains) and the code the layer ends with (aborted,
//   none for SOFT_RESET, axi_read, axi_write); an engine's own end code (end_code_i, e.g.
//   a bad weight image) is the caller's, chosen over stop_code_o.
// - The layer ends (ending_o) in the first drained cycle (drained_i) with no error
//   response rising and no ABORT or SOFT_RESET in it: those end it a cycle later, with
//   their code.
// - Counters, cleared when a layer starts: every cycle of the layer; compute (the core
//   runs); waiting on memory (every other cycle after the check); bytes read (bus beats);
//   bytes written (output elements' bytes).
module dnn_shell_layer_ctrl #(
  parameter int unsigned RegAddrBits   = 12,
  parameter int unsigned EngineKind    = 1,
  parameter int unsigned EngineVariant = 0,
  parameter int unsigned EngineOps     = 1,
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
  parameter int unsigned QueueDepth    = 2,
  localparam int unsigned DescBits     = dnn_shell_regs_pkg::DescWords * 32
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // AXI4-Lite slave: registers
  input  logic [RegAddrBits-1:0] s_axil_awaddr_i,
  input  logic [2:0]             s_axil_awprot_i,
  input  logic                   s_axil_awvalid_i,
  output logic                   s_axil_awready_o,
  input  logic [31:0]            s_axil_wdata_i,
  input  logic [3:0]             s_axil_wstrb_i,
  input  logic                   s_axil_wvalid_i,
  output logic                   s_axil_wready_o,
  output logic [1:0]             s_axil_bresp_o,
  output logic                   s_axil_bvalid_o,
  input  logic                   s_axil_bready_i,
  input  logic [RegAddrBits-1:0] s_axil_araddr_i,
  input  logic [2:0]             s_axil_arprot_i,
  input  logic                   s_axil_arvalid_i,
  output logic                   s_axil_arready_o,
  output logic [31:0]            s_axil_rdata_o,
  output logic [1:0]             s_axil_rresp_o,
  output logic                   s_axil_rvalid_o,
  input  logic                   s_axil_rready_i,
  output logic                   irq_o,
  // the layer
  output logic                   take_o,         // a layer starts: latch desc_o
  output logic [DescBits-1:0]    desc_o,
  input  logic                   idle_i,         // the shell's phase is idle
  input  logic                   checking_i,     // it checks the latched descriptor
  input  logic [7:0]             check_code_i,
  output logic                   soft_reset_o,   // CTRL.SOFT_RESET written (engine state to clear)
  output logic                   stop_o,         // end the running phase and drain
  output logic [7:0]             stop_code_o,
  input  logic [7:0]             end_code_i,     // stop_code_o or the engine's own
  input  logic                   drained_i,      // draining, and nothing is in flight
  output logic                   ending_o,       // the layer's last cycle
  input  logic                   rd_err_i,       // the DMAs' sticky error flags
  input  logic                   wr_err_i,
  // counter events of this cycle
  input  logic                   compute_i,      // the core runs
  input  logic                   read_beat_i,    // a bus beat is read
  input  logic                   write_i,        // an output element leaves, of write_bytes_i
  input  logic [2:0]             write_bytes_i
);

  localparam int unsigned LevelBits = dnn_shell_regs_pkg::StatusQueueLevelWidth;
  localparam int unsigned Bytes     = MemDataBits / 8;

  logic [DescBits-1:0]  reg_desc;
  logic                 start, abort, soft_reset, layer_busy, layer_done, layer_error, queue_refused;
  logic                 shell_busy, shell_error, q_full;
  logic [LevelBits-1:0] q_level;
  logic [7:0]           error_code, shell_error_code;
  logic                 rd_err_q, wr_err_q, rd_err_rise, wr_err_rise, stop_q, stopped_q;
  logic [7:0]           stop_code_q;
  logic [63:0]          cycles_total_q, cycles_compute_q, cycles_mem_wait_q, bytes_read_q, bytes_written_q;

  dnn_shell_regs #(
    .AddrBits     (RegAddrBits),
    .EngineKind   (EngineKind),
    .EngineVariant(EngineVariant),
    .EngineOps    (EngineOps),
    .ConfigHash   (ConfigHash),
    .ArrayRows    (ArrayRows),
    .ArrayCols    (ArrayCols),
    .InBits       (InBits),
    .WBits        (WBits),
    .AccBits      (AccBits),
    .Signed       (Signed),
    .Saturate     (Saturate),
    .MemDataBits  (MemDataBits),
    .MaxBurst     (MaxBurst),
    .Outstanding  (Outstanding),
    .MemAddrBits  (MemAddrBits)
  ) u_regs (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .s_axil_awaddr_i  (s_axil_awaddr_i),
    .s_axil_awprot_i  (s_axil_awprot_i),
    .s_axil_awvalid_i (s_axil_awvalid_i),
    .s_axil_awready_o (s_axil_awready_o),
    .s_axil_wdata_i   (s_axil_wdata_i),
    .s_axil_wstrb_i   (s_axil_wstrb_i),
    .s_axil_wvalid_i  (s_axil_wvalid_i),
    .s_axil_wready_o  (s_axil_wready_o),
    .s_axil_bresp_o   (s_axil_bresp_o),
    .s_axil_bvalid_o  (s_axil_bvalid_o),
    .s_axil_bready_i  (s_axil_bready_i),
    .s_axil_araddr_i  (s_axil_araddr_i),
    .s_axil_arprot_i  (s_axil_arprot_i),
    .s_axil_arvalid_i (s_axil_arvalid_i),
    .s_axil_arready_o (s_axil_arready_o),
    .s_axil_rdata_o   (s_axil_rdata_o),
    .s_axil_rresp_o   (s_axil_rresp_o),
    .s_axil_rvalid_o  (s_axil_rvalid_o),
    .s_axil_rready_i  (s_axil_rready_i),
    .desc_o           (reg_desc),
    .start_o          (start),
    .abort_o          (abort),
    .soft_reset_o     (soft_reset),
    .busy_i           (shell_busy),
    .queue_level_i    (q_level),
    .queue_full_i     (q_full),
    .layer_done_i     (layer_done),
    .layer_error_i    (shell_error),
    .error_code_i     (shell_error_code),
    .cycles_total_i   (cycles_total_q),
    .cycles_compute_i (cycles_compute_q),
    .cycles_mem_wait_i(cycles_mem_wait_q),
    .bytes_read_i     (bytes_read_q),
    .bytes_written_i  (bytes_written_q),
    .irq_o            (irq_o)
  );

  dnn_shell_desc_queue #(
    .Depth    (QueueDepth),
    .Width    (DescBits),
    .LevelBits(LevelBits)
  ) u_queue (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .start_i  (start),
    .desc_i   (reg_desc),
    .idle_i   (idle_i),
    .running_i(layer_busy),
    .drop_i   (abort || soft_reset || layer_error),
    .take_o   (take_o),
    .desc_o   (desc_o),
    .refused_o(queue_refused),
    .busy_o   (shell_busy),
    .level_o  (q_level),
    .full_o   (q_full)
  );

  // ---------------------------------------------------------------- how the layer ends
  assign rd_err_rise = rd_err_i && !rd_err_q;
  assign wr_err_rise = wr_err_i && !wr_err_q;
  assign ending_o    = drained_i && !rd_err_rise && !wr_err_rise && !abort && !soft_reset;
  assign stop_o      = stop_q;
  assign soft_reset_o = soft_reset;
  assign stop_code_o = stop_code_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_err_q    <= 1'b0;
      wr_err_q    <= 1'b0;
      stop_q      <= 1'b0;
      stopped_q   <= 1'b0;
      stop_code_q <= '0;
    end else begin
      rd_err_q <= rd_err_i;
      wr_err_q <= wr_err_i;
      if (take_o) begin
        stop_q      <= 1'b0;
        stopped_q   <= 1'b0;
        stop_code_q <= '0;
      end else if (!idle_i && !stop_q && !(checking_i && check_code_i != '0)) begin
        // Stop requests, taken while a layer runs, its check cycle included (unless the
        // check ends it there).
        if (abort || soft_reset) begin
          stop_q      <= 1'b1;
          stopped_q   <= 1'b1;
          stop_code_q <= soft_reset ? 8'(dnn_shell_regs_pkg::ErrorNone)
                                    : 8'(dnn_shell_regs_pkg::ErrorAborted);
        end else if (rd_err_rise || wr_err_rise) begin
          stop_q      <= 1'b1;
          stopped_q   <= 1'b1;
          stop_code_q <= rd_err_rise ? 8'(dnn_shell_regs_pkg::ErrorAxiRead)
                                     : 8'(dnn_shell_regs_pkg::ErrorAxiWrite);
        end
      end
    end
  end

  assign layer_busy  = !idle_i;
  assign layer_done  = ending_o && end_code_i == '0 && !stopped_q;
  assign layer_error = (checking_i && check_code_i != '0) || (ending_o && end_code_i != '0);
  assign error_code  = checking_i ? check_code_i : end_code_i;
  // The layer's own end wins over a refused START in the same cycle.
  assign shell_error      = layer_error || queue_refused;
  assign shell_error_code = layer_error ? error_code : 8'(dnn_shell_regs_pkg::ErrorQueueFull);

  // ---------------------------------------------------------------- counters
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_total_q    <= '0;
      cycles_compute_q  <= '0;
      cycles_mem_wait_q <= '0;
      bytes_read_q      <= '0;
      bytes_written_q   <= '0;
    end else if (take_o) begin
      cycles_total_q    <= '0;
      cycles_compute_q  <= '0;
      cycles_mem_wait_q <= '0;
      bytes_read_q      <= '0;
      bytes_written_q   <= '0;
    end else begin
      if (layer_busy) cycles_total_q <= cycles_total_q + 1'b1;
      if (compute_i) cycles_compute_q <= cycles_compute_q + 1'b1;
      if (layer_busy && !checking_i && !compute_i) cycles_mem_wait_q <= cycles_mem_wait_q + 1'b1;
      if (read_beat_i) bytes_read_q <= bytes_read_q + 64'(Bytes);
      if (write_i) bytes_written_q <= bytes_written_q + 64'(write_bytes_i);
    end
  end

endmodule
