// The GEMM engines behind the accelerator shell (docs/shell.md): the systolic array
// (weight- or output-stationary) or the bit-serial engine (Engine = EngineBitserial:
// Stripes, Pragmatic or bit-parallel, dnn_bitserial_core, with the TileRows x TileCols
// tile in NumRows x NumCols and Lanes activations a brick); an
// AXI4-Lite register file, an AXI4 master (read and write DMA) and whole GEMM layers in
// hardware, from a layer descriptor to the requantised output tensor in memory.
//
//   regs --start--> layer control --> loader (walks the jobs, DMA -> operand bank b)
//                                 --> compute (walks the same jobs, core job on bank b)
//   core results -> stage (channel parameters) -> requant -> clamp/pack -> write DMA
//
// A layer C[M,N] = A[M,K] x B[K,N] runs as jobs of at most MaxM x MaxN x MaxK (m outer,
// k inner). The operand buffers have two banks: the loader fills one while the core
// computes on the other. The K split of an output tile accumulates in the core's
// accumulator buffer at full precision, so saturation is exact for any K. The loader writes
// A rows the same way for both dataflows; the output-stationary core turns them into the
// columns it reads (dnn_systolic_abuf_transpose). Outputs go
// through the output pipeline (bias, per-channel or per-tensor scale, ReLU, clamp to
// int8/int16, or the raw int32 accumulator) to OUT + m*OUT_STRIDE + n*bytes.
//
// A descriptor the engine cannot run ends the layer at once with ERROR_CODE and the error
// interrupt. ABORT, SOFT_RESET and an AXI error response stop issuing loads and jobs; the
// layer ends when everything issued has drained (the job in the core finishes, every
// burst completes), so the AXI protocol is never broken.
module dnn_shell_systolic #(
  parameter int unsigned Engine      = dnn_shell_regs_pkg::EngineSystolic,  // or EngineBitserial
  parameter int unsigned Dataflow    = dnn_pkg::DataflowWs,    // systolic
  parameter int unsigned Mode        = dnn_pkg::ModeStripes,   // bit-serial
  parameter int unsigned Lanes       = 16,                     // bit-serial: a brick's activations
  parameter int unsigned NumRows     = 4,                      // bit-serial: tile rows (windows)
  parameter int unsigned NumCols     = 4,                      // bit-serial: tile columns (filters)
  parameter int unsigned InBits      = 8,
  parameter int unsigned WBits       = 8,
  parameter int unsigned AccBits     = 32,
  parameter int unsigned Signed      = 1,
  parameter int unsigned TwoStage    = 0,                      // bit-serial Pragmatic: two-stage shifting
  parameter int unsigned FirstStageBits = 2,
  parameter int unsigned RowSync     = 0,                      // bit-serial Pragmatic: per-window sync
  parameter int unsigned Cascade     = 0,                      // bit-serial: M = 1 jobs spread over the windows
  parameter int unsigned Saturate    = 0,
  parameter int unsigned MaxM        = 64,
  parameter int unsigned MaxN        = 64,
  parameter int unsigned MaxK        = 64,
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
  localparam int unsigned SizeBits   = 24;   // M, N, K < 2^24
  localparam int unsigned InBytes    = InBits / 8;
  localparam int unsigned WBytes     = WBits / 8;
  localparam bit BitSerial = Engine == dnn_shell_regs_pkg::EngineBitserial;
  // The loader's buffer words: an A word holds AElems elements of a row of A (the array's
  // rows, or a brick), a B word NumCols elements of a row of B; words of a row lie
  // AStride (A) and BStride (B) words apart (dnn_shell_systolic_loader).
  localparam int unsigned AElems     = BitSerial ? Lanes : NumRows;
  localparam int unsigned KTiles     = (MaxK + AElems - 1) / AElems;
  localparam int unsigned NTiles     = (MaxN + NumCols - 1) / NumCols;
  localparam int unsigned AStride    = BitSerial ? ((MaxM + NumRows - 1) / NumRows) * NumRows : MaxM;
  localparam int unsigned BStride    = BitSerial ? KTiles * Lanes : MaxK;
  // The core's port widths, as its kernel top derives them (dnn_pkg).
  localparam int unsigned DimBits    = dnn_pkg::systolic_dim_bits(MaxM, MaxN, MaxK,
                                                                 BitSerial ? Lanes + NumRows : NumRows, NumCols);
  localparam int unsigned LdAddrBits = dnn_pkg::idx_bits(dnn_pkg::max2(KTiles * AStride, NTiles * BStride));
  localparam int unsigned LdWidth    = dnn_pkg::systolic_ld_width(AElems, NumCols, InBits, WBits);
  localparam int unsigned ParAddrBits = dnn_pkg::idx_bits(NTiles);
  localparam int unsigned ParBits     = dnn_pkg::idx_bits(2 * NTiles);
  localparam int unsigned ProdBits   = dnn_pkg::product_bits(InBits, WBits, Signed);
  // The K split sums in the core at full precision when saturating (exact for any K);
  // wrapping needs only AccBits.
  localparam int unsigned AccIntBits = (Saturate != 0) ? ProdBits + SizeBits : AccBits;
  localparam int unsigned RunBits    = NumCols * 32;           // an output row slice
  localparam int unsigned RunLenBits = $clog2(NumCols * 4 + 1);
  localparam int unsigned TagBits    = DimBits + dnn_pkg::idx_bits(NTiles) + 1;  // row, N-tile, last

  if (InBits % 8 != 0 || WBits % 8 != 0 || InBits > 16 || WBits > 16 || AccBits > 64
      || MaxM < 1 || MaxN < 1 || MaxK < 1 || QueueDepth > 15) begin : g_bad_param
    $error("dnn_shell_systolic: InBits and WBits must be 8 or 16, AccBits <= 64, limits >= 1, QueueDepth <= 15");
  end
  if ((Engine != dnn_shell_regs_pkg::EngineSystolic && !BitSerial) || (BitSerial && (Saturate != 0 || Lanes < 1)))
  begin : g_bad_engine
    $error("dnn_shell_systolic: Engine must be EngineSystolic or EngineBitserial (Lanes >= 1, no Saturate)");
  end

  // ---------------------------------------------------------------- registers
  localparam int unsigned DescWords = dnn_shell_regs_pkg::DescWords;
  logic [DescWords*32-1:0] desc;
  logic start, abort, soft_reset, layer_busy, layer_done, layer_error;
  logic [7:0]  error_code;
  localparam int unsigned LevelBits = dnn_shell_regs_pkg::StatusQueueLevelWidth;
  logic [LevelBits-1:0] q_level;    // descriptors queued
  logic        q_full, queue_refused;  // START with the queue full is refused
  logic        shell_busy, shell_error;
  logic [7:0]  shell_error_code;
  logic        rd_err, wr_err;      // an AXI read / write answered SLVERR or DECERR
  // The DMAs' error flags stay up until their next command on an idle DMA, so a layer
  // reacts to a flag rising, not to one left from the layer before.
  logic        rd_err_q, wr_err_q, rd_err_rise, wr_err_rise;
  logic [63:0] cycles_total_q, cycles_compute_q, cycles_mem_wait_q, bytes_read_q, bytes_written_q;

  dnn_shell_regs #(
    .AddrBits     (RegAddrBits),
    .EngineKind   (Engine),
    .EngineVariant(BitSerial ? Mode : Dataflow),
    .EngineOps    ((1 << dnn_shell_regs_pkg::OpGemm) | (1 << dnn_shell_regs_pkg::OpConv2d)),
    .ConfigHash   (ConfigHash),
    .ArrayRows    (NumRows),
    .ArrayCols    (NumCols),
    .InBits       (InBits),
    .WBits        (WBits),
    .AccBits      (AccBits),
    .Signed       (Signed),
    .Saturate     (Saturate),
    .MemDataBits  (DataBits),
    .MaxBurst     (MaxBurst),
    .Outstanding  (Outstanding),
    .MemAddrBits  (AddrBits)
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
    .desc_o           (desc),
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

  // ---------------------------------------------------------------- the descriptor
  // Latched at START, so the driver may write the next layer's registers at once.
  logic [DescWords*32-1:0] desc_q;
  // The bit of the latched descriptor where the register at `reg_offset` starts: fields
  // are constant part-selects (a function taking the whole descriptor would copy it, a
  // thousand bits, into a simulator temporary at every use on every cycle).
  function automatic int unsigned bit_of(input int unsigned reg_offset);
    bit_of = ((reg_offset - dnn_shell_regs_pkg::DescBase) / 4) * 32;
  endfunction

  logic [3:0]  op_code;
  logic [1:0]  out_type;
  logic        out_bias, out_relu, out_per_channel;
  logic [4:0]  out_bits;  // clamp to this many signed bits; 0: the type's width
  logic [31:0] desc_m, desc_n, desc_k, a_stride_w, b_stride_w, out_stride_w, out_mult_w;
  logic [31:0] in_h_w, in_w_w, in_c_w, out_c_w, kernel_w, stride_w, pad_w;
  logic [5:0]  out_shift;
  logic [63:0] a_addr_w, b_addr_w, bias_addr_w, quant_addr_w, out_addr_w;
  logic [31:0] out_shift_w, output_w;
  logic [31:0] op_w;
  assign op_w            = desc_q[bit_of(dnn_shell_regs_pkg::RegOp) +: 32];
  assign op_code         = op_w[3:0];
  assign output_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegOutput) +: 32];
  assign out_type        = output_w[1:0];
  assign out_bias        = output_w[2];
  assign out_relu        = output_w[3];
  assign out_per_channel = output_w[4];
  assign out_bits        = output_w[dnn_shell_regs_pkg::OutputBitsLsb +: 5];
  assign desc_m          = desc_q[bit_of(dnn_shell_regs_pkg::RegM) +: 32];
  assign desc_n          = desc_q[bit_of(dnn_shell_regs_pkg::RegN) +: 32];
  assign desc_k          = desc_q[bit_of(dnn_shell_regs_pkg::RegK) +: 32];
  assign in_h_w          = desc_q[bit_of(dnn_shell_regs_pkg::RegInH) +: 32];
  assign in_w_w          = desc_q[bit_of(dnn_shell_regs_pkg::RegInW) +: 32];
  assign in_c_w          = desc_q[bit_of(dnn_shell_regs_pkg::RegInC) +: 32];
  assign out_c_w         = desc_q[bit_of(dnn_shell_regs_pkg::RegOutC) +: 32];
  assign kernel_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegKernel) +: 32];
  assign stride_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegStride) +: 32];
  assign pad_w           = desc_q[bit_of(dnn_shell_regs_pkg::RegPad) +: 32];
  assign a_addr_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegAAddrLo) +: 64];
  assign b_addr_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegBAddrLo) +: 64];
  assign bias_addr_w     = desc_q[bit_of(dnn_shell_regs_pkg::RegBiasAddrLo) +: 64];
  assign quant_addr_w    = desc_q[bit_of(dnn_shell_regs_pkg::RegQuantAddrLo) +: 64];
  assign out_addr_w      = desc_q[bit_of(dnn_shell_regs_pkg::RegOutAddrLo) +: 64];
  assign a_stride_w      = desc_q[bit_of(dnn_shell_regs_pkg::RegAStride) +: 32];
  assign b_stride_w      = desc_q[bit_of(dnn_shell_regs_pkg::RegBStride) +: 32];
  assign out_stride_w    = desc_q[bit_of(dnn_shell_regs_pkg::RegOutStride) +: 32];
  assign out_mult_w      = desc_q[bit_of(dnn_shell_regs_pkg::RegOutMult) +: 32];
  assign out_shift_w     = desc_q[bit_of(dnn_shell_regs_pkg::RegOutShift) +: 32];
  assign out_shift       = out_shift_w[5:0];
  // PRECISION (bit-serial): the activations' precision, 1..InBits (0: InBits), or detected.
  logic [31:0] precision_w;
  logic [4:0]  prec_field;
  logic        prec_auto, prec_bad;
  assign precision_w = desc_q[bit_of(dnn_shell_regs_pkg::RegPrecision) +: 32];
  assign prec_field  = precision_w[dnn_shell_regs_pkg::PrecisionBitsLsb +: 5];
  assign prec_auto   = precision_w[dnn_shell_regs_pkg::PrecisionAutoLsb];
  assign prec_bad    = BitSerial && !prec_auto && 32'(prec_field) > InBits;

  // The raw int32 output has no bias, scale, ReLU or clamp.
  logic       raw;
  logic [1:0] out_log2;           // log2 of an output element's bytes
  assign raw      = out_type == 2'(dnn_shell_regs_pkg::OutTypeInt32);
  assign out_log2 = out_type;     // int8 0, int16 1, int32 2

  // OUTPUT.BITS: 2 up to the type's width (0 for int32), and the signed range it clamps to.
  logic        out_bits_bad;
  logic [4:0]  clamp_bits;
  logic [31:0] clamp_hi;
  assign out_bits_bad = raw ? out_bits != '0
                            : out_bits != '0 && (out_bits < 5'd2 || out_bits > (out_type == 2'd0 ? 5'd8 : 5'd16));
  assign clamp_bits   = out_bits != '0 ? out_bits : (out_type == 2'd0 ? 5'd8 : 5'd16);
  assign clamp_hi     = (32'd1 << (clamp_bits - 5'd1)) - 32'd1;

  // The GEMM the layer runs as (conv2d: by implicit im2col) and its row pitches: the
  // stride registers, or packed rows when 0. Sizes are below 2^24 and elements at most 4
  // bytes, so a packed row fits 32 bits; the checks below stay narrow (24 x 32-bit
  // products) because they are built in logic.
  logic        is_conv, conv;
  logic [31:0] size_m, size_n, size_k, a_pitch, b_row_bytes, b_pitch, out_row_bytes, out_pitch;
  logic [31:0] a_rows, a_row_bytes, a_check_pitch;
  logic [7:0]  conv_code;
  logic [17:0] conv_out_w;
  logic [SizeBits-1:0] conv_sc, conv_wc, conv_pxc;
  logic [SizeBits+1:0] conv_sxc;
  logic [AddrBits-1:0] conv_row_step, conv_first;
  assign is_conv = op_code == 4'(dnn_shell_regs_pkg::OpConv2d);

  dnn_shell_gemm_view #(
    .InBytes (InBytes),
    .WBytes  (WBytes),
    .SizeBits(SizeBits),
    .AddrBits(AddrBits)
  ) u_view (
    .is_conv_i      (is_conv),
    .m_i            (desc_m),
    .n_i            (desc_n),
    .k_i            (desc_k),
    .in_h_i         (in_h_w),
    .in_w_i         (in_w_w),
    .in_c_i         (in_c_w),
    .out_c_i        (out_c_w),
    .r_i            (kernel_w[15:0]),
    .s_i            (kernel_w[31:16]),
    .stride_y_i     (stride_w[15:0]),
    .stride_x_i     (stride_w[31:16]),
    .pad_y_i        (pad_w[15:0]),
    .pad_x_i        (pad_w[31:16]),
    .a_stride_i     (a_stride_w),
    .b_stride_i     (b_stride_w),
    .out_stride_i   (out_stride_w),
    .a_addr_i       (AddrBits'(a_addr_w)),
    .out_log2_i     (out_log2),
    .m_o            (size_m),
    .n_o            (size_n),
    .k_o            (size_k),
    .conv_o         (conv),
    .a_pitch_o      (a_pitch),
    .b_row_bytes_o  (b_row_bytes),
    .b_pitch_o      (b_pitch),
    .out_row_bytes_o(out_row_bytes),
    .out_pitch_o    (out_pitch),
    .a_check_rows_o (a_rows),
    .a_row_bytes_o  (a_row_bytes),
    .a_check_pitch_o(a_check_pitch),
    .conv_code_o    (conv_code),
    .out_w_o        (conv_out_w),
    .sc_o           (conv_sc),
    .wc_o           (conv_wc),
    .pxc_o          (conv_pxc),
    .sxc_o          (conv_sxc),
    .row_step_o     (conv_row_step),
    .conv_first_o   (conv_first)
  );

  // ---------------------------------------------------------------- descriptor checks
  // The end of a tensor (one past its last byte) must stay inside the address space.
  function automatic logic past_top(input logic [63:0] base, input logic [SizeBits-1:0] rows,
                                    input logic [31:0] pitch, input logic [31:0] row_bytes);
    logic [SizeBits+31:0] span;
    logic [65:0]          last_end;
    logic [SizeBits-1:0] rows_m1;
    rows_m1  = rows - 1'b1;
    span     = (SizeBits+32)'(rows_m1) * (SizeBits+32)'(pitch);
    last_end = 66'(base) + 66'(span) + 66'(row_bytes);
    past_top = last_end > (66'd1 << AddrBits);
  endfunction

  // Misaligned: an address or pitch not a multiple of an element of 2^log2 bytes.
  function automatic logic misaligned(input logic [1:0] low_bits, input logic [1:0] log2);
    misaligned = (low_bits & ((2'b1 << log2) - 1'b1)) != '0;
  endfunction

  logic [1:0] in_log2, w_log2;
  assign in_log2 = (InBytes == 2) ? 2'd1 : 2'd0;
  assign w_log2  = (WBytes == 2) ? 2'd1 : 2'd0;

  logic [7:0] check_code;
  always_comb begin
    check_code = 8'(dnn_shell_regs_pkg::ErrorNone);
    if (op_code != 4'(dnn_shell_regs_pkg::OpGemm) && !is_conv) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorBadOp);
    end else if (is_conv && conv_code != '0) begin
      check_code = conv_code;
    end else if (!is_conv && (size_m == '0 || size_n == '0 || size_k == '0)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorZeroSize);
    end else if (!is_conv && (size_m >= (32'd1 << SizeBits) || size_n >= (32'd1 << SizeBits)
                              || size_k >= (32'd1 << SizeBits))) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorSizeRange);
    end else if (out_type == 2'd3 || (raw && AccBits > 32) || (!raw && out_shift_w > 32'd62) || out_bits_bad
                 || prec_bad || op_w[dnn_shell_regs_pkg::OpChwLsb]   // NHWC / RSCK only
                 || (a_stride_w != '0 && a_stride_w < a_row_bytes)
                 || (b_stride_w != '0 && b_stride_w < b_row_bytes)
                 || (out_stride_w != '0 && out_stride_w < out_row_bytes)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorBadField);
    end else if (misaligned(a_addr_w[1:0], in_log2) || misaligned(a_check_pitch[1:0], in_log2)
                 || misaligned(b_addr_w[1:0], w_log2) || misaligned(b_pitch[1:0], w_log2)
                 || misaligned(out_addr_w[1:0], out_log2) || misaligned(out_pitch[1:0], out_log2)
                 || (!raw && out_bias && misaligned(bias_addr_w[1:0], 2'd2))
                 || (!raw && out_per_channel && misaligned(quant_addr_w[1:0], 2'd2))) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorAddrAlign);
    end else if (past_top(a_addr_w, a_rows[SizeBits-1:0], a_check_pitch, a_row_bytes)
                 || past_top(b_addr_w, size_k[SizeBits-1:0], b_pitch, b_row_bytes)
                 || past_top(out_addr_w, size_m[SizeBits-1:0], out_pitch, out_row_bytes)
                 || (!raw && out_bias
                     && past_top(bias_addr_w, SizeBits'(1), 32'd0, 32'(size_n[SizeBits-1:0]) << 2))
                 || (!raw && out_per_channel
                     && past_top(quant_addr_w, SizeBits'(1), 32'd0, 32'(size_n[SizeBits-1:0]) << 3))) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorAddrRange);
    end
  end

  // ---------------------------------------------------------------- layer control
  localparam logic [1:0] LayerIdle = 2'd0, LayerCheck = 2'd1, LayerRun = 2'd2, LayerStop = 2'd3;
  logic [1:0] lstate_q;
  logic [7:0] stop_code_q;           // error to report when the stopped layer has drained
  logic       run_start;             // the walkers load the layer
  logic       stopping, all_jobs_done, drained;

  assign run_start  = lstate_q == LayerCheck && check_code == '0;
  assign stopping   = lstate_q == LayerStop;
  assign layer_busy = lstate_q != LayerIdle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lstate_q    <= LayerIdle;
      desc_q      <= '0;
      stop_code_q <= '0;
    end else begin
      unique case (lstate_q)
        LayerIdle: if (q_take) begin
          desc_q   <= q_desc;
          lstate_q <= LayerCheck;
        end
        // Stop requests are taken from the check cycle on, when the check passes.
        LayerCheck, LayerRun: begin
          if (lstate_q == LayerCheck && check_code != '0) begin
            lstate_q <= LayerIdle;
          end else if (abort || soft_reset) begin
            lstate_q    <= LayerStop;
            stop_code_q <= soft_reset ? 8'(dnn_shell_regs_pkg::ErrorNone)
                                      : 8'(dnn_shell_regs_pkg::ErrorAborted);
          end else if (rd_err_rise) begin
            lstate_q    <= LayerStop;
            stop_code_q <= 8'(dnn_shell_regs_pkg::ErrorAxiRead);
          end else if (wr_err_rise) begin
            lstate_q    <= LayerStop;
            stop_code_q <= 8'(dnn_shell_regs_pkg::ErrorAxiWrite);
          end else if (lstate_q == LayerCheck) begin
            lstate_q <= LayerRun;
          end else if (all_jobs_done && drained) begin
            lstate_q <= LayerIdle;
          end
        end
        LayerStop: if (drained) lstate_q <= LayerIdle;
        default: lstate_q <= LayerIdle;
      endcase
    end
  end

  assign layer_done  = lstate_q == LayerRun && !(abort || soft_reset || rd_err_rise || wr_err_rise)
                    && all_jobs_done && drained;
  assign layer_error = (lstate_q == LayerCheck && check_code != '0)
                    || (stopping && drained && stop_code_q != '0);
  assign error_code  = (lstate_q == LayerCheck) ? check_code : stop_code_q;

  // ---------------------------------------------------------------- descriptor queue
  logic q_take;
  logic [DescWords*32-1:0] q_desc;
  dnn_shell_desc_queue #(
    .Depth    (QueueDepth),
    .Width    (DescWords * 32),
    .LevelBits(LevelBits)
  ) u_queue (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .start_i  (start),
    .desc_i   (desc),
    .idle_i   (lstate_q == LayerIdle),
    .running_i(layer_busy),
    .drop_i   (abort || soft_reset || layer_error),
    .take_o   (q_take),
    .desc_o   (q_desc),
    .refused_o(queue_refused),
    .busy_o   (shell_busy),
    .level_o  (q_level),
    .full_o   (q_full)
  );

  // The layer's own end wins over a refused START in the same cycle (that START is then
  // lost without a word: a driver checks QUEUE_FULL before it starts another).
  assign shell_error      = layer_error || queue_refused;
  assign shell_error_code = layer_error ? error_code : 8'(dnn_shell_regs_pkg::ErrorQueueFull);

  assign rd_err_rise = rd_err && !rd_err_q;
  assign wr_err_rise = wr_err && !wr_err_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_err_q <= 1'b0;
      wr_err_q <= 1'b0;
    end else begin
      rd_err_q <= rd_err;
      wr_err_q <= wr_err;
    end
  end

  // ---------------------------------------------------------------- operand banks
  // claimed: the loader is filling it or a job will read it; full: its job may start.
  logic [1:0] claimed_q, full_q;
  logic       claim, claim_bank, bank_loaded, loaded_bank, job_finish;
  logic       cbank_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      claimed_q <= '0;
      full_q    <= '0;
    end else if (run_start) begin
      claimed_q <= '0;
      full_q    <= '0;
    end else begin
      if (claim) claimed_q[claim_bank] <= 1'b1;
      if (bank_loaded) full_q[loaded_bank] <= 1'b1;
      if (job_finish) begin
        claimed_q[cbank_q] <= 1'b0;
        full_q[cbank_q]    <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------- read DMA and loader
  logic                rd_cmd_valid, rd_cmd_ready, rd_busy, rd_valid, rd_ready, rd_last;
  logic [AddrBits-1:0] rd_cmd_addr;
  logic [SizeBits:0]   rd_cmd_beats;
  logic [DataBits-1:0] rd_data;
  logic                loader_idle;
  logic                ld_valid, ld_sel, ld_bank;
  logic [LdAddrBits-1:0] ld_addr;
  logic [dnn_pkg::idx_bits(AElems)-1:0] ld_rot;
  logic [LdWidth-1:0]  ld_data;
  logic                par_we, par_sel, par_bank;
  logic [ParAddrBits-1:0] par_addr;
  logic [NumCols*64-1:0]  par_data;

  dnn_axi_dma_rd #(
    .AddrBits   (AddrBits),
    .DataBits   (DataBits),
    .MaxBurst   (MaxBurst),
    .Outstanding(Outstanding),
    .BeatsBits  (SizeBits + 1)
  ) u_dma_rd (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cmd_valid_i    (rd_cmd_valid),
    .cmd_ready_o    (rd_cmd_ready),
    .cmd_addr_i     (rd_cmd_addr),
    .cmd_beats_i    (rd_cmd_beats),
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

  dnn_shell_systolic_loader #(
    .NumRows    (AElems),
    .NumCols    (NumCols),
    .InBits     (InBits),
    .WBits      (WBits),
    .MaxM       (MaxM),
    .MaxN       (MaxN),
    .MaxK       (MaxK),
    .AStride    (AStride),
    .BStride    (BStride),
    .SizeBits   (SizeBits),
    .AddrBits   (AddrBits),
    .DataBits   (DataBits),
    .Outstanding(Outstanding),
    .LdAddrBits (LdAddrBits),
    .LdWidth    (LdWidth),
    .ParAddrBits(ParAddrBits)
  ) u_loader (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .start_i         (run_start),
    .stop_i          (stopping),
    .m_i             (SizeBits'(size_m)),
    .n_i             (SizeBits'(size_n)),
    .k_i             (SizeBits'(size_k)),
    .a_addr_i        (AddrBits'(a_addr_w)),
    .b_addr_i        (AddrBits'(b_addr_w)),
    .a_stride_i      (AddrBits'(a_pitch)),
    .b_stride_i      (AddrBits'(b_pitch)),
    .bias_i          (!raw && out_bias),
    .bias_addr_i     (AddrBits'(bias_addr_w)),
    .quant_i         (!raw && out_per_channel),
    .quant_addr_i    (AddrBits'(quant_addr_w)),
    .conv_i          (conv),
    .in_h_i          (in_h_w[15:0]),
    .out_w_i         (conv_out_w),
    .pad_y_i         (pad_w[15:0]),
    .stride_y_i      (stride_w[15:0]),
    .sc_i            (conv_sc),
    .wc_i            (conv_wc),
    .pxc_i           (conv_pxc),
    .sxc_i           (conv_sxc),
    .row_step_i      (conv_row_step),
    .conv_first_i    (conv_first),
    .bank_claimable_i(~claimed_q),
    .claim_o         (claim),
    .claim_bank_o    (claim_bank),
    .bank_loaded_o   (bank_loaded),
    .loaded_bank_o   (loaded_bank),
    .idle_o          (loader_idle),
    .cmd_valid_o     (rd_cmd_valid),
    .cmd_ready_i     (rd_cmd_ready),
    .cmd_addr_o      (rd_cmd_addr),
    .cmd_beats_o     (rd_cmd_beats),
    .dma_busy_i      (rd_busy),
    .in_valid_i      (rd_valid),
    .in_ready_o      (rd_ready),
    .in_data_i       (rd_data),
    .ld_valid_o      (ld_valid),
    .ld_sel_o        (ld_sel),
    .ld_bank_o       (ld_bank),
    .ld_addr_o       (ld_addr),
    .ld_rot_o        (ld_rot),
    .ld_data_o       (ld_data),
    .par_we_o        (par_we),
    .par_sel_o       (par_sel),
    .par_bank_o      (par_bank),
    .par_addr_o      (par_addr),
    .par_data_o      (par_data)
  );

  // ---------------------------------------------------------------- compute
  logic                cwalk_next, cwalk_valid, cfirst_k, clast_k, clast;
  logic [SizeBits-1:0] cm0, cn0, ck0, cmj, cnj, ckj;
  logic [AddrBits-1:0] ca_row, cb_row, cout_row;

  dnn_shell_job_walk #(
    .MaxM(MaxM), .MaxN(MaxN), .MaxK(MaxK), .SizeBits(SizeBits), .AddrBits(AddrBits)
  ) u_cwalk (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (run_start),
    .m_i         (SizeBits'(size_m)),
    .n_i         (SizeBits'(size_n)),
    .k_i         (SizeBits'(size_k)),
    .a_addr_i    ('0),
    .b_addr_i    ('0),
    .out_addr_i  (AddrBits'(out_addr_w)),
    .a_stride_i  ('0),
    .b_stride_i  ('0),
    .out_stride_i(AddrBits'(out_pitch)),
    .next_i      (cwalk_next),
    .valid_o     (cwalk_valid),
    .m0_o        (cm0),
    .n0_o        (cn0),
    .k0_o        (ck0),
    .mj_o        (cmj),
    .nj_o        (cnj),
    .kj_o        (ckj),
    .first_k_o   (cfirst_k),
    .last_k_o    (clast_k),
    .last_o      (clast),
    .a_row_o     (ca_row),
    .b_row_o     (cb_row),
    .out_row_o   (cout_row)
  );

  logic core_ld_ready;  // always 1 with two banks
  logic core_job_valid, core_job_ready, core_busy, core_done, core_err, crun_q;
  logic core_out_valid, core_out_ready, core_out_last;
  logic [DimBits-1:0]         core_out_row, core_out_col;
  logic [NumCols*AccBits-1:0] core_out_data;
  logic [47:0]                core_cycles;

  // A job starts when its bank is full and the core is free; it ends when the core
  // drops busy.
  // An emitting job (the last of its K split) also needs a free output tile bank.
  logic ob_free;
  assign core_job_valid = lstate_q == LayerRun && cwalk_valid && !crun_q && full_q[cbank_q]
                       && (!clast_k || ob_free);
  assign job_finish     = crun_q && !core_busy;
  assign cwalk_next     = job_finish;
  assign all_jobs_done  = !cwalk_valid;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      crun_q  <= 1'b0;
      cbank_q <= 1'b0;
    end else if (run_start) begin
      crun_q  <= 1'b0;
      cbank_q <= 1'b0;
    end else begin
      if (core_job_valid && core_job_ready) crun_q <= 1'b1;
      if (job_finish) begin
        crun_q  <= 1'b0;
        cbank_q <= !cbank_q;
      end
    end
  end

  if (BitSerial) begin : g_bitserial
    // The precision the job states (PRECISION.BITS, 0: InBits), or detected per group.
    localparam int unsigned PBits = $clog2(InBits + 1);
    dnn_bitserial_core #(
      .Mode      (Mode),
      .Lanes     (Lanes),
      .TileRows  (NumRows),
      .TileCols  (NumCols),
      .InBits    (InBits),
      .WBits     (WBits),
      .AccBits   (AccBits),
      .Signed    (Signed),
      .TwoStage  (TwoStage),
      .FirstStageBits(FirstStageBits),
      .RowSync   (RowSync),
      .Cascade   (Cascade),
      .MaxM      (MaxM),
      .MaxN      (MaxN),
      .MaxK      (MaxK),
      .DimBits   (DimBits),
      .LdAddrBits(LdAddrBits),
      .LdWidth   (LdWidth),
      .CycleBits (48)
    ) u_core (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .ld_valid_i (ld_valid),
      .ld_ready_o (core_ld_ready),
      .ld_sel_i   (ld_sel),
      .ld_bank_i  (ld_bank),
      .ld_addr_i  (ld_addr),
      .ld_data_i  (ld_data),
      .job_valid_i(core_job_valid),
      .job_ready_o(core_job_ready),
      .job_m_i    (DimBits'(cmj)),
      .job_n_i    (DimBits'(cnj)),
      .job_k_i    (DimBits'(ckj)),
      .job_prec_i (prec_field == '0 ? PBits'(InBits) : PBits'(prec_field)),
      .job_auto_i (prec_auto),
      .job_bank_i (cbank_q),
      .job_first_i(cfirst_k),
      .job_last_i (clast_k),
      .out_valid_o(core_out_valid),
      .out_ready_i(core_out_ready),
      .out_last_o (core_out_last),
      .out_row_o  (core_out_row),
      .out_col_o  (core_out_col),
      .out_data_o (core_out_data),
      .busy_o     (core_busy),
      .done_o     (core_done),
      .err_o      (core_err),
      .cycles_o   (core_cycles)
    );
    logic unused_rot;  // the bit-serial core takes A as rows
    assign unused_rot = ^ld_rot;
  end else if (Dataflow == dnn_pkg::DataflowWs) begin : g_ws
    dnn_systolic_ws_core #(
      .Banks     (2),
      .KSplit    (1),
      .NumRows   (NumRows),
      .NumCols   (NumCols),
      .InBits    (InBits),
      .WBits     (WBits),
      .AccBits   (AccBits),
      .AccIntBits(AccIntBits),
      .Signed    (Signed),
      .Saturate  (Saturate),
      .MaxM      (MaxM),
      .MaxN      (MaxN),
      .MaxK      (MaxK),
      .DimBits   (DimBits),
      .LdAddrBits(LdAddrBits),
      .LdWidth   (LdWidth),
      .CycleBits (48)
    ) u_core (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .ld_valid_i (ld_valid),
      .ld_ready_o (core_ld_ready),
      .ld_sel_i   (ld_sel),
      .ld_bank_i  (ld_bank),
      .ld_addr_i  (ld_addr),
      .ld_data_i  (ld_data),
      .job_valid_i(core_job_valid),
      .job_ready_o(core_job_ready),
      .job_m_i    (DimBits'(cmj)),
      .job_n_i    (DimBits'(cnj)),
      .job_k_i    (DimBits'(ckj)),
      .job_bank_i (cbank_q),
      .job_first_i(cfirst_k),
      .job_last_i (clast_k),
      .out_valid_o(core_out_valid),
      .out_ready_i(core_out_ready),
      .out_last_o (core_out_last),
      .out_row_o  (core_out_row),
      .out_col_o  (core_out_col),
      .out_data_o (core_out_data),
      .busy_o     (core_busy),
      .done_o     (core_done),
      .err_o      (core_err),
      .cycles_o   (core_cycles)
    );
    logic unused_rot;  // the weight-stationary core takes A as rows
    assign unused_rot = ^ld_rot;
  end else begin : g_os
    dnn_systolic_os_core #(
      .Banks     (2),
      .KSplit    (1),
      .ARows     (1),
      .NumRows   (NumRows),
      .NumCols   (NumCols),
      .InBits    (InBits),
      .WBits     (WBits),
      .AccBits   (AccBits),
      .AccIntBits(AccIntBits),
      .Signed    (Signed),
      .Saturate  (Saturate),
      .MaxM      (MaxM),
      .MaxN      (MaxN),
      .MaxK      (MaxK),
      .DimBits   (DimBits),
      .LdAddrBits(LdAddrBits),
      .LdWidth   (LdWidth),
      .CycleBits (48)
    ) u_core (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .ld_valid_i (ld_valid),
      .ld_ready_o (core_ld_ready),
      .ld_sel_i   (ld_sel),
      .ld_bank_i  (ld_bank),
      .ld_addr_i  (ld_addr),
      .ld_rot_i   (ld_rot),
      .ld_data_i  (ld_data),
      .job_valid_i(core_job_valid),
      .job_ready_o(core_job_ready),
      .job_m_i    (DimBits'(cmj)),
      .job_n_i    (DimBits'(cnj)),
      .job_k_i    (DimBits'(ckj)),
      .job_bank_i (cbank_q),
      .job_first_i(cfirst_k),
      .job_last_i (clast_k),
      .out_valid_o(core_out_valid),
      .out_ready_i(core_out_ready),
      .out_last_o (core_out_last),
      .out_row_o  (core_out_row),
      .out_col_o  (core_out_col),
      .out_data_o (core_out_data),
      .busy_o     (core_busy),
      .done_o     (core_done),
      .err_o      (core_err),
      .cycles_o   (core_cycles)
    );
  end

  // ---------------------------------------------------------------- channel parameters
  // Two banks of NTiles words, C channels a word, written by the loader, read when a
  // result row enters the output stage (the row's N-tile of the job's bank).
  logic                   par_re;
  logic [ParBits-1:0]     par_raddr, par_waddr;
  logic [NumCols*32-1:0]  bias_wdata, bias_rdata, mult_wdata, mult_rdata;
  logic [NumCols*6-1:0]   shift_wdata, shift_rdata;
  assign par_waddr = ParBits'(par_addr) + (par_bank ? ParBits'(NTiles) : '0);
  for (genvar c = 0; c < NumCols; c++) begin : g_par_lane
    logic [31:0] shift_word;
    assign shift_word = par_data[c*64 + 32 +: 32];
    assign bias_wdata[c*32 +: 32] = par_data[c*64 +: 32];
    assign mult_wdata[c*32 +: 32] = par_data[c*64 +: 32];
    // A table shift above 62 reads as 62 (the output pipeline's largest).
    assign shift_wdata[c*6 +: 6] = (shift_word > 32'd62) ? 6'd62 : shift_word[5:0];
  end

  dnn_sram_1r1w #(.Depth(2 * NTiles), .Width(NumCols * 32)) u_bias (
    .clk_i  (clk_i),
    .we_i   (par_we && !par_sel),
    .waddr_i(par_waddr),
    .wdata_i(bias_wdata),
    .re_i   (par_re),
    .raddr_i(par_raddr),
    .rdata_o(bias_rdata)
  );
  dnn_sram_1r1w #(.Depth(2 * NTiles), .Width(NumCols * 38)) u_quant (
    .clk_i  (clk_i),
    .we_i   (par_we && par_sel),
    .waddr_i(par_waddr),
    .wdata_i({shift_wdata, mult_wdata}),
    .re_i   (par_re),
    .raddr_i(par_raddr),
    .rdata_o({shift_rdata, mult_rdata})
  );

  // ---------------------------------------------------------------- output stage
  // A result row of the core (C channels of row m, N-tile nt) waits here one cycle while
  // its channel parameters are read.
  logic                       stage_valid_q, stage_load, rq_in_ready, rq_empty;
  logic [NumCols*AccBits-1:0] stage_data_q;
  logic [DimBits-1:0]         stage_row_q;
  logic [ParAddrBits-1:0]     stage_ntile_q;
  logic                       stage_last_q;
  logic [ParAddrBits-1:0]     ntile_q, ntile;
  logic [DimBits-1:0]         col_q;

  assign core_out_ready = !stage_valid_q || rq_in_ready;
  assign stage_load     = core_out_valid && core_out_ready;
  assign par_re         = stage_load;
  assign par_raddr      = ParBits'(ntile) + (cbank_q ? ParBits'(NTiles) : '0);
  // The row's N-tile changes with its first column: back to 0 or on to the next, in
  // whichever order the core emits its tiles (WS: N-tiles outer, OS: M-tiles outer).
  assign ntile = (core_out_col == col_q) ? ntile_q : (core_out_col == '0) ? '0 : ntile_q + 1'b1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      stage_valid_q <= 1'b0;
      stage_data_q  <= (NumCols * AccBits)'(0);
      stage_row_q   <= '0;
      stage_ntile_q <= '0;
      stage_last_q  <= 1'b0;
      ntile_q       <= '0;
      col_q         <= '0;
    end else begin
      if (stage_load) begin
        stage_valid_q <= 1'b1;
        stage_data_q  <= core_out_data;
        stage_row_q   <= core_out_row;
        stage_ntile_q <= ntile;
        stage_last_q  <= core_out_last;
        ntile_q       <= ntile;
        col_q         <= core_out_col;
      end else if (rq_in_ready) begin
        stage_valid_q <= 1'b0;
      end
      if (core_job_valid && core_job_ready) begin
        ntile_q <= '0;
        col_q   <= '0;
      end
    end
  end

  // Requantisation to 32 bits; int8/int16 clamp on the way out (clamping twice is
  // clamping once).
  logic [NumCols*32-1:0] rq_bias, rq_mult;
  logic [NumCols*6-1:0]  rq_shift;
  for (genvar c = 0; c < NumCols; c++) begin : g_rq_lane
    assign rq_bias[c*32 +: 32]  = (!raw && out_bias) ? bias_rdata[c*32 +: 32] : 32'd0;
    assign rq_mult[c*32 +: 32]  = raw ? 32'd1 : out_per_channel ? mult_rdata[c*32 +: 32] : out_mult_w;
    assign rq_shift[c*6 +: 6]   = raw ? 6'd0 : out_per_channel ? shift_rdata[c*6 +: 6] : out_shift;
  end

  logic                  rq_valid;
  logic [NumCols*32-1:0] rq_data;
  logic [TagBits-1:0]    rq_tag;
  dnn_shell_requant #(
    .Lanes  (NumCols),
    .AccBits(AccBits),
    .OutBits(32),
    .TagBits(TagBits)
  ) u_requant (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (stage_valid_q),
    .in_ready_o (rq_in_ready),
    .in_acc_i   (stage_data_q),
    .in_bias_i  (rq_bias),
    .in_mult_i  (rq_mult),
    .in_shift_i (rq_shift),
    .in_relu_i  (!raw && out_relu),
    .in_tag_i   ({stage_last_q, stage_ntile_q, stage_row_q}),
    .out_valid_o(rq_valid),
    .out_ready_i(1'b1),
    .out_data_o (rq_data),
    .out_tag_o  (rq_tag),
    .empty_o    (rq_empty)
  );

  // ---------------------------------------------------------------- output tiles
  // Two banks of one job's results (MaxM rows x NTiles words of C channels), so its rows
  // leave as long contiguous writes while the next emitting job fills the other bank. A
  // bank is claimed when its job starts in the core and full when the job's last result
  // is in; the writer frees it when it has read the last word.
  localparam int unsigned ObWords = MaxM * NTiles;
  localparam int unsigned ObBits  = dnn_pkg::idx_bits(2 * ObWords);
  logic [1:0]          ob_claimed_q, ob_full_q;
  logic                ob_acc_q, ob_wbank_q, ob_rbank_q;   // next bank to claim, write, read
  logic                ob_we, ob_re, emit_accept;
  logic [ObBits-1:0]   ob_waddr, ob_raddr;
  logic [NumCols*32-1:0] ob_rdata;
  // The emitting job of each bank: its first row and column, its sizes, OUT + m0*pitch.
  // (bank b at [b*W +: W]: Yosys 0.23 takes no packed arrays of vectors)
  logic [2*SizeBits-1:0] ob_n0_q, ob_mj_q, ob_nj_q;
  logic [2*AddrBits-1:0] ob_row_q;

  assign emit_accept = core_job_valid && core_job_ready && clast_k;
  assign ob_we       = rq_valid;
  assign ob_waddr    = ObBits'(rq_tag[DimBits-1:0]) * ObBits'(NTiles)
                     + ObBits'(rq_tag[DimBits +: ParAddrBits]) + (ob_wbank_q ? ObBits'(ObWords) : '0);

  dnn_sram_1r1w #(.Depth(2 * ObWords), .Width(NumCols * 32)) u_obuf (
    .clk_i  (clk_i),
    .we_i   (ob_we),
    .waddr_i(ob_waddr),
    .wdata_i(rq_data),
    .re_i   (ob_re),
    .raddr_i(ob_raddr),
    .rdata_o(ob_rdata)
  );

  // The writer: for the bank being read, one segment a row (or one for all rows when they
  // are contiguous in memory: the job spans all of N and OUT is packed), each row as
  // NTiles chunks of C channels, the last cut at the row's end.
  localparam logic [1:0] WrIdle = 2'd0, WrSeg = 2'd1, WrChunks = 2'd2;
  logic [1:0]          wstate_q;
  logic                out_contig;
  logic [SizeBits-1:0] wrow_q, wseg_rows_q;              // row being read; rows left in segment
  logic [ParAddrBits-1:0] wtile_q;
  logic                chunk_valid_q;                    // ob_rdata holds a chunk for the pack
  logic [RunLenBits-1:0] chunk_len_q;
  logic                pack_seg_valid, pack_seg_ready, pack_in_ready, pack_in_fire, pack_idle;
  logic [AddrBits-1:0] pack_seg_addr;
  logic [SizeBits+3:0] pack_seg_len;
  logic [SizeBits-1:0] rmj, rnj, wcols_left;
  logic                last_tile, reading;

  assign out_contig     = 32'(size_n) <= MaxN && out_pitch == out_row_bytes;
  assign rmj            = ob_mj_q[ob_rbank_q*SizeBits +: SizeBits];
  assign rnj            = ob_nj_q[ob_rbank_q*SizeBits +: SizeBits];
  assign pack_seg_valid = wstate_q == WrSeg;
  assign pack_seg_addr  = ob_row_q[ob_rbank_q*AddrBits +: AddrBits] + AddrBits'(AddrBits'(wrow_q) * AddrBits'(out_pitch))
                        + (AddrBits'(ob_n0_q[ob_rbank_q*SizeBits +: SizeBits]) << out_log2);
  assign pack_seg_len   = out_contig ? ((SizeBits+4)'(rmj) * (SizeBits+4)'(rnj)) << out_log2
                                     : (SizeBits+4)'(rnj) << out_log2;
  // Columns of the row from this tile on; the tile is the row's last when C cover them.
  assign wcols_left     = rnj - (SizeBits'(wtile_q) * SizeBits'(NumCols));
  assign last_tile      = wcols_left <= SizeBits'(NumCols);
  assign pack_in_fire   = chunk_valid_q && pack_in_ready;
  // A read goes out when the chunk register is free (or being taken) and words remain.
  assign reading        = wstate_q == WrChunks && wseg_rows_q != '0;
  assign ob_re          = reading && (!chunk_valid_q || pack_in_ready);
  assign ob_raddr       = ObBits'(wrow_q) * ObBits'(NTiles) + ObBits'(wtile_q)
                        + (ob_rbank_q ? ObBits'(ObWords) : '0);
  assign ob_free        = !ob_claimed_q[ob_acc_q];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ob_claimed_q  <= '0;
      ob_full_q     <= '0;
      ob_acc_q      <= 1'b0;
      ob_wbank_q    <= 1'b0;
      ob_rbank_q    <= 1'b0;
      ob_n0_q       <= '0;
      ob_mj_q       <= '0;
      ob_nj_q       <= '0;
      ob_row_q      <= '0;
      wstate_q      <= WrIdle;
      wrow_q        <= '0;
      wseg_rows_q   <= '0;
      wtile_q       <= '0;
      chunk_valid_q <= 1'b0;
      chunk_len_q   <= '0;
    end else if (run_start) begin
      ob_claimed_q <= '0;
      ob_full_q    <= '0;
      ob_acc_q     <= 1'b0;
      ob_wbank_q   <= 1'b0;
      ob_rbank_q   <= 1'b0;
    end else begin
      if (emit_accept) begin
        ob_claimed_q[ob_acc_q] <= 1'b1;
        ob_n0_q[ob_acc_q*SizeBits +: SizeBits]      <= cn0;
        ob_mj_q[ob_acc_q*SizeBits +: SizeBits]      <= cmj;
        ob_nj_q[ob_acc_q*SizeBits +: SizeBits]      <= cnj;
        ob_row_q[ob_acc_q*AddrBits +: AddrBits]     <= cout_row;
        ob_acc_q               <= !ob_acc_q;
      end
      if (rq_valid && rq_tag[TagBits-1]) begin
        ob_full_q[ob_wbank_q] <= 1'b1;
        ob_wbank_q            <= !ob_wbank_q;
      end
      if (pack_in_fire) chunk_valid_q <= 1'b0;
      if (ob_re) begin
        chunk_valid_q <= 1'b1;
        chunk_len_q   <= (last_tile ? RunLenBits'(wcols_left) : RunLenBits'(NumCols)) << out_log2;
        if (last_tile) begin
          wtile_q     <= '0;
          wrow_q      <= wrow_q + 1'b1;
          wseg_rows_q <= wseg_rows_q - 1'b1;
        end else begin
          wtile_q <= wtile_q + 1'b1;
        end
      end
      unique case (wstate_q)
        WrIdle: if (ob_full_q[ob_rbank_q]) begin
          wstate_q <= WrSeg;
          wrow_q   <= '0;
          wtile_q  <= '0;
        end
        WrSeg: if (pack_seg_ready) begin
          wstate_q    <= WrChunks;
          wseg_rows_q <= out_contig ? rmj : SizeBits'(1);
        end
        WrChunks: if (wseg_rows_q == '0 && pack_in_fire) begin
          // The segment's last chunk is going to the pack.
          if (wrow_q == rmj) begin
            wstate_q                <= WrIdle;
            ob_full_q[ob_rbank_q]    <= 1'b0;
            ob_claimed_q[ob_rbank_q] <= 1'b0;
            ob_rbank_q              <= !ob_rbank_q;
          end else begin
            wstate_q <= WrSeg;
          end
        end
        default: wstate_q <= WrIdle;
      endcase
    end
  end

  // Clamp the chunk's channels to OUTPUT.BITS (the type's width by default) and pack their
  // bytes at the output type.
  logic [RunBits-1:0] chunk_data;
  always_comb begin
    chunk_data = '0;
    for (int unsigned c = 0; c < NumCols; c++) begin
      logic signed [31:0] v;
      v = $signed(ob_rdata[c*32 +: 32]);
      if (v > $signed(clamp_hi)) v = $signed(clamp_hi);
      if (v < -$signed(clamp_hi) - 32'sd1) v = -$signed(clamp_hi) - 32'sd1;
      unique case (out_type)
        2'd0: chunk_data[c*8 +: 8] = v[7:0];
        2'd1: chunk_data[c*16 +: 16] = v[15:0];
        default: chunk_data[c*32 +: 32] = $signed(ob_rdata[c*32 +: 32]);
      endcase
    end
  end

  // ---------------------------------------------------------------- write path
  logic                wr_cmd_valid, wr_cmd_ready, wr_busy, wb_valid, wb_ready;
  logic [AddrBits-1:0] wr_cmd_addr;
  logic [SizeBits+4:0] wr_cmd_beats;
  logic [DataBits-1:0] wb_data;
  logic [Bytes-1:0]    wb_strb;

  dnn_shell_pack #(
    .DataBits(DataBits),
    .RunBits (RunBits),
    .AddrBits(AddrBits),
    .LenBits (SizeBits + 4)
  ) u_pack (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .seg_valid_i(pack_seg_valid),
    .seg_ready_o(pack_seg_ready),
    .seg_addr_i (pack_seg_addr),
    .seg_len_i  (pack_seg_len),
    .in_valid_i (chunk_valid_q),
    .in_ready_o (pack_in_ready),
    .in_len_i   (chunk_len_q),
    .in_data_i  (chunk_data),
    .cmd_valid_o(wr_cmd_valid),
    .cmd_ready_i(wr_cmd_ready),
    .cmd_addr_o (wr_cmd_addr),
    .cmd_beats_o(wr_cmd_beats),
    .out_valid_o(wb_valid),
    .out_ready_i(wb_ready),
    .out_data_o (wb_data),
    .out_strb_o (wb_strb),
    .idle_o     (pack_idle)
  );

  dnn_axi_dma_wr #(
    .AddrBits   (AddrBits),
    .DataBits   (DataBits),
    .MaxBurst   (MaxBurst),
    .Outstanding(Outstanding),
    .BeatsBits  (SizeBits + 5)
  ) u_dma_wr (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cmd_valid_i    (wr_cmd_valid),
    .cmd_ready_o    (wr_cmd_ready),
    .cmd_addr_i     (wr_cmd_addr),
    .cmd_beats_i    (wr_cmd_beats),
    .in_valid_i     (wb_valid),
    .in_ready_o     (wb_ready),
    .in_data_i      (wb_data),
    .in_strb_i      (wb_strb),
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

  // Everything issued has finished: no job in the core, no load or result on its way, no
  // output tile waiting, every write answered.
  assign drained = !crun_q && !core_busy && loader_idle && !stage_valid_q && rq_empty
                && ob_full_q == '0 && wstate_q == WrIdle && pack_idle && !wr_busy;

  // ---------------------------------------------------------------- counters
  logic core_stalled;
  assign core_stalled = core_out_valid && !core_out_ready;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_total_q    <= '0;
      cycles_compute_q  <= '0;
      cycles_mem_wait_q <= '0;
      bytes_read_q      <= '0;
      bytes_written_q   <= '0;
    end else if (q_take) begin
      cycles_total_q    <= '0;
      cycles_compute_q  <= '0;
      cycles_mem_wait_q <= '0;
      bytes_read_q      <= '0;
      bytes_written_q   <= '0;
    end else begin
      if (layer_busy) cycles_total_q <= cycles_total_q + 1'b1;
      if (core_busy && !core_stalled) cycles_compute_q <= cycles_compute_q + 1'b1;
      // Waiting on memory: the core stalled on the write path, or idle while jobs remain
      // for want of a loaded operand bank or (an emitting job) a free output tile bank.
      if (core_stalled || (lstate_q == LayerRun && cwalk_valid && !crun_q
                           && (!full_q[cbank_q] || (clast_k && !ob_free))))
        cycles_mem_wait_q <= cycles_mem_wait_q + 1'b1;
      if (rd_valid && rd_ready) bytes_read_q <= bytes_read_q + 64'(Bytes);
      if (pack_in_fire) bytes_written_q <= bytes_written_q + 64'(chunk_len_q);
    end
  end

  logic unused;
  assign unused = ^{rd_last, a_rows[31:SizeBits], core_out_col, core_done, core_err, core_cycles, core_ld_ready, cm0, ck0, ckj, clast,
                    ca_row, cb_row, a_addr_w, b_addr_w, out_addr_w, bias_addr_w, quant_addr_w,
                    output_w, out_shift_w, op_w, precision_w, prec_field, prec_auto};

endmodule
