// Workload tables and the whole-network estimate. The parser is strict because a
// silently misread column (a stride taken for a padding) gives plausible but wrong
// cycle counts that nobody would notice.
#include "dnngen/workload/network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <stdexcept>

#include "dnngen/common/csv.hpp"
#include "dnngen/common/error.hpp"

namespace dnngen::workload {
namespace {

// Field values above this are typos, not layers; the bound also keeps the lowering
// products far from int64 overflow.
constexpr int64_t kMaxField = int64_t{1} << 31;
// MACs of one layer must be exact in a double (utilization, JSON consumers).
constexpr int64_t kMaxLayerMacs = int64_t{1} << 53;

// The two row layouts; messages quote them and the field counts come from them.
constexpr char kConvLayout[] = "name,conv,H,W,C,K,R,S,stride,pad,groups";
constexpr char kGemmLayout[] = "name,gemm,M,N,K,groups";

using csv::Row;

// Decimal integer in [min, kMaxField] from field i; `column` names it in messages.
int64_t integer(const Row& row, size_t i, const char* column, int64_t min) {
  const std::string& text = row[i];
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ptr != end || ec == std::errc::invalid_argument) {
    row.fail(fmt::format("{}: expected an integer, got '{}'", column, text));
  }
  if (ec == std::errc::result_out_of_range && text.front() == '-') {
    row.fail(fmt::format("{}: must be {}, got {}", column, min == 0 ? ">= 0" : ">= 1", text));
  }
  if (ec == std::errc::result_out_of_range || value > kMaxField) {
    row.fail(fmt::format("{}: {} is too large (limit {})", column, text, kMaxField));
  }
  if (value < min) {
    row.fail(fmt::format("{}: must be {}, got {}", column, min == 0 ? ">= 0" : ">= 1", value));
  }
  return value;
}

bool is_name_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         ch == '.' || ch == '-' || ch == '/';
}

void check_name(const Row& row) {
  const std::string& name = row[0];
  if (name.empty()) row.fail("empty layer name");
  if (!std::all_of(name.begin(), name.end(), is_name_char)) {
    row.fail(fmt::format("layer name '{}' may only use letters, digits and _ . - /", name));
  }
}

void check_field_count(const Row& row, const std::string& type, const std::string& layout) {
  const size_t expected = 1 + static_cast<size_t>(std::count(layout.begin(), layout.end(), ','));
  if (row.size() != expected) {
    row.fail(fmt::format("a {} row has {} fields ({}), got {}", type, expected, layout, row.size()));
  }
}

// groups * M * N * K must stay below kMaxLayerMacs; checked by division so nothing
// overflows on the way.
void check_macs(const Row& row, int64_t groups, const golden::GemmShape& g) {
  int64_t macs = groups;
  for (const int64_t d : {g.m, g.n, g.k}) {
    if (d > kMaxLayerMacs / macs) {
      row.fail(
          fmt::format("layer too large: groups*M*N*K exceeds 2^53 (M={}, N={}, K={}, "
                      "groups={})",
                      g.m, g.n, g.k, groups));
    }
    macs *= d;
  }
}

