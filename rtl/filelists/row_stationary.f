# RTL of the row-stationary (Eyeriss) conv2d engine, relative to rtl/: the package,
# leaf modules, the top last. Reuses the common primitives and the systolic multiplier,
# skew and finalize stages.
common/dnn_pkg.sv
common/dnn_sram_1r1w.sv
common/dnn_delay.sv
common/dnn_job_ctrl.sv
systolic/dnn_systolic_mul.sv
systolic/dnn_systolic_skew.sv
systolic/dnn_systolic_finalize.sv
row_stationary/dnn_rs_pe.sv
row_stationary/dnn_rs_array.sv
row_stationary/dnn_rs_load_walk.sv
row_stationary/dnn_rs_seq.sv
row_stationary/dnn_rs_top.sv
