# RTL of the bit-serial engine (Stripes, Bit-Pragmatic and the bit-parallel baseline share
# one top), relative to rtl/: the package first, leaf modules next, the top module last.
common/dnn_pkg.sv
common/dnn_sram_1r1w.sv
common/dnn_job_ctrl.sv
common/dnn_hold_check.sv
common/dnn_adder_tree.sv
bitserial/dnn_bitserial_prec.sv
bitserial/dnn_bitserial_act_row.sv
bitserial/dnn_bitserial_sip.sv
bitserial/dnn_bitserial_tile.sv
bitserial/dnn_bitserial_drain.sv
bitserial/dnn_bitserial_seq.sv
bitserial/dnn_bitserial_compute.sv
bitserial/dnn_bitserial_top.sv
