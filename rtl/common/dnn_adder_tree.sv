// Balanced binary adder tree: sum_o = sum of the Count operands, modulo 2^Width.
// Written as a heap of nodes (node i = node 2i + node 2i+1, leaves at Pad..2*Pad-1,
// missing leaves zero) so synthesis sees ceil(log2(Count)) adder levels, not a chain of
// Count - 1 adders: the logic depth of a brick's sum grows with log2(lanes).
module dnn_adder_tree #(
  parameter int unsigned Count = 16,
  parameter int unsigned Width = 32
) (
  input  logic [Count*Width-1:0] in_i,
  output logic [Width-1:0]       sum_o
);

  localparam int unsigned Levels = (Count > 1) ? $clog2(Count) : 0;
  localparam int unsigned Pad    = 1 << Levels;  // leaves, a power of two

  if (Count < 1 || Width < 1) begin : g_bad_param
    $error("dnn_adder_tree: Count and Width must be >= 1");
  end

  logic [Width-1:0] node [2*Pad];  // node[0] is not part of the tree

  always_comb begin
    node[0] = '0;
    for (int unsigned i = 0; i < Pad; i++) begin
      node[Pad + i] = (i < Count) ? in_i[i*Width +: Width] : '0;
    end
    for (int unsigned i = Pad - 1; i >= 1; i--) begin
      node[i] = node[2*i] + node[2*i + 1];
    end
  end

  assign sum_o = node[1];

endmodule
