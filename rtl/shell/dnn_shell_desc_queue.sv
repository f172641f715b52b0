// The shell's descriptor queue (docs/shell.md): CTRL.START while a layer runs (or waits)
// queues a copy of the descriptor registers; the engine's layer control takes the oldest
// from idle, in the cycle after the layer before it ends, as it takes a START. ABORT,
// SOFT_RESET and a layer's error empty the queue (drop_i). START with Depth descriptors
// waiting is refused (ERROR_CODE queue_full and the error interrupt; the running layer goes
// on). Depth 0: no queue, START while busy is always refused.
module dnn_shell_desc_queue #(
  parameter int unsigned Depth     = 2,    // 0..15
  parameter int unsigned Width     = 32,   // the descriptor registers
  parameter int unsigned LevelBits = 4     // STATUS.QUEUE_LEVEL
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,    // CTRL.START
  input  logic [Width-1:0]     desc_i,     // the descriptor registers now
  input  logic                 idle_i,     // the layer control can take a layer this cycle
  input  logic                 running_i,  // a layer runs (from its check to its end)
  input  logic                 drop_i,     // ABORT, SOFT_RESET, a layer's error
  output logic                 take_o,     // the layer control takes a layer now ...
  output logic [Width-1:0]     desc_o,     // ... with this descriptor
  output logic                 refused_o,  // START with the queue full
  output logic                 busy_o,     // STATUS.BUSY: a layer runs or waits
  output logic [LevelBits-1:0] level_o,    // STATUS.QUEUE_LEVEL
  output logic                 full_o      // STATUS.QUEUE_FULL
);

  if (Depth > 15 || (1 << LevelBits) <= Depth) begin : g_bad_param
    $error("dnn_shell_desc_queue: Depth must be 0..15 and fit LevelBits");
  end

  localparam int unsigned Slots = (Depth > 0) ? Depth : 1;
  logic [Width-1:0]     queue_q [Slots];
  logic [LevelBits-1:0] level_q;
  logic                 push, pop;

  assign full_o    = level_q == LevelBits'(Depth);
  assign busy_o    = running_i || level_q != '0;
  assign push      = start_i && busy_o && !full_o;
  assign refused_o = start_i && busy_o && full_o;
  assign pop       = idle_i && level_q != '0 && !drop_i;
  assign take_o    = pop || (idle_i && start_i);
  assign desc_o    = pop ? queue_q[0] : desc_i;
  assign level_o   = level_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) level_q <= '0;
    else if (drop_i) level_q <= '0;
    else level_q <= level_q + LevelBits'(push) - LevelBits'(pop);
  end
  // Entries shift down on a pop; a push goes to the first free one after it.
  always_ff @(posedge clk_i) begin
    for (int unsigned i = 0; i < Slots; i++) begin
      if (push && 32'(level_q) - 32'(pop) == i) queue_q[i] <= desc_i;
      else if (pop) queue_q[i] <= queue_q[(i + 1 < Slots) ? i + 1 : i];
    end
  end

endmodule
