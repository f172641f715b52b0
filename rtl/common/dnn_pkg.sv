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

  // Bits one lane of the bit-serial activation side hands to the SIPs each cycle:
  // Stripes the activation bit; Pragmatic {position, is-sign-bit, present} of a
  // oneffset; bit-parallel the activation itself.
  function automatic int unsigned lane_bits(input int unsigned mode, input int unsigned in_bits);
    if (mode == dnn_pkg::ModeStripes) lane_bits = 1;
    else if (mode == dnn_pkg::ModePragmatic) lane_bits = idx_bits(in_bits) + 2;
    else lane_bits = in_bits;
  endfunction

endpackage
