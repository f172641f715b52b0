// Simple dual-port memory: one synchronous write port, one synchronous read port.
// Read data appears the cycle after re_i and holds while re_i is low, as a BRAM's
// output register does; a read of the address being written returns the old word.
// Synthesis flows treat this module as a macro (see scripts/) and report its bits.
module dnn_sram_1r1w #(
  parameter int unsigned Depth    = 16,
  parameter int unsigned Width    = 8,
  parameter int unsigned AddrBits = dnn_pkg::idx_bits(Depth)
) (
  input  logic                clk_i,
  input  logic                we_i,
  input  logic [AddrBits-1:0] waddr_i,
  input  logic [Width-1:0]    wdata_i,
  input  logic                re_i,
  input  logic [AddrBits-1:0] raddr_i,
  output logic [Width-1:0]    rdata_o
);

  if (Depth < 1 || Width < 1) begin : g_bad_size
    $error("dnn_sram_1r1w: Depth and Width must be >= 1");
  end
  if (AddrBits < dnn_pkg::idx_bits(Depth)) begin : g_bad_addr
    $error("dnn_sram_1r1w: AddrBits too narrow to address Depth words");
  end

  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_q <= mem_q[raddr_i];
  end

  assign rdata_o = rdata_q;

endmodule
