// bench_shell: whole networks through the systolic shell, with every byte moved by its DMA,
// from the cycle-exact model of dnn_shell_systolic (systolic::layer_cycles; co-simulation holds
// it to the RTL cycle for cycle) against a deterministic AXI memory: the configuration's
// `memory:` latency and bytes per cycle (each way: AXI4 reads and writes run on their own
// channels).
//
// A conv layer runs as one conv2d descriptor: the shell gathers the im2col rows from the
// NHWC ifmap itself (implicit im2col, every window re-read from memory), unless it has
// groups (a group's channels are not packed pixels: it runs as its im2col GEMMs) or
// --host-im2col is given (the im2col matrix A materialised in memory and read as a GEMM
// operand: what a host that lowers the layer first would need). GEMM layers run as gemm
// descriptors. Int8 outputs with bias and per-channel scales, packed tensors. Per layer it
// prints the compute-only
// cycles (the engine's closed form, jobs back to back), the cycles through the shell, the
// DRAM bytes and the roofline max(compute, bytes / bandwidth) + fill + drain, and the totals:
// utilisation with data movement against compute only (issue 12's target: >= 85 %).
//
// On a bit-serial configuration (the bit-serial core in the same shell) each layer runs as its
// im2col GEMM, A in memory with activations drawn as `dnngen bench` draws them from the
// network's precision profile, beside the kernel's compute-only cycles for the same values.
//
// On an EIE configuration it times one spmv layer through dnn_shell_eie instead
// (eie::layer_cycles): a random M x K index matrix at a weight density, in the paper's image
// format, and batches of input vectors at an activation density, so the share of loading
// the image, of moving x and Y, and of computing shows per batch size; or, with --network,
// EIE's benchmark layers at their published sizes, the image loaded and kept on chip.
//
// On a row-stationary configuration each conv layer (one group; the others are alike) runs as
// one conv2d descriptor through dnn_shell_rs (rs::layer_cycles): CHW ifmap rows and KCRS
// filter rows loaded by the DMA into the core's buffers, outputs of the input width with bias
// and per-channel scales, beside the core's compute-only cycles for the same layer
// (rs::estimate, operands on chip). A layer the buffers cannot hold whole is reported with
// the limit it trips (the shell runs no host tiling); GEMM layers as 1x1 convolutions, as
// `dnngen bench` maps them.
//
// Usage: bench_shell CONFIG.yaml WORKLOAD.csv [--latency L] [--bytes-per-cycle B] [--outstanding N]
// [--host-im2col]   (a bit-serial CONFIG: always im2col GEMMs; a row-stationary one takes
//                    [--batch N] instead: N images per descriptor, figures per image)
//        bench_shell EIE_CONFIG.yaml --spmv MxK [--density D] [--act-density A] [--batch N,N,...]
//                    [--latency L] [--bytes-per-cycle B]
//        bench_shell EIE_CONFIG.yaml --network workloads/eie_layers.csv [--batch N] [--latency L]
//                    [--bytes-per-cycle B]    (EIE's layers at their published sizes)
//        bench_shell CONFIG.yaml --rtl-params    (the shell module's -G parameters for the
//                                                  configuration, as the testbench builds take them)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dnngen/bitserial/bench.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/config/energy_table.hpp"
#include "dnngen/eie/bench.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/energy/energy.hpp"
#include "dnngen/row_stationary/shell_run.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"
#include "dnngen/shell/memory_image.hpp"
#include "dnngen/systolic/network_estimate.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen/workload/network.hpp"

namespace {

using namespace dnngen;

// The analytical energy of a network's layers (energy/energy.hpp) with the default table
// ($DNNGEN_ENERGY_TABLE to use another): each layer's pJ per MAC, and the totals by level.
class EnergyTally {
 public:
  EnergyTally() : table_(config::load_energy_table()) {}
  // Adds a layer run `groups` times; returns its pJ per MAC.
  double add(energy::Actions layer, uint64_t groups) {
    layer *= groups;
    const double pj = energy::evaluate(layer, table_).total();
    const uint64_t macs = layer.mac_count();
    all_ += layer;
    return macs == 0 ? 0.0 : pj / static_cast<double>(macs);
  }
  // "energy (45 nm, table): ... (DRAM through the shell's DMA included)", per level; per
  // image when each layer ran `images` of them; with `by_memory` a line per memory too.
  void print(uint64_t images = 1, bool by_memory = false) const {
    energy::Breakdown b = energy::evaluate(all_, table_);
    b *= 1.0 / static_cast<double>(images);
    const uint64_t macs = all_.mac_count() / images;
    std::string levels;
    for (size_t l = 0; l < energy::kLevels; ++l)
      levels += fmt::format(" {} {:.2f}", energy::level_name(static_cast<energy::Level>(l)),
                            b.pj[l] / static_cast<double>(macs));
    fmt::print("energy ({} table; DRAM through the shell's DMA included): {}, pJ/MAC by level:{}\n",
               table_.name, energy::summary(b, macs), levels);
    if (!by_memory) return;
    auto memories = b.memories;
    std::sort(memories.begin(), memories.end(),
              [](const auto& x, const auto& y) { return x.second > y.second; });
    std::string line;
    for (const auto& [name, pj] : memories)
      line += fmt::format("{} {} {:.2f}", line.empty() ? "" : ",", name, pj / static_cast<double>(macs));
    fmt::print("pJ/MAC by memory:{}\n", line);
  }

