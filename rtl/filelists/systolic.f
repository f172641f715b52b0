# RTL of the systolic engine (weight- and output-stationary dataflows share one top),
# relative to rtl/: the package first, leaf modules next, the top module last. Read by
# dnngen for the simulator build, synthesis, lint parameter sets and `dnngen generate`.
common/dnn_pkg.sv
common/dnn_sram_1r1w.sv
common/dnn_delay.sv
common/dnn_fifo.sv
common/dnn_job_ctrl.sv
common/dnn_hold_check.sv
systolic/dnn_systolic_mul.sv
systolic/dnn_systolic_skew.sv
systolic/dnn_systolic_finalize.sv
systolic/dnn_systolic_operand_buf.sv
systolic/dnn_systolic_ws_pe.sv
systolic/dnn_systolic_ws_array.sv
systolic/dnn_systolic_ws_core.sv
systolic/dnn_systolic_os_pe.sv
systolic/dnn_systolic_os_array.sv
systolic/dnn_systolic_abuf_transpose.sv
systolic/dnn_systolic_os_core.sv
systolic/dnn_systolic_top.sv
