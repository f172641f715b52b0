// The length of the next AXI4 INCR burst of a transfer, for both DMAs: the beats left,
// at most MaxBurst, and never past the end of the 4 KiB page `addr_i` is in (AXI4 forbids
// a burst that crosses one). Combinational.
module dnn_axi_burst #(
  parameter int unsigned DataBits  = 64,
  parameter int unsigned MaxBurst  = 16,   // beats, 1..256
  parameter int unsigned BeatsBits = 32,
  localparam int unsigned SizeCode = $clog2(DataBits / 8)
) (
  input  logic [11:0]          addr_i,     // the burst's address within its page
  input  logic [BeatsBits-1:0] left_i,     // beats of the transfer not yet issued
  output logic [BeatsBits-1:0] beats_o     // the burst's length (0 when left_i is 0)
);

  localparam int unsigned PageBeats = 4096 / (DataBits / 8);

  if (DataBits < 8 || MaxBurst < 1 || MaxBurst > 256 || BeatsBits < 1 || BeatsBits > 32
      || 64'(MaxBurst) >= (64'd1 << BeatsBits)) begin : g_bad_param
    $error("dnn_axi_burst: DataBits >= 8, MaxBurst 1..256 and BeatsBits 1..32 holding MaxBurst required");
  end

  logic [12:0] to_page;  // 1..PageBeats
  assign to_page = 13'(PageBeats) - ({1'b0, addr_i} >> SizeCode);

  always_comb begin
    beats_o = left_i;
    if (beats_o > BeatsBits'(MaxBurst)) beats_o = BeatsBits'(MaxBurst);
    if (32'(beats_o) > 32'(to_page)) beats_o = BeatsBits'(to_page);
  end

endmodule