 private:
  config::EnergyTable table_;
  energy::Actions all_;
};

// The layer's descriptor: int8 in and out, bias, per-channel scales, packed tensors one
// after the other, 4 KiB apart, in a 32-bit address space.
shell::LayerDescriptor layer_descriptor(const workload::Layer& layer, bool host_im2col) {
  shell::LayerDescriptor d;
  d.out_type = "int8";
  d.bias = true;
  d.per_channel = true;
  d.out_shift = 8;
  const golden::GemmShape& g = layer.gemm;
  uint64_t a_bytes = static_cast<uint64_t>(g.m * g.k);
  if (layer.type == workload::LayerType::kConv && layer.groups == 1 && !host_im2col) {
    const workload::ConvShape& c = layer.conv;
    d.op = "conv2d";
    d.in_h = static_cast<uint32_t>(c.h), d.in_w = static_cast<uint32_t>(c.w);
    d.in_c = static_cast<uint32_t>(c.c), d.out_c = static_cast<uint32_t>(c.filters);
    d.r = static_cast<uint32_t>(c.r), d.s = static_cast<uint32_t>(c.s);
    d.stride_y = d.stride_x = static_cast<uint32_t>(c.stride);
    d.pad_y = d.pad_x = static_cast<uint32_t>(c.pad);
    a_bytes = static_cast<uint64_t>(c.h * c.w * c.c);
  } else {
    d.op = "gemm";
    d.m = static_cast<uint32_t>(g.m);
    d.n = static_cast<uint32_t>(g.n);
    d.k = static_cast<uint32_t>(g.k);
  }
  uint64_t at = 0x1000;
  auto place = [&](uint64_t bytes) {
    const uint64_t base = at;
    at = (at + bytes + 0x1FFF) / 0x1000 * 0x1000;
    return base;
  };
  d.a_addr = place(a_bytes);
  d.b_addr = place(static_cast<uint64_t>(g.k * g.n));
  d.bias_addr = place(static_cast<uint64_t>(g.n) * 4);
  d.quant_addr = place(static_cast<uint64_t>(g.n) * 8);
  d.out_addr = place(static_cast<uint64_t>(g.m * g.n));
  return d;
}

// The memory image of an spmv layer: the codebook, the image, N vectors x at the activation
// density, room for Y; each on its own 4 KiB page. Returns the descriptor (int16 or int8
// output with ReLU, packed rows).
shell::LayerDescriptor spmv_memory(const eie::ShellParams& p, const std::vector<uint8_t>& image, uint32_t m,
                                   uint32_t k, uint32_t n, double act_density, std::mt19937_64& rng,
                                   std::vector<uint8_t>& mem) {
  const unsigned ab = eie::act_bytes(p.eie);
  auto page = [](uint64_t a) { return (a + 0xFFF) / 0x1000 * 0x1000; };
  shell::LayerDescriptor d;
  d.op = "spmv";
  d.out_type = ab == 1 ? "int8" : "int16";
  d.relu = true;
  d.m = m, d.k = k, d.n = n;
  d.aux_addr = 0x1000;
  d.b_addr = 0x2000;
  d.a_addr = page(d.b_addr + image.size());
  d.out_addr = page(d.a_addr + uint64_t{n} * k * ab);
  mem.assign(d.out_addr + uint64_t{n} * m * ab, 0);
  std::copy(image.begin(), image.end(), mem.begin() + static_cast<std::ptrdiff_t>(d.b_addr));
  std::bernoulli_distribution act(act_density);
  std::uniform_int_distribution<int64_t> value(-100, 100);
  for (uint64_t i = 0; i < uint64_t{n} * k; ++i)
    shell::store(mem, d.a_addr + i * ab, ab, act(rng) ? value(rng) : 0);
  return d;
}

// --network on an EIE configuration: EIE's benchmark layers (workloads/eie_layers.csv) at
// their published sizes and densities, each one spmv descriptor, the SRAM limits raised to
// the layer (the paper's 128 KB of entries per PE holds every one of them). Per layer: one
// vector loading the image, one vector with the image kept on chip, and the largest batch
// with it kept (per vector); computing is the core's job time, the kernel's compute-only
// figure.
int run_spmv_network(const config::Config& base, const std::string& path,
                     const std::vector<uint32_t>& batches, double bpc) {
  const std::vector<eie::BenchLayer> layers = eie::load_bench_layers(path);
  const uint32_t batch = *std::max_element(batches.begin(), batches.end());
  fmt::print(
      "{} at the published layer sizes ({} PEs), one spmv descriptor per layer; {}-bit AXI4, memory latency "
      "{} "
      "cycles, {} bytes/cycle each way; every byte moved by the shell's DMAs\n",
      path, base.eie.pes, base.memory.data_bits, base.memory.latency, bpc);
  fmt::print("{:>8} {:>12} {:>10} | {:>10} {:>10} {:>8} | {:>9} {:>8} | {:>11} {:>8}\n", "layer", "M x K",
             "image KB", "1 vector", "computing", "share", "kept", "share", fmt::format("{} kept/vec", batch),
             "share");
  for (const eie::BenchLayer& layer : layers) {
    config::Config cfg = base;
    const std::vector<eie::PeImage> pes = eie::synthetic_pe_images(layer, cfg.eie.pes, cfg.eie.index_bits, 1);
    size_t most = 0;
    for (const eie::PeImage& pe : pes) most = std::max(most, pe.entries.size());
    cfg.eie.max_rows = static_cast<unsigned>(std::max<int64_t>(cfg.eie.max_rows, layer.outputs));
    cfg.eie.max_cols = static_cast<unsigned>(std::max<int64_t>(cfg.eie.max_cols, layer.inputs));
    cfg.eie.max_entries = static_cast<unsigned>(std::max<size_t>(cfg.eie.max_entries, most));
    const eie::ShellParams p = eie::shell_params(cfg);
    const std::vector<uint8_t> image = eie::weight_image(p.eie, static_cast<uint64_t>(layer.inputs), pes);
    std::mt19937_64 rng(2);
    const auto m = static_cast<uint32_t>(layer.outputs), k = static_cast<uint32_t>(layer.inputs);
    std::vector<uint8_t> mem;
    auto timed = [&](uint32_t n, bool keep) {
      shell::LayerDescriptor d = spmv_memory(p, image, m, k, n, layer.act_density, rng, mem);
      d.keep_weights = keep;
      if (const uint32_t code = eie::check_layer(p, d, mem, keep ? &d : nullptr))
        throw InputError(fmt::format("{}: the shell refuses the layer (error {})", layer.name, code));
      return eie::layer_cycles(p, d, mem, cfg.memory.latency, bpc);
    };
    const eie::ShellTiming one = timed(1, false), kept = timed(1, true), many = timed(batch, true);
    auto share = [](const eie::ShellTiming& t) { return 100.0 * t.compute / t.cycles; };
    fmt::print("{:>8} {:>12} {:>10.0f} | {:>10} {:>10} {:>7.1f}% | {:>9} {:>7.1f}% | {:>11.0f} {:>7.1f}%\n",
               layer.name, fmt::format("{}x{}", m, k), image.size() / 1024.0, one.cycles, one.compute,
               share(one), kept.cycles, share(kept), static_cast<double>(many.cycles) / batch, share(many));
  }
  return 0;
}

// --spmv on an EIE configuration: one layer, batches of vectors (see the header).
int run_spmv(config::Config cfg, int argc, char** argv) {
  int64_t m = 0, k = 0;
  std::string network;
  bool densities_given = false;
  double density = 0.1, act_density = 0.35;
  std::vector<uint32_t> batches = {1, 8, 64};
  double bpc = cfg.memory.bytes_per_cycle;  // fractional rates too (Eyeriss's link: 2.4)
  for (int i = 2; i < argc; ++i) {
    const std::string opt = argv[i];
    if (i + 1 >= argc) throw InputError(opt + " needs a value");
    const std::string v = argv[++i];
    if (opt == "--spmv") {
      char x = 0;
      std::istringstream in(v);
      if (!(in >> m >> x >> k) || x != 'x' || m < 1 || k < 1 || m > cfg.eie.max_rows || k > cfg.eie.max_cols)
        throw InputError(fmt::format("--spmv {}: expected MxK within the configuration's {}x{}", v,
                                     cfg.eie.max_rows, cfg.eie.max_cols));
    } else if (opt == "--network") {
      network = v;
    } else if (opt == "--density") {
      density = std::stod(v);
      densities_given = true;
    } else if (opt == "--act-density") {
      act_density = std::stod(v);
      densities_given = true;
    } else if (opt == "--batch") {
      batches.clear();
      std::istringstream in(v);
      for (std::string n; std::getline(in, n, ',');) batches.push_back(static_cast<uint32_t>(std::stoul(n)));
    } else if (opt == "--latency") {
      cfg.memory.latency = static_cast<unsigned>(std::stoul(v));
    } else if (opt == "--bytes-per-cycle") {
      bpc = std::stod(v);
    } else {
      throw InputError("unknown option " + opt);
    }
  }
  if (!(bpc > 0)) throw InputError("--bytes-per-cycle must be > 0");
  if (batches.empty() || std::find(batches.begin(), batches.end(), 0u) != batches.end())
    throw InputError("--batch: expected sizes of 1 or more, comma-separated");
  if (!network.empty() && (m != 0 || densities_given))
    throw InputError(
        "--network takes each layer's size and densities from its table: drop --spmv, --density "
        "and --act-density");
  if (!network.empty()) return run_spmv_network(cfg, network, batches, bpc);
  if (m == 0) throw InputError("an EIE configuration takes --spmv MxK or --network FILE.csv");
  if (!(density > 0 && density <= 1 && act_density > 0 && act_density <= 1))
    throw InputError("--density and --act-density must be in (0, 1]");
  const eie::ShellParams p = eie::shell_params(cfg);
  std::mt19937_64 rng(1);
  std::bernoulli_distribution keep(density);
  std::uniform_int_distribution<int64_t> index(1, (int64_t{1} << cfg.eie.index_bits) - 1);
  Tensor w({m, k});
  for (auto& v : w.data) v = keep(rng) ? index(rng) : 0;
  const std::vector<uint8_t> image = eie::weight_image(p.eie, w);
  fmt::print(
      "spmv {}x{} on {} ({} PEs): weight density {}, activation density {}, image {} bytes; {}-bit AXI4, "
      "memory latency {} cycles, {} bytes/cycle each way (every byte moved by the shell's DMAs)\n",
      m, k, cfg.name, p.eie.pes, density, act_density, image.size(), p.data_bits, cfg.memory.latency, bpc);
  fmt::print("{:>10} {:>12} {:>12} {:>12} {:>10} {:>12} {:>12} {:>9}\n", "batch", "cycles", "per vector",
             "computing", "share", "bytes read", "written", "MACs/cyc");
  for (const uint32_t n : batches) {
    std::vector<uint8_t> mem;
    shell::LayerDescriptor d =
        spmv_memory(p, image, static_cast<uint32_t>(m), static_cast<uint32_t>(k), n, act_density, rng, mem);
    // Loading the image, then with it kept on chip from an earlier layer (OP.KEEP_WEIGHTS).
    for (const bool keep : {false, true}) {
      d.keep_weights = keep;
      const eie::ShellTiming t = eie::layer_cycles(p, d, mem, cfg.memory.latency, bpc);
      fmt::print("{:>10} {:>12} {:>12.0f} {:>12} {:>9.1f}% {:>12} {:>12} {:>9.2f}\n",
                 fmt::format("{}{}", n, keep ? " kept" : ""), t.cycles, static_cast<double>(t.cycles) / n,
                 t.compute, 100.0 * t.compute / t.cycles, t.bytes_read, t.bytes_written,
                 static_cast<double>(t.useful_macs) / t.cycles);
    }
  }
  return 0;
}

// Bit-serial: each layer as its im2col GEMM (one group; the others are alike) through the
// shell, A in memory with activations drawn as `dnngen bench` draws them from the network's
// precision profile, at that precision (PRECISION.BITS), int8/int16 outputs; against the
// same activations as one job on the kernel (compute only, operands on chip).
int run_bitserial(const config::Config& cfg, const std::string& network) {
  const systolic::ShellParams p = systolic::shell_params(cfg);
  const auto& b = cfg.bitserial;
  std::string profile_path;
  const auto profile = bitserial::network_profile(network, &profile_path);
  const unsigned in_b = p.in_bits / 8, w_b = p.w_bits / 8;
  fmt::print(
      "{} on {}: {} {}x{} tile, {} lanes, jobs up to {}x{}x{}, {}-bit AXI4, bursts of {}, {} in flight, "
      "memory latency {} cycles, {} bytes/cycle each way; activations synthetic from {}\n",
      network, cfg.name, config::to_string(b.mode), p.rows, p.cols, p.lanes, p.max_m, p.max_n, p.max_k,
      p.data_bits, p.max_burst, p.outstanding, cfg.memory.latency, cfg.memory.bytes_per_cycle,
      profile_path.empty() ? "input_bits (no profile)" : profile_path);
  fmt::print("{:<10} {:>20} {:>4} {:>12} {:>12} {:>7} {:>12} {:>7} {:>7}\n", "layer", "GEMM MxNxK (groups)",
             "p", "kernel", "shell", "ratio", "DRAM bytes", "wait", "pJ/MAC");
  std::mt19937_64 rng(1);
  uint64_t kernel = 0, shell = 0, bytes = 0, seed = 1;
  EnergyTally energy;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& layer : workload::load_network(network)) {
    const auto m = static_cast<int64_t>(layer.gemm.m), n = static_cast<int64_t>(layer.gemm.n),
               k = static_cast<int64_t>(layer.gemm.k);
    const bitserial::LayerProfile prof = bitserial::layer_profile(b, profile, layer.name);
    const bitserial::Precision prec{false, prof.precision};
    const Tensor a = bitserial::synthetic_activations(b, m, k, prof, ++seed);
    const uint64_t compute = bitserial::job_timing(b, {m, n, k}, a, prec).cycles;
    shell::LayerDescriptor d;
    d.op = "gemm";
    d.m = static_cast<uint32_t>(m), d.n = static_cast<uint32_t>(n), d.k = static_cast<uint32_t>(k);
    d.precision = prof.precision;
    d.out_type = in_b == 1 ? "int8" : "int16";
    d.out_mult = 1, d.out_shift = 8;
    auto page = [](uint64_t bytes) { return (bytes + 0xFFF) / 0x1000 * 0x1000; };
    d.a_addr = 0x1000;
    d.b_addr = d.a_addr + page(uint64_t(m * k) * in_b);
    d.out_addr = d.b_addr + page(uint64_t(k * n) * w_b);
    std::vector<uint8_t> memory(d.out_addr + page(uint64_t(m * n) * in_b), 0);
    for (int64_t i = 0; i < m * k; ++i)
      shell::store(memory, d.a_addr + uint64_t(i) * in_b, in_b, a.data[size_t(i)]);
    std::uniform_int_distribution<int64_t> weight(-(int64_t{1} << (p.w_bits - 1)),
                                                  (int64_t{1} << (p.w_bits - 1)) - 1);
    for (int64_t i = 0; i < k * n; ++i) shell::store(memory, d.b_addr + uint64_t(i) * w_b, w_b, weight(rng));
    const systolic::LayerTiming t =
        systolic::layer_cycles(p, d, memory, cfg.memory.latency, cfg.memory.bytes_per_cycle);
    const auto g = static_cast<uint64_t>(layer.groups);
    kernel += g * compute, shell += g * t.cycles, bytes += g * (t.bytes_read + t.bytes_written);
    fmt::print(
        "{:<10} {:>20} {:>4} {:>12} {:>12} {:>7.3f} {:>12} {:>6.1f}% {:>7.2f}\n", layer.name,
        fmt::format("{}x{}x{} ({})", m, n, k, layer.groups), prof.precision, g * compute, g * t.cycles,
        static_cast<double>(t.cycles) / static_cast<double>(compute), g * (t.bytes_read + t.bytes_written),
        100.0 * static_cast<double>(t.mem_wait) / static_cast<double>(t.cycles), energy.add(t.actions, g));
  }
  fmt::print(
      "total: kernel (compute only, one job a layer) {} cycles; through the shell with DRAM {} cycles "
      "({:.3f}x), {:.1f} MB moved; model time {:.2f} s\n",
      kernel, shell, static_cast<double>(shell) / static_cast<double>(kernel), bytes / 1e6,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  energy.print();
  return 0;
}

// Row-stationary: each layer as one conv2d descriptor through dnn_shell_rs (see the header).
int run_rs(config::Config cfg, int argc, char** argv) {
  // Fractional rates too (Eyeriss's link: 2.4); by default the `memory:` section's, at most the bus.
  double bpc = cfg.memory.bus_bytes_per_cycle();
  uint64_t batch = 1;  // images per descriptor (N): the weights read once for them all
  for (int i = 3; i < argc; ++i) {
    const std::string opt = argv[i];
    if (i + 1 >= argc) throw InputError(opt + " needs a value");
    const std::string v = argv[++i];
    if (opt == "--latency")
      cfg.memory.latency = static_cast<unsigned>(std::stoul(v));
    else if (opt == "--bytes-per-cycle")
      bpc = std::stod(v);
    else if (opt == "--batch")
      batch = std::stoull(v);
    else
      throw InputError("unknown option " + opt +
                       " (a row-stationary configuration takes --latency, --bytes-per-cycle and "
                       "--batch)");
  }
  if (batch < 1 || batch > 64) throw InputError(fmt::format("--batch {}: expected 1..64 images", batch));
  const rs::ShellParams p = rs::shell_params(cfg);
  if (!(bpc > 0) || bpc > p.data_bits / 8.0)
    throw InputError(fmt::format("--bytes-per-cycle {}: expected more than 0 and at most the bus's {} bytes",
                                 bpc, p.data_bits / 8));
  const std::string network = argv[2];
  const auto& c = p.rs;
  const unsigned ib = c.input_bits / 8, wb = c.weight_bits / 8;
  fmt::print(
      "{} on {}: {}x{} row-stationary, {}-bit operands, one conv2d descriptor per layer (one group; CHW / "
      "KCRS) of {} image(s), int{} outputs with bias and per-channel scales; {}-bit AXI4, bursts of {}, {} "
      "in flight, memory latency {} cycles, {:g} bytes/cycle each way; figures per image\n",
      network, cfg.name, c.rows, c.cols, c.input_bits, batch, 8 * ib, p.data_bits, p.max_burst, p.outstanding,
      cfg.memory.latency, bpc);
  // What the chip holds (Eyeriss: a 108 KB global buffer; 224 + 12 + 24 16-bit scratchpad
  // entries a PE, 168 PEs: 85 KB).
  int64_t buffer_bytes = 0, pe_bytes = 0;
  for (const rs::Memory& m : rs::shell_memories(p))
    (m.level == energy::Level::kBuffer ? buffer_bytes : pe_bytes) += m.bytes * m.instances;
  fmt::print(
      "on chip: buffers {:.1f} KB ({}: the shell's and the core's), PE scratchpads and registers {:.1f} KB\n",
      buffer_bytes / 1024.0, c.ring_buffers ? "ifmap and filter rings" : "whole ifmap and filter buffers",
      pe_bytes / 1024.0);
  fmt::print("{:<10} {:>28} {:>12} {:>12} {:>7} {:>12} {:>11} {:>6} {:>10} {:>7}\n", "layer",
             "CxHxW KxRxS /stride pad (g)", "core only", "shell", "ratio", "bytes read", "written", "wait",
             "stalls", "pJ/MAC");
  uint64_t core = 0, shell = 0, read = 0, written = 0, macs = 0;
  EnergyTally energy;
  size_t fit = 0, layers = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& layer : workload::load_network(network)) {
    ++layers;
    rs::ConvJob j;
    if (layer.type == workload::LayerType::kConv) {
      const auto& cv = layer.conv;
      j = {cv.c / layer.groups, cv.h, cv.w, cv.filters / layer.groups, cv.r, cv.s, cv.stride, cv.pad};
    } else {  // C[M,N] = A[M,K] B[K,N] as a 1x1 convolution: H = M, W = 1, C = K, filters = N
      j = {layer.gemm.k, layer.gemm.m, 1, layer.gemm.n, 1, 1, 1, 0};
    }
    const std::string shape = fmt::format("{}x{}x{} {}x{}x{} /{} {} ({})", j.c, j.h, j.w, j.k, j.r, j.s,
                                          j.stride, j.pad, layer.groups);
    shell::LayerDescriptor d = rs::conv2d_descriptor(j);
    d.n = batch == 1 ? 0 : static_cast<uint32_t>(batch);
    d.out_type = ib == 1 ? "int8" : "int16";
    d.bias = true;
    d.per_channel = true;
    d.out_shift = 8;
    uint64_t at = 0x1000;
    auto place = [&](uint64_t bytes) {
      const uint64_t base = at;
      at = (at + bytes + 0x1FFF) / 0x1000 * 0x1000;
      return base;
    };
    const auto e = static_cast<uint64_t>((j.h + 2 * j.pad - j.r) / j.stride + 1),
               f = static_cast<uint64_t>((j.w + 2 * j.pad - j.s) / j.stride + 1);
    d.a_addr = place(batch * static_cast<uint64_t>(j.c * j.h * j.w) * ib);
    d.b_addr = place(static_cast<uint64_t>(j.k * j.c * j.r * j.s) * wb);
    d.bias_addr = place(static_cast<uint64_t>(j.k) * 4);
    d.quant_addr = place(static_cast<uint64_t>(j.k) * 8);
    d.out_addr = place(batch * static_cast<uint64_t>(j.k) * e * f * ib);
    if (const std::string why = rs::refusal(p, d); !why.empty()) {
      fmt::print("{:<10} {:>28} does not fit: {}\n", layer.name, shape, why);
      continue;
    }
    ++fit;
    rs::ShellTiming t = rs::layer_cycles(p, d, cfg.memory.latency, bpc);
    const uint64_t compute = rs::estimate(c, j).cycles;
    const auto g = static_cast<uint64_t>(layer.groups);
    const double pj_per_mac = energy.add(t.actions, g);
    for (uint64_t* per_image : {&t.cycles, &t.bytes_read, &t.bytes_written, &t.mem_wait, &t.stalls, &t.macs})
      *per_image = (*per_image + batch / 2) / batch;  // the descriptor's, per image (rounded)
    fmt::print("{:<10} {:>28} {:>12} {:>12} {:>7.3f} {:>12} {:>11} {:>5.1f}% {:>10} {:>7.2f}\n", layer.name,
               shape, g * compute, g * t.cycles, static_cast<double>(t.cycles) / static_cast<double>(compute),
               g * t.bytes_read, g * t.bytes_written,
               100.0 * static_cast<double>(t.mem_wait) / static_cast<double>(t.cycles), g * t.stalls,
               pj_per_mac);
    core += g * compute, shell += g * t.cycles, read += g * t.bytes_read, written += g * t.bytes_written;
    macs += g * t.macs;
  }
  const double pes = static_cast<double>(c.rows) * c.cols;
  const auto util = [&](uint64_t cycles) {
    return cycles == 0 ? 0.0 : 100.0 * static_cast<double>(macs) / (static_cast<double>(cycles) * pes);
  };
  fmt::print(
      "total ({} of {} layers fit): {} MACs; core alone (compute only, operands on chip) {} cycles ({:.1f} % "
      "utilisation); through the shell with all DRAM traffic {} cycles ({:.1f} %, {:.3f}x); {:.2f} MB read, "
      "{:.2f} MB written; model time {:.2f} s\n",
      fit, layers, macs, core, util(core), shell, util(shell),
      core == 0 ? 0.0 : static_cast<double>(shell) / static_cast<double>(core), read / 1e6, written / 1e6,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  energy.print(batch, /*by_memory=*/true);
  return 0;
}

int run(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(
        stderr,
        "usage: bench_shell CONFIG.yaml WORKLOAD.csv [--latency L] [--bytes-per-cycle B] "
        "[--outstanding N] [--host-im2col]   (row stationary: [--batch N] for the last two)\n"
        "       bench_shell EIE_CONFIG.yaml --spmv MxK [--density D] [--act-density A] [--batch N,...] "
        "[--latency L] [--bytes-per-cycle B]\n"
        "       bench_shell EIE_CONFIG.yaml --network EIE_LAYERS.csv [--batch N] [--latency L] "
        "[--bytes-per-cycle B]\n"
        "       bench_shell CONFIG.yaml --rtl-params\n");
    return 2;
  }
  config::Config cfg = config::load_config(argv[1]);
  if (!config::has_shell(cfg))
    throw InputError("the " + cfg.engine + " engine has no shell yet (docs/shell.md)");
  if (std::string(argv[2]) == "--rtl-params") {
    std::string line;
    for (const auto& [name, value] : config::shell_rtl_parameters(cfg))
      line += fmt::format(" -G{}={}", name, value);
    fmt::print("{}\n", line.substr(1));
    return 0;
  }
  if (cfg.engine == "eie") return run_spmv(cfg, argc, argv);
  if (cfg.systolic.row_stationary()) return run_rs(cfg, argc, argv);
  bool host_im2col = false;
  for (int i = 3; i < argc; ++i) {
    const std::string opt = argv[i];
    if (opt == "--host-im2col") {
      host_im2col = true;
      continue;
    }
    if (i + 1 >= argc) throw InputError(opt + " needs a value");
    if (opt == "--latency")
      cfg.memory.latency = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (opt == "--bytes-per-cycle")
      cfg.memory.bytes_per_cycle = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (opt == "--outstanding")
      cfg.memory.outstanding = static_cast<unsigned>(std::stoul(argv[++i]));
    else
      throw InputError("unknown option " + opt);
  }
  if (cfg.engine == "bitserial") return run_bitserial(cfg, argv[2]);
  const systolic::ShellParams p = systolic::shell_params(cfg);
  const auto layers = workload::load_network(argv[2]);
  const double bw = cfg.memory.bytes_per_cycle;

