// The GEMM a systolic shell layer runs as (docs/shell.md), from the latched descriptor:
//   gemm:   OUT[M][N] = A[M][K] x B[K][N];
//   conv2d: OFMAP[E][F][OUT_C] = im2col(IFMAP)[E*F][R*S*IN_C] x W[R*S*IN_C][OUT_C]
//           (one NHWC image, weights RSCK), E = (IN_H + 2*PAD_Y - R) / STRIDE_Y + 1, F alike.
// A conv2d's A rows are gathered by the loader's im2col walk (conv_o), except for a 1x1,
// stride-1, unpadded layer on packed ifmap rows: that is a plain GEMM on the ifmap.
//
// Also the conv2d checks that come before the GEMM view exists (conv_code_o, in the
// order of the golden model's check_descriptor), the A tensor the address checks cover
// (the ifmap for conv2d) and the constants of the im2col walk. Everything here is a
// function of the latched descriptor, constant while a layer runs.
module dnn_shell_gemm_view #(
  parameter int unsigned InBytes  = 1,
  parameter int unsigned WBytes   = 1,
  parameter int unsigned SizeBits = 24,
  parameter int unsigned AddrBits = 32
) (
  input  logic                is_conv_i,
  input  logic [31:0]         m_i,
  input  logic [31:0]         n_i,
  input  logic [31:0]         k_i,
  input  logic [31:0]         in_h_i,
  input  logic [31:0]         in_w_i,
  input  logic [31:0]         in_c_i,
  input  logic [31:0]         out_c_i,
  input  logic [15:0]         r_i,
  input  logic [15:0]         s_i,
  input  logic [15:0]         stride_y_i,
  input  logic [15:0]         stride_x_i,
  input  logic [15:0]         pad_y_i,
  input  logic [15:0]         pad_x_i,
  input  logic [31:0]         a_stride_i,
  input  logic [31:0]         b_stride_i,
  input  logic [31:0]         out_stride_i,
  input  logic [AddrBits-1:0] a_addr_i,
  input  logic [1:0]          out_log2_i,      // log2 of an output element's bytes
  // the GEMM
  output logic [31:0]         m_o,             // meaningful when the size checks pass
  output logic [31:0]         n_o,
  output logic [31:0]         k_o,
  output logic                conv_o,          // A rows by the im2col walk
  output logic [31:0]         a_pitch_o,       // bytes between A rows (conv_o: ifmap rows)
  output logic [31:0]         b_row_bytes_o,
  output logic [31:0]         b_pitch_o,
  output logic [31:0]         out_row_bytes_o,
  output logic [31:0]         out_pitch_o,
  // the A tensor in memory, for the checks: rows of a_row_bytes, a_check_pitch apart
  output logic [31:0]         a_check_rows_o,
  output logic [31:0]         a_row_bytes_o,
  output logic [31:0]         a_check_pitch_o,
  output logic [7:0]          conv_code_o,     // 0, zero_size, bad_field or size_range
  // the im2col walk
  output logic [17:0]         out_w_o,         // F
  output logic [SizeBits-1:0] sc_o,            // S x IN_C
  output logic [SizeBits-1:0] wc_o,            // IN_W x IN_C
  output logic [SizeBits-1:0] pxc_o,           // PAD_X x IN_C
  output logic [SizeBits+1:0] sxc_o,           // STRIDE_X x IN_C, when F > 1
  output logic [AddrBits-1:0] row_step_o,      // STRIDE_Y x ifmap pitch
  output logic [AddrBits-1:0] conv_first_o     // the first window's first byte (may wrap)
);

  localparam logic [63:0] SizeLimit = 64'd1 << SizeBits;

  // Sizes, wide enough for any register value that passes the range checks.
  logic [17:0] span_y, span_x, out_h, out_w;
  logic [15:0] div_y, div_x;
  logic [39:0] wc_wide;
  logic [35:0] m_conv;
  logic [55:0] k_conv;
  assign span_y  = 18'(in_h_i[15:0]) + 18'({pad_y_i, 1'b0}) - 18'(r_i);
  assign span_x  = 18'(in_w_i[15:0]) + 18'({pad_x_i, 1'b0}) - 18'(s_i);
  assign div_y   = (stride_y_i == '0) ? 16'd1 : stride_y_i;   // stride 0 is refused below
  assign div_x   = (stride_x_i == '0) ? 16'd1 : stride_x_i;
  assign out_h   = span_y / 18'(div_y) + 1'b1;
  assign out_w   = span_x / 18'(div_x) + 1'b1;
  assign wc_wide = 40'(in_w_i[15:0]) * 40'(in_c_i[23:0]);
  assign m_conv  = 36'(out_h) * 36'(out_w);
  assign k_conv  = 56'(32'(r_i) * 32'(s_i)) * 56'(in_c_i[23:0]);

  always_comb begin
    conv_code_o = 8'(dnn_shell_regs_pkg::ErrorNone);
    if (in_h_i == '0 || in_w_i == '0 || in_c_i == '0 || out_c_i == '0 || r_i == '0 || s_i == '0) begin
      conv_code_o = 8'(dnn_shell_regs_pkg::ErrorZeroSize);
    end else if (stride_y_i == '0 || stride_x_i == '0 || pad_y_i > r_i || pad_x_i > s_i) begin
      conv_code_o = 8'(dnn_shell_regs_pkg::ErrorBadField);
    end else if (in_h_i >= 32'h1_0000 || in_w_i >= 32'h1_0000 || 64'(in_c_i) >= SizeLimit
                 || 64'(out_c_i) >= SizeLimit
                 || 18'(in_h_i[15:0]) + 18'({pad_y_i, 1'b0}) < 18'(r_i)
                 || 18'(in_w_i[15:0]) + 18'({pad_x_i, 1'b0}) < 18'(s_i)
                 || 64'(wc_wide) >= SizeLimit || 64'(m_conv) >= SizeLimit
                 || 64'(k_conv) >= SizeLimit) begin
      conv_code_o = 8'(dnn_shell_regs_pkg::ErrorSizeRange);
    end
  end

  // conv2d: a 1x1, stride-1, unpadded layer on packed rows reads A as a GEMM (a pixel a row).
  logic [31:0] ifmap_row_bytes, ifmap_pitch, pixel_bytes;
  logic        a_is_gemm;
  assign ifmap_row_bytes = 32'(wc_wide[SizeBits-1:0]) << (InBytes - 1);
  assign ifmap_pitch     = (a_stride_i == '0) ? ifmap_row_bytes : a_stride_i;
  assign pixel_bytes     = 32'(in_c_i[SizeBits-1:0]) << (InBytes - 1);
  assign a_is_gemm       = r_i == 16'd1 && s_i == 16'd1 && stride_y_i == 16'd1 && stride_x_i == 16'd1
                        && pad_y_i == '0 && pad_x_i == '0 && ifmap_pitch == ifmap_row_bytes;

  logic [31:0] gemm_a_row_bytes;
  assign m_o              = is_conv_i ? 32'(m_conv[SizeBits-1:0]) : m_i;
  assign n_o              = is_conv_i ? 32'(out_c_i[SizeBits-1:0]) : n_i;
  assign k_o              = is_conv_i ? 32'(k_conv[SizeBits-1:0]) : k_i;
  assign conv_o           = is_conv_i && !a_is_gemm;
  assign gemm_a_row_bytes = 32'(k_i[SizeBits-1:0]) << (InBytes - 1);
  assign a_pitch_o        = !is_conv_i ? ((a_stride_i == '0) ? gemm_a_row_bytes : a_stride_i)
                          : a_is_gemm ? pixel_bytes : ifmap_pitch;
  assign a_check_rows_o   = is_conv_i ? 32'(in_h_i[15:0]) : m_i;
  assign a_row_bytes_o    = is_conv_i ? ifmap_row_bytes : gemm_a_row_bytes;
  assign a_check_pitch_o  = is_conv_i ? ifmap_pitch : a_pitch_o;
  assign b_row_bytes_o    = 32'(n_o[SizeBits-1:0]) << (WBytes - 1);
  assign b_pitch_o        = (b_stride_i == '0) ? b_row_bytes_o : b_stride_i;
  assign out_row_bytes_o  = 32'(n_o[SizeBits-1:0]) << out_log2_i;
  assign out_pitch_o      = (out_stride_i == '0) ? out_row_bytes_o : out_stride_i;

  // The im2col walk's constants.
  logic [39:0] pxc_wide, sxc_wide, sc_wide;
  assign out_w_o      = out_w;
  assign sc_wide      = 40'(s_i) * 40'(in_c_i[23:0]);
  assign pxc_wide     = 40'(pad_x_i) * 40'(in_c_i[23:0]);
  assign sxc_wide     = 40'(stride_x_i) * 40'(in_c_i[23:0]);
  assign sc_o         = sc_wide[SizeBits-1:0];
  assign wc_o         = wc_wide[SizeBits-1:0];
  assign pxc_o        = pxc_wide[SizeBits-1:0];
  assign sxc_o        = sxc_wide[SizeBits+1:0];
  assign row_step_o   = AddrBits'(48'(stride_y_i) * 48'(ifmap_pitch));
  assign conv_first_o = a_addr_i - AddrBits'(48'(pad_y_i) * 48'(ifmap_pitch))
                      - (AddrBits'(pxc_o) << (InBytes - 1));

  logic unused;
  assign unused = ^{m_i[31:SizeBits], n_i[31:SizeBits], k_i[31:SizeBits], in_c_i[31:24], out_c_i[31:24],
                    wc_wide[39:SizeBits], m_conv[35:SizeBits], k_conv[55:SizeBits], sc_wide[39:SizeBits],
                    pxc_wide[39:SizeBits], sxc_wide[39:SizeBits+2], out_h};

endmodule
