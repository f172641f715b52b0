# RTL of the EIE sparse engine, relative to rtl/: the package first, leaf modules next,
# the top last.
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
