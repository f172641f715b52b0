#include "dnngen/eie/job.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/common/strings.hpp"
#include "dnngen/eie/spmv.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::eie {
namespace {

Tensor read_tensor(const std::string& name, const std::string& path, size_t rank) {
  io::NpyArray arr = io::read_npy(path);
  if (arr.tensor.shape.size() != rank)
    throw InputError(fmt::format("tensor {} ({}): expected a {}-D array, got shape {}", name, path, rank,
                                 shape_string(arr.tensor.shape)));
  return std::move(arr.tensor);
}

}  // namespace

void check_chain(const config::EieConfig& cfg, const Chain& chain) {
  if (chain.layers.empty()) throw InputError("spmv: no layer given");
  const int64_t cb_max = int64_t{1} << cfg.index_bits;
  uint64_t pointers = 0;
  std::vector<uint64_t> entries(cfg.pes, 0);
  for (size_t l = 0; l < chain.layers.size(); ++l) {
    const Layer& layer = chain.layers[l];
    const std::string tag = chain.layers.size() > 1 ? fmt::format(" (layer {})", l) : "";
    const auto& cb = layer.codebook;
    if (cb.empty() || static_cast<int64_t>(cb.size()) > cb_max)
      throw InputError(
          fmt::format("codebook{}: {} entries, expected 1 to 2^index_bits = {}", tag, cb.size(), cb_max));
    if (cb[0] != 0)
      throw InputError(fmt::format(
          "codebook{}: entry 0 is {}, expected 0 (index 0 marks pruned weights and padding)", tag, cb[0]));
    for (size_t i = 0; i < cb.size(); ++i)
      if (!numerics::fits(cb[i], kCodebookBits, true))
        throw InputError(fmt::format("codebook{}: entry {} = {} does not fit int16", tag, i, cb[i]));
    const Tensor& w = layer.w_idx;
    const int64_t m = w.shape[0], n = w.shape[1];
    if (m < 1 || n < 1)
      throw InputError(fmt::format("w_idx{}: shape {} is empty", tag, shape_string(w.shape)));
    if (m > cfg.max_rows || n > cfg.max_cols)
      throw InputError(
          fmt::format("w_idx{}: shape {} does not fit the configured SRAMs (max_rows {}, max_cols {})", tag,
                      shape_string(w.shape), cfg.max_rows, cfg.max_cols));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const int64_t v = w.at(i, j);
        if (v < 0 || v >= static_cast<int64_t>(cb.size()))
          throw InputError(fmt::format("w_idx{}[{}, {}] = {}: index out of codebook range 0..{}", tag, i, j,
                                       v, cb.size() - 1));
      }
    const int64_t expect_n =
        l == 0 ? static_cast<int64_t>(chain.x.size()) : chain.layers[l - 1].w_idx.shape[0];
    if (n != expect_n)
      throw InputError(l == 0 ? fmt::format("x: {} elements, expected N = {} (the columns of w_idx {})",
                                            chain.x.size(), n, shape_string(w.shape))
                              : fmt::format("w_idx{}: {} columns, expected {} (the rows of layer {})", tag, n,
                                            expect_n, l - 1));
    pointers += static_cast<uint64_t>(n) + 1;
    const auto images = encode_layer(w, cfg.pes);
    for (unsigned p = 0; p < cfg.pes; ++p) entries[p] += images[p].entries.size();
  }
  for (size_t j = 0; j < chain.x.size(); ++j)
    if (!numerics::fits(chain.x[j], cfg.act_bits, true))
      throw InputError(fmt::format("x[{}] = {} does not fit int{} (act_bits)", j, chain.x[j], cfg.act_bits));
  if (pointers > static_cast<uint64_t>(cfg.max_cols) + 1)
    throw InputError(
        fmt::format("spmv: the chain needs {} column pointers per PE (sum of N + 1), the pointer SRAM "
                    "holds max_cols + 1 = {}",
                    pointers, cfg.max_cols + 1));
  const auto most = std::max_element(entries.begin(), entries.end());
  if (*most > cfg.max_entries)
    throw InputError(
        fmt::format("w_idx: PE {} needs {} entries (padding included), the sparse-matrix SRAM holds "
                    "max_entries = {}: the matrix does not fit the configured SRAMs",
                    most - entries.begin(), *most, cfg.max_entries));
}

