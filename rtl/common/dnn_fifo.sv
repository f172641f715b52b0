// Synchronous FIFO with valid/ready on both sides (fall-through: the head is visible
// while not empty). Depth entries, any depth >= 1.
module dnn_fifo #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 4
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o
);

  localparam int unsigned PtrBits = dnn_pkg::idx_bits(Depth);
  localparam int unsigned CntBits = $clog2(Depth + 1);

  if (Width < 1 || Depth < 1) begin : g_bad_param
    $error("dnn_fifo: Width and Depth must be >= 1");
  end

  logic [Width-1:0]   mem_q [Depth];
  logic [PtrBits-1:0] wptr_q, wptr_d, rptr_q, rptr_d;
  logic [CntBits-1:0] count_q, count_d;
  logic push, pop;

  assign in_ready_o  = (count_q != CntBits'(Depth));
  assign out_valid_o = (count_q != '0);
  assign out_data_o  = mem_q[rptr_q];
  assign push = in_valid_i && in_ready_o;
  assign pop  = out_valid_o && out_ready_i;

  function automatic logic [PtrBits-1:0] next_ptr(input logic [PtrBits-1:0] ptr);
    if (ptr == PtrBits'(Depth - 1)) next_ptr = '0;
    else next_ptr = ptr + 1'b1;
  endfunction

  always_comb begin
    wptr_d  = push ? next_ptr(wptr_q) : wptr_q;
    rptr_d  = pop ? next_ptr(rptr_q) : rptr_q;
    count_d = count_q;
    if (push && !pop) count_d = count_q + 1'b1;
    if (pop && !push) count_d = count_q - 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q  <= '0;
      rptr_q  <= '0;
      count_q <= '0;
    end else begin
      wptr_q  <= wptr_d;
      rptr_q  <= rptr_d;
      count_q <= count_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) mem_q[wptr_q] <= in_data_i;
  end

endmodule