Layer parse_conv(const Row& row) {
  check_field_count(row, "conv", kConvLayout);
  Layer layer;
  layer.type = LayerType::kConv;
  ConvShape& c = layer.conv;
  c.h = integer(row, 2, "H", 1);
  c.w = integer(row, 3, "W", 1);
  c.c = integer(row, 4, "C", 1);
  c.filters = integer(row, 5, "K", 1);
  c.r = integer(row, 6, "R", 1);
  c.s = integer(row, 7, "S", 1);
  c.stride = integer(row, 8, "stride", 1);
  c.pad = integer(row, 9, "pad", 0);
  layer.groups = integer(row, 10, "groups", 1);
  if (c.r > c.h + 2 * c.pad) {
    row.fail(fmt::format("filter R={} is larger than the padded input H+2*pad={}", c.r, c.h + 2 * c.pad));
  }
  if (c.s > c.w + 2 * c.pad) {
    row.fail(fmt::format("filter S={} is larger than the padded input W+2*pad={}", c.s, c.w + 2 * c.pad));
  }
  if (c.c % layer.groups != 0 || c.filters % layer.groups != 0) {
    row.fail(fmt::format("groups={} must divide both C={} and K={}", layer.groups, c.c, c.filters));
  }
  // Keeping E, F and C*R*S to 2^31 makes E*F exact in int64; check_macs then bounds
  // the product of all the GEMM dimensions.
  const int64_t e = conv_output_size(c.h, c.r, c.stride, c.pad);
  const int64_t f = conv_output_size(c.w, c.s, c.stride, c.pad);
  if (e > kMaxField || f > kMaxField || c.c / layer.groups > kMaxField / c.r / c.s) {
    row.fail("layer too large: E, F or C*R*S exceeds 2^31");
  }
  layer.gemm = lower(c, layer.groups);
  check_macs(row, layer.groups, layer.gemm);
  return layer;
}

Layer parse_gemm(const Row& row) {
  check_field_count(row, "gemm", kGemmLayout);
  Layer layer;
  layer.type = LayerType::kGemm;
  layer.gemm.m = integer(row, 2, "M", 1);
  layer.gemm.n = integer(row, 3, "N", 1);
  layer.gemm.k = integer(row, 4, "K", 1);
  layer.groups = integer(row, 5, "groups", 1);
  check_macs(row, layer.groups, layer.gemm);
  return layer;
}

Layer parse_row(const Row& row) {
  if (row.size() < 2) {
    row.fail(fmt::format("expected name,type,... (type conv or gemm), got {} field(s)", row.size()));
  }
  check_name(row);
  const std::string& type = row[1];
  Layer layer;
  if (type == "conv") {
    layer = parse_conv(row);
  } else if (type == "gemm") {
    layer = parse_gemm(row);
  } else {
    row.fail(fmt::format("unknown layer type '{}' (expected conv or gemm)", type));
  }
  layer.name = row[0];
  layer.line = row.line();
  return layer;
}

std::vector<Layer> parse_rows(const std::vector<Row>& rows, const std::string& source_name) {
  std::vector<Layer> layers;
  std::map<std::string, int> first_line;  // layer name -> line, to report duplicates
  for (const Row& row : rows) {
    Layer layer = parse_row(row);
    const auto [it, inserted] = first_line.emplace(layer.name, row.line());
    if (!inserted) {
      row.fail(fmt::format("duplicate layer name '{}' (first on line {})", layer.name, it->second));
    }
    layers.push_back(std::move(layer));
  }
  if (layers.empty()) throw InputError(source_name + ": no layers in workload file");
  return layers;
}

}  // namespace

std::string to_string(LayerType t) { return t == LayerType::kConv ? "conv" : "gemm"; }

int64_t conv_output_size(int64_t in, int64_t filter, int64_t stride, int64_t pad) {
  return (in + 2 * pad - filter) / stride + 1;
}

golden::GemmShape lower(const ConvShape& conv, int64_t groups) {
  const int64_t e = conv_output_size(conv.h, conv.r, conv.stride, conv.pad);
  const int64_t f = conv_output_size(conv.w, conv.s, conv.stride, conv.pad);
  return {e * f, conv.filters / groups, conv.c / groups * conv.r * conv.s};
}

std::vector<Layer> parse_network(const std::string& text, const std::string& source_name) {
  return parse_rows(csv::parse(text, source_name), source_name);
}

std::vector<Layer> load_network(const std::string& path) {
  return parse_rows(csv::read_file(path, "workload file"), path);
}

nlohmann::json energy_json(const energy::Actions& a, uint64_t macs, bool has_dram,
                           const config::EnergyTable& table) {
  nlohmann::json j =
      energy::to_json(energy::evaluate(a, table), macs,
                      has_dram ? "MACs, register files, buffers, array and the DRAM bytes of the "
                                 "shell's DMA (closed form)"
                               : "on chip only: no data movement to DRAM");
  j["table"] = table.name;
  return j;
}

