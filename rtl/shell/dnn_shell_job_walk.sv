// The job loop of a GEMM layer on a systolic core: C[M,N] = A[M,K] x B[K,N] in jobs of at
// most MaxM x MaxN x MaxK, m outermost and k innermost, so the jobs of one output tile
// (a K split) follow one another and the core's accumulator chains them. The shell runs
// one walker per process (loads, compute) over the same loop; each steps on `next_i`.
//
// Besides the job's origin and sizes it keeps the byte addresses the processes start
// from, stepped by addition: A + m0*A_STRIDE, B + k0*B_STRIDE and OUT + m0*OUT_STRIDE.
module dnn_shell_job_walk #(
  parameter int unsigned MaxM     = 64,
  parameter int unsigned MaxN     = 64,
  parameter int unsigned MaxK     = 64,
  parameter int unsigned SizeBits = 24,   // M, N, K < 2^SizeBits
  parameter int unsigned AddrBits = 32
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,     // load the layer; the first job is current
  input  logic [SizeBits-1:0] m_i,
  input  logic [SizeBits-1:0] n_i,
  input  logic [SizeBits-1:0] k_i,
  input  logic [AddrBits-1:0] a_addr_i,
  input  logic [AddrBits-1:0] b_addr_i,
  input  logic [AddrBits-1:0] out_addr_i,
  input  logic [AddrBits-1:0] a_stride_i,
  input  logic [AddrBits-1:0] b_stride_i,
  input  logic [AddrBits-1:0] out_stride_i,
  input  logic                next_i,      // step to the next job
  output logic                valid_o,     // a job is current (not past the last)
  output logic [SizeBits-1:0] m0_o,
  output logic [SizeBits-1:0] n0_o,
  output logic [SizeBits-1:0] k0_o,
  output logic [SizeBits-1:0] mj_o,        // the job's sizes: 1..Max
  output logic [SizeBits-1:0] nj_o,
  output logic [SizeBits-1:0] kj_o,
  output logic                first_k_o,   // the first job of its K split
  output logic                last_k_o,    // the last job of its K split: it emits
  output logic                last_o,      // the layer's last job
  output logic [AddrBits-1:0] a_row_o,     // A + m0*A_STRIDE
  output logic [AddrBits-1:0] b_row_o,     // B + k0*B_STRIDE
  output logic [AddrBits-1:0] out_row_o    // OUT + m0*OUT_STRIDE
);

  logic                valid_q;
  logic [SizeBits-1:0] m_q, n_q, k_q, m0_q, n0_q, k0_q;
  logic [AddrBits-1:0] b_addr_q, a_stride_q, b_stride_q, out_stride_q;
  logic [AddrBits-1:0] a_row_q, b_row_q, out_row_q;

  // Each size is what is left, capped at the limit; the limit is reached by the next
  // origin only when more is left.
  logic [SizeBits:0] m_left, n_left, k_left;
  logic              m_more, n_more, k_more;
  assign m_left = {1'b0, m_q} - {1'b0, m0_q};
  assign n_left = {1'b0, n_q} - {1'b0, n0_q};
  assign k_left = {1'b0, k_q} - {1'b0, k0_q};
  assign m_more = m_left > (SizeBits+1)'(MaxM);
  assign n_more = n_left > (SizeBits+1)'(MaxN);
  assign k_more = k_left > (SizeBits+1)'(MaxK);

  assign valid_o   = valid_q;
  assign m0_o      = m0_q;
  assign n0_o      = n0_q;
  assign k0_o      = k0_q;
  assign mj_o      = m_more ? SizeBits'(MaxM) : SizeBits'(m_left);
  assign nj_o      = n_more ? SizeBits'(MaxN) : SizeBits'(n_left);
  assign kj_o      = k_more ? SizeBits'(MaxK) : SizeBits'(k_left);
  assign first_k_o = k0_q == '0;
  assign last_k_o  = !k_more;
  assign last_o    = !m_more && !n_more && !k_more;
  assign a_row_o   = a_row_q;
  assign b_row_o   = b_row_q;
  assign out_row_o = out_row_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q      <= 1'b0;
      m_q          <= '0;
      n_q          <= '0;
      k_q          <= '0;
      m0_q         <= '0;
      n0_q         <= '0;
      k0_q         <= '0;
      b_addr_q     <= '0;
      a_stride_q   <= '0;
      b_stride_q   <= '0;
      out_stride_q <= '0;
      a_row_q      <= '0;
      b_row_q      <= '0;
      out_row_q    <= '0;
    end else if (start_i) begin
      valid_q      <= 1'b1;
      m_q          <= m_i;
      n_q          <= n_i;
      k_q          <= k_i;
      m0_q         <= '0;
      n0_q         <= '0;
      k0_q         <= '0;
      b_addr_q     <= b_addr_i;
      a_stride_q   <= a_stride_i;
      b_stride_q   <= b_stride_i;
      out_stride_q <= out_stride_i;
      a_row_q      <= a_addr_i;
      b_row_q      <= b_addr_i;
      out_row_q    <= out_addr_i;
    end else if (next_i && valid_q) begin
      if (k_more) begin
        k0_q    <= k0_q + SizeBits'(MaxK);
        b_row_q <= b_row_q + AddrBits'(MaxK) * b_stride_q;
      end else begin
        k0_q    <= '0;
        b_row_q <= b_addr_q;
        if (n_more) begin
          n0_q <= n0_q + SizeBits'(MaxN);
        end else begin
          n0_q      <= '0;
          m0_q      <= m0_q + SizeBits'(MaxM);
          a_row_q   <= a_row_q + AddrBits'(MaxM) * a_stride_q;
          out_row_q <= out_row_q + AddrBits'(MaxM) * out_stride_q;
          if (!m_more) valid_q <= 1'b0;
        end
      end
    end
  end

`ifndef SYNTHESIS
  // Counter ranges: a current job starts inside the layer.
  always_ff @(posedge clk_i) begin
    if (valid_q && (m0_q >= m_q || n0_q >= n_q || k0_q >= k_q))
      $error("dnn_shell_job_walk: job origin (%0d, %0d, %0d) outside the layer %0d x %0d x %0d", m0_q, n0_q,
             k0_q, m_q, n_q, k_q);
  end
`endif

endmodule
