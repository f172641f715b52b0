// The two activation register files of an EIE PE (the paper's "ActRW"): one is the
// layer's source (read by the LNZD scanner and the host), the other its destination
// (written by write-back); sel_i names the source, and the top flips it after every
// layer so a layer's output is the next layer's input. The loader fills the source.
module dnn_eie_act_rw #(
  parameter int unsigned ActBits  = 16,
  parameter int unsigned ActDepth = 16,
  localparam int unsigned AddrBits = dnn_pkg::idx_bits(ActDepth)
) (
  input  logic                clk_i,
  input  logic                sel_i,      // source file: 0 or 1
  input  logic                ld_we_i,    // loader write into the source file
  input  logic                wb_we_i,    // write-back into the destination file
  input  logic [AddrBits-1:0] waddr_i,
  input  logic [ActBits-1:0]  wdata_i,
  input  logic [AddrBits-1:0] lz_addr_i,  // source-file reads: scanner and host
  output logic [ActBits-1:0]  lz_data_o,
  input  logic [AddrBits-1:0] rd_addr_i,
  output logic [ActBits-1:0]  rd_data_o
);

  logic [ActBits-1:0] act0_q [ActDepth];
  logic [ActBits-1:0] act1_q [ActDepth];
  logic               we0, we1;

  assign we0 = (ld_we_i && !sel_i) || (wb_we_i && sel_i);
  assign we1 = (ld_we_i && sel_i) || (wb_we_i && !sel_i);

  always_ff @(posedge clk_i) begin
    if (we0) act0_q[waddr_i] <= wdata_i;
    if (we1) act1_q[waddr_i] <= wdata_i;
  end

  assign lz_data_o = sel_i ? act1_q[lz_addr_i] : act0_q[lz_addr_i];
  assign rd_data_o = sel_i ? act1_q[rd_addr_i] : act0_q[rd_addr_i];

endmodule
