// The row-stationary (Eyeriss) engine behind the accelerator shell (docs/shell.md, "The
// row-stationary engine behind the shell"): the register file, an AXI4 master and whole
// conv2d layers in hardware, from a descriptor to the ofmap in memory. The golden model is
// rs::run_layer, the cycle model rs::layer_cycles (model/src/row_stationary/shell_*.cpp).
//
//   regs --start--> check --> bias --> (mult, shift) --> one core job (dnn_rs_top), while
//        it runs the loads in the order the core reads them: per filter group, per row
//        fold, the ifmap channels the fold starts (first group) and the fold's filter words
//   core results --> output tiles --> the output pipeline --> ofmap
//
// Tensors are in CHW planes (OP.CHW, which the engine requires): the ifmap's rows (c, y) of
// IN_W elements are what the core's ifmap buffer holds, one word a row; the weights KCRS, so
// each filter row W[k][c][r][0..S) is one word of a PE's filter scratchpad, and a row fold's
// NumRows of them (slots c*R + r, zero past C*R) one filter-buffer word. The load walker
// reads them in the sequencer's address order (filter group, row fold, filter), one DMA
// read a word (a filter's fold is contiguous in KCRS), and before a fold's words of the
// first group the ifmap channels the fold starts (one read a channel, or a row when rows
// are not packed). The reads queue (up to Outstanding) for the realigner
// (dnn_shell_unpack), which cuts them into rows. The job starts once the small tables are
// in, and the core waits only for the word or row it reads (fw_avail_i, if_avail_i: the
// words and rows in so far), so the loads stream in behind its compute. A layer whose
// filters fit one group runs as two, the second of ceil(K / TailDiv) filters: a group's
// tiles come out at its last fold, and only the last group's drain after the core ends.
//
// The core emits ofmap[k][e0 + j][f] for its columns j, f by f, filter by filter, at each
// filter's last row fold. An output tile (one filter k, one E-fold: ncv = min(NumCols,
// E - e0) rows of F) is F words of a ring of floor(TileWords / F) tile slots, and leaves
// it row by row, one element a cycle, through the output pipeline (bias, scale, ReLU,
// clamp) to the write aligner and write DMA while the core fills the next slots. The core
// emits a group's tiles in a burst at its last row fold, faster than one element a cycle
// drains them; the ring lets the drain run on through the next group's earlier folds. A
// result that finds every slot full stalls the core (its output port freezes it, exactly).
// With packed output rows a tile is one write.
//
// With ring buffers (RingBuffers = 1, systolic.buffers: ring) the core's ifmap and filter
// buffers are rings holding the words in the order it reads them, and the loads follow
// its two read streams instead: the ifmap rows in the multicast's order (a copy of the
// core's load walk, dnn_rs_load_walk, run ahead of it: runs of consecutive rows, up to
// half the ring, one DMA read each; a row read again as often as the core reads it) and
// the filter words in the sequencer's order once per E-fold (one read a word). Word n of a
// stream is read from memory once the core's reads of that stream (if_reads_o,
// fw_reads_o) have passed word n - depth, so its entry is free when it arrives; the ifmap
// read goes first when both may. A layer's C*H and
// K*ceil(C*R/rows) are then unbounded; OUT_C is bounded by the bias and scale tables
// (MaxFilters).
//
// A descriptor may hold N images (0: one), each ifmap after the one before in memory and
// each ofmap likewise: the filters load with the first image and stay, and each next
// image's core job starts once the one before has finished (its ifmap rows then load into
// the same buffer), while the ring drains on across the images.
//
// ABORT, SOFT_RESET and an AXI error end a load phase before the job early (the layer then
// drains and ends with its code); once the job runs, its loads and the job complete (the
// core waits for them), its results from then on are dropped, and the tiles already in the
// ring are written. A read error on a late ifmap row or weight can come after the first
// tiles were written: the ofmap of an errored layer is undefined (docs/shell.md).
// START while a layer runs queues the descriptor (dnn_shell_desc_queue).
module dnn_shell_rs #(
  parameter int unsigned NumRows     = 4,
  parameter int unsigned NumCols     = 4,
  parameter int unsigned InBits      = 8,
  parameter int unsigned WBits       = 8,
  parameter int unsigned AccBits     = 32,
  parameter int unsigned Signed      = 1,
  parameter int unsigned Saturate    = 0,
  parameter int unsigned MaxRS       = 3,
  parameter int unsigned FilterSpad  = 3,
  parameter int unsigned IfmapSpad   = 8,
  parameter int unsigned IfmapBanks  = 2,
  parameter int unsigned PsumSpad    = 16,
  parameter int unsigned IfmapRows   = 32,
  parameter int unsigned FilterWords = 32,
  parameter int unsigned RingBuffers = 0,    // 1: the core's buffers are rings the loads stream into
  // OUT_C limit: the bias and scale tables' depth (the configuration's default).
  parameter int unsigned MaxFilters  = (FilterWords < 65535) ? FilterWords : 65535,
  parameter int unsigned TileWords   = 2 * PsumSpad, // the output tile ring's words (>= PsumSpad: a tile of F)
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
  localparam int unsigned LenBits    = 28;   // bytes of one read or write (the buffers hold < 2^25)
  localparam int unsigned DimBits    = 16;   // the core's job fields
  localparam int unsigned InBytes    = InBits / 8;
  localparam int unsigned WBytes     = WBits / 8;
  localparam int unsigned IRowW      = IfmapSpad * InBits;     // an ifmap-buffer word
  localparam int unsigned FRowW      = FilterSpad * WBits;     // one PE row's filter row
  localparam int unsigned FWordW     = NumRows * FRowW;        // a filter-buffer word
  localparam int unsigned UWordBits  = (IRowW > FRowW) ? ((IRowW > 32) ? IRowW : 32)
                                                       : ((FRowW > 32) ? FRowW : 32);
  localparam int unsigned IAddrBits  = dnn_pkg::idx_bits(IfmapRows);
  localparam int unsigned FAddrBits  = dnn_pkg::idx_bits(FilterWords);
  localparam int unsigned LdAddrBits = (IAddrBits > FAddrBits) ? IAddrBits : FAddrBits;
  localparam int unsigned LdWidth    = (IRowW > FWordW) ? IRowW : FWordW;
  localparam int unsigned KAddrBits  = dnn_pkg::idx_bits(MaxFilters);   // K <= MaxFilters
  localparam bit          Ring       = RingBuffers != 0;
  localparam int unsigned TileDepth  = TileWords;                       // >= 1 tile of F <= PsumSpad
  localparam int unsigned TAddrBits  = dnn_pkg::idx_bits(TileDepth);
  localparam int unsigned LaneBits   = dnn_pkg::idx_bits(NumCols);
  localparam int unsigned RowIdxBits = dnn_pkg::idx_bits(NumRows);
  localparam int unsigned SkipBits   = $clog2(Bytes);
  localparam int unsigned WBytesBits = $clog2(UWordBits / 8 + 1);

  if ((InBits != 8 && InBits != 16) || (WBits != 8 && WBits != 16) || AccBits > 64 || AccBits < 2
      || QueueDepth > 15 || PsumSpad < 1 || NumRows < 1 || NumCols < 1 || NumCols > 64 || MaxRS > 32
      || MaxFilters < 1 || MaxFilters > 65535 || RingBuffers > 1 || TileWords < PsumSpad)
  begin : g_bad_param
    $error("dnn_shell_rs: InBits and WBits 8 or 16, AccBits 2..64, QueueDepth <= 15, NumCols <= 64, MaxRS <= 32, MaxFilters 1..65535, RingBuffers 0 or 1, TileWords >= PsumSpad");
  end

  // ---------------------------------------------------------------- registers and layer control
  typedef enum logic [3:0] {
    SIdle, SCheck, SBiasCmd, SBias, SQuantCmd, SQuant, SJob, SLoad, SRun, SDrain
  } state_e;
  state_e state_q;
  localparam int unsigned DescWords = dnn_shell_regs_pkg::DescWords;
  logic [DescWords*32-1:0] q_desc;
  logic        q_take, soft_reset, stop, ending, drained, rd_err, wr_err, read_beat, write_elem;
  logic [7:0]  check_code, stop_code;
  logic        k_busy;
  logic [2:0]  out_len;

  dnn_shell_layer_ctrl #(
    .RegAddrBits  (RegAddrBits),
    .EngineKind   (dnn_shell_regs_pkg::EngineRowStationary),
    .EngineVariant(0),
    .EngineOps    (1 << dnn_shell_regs_pkg::OpConv2d),
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
    .stop_o          (stop),
    .stop_code_o     (stop_code),
    .end_code_i      (stop_code),
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

  logic [31:0] op_w, output_w, in_h, in_w, in_c, out_c, kernel_w, stride_w, pad_w, n_w;
  logic [31:0] a_stride_w, b_stride_w, out_stride_w, out_mult_w, out_shift_w;
  logic [63:0] a_addr_w, b_addr_w, bias_addr_w, quant_addr_w, out_addr_w;
  logic [15:0] r_w, s_w, stride_y, stride_x, pad_y, pad_x;
  logic [1:0]  out_type;
  logic        out_bias, out_relu, out_per_channel, raw, use_bias, use_quant, chw;
  logic [4:0]  out_bits;
  assign op_w            = desc_q[bit_of(dnn_shell_regs_pkg::RegOp) +: 32];
  assign chw             = op_w[dnn_shell_regs_pkg::OpChwLsb];
  assign output_w        = desc_q[bit_of(dnn_shell_regs_pkg::RegOutput) +: 32];
  assign out_type        = output_w[1:0];
  assign out_bias        = output_w[2];
  assign out_relu        = output_w[3];
  assign out_per_channel = output_w[4];
  assign out_bits        = output_w[dnn_shell_regs_pkg::OutputBitsLsb +: 5];
  assign n_w             = desc_q[bit_of(dnn_shell_regs_pkg::RegN) +: 32];
  assign in_h            = desc_q[bit_of(dnn_shell_regs_pkg::RegInH) +: 32];
  assign in_w            = desc_q[bit_of(dnn_shell_regs_pkg::RegInW) +: 32];
  assign in_c            = desc_q[bit_of(dnn_shell_regs_pkg::RegInC) +: 32];
  assign out_c           = desc_q[bit_of(dnn_shell_regs_pkg::RegOutC) +: 32];
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
  assign r_w      = kernel_w[dnn_shell_regs_pkg::KernelRLsb +: 16];
  assign s_w      = kernel_w[dnn_shell_regs_pkg::KernelSLsb +: 16];
  assign stride_y = stride_w[dnn_shell_regs_pkg::StrideYLsb +: 16];
  assign stride_x = stride_w[dnn_shell_regs_pkg::StrideXLsb +: 16];
  assign pad_y    = pad_w[dnn_shell_regs_pkg::PadYLsb +: 16];
  assign pad_x    = pad_w[dnn_shell_regs_pkg::PadXLsb +: 16];
  assign raw       = out_type == 2'(dnn_shell_regs_pkg::OutTypeInt32);
  assign use_bias  = out_bias && !raw;
  assign use_quant = out_per_channel && !raw;

  // ---------------------------------------------------------------- the layer's shape
  // E, F, the row folds nq = ceil(C*R / NumRows) and the filters a group kg =
  // min(K, PsumSpad / F, K - ceil(K / TailDiv)), as the host plan (rs::plan) derives them;
  // meaningful once the size checks pass (every value then fits the core's 16-bit job
  // fields).
  logic [17:0] span_y, span_x, out_e, out_f;
  logic [15:0] div_s;
  logic [31:0] c_h;
  logic [21:0] c_r, nq;
  logic [37:0] k_nq;
  logic [47:0] w_bytes;
  logic [15:0] kg, kg_tail;
  logic [17:0] kg_fit;
  assign span_y  = 18'(in_h[15:0]) + 18'({pad_y, 1'b0}) - 18'(r_w);
  assign span_x  = 18'(in_w[15:0]) + 18'({pad_x, 1'b0}) - 18'(s_w);
  assign div_s   = (stride_y == '0) ? 16'd1 : stride_y;   // stride 0 is refused below
  assign out_e   = span_y / 18'(div_s) + 1'b1;
  assign out_f   = span_x / 18'(div_s) + 1'b1;
  // Narrow products: each is exact whenever the fields it is built from pass their own
  // checks (IN_C, IN_H, OUT_C < 2^16, R and S <= MaxRS <= 32), which come with it or before.
  assign c_h     = 32'(in_c[15:0]) * 32'(in_h[15:0]);
  assign c_r     = 22'(in_c[15:0]) * 22'(r_w[5:0]);
  assign nq      = (c_r + 22'(NumRows - 1)) / 22'(NumRows);
  assign k_nq    = 38'(out_c[15:0]) * 38'(nq);
  assign kg_fit  = 18'(PsumSpad) / out_f;
  // A tail group of ceil(K / TailDiv) filters when they fit one (rs::kShellTailDiv).
  localparam int unsigned TailDiv = 16;
  assign kg_tail = (out_c[15:0] == 16'd1)
                 ? 16'd1 : out_c[15:0] - 16'((17'(out_c[15:0]) + 17'(TailDiv - 1)) >> $clog2(TailDiv));
  assign kg      = (32'(kg_fit) < 32'(kg_tail)) ? kg_fit[15:0] : kg_tail;   // K < 2^16 once it runs
  assign w_bytes = 48'(38'(out_c[15:0]) * 38'(c_r)) * 48'(s_w[5:0]) * 48'(WBytes);

  // The images (N; 0 is one), and the one the core runs.
  logic [15:0] images, img_q;
  logic        more_images;
  assign images      = (n_w[15:0] == '0) ? 16'd1 : n_w[15:0];
  assign more_images = img_q + 1'b1 < images;

  // Rows and pitches in memory: ifmap rows (c, y) of IN_W elements, output rows (k, e) of F.
  logic [1:0]  out_log2;
  logic [31:0] a_row, out_row, a_pitch, out_pitch;
  logic        a_packed, out_packed;
  assign out_log2   = raw ? 2'd2 : out_type;
  assign a_row      = 32'(in_w[15:0]) * 32'(InBytes);
  assign out_row    = 32'(out_f) << out_log2;
  assign a_pitch    = (a_stride_w != '0) ? a_stride_w : a_row;
  assign out_pitch  = (out_stride_w != '0) ? out_stride_w : out_row;
  assign a_packed   = a_pitch == a_row;
  assign out_packed = out_pitch == out_row;

  // ---------------------------------------------------------------- descriptor checks
  function automatic logic past_top(input logic [63:0] base, input logic [48:0] rows,
                                    input logic [31:0] pitch, input logic [47:0] row_bytes);
    logic [48:0] rows_m1;
    logic [81:0] span, last_end;
    rows_m1  = rows - 49'd1;
    span     = 82'(rows_m1) * 82'(pitch);
    last_end = 82'(base) + span + 82'(row_bytes);
    past_top = last_end > (82'd1 << AddrBits);
  endfunction

  function automatic logic misaligned(input logic [2:0] low_bits, input logic [1:0] log2);
    misaligned = (low_bits & 3'((3'b1 << log2) - 1'b1)) != '0;
  endfunction

  localparam logic [1:0] InLog2 = (InBytes == 2) ? 2'd1 : 2'd0;
  localparam logic [1:0] WLog2  = (WBytes == 2) ? 2'd1 : 2'd0;
  logic       bits_bad;
  logic [4:0] clamp_bits;
  assign bits_bad   = raw ? out_bits != '0
                          : out_bits != '0 && (out_bits < 5'd2 || out_bits > (out_type == 2'd0 ? 5'd8 : 5'd16));
  assign clamp_bits = (out_bits != '0) ? out_bits : (out_type == 2'd0 ? 5'd8 : 5'd16);

  always_comb begin
    check_code = 8'(dnn_shell_regs_pkg::ErrorNone);
    if (op_w[3:0] != 4'(dnn_shell_regs_pkg::OpConv2d)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorBadOp);
    end else if (in_h == '0 || in_w == '0 || in_c == '0 || out_c == '0 || r_w == '0 || s_w == '0) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorZeroSize);
    end else if (stride_y == '0 || stride_x == '0 || pad_y > r_w || pad_x > s_w
                 || stride_x != stride_y || pad_x != pad_y) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorBadField);
    end else if (in_h >= 32'h1_0000 || in_w > IfmapSpad || in_c >= 32'h1_0000 || out_c >= 32'h1_0000
                 || n_w >= 32'h1_0000
                 || 32'(r_w) > MaxRS || 32'(s_w) > MaxRS
                 || 18'(in_h[15:0]) + 18'({pad_y, 1'b0}) < 18'(r_w)
                 || 18'(in_w[15:0]) + 18'({pad_x, 1'b0}) < 18'(s_w)
                 || (!Ring && c_h > IfmapRows) || 32'(out_f) > PsumSpad
                 || (!Ring && k_nq > 38'(FilterWords)) || out_c > MaxFilters
                 || out_e >= 18'h1_0000) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorSizeRange);
    end else if (!chw || out_type == 2'd3 || (raw && AccBits > 32) || (!raw && out_shift_w > 32'd62)
                 || bits_bad || b_stride_w != '0
                 || (a_stride_w != '0 && a_stride_w < a_row)
                 || (out_stride_w != '0 && out_stride_w < out_row)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorBadField);
    end else if (misaligned(a_addr_w[2:0], InLog2) || misaligned(a_pitch[2:0], InLog2)
                 || misaligned(b_addr_w[2:0], WLog2)
                 || misaligned(out_addr_w[2:0], out_log2) || misaligned(out_pitch[2:0], out_log2)
                 || (use_bias && bias_addr_w[1:0] != '0) || (use_quant && quant_addr_w[1:0] != '0)) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorAddrAlign);
    end else if (past_top(a_addr_w, 49'(images) * 49'(c_h), a_pitch, 48'(a_row))
                 || past_top(b_addr_w, 49'd1, 32'd0, w_bytes)
                 || past_top(out_addr_w, 49'(images) * 49'(out_c[15:0]) * 49'(out_e), out_pitch, 48'(out_row))
                 || (use_bias && past_top(bias_addr_w, 49'd1, 32'd0, 48'(out_c[15:0]) << 2))
                 || (use_quant && past_top(quant_addr_w, 49'd1, 32'd0, 48'(out_c[15:0]) << 3))) begin
      check_code = 8'(dnn_shell_regs_pkg::ErrorAddrRange);
    end
  end

  // ---------------------------------------------------------------- phases

  // A read: one DMA command, and one realigner segment queued behind it (u_segs).
  logic                 rd_cmd_ready, sq_ready, read_fire, is_cmd;
  logic [AddrBits-1:0]  read_addr;
  logic [LenBits-1:0]   read_len, read_rows;
  logic [WBytesBits-1:0] read_wbytes;
  logic                 read_tag;        // its words are filter rows
  logic                 word_valid, word_last, phase_end;
  logic [UWordBits-1:0] word;
  logic [AddrBits-1:0]  ifm_addr_q;      // the next ifmap read's address (rings: the image's)
  logic [31:0]          ifm_rows_q;      // ifmap rows loaded (c*H + y of the next; rings: words)

  // Ring buffers: the ifmap stream's walk (a copy of the core's, its step a row c*H + y
  // from memory or a zero row, which it passes over), the words of each stream requested
  // (ifmap: taken into a run), the core's reads of each, and the E-fold whose filter words
  // are requested.
  logic                 iw_en, iw_loading, iw_rd, iw_done, ring_filter, f_e_last;
  logic [31:0]          iw_row, if_req_q, fw_req_q, k_freads, k_ireads;
  logic [15:0]          fe0_q;
  assign ring_filter = !l_q.all && fw_req_q - k_freads < 32'(FilterWords);
  assign f_e_last    = 32'(fe0_q) + NumCols >= 32'(out_e);

  // Rings: the walk's rows gather into a run, rows c*H + y after y (contiguous in memory
  // when the rows are packed), read as one DMA read: one burst instead of a short read a
  // row, which for narrow rows (13 elements: 26 of 32-48 bytes read) wastes a third of the
  // link. A row joins the run once its entry is free; the run is read once it has
  // RunRows rows (half the ring, so the core still has the other half to read while the
  // run comes in) or the rows are not packed (a run is then one row), the walk's next row
  // does not continue it or must wait for its entry, the walk is done, or the core has
  // read every row before it (it waits for the run).
  localparam int unsigned RunRows = (IfmapRows + 1) / 2;
  localparam int unsigned RunBits = $clog2(RunRows + 1);
  logic [31:0]          run_row_q;       // its first row, c*H + y
  logic [RunBits-1:0]   run_n_q;         // its rows
  logic                 iw_row_rd, iw_free, run_joins, run_read, run_take;
  assign iw_row_rd = iw_loading && iw_rd;
  assign iw_free   = if_req_q - k_ireads < 32'(IfmapRows);
  assign run_joins = a_packed && iw_row == run_row_q + 32'(run_n_q);
  assign run_read  = run_n_q != '0 && (32'(run_n_q) == RunRows || !a_packed || !iw_loading
                                       || (iw_row_rd && (!run_joins || !iw_free))
                                       || k_ireads == if_req_q - 32'(run_n_q));
  assign run_take  = state_q == SLoad && iw_row_rd && iw_free
                  && (run_read ? read_fire : run_n_q == '0 || run_joins);

  // The load walker (SLoad).
  typedef struct packed {
    logic [31:0] rows;         // ifmap rows read
    logic [21:0] chs;          // the slots of the channels read whole (x R)
    logic [15:0] rin;          // the row within the channel (rows read one at a time)
    logic [21:0] qs;           // the fold's first slot (fold x NumRows)
    logic [15:0] k0, kgs, kk;  // the group's first filter and its filters, the filter within it
    logic        all;          // every read issued
  } walker_t;
  walker_t              l_q;
  logic [21:0]          fold_end;
  logic                 ifmap_next, fold_last, one_fold;
  // One fold: a group's filters are contiguous, one read (not with rings: a read a word).
  assign one_fold   = !Ring && c_r <= 22'(NumRows);
  assign fold_end   = (l_q.qs + 22'(NumRows) < c_r) ? l_q.qs + 22'(NumRows) : c_r;
  assign fold_last  = l_q.qs + 22'(NumRows) >= c_r;
  // The fold's channels first; the first image's loads bring the filters too, the others'
  // only their ifmap.
  // With rings, the ifmap stream's run when it is to be read, else the filter stream's
  // next word whenever its entry is free.
  assign ifmap_next = Ring ? run_read : l_q.rows < c_h && (img_q != '0 || l_q.chs < fold_end);
  assign is_cmd     = state_q == SBiasCmd || state_q == SQuantCmd
                   || (state_q == SLoad && (Ring ? run_read || ring_filter
                                                 : (img_q == '0 ? !l_q.all : l_q.rows < c_h)));
  assign read_fire  = is_cmd && rd_cmd_ready && sq_ready;

  // Per read: where it reads, its rows, their bytes and a word's bytes (one row a word).
  // Filter reads' addresses, kept by adding: the next filter read's (filter k0 + kk's rows of
  // the fold), filter k0's at the fold, and the next group's first filter's at fold 0 (read
  // off in fold 0). A filter is f_pitch bytes of KCRS, a fold's rows fold_bytes of it.
  logic [AddrBits-1:0] f_addr_q, f_fold_q, f_next_q, f_pitch, fold_bytes, f_group_next;
  assign f_pitch    = AddrBits'(32'(28'(c_r) * 28'(s_w[5:0])) * 32'(WBytes));
  assign fold_bytes = AddrBits'(32'(NumRows) * 32'(s_w[5:0]) * 32'(WBytes));
  // The next group's first filter, after the group's last read: past the group's one read,
  // or (one fold, a read a filter: rings) past its last filter, or as fold 0 noted it.
  assign f_group_next = one_fold ? f_addr_q + AddrBits'(read_bytes)
                                 : (l_q.qs == '0 ? f_addr_q + f_pitch : f_next_q);
  always_comb begin
    read_addr   = '0;
    read_len    = LenBits'(4);
    read_rows   = LenBits'(1);
    read_wbytes = WBytesBits'(4);
    read_tag    = 1'b0;
    unique case (state_q)
      SLoad: begin
        if (ifmap_next) begin   // a channel's rows (packed), one row, or the ring's run
          read_addr   = Ring ? ifm_addr_q + AddrBits'(64'(run_row_q) * 64'(a_pitch)) : ifm_addr_q;
          read_len    = LenBits'(a_row);
          read_rows   = Ring ? LenBits'(run_n_q) : (a_packed ? LenBits'(in_h) : LenBits'(1));
          read_wbytes = WBytesBits'(IfmapSpad * InBytes);
        end else begin          // a filter's rows of the fold: one filter-buffer word
          read_addr   = f_addr_q;
          read_len    = LenBits'(32'(s_w) * 32'(WBytes));
          read_rows   = one_fold ? LenBits'(38'(l_q.kgs) * 38'(c_r)) : LenBits'(22'(fold_end - l_q.qs));
          read_wbytes = WBytesBits'(FilterSpad * WBytes);
          read_tag    = 1'b1;
        end
      end
      SBiasCmd: begin
        read_addr = AddrBits'(bias_addr_w);
        read_rows = LenBits'(out_c);
      end
      SQuantCmd: begin
        read_addr = AddrBits'(quant_addr_w);
        read_rows = LenBits'(out_c) << 1;
      end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- read DMA and realigner
  logic                rd_valid, rd_ready, rd_last, rd_busy, u_idle;
  logic [DataBits-1:0] rd_data;
  logic [SkipBits-1:0] read_skip;
  logic [2*LenBits-1:0] read_bytes;
  logic [LenBits:0]    read_beats;
  logic                u_first, u_row_last;
  logic [0:0]          u_tag;
  assign read_skip  = read_addr[SkipBits-1:0];
  assign read_bytes = (2*LenBits)'(read_len) * (2*LenBits)'(read_rows);
  localparam int unsigned BusRound = Bytes - 1;
  assign read_beats = (LenBits+1)'(((2*LenBits)'(read_skip) + read_bytes + (2*LenBits)'(BusRound)) >> SkipBits);

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

  // The reads issued and not yet taken by the realigner, so that several small reads (a
  // filter word each) are in flight at once.
  localparam int unsigned SegW = SkipBits + 2 * LenBits + (2 * LenBits + 1) + WBytesBits + 1;
  logic                  sq_valid, seg_ready;
  logic [SkipBits-1:0]   sq_skip;
  logic [LenBits-1:0]    sq_len, sq_rows;
  logic [2*LenBits:0]    sq_bytes;
  logic [WBytesBits-1:0] sq_wbytes;
  logic                  sq_tag;
  dnn_fifo #(.Width(SegW), .Depth(Outstanding)) u_segs (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (read_fire),
    .in_ready_o (sq_ready),
    .in_data_i  ({read_skip, read_len, read_rows, (2*LenBits+1)'(read_bytes), read_wbytes, read_tag}),
    .out_valid_o(sq_valid),
    .out_ready_i(seg_ready),
    .out_data_o ({sq_skip, sq_len, sq_rows, sq_bytes, sq_wbytes, sq_tag})
  );

  // Every consumer takes a word a cycle.
  dnn_shell_unpack #(
    .DataBits(DataBits),
    .WordBits(UWordBits),
    .LenBits (LenBits),
    .TagBits (1)
  ) u_unpack (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .seg_valid_i   (sq_valid),
    .seg_ready_o   (seg_ready),
    .seg_skip_i    (sq_skip),
    .seg_len_i     (sq_len),
    .seg_rows_i    (sq_rows),
    .seg_bytes_i   (sq_bytes),
    .seg_wbytes_i  (sq_wbytes),
    .seg_zero_i    (1'b0),
    .seg_cont_i    (1'b0),
    .seg_tag_i     (sq_tag),
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

  // ---------------------------------------------------------------- filter words
  // A filter read's rows W[k][c][r][0..S) (slots t = c*R + r of one fold) go to PE rows
  // t mod NumRows of one filter-buffer word, written with the fold's last row (the read's
  // last, or with one fold the filter's) at the next address: the reads come in the
  // sequencer's address order, so fw_cnt_q, the words in, is what the core may read
  // (fw_avail_i).
  logic [FWordW-1:0]     fw_q, fw_word;
  logic [RowIdxBits-1:0] fi_q;           // PE row of the next filter row
  logic [31:0]           fw_cnt_q;       // filter words written (rings: of the stream)
  logic [IAddrBits-1:0]  ipos_q;         // rings: the entries the next words go to
  logic [FAddrBits-1:0]  fpos_q;
  logic                  filter_row;     // the word handed out is a filter row
  logic                  f_word_done;    // and the fold's last
  always_comb begin
    fw_word = fw_q;
    fw_word[fi_q*FRowW +: FRowW] = word[FRowW-1:0];
  end
  assign filter_row  = word_valid && u_tag[0];
  assign f_word_done = word_last || 32'(fi_q) + 1 == NumRows || 22'(fi_q) + 1'b1 == c_r;
  localparam int unsigned FAvailBits = Ring ? 32 : FAddrBits + 1;   // dnn_rs_top's
  localparam int unsigned IAvailBits = Ring ? 32 : IAddrBits + 1;

  // ---------------------------------------------------------------- the core
  logic                  ld_valid, ld_ready, ld_sel, job_valid, job_ready, k_done, k_err;
  logic [LdAddrBits-1:0] ld_addr;
  logic [LdWidth-1:0]    ld_data;
  logic                  c_out_valid, c_out_ready, c_out_last;
  logic [DimBits-1:0]    c_out_k, c_out_e, c_out_f;
  logic [NumCols*AccBits-1:0] c_out_data;
  logic [47:0]           k_cycles;

  assign ld_valid = state_q == SLoad && word_valid && (!u_tag[0] || f_word_done);
  assign ld_sel   = u_tag[0];
  assign ld_addr  = u_tag[0] ? (Ring ? LdAddrBits'(fpos_q) : LdAddrBits'(fw_cnt_q))
                             : (Ring ? LdAddrBits'(ipos_q) : LdAddrBits'(ifm_rows_q));
  assign ld_data  = u_tag[0] ? LdWidth'(fw_word) : LdWidth'(word[IRowW-1:0]);
  assign job_valid = state_q == SJob;

  dnn_rs_top #(
    .NumRows    (NumRows),
    .NumCols    (NumCols),
    .InBits     (InBits),
    .WBits      (WBits),
    .AccBits    (AccBits),
    .Signed     (Signed),
    .Saturate   (Saturate),
    .MaxRS      (MaxRS),
    .FilterSpad (FilterSpad),
    .IfmapSpad  (IfmapSpad),
    .IfmapBanks (IfmapBanks),
    .PsumSpad   (PsumSpad),
    .IfmapRows  (IfmapRows),
    .FilterWords(FilterWords),
    .RingBuffers(RingBuffers),
    .CycleBits  (48)
  ) u_core (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .ld_valid_i  (ld_valid),
    .ld_ready_o  (ld_ready),
    .ld_sel_i    (ld_sel),
    .ld_addr_i   (ld_addr),
    .ld_data_i   (ld_data),
    .fw_avail_i  (FAvailBits'(fw_cnt_q)),
    .if_avail_i  (IAvailBits'(ifm_rows_q)),
    .fw_reads_o  (k_freads),
    .if_reads_o  (k_ireads),
    .job_valid_i (job_valid),
    .job_ready_o (job_ready),
    .job_c_i     (DimBits'(in_c)),
    .job_h_i     (DimBits'(in_h)),
    .job_w_i     (DimBits'(in_w)),
    .job_k_i     (DimBits'(out_c)),
    .job_r_i     (r_w),
    .job_s_i     (s_w),
    .job_stride_i(stride_y),
    .job_pad_i   (pad_y),
    .job_e_i     (DimBits'(out_e)),
    .job_f_i     (DimBits'(out_f)),
    .job_kg_i    (DimBits'(kg)),
    .out_valid_o (c_out_valid),
    .out_ready_i (c_out_ready),
    .out_last_o  (c_out_last),
    .out_k_o     (c_out_k),
    .out_e_o     (c_out_e),
    .out_f_o     (c_out_f),
    .out_data_o  (c_out_data),
    .busy_o      (k_busy),
    .done_o      (k_done),
    .err_o       (k_err),
    .cycles_o    (k_cycles)
  );

  // The ifmap stream's walk: started with the core's job, a step a cycle, a row's step
  // once it joins a run (without rings it never starts).
  assign iw_en = !iw_rd || run_take;
  logic [NumRows-1:0]                 iw_load;
  logic [NumRows*LaneBits-1:0]        iw_col;
  logic                               iw_zero, iw_bank, iw_pass_done, iw_qlast;
  dnn_rs_load_walk #(
    .NumRows   (NumRows),
    .NumCols   (NumCols),
    .IfmapBanks(IfmapBanks),
    .IAddrBits (32)
  ) u_ifmap_walk (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .en_i        (iw_en),
    .start_i     (Ring && job_valid && job_ready),
    .may_load_i  (1'b1),
    .job_c_i     (DimBits'(in_c)),
    .job_h_i     (DimBits'(in_h)),
    .job_k_i     (DimBits'(out_c)),
    .job_r_i     (r_w),
    .job_stride_i(stride_y),
    .job_pad_i   (pad_y),
    .job_e_i     (DimBits'(out_e)),
    .job_kg_i    (DimBits'(kg)),
    .loading_o   (iw_loading),
    .iload_o     (iw_load),
    .ird_o       (iw_rd),
    .iaddr_o     (iw_row),
    .icol_o      (iw_col),
    .izero_o     (iw_zero),
    .ibank_o     (iw_bank),
    .load_done_o (iw_pass_done),
    .lq_last_o   (iw_qlast),
    .done_o      (iw_done)
  );

  // ---------------------------------------------------------------- channel parameters
  // Per output channel k: bias, and (mult, shift) with PER_CHANNEL, read for the tile that
  // drains (its k is set at least two cycles before its first element is read).
  logic [KAddrBits-1:0] dk_q;   // the draining tile's filter
  logic [31:0]          bias_rd, mult_rd, cnt_q;
  logic [5:0]           shift_rd, shift_in;
  assign shift_in = (word[31:0] > 32'd62) ? 6'd62 : word[5:0];   // a table shift above 62 reads as 62

  dnn_sram_1r1w #(.Depth(MaxFilters), .Width(32)) u_bias (
    .clk_i  (clk_i),
    .we_i   (state_q == SBias && word_valid),
    .waddr_i(KAddrBits'(cnt_q)),
    .wdata_i(word[31:0]),
    .re_i   (1'b1),
    .raddr_i(dk_q),
    .rdata_o(bias_rd)
  );
  dnn_sram_1r1w #(.Depth(MaxFilters), .Width(32)) u_mult (
    .clk_i  (clk_i),
    .we_i   (state_q == SQuant && word_valid && !cnt_q[0]),
    .waddr_i(KAddrBits'(cnt_q >> 1)),
    .wdata_i(word[31:0]),
    .re_i   (1'b1),
    .raddr_i(dk_q),
    .rdata_o(mult_rd)
  );
  dnn_sram_1r1w #(.Depth(MaxFilters), .Width(6)) u_shift (
    .clk_i  (clk_i),
    .we_i   (state_q == SQuant && word_valid && cnt_q[0]),
    .waddr_i(KAddrBits'(cnt_q >> 1)),
    .wdata_i(shift_in),
    .re_i   (1'b1),
    .raddr_i(dk_q),
    .rdata_o(shift_rd)
  );

  // ---------------------------------------------------------------- output tiles
  // A ring of tile slots of F words: wbase_q is the slot the core fills, rbase_q the one
  // that drains, tiles_q the full tiles from rbase_q on. The slots run back to back and wrap
  // to 0 when the next would not fit, so the core's slot meets the draining one exactly
  // when all floor(TileDepth / F) slots hold tiles.
  logic [TAddrBits-1:0]   wbase_q, rbase_q;
  logic [TAddrBits:0]     tiles_q;
  logic                   tile_we, tile_fill;
  logic [TAddrBits-1:0]   tile_waddr, tile_raddr;
  logic [NumCols*AccBits-1:0] tile_rdata;
  // The slot after `base`: the next F words, or 0 when they would not fit.
  function automatic logic [TAddrBits-1:0] next_slot(input logic [TAddrBits-1:0] base);
    if (32'(base) + 2 * 32'(out_f) <= TileDepth) next_slot = TAddrBits'(32'(base) + 32'(out_f));
    else next_slot = '0;
  endfunction
  // Once the layer is stopped (ABORT, SOFT_RESET, an AXI error) the core's results are
  // taken and dropped: a stopped layer writes nothing more.
  assign c_out_ready = stop || tiles_q == '0 || wbase_q != rbase_q;
  assign tile_we     = c_out_valid && c_out_ready && !stop;
  assign tile_fill   = tile_we && 32'(c_out_f) + 1 == 32'(out_f);   // the tile's last column
  assign tile_waddr  = TAddrBits'(32'(wbase_q) + 32'(c_out_f));

  // Drain: the tile's rows j < ncv, each f < F, one element a cycle; one write segment a
  // tile (packed rows) or a row.
  typedef enum logic [1:0] {DIdle, DSeg, DOut} drain_e;
  drain_e d_state_q;
  logic [15:0]          de0_q;                 // the draining tile's first output row
  logic [31:0]          ncv;                   // its rows
  logic [LaneBits-1:0]  rj_q, o_lane_q;        // the next element's row, the read one's
  logic [17:0]          rf_q;                  // the next element's column
  logic                 o_re, o_valid_q, o_last_q, o_tile_last_q, seg_end, tile_end;
  logic [AddrBits-1:0]  efold_addr_q, tile_addr_q, row_addr_q, img_out_q;
  logic [AddrBits-1:0]  plane_bytes;   // an output channel's plane (E rows)
  logic                 rq_in_ready, rq_out_valid, rq_out_ready, rq_empty;
  logic                 elem_last_of_row, elem_last_of_tile;
  assign ncv         = (32'(out_e) - 32'(de0_q) < NumCols) ? 32'(out_e) - 32'(de0_q) : NumCols;
  assign plane_bytes = AddrBits'(64'(out_e) * 64'(out_pitch));
  logic [AddrBits-1:0]  next_image;    // the next image's ofmap: K planes on
  assign next_image  = img_out_q + AddrBits'(64'(out_c[15:0]) * 64'(plane_bytes));
  assign tile_raddr  = TAddrBits'(32'(rbase_q) + 32'(rf_q));
  assign elem_last_of_row  = 32'(rf_q) + 1 == 32'(out_f);
  assign elem_last_of_tile = elem_last_of_row && 32'(rj_q) + 1 == ncv;
  // An element is read when the one read before it is taken (the SRAM holds its output).
  assign o_re     = d_state_q == DOut && !o_last_q && (!o_valid_q || rq_in_ready);
  assign seg_end  = d_state_q == DOut && o_last_q && o_valid_q && rq_in_ready;
  assign tile_end = seg_end && o_tile_last_q;

  dnn_sram_1r1w #(.Depth(TileDepth), .Width(NumCols * AccBits)) u_tiles (
    .clk_i  (clk_i),
    .we_i   (tile_we),
    .waddr_i(tile_waddr),
    .wdata_i(c_out_data),
    .re_i   (o_re),
    .raddr_i(tile_raddr),
    .rdata_o(tile_rdata)
  );

  // ---------------------------------------------------------------- output pipeline
  logic [31:0]         rq_out;
  logic [0:0]          rq_tag;
  logic [AccBits-1:0]  o_acc;
  assign o_acc = tile_rdata[o_lane_q*AccBits +: AccBits];

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
    .in_bias_i  (use_bias ? bias_rd : 32'd0),
    .in_mult_i  (raw ? 32'd1 : (use_quant ? mult_rd : out_mult_w)),
    .in_shift_i (raw ? 6'd0 : (use_quant ? shift_rd : out_shift_w[5:0])),
    .in_relu_i  (!raw && out_relu),
    .in_tag_i   (1'b0),
    .out_valid_o(rq_out_valid),
    .out_ready_i(rq_out_ready),
    .out_data_o (rq_out),
    .out_tag_o  (rq_tag),
    .empty_o    (rq_empty)
  );

  // The clamp to the type's width (or OUTPUT.BITS); int32 passes the raw sum.
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
  logic [LenBits-1:0]  seg_len;
  assign out_len      = 3'd1 << out_log2;
  assign seg_len      = LenBits'(out_packed ? 32'(ncv[6:0]) * out_row : out_row);
  assign pk_seg_fire  = d_state_q == DSeg && pk_seg_ready;
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
    .seg_addr_i (row_addr_q),
    .seg_len_i  (seg_len),
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

  // ---------------------------------------------------------------- the drain
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wbase_q       <= '0;
      rbase_q       <= '0;
      tiles_q       <= '0;
      d_state_q     <= DIdle;
      dk_q          <= '0;
      de0_q         <= '0;
      rj_q          <= '0;
      rf_q          <= '0;
      o_lane_q      <= '0;
      o_valid_q     <= 1'b0;
      o_last_q      <= 1'b0;
      o_tile_last_q <= 1'b0;
      efold_addr_q  <= '0;
      tile_addr_q   <= '0;
      row_addr_q    <= '0;
      img_out_q     <= '0;
    end else begin
      if (state_q == SCheck) begin
        wbase_q      <= '0;
        rbase_q      <= '0;
        tiles_q      <= '0;
        dk_q         <= '0;
        de0_q        <= '0;
        efold_addr_q <= AddrBits'(out_addr_w);
        tile_addr_q  <= AddrBits'(out_addr_w);
        row_addr_q   <= AddrBits'(out_addr_w);
        img_out_q    <= AddrBits'(out_addr_w);
      end
      // A slot fills when its tile's last column is written, and is free again once its
      // last element has been read.
      if (tile_fill) wbase_q <= next_slot(wbase_q);
      if (tile_end) rbase_q <= next_slot(rbase_q);
      if (tile_fill && !tile_end) tiles_q <= tiles_q + 1'b1;
      else if (tile_end && !tile_fill) tiles_q <= tiles_q - 1'b1;

      if (o_re) begin
        o_lane_q      <= rj_q;
        o_last_q      <= elem_last_of_row && (!out_packed || elem_last_of_tile);
        o_tile_last_q <= elem_last_of_tile;
        if (elem_last_of_row) begin
          rf_q <= '0;
          rj_q <= rj_q + 1'b1;
        end else begin
          rf_q <= rf_q + 1'b1;
        end
      end
      if (o_re) o_valid_q <= 1'b1;
      else if (rq_in_ready) o_valid_q <= 1'b0;

      unique case (d_state_q)
        DIdle: if (tiles_q != '0) d_state_q <= DSeg;
        DSeg: if (pk_seg_fire) begin
          d_state_q <= DOut;
          o_last_q  <= 1'b0;
        end
        DOut: if (seg_end) begin
          if (o_tile_last_q) begin
            // The next tile: the next filter of this E-fold, the next E-fold's first, or
            // the next image's first.
            d_state_q <= DIdle;
            rj_q      <= '0;
            rf_q      <= '0;
            if (32'(dk_q) + 1 == out_c && 32'(de0_q) + NumCols >= 32'(out_e)) begin
              dk_q         <= '0;
              de0_q        <= '0;
              img_out_q    <= next_image;
              efold_addr_q <= next_image;
              tile_addr_q  <= next_image;
              row_addr_q   <= next_image;
            end else if (32'(dk_q) + 1 == out_c) begin
              dk_q         <= '0;
              de0_q        <= de0_q + 16'(NumCols);
              efold_addr_q <= efold_addr_q + AddrBits'(32'(NumCols) * out_pitch);
              tile_addr_q  <= efold_addr_q + AddrBits'(32'(NumCols) * out_pitch);
              row_addr_q   <= efold_addr_q + AddrBits'(32'(NumCols) * out_pitch);
            end else begin
              dk_q        <= dk_q + 1'b1;
              tile_addr_q <= tile_addr_q + plane_bytes;
              row_addr_q  <= tile_addr_q + plane_bytes;
            end
          end else begin
            d_state_q  <= DSeg;
            row_addr_q <= row_addr_q + AddrBits'(out_pitch);
          end
        end
        default: d_state_q <= DIdle;
      endcase
    end
  end

  // ---------------------------------------------------------------- layer control
  // ABORT, SOFT_RESET and AXI errors (u_ctrl's stop) end a load phase before the job at its
  // end; once the core runs, its loads and its job complete (results dropped, above).
  logic   halt, outputs_done, image_next, streams_restart;
  state_e after_check;
  assign halt         = stop;
  // The next image of the descriptor; with rings both streams then start again (rings keep
  // no filters), as they do at a layer's check.
  assign image_next      = state_q == SRun && !k_busy && more_images && !halt;
  assign streams_restart = state_q == SCheck || (Ring && image_next);
  assign outputs_done = !k_busy && d_state_q == DIdle && tiles_q == '0;
  assign drained      = !rd_busy && !sq_valid && u_idle && !k_busy && outputs_done && !o_valid_q && rq_empty
                     && pk_idle && !wr_busy;
  assign after_check  = use_bias ? SBiasCmd : (use_quant ? SQuantCmd : SJob);
  assign read_beat    = rd_valid && rd_ready;
  assign write_elem   = rq_out_valid && pk_in_ready;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= SIdle;
      desc_q      <= '0;
      cnt_q       <= '0;
      ifm_addr_q  <= '0;
      ifm_rows_q  <= '0;
      fw_q        <= '0;
      fi_q        <= '0;
      fw_cnt_q    <= '0;
      ipos_q      <= '0;
      fpos_q      <= '0;
      if_req_q    <= '0;
      run_row_q   <= '0;
      run_n_q     <= '0;
      fw_req_q    <= '0;
      fe0_q       <= '0;
      l_q         <= '0;
      img_q       <= '0;
      f_addr_q    <= '0;
      f_fold_q    <= '0;
      f_next_q    <= '0;
    end else begin
      if (word_valid) cnt_q <= word_last ? '0 : cnt_q + 1'b1;

      unique case (state_q)
        SIdle: if (q_take) begin
          desc_q  <= q_desc;
          state_q <= SCheck;
        end
        SCheck: begin   // and streams_restart, below
          state_q    <= (check_code != '0) ? SIdle : after_check;
          ifm_addr_q <= AddrBits'(a_addr_w);
          ifm_rows_q <= '0;
          fw_q       <= '0;
          fi_q       <= '0;
          img_q      <= '0;
        end
        SBiasCmd: if (read_fire) state_q <= SBias;
        SBias: if (phase_end) state_q <= halt ? SDrain : (use_quant ? SQuantCmd : SJob);
        SQuantCmd: if (read_fire) state_q <= SQuant;
        SQuant: if (phase_end) state_q <= halt ? SDrain : SJob;
        SJob: if (job_ready) state_q <= SLoad;
        // Once the job runs its loads complete whatever stops (ABORT, an AXI error): the
        // core waits for them.
        SLoad: begin
          if (Ring && run_take) if_req_q <= if_req_q + 1;
          if (Ring && read_fire && ifmap_next) begin      // the run is read: the next starts
            run_n_q   <= run_take ? RunBits'(1) : '0;
            run_row_q <= iw_row;
          end else if (Ring && run_take) begin
            run_n_q   <= run_n_q + 1'b1;
            if (run_n_q == '0) run_row_q <= iw_row;
          end
          if (read_fire && ifmap_next && !Ring) begin     // the walker: the rows it read
            if (a_packed) begin
              l_q.rows   <= l_q.rows + 32'(in_h[15:0]);
              l_q.chs    <= l_q.chs + 22'(r_w[5:0]);
              ifm_addr_q <= ifm_addr_q + AddrBits'(32'(in_h[15:0]) * a_row);
            end else begin
              l_q.rows   <= l_q.rows + 1'b1;
              ifm_addr_q <= ifm_addr_q + AddrBits'(a_pitch);
              if (32'(l_q.rin) + 1 == 32'(in_h[15:0])) begin
                l_q.rin <= '0;
                l_q.chs <= l_q.chs + 22'(r_w[5:0]);
              end else begin
                l_q.rin <= l_q.rin + 1'b1;
              end
            end
          end else if (read_fire && !ifmap_next) begin    // the next filter, fold, group
            if (Ring) fw_req_q <= fw_req_q + 1;
            if (l_q.qs == '0 && l_q.kk + 1'b1 == l_q.kgs) f_next_q <= f_addr_q + f_pitch;
            if (!one_fold && l_q.kk + 1'b1 != l_q.kgs) begin
              l_q.kk   <= l_q.kk + 1'b1;
              f_addr_q <= f_addr_q + f_pitch;
            end else if (!fold_last) begin
              l_q.kk   <= '0;
              l_q.qs   <= l_q.qs + 22'(NumRows);
              f_fold_q <= f_fold_q + fold_bytes;
              f_addr_q <= f_fold_q + fold_bytes;
            end else if (Ring && l_q.k0 + l_q.kgs == out_c[15:0] && !f_e_last) begin
              // rings: the last group's last fold, and the next E-fold reads them all again
              l_q.kk   <= '0;
              l_q.qs   <= '0;
              l_q.k0   <= '0;
              l_q.kgs  <= kg;
              fe0_q    <= fe0_q + 16'(NumCols);
              f_fold_q <= AddrBits'(b_addr_w);
              f_addr_q <= AddrBits'(b_addr_w);
            end else begin                      // the group's last fold (one fold: one read)
              l_q.kk   <= '0;
              l_q.qs   <= '0;
              l_q.k0   <= l_q.k0 + l_q.kgs;
              l_q.kgs  <= (out_c[15:0] - l_q.k0 - l_q.kgs < kg) ? out_c[15:0] - l_q.k0 - l_q.kgs : kg;
              l_q.all  <= l_q.k0 + l_q.kgs == out_c[15:0];
              f_fold_q <= f_group_next;
              f_addr_q <= f_group_next;
            end
          end
          if (word_valid && !u_tag[0]) begin
            ifm_rows_q <= ifm_rows_q + 1'b1;
            ipos_q     <= (32'(ipos_q) + 1 == IfmapRows) ? '0 : ipos_q + 1'b1;
          end
          if (filter_row) begin
            if (f_word_done) begin   // the word is written: the core may read it
              fw_q     <= '0;
              fi_q     <= '0;
              fw_cnt_q <= fw_cnt_q + 1'b1;
              fpos_q   <= (32'(fpos_q) + 1 == FilterWords) ? '0 : fpos_q + 1'b1;
            end else begin
              fw_q <= fw_word;
              fi_q <= fi_q + 1'b1;
            end
          end
          // With rings, once both streams are requested and the core has read them all.
          if (Ring ? iw_done && l_q.all && !k_busy : ifm_rows_q == c_h && 38'(fw_cnt_q) == k_nq)
            state_q <= SRun;
        end
        SRun: begin
          if (image_next) begin   // the next image: its ifmap, the same filters (rings: below)
            state_q    <= SJob;
            img_q      <= img_q + 1'b1;
            ifm_rows_q <= '0;
            l_q.rows   <= '0;
            l_q.chs    <= '0;
            l_q.rin    <= '0;
            if (Ring) ifm_addr_q <= ifm_addr_q + AddrBits'(64'(c_h) * 64'(a_pitch));
          end else if (outputs_done) begin
            state_q <= SDrain;
          end
        end
        SDrain: if (ending) state_q <= SIdle;
        default: state_q <= SIdle;
      endcase
      // The loads' streams from their start: the filter walker and words, and the rings'
      // counts and entry pointers (after the case: these win over its assignments).
      if (streams_restart) begin
        fw_cnt_q <= '0;
        ipos_q   <= '0;
        fpos_q   <= '0;
        if_req_q <= '0;
        fw_req_q <= '0;
        fe0_q    <= '0;
        l_q      <= '0;
        l_q.kgs  <= kg;
        {f_addr_q, f_fold_q, f_next_q} <= {3{AddrBits'(b_addr_w)}};
      end
    end
  end

  logic unused;
  assign unused = ^{soft_reset, ld_ready, k_done, k_err, k_cycles, c_out_last, iw_load, iw_col, iw_zero,
                    iw_bank, iw_pass_done, iw_qlast,
                    c_out_k, c_out_e, rd_last, u_first, u_row_last, rq_tag, op_w, output_w, tile_rdata, out_shift_w[31:6],
                    in_h[31:16], in_w[31:16]};

endmodule
