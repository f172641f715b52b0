// Definitions every engine shares: the index-width and lane-width functions and the
// named values of the dataflow and mode parameters. First in every file list
// (rtl/filelists/*.f). Referenced by qualified name only (`dnn_pkg::idx_bits(Depth)`),
// never imported: Yosys 0.23 rejects `import`. Its functions assign to their own name
// instead of `return` for the same reason, and qualify the enum values they compare
// with (Yosys does not see them unqualified inside a package function).
package dnn_pkg;

  // Dataflow of dnn_systolic_top (its `Dataflow` parameter, which dnngen binds).
  typedef enum int unsigned {
    DataflowWs = 0,  // weight stationary
    DataflowOs = 1   // output stationary
  } dataflow_e;

  // Mode of the bit-serial engine (dnn_bitserial_top's `Mode` parameter).
  typedef enum int unsigned {
    ModeStripes   = 0,  // one bit of every activation per cycle
    ModePragmatic = 1,  // one non-zero bit (oneffset) of every activation per cycle
    ModeParallel  = 2   // the bit-parallel baseline: whole activations, one brick per cycle
  } bitserial_mode_e;

  // Width of an index into (or an address of) `count` items: clog2(count), at least 1.
  function automatic int unsigned idx_bits(input int unsigned count);
    idx_bits = (count > 1) ? $clog2(count) : 1;
  endfunction

  // Width of an exact product of an in_bits by a w_bits operand: one more when unsigned
  // operands meet signed arithmetic (the systolic and row-stationary engines).
  function automatic int unsigned product_bits(input int unsigned in_bits, input int unsigned w_bits,
                                               input int unsigned is_signed);
    product_bits = in_bits + w_bits + ((is_signed != 0) ? 0 : 1);
  endfunction

  function automatic int unsigned max2(input int unsigned a, input int unsigned b);
    max2 = (a > b) ? a : b;
  endfunction

  // Widths of a systolic core's ports, shared by its kernel top (dnn_systolic_top) and the
  // accelerator shell (dnn_shell_systolic), so the two cannot drift apart.
  // Job sizes and result positions: up to the largest limit plus the array's span.
  function automatic int unsigned systolic_dim_bits(input int unsigned max_m, input int unsigned max_n,
                                                    input int unsigned max_k, input int unsigned rows,
                                                    input int unsigned cols);
    systolic_dim_bits = $clog2(max2(max2(max_m, max_n), max_k) + rows + cols + 1);
  endfunction
  // Words of the A buffer: R-element words of every M row per K tile (WS), or of every K
  // step per M tile (OS).
  function automatic int unsigned systolic_a_depth(input int unsigned dataflow, input int unsigned rows,
                                                   input int unsigned max_m, input int unsigned max_k);
    if (dataflow == dnn_pkg::DataflowWs) systolic_a_depth = ((max_k + rows - 1) / rows) * max_m;
    else systolic_a_depth = ((max_m + rows - 1) / rows) * max_k;
  endfunction
  // Words of the B buffer: C-element words of every K row per N tile.
  function automatic int unsigned systolic_b_depth(input int unsigned cols, input int unsigned max_n,
                                                   input int unsigned max_k);
    systolic_b_depth = ((max_n + cols - 1) / cols) * max_k;
  endfunction
  // Loader word: the wider of an A word (R inputs) and a B word (C weights).
  function automatic int unsigned systolic_ld_width(input int unsigned rows, input int unsigned cols,
                                                    input int unsigned in_bits, input int unsigned w_bits);
    systolic_ld_width = (rows * in_bits > cols * w_bits) ? rows * in_bits : cols * w_bits;
  endfunction

  // Bits of a Pragmatic lane's shift: its oneffset's position (0..InBits-1) with the
  // single-stage shifter; with two-stage shifting (TwoStage) its offset above the row's
  // common base, FirstStageBits wide (at least one bit, so the field always exists).
  function automatic int unsigned shift_bits(input int unsigned in_bits, input int unsigned two_stage,
                                             input int unsigned first_stage_bits);
    if (two_stage == 0) shift_bits = idx_bits(in_bits);
    else shift_bits = (first_stage_bits > 0) ? first_stage_bits : 1;
  endfunction
  // Bits one lane of the bit-serial activation side hands to the SIPs each cycle:
  // Stripes the activation bit; Pragmatic {shift, is-sign-bit, present} of a oneffset
  // (sh_bits: shift_bits above); bit-parallel the activation itself.
  function automatic int unsigned lane_bits(input int unsigned mode, input int unsigned in_bits,
                                            input int unsigned sh_bits);
    if (mode == dnn_pkg::ModeStripes) lane_bits = 1;
    else if (mode == dnn_pkg::ModePragmatic) lane_bits = sh_bits + 2;
    else lane_bits = in_bits;
  endfunction

endpackage