  fmt::print(
      "{} on {}: {}x{} {}, jobs up to {}x{}x{}, {}-bit AXI4, bursts of {}, {} in flight, "
      "memory latency {} cycles, {} bytes/cycle each way; conv layers {}\n",
      argv[2], cfg.name, p.rows, p.cols, p.dataflow == config::Dataflow::kOutputStationary ? "OS" : "WS",
      p.max_m, p.max_n, p.max_k, p.data_bits, p.max_burst, p.outstanding, cfg.memory.latency,
      cfg.memory.bytes_per_cycle,
      host_im2col ? "as im2col GEMMs lowered on the host (A in memory)" : "by implicit im2col in the shell");
  fmt::print("{:<14} {:>20} {:>12} {:>12} {:>7} {:>12} {:>12} {:>7} {:>7} {:>7}\n", "layer",
             "GEMM MxNxK (groups)", "compute", "shell", "ratio", "DRAM bytes", "roofline", "/roof", "util",
             "pJ/MAC");
  uint64_t macs = 0, compute = 0, total = 0, bytes = 0, roof_total = 0;
  EnergyTally energy;
  unsigned within = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& layer : layers) {
    const workload::LayerEstimate e = systolic::estimate_layer(cfg.systolic, layer, nullptr);
    const systolic::LayerTiming t =
        systolic::layer_cycles(p, layer_descriptor(layer, host_im2col), {}, cfg.memory.latency, bw);
    const auto g = static_cast<uint64_t>(layer.groups);
    const uint64_t layer_bytes = g * (t.bytes_read + t.bytes_written);
    // Roofline: the larger of compute and the bytes at the bandwidth (reads and writes on
    // their own channels), plus the fill (a latency and the first job's operands: nothing
    // computes before them) and the drain (a latency and the last output tile: it is
    // written after the last compute). A layer runs alone: no overlap with the next one.
    const auto mj = std::min<uint64_t>(layer.gemm.m, p.max_m), nj = std::min<uint64_t>(layer.gemm.n, p.max_n),
               kj = std::min<uint64_t>(layer.gemm.k, p.max_k);
    const uint64_t last_m = (layer.gemm.m - 1) % p.max_m + 1, last_n = (layer.gemm.n - 1) % p.max_n + 1;
    const double fill = cfg.memory.latency + static_cast<double>(mj * kj + kj * nj) / bw;
    const double drain = cfg.memory.latency + static_cast<double>(last_m * last_n) / bw;
    const uint64_t roof = g * static_cast<uint64_t>(std::max({static_cast<double>(e.cycles / g),
                                                              t.bytes_read / bw, t.bytes_written / bw}) +
                                                    fill + drain);
    const double ratio = static_cast<double>(g * t.cycles) / static_cast<double>(e.cycles);
    const double over_roof = static_cast<double>(g * t.cycles) / static_cast<double>(roof);
    within += over_roof <= 1.05 ? 1 : 0;
    fmt::print("{:<14} {:>20} {:>12} {:>12} {:>7.3f} {:>12} {:>12} {:>7.3f} {:>6.1f}% {:>7.2f}\n", layer.name,
               fmt::format("{}x{}x{} ({})", layer.gemm.m, layer.gemm.n, layer.gemm.k, layer.groups), e.cycles,
               g * t.cycles, ratio, layer_bytes, roof, over_roof,
               100.0 * static_cast<double>(e.macs) / (static_cast<double>(g * t.cycles) * p.rows * p.cols),
               energy.add(t.actions, g));
    macs += e.macs;
    compute += e.cycles;
    total += g * t.cycles;
    bytes += layer_bytes;
    roof_total += roof;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double u_compute = static_cast<double>(macs) / (static_cast<double>(compute) * p.rows * p.cols);
  const double u_shell = static_cast<double>(macs) / (static_cast<double>(total) * p.rows * p.cols);
  fmt::print(
      "total: {} MACs; compute only {} cycles ({:.1f} % utilisation); through the shell with DRAM {} cycles "
      "({:.1f} %), {:.1f} % of compute-only utilisation; {:.1f} MB moved; {} of {} layers within 5 % of "
      "their roofline (network {:.3f} x roofline); model time {:.2f} s\n",
      macs, compute, 100 * u_compute, total, 100 * u_shell, 100 * u_shell / u_compute, bytes / 1e6, within,
      layers.size(), static_cast<double>(total) / static_cast<double>(roof_total), seconds);
  energy.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const dnngen::InputError& e) {
    fmt::print(stderr, "bench_shell: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_shell: {}\n", e.what());
    return 1;
  }
}
