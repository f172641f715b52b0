// Read realigner of the shell: turns the read DMA's bus beats into the words a buffer
// wants. A segment is `rows` rows of `len` bytes each, back to back in memory, starting
// `skip` bytes into the first of the beats the DMA brings for it
// (ceil((skip + bytes) / Bytes) beats, bytes = rows * len); each row comes out as words of
// `wbytes` bytes, its last word cut at the row's end, bytes past a word's size or past the
// row's end reading 0. Segments follow one another in the order they were given; the
// bytes of a segment's last beat beyond its end are dropped. A segment's `tag` comes out
// beside each of its words (the loader's destination for them).
//
// A row may also be put together from several segments, its pieces (im2col: the runs of
// an ifmap row and the zeros of the padding between them): the first piece gives the
// row's `len` (rows = 1), the others have `cont` set (their len, rows, wbytes and tag are
// not used); each brings its own `bytes`, read at its own skip, or zeros with `zero` (no
// beats: Bytes zeros a cycle). So a word may take bytes of two pieces.
//
// Two sides, so that the stream does not stop between segments: the in side takes the
// next segment as soon as every byte of the one before is in, while the out side still
// hands out the words of the one before (it holds the rows of at most two segments: the
// one whose words leave and the next). A byte buffer of 2 words + 1 beat: a beat is taken
// while fewer than two of the widest words are held, a word leaves when it is complete,
// so the stream runs at one beat or one word a cycle, whichever is slower. Ready and
// valid come from registers.
module dnn_shell_unpack #(
  parameter int unsigned DataBits = 64,   // bus width, 64..512
  parameter int unsigned WordBits = 64,   // widest word, a multiple of 8
  parameter int unsigned LenBits  = 24,   // width of a segment's length in bytes
  parameter int unsigned TagBits  = 1,    // a segment's tag, carried to its words
  localparam int unsigned Bytes     = DataBits / 8,
  localparam int unsigned WordBytes = WordBits / 8,
  localparam int unsigned SkipBits  = $clog2(Bytes),
  localparam int unsigned WBytesBits = $clog2(WordBytes + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // segments
  input  logic                  seg_valid_i,
  output logic                  seg_ready_o,
  input  logic [SkipBits-1:0]   seg_skip_i,
  input  logic [LenBits-1:0]    seg_len_i,     // bytes a row, >= 1
  input  logic [LenBits-1:0]    seg_rows_i,    // >= 1
  input  logic [2*LenBits:0]    seg_bytes_i,   // bytes it brings: rows * len, or a piece's
  input  logic [WBytesBits-1:0] seg_wbytes_i,  // 1..WordBytes
  input  logic                  seg_zero_i,    // zeros, not beats
  input  logic                  seg_cont_i,    // goes on with the row of the segment before
  input  logic [TagBits-1:0]    seg_tag_i,
  // beats from the read DMA
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [DataBits-1:0]   in_data_i,
  // words
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output logic [WordBits-1:0]   out_data_o,
  output logic                  out_first_o,    // the segment's first word
  output logic                  out_row_last_o, // the row's last word
  output logic                  out_last_o,     // the segment's last word
  output logic [TagBits-1:0]    out_tag_o,
  output logic                  idle_o          // no segment in, no word to hand out
);

  localparam int unsigned BufBytes = 2 * WordBytes + Bytes;
  localparam int unsigned FillBits = $clog2(BufBytes + 1);

  if (DataBits < 64 || DataBits > 512 || (DataBits & (DataBits - 1)) != 0 || WordBits < 8
      || WordBits % 8 != 0 || LenBits < 1 || LenBits > 32 || TagBits < 1) begin : g_bad_param
    $error("dnn_shell_unpack: DataBits 64..512 (a power of 2), WordBits a multiple of 8, LenBits 1..32");
  end

  // In side: the segment whose bytes come in.
  logic                  first_q;               // the next beat is the segment's first
  logic [SkipBits-1:0]   skip_q;
  logic [2*LenBits:0]    in_left_q;             // bytes of the segment still to come in
  logic                  zero_q;
  // Out side: the segment whose words leave (head) and the one after it (next).
  logic                  head_q, head_first_q;
  logic [LenBits-1:0]    left_q;                // bytes of the row still to hand out
  logic [LenBits-1:0]    len_q;                 // bytes a row
  logic [LenBits-1:0]    rows_q;                // rows still to hand out, this one included
  logic [WBytesBits-1:0] wbytes_q;
  logic [TagBits-1:0]    tag_q;
  logic                  next_q;
  logic [LenBits-1:0]    next_len_q, next_rows_q;
  logic [WBytesBits-1:0] next_wbytes_q;
  logic [TagBits-1:0]    next_tag_q;
  // The bytes in, the oldest at byte 0; every byte above the fill is 0.
  logic [BufBytes*8-1:0] buf_q;
  logic [FillBits-1:0]   fill_q;

  // The word leaving now: wbytes, or what is left of the row.
  logic [WBytesBits-1:0] take;
  assign take = (LenBits'(wbytes_q) < left_q) ? wbytes_q : WBytesBits'(left_q);

  logic seg_fire, in_fire, out_fire, head_done, row_seg, seg_to_head;
  assign out_valid_o    = head_q && FillBits'(take) <= fill_q;
  assign out_first_o    = head_first_q;
  assign out_row_last_o = LenBits'(take) == left_q;
  assign out_last_o     = out_row_last_o && rows_q == LenBits'(1);
  assign out_tag_o      = tag_q;
  assign out_fire       = out_valid_o && out_ready_i;
  assign head_done      = out_fire && out_last_o;
  // A beat (or Bytes zeros) comes in while fewer than two of the widest words are held;
  // beat_count of its bytes are the segment's.
  logic room, zero_fire, fill_in;
  assign room        = in_left_q != '0 && fill_q < FillBits'(2 * WordBytes);
  assign in_ready_o  = room && !zero_q;
  assign in_fire     = in_valid_i && in_ready_o;
  assign zero_fire   = room && zero_q;
  assign fill_in     = in_fire || zero_fire;
  logic [FillBits-1:0] kept, beat_count, beat_room;
  assign kept       = out_fire ? fill_q - FillBits'(take) : fill_q;
  assign beat_room  = first_q ? FillBits'(Bytes) - FillBits'(skip_q) : FillBits'(Bytes);
  assign beat_count = ((2*LenBits+1)'(beat_room) < in_left_q) ? beat_room : FillBits'(in_left_q);

  // The next segment comes in with the last of this one's bytes (or after it) when the
  // out side has room for its rows (a piece that goes on with a row needs none, but
  // waits the same).
  logic in_done;
  assign in_done        = in_left_q == '0 || (fill_in && (2*LenBits+1)'(beat_count) == in_left_q);
  assign seg_ready_o    = in_done && (!next_q || head_done);
  assign seg_fire       = seg_valid_i && seg_ready_o;
  assign row_seg        = seg_fire && !seg_cont_i;
  // A new segment's rows become the head if it is free then, else they wait behind it.
  assign seg_to_head    = row_seg && (!head_q || head_done) && !next_q;
  assign idle_o         = in_left_q == '0 && !head_q;

  // Word out: the low `take` bytes of the buffer, the rest zero.
  always_comb begin
    out_data_o = buf_q[WordBits-1:0];
    for (int unsigned b = 0; b < WordBytes; b++) begin
      if (b >= 32'(take)) out_data_o[b*8 +: 8] = 8'h00;
    end
  end

  // Buffer update: drop the word leaving (kept bytes stay), then append the beat's bytes
  // (past the skip on the segment's first beat, up to the segment's end) above what stays;
  // zeros only move the fill, as every byte above it is 0. A function called only when a
  // byte moves, so a simulator shifts the wide buffer only then.
  function automatic logic [BufBytes*8-1:0] next_buf(input logic [BufBytes*8-1:0] buffer,
                                                     input logic drop, input logic [WBytesBits-1:0] n,
                                                     input logic append, input logic [DataBits-1:0] beat,
                                                     input logic skip_first, input logic [SkipBits-1:0] skip,
                                                     input logic [FillBits-1:0] count,
                                                     input logic [FillBits-1:0] at);
    logic [BufBytes*8-1:0] beat_bytes;
    // Shift amounts in bits as narrow as the byte counts ({n, 3'b0}): a 32-bit amount would
    // make synthesis build (and ABC map) a barrel shifter with 32 stages.
    next_buf   = drop ? buffer >> {n, 3'b000} : buffer;
    beat_bytes = (BufBytes * 8)'(0);  // (a '0 fill wider than 8k bits is a Verilator warning)
    beat_bytes[DataBits-1:0] = skip_first ? beat >> {skip, 3'b000} : beat;
    for (int unsigned b = 0; b < Bytes; b++) begin
      if (b >= 32'(count)) beat_bytes[b*8 +: 8] = 8'h00;
    end
    if (append) next_buf = next_buf | (beat_bytes << {at, 3'b000});
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      first_q       <= 1'b0;
      skip_q        <= '0;
      in_left_q     <= '0;
      zero_q        <= 1'b0;
      head_q        <= 1'b0;
      head_first_q  <= 1'b0;
      left_q        <= '0;
      len_q         <= '0;
      rows_q        <= '0;
      wbytes_q      <= '0;
      tag_q         <= '0;
      next_q        <= 1'b0;
      next_len_q    <= '0;
      next_rows_q   <= '0;
      next_wbytes_q <= '0;
      next_tag_q    <= '0;
      buf_q         <= (BufBytes * 8)'(0);
      fill_q        <= '0;
    end else begin
      // in side
      if (fill_in) begin
        first_q   <= 1'b0;
        in_left_q <= in_left_q - (2*LenBits+1)'(beat_count);
      end
      if (seg_fire) begin
        first_q   <= 1'b1;
        skip_q    <= seg_zero_i ? '0 : seg_skip_i;
        in_left_q <= seg_bytes_i;
        zero_q    <= seg_zero_i;
      end
      if (in_fire || out_fire)
        buf_q <= next_buf(buf_q, out_fire, take, in_fire, in_data_i, first_q, skip_q, beat_count, kept);
      if (fill_in || out_fire) fill_q <= fill_in ? kept + beat_count : kept;

      // out side: the head's row count, then a new head when it is done (or absent)
      if (out_fire) begin
        head_first_q <= 1'b0;
        left_q       <= out_row_last_o ? len_q : left_q - LenBits'(take);
        if (out_row_last_o) rows_q <= rows_q - 1'b1;
      end
      if (!head_q || head_done) begin
        head_q <= next_q;
        next_q <= 1'b0;
        if (next_q) begin
          head_first_q <= 1'b1;
          left_q       <= next_len_q;
          len_q        <= next_len_q;
          rows_q       <= next_rows_q;
          wbytes_q     <= next_wbytes_q;
          tag_q        <= next_tag_q;
        end
      end
      if (seg_to_head) begin
        head_q       <= 1'b1;
        head_first_q <= 1'b1;
        left_q       <= seg_len_i;
        len_q        <= seg_len_i;
        rows_q       <= seg_rows_i;
        wbytes_q     <= seg_wbytes_i;
        tag_q        <= seg_tag_i;
      end else if (row_seg) begin
        next_q        <= 1'b1;
        next_len_q    <= seg_len_i;
        next_rows_q   <= seg_rows_i;
        next_wbytes_q <= seg_wbytes_i;
        next_tag_q    <= seg_tag_i;
      end
    end
  end

`ifndef SYNTHESIS
  // A word size above WordBytes: only when the field can hold one (WordBytes = 2^k - 1
  // fills it, and the comparison would be constant).
  logic wbytes_over;
  if ((1 << WBytesBits) - 1 > WordBytes) begin : g_wbytes_check
    assign wbytes_over = 32'(seg_wbytes_i) > WordBytes;
  end else begin : g_wbytes_full
    assign wbytes_over = 1'b0;
  end
  always_ff @(posedge clk_i) begin
    if (seg_fire && (seg_len_i == '0 || seg_rows_i == '0 || seg_bytes_i == '0 || seg_wbytes_i == '0
                     || wbytes_over))
      $error("dnn_shell_unpack: segment with no bytes or a word size outside 1..%0d", WordBytes);
  end
`endif

endmodule