std::vector<Layer> read_layers(const cli::JobOptions& opts) {
  const auto cb_paths = strings::split(opts.inputs.at("codebook"), ',');
  const auto w_paths = strings::split(opts.inputs.at("w_idx"), ',');
  if (cb_paths.size() != 1 && cb_paths.size() != w_paths.size())
    throw InputError(fmt::format("--in codebook: {} files for {} layers, expected 1 or {}", cb_paths.size(),
                                 w_paths.size(), w_paths.size()));
  std::vector<std::vector<int64_t>> codebooks;
  for (const auto& p : cb_paths) codebooks.push_back(read_tensor("codebook", p, 1).data);
  std::vector<Layer> layers;
  for (size_t l = 0; l < w_paths.size(); ++l)
    layers.push_back({codebooks[cb_paths.size() == 1 ? 0 : l], read_tensor("w_idx", w_paths[l], 2)});
  return layers;
}

Chain load_chain(const config::EieConfig& cfg, const cli::JobOptions& opts) {
  Chain chain;
  chain.label = "spmv " + opts.inputs.at("w_idx");
  chain.layers = read_layers(opts);
  chain.x = read_tensor("x", opts.inputs.at("x"), 1).data;
  check_chain(cfg, chain);
  return chain;
}

Program build_program(const config::EieConfig& cfg, const Chain& chain) {
  Program prog;
  uint32_t ptr_base = 0;
  std::vector<uint32_t> entry_base(cfg.pes, 0);
  for (const Layer& layer : chain.layers) {
    LayerProgram lp;
    lp.rows = layer.w_idx.shape[0];
    lp.cols = layer.w_idx.shape[1];
    lp.ptr_base = ptr_base;
    for (size_t i = 0; i < (size_t{1} << cfg.index_bits); ++i)
      lp.codebook.push_back(
          {0, 0, static_cast<uint32_t>(i),
           static_cast<uint32_t>(i < layer.codebook.size() ? layer.codebook[i] : 0) & 0xffffu});
    const auto images = encode_layer(layer.w_idx, cfg.pes);
    for (unsigned p = 0; p < cfg.pes; ++p) {
      const PeImage& mine = images[p];
      for (size_t k = 0; k < mine.pointers.size(); ++k)
        prog.image.push_back({1, p, ptr_base + static_cast<uint32_t>(k), entry_base[p] + mine.pointers[k]});
      for (size_t e = 0; e < mine.entries.size(); ++e)
        prog.image.push_back({2, p, entry_base[p] + static_cast<uint32_t>(e),
                              (mine.entries[e].v << kZBits) | mine.entries[e].z});
      entry_base[p] += static_cast<uint32_t>(mine.entries.size());
    }
    ptr_base += static_cast<uint32_t>(lp.cols) + 1;
    prog.layers.push_back(std::move(lp));
  }
  for (size_t j = 0; j < chain.x.size(); ++j)
    prog.image.push_back({3, static_cast<uint32_t>(j % cfg.pes), static_cast<uint32_t>(j / cfg.pes),
                          static_cast<uint32_t>(numerics::to_field(chain.x[j], cfg.act_bits))});
  return prog;
}

LayerWork layer_work(const config::EieConfig& cfg, const Tensor& w_idx, const std::vector<int64_t>& x) {
  LayerWork work;
  work.rows = w_idx.shape[0];
  work.cols = w_idx.shape[1];
  const auto images = encode_layer(w_idx, cfg.pes);
  for (int64_t j = 0; j < work.cols; ++j) {
    if (x[static_cast<size_t>(j)] == 0) continue;
    work.nz_cols.push_back(j);
    std::vector<uint32_t> counts(cfg.pes);
    for (unsigned p = 0; p < cfg.pes; ++p)
      counts[p] = images[p].pointers[static_cast<size_t>(j) + 1] - images[p].pointers[static_cast<size_t>(j)];
    work.entries.push_back(std::move(counts));
    for (int64_t i = 0; i < work.rows; ++i) work.useful_macs += w_idx.at(i, j) != 0;
  }
  return work;
}

uint64_t ChainResult::cycles() const {
  uint64_t c = 0;
  for (const auto& t : timing) c += t.cycles;
  return c;
}

uint64_t ChainResult::useful_macs() const {
  uint64_t c = 0;
  for (const auto& t : timing) c += t.useful_macs;
  return c;
}

ChainResult run_chain(const config::EieConfig& cfg, const Chain& chain) {
  ChainResult r;
  std::vector<int64_t> x = chain.x;
  for (const Layer& layer : chain.layers) {
    r.timing.push_back(simulate_layer(cfg, layer_work(cfg, layer.w_idx, x)));
    x = spmv(cfg, layer.codebook, layer.w_idx, x);
    r.outputs.push_back(x);
  }
  return r;
}

