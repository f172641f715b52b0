// Activation scanner: walks the source activations in groups of NumPes columns (group g
// holds columns g*NumPes .. g*NumPes+NumPes-1, one word from each PE's source file at
// local address g), finds the next non-zero with the LNZD tree and broadcasts (column,
// value) to every PE's FIFO. A broadcast fires only when every FIFO has room (ready_i);
// otherwise it holds. A group with no non-zero costs one cycle; a group with k costs k.
module dnn_eie_lnzd #(
  parameter int unsigned NumPes   = 4,
  parameter int unsigned ActBits  = 16,
  parameter int unsigned ColBits  = 8,
  parameter int unsigned AddrBits = 4
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      start_i,    // job accepted: load group 0
  input  logic [ColBits-1:0]        cols_i,     // N of the layer, held during the job
  output logic [AddrBits-1:0]       rd_addr_o,  // group being loaded (source-file address)
  input  logic [NumPes*ActBits-1:0] rd_data_i,  // each PE's word at rd_addr_o
  input  logic                      ready_i,    // every FIFO has room
  output logic                      fire_o,     // a broadcast this cycle
  output logic [ColBits-1:0]        col_o,
  output logic [ActBits-1:0]        x_o,
  output logic                      scan_o      // still scanning
);

  localparam int unsigned IdxBits = dnn_pkg::idx_bits(NumPes);

  logic                      scan_q, scan_d;
  logic [AddrBits-1:0]       g_q, g_d;
  logic [31:0]               base_q, base_d;  // g * NumPes
  logic [NumPes-1:0]         mask_q, mask_d;
  logic [NumPes*ActBits-1:0] vals_q, vals_d;

  logic               found;
  logic [IdxBits-1:0] idx;
  logic [NumPes-1:0]  rest, load_mask;
  logic               advance, last, load;
  logic [31:0]        load_base;

  dnn_eie_lnzd_tree #(.NumIn(NumPes)) u_tree (
    .mask_i (mask_q),
    .valid_o(found),
    .idx_o  (idx)
  );

  assign fire_o = scan_q && found && ready_i;

  // A broadcast waiting for room holds its column and value.
  dnn_hold_check #(.Width(ColBits + ActBits)) u_bc_hold (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .valid_i  (scan_q && found),
    .ready_i  (ready_i),
    .payload_i({col_o, x_o})
  );
  assign rest   = mask_q & ~(NumPes'(1) << idx);
  assign col_o  = ColBits'(base_q + 32'(idx));
  assign x_o    = vals_q[idx*ActBits +: ActBits];
  assign scan_o = scan_q;

  // Move to the next group when this one has nothing left to send.
  assign advance   = scan_q && (!found || (fire_o && rest == '0));
  assign last      = base_q + NumPes >= 32'(cols_i);
  assign load      = start_i || (advance && !last);
  assign load_base = start_i ? 32'd0 : base_q + NumPes;
  assign rd_addr_o = start_i ? '0 : g_q + 1'b1;

  always_comb begin
    for (int unsigned p = 0; p < NumPes; p++) begin
      load_mask[p] = (rd_data_i[p*ActBits +: ActBits] != '0) && (load_base + p < 32'(cols_i));
    end
  end

  always_comb begin
    scan_d = scan_q;
    g_d    = g_q;
    base_d = base_q;
    mask_d = fire_o ? rest : mask_q;
    vals_d = vals_q;
    if (advance && last) scan_d = 1'b0;
    if (load) begin
      scan_d = 1'b1;
      g_d    = rd_addr_o;
      base_d = load_base;
      mask_d = load_mask;
      vals_d = rd_data_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      scan_q <= 1'b0;
      g_q    <= '0;
      base_q <= '0;
      mask_q <= '0;
      vals_q <= '0;
    end else begin
      scan_q <= scan_d;
      g_q    <= g_d;
      base_q <= base_d;
      mask_q <= mask_d;
      vals_q <= vals_d;
    end
  end

endmodule
