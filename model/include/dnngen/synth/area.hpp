#pragma once
// The area model of the synthesis reports: NAND2 equivalents of Yosys's generic cells
// (Nangate 45 nm areas) and the SRAM macro model. docs/synthesis.md explains both.
#include <string>

namespace dnngen::synth {

// Area of a NAND2_X1 in the Nangate 45 nm Open Cell Library (FreePDK45), um^2.
inline constexpr double kNand2AreaUm2 = 0.798;
// 6T SRAM bit cell of a 45 nm process (Intel 45 nm HKMG, IEDM 2007: 0.346 um^2) and the
// share of a small macro's area that is bit cells (the rest: decoders, sense amps,
// write drivers, I/O); 50 % is typical of KiB-sized compiled macros.
inline constexpr double kSramBitcellUm2 = 0.346;
inline constexpr double kSramArrayEfficiency = 0.5;
inline constexpr double kSramUm2PerBit = kSramBitcellUm2 / kSramArrayEfficiency;

// NAND2 equivalents of one Yosys generic cell ($_AND_, $_DFFE_PN0P_, ...), from the
// Nangate 45 nm areas of the cell(s) that implement it; -1 for a type not in the table.
double nand2_equivalents(const std::string& cell_type);

// True for Yosys's flip-flop and latch cell types (the ones `ltp -noff` skips).
bool is_storage_cell(const std::string& cell_type);

}  // namespace dnngen::synth
