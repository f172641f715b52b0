# RTL of the EIE sparse engine behind the accelerator shell (dnn_shell_eie), relative to
# rtl/; the generated register package (`dnngen regmap --sv`) is read before it. Read by
# the shell testbench build (testbench/shell/CMakeLists.txt).
common/dnn_pkg.sv
common/dnn_sram_1r1w.sv
common/dnn_fifo.sv
common/dnn_job_ctrl.sv
common/dnn_hold_check.sv
eie/dnn_eie_requant.sv
eie/dnn_eie_lnzd_tree.sv
eie/dnn_eie_lnzd.sv
eie/dnn_eie_ptr_banks.sv
eie/dnn_eie_au.sv
eie/dnn_eie_act_rw.sv
eie/dnn_eie_pe.sv
eie/dnn_eie_top.sv
shell/dnn_shell_regs.sv
shell/dnn_shell_desc_queue.sv
shell/dnn_axi_burst.sv
shell/dnn_axi_dma_rd.sv
shell/dnn_axi_dma_wr.sv
shell/dnn_shell_unpack.sv
shell/dnn_shell_pack.sv
shell/dnn_shell_requant.sv
shell/dnn_shell_layer_ctrl.sv
shell/dnn_shell_eie.sv