nlohmann::json to_json(const LayerEstimate& e, const config::EnergyTable* table) {
  nlohmann::json j = {{"name", e.name},
                      {"type", to_string(e.type)},
                      {"M", e.gemm.m},
                      {"N", e.gemm.n},
                      {"K", e.gemm.k},
                      {"groups", e.groups},
                      {"jobs", e.jobs},
                      {"macs", e.macs},
                      {"cycles", e.cycles},
                      {"utilization", e.utilization},
                      {"scalesim_cycles", e.scalesim_cycles},
                      {"scalesim_ratio", e.scalesim_ratio},
                      {"compute_only", !e.has_dram},
                      {"dram_read_bytes", e.dram_read_bytes},
                      {"dram_write_bytes", e.dram_write_bytes},
                      {"memory_cycles", e.memory_cycles},
                      {"cycles_with_dram", e.cycles_with_dram},
                      {"utilization_with_dram", e.utilization_with_dram},
                      {"bound", e.bound}};
  if (table != nullptr) j["energy"] = energy_json(e.actions, e.macs, e.has_dram, *table);
  return j;
}

nlohmann::json to_json(const NetworkEstimate& e, const config::EnergyTable* table) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerEstimate& l : e.layers) layers.push_back(to_json(l, table));
  nlohmann::json j = {
      {"network", e.name},
      {"rows", e.cfg.rows},
      {"cols", e.cfg.cols},
      {"dataflow", config::to_string(e.cfg.dataflow)},
      {"max_m", e.cfg.max_m},
      {"max_n", e.cfg.max_n},
      {"max_k", e.cfg.max_k},
      {"jobs", e.jobs},
      {"macs", e.macs},
      {"cycles", e.cycles},
      {"utilization", e.utilization},
      {"scalesim_cycles", e.scalesim_cycles},
      {"scalesim_ratio", e.scalesim_ratio},
      {"scalesim_note",
       "SCALE-Sim v2 compute cycles of the same dataflow (stall-free, operands in its SRAM)"},
      {"cycles_note", e.has_dram
                          ? "cycles and utilization: compute only; *_with_dram: including data movement"
                          : "compute only: no data movement model for this engine"},
      {"memory",
       {{"bytes_per_cycle", e.memory.bytes_per_cycle},
        {"latency", e.memory.latency},
        {"data_bits", e.memory.data_bits},
        {"max_burst", e.memory.max_burst},
        {"outstanding", e.memory.outstanding},
        {"effective_bytes_per_cycle", e.memory.effective_bytes_per_cycle()}}},
      {"dram_read_bytes", e.dram_read_bytes},
      {"dram_write_bytes", e.dram_write_bytes},
      {"memory_cycles", e.memory_cycles},
      {"cycles_with_dram", e.cycles_with_dram},
      {"utilization_with_dram", e.utilization_with_dram},
      {"layers", std::move(layers)}};
  if (table != nullptr) j["energy"] = energy_json(e.actions, e.macs, e.has_dram, *table);
  return j;
}

