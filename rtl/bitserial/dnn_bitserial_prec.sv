// Precision detector for `precision=auto`: the fewest bits p (>= 1) in which every
// activation of a group fits, unsigned or two's complement. OR-ing the magnitudes
// (sign-flipped for negative values) and finding the leading one is all it takes.
module dnn_bitserial_prec #(
  parameter int unsigned Count  = 64,  // activations in the group
  parameter int unsigned InBits = 16,
  parameter int unsigned Signed = 0,
  localparam int unsigned PBits = $clog2(InBits + 1)
) (
  input  logic [Count*InBits-1:0] group_i,
  output logic [PBits-1:0]        prec_o
);

  logic [InBits-1:0] any, v;
  logic [Count-1:0]  column;  // bit b of every activation (sign-flipped when negative)
  logic [PBits-1:0]  len;     // position of the leading one, plus one (0: none)

  always_comb begin
    // One reduction-OR per bit position, not a chain of Count ORs: a balanced tree, so
    // the detector adds log2(Count) gate levels to the brick's first cycle.
    for (int b = 0; b < InBits; b++) begin
      for (int g = 0; g < Count; g++) begin
        v = group_i[g*InBits +: InBits];
        column[g] = (Signed != 0 && v[InBits-1]) ? ~v[b] : v[b];
      end
      any[b] = |column;
    end
    len = '0;
    for (int b = 0; b < InBits; b++) begin
      if (any[b]) len = PBits'(b + 1);
    end
    // Signed: a sign bit above the magnitude; unsigned: at least one bit.
    if (Signed != 0) prec_o = len + 1'b1;
    else             prec_o = (len == '0) ? PBits'(1) : len;
  end

endmodule
