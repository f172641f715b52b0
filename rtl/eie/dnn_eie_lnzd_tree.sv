// Leading-non-zero detect tree: the lowest set bit of a NumIn-bit mask, found by a
// binary tree of 2-input nodes (log2 depth), as EIE's LNZD nodes combine their
// children. valid_o is low when the mask is all zeros.
module dnn_eie_lnzd_tree #(
  parameter int unsigned NumIn = 4,
  localparam int unsigned IdxBits = dnn_pkg::idx_bits(NumIn)
) (
  input  logic [NumIn-1:0]  mask_i,
  output logic              valid_o,
  output logic [IdxBits-1:0] idx_o
);

  localparam int unsigned Leaves  = 1 << IdxBits;

  // Level l has Leaves >> l nodes; level 0 are the (zero-padded) mask bits.
  logic [Leaves-1:0]  lv_valid [IdxBits+1];
  logic [IdxBits-1:0] lv_idx   [IdxBits+1][Leaves];

  always_comb begin
    for (int unsigned l = 0; l <= IdxBits; l++) begin
      lv_valid[l] = '0;
      for (int unsigned i = 0; i < Leaves; i++) lv_idx[l][i] = '0;
    end
    lv_valid[0] = Leaves'(mask_i);
    for (int unsigned i = 0; i < Leaves; i++) lv_idx[0][i] = IdxBits'(i);
    for (int unsigned l = 0; l < IdxBits; l++) begin
      for (int unsigned i = 0; i < (Leaves >> (l + 1)); i++) begin
        lv_valid[l+1][i] = lv_valid[l][2*i] | lv_valid[l][2*i+1];
        lv_idx[l+1][i]   = lv_valid[l][2*i] ? lv_idx[l][2*i] : lv_idx[l][2*i+1];
      end
    end
  end

  assign valid_o = lv_valid[IdxBits][0];
  assign idx_o   = lv_idx[IdxBits][0];

endmodule
