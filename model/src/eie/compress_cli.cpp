// `dnngen compress CONFIG --in weights=W.npy --param density=D [--seed S]
//     --out codebook=C.npy --out w_idx=I.npy [--sram-dir DIR] [--json R]`
// Dense float weights [M, N] (outputs x inputs) -> pruned, weight-shared EIE operands
// for the configuration's index_bits / frac_bits, checked to fit its SRAMs; with
// --sram-dir also each PE's SRAM images (pe<P>_pointers.npy, pe<P>_entries.npy with
// entry = v << 4 | z, and the same as .hex, one word a line, for $readmemh).
#include "dnngen/eie/compress_cli.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "dnngen/cli/command_line.hpp"
#include "dnngen/cli/job_options.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/common/output_dir.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/eie/compress.hpp"
#include "dnngen/eie/encode.hpp"
#include "dnngen/eie/job.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::eie {
namespace fs = std::filesystem;
namespace {

// One word a line, for $readmemh.
std::string hex_text(const std::vector<uint32_t>& words) {
  std::string text;
  for (uint32_t w : words) text += fmt::format("{:x}\n", w);
  return text;
}

}  // namespace

int compress_command(const config::Config& cfg, const CompressOptions& opts) {
  if (cfg.engine != "eie")
    throw InputError("dnngen compress: " + cfg.source_path + " is engine " + cfg.engine + ", expected eie");
  std::string weights_path, codebook_path, idx_path, density_text;
  for (const auto& text : opts.in) {
    const auto [name, path] = cli::split_binding("--in", text);
    if (name != "weights") throw InputError("--in " + name + ": compress reads --in weights=W.npy");
    weights_path = path;
  }
  for (const auto& text : opts.out) {
    const auto [name, path] = cli::split_binding("--out", text);
    if (name == "codebook")
      codebook_path = path;
    else if (name == "w_idx")
      idx_path = path;
    else
      throw InputError("--out " + name + ": compress writes codebook and w_idx");
  }
  for (const auto& text : opts.param) {
    const auto [name, value] = cli::split_binding("--param", text);
    if (name != "density") throw InputError("--param " + name + ": compress takes density=D");
    density_text = value;
  }
  // std::stoull accepts "-1" (as 2^64 - 1) and trailing text: check both.
  const std::string& v = opts.seed;
  uint64_t seed = 0;
  size_t used = 0;
  try {
    if (v.empty() || v[0] == '-') throw std::invalid_argument(v);
    seed = std::stoull(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size()) throw InputError("--seed " + v + ": expected a non-negative integer");
  const std::string& sram_dir = opts.sram_dir;
  const std::string& json_path = opts.json_path;
  if (weights_path.empty()) throw InputError("dnngen compress: missing --in weights=W.npy");
  if (density_text.empty()) throw InputError("dnngen compress: missing --param density=D|keep");
  if (codebook_path.empty() || idx_path.empty())
    throw InputError("dnngen compress: missing --out codebook=C.npy and --out w_idx=I.npy");
  // density=keep: the weights are pruned (and perhaps weight-shared) already.
  const bool keep = density_text == "keep";
  double density = 0;
  try {
    size_t used = 0;
    if (!keep) density = std::stod(density_text, &used);
    if (!keep && used != density_text.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw InputError("--param density=" + density_text + ": expected a number in (0, 1], or keep");
  }
  if (!keep && !(density > 0.0 && density <= 1.0))
    throw InputError("--param density=" + density_text + ": expected a density in (0, 1], or keep");
  cli::check_output_path(codebook_path, "--out codebook");
  cli::check_output_path(idx_path, "--out w_idx");
  if (!json_path.empty()) cli::check_output_path(json_path, "--json");
  if (!sram_dir.empty() && fs::exists(sram_dir) && !fs::is_directory(sram_dir))
    throw InputError("--sram-dir " + sram_dir + ": exists and is not a directory");
  if (!sram_dir.empty() && !fs::is_directory(fs::absolute(sram_dir).parent_path()))
    throw InputError("--sram-dir " + sram_dir + ": parent directory does not exist");
  if (!sram_dir.empty()) output::check_can_create_in(sram_dir, "--sram-dir " + sram_dir);

  const auto w = io::read_npy_float(weights_path);
  if (w.shape.size() != 2)
    throw InputError("weights (" + weights_path + "): expected a 2-D array [M, N], got shape " +
                     shape_string(w.shape));
  if (w.shape[0] < 1 || w.shape[1] < 1)
    throw InputError("weights (" + weights_path + "): expected at least one row and one column, got shape " +
                     shape_string(w.shape));
  for (size_t i = 0; i < w.data.size(); ++i) {
    if (!std::isfinite(w.data[i]))
      throw InputError(
          fmt::format("weights ({}): element {} is {}: expected finite numbers", weights_path, i, w.data[i]));
  }
  bool shared = false;
  const auto c = keep ? compress_keeping(cfg.eie, w.data, w.shape[0], w.shape[1], &shared)
                      : compress(cfg.eie, w.data, w.shape[0], w.shape[1], density, seed);
  if (keep) density = static_cast<double>(c.kept) / static_cast<double>(w.data.size());
  // The result must fit the configured engine (x = ones only to satisfy the checker).
  Chain chain;
  chain.layers.push_back({c.codebook, c.w_idx});
  chain.x.assign(static_cast<size_t>(w.shape[1]), 0);
  check_chain(cfg.eie, chain);

  // Everything checked: the outputs, written together at the end (all or none).
  output::OutputSet outputs;
  Tensor cb({static_cast<int64_t>(c.codebook.size())});
  cb.data = c.codebook;
  outputs.add(codebook_path, io::npy_bytes(codebook_path, cb, io::DType::kInt16), "--out codebook");
  outputs.add(idx_path, io::npy_bytes(idx_path, c.w_idx, io::DType::kUInt8), "--out w_idx");
  const auto images = encode_layer(c.w_idx, cfg.eie.pes);
  size_t entries = 0, padding = 0;
  for (const auto& img : images) {
    entries += img.entries.size();
    for (const auto& e : img.entries) padding += e.v == 0;
  }
  if (!sram_dir.empty()) {
    for (unsigned p = 0; p < cfg.eie.pes; ++p) {
      Tensor ptr({static_cast<int64_t>(images[p].pointers.size())});
      std::vector<uint32_t> ptr_words(images[p].pointers.begin(), images[p].pointers.end()), ent_words;
      for (size_t k = 0; k < ptr_words.size(); ++k) ptr.data[k] = ptr_words[k];
      Tensor ent({static_cast<int64_t>(images[p].entries.size())});
      for (size_t k = 0; k < images[p].entries.size(); ++k) {
        ent_words.push_back((images[p].entries[k].v << kZBits) | images[p].entries[k].z);
        ent.data[k] = ent_words.back();
      }
      const std::string base = (fs::path(sram_dir) / fmt::format("pe{}", p)).string();
      outputs.add(base + "_pointers.npy", io::npy_bytes(base + "_pointers.npy", ptr, io::DType::kUInt32),
                  "--sram-dir", true);
      outputs.add(base + "_entries.npy", io::npy_bytes(base + "_entries.npy", ent, io::DType::kUInt16),
                  "--sram-dir", true);
      outputs.add(base + "_pointers.hex", hex_text(ptr_words), "--sram-dir", true);
      outputs.add(base + "_entries.hex", hex_text(ent_words), "--sram-dir", true);
    }
  }
  nlohmann::json report = {{"engine", "eie"},           {"config", cfg.name},       {"M", w.shape[0]},
                           {"N", w.shape[1]},           {"density", density},       {"kept", c.kept},
                           {"codebook", c.codebook},    {"centroids", c.centroids}, {"entries", entries},
                           {"padding_entries", padding}};
  if (keep) report["kept_codebook"] = shared;  // density=keep: the model's own values, or k-means
  cli::add_json_report(outputs, json_path, report);
  outputs.commit();
  fmt::print(
      "compress {}: {}x{} -> {} weights kept ({:.2f} %{}), {}-entry codebook{}, {} CSC entries over {} PEs "
      "({} "
      "padding)\n",
      weights_path, w.shape[0], w.shape[1], c.kept,
      100.0 * static_cast<double>(c.kept) / static_cast<double>(w.data.size()),
      keep ? ": the model's mask" : "", c.codebook.size(), keep && shared ? " (the model's own values)" : "",
      entries, cfg.eie.pes, padding);
  return 0;
}

}  // namespace dnngen::eie
