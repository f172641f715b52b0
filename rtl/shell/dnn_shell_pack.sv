// Write aligner of the shell: puts a run of `len` bytes (an output row slice) at any byte
// address as the bus-aligned beats and byte strobes the write DMA takes, with the DMA
// command for them. One run at a time: the run is shifted into place as it is taken,
// the DMA command goes out, and the beats follow one a cycle.
module dnn_shell_pack #(
  parameter int unsigned DataBits = 64,   // bus width, 64..512
  parameter int unsigned RunBits  = 64,   // widest run, a multiple of 8
  parameter int unsigned AddrBits = 32,
  localparam int unsigned Bytes    = DataBits / 8,
  localparam int unsigned RunBytes = RunBits / 8,
  localparam int unsigned LenBits  = $clog2(RunBytes + 1),
  localparam int unsigned OffBits  = $clog2(Bytes),
  // Beats a run can span: its bytes plus a start anywhere in the first beat.
  localparam int unsigned MaxBeats = (RunBytes + Bytes - 1 + Bytes - 1) / Bytes,
  localparam int unsigned BeatBits = $clog2(MaxBeats + 1)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // runs
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  logic [AddrBits-1:0] in_addr_i,
  input  logic [LenBits-1:0]  in_len_i,     // 1..RunBytes
  input  logic [RunBits-1:0]  in_data_i,    // byte i at in_addr_i + i
  // write DMA command
  output logic                cmd_valid_o,
  input  logic                cmd_ready_i,
  output logic [AddrBits-1:0] cmd_addr_o,
  output logic [BeatBits-1:0] cmd_beats_o,
  // beats
  output logic                out_valid_o,
  input  logic                out_ready_i,
  output logic [DataBits-1:0] out_data_o,
  output logic [Bytes-1:0]    out_strb_o
);

  localparam int unsigned SpanBytes = MaxBeats * Bytes;

  if (DataBits < 64 || DataBits > 512 || (DataBits & (DataBits - 1)) != 0 || RunBits < 8
      || RunBits % 8 != 0 || AddrBits < 12 || AddrBits > 64) begin : g_bad_param
    $error("dnn_shell_pack: DataBits 64..512 (a power of 2), RunBits a multiple of 8, AddrBits 12..64");
  end

  logic                   cmd_q;                  // the command is still to go
  logic [BeatBits-1:0]    beats_q;                // beats still to go
  logic [SpanBytes*8-1:0] data_q;
  logic [SpanBytes-1:0]   strb_q;
  logic [AddrBits-1:0]    addr_q;

  logic [OffBits-1:0]  off;
  logic [BeatBits-1:0] span;
  assign off  = in_addr_i[OffBits-1:0];
  assign span = BeatBits'((32'(off) + 32'(in_len_i) + Bytes - 1) / Bytes);

  logic in_fire, out_fire;
  assign in_ready_o  = !cmd_q && beats_q == '0;
  assign in_fire     = in_valid_i && in_ready_o;
  assign out_fire    = out_valid_o && out_ready_i;
  assign cmd_valid_o = cmd_q;
  assign cmd_addr_o  = addr_q;
  assign cmd_beats_o = beats_q;
  // Beats wait for their command, so the DMA never sees a beat before the run's command.
  assign out_valid_o = !cmd_q && beats_q != '0;
  assign out_data_o  = data_q[DataBits-1:0];
  assign out_strb_o  = strb_q[Bytes-1:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmd_q   <= 1'b0;
      beats_q <= '0;
      data_q  <= '0;
      strb_q  <= '0;
      addr_q  <= '0;
    end else begin
      if (in_fire) begin
        cmd_q   <= 1'b1;
        beats_q <= span;
        addr_q  <= {in_addr_i[AddrBits-1:OffBits], OffBits'(0)};
        data_q  <= (SpanBytes*8)'(in_data_i) << (32'(off) * 8);
        strb_q  <= ((SpanBytes'(1) << in_len_i) - 1'b1) << off;
      end
      if (cmd_valid_o && cmd_ready_i) cmd_q <= 1'b0;
      if (out_fire) begin
        beats_q <= beats_q - 1'b1;
        data_q  <= data_q >> DataBits;
        strb_q  <= strb_q >> Bytes;
      end
    end
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (in_fire && (in_len_i == '0 || 32'(in_len_i) > RunBytes))
      $error("dnn_shell_pack: a run of 0 or more than %0d bytes", RunBytes);
  end
`endif

endmodule
