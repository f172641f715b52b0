// Write aligner of the shell, the mirror of dnn_shell_unpack: a segment is `len` bytes to
// write from any byte address; it arrives as chunks of up to RunBits / 8 bytes (each with
// its own length) and leaves as the bus-aligned beats and byte strobes the write DMA
// takes, after the DMA command for the whole segment. The segment's first beat starts
// `addr mod Bytes` bytes in (those bytes not strobed); its last beat is strobed up to the
// segment's end.
//
// A byte buffer of 2 beats + 1 chunk: a chunk is taken while fewer than two beats are
// held, a beat leaves when it is complete (or holds the segment's last byte), so the
// stream runs at one chunk or one beat a cycle, whichever is slower.
module dnn_shell_pack #(
  parameter int unsigned DataBits = 64,   // bus width, 64..512
  parameter int unsigned RunBits  = 64,   // widest chunk, a multiple of 8
  parameter int unsigned AddrBits = 32,
  parameter int unsigned LenBits  = 24,   // width of a segment's length in bytes
  localparam int unsigned Bytes     = DataBits / 8,
  localparam int unsigned RunBytes  = RunBits / 8,
  localparam int unsigned ChunkBits = $clog2(RunBytes + 1),
  localparam int unsigned OffBits   = $clog2(Bytes)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // segments
  input  logic                 seg_valid_i,
  output logic                 seg_ready_o,
  input  logic [AddrBits-1:0]  seg_addr_i,
  input  logic [LenBits-1:0]   seg_len_i,     // >= 1
  // chunks of the current segment, in order
  input  logic                 in_valid_i,
  output logic                 in_ready_o,
  input  logic [ChunkBits-1:0] in_len_i,      // 1..RunBytes
  input  logic [RunBits-1:0]   in_data_i,     // byte i at the segment's next byte + i
  // write DMA command
  output logic                 cmd_valid_o,
  input  logic                 cmd_ready_i,
  output logic [AddrBits-1:0]  cmd_addr_o,
  output logic [LenBits:0]     cmd_beats_o,
  // beats
  output logic                 out_valid_o,
  input  logic                 out_ready_i,
  output logic [DataBits-1:0]  out_data_o,
  output logic [Bytes-1:0]     out_strb_o,
  output logic                 idle_o          // no segment in progress
);

  localparam int unsigned BufBytes = 2 * Bytes + RunBytes;
  localparam int unsigned FillBits = $clog2(BufBytes + 1);

  if (DataBits < 64 || DataBits > 512 || (DataBits & (DataBits - 1)) != 0 || RunBits < 8
      || RunBits % 8 != 0 || AddrBits < 12 || AddrBits > 64 || LenBits < 1 || LenBits > 32)
  begin : g_bad_param
    $error("dnn_shell_pack: DataBits 64..512 (a power of 2), RunBits a multiple of 8, AddrBits 12..64");
  end

  logic                  active_q;
  logic                  cmd_q;                  // the command is still to go
  logic [AddrBits-1:0]   addr_q;
  logic [LenBits:0]      beats_q;                // beats of the segment
  logic [LenBits-1:0]    left_q;                 // bytes still to come in chunks
  logic [BufBytes*8-1:0] buf_q;
  logic [BufBytes-1:0]   strb_q;
  logic [FillBits-1:0]   fill_q;

  logic [OffBits-1:0] off;
  assign off = seg_addr_i[OffBits-1:0];

  logic seg_fire, in_fire, out_fire, flush;
  assign seg_ready_o = !active_q;
  assign seg_fire    = seg_valid_i && seg_ready_o;
  assign in_ready_o  = active_q && left_q != '0 && fill_q < FillBits'(2 * Bytes);
  assign in_fire     = in_valid_i && in_ready_o;
  // The last beat goes out once every byte has come, however few it holds.
  assign flush       = left_q == '0 && fill_q != '0;
  // Beats wait for the segment's command, so the DMA never sees a beat before it.
  assign out_valid_o = active_q && !cmd_q && (fill_q >= FillBits'(Bytes) || flush);
  assign out_fire    = out_valid_o && out_ready_i;
  assign out_data_o  = buf_q[DataBits-1:0];
  assign out_strb_o  = strb_q[Bytes-1:0];
  assign cmd_valid_o = cmd_q;
  assign cmd_addr_o  = addr_q;
  assign cmd_beats_o = beats_q;
  assign idle_o      = !active_q;

  // Buffer update: drop the beat leaving, then append the chunk's bytes (those past its
  // length 0) above what stays. Functions called only when a byte moves, so a simulator
  // shifts the wide buffer only then.
  logic [FillBits-1:0] kept, taken;
  assign taken = (fill_q >= FillBits'(Bytes)) ? FillBits'(Bytes) : fill_q;
  assign kept  = out_fire ? fill_q - taken : fill_q;

  function automatic logic [BufBytes*8-1:0] next_buf(input logic [BufBytes*8-1:0] buffer, input logic drop,
                                                     input logic append, input logic [RunBits-1:0] data,
                                                     input logic [ChunkBits-1:0] len,
                                                     input logic [FillBits-1:0] at);
    logic [RunBits-1:0] chunk;
    for (int unsigned b = 0; b < RunBytes; b++) chunk[b*8 +: 8] = (b < 32'(len)) ? data[b*8 +: 8] : 8'h00;
    next_buf = drop ? buffer >> DataBits : buffer;
    // A shift amount as narrow as the byte count (not 32 bits: fewer shifter stages).
    if (append) next_buf = next_buf | ((BufBytes*8)'(chunk) << {at, 3'b000});
  endfunction
  function automatic logic [BufBytes-1:0] next_strb(input logic [BufBytes-1:0] strb, input logic drop,
                                                    input logic append, input logic [ChunkBits-1:0] len,
                                                    input logic [FillBits-1:0] at);
    next_strb = drop ? strb >> Bytes : strb;
    if (append) next_strb = next_strb | (((BufBytes'(1) << len) - 1'b1) << at);
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      cmd_q    <= 1'b0;
      addr_q   <= '0;
      beats_q  <= '0;
      left_q   <= '0;
      buf_q    <= (BufBytes * 8)'(0);
      strb_q   <= '0;
      fill_q   <= '0;
    end else if (seg_fire) begin
      // The first beat starts `off` bytes in: those bytes are held, not strobed.
      active_q <= 1'b1;
      cmd_q    <= 1'b1;
      addr_q   <= {seg_addr_i[AddrBits-1:OffBits], OffBits'(0)};
      beats_q  <= ((LenBits+1)'(off) + (LenBits+1)'(seg_len_i) + (LenBits+1)'(Bytes - 1)) >> OffBits;
      left_q   <= seg_len_i;
      buf_q    <= (BufBytes * 8)'(0);
      strb_q   <= '0;
      fill_q   <= FillBits'(off);
    end else begin
      if (cmd_q && cmd_ready_i) cmd_q <= 1'b0;
      if (in_fire) left_q <= left_q - LenBits'(in_len_i);
      if (in_fire || out_fire) begin
        buf_q  <= next_buf(buf_q, out_fire, in_fire, in_data_i, in_len_i, kept);
        strb_q <= next_strb(strb_q, out_fire, in_fire, in_len_i, kept);
        fill_q <= in_fire ? kept + FillBits'(in_len_i) : kept;
      end
      if (out_fire && flush && kept == '0) active_q <= 1'b0;
    end
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (seg_fire && seg_len_i == '0) $error("dnn_shell_pack: a segment of 0 bytes");
    if (in_fire && (in_len_i == '0 || 32'(in_len_i) > RunBytes || LenBits'(in_len_i) > left_q))
      $error("dnn_shell_pack: a chunk of 0 bytes, more than %0d, or past the segment", RunBytes);
  end
`endif

endmodule