std::string format_table(const NetworkEstimate& e, const config::EnergyTable* table) {
  using Cells = std::vector<std::string>;
  const std::string scalesim =
      e.cfg.dataflow == config::Dataflow::kOutputStationary ? "scalesim_os" : "scalesim_ws";
  Cells header = {"layer", "M", "N", "K", "groups", "MACs", "compute", "util%", scalesim, "ratio"};
  if (e.has_dram) header.insert(header.end(), {"DRAM_MB", "with_DRAM", "util%", "bound"});
  if (table != nullptr) header.push_back("pJ/MAC");
  auto energy_cell = [&](Cells& c, const energy::Actions& a, uint64_t macs) {
    if (table == nullptr) return;
    c.push_back(fmt::format("{:.2f}", macs == 0 ? 0.0 : energy::evaluate(a, *table).total() / macs));
  };
  auto dram_cells = [&](Cells& c, uint64_t rd, uint64_t wr, uint64_t cycles, double util,
                        const std::string& bound) {
    if (!e.has_dram) return;
    c.insert(c.end(), {fmt::format("{:.2f}", static_cast<double>(rd + wr) / 1e6), std::to_string(cycles),
                       fmt::format("{:.1f}", 100 * util), bound});
  };
  std::vector<Cells> rows;
  for (const LayerEstimate& l : e.layers) {
    Cells c = {l.name,
               std::to_string(l.gemm.m),
               std::to_string(l.gemm.n),
               std::to_string(l.gemm.k),
               std::to_string(l.groups),
               std::to_string(l.macs),
               std::to_string(l.cycles),
               fmt::format("{:.1f}", 100 * l.utilization),
               std::to_string(l.scalesim_cycles),
               fmt::format("{:.3f}", l.scalesim_ratio)};
    dram_cells(c, l.dram_read_bytes, l.dram_write_bytes, l.cycles_with_dram, l.utilization_with_dram,
               l.bound);
    energy_cell(c, l.actions, l.macs);
    rows.push_back(std::move(c));
  }
  Cells total = {"total",
                 "",
                 "",
                 "",
                 "",
                 std::to_string(e.macs),
                 std::to_string(e.cycles),
                 fmt::format("{:.1f}", 100 * e.utilization),
                 std::to_string(e.scalesim_cycles),
                 fmt::format("{:.3f}", e.scalesim_ratio)};
  dram_cells(total, e.dram_read_bytes, e.dram_write_bytes, e.cycles_with_dram, e.utilization_with_dram,
             e.memory_cycles > e.cycles ? "memory" : "compute");
  energy_cell(total, e.actions, e.macs);

  std::vector<size_t> width(header.size());
  for (const Cells* r : {&header, &total}) {
    for (size_t c = 0; c < r->size(); ++c) width[c] = std::max(width[c], (*r)[c].size());
  }
  for (const Cells& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  // Names left-aligned, numbers right-aligned, two spaces between columns.
  auto format_row = [&](const Cells& r) {
    std::string out = fmt::format("{:<{}}", r[0], width[0]);
    for (size_t c = 1; c < r.size(); ++c) out += fmt::format("  {:>{}}", r[c], width[c]);
    return out + "\n";
  };
  size_t line_width = width[0];
  for (size_t c = 1; c < width.size(); ++c) line_width += 2 + width[c];
  const std::string rule(line_width, '-');

  std::string out = fmt::format("{} on {}x{} {} (job limits M<={}, N<={}, K<={})\n",
                                e.name.empty() ? "network" : e.name, e.cfg.rows, e.cfg.cols,
                                config::to_string(e.cfg.dataflow), e.cfg.max_m, e.cfg.max_n, e.cfg.max_k);
  if (e.has_dram) {
    out += fmt::format(
        "compute, util%: compute only (no data movement); DRAM_MB, with_DRAM, util%: including data "
        "movement\n"
        "through the shell's DMA at {} bytes/cycle (effective {:.1f}), latency {} cycles\n",
        e.memory.bytes_per_cycle, e.memory.effective_bytes_per_cycle(), e.memory.latency);
  } else {
    out += "cycles: compute only (no data movement in this estimate)\n";
  }
  out += format_row(header) + rule + "\n";
  for (const Cells& r : rows) out += format_row(r);
  out += rule + "\n" + format_row(total);
  if (table != nullptr) {
    out += fmt::format("{} ({} table; {})\n", energy::summary(energy::evaluate(e.actions, *table), e.macs),
                       table->name,
                       e.has_dram ? "with the DRAM bytes of the shell's DMA" : "on chip only, no DRAM");
  }
  return out;
}

}  // namespace dnngen::workload
