# RTL of the row-stationary (Eyeriss) engine behind the accelerator shell (dnn_shell_rs),
# relative to rtl/; the generated register package (`dnngen regmap --sv`) is read before
# it. Read by the shell testbench build (testbench/shell/CMakeLists.txt).
common/dnn_pkg.sv
common/dnn_sram_1r1w.sv
common/dnn_fifo.sv
common/dnn_delay.sv
common/dnn_job_ctrl.sv
common/dnn_hold_check.sv
systolic/dnn_systolic_mul.sv
systolic/dnn_systolic_skew.sv
systolic/dnn_systolic_finalize.sv
row_stationary/dnn_rs_pe.sv
row_stationary/dnn_rs_array.sv
row_stationary/dnn_rs_load_walk.sv
row_stationary/dnn_rs_seq.sv
row_stationary/dnn_rs_top.sv
shell/dnn_shell_regs.sv
shell/dnn_shell_desc_queue.sv
shell/dnn_axi_burst.sv
shell/dnn_axi_dma_rd.sv
shell/dnn_axi_dma_wr.sv
shell/dnn_shell_unpack.sv
shell/dnn_shell_pack.sv
shell/dnn_shell_requant.sv
shell/dnn_shell_layer_ctrl.sv
shell/dnn_shell_rs.sv
