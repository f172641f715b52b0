// The EIE sparse engine behind the accelerator shell (docs/shell.md, "The EIE engine behind
// the shell"): the register file, an AXI4 master and whole spmv layers in hardware, from a
// descriptor to Y[N][M] in memory. The golden model is eie::run_layer, the cycle model
// eie::layer_cycles (model/src/eie/shell_timing.cpp).
//
//   regs --start--> check --> codebook --> per PE: pointers, entries --> bias
//                         --> per input vector n: x[n] --> job --> Y[n] (the output pipeline)
//
// Every phase but the last is one DMA read of a contiguous range, cut into elements by the
// realigner (dnn_shell_unpack) and written one a cycle into the core through its loader
// port (the core is idle while it loads). The image is read as the paper stores it: PE p's
// column pointers (uint32, global into one entry array), then its entries (one byte each,
// eight per 64-bit word, when IndexBits <= 4). The pointers become PE-local on the way in.
// The image is checked as it streams: a pointer below the one before it, a PE with more than
// MaxEntries entries, entries past the address space, an entry with a weight below its PE's
// rows (the walker needs each column's start: the starts of the PE's non-empty columns wait
// in a small list filled from its pointers). A bad image ends the layer before any output.
//
// Each input vector: x[n] into the core's source activations, one core job, and at its
// write-back the raw sums of every PE's local row into an output buffer (one word of
// NumPes sums a cycle); then the sums leave one a cycle through bias, the EIE scale (round,
// >>> FracBits), ReLU and the clamp to ActBits (or OUTPUT.BITS), or raw as int32, to the
// write aligner and write DMA. The next vector's read overlaps the writes of the one before.
//
// OP.KEEP_WEIGHTS skips the image phases: the image the last error-free load put in the
// core stays there (EIE keeps its model in SRAM), if the descriptor names it (B_ADDR,
// AUX_ADDR, M, K; bad_field otherwise).
//
// ABORT, SOFT_RESET and an AXI error stop the layer at the end of the running phase; it
// ends when every burst and the core's job have drained. START while a layer runs queues
// the descriptor (dnn_shell_desc_queue, QueueDepth of them, as in the systolic shell).
module dnn_shell_eie #(
  parameter int unsigned NumPes      = 4,
  parameter int unsigned FifoDepth   = 8,
  parameter int unsigned IndexBits   = 4,
  parameter int unsigned ActBits     = 16,
  parameter int unsigned AccBits     = 32,
  parameter int unsigned FracBits    = 8,
  parameter int unsigned MaxRows     = 64,
  parameter int unsigned MaxCols     = 64,
  parameter int unsigned MaxEntries  = 1024,
  parameter int unsigned RegAddrBits = 12,   // AXI4-Lite address width
  parameter int unsigned AddrBits    = 32,   // AXI4 address width
  parameter int unsigned DataBits    = 64,   // AXI4 data width
  parameter int unsigned MaxBurst    = 16,
  parameter int unsigned Outstanding = 4,
  parameter int unsigned ConfigHash  = 0,
  parameter int unsigned QueueDepth  = 2,    // descriptors START may queue behind a layer, 0..15
  localparam int unsigned Bytes      = DataBits / 8
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
  // AXI4 master: memory
  output logic [AddrBits-1:0]    m_axi_araddr_o,
  output logic [7:0]             m_axi_arlen_o,
  output logic [2:0]             m_axi_arsize_o,
  output logic [1:0]             m_axi_arburst_o,
  output logic [3:0]             m_axi_arcache_o,
  output logic [2:0]             m_axi_arprot_o,
  output logic                   m_axi_arvalid_o,
  input  logic                   m_axi_arready_i,
  input  logic [DataBits-1:0]    m_axi_rdata_i,
  input  logic [1:0]             m_axi_rresp_i,
  input  logic                   m_axi_rlast_i,
  input  logic                   m_axi_rvalid_i,
  output logic                   m_axi_rready_o,
  output logic [AddrBits-1:0]    m_axi_awaddr_o,
  output logic [7:0]             m_axi_awlen_o,
  output logic [2:0]             m_axi_awsize_o,
  output logic [1:0]             m_axi_awburst_o,
  output logic [3:0]             m_axi_awcache_o,
  output logic [2:0]             m_axi_awprot_o,
  output logic                   m_axi_awvalid_o,
  input  logic                   m_axi_awready_i,
  output logic [DataBits-1:0]    m_axi_wdata_o,
  output logic [Bytes-1:0]       m_axi_wstrb_o,
  output logic                   m_axi_wlast_o,
  output logic                   m_axi_wvalid_o,
  input  logic                   m_axi_wready_i,
  input  logic [1:0]             m_axi_bresp_i,
  input  logic                   m_axi_bvalid_i,
  output logic                   m_axi_bready_o,
  output logic                   irq_o
);

  // ---------------------------------------------------------------- sizes
  localparam int unsigned SizeBits    = 24;   // N < 2^24
  localparam int unsigned LenBits     = 24;   // bytes of one phase's read
  localparam int unsigned ActBytes    = (ActBits <= 8) ? 1 : 2;   // X and Y elements
  localparam int unsigned EntBytes    = (IndexBits <= 4) ? 1 : 2; // image entries
  // The core's port widths, as dnn_eie_top derives them.
  localparam int unsigned PeBits      = dnn_pkg::idx_bits(NumPes);
  localparam int unsigned MaxDim      = (MaxRows > MaxCols) ? MaxRows : MaxCols;
  localparam int unsigned DimBits     = $clog2(MaxDim + 1);
  localparam int unsigned ActDepth    = (MaxDim + NumPes - 1) / NumPes;
  localparam int unsigned ActAddrBits = dnn_pkg::idx_bits(ActDepth);
  localparam int unsigned PtrIdxBits  = $clog2(MaxCols + 2);
  localparam int unsigned AccDepth    = (MaxRows + NumPes - 1) / NumPes;
  localparam int unsigned AccAddrBits = dnn_pkg::idx_bits(AccDepth);
  localparam int unsigned PtrBits     = $clog2(MaxEntries + 1);
  localparam int unsigned LdAddrBits  = 21;
  localparam int unsigned RowBits     = dnn_pkg::idx_bits(MaxRows);
  localparam int unsigned ColBits     = $clog2(MaxCols + 1);
  localparam int unsigned StBits      = dnn_pkg::idx_bits(MaxCols);
  localparam int unsigned CntBits     = 22;   // a phase's element count (MaxEntries < 2^21)

  if (ActBits < 4 || ActBits > 16 || AccBits > 64 || MaxRows < 1 || MaxCols < 1
      || MaxEntries < 1 || MaxEntries >= (1 << 21) || QueueDepth > 15) begin : g_bad_param
    $error("dnn_shell_eie: ActBits 4..16, AccBits <= 64, limits >= 1, MaxEntries < 2^21, QueueDepth <= 15");
  end

  // ---------------------------------------------------------------- registers and layer control
  typedef enum logic [4:0] {
    SIdle, SCheck, SCbCmd, SCb, SPtrCmd, SPtr, SEntCmd, SEnt, SBiasCmd, SBias,
    SActCmd, SAct, SJob, SJobWait, SOutSeg, SOut, SDrain
  } state_e;
  state_e state_q;

  localparam int unsigned DescWords = dnn_shell_regs_pkg::DescWords;
  logic [DescWords*32-1:0] q_desc;
  logic        q_take, soft_reset, stop_q, ending, drained, rd_err, wr_err, k_busy, read_beat, write_elem;
  logic [7:0]  check_code, stop_code_q, end_code;
  logic [2:0]  out_len;

  dnn_shell_layer_ctrl #(
    .RegAddrBits  (RegAddrBits),
    .EngineKind   (dnn_shell_regs_pkg::EngineEie),
    .EngineVariant(0),
    .EngineOps    (1 << dnn_shell_regs_pkg::OpSpmv),
    .ConfigHash   (ConfigHash),
    .ArrayRows    (NumPes),
    .ArrayCols    (1),
    .InBits       (ActBits),
    .WBits        (16),
    .AccBits      (AccBits),
    .Signed       (1),
    .Saturate     (0),
    .MemDataBits  (DataBits),
    .MaxBurst     (MaxBurst),
    .Outstanding  (Outstanding),
    .MemAddrBits  (AddrBits),
    .QueueDepth   (QueueDepth)
  ) u_ctrl (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .s_axil_awaddr_i (s_axil_awaddr_i),
    .s_axil_awprot_i (s_axil_awprot_i),
    .s_axil_awvalid_i(s_axil_awvalid_i),
    .s_axil_awready_o(s_axil_awready_o),
    .s_axil_wdata_i  (s_axil_wdata_i),
    .s_axil_wstrb_i  (s_axil_wstrb_i),
    .s_axil_wvalid_i (s_axil_wvalid_i),
    .s_axil_wready_o (s_axil_wready_o),
    .s_axil_bresp_o  (s_axil_bresp_o),
    .s_axil_bvalid_o (s_axil_bvalid_o),
    .s_axil_bready_i (s_axil_bready_i),
    .s_axil_araddr_i (s_axil_araddr_i),
    .s_axil_arprot_i (s_axil_arprot_i),
    .s_axil_arvalid_i(s_axil_arvalid_i),
    .s_axil_arready_o(s_axil_arready_o),
    .s_axil_rdata_o  (s_axil_rdata_o),
    .s_axil_rresp_o  (s_axil_rresp_o),
    .s_axil_rvalid_o (s_axil_rvalid_o),
    .s_axil_rready_i (s_axil_rready_i),
    .irq_o           (irq_o),
    .take_o          (q_take),
    .desc_o          (q_desc),
    .idle_i          (state_q == SIdle),
    .checking_i      (state_q == SCheck),
    .check_code_i    (check_code),
    .soft_reset_o    (soft_reset),
    .stop_o          (stop_q),
    .stop_code_o     (stop_code_q),
    .end_code_i      (end_code),
    .drained_i       (state_q == SDrain && drained),
    .ending_o        (ending),
    .rd_err_i        (rd_err),
    .wr_err_i        (wr_err),
    .compute_i       (k_busy),
    .read_beat_i     (read_beat),
    .write_i         (write_elem),
    .write_bytes_i   (out_len)
  );

  // ---------------------------------------------------------------- the descriptor
  logic [DescWords*32-1:0] desc_q;   // latched when the layer starts
  function automatic int unsigned bit_of(input int unsigned reg_offset);
    bit_of = ((reg_offset - dnn_shell_regs_pkg::DescBase) / 4) * 32;
  endfunction

  logic [31:0] op_w, output_w, desc_m, desc_n, desc_k, a_stride_w, out_stride_w;
  logic [63:0] a_addr_w, b_addr_w, bias_addr_w, out_addr_w, aux_addr_w;
  logic [1:0]  out_type;
  logic        out_bias, out_relu, out_per_channel, raw, use_bias, keep_weights;
  logic [4:0]  out_bits;
  assign op_w            = desc_q[bit_of(dnn_shell_regs_pkg::RegOp) +: 32];
  assign keep_weights    = op_w[dnn_shell_regs_pkg::OpKeepWeightsLsb];
  assign output_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegOutput) +: 32];
  assign out_type        = output_w[1:0];
  assign out_bias        = output_w[2];
  assign out_relu        = output_w[3];
  assign out_per_channel = output_w[4];
  assign out_bits        = output_w[dnn_shell_regs_pkg::OutputBitsLsb +: 5];
  assign desc_m          = desc_q[bit_of(dnn_shell_regs_pkg::RegM) +: 32];
  assign desc_n          = desc_q[bit_of(dnn_shell_regs_pkg::RegN) +: 32];
  assign desc_k          = desc_q[bit_of(dnn_shell_regs_pkg::RegK) +: 32];
  assign a_addr_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegAAddrLo) +: 64];
  assign b_addr_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegBAddrLo) +: 64];
  assign bias_addr_w     = desc_q[bit_of(dnn_shell_regs_pkg::RegBiasAddrLo) +: 64];
  assign out_addr_w      = desc_q[bit_of(dnn_shell_regs_pkg::RegOutAddrLo) +: 64];
  assign aux_addr_w      = desc_q[bit_of(dnn_shell_regs_pkg::RegAuxAddrLo) +: 64];
  assign a_stride_w      = desc_q[bit_of(dnn_shell_regs_pkg::RegAStride) +: 32];
  assign out_stride_w    = desc_q[bit_of(dnn_shell_regs_pkg::RegOutStride) +: 32];
  assign raw             = out_type == 2'(dnn_shell_regs_pkg::OutTypeInt32);
  assign use_bias        = out_bias && !raw;

  // Element sizes (log2 of bytes) and row lengths. The sizes are checked first, so the
  // rows below are only used once M <= MaxRows and K <= MaxCols.
  localparam logic [1:0] ActLog2 = (ActBytes == 2) ? 2'd1 : 2'd0;
  logic [1:0]  out_log2;
  logic [33:0] a_row, out_row;
  logic [31:0] a_pitch, out_pitch;
  assign out_log2  = raw ? 2'd2 : ActLog2;
  assign a_row     = 34'(desc_k) << ActLog2;
  assign out_row   = 34'(desc_m) << out_log2;
  assign a_pitch   = (a_stride_w != '0) ? a_stride_w : a_row[31:0];
  assign out_pitch = (out_stride_w != '0) ? out_stride_w : out_row[31:0];

  // The entries follow the P x (K + 1) pointers, 8-byte aligned.
  logic [31:0] ptr_row_bytes, ptr_bytes, ent_offset;
  assign ptr_row_bytes = (desc_k + 1'b1) << 2;
  assign ptr_bytes  = 32'(NumPes) * ptr_row_bytes;
  assign ent_offset = (ptr_bytes + 32'd7) & ~32'd7;

  // ---------------------------------------------------------------- descriptor checks
  function automatic logic past_top(input logic [63:0] base, input logic [SizeBits-1:0] rows,
                                    input logic [31:0] pitch, input logic [33:0] row_bytes);
    logic [SizeBits+31:0] span;
    logic [65:0]          last_end;
    logic [SizeBits-1:0]  rows_m1;
    rows_m1  = rows - 1'b1;
    span     = (SizeBits+32)'(rows_m1) * (SizeBits+32)'(pitch);
    last_end = 66'(base) + 66'(span) + 66'(row_bytes);
    past_top = last_end > (66'd1 << AddrBits);
  endfunction

  function automatic logic misaligned(input logic [2:0] low_bits, input logic [1:0] log2);
    misaligned = (low_bits & 3'((3'b1 << log2) - 1'b1)) != '0;
  endfunction

  logic       bits_bad;
  logic [4:0] clamp_bits;
  assign bits_bad   = raw ? out_bits != '0
                          : out_bits != '0 && (out_bits < 5'd2 || 32'(out_bits) > ActBits);
  assign clamp_bits = (out_bits != '0) ? out_bits : 5'(ActBits);

  // The image on chip: set when a layer has read its whole image without an error, cleared
  // when the next image load starts and by SOFT_RESET. OP.KEEP_WEIGHTS uses it instead of
  // reading the image again, if it is the one the descriptor names.
  logic        img_ok_q;
  logic [63:0] img_b_q, img_aux_q;
  logic [31:0] img_m_q, img_k_q;
  logic        keep_bad;
  assign keep_bad = keep_weights && (!img_ok_q || img_b_q != b_addr_w || img_aux_q != aux_addr_w
                                     || img_m_q != desc_m || img_k_q != desc_k);

  always_comb begin
    check_code = 8'(dnn_shell_regs_pkg::ErrorNone);
    if (op_w[3:0] != 4'(dnn_shell_regs_pkg::OpSpmv)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorBadOp);
    end else if (desc_m == '0 || desc_n == '0 || desc_k == '0) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorZeroSize);
    end else if (desc_m > MaxRows || desc_k > MaxCols || desc_n >= (32'd1 << SizeBits)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorSizeRange);
    end else if ((!raw && out_type != 2'(ActLog2)) || out_type == 2'd3 || (raw && AccBits > 32)
                 || out_per_channel || bits_bad || keep_bad || op_w[dnn_shell_regs_pkg::OpChwLsb]
                 || (a_stride_w != '0 && 34'(a_stride_w) < a_row)
                 || (out_stride_w != '0 && 34'(out_stride_w) < out_row)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorBadField);
    end else if (misaligned(a_addr_w[2:0], ActLog2) || misaligned(a_stride_w[2:0], ActLog2)
                 || misaligned(out_addr_w[2:0], out_log2) || misaligned(out_stride_w[2:0], out_log2)
                 || b_addr_w[2:0] != '0 || aux_addr_w[0]
                 || (use_bias && bias_addr_w[1:0] != '0)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorAddrAlign);
    end else if (past_top(a_addr_w, desc_n[SizeBits-1:0], a_pitch, a_row)
                 || past_top(out_addr_w, desc_n[SizeBits-1:0], out_pitch, out_row)
                 || past_top(aux_addr_w, SizeBits'(1), 32'd0, 34'd2 << IndexBits)
                 || past_top(b_addr_w, SizeBits'(1), 32'd0, 34'(ent_offset))
                 || (use_bias && past_top(bias_addr_w, SizeBits'(1), 32'd0, 34'(desc_m) << 2))) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorAddrRange);
    end
  end

  // ---------------------------------------------------------------- phases

  // A phase's read: one DMA command and one realigner segment, taken together.
  logic                rd_cmd_ready, seg_ready, read_fire, is_cmd;
  logic [AddrBits-1:0] read_addr;
  logic [LenBits-1:0]  read_bytes;
  logic [2:0]          read_wbytes;
  logic                word_valid, word_last;
  logic [31:0]         word;
  logic                phase_end;   // the phase's last element is taken this cycle

  assign is_cmd    = state_q == SCbCmd || state_q == SPtrCmd || state_q == SEntCmd
                  || state_q == SBiasCmd || state_q == SActCmd;
  assign read_fire = is_cmd && rd_cmd_ready && seg_ready;

  // Per phase: where it reads, how many bytes and the element size.
  logic [PeBits-1:0]   pe_q;            // the PE whose pointers / entries stream
  logic [31:0]         first_q, prev_q, last_q;  // its first, previous and last pointer
  logic [AddrBits-1:0] ptr_addr_q, ent_base_q, act_addr_q, out_addr_q;
  always_comb begin
    read_addr   = '0;
    read_bytes  = '0;
    read_wbytes = 3'd4;
    unique case (state_q)
      SCbCmd: begin
        read_addr   = AddrBits'(aux_addr_w);
        read_bytes  = LenBits'(2) << IndexBits;
        read_wbytes = 3'd2;
      end
      SPtrCmd: begin
        read_addr   = ptr_addr_q;
        read_bytes  = LenBits'(ptr_row_bytes);
      end
      SEntCmd: begin
        read_addr   = ent_base_q + AddrBits'(first_q * EntBytes);
        read_bytes  = LenBits'((last_q - first_q) * EntBytes);
        read_wbytes = 3'(EntBytes);
      end
      SBiasCmd: begin
        read_addr   = AddrBits'(bias_addr_w);
        read_bytes  = LenBits'(desc_m) << 2;
      end
      SActCmd: begin
        read_addr   = act_addr_q;
        read_bytes  = LenBits'(a_row);
        read_wbytes = 3'(ActBytes);
      end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- read DMA and realigner
  localparam int unsigned SkipBits = $clog2(Bytes);
  logic                rd_valid, rd_ready, rd_last, rd_busy, u_idle;
  logic [DataBits-1:0] rd_data;
  logic [SkipBits-1:0] read_skip;
  logic [LenBits:0]    read_beats;
  logic                u_first, u_row_last;
  logic [0:0]          u_tag;
  assign read_skip  = read_addr[SkipBits-1:0];
  assign read_beats = ((LenBits+1)'(read_skip) + (LenBits+1)'(read_bytes) + (LenBits+1)'(Bytes - 1))
                      >> SkipBits;

  dnn_axi_dma_rd #(
    .AddrBits   (AddrBits),
    .DataBits   (DataBits),
    .MaxBurst   (MaxBurst),
    .Outstanding(Outstanding),
    .BeatsBits  (LenBits + 1)
  ) u_dma_rd (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cmd_valid_i    (read_fire),
    .cmd_ready_o    (rd_cmd_ready),
    .cmd_addr_i     ({read_addr[AddrBits-1:SkipBits], SkipBits'(0)}),
    .cmd_beats_i    (read_beats),
    .out_valid_o    (rd_valid),
    .out_ready_i    (rd_ready),
    .out_data_o     (rd_data),
    .out_last_o     (rd_last),
    .busy_o         (rd_busy),
    .err_o          (rd_err),
    .m_axi_araddr_o (m_axi_araddr_o),
    .m_axi_arlen_o  (m_axi_arlen_o),
    .m_axi_arsize_o (m_axi_arsize_o),
    .m_axi_arburst_o(m_axi_arburst_o),
    .m_axi_arcache_o(m_axi_arcache_o),
    .m_axi_arprot_o (m_axi_arprot_o),
    .m_axi_arvalid_o(m_axi_arvalid_o),
    .m_axi_arready_i(m_axi_arready_i),
    .m_axi_rdata_i  (m_axi_rdata_i),
    .m_axi_rresp_i  (m_axi_rresp_i),
    .m_axi_rlast_i  (m_axi_rlast_i),
    .m_axi_rvalid_i (m_axi_rvalid_i),
    .m_axi_rready_o (m_axi_rready_o)
  );

  // Every consumer takes an element a cycle (the core is idle while it loads).
  dnn_shell_unpack #(
    .DataBits(DataBits),
    .WordBits(32),
    .LenBits (LenBits),
    .TagBits (1)
  ) u_unpack (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .seg_valid_i   (read_fire),
    .seg_ready_o   (seg_ready),
    .seg_skip_i    (read_skip),
    .seg_len_i     (read_bytes),
    .seg_rows_i    (LenBits'(1)),
    .seg_bytes_i   ((2*LenBits+1)'(read_bytes)),
    .seg_wbytes_i  (read_wbytes),
    .seg_zero_i    (1'b0),
    .seg_cont_i    (1'b0),
    .seg_tag_i     (1'b0),
    .in_valid_i    (rd_valid),
    .in_ready_o    (rd_ready),
    .in_data_i     (rd_data),
    .out_valid_o   (word_valid),
    .out_ready_i   (1'b1),
    .out_data_o    (word),
    .out_first_o   (u_first),
    .out_row_last_o(u_row_last),
    .out_last_o    (word_last),
    .out_tag_o     (u_tag),
    .idle_o        (u_idle)
  );

  assign phase_end = word_valid && word_last;

  // ---------------------------------------------------------------- streaming the image
  logic [CntBits-1:0] cnt_q;          // the phase's element index
  logic               stream_err;     // this element shows the image bad
  logic [7:0]         stream_code;
  logic               img_err_q;
  logic [7:0]         img_code_q;

  // Pointers: PE-local on the way in; a non-empty column's start goes on the list.
  logic        is_first_ptr, is_last_ptr, ptr_down, ptr_over, ent_past;
  logic [31:0] ptr_local;
  logic [65:0] ent_end;
  assign is_first_ptr = cnt_q == '0;
  assign is_last_ptr  = word_last;
  assign ptr_down     = !is_first_ptr && word < prev_q;
  assign ptr_local    = is_first_ptr ? 32'd0 : word - first_q;
  assign ptr_over     = ptr_local > MaxEntries;
  // From the descriptor, not ent_base_q: the entries may start exactly at 2^AddrBits.
  assign ent_end      = 66'(b_addr_w) + 66'(ent_offset) + 66'(word) * 66'(EntBytes);
  assign ent_past     = ent_end > (66'd1 << AddrBits);

  // The starts of the PE's non-empty columns, in order (at most K of them).
  logic [PtrBits-1:0] starts_q [MaxCols];
  logic [ColBits-1:0] st_wr_q, st_rd_q;
  logic               st_push, st_pop, st_head_hit;
  assign st_push = state_q == SPtr && word_valid && !is_first_ptr && word > prev_q;
  always_ff @(posedge clk_i) begin
    if (st_push) starts_q[StBits'(st_wr_q)] <= PtrBits'(prev_q - first_q);
  end

  // Entries: the row each one lands on, against the PE's rows of W (row * P + pe < M).
  logic [IndexBits-1:0] ent_v;
  logic [3:0]           ent_z;
  logic [31:0]          row_q, row_e;
  logic [39:0]          row_global;
  assign ent_v       = word[IndexBits-1:0];
  assign ent_z       = word[8*EntBytes-1 -: 4];
  assign st_head_hit = st_rd_q != st_wr_q && 32'(starts_q[StBits'(st_rd_q)]) == 32'(cnt_q);
  assign st_pop      = state_q == SEnt && word_valid && st_head_hit;
  assign row_e       = st_head_hit ? 32'(ent_z) : row_q + 32'd1 + 32'(ent_z);
  assign row_global  = 40'(row_e) * 40'(NumPes) + 40'(pe_q);

  always_comb begin
    stream_err  = 1'b0;
    stream_code = 8'(dnn_shell_regs_pkg::ErrorBadField);
    if (state_q == SPtr && word_valid) begin
      if (ptr_down) begin
        stream_err = 1'b1;
      end else if (is_last_ptr && ptr_over) begin
        stream_err  = 1'b1;
        stream_code = 8'(dnn_shell_regs_pkg::ErrorSizeRange);
      end else if (is_last_ptr && ent_past) begin
        stream_err  = 1'b1;
        stream_code = 8'(dnn_shell_regs_pkg::ErrorAddrRange);
      end
    end else if (state_q == SEnt && word_valid) begin
      stream_err = ent_v != '0 && row_global >= 40'(desc_m);
    end
  end

  // ---------------------------------------------------------------- the core
  logic                   ld_valid, k_ready, job_valid, job_ready, k_done, k_err;
  logic [1:0]             ld_sel;
  logic [PeBits-1:0]      ld_pe;
  logic [LdAddrBits-1:0]  ld_addr;
  logic [31:0]            ld_data;
  logic [47:0]            k_cycles;
  logic [ActBits-1:0]     k_rd_data;
  logic                   wb_valid;
  logic [AccAddrBits-1:0] wb_addr;
  logic [NumPes*AccBits-1:0] wb_acc;
  logic [PeBits-1:0]      act_pe_q;     // x[k] goes to PE k mod P, word k / P
  logic [ActAddrBits-1:0] act_word_q;

  always_comb begin
    ld_valid = word_valid;
    ld_sel   = 2'd0;
    ld_pe    = pe_q;
    ld_addr  = LdAddrBits'(cnt_q);
    ld_data  = '0;
    unique case (state_q)
      SCb: ld_data = (cnt_q == '0) ? 32'd0 : 32'(word[15:0]);  // index 0 weighs 0
      SPtr: begin
        ld_sel  = 2'd1;
        ld_data = ptr_local;
      end
      SEnt: begin
        ld_sel  = 2'd2;
        ld_data = 32'({ent_v, ent_z});
      end
      SAct: begin
        ld_sel  = 2'd3;
        ld_pe   = act_pe_q;
        ld_addr = LdAddrBits'(act_word_q);
        ld_data = 32'(word[ActBits-1:0]);
      end
      default: ld_valid = 1'b0;
    endcase
  end
  assign job_valid = state_q == SJob;

  dnn_eie_top #(
    .NumPes    (NumPes),
    .FifoDepth (FifoDepth),
    .IndexBits (IndexBits),
    .ActBits   (ActBits),
    .AccBits   (AccBits),
    .FracBits  (FracBits),
    .Relu      (0),
    .MaxRows   (MaxRows),
    .MaxCols   (MaxCols),
    .MaxEntries(MaxEntries)
  ) u_core (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .ld_valid_i    (ld_valid),
    .ld_ready_o    (k_ready),
    .ld_sel_i      (ld_sel),
    .ld_pe_i       (ld_pe),
    .ld_addr_i     (ld_addr),
    .ld_data_i     (ld_data),
    .job_valid_i   (job_valid),
    .job_ready_o   (job_ready),
    .job_rows_i    (DimBits'(desc_m)),
    .job_cols_i    (DimBits'(desc_k)),
    .job_ptr_base_i(PtrIdxBits'(0)),
    .busy_o        (k_busy),
    .done_o        (k_done),
    .err_o         (k_err),
    .cycles_o      (k_cycles),
    .rd_pe_i       (PeBits'(0)),
    .rd_addr_i     (ActAddrBits'(0)),
    .rd_data_o     (k_rd_data),
    .wb_valid_o    (wb_valid),
    .wb_addr_o     (wb_addr),
    .wb_acc_o      (wb_acc)
  );

  // The raw sums of one vector: written a local row (NumPes sums) a cycle at write-back.
  logic                   o_re, o_valid_q, o_last_q;
  logic [AccAddrBits-1:0] o_word_q;
  logic [PeBits-1:0]      o_lane_q, o_lane_rd_q;
  logic [RowBits-1:0]     o_row_q;
  logic [NumPes*AccBits-1:0] o_rdata;
  logic [31:0]            bias_rdata;

  dnn_sram_1r1w #(.Depth(AccDepth), .Width(NumPes * AccBits)) u_sums (
    .clk_i  (clk_i),
    .we_i   (wb_valid),
    .waddr_i(wb_addr),
    .wdata_i(wb_acc),
    .re_i   (o_re),
    .raddr_i(o_word_q),
    .rdata_o(o_rdata)
  );

  dnn_sram_1r1w #(.Depth(MaxRows), .Width(32)) u_bias (
    .clk_i  (clk_i),
    .we_i   (state_q == SBias && word_valid),
    .waddr_i(RowBits'(cnt_q)),
    .wdata_i(word),
    .re_i   (o_re),
    .raddr_i(o_row_q),
    .rdata_o(bias_rdata)
  );

  // ---------------------------------------------------------------- output pipeline
  logic                rq_in_ready, rq_out_valid, rq_out_ready, rq_empty;
  logic [31:0]         rq_out;
  logic [0:0]          rq_tag;
  logic [AccBits-1:0]  o_acc;
  logic                o_last_elem;
  assign o_acc       = o_rdata[o_lane_rd_q*AccBits +: AccBits];
  assign o_last_elem = 32'(o_row_q) + 1 == desc_m;
  // A sum is read when the one read before it is taken (the SRAM holds its output).
  assign o_re        = state_q == SOut && !o_last_q && (!o_valid_q || rq_in_ready);

  dnn_shell_requant #(
    .Lanes  (1),
    .AccBits(AccBits),
    .OutBits(32),
    .TagBits(1)
  ) u_requant (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (o_valid_q),
    .in_ready_o (rq_in_ready),
    .in_acc_i   (o_acc),
    .in_bias_i  (use_bias ? bias_rdata : 32'd0),
    .in_mult_i  (32'd1),
    .in_shift_i (raw ? 6'd0 : 6'(FracBits)),
    .in_relu_i  (!raw && out_relu),
    .in_tag_i   (1'b0),
    .out_valid_o(rq_out_valid),
    .out_ready_i(rq_out_ready),
    .out_data_o (rq_out),
    .out_tag_o  (rq_tag),
    .empty_o    (rq_empty)
  );

  // The clamp to the activations' width (or OUTPUT.BITS); int32 passes the raw sum.
  logic signed [31:0] y_hi, y_lo, y;
  assign y_hi = (32'sd1 <<< (clamp_bits - 5'd1)) - 32'sd1;
  assign y_lo = -(32'sd1 <<< (clamp_bits - 5'd1));
  always_comb begin
    y = $signed(rq_out);
    if (!raw) begin
      if (y > y_hi) y = y_hi;
      else if (y < y_lo) y = y_lo;
    end
  end

  // ---------------------------------------------------------------- write aligner and DMA
  logic                pk_seg_ready, pk_in_ready, pk_cmd_valid, pk_cmd_ready, pk_out_valid;
  logic                pk_out_ready, pk_idle, wr_busy, pk_seg_fire;
  logic [AddrBits-1:0] pk_cmd_addr;
  logic [LenBits:0]    pk_cmd_beats;
  logic [DataBits-1:0] pk_out_data;
  logic [Bytes-1:0]    pk_out_strb;
  assign out_len      = 3'd1 << out_log2;
  assign pk_seg_fire  = state_q == SOutSeg && pk_seg_ready;
  assign rq_out_ready = pk_in_ready;

  dnn_shell_pack #(
    .DataBits(DataBits),
    .RunBits (32),
    .AddrBits(AddrBits),
    .LenBits (LenBits)
  ) u_pack (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .seg_valid_i(pk_seg_fire),
    .seg_ready_o(pk_seg_ready),
    .seg_addr_i (out_addr_q),
    .seg_len_i  (LenBits'(out_row)),
    .in_valid_i (rq_out_valid),
    .in_ready_o (pk_in_ready),
    .in_len_i   (out_len),
    .in_data_i  (y),
    .cmd_valid_o(pk_cmd_valid),
    .cmd_ready_i(pk_cmd_ready),
    .cmd_addr_o (pk_cmd_addr),
    .cmd_beats_o(pk_cmd_beats),
    .out_valid_o(pk_out_valid),
    .out_ready_i(pk_out_ready),
    .out_data_o (pk_out_data),
    .out_strb_o (pk_out_strb),
    .idle_o     (pk_idle)
  );

  dnn_axi_dma_wr #(
    .AddrBits   (AddrBits),
    .DataBits   (DataBits),
    .MaxBurst   (MaxBurst),
    .Outstanding(Outstanding),
    .BeatsBits  (LenBits + 1)
  ) u_dma_wr (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cmd_valid_i    (pk_cmd_valid),
    .cmd_ready_o    (pk_cmd_ready),
    .cmd_addr_i     (pk_cmd_addr),
    .cmd_beats_i    (pk_cmd_beats),
    .in_valid_i     (pk_out_valid),
    .in_ready_o     (pk_out_ready),
    .in_data_i      (pk_out_data),
    .in_strb_i      (pk_out_strb),
    .busy_o         (wr_busy),
    .err_o          (wr_err),
    .m_axi_awaddr_o (m_axi_awaddr_o),
    .m_axi_awlen_o  (m_axi_awlen_o),
    .m_axi_awsize_o (m_axi_awsize_o),
    .m_axi_awburst_o(m_axi_awburst_o),
    .m_axi_awcache_o(m_axi_awcache_o),
    .m_axi_awprot_o (m_axi_awprot_o),
    .m_axi_awvalid_o(m_axi_awvalid_o),
    .m_axi_awready_i(m_axi_awready_i),
    .m_axi_wdata_o  (m_axi_wdata_o),
    .m_axi_wstrb_o  (m_axi_wstrb_o),
    .m_axi_wlast_o  (m_axi_wlast_o),
    .m_axi_wvalid_o (m_axi_wvalid_o),
    .m_axi_wready_i (m_axi_wready_i),
    .m_axi_bresp_i  (m_axi_bresp_i),
    .m_axi_bvalid_i (m_axi_bvalid_i),
    .m_axi_bready_o (m_axi_bready_o)
  );

  // ---------------------------------------------------------------- layer control
  // ABORT, SOFT_RESET and AXI errors (u_ctrl's stop) or a bad image end the running phase.
  logic [SizeBits-1:0] vec_q;         // the input vector n
  logic        halt, last_pe;

  assign halt       = stop_q || img_err_q || stream_err;
  assign last_pe    = 32'(pe_q) == NumPes - 1;
  assign drained    = !rd_busy && u_idle && !k_busy && !o_valid_q && rq_empty && pk_idle && !wr_busy;
  assign end_code   = img_err_q ? img_code_q : stop_code_q;
  assign read_beat  = rd_valid && rd_ready;
  assign write_elem = rq_out_valid && pk_in_ready;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= SIdle;
      desc_q      <= '0;
      img_err_q   <= 1'b0;
      img_code_q  <= '0;
      pe_q        <= '0;
      cnt_q       <= '0;
      first_q     <= '0;
      prev_q      <= '0;
      last_q      <= '0;
      row_q       <= '0;
      st_wr_q     <= '0;
      st_rd_q     <= '0;
      ptr_addr_q  <= '0;
      ent_base_q  <= '0;
      act_addr_q  <= '0;
      out_addr_q  <= '0;
      act_pe_q    <= '0;
      act_word_q  <= '0;
      vec_q       <= '0;
      o_valid_q   <= 1'b0;
      o_last_q    <= 1'b0;
      o_word_q    <= '0;
      o_lane_q    <= '0;
      o_lane_rd_q <= '0;
      o_row_q     <= '0;
    end else begin
      if (stream_err && !img_err_q) begin
        img_err_q  <= 1'b1;
        img_code_q <= stream_code;
      end
      if (word_valid) cnt_q <= word_last ? '0 : cnt_q + 1'b1;

      unique case (state_q)
        SIdle: if (q_take) begin
          desc_q      <= q_desc;
          state_q     <= SCheck;
          img_err_q   <= 1'b0;
        end
        SCheck: begin
          if (check_code != '0) state_q <= SIdle;
          else if (!keep_weights) state_q <= SCbCmd;
          else state_q <= use_bias ? SBiasCmd : SActCmd;
          pe_q       <= '0;
          vec_q      <= '0;
          ptr_addr_q <= AddrBits'(b_addr_w);
          ent_base_q <= AddrBits'(b_addr_w) + AddrBits'(ent_offset);
          act_addr_q <= AddrBits'(a_addr_w);
          out_addr_q <= AddrBits'(out_addr_w);
        end
        SCbCmd: if (read_fire) state_q <= SCb;
        SCb: if (phase_end) state_q <= halt ? SDrain : SPtrCmd;
        SPtrCmd: if (read_fire) begin
          state_q <= SPtr;
          st_wr_q <= '0;
          st_rd_q <= '0;
        end
        SPtr: if (word_valid) begin
          if (is_first_ptr) first_q <= word;
          prev_q <= word;
          if (st_push) st_wr_q <= st_wr_q + 1'b1;
          if (word_last) begin
            last_q     <= word;
            ptr_addr_q <= ptr_addr_q + AddrBits'(ptr_row_bytes);
            // A PE with no entries has nothing more to read.
            if (halt) state_q <= SDrain;
            else if (word != first_q) state_q <= SEntCmd;
            else if (!last_pe) begin
              state_q <= SPtrCmd;
              pe_q    <= pe_q + 1'b1;
            end else state_q <= use_bias ? SBiasCmd : SActCmd;
          end
        end
        SEntCmd: if (read_fire) state_q <= SEnt;
        SEnt: if (word_valid) begin
          row_q <= row_e;
          if (st_pop) st_rd_q <= st_rd_q + 1'b1;
          if (word_last) begin
            if (halt) state_q <= SDrain;
            else if (!last_pe) begin
              state_q <= SPtrCmd;
              pe_q    <= pe_q + 1'b1;
            end else state_q <= use_bias ? SBiasCmd : SActCmd;
          end
        end
        SBiasCmd: if (read_fire) state_q <= SBias;
        SBias: if (phase_end) state_q <= halt ? SDrain : SActCmd;
        SActCmd: if (read_fire) begin
          state_q    <= SAct;
          act_pe_q   <= '0;
          act_word_q <= '0;
        end
        SAct: if (word_valid) begin
          if (32'(act_pe_q) == NumPes - 1) begin
            act_pe_q   <= '0;
            act_word_q <= act_word_q + 1'b1;
          end else begin
            act_pe_q <= act_pe_q + 1'b1;
          end
          if (word_last) state_q <= halt ? SDrain : SJob;
        end
        SJob: if (job_ready) state_q <= SJobWait;
        SJobWait: if (k_done) state_q <= SOutSeg;
        SOutSeg: if (pk_seg_fire) begin
          state_q  <= SOut;
          o_word_q <= '0;
          o_lane_q <= '0;
          o_row_q  <= '0;
          o_last_q <= 1'b0;
        end
        SOut: begin
          if (o_re) begin
            o_lane_rd_q <= o_lane_q;
            o_last_q    <= o_last_elem;
            o_row_q     <= o_row_q + 1'b1;
            if (32'(o_lane_q) == NumPes - 1) begin
              o_lane_q <= '0;
              o_word_q <= o_word_q + 1'b1;
            end else begin
              o_lane_q <= o_lane_q + 1'b1;
            end
          end
          // The vector's last sum is taken: the next vector's x may stream in.
          if (o_last_q && o_valid_q && rq_in_ready) begin
            vec_q      <= vec_q + 1'b1;
            act_addr_q <= act_addr_q + AddrBits'(a_pitch);
            out_addr_q <= out_addr_q + AddrBits'(out_pitch);
            state_q    <= (halt || 32'(vec_q) + 1 == desc_n) ? SDrain : SActCmd;
          end
        end
        SDrain: if (ending) state_q <= SIdle;
        default: state_q <= SIdle;
      endcase

      if (o_re) o_valid_q <= 1'b1;
      else if (rq_in_ready) o_valid_q <= 1'b0;
    end
  end

  // The last PE's entries (or its pointers, when it has none) are in without an error.
  logic image_done;
  assign image_done = last_pe && !halt && word_valid && word_last
                   && ((state_q == SPtr && word == first_q) || state_q == SEnt);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      img_ok_q  <= 1'b0;
      img_b_q   <= '0;
      img_aux_q <= '0;
      img_m_q   <= '0;
      img_k_q   <= '0;
    end else if (soft_reset || state_q == SCbCmd) begin
      img_ok_q <= 1'b0;
    end else if (image_done) begin
      img_ok_q  <= 1'b1;
      img_b_q   <= b_addr_w;
      img_aux_q <= aux_addr_w;
      img_m_q   <= desc_m;
      img_k_q   <= desc_k;
    end
  end

  logic unused;
  assign unused = ^{k_ready, k_err, k_cycles, k_rd_data, rd_last, u_first, u_row_last, u_tag, rq_tag,
                    op_w[31:4], output_w};

endmodule
