# RTL of the GEMM engines behind the accelerator shell (dnn_shell_systolic): the systolic
# array (weight- or output-stationary) and the bit-serial engine, relative to rtl/; the generated register package
# (`dnngen regmap --sv`) is read before it. Read by the shell testbench build
# (testbench/shell/CMakeLists.txt) and `make demo`.
common/dnn_pkg.sv
common/dnn_fifo.sv
common/dnn_sram_1r1w.sv
common/dnn_delay.sv
common/dnn_job_ctrl.sv
common/dnn_hold_check.sv
common/dnn_adder_tree.sv
systolic/dnn_systolic_mul.sv
systolic/dnn_systolic_ws_pe.sv
systolic/dnn_systolic_ws_array.sv
systolic/dnn_systolic_skew.sv
systolic/dnn_systolic_finalize.sv
systolic/dnn_systolic_operand_buf.sv
systolic/dnn_systolic_ws_core.sv
systolic/dnn_systolic_os_pe.sv
systolic/dnn_systolic_os_array.sv
systolic/dnn_systolic_abuf_transpose.sv
systolic/dnn_systolic_os_core.sv
bitserial/dnn_bitserial_prec.sv
bitserial/dnn_bitserial_act_row.sv
bitserial/dnn_bitserial_sip.sv
bitserial/dnn_bitserial_tile.sv
bitserial/dnn_bitserial_seq.sv
bitserial/dnn_bitserial_drain.sv
bitserial/dnn_bitserial_compute.sv
bitserial/dnn_bitserial_core.sv
shell/dnn_shell_regs.sv
shell/dnn_shell_desc_queue.sv
shell/dnn_axi_burst.sv
shell/dnn_axi_dma_rd.sv
shell/dnn_axi_dma_wr.sv
shell/dnn_shell_unpack.sv
shell/dnn_shell_pack.sv
shell/dnn_shell_job_walk.sv
shell/dnn_shell_gemm_view.sv
shell/dnn_shell_systolic_loader.sv
shell/dnn_shell_requant.sv
shell/dnn_shell_systolic.sv