Chain random_chain(const config::EieConfig& cfg, uint64_t seed, uint64_t index) {
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + index);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto real = [&]() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); };
  const double densities[] = {0.01, 0.03, 0.1, 0.25, 0.5, 0.8, 1.0};
  const double act_densities[] = {0.0, 0.1, 0.35, 0.6, 1.0};
  // Every eighth chain is one layer at the limits the others rarely reach: every column and
  // row, a full codebook, every activation non-zero (the LNZD's last group full).
  const bool limits = index % 8 == 5;
  // And every eighth, offset, is three layers whose last reads a source file that still
  // holds the input x past its own columns (layer 2 writes fewer rows, not a multiple of the
  // PEs, over a dense x): the scanner must stop at the layer's last column.
  const bool stale = index % 8 == 1;
  // And every eighth, offset again, has every column count a multiple of the PEs (the last
  // group ends exactly on the layer's last column) and a zero input: the PEs stay idle, so
  // the job's cycles are the scanner's groups, one each, and a scanner that loads one group
  // too many (or stops one early) shows in the cycle count.
  const bool group_end = index % 8 == 3;
  for (int attempt = 0;; ++attempt) {
    Chain c;
    const bool at_limits = limits && attempt < 3;
    const bool stale_tail = stale && attempt < 3;
    const int layers = stale_tail ? 3 : index % 4 == 3 ? static_cast<int>(uni(2, 3)) : 1;
    // A chain's pointers share the pointer SRAM: sum of (N + 1) <= max_cols + 1.
    const int64_t col_cap = std::max<int64_t>(1, (cfg.max_cols + 1) / layers - 1);
    int64_t n = uni(1, col_cap);
    int64_t cb_size = uni(2, int64_t{1} << cfg.index_bits);
    if (at_limits) n = col_cap, cb_size = int64_t{1} << cfg.index_bits;
    if (stale_tail) n = col_cap;
    // The largest multiple of the PEs not above v (v itself when smaller than one group).
    auto whole_groups = [&](int64_t v) {
      const auto pes = static_cast<int64_t>(cfg.pes);
      return v >= pes ? v - v % pes : v;
    };
    if (group_end) n = whole_groups(n);
    const bool big_values = real() < 0.3;  // drive the accumulator into saturation
    std::vector<int64_t> dims;
    for (int l = 0; l < layers; ++l) {
      Layer layer;
      layer.codebook.push_back(0);
      const int64_t span = big_values ? 32767 : (int64_t{1} << std::min(cfg.frac_bits + 1, 15u));
      for (int64_t i = 1; i < cb_size; ++i) layer.codebook.push_back(uni(-span, span));
      int64_t m = uni(1, l + 1 < layers ? std::min<int64_t>(cfg.max_rows, col_cap) : cfg.max_rows);
      if (at_limits) m = cfg.max_rows;
      if (group_end) m = whole_groups(m);
      if (stale_tail && l == 1) {  // fewer rows than x has entries, ending mid-group
        m = std::max<int64_t>(1, col_cap / 2);
        if (m % cfg.pes == 0 && m > 1) --m;
      }
      const double d = attempt > 3 ? 0.01 : densities[uni(0, 6)];
      layer.w_idx = Tensor({m, n});
      const int64_t zero_col = uni(0, n - 1);  // at least one all-zero column
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          layer.w_idx.at(i, j) = (j != zero_col && real() < d) ? uni(1, cb_size - 1) : 0;
      c.layers.push_back(std::move(layer));
      n = m;
    }
    const double ad = at_limits || stale_tail ? 1.0 : group_end ? 0.0 : act_densities[uni(0, 4)];
    const int64_t n0 = c.layers[0].w_idx.shape[1];
    const int64_t xmax =
        big_values ? numerics::max_value(cfg.act_bits, true) : (int64_t{1} << cfg.frac_bits) * 2;
    for (int64_t j = 0; j < n0; ++j) c.x.push_back(real() < ad ? uni(-xmax, xmax) : 0);
    c.label = fmt::format("random seed {} #{}: {} layer(s), {}x{}, act density {:.2f}", seed, index,
                          c.layers.size(), c.layers[0].w_idx.shape[0], n0, ad);
    try {
      check_chain(cfg, c);
      return c;
    } catch (const InputError&) {
      if (attempt > 50) throw;  // too small a config for even 1 % density
    }
  }
}

}  // namespace dnngen::eie
