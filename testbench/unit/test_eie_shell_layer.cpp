// The EIE engine's spmv layer behind the shell (dnngen/eie/shell_layer.hpp): the weight
// image in the paper's format, the golden layer against the kernel's reference (eie::spmv),
// bias, ReLU, raw output, batches and strides, and every error code of a bad layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dnngen/common/numerics.hpp"
#include "dnngen/eie/bench.hpp"
#include "dnngen/eie/shell_layer.hpp"
#include "dnngen/eie/shell_timing.hpp"
#include "dnngen/eie/spmv.hpp"
#include "dnngen/shell/memory_image.hpp"

namespace dnngen::eie {
namespace {

ShellParams params(unsigned pes = 4) {
  ShellParams p;
  p.eie.pes = pes;
  p.eie.max_rows = 64;
  p.eie.max_cols = 64;
  p.eie.max_entries = 512;
  return p;
}

// A pruned index matrix with about `density` non-zeros and some long zero runs (so the
// image holds padding entries).
Tensor random_weights(int64_t m, int64_t k, double density, std::mt19937_64& rng) {
  Tensor w({m, k});
  std::bernoulli_distribution keep(density);
  std::uniform_int_distribution<int64_t> index(1, 15);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < k; ++j)
      if (keep(rng) && !(j % 5 == 0 && i < m - 1)) w.at(i, j) = index(rng);
  return w;
}

void put(std::vector<uint8_t>& mem, uint64_t at, const std::vector<uint8_t>& bytes) {
  std::copy(bytes.begin(), bytes.end(), mem.begin() + static_cast<std::ptrdiff_t>(at));
}

// A layer in memory: image at 0x1000, codebook 0x8000, x 0x9000, bias 0xA000, y 0xB000.
struct Layer {
  LayerDescriptor d;
  Tensor w;
  std::vector<int64_t> codebook;
  std::vector<std::vector<int64_t>> x;
  std::vector<uint8_t> memory = std::vector<uint8_t>(0x10000, 0xA5);
};

Layer make_layer(const ShellParams& p, uint32_t m, uint32_t k, uint32_t n, std::mt19937_64& rng) {
  Layer l;
  l.w = random_weights(m, k, 0.3, rng);
  l.d.op = "spmv";
  l.d.out_type = "int16";
  l.d.m = m, l.d.k = k, l.d.n = n;
  l.d.b_addr = 0x1000, l.d.aux_addr = 0x8000, l.d.a_addr = 0x9000, l.d.bias_addr = 0xA000,
  l.d.out_addr = 0xB000;
  put(l.memory, l.d.b_addr, weight_image(p.eie, l.w));
  std::uniform_int_distribution<int64_t> value(-300, 300), act(-200, 400);
  l.codebook.assign(16, 0);
  for (size_t i = 1; i < 16; ++i) l.codebook[i] = value(rng);
  for (size_t i = 0; i < 16; ++i)
    shell::store(l.memory, l.d.aux_addr + 2 * i, 2, i == 0 ? 777 : l.codebook[i]);
  for (uint32_t v = 0; v < n; ++v) {
    l.x.emplace_back(k);
    for (uint32_t j = 0; j < k; ++j) {
      l.x[v][j] = act(rng);
      shell::store(l.memory, l.d.a_addr + (uint64_t{v} * k + j) * 2, 2, l.x[v][j]);
    }
  }
  for (uint32_t i = 0; i < m; ++i) shell::store(l.memory, l.d.bias_addr + 4 * i, 4, value(rng) * 64);
  return l;
}

TEST(EieShellLayer, ImagePacksEightEntriesPerWordAndDecodesBack) {
  const ShellParams p = params(2);
  // W (3 x 2), rows 0, 2 in PE 0 and row 1 in PE 1; column 0 = {5, 0, 7}, column 1 = {0, 9, 0}.
  Tensor w({3, 2});
  w.at(0, 0) = 5, w.at(2, 0) = 7, w.at(1, 1) = 9;
  const std::vector<uint8_t> image = weight_image(p.eie, w);
  // Pointers: PE 0 {0, 2, 2}, PE 1 {2, 2, 3}; entries from byte 24: (5, z 0), (7, z 0), (9, z 0).
  const std::vector<uint32_t> ptr = {0, 2, 2, 2, 2, 3};
  for (size_t i = 0; i < ptr.size(); ++i) EXPECT_EQ(shell::load(image, 4 * i, 4, false), ptr[i]) << i;
  EXPECT_EQ(entry_offset(2, 2), 24u);
  ASSERT_EQ(image.size(), 27u);
  EXPECT_EQ(image[24], 0x05);
  EXPECT_EQ(image[25], 0x07);
  EXPECT_EQ(image[26], 0x09);

  std::mt19937_64 rng(3);
  for (unsigned pes : {1u, 3u, 4u}) {
    const ShellParams q = params(pes);
    const Tensor big = random_weights(61, 40, 0.15, rng);
    std::vector<uint8_t> mem(0x4000);
    put(mem, 0x800, weight_image(q.eie, big));
    LayerDescriptor d;
    d.m = 61, d.k = 40, d.b_addr = 0x800;
    const Tensor back = decode_weight_image(q, d, mem);
    EXPECT_EQ(back.data, big.data) << pes << " PEs";
  }
  // A zero run longer than 15 rows takes a padding entry (v 0, z 15).
  Tensor tall({40, 1});
  tall.at(39, 0) = 3;
  const std::vector<uint8_t> one = weight_image(params(1).eie, tall);
  ASSERT_EQ(one.size(), entry_offset(1, 1) + 3);
  EXPECT_EQ(one[8], 0xF0);
  EXPECT_EQ(one[9], 0xF0);
  EXPECT_EQ(one[10], 0x73);  // 39 = 16 + 16 + 7 rows: z 7, v 3
}

TEST(EieShellLayer, BatchEqualsTheKernelReferencePerVector) {
  std::mt19937_64 rng(11);
  ShellParams p = params();
  for (const bool relu : {true, false}) {
    p.eie.relu = relu;
    Layer l = make_layer(p, 37, 29, 3, rng);
    l.d.relu = relu;
    ASSERT_EQ(check_layer(p, l.d, l.memory), 0u);
    std::vector<uint8_t> before = l.memory;
    run_layer(p, l.d, l.memory);
    for (uint32_t v = 0; v < l.d.n; ++v) {
      const std::vector<int64_t> want = spmv(p.eie, l.codebook, l.w, l.x[v]);
      for (uint32_t i = 0; i < l.d.m; ++i) {
        const uint64_t at = l.d.out_addr + (uint64_t{v} * l.d.m + i) * 2;
        EXPECT_EQ(shell::load(l.memory, at, 2, true), want[i]) << "vector " << v << " row " << i;
        before[at] = l.memory[at], before[at + 1] = l.memory[at + 1];
      }
    }
    EXPECT_TRUE(before == l.memory) << "a byte outside Y changed";
  }
}

TEST(EieShellLayer, BiasStridesAndRawOutput) {
  std::mt19937_64 rng(5);
  const ShellParams p = params();
  Layer l = make_layer(p, 20, 16, 2, rng);
  l.d.bias = true;
  l.d.relu = false;
  l.d.out_stride = 64;  // Y rows 64 bytes apart
  std::vector<uint8_t> raw_mem = l.memory;
  run_layer(p, l.d, l.memory);
  LayerDescriptor raw = l.d;
  raw.out_type = "int32";
  raw.out_stride = 0;
  ASSERT_EQ(check_layer(p, raw, raw_mem), 0u);
  run_layer(p, raw, raw_mem);
  for (uint32_t v = 0; v < l.d.n; ++v)
    for (uint32_t i = 0; i < l.d.m; ++i) {
      int64_t sum = 0;
      for (uint32_t j = 0; j < l.d.k; ++j) sum += l.codebook[static_cast<size_t>(l.w.at(i, j))] * l.x[v][j];
      const auto bias = static_cast<int32_t>(shell::load(l.memory, l.d.bias_addr + 4 * i, 4, true));
      EXPECT_EQ(shell::load(raw_mem, raw.out_addr + (uint64_t{v} * l.d.m + i) * 4, 4, true), sum);
      EXPECT_EQ(shell::load(l.memory, l.d.out_addr + v * 64 + 2 * i, 2, true),
                numerics::requantize(sum, bias, 1, p.eie.frac_bits, p.eie.act_bits, false));
    }
}

TEST(EieShellLayer, BadLayersEndWithTheirErrorCode) {
  std::mt19937_64 rng(9);
  const ShellParams p = params();
  const Layer good = make_layer(p, 24, 20, 1, rng);
  ASSERT_EQ(check_layer(p, good.d, good.memory), 0u);
  const auto code = [](const char* name) { return shell::error_code(name); };
  const auto with = [&](auto change) {
    Layer l = good;
    change(l);
    return check_layer(p, l.d, l.memory);
  };
  EXPECT_EQ(with([](Layer& l) { l.d.op = "gemm"; }), code("bad_op"));
  EXPECT_EQ(with([](Layer& l) { l.d.n = 0; }), code("zero_size"));
  EXPECT_EQ(with([](Layer& l) { l.d.m = 65; }), code("size_range"));
  EXPECT_EQ(with([](Layer& l) { l.d.out_type = "int8"; }), code("bad_field"));
  EXPECT_EQ(with([](Layer& l) { l.d.a_stride = 2; }), code("bad_field"));
  EXPECT_EQ(with([](Layer& l) { l.d.per_channel = true; }), code("bad_field"));
  EXPECT_EQ(with([](Layer& l) { l.d.out_bits = 1; }), code("bad_field"));
  EXPECT_EQ(with([](Layer& l) { l.d.out_bits = 17; }), code("bad_field"));
  EXPECT_EQ(with([](Layer& l) { l.d.out_bits = 16; }), 0u);
  EXPECT_EQ(with([](Layer& l) { l.d.out_type = "int32", l.d.out_bits = 8; }), code("bad_field"));
  {
    ShellParams wide = p;
    wide.eie.acc_bits = 40;
    LayerDescriptor raw = good.d;
    raw.out_type = "int32";
    EXPECT_EQ(check_layer(wide, raw, good.memory), code("bad_field")) << "int32 holds no 40-bit sum";
  }
  EXPECT_EQ(with([](Layer& l) { l.d.b_addr = 0x1004; }), code("addr_align"));
  EXPECT_EQ(with([](Layer& l) { l.d.a_addr = 0x9001; }), code("addr_align"));
  EXPECT_EQ(with([](Layer& l) { l.d.out_addr = 0xFFFFFFFE; }), code("addr_range"));
  // The image: a decreasing pointer, a PE over max_entries, an entry below its PE's rows.
  EXPECT_EQ(with([](Layer& l) { shell::store(l.memory, l.d.b_addr + 4, 4, 1000); }), code("bad_field"));
  EXPECT_EQ(with([](Layer& l) {
              const uint64_t last = l.d.b_addr + 4 * l.d.k;  // PE 0's end pointer
              shell::store(l.memory, last, 4, shell::load(l.memory, last, 4, false) + 600);
              for (unsigned pe = 1; pe < 4; ++pe)
                for (uint32_t j = 0; j <= l.d.k; ++j) {
                  const uint64_t at = l.d.b_addr + 4 * (pe * (l.d.k + 1) + j);
                  shell::store(l.memory, at, 4, shell::load(l.memory, at, 4, false) + 600);
                }
            }),
            code("size_range"));
  EXPECT_EQ(with([](Layer& l) {
              l.memory[l.d.b_addr + entry_offset(4, l.d.k)] = 0xF1;  // PE 0's first entry: z 15
            }),
            code("bad_field"));
  // The image is checked PE by PE as the shell reads it: PE 0's entry below its rows comes
  // before PE 1's excess of entries.
  EXPECT_EQ(with([](Layer& l) {
              l.memory[l.d.b_addr + entry_offset(4, l.d.k)] = 0xF1;
              const uint64_t last = l.d.b_addr + 4 * (2 * (l.d.k + 1) - 1);  // PE 1's end pointer
              shell::store(l.memory, last, 4, shell::load(l.memory, last, 4, false) + 600);
            }),
            code("bad_field"));
}

TEST(EieShellLayer, KeptWeightsNeedTheImageThatIsOnChip) {
  std::mt19937_64 rng(41);
  const ShellParams p = params();
  const Layer l = make_layer(p, 24, 20, 2, rng);
  LayerDescriptor keep = l.d;
  keep.keep_weights = true;
  const auto bad_field = shell::error_code("bad_field");
  EXPECT_EQ(check_layer(p, keep, l.memory), bad_field) << "nothing loaded";
  EXPECT_EQ(check_layer(p, keep, l.memory, &l.d), 0u);
  // The image on chip is not read again, so not checked again either.
  std::vector<uint8_t> spoiled = l.memory;
  shell::store(spoiled, l.d.b_addr + 4, 4, 1000);
  EXPECT_EQ(check_layer(p, l.d, spoiled), bad_field);
  EXPECT_EQ(check_layer(p, keep, spoiled, &l.d), 0u);
  for (int i = 0; i < 4; ++i) {
    LayerDescriptor other = l.d;
    (i == 0 ? other.m : i == 1 ? other.k : other.n) -= 1;  // N may differ (i == 2)
    if (i == 3) other.aux_addr += 2;
    EXPECT_EQ(check_layer(p, keep, l.memory, &other), i == 2 ? 0u : bad_field) << i;
  }
  // The cycle model skips the image: the same vectors cost the image's cycles less.
  const ShellTiming full = layer_cycles(p, l.d, l.memory, 20, 8),
                    kept = layer_cycles(p, keep, l.memory, 20, 8);
  EXPECT_LT(kept.cycles, full.cycles);
  EXPECT_EQ(kept.compute, full.compute);
  EXPECT_EQ(kept.bytes_written, full.bytes_written);
  EXPECT_LT(kept.bytes_read, full.bytes_read);
}

TEST(EieShellLayer, OutputBitsClampToTheNextLayersPrecision) {
  std::mt19937_64 rng(21);
  ShellParams p = params();
  p.eie.relu = false;  // the kernel's reference (spmv) then neither
  Layer l = make_layer(p, 30, 25, 2, rng);
  l.d.out_bits = 5;
  l.d.relu = false;
  ASSERT_EQ(check_layer(p, l.d, l.memory), 0u);
  run_layer(p, l.d, l.memory);
  bool clamped = false;
  for (uint32_t v = 0; v < l.d.n; ++v) {
    const std::vector<int64_t> full = spmv(p.eie, l.codebook, l.w, l.x[v]);
    for (uint32_t i = 0; i < l.d.m; ++i) {
      const int64_t y = shell::load(l.memory, l.d.out_addr + (uint64_t{v} * l.d.m + i) * 2, 2, true);
      EXPECT_EQ(y, std::clamp<int64_t>(full[i], -16, 15)) << "vector " << v << " row " << i;
      clamped = clamped || y != full[i];
    }
  }
  EXPECT_TRUE(clamped) << "no output needed the clamp: the test shows nothing";
}

TEST(EieShellLayer, CycleModelCountsEveryPhase) {
  std::mt19937_64 rng(31);
  const ShellParams p = params();
  Layer l = make_layer(p, 40, 33, 3, rng);
  l.d.bias = true;
  const ShellTiming t = layer_cycles(p, l.d, l.memory, 20, 8);
  // The check cycle, the core's jobs and everything else.
  EXPECT_EQ(t.cycles, 1 + t.compute + t.mem_wait);
  EXPECT_EQ(t.bytes_written, uint64_t{3} * 40 * 2);
  // At least: the codebook, the pointers, every entry, the bias, three vectors of x.
  const uint64_t image = weight_image(p.eie, l.w).size();
  EXPECT_GE(t.bytes_read, 32 + image + 40 * 4 + 3 * 33 * 2);
  EXPECT_GT(t.useful_macs, 0u);
  // A slower memory can only cost cycles; the core's work does not change.
  const ShellTiming slow = layer_cycles(p, l.d, l.memory, 60, 2);
  EXPECT_GT(slow.cycles, t.cycles);
  EXPECT_EQ(slow.compute, t.compute);
  EXPECT_EQ(slow.bytes_read, t.bytes_read);
}

// The benchmark's synthetic image of a published-size layer (eie::synthetic_pe_images, no
// dense matrix) is a well-formed image of a matrix at the layer's size and about its
// density, and lays out as the encoding of that matrix does.
TEST(EieShellLayer, SyntheticImageIsAWellFormedLayer) {
  ShellParams p = params(3);
  p.eie.max_rows = 70, p.eie.max_cols = 50, p.eie.max_entries = 4096;
  const BenchLayer layer{"t", 50, 70, 0.1, 1.0};  // inputs K = 50, outputs M = 70
  const std::vector<PeImage> pes = synthetic_pe_images(layer, p.eie.pes, p.eie.index_bits, 7);
  LayerDescriptor d;
  d.op = "spmv", d.out_type = "int16", d.m = 70, d.k = 50, d.n = 1;
  d.b_addr = 0x1000, d.aux_addr = 0x100, d.a_addr = 0x200, d.out_addr = 0x400;
  std::vector<uint8_t> memory(0x1000);
  const std::vector<uint8_t> image = weight_image(p.eie, 50, pes);
  memory.insert(memory.end(), image.begin(), image.end());
  ASSERT_EQ(check_layer(p, d, memory), 0u);
  const Tensor w = decode_weight_image(p, d, memory);
  const auto nonzero = std::count_if(w.data.begin(), w.data.end(), [](int64_t v) { return v != 0; });
  EXPECT_GT(nonzero, 70 * 50 * 0.06);
  EXPECT_LT(nonzero, 70 * 50 * 0.14);
  EXPECT_EQ(weight_image(p.eie, w), image) << "the image of the decoded matrix is the image itself";
  bool padding = false;  // 10 % density: runs of 16 zeros and more in a PE's column occur
  for (const PeImage& pe : pes)
    for (const Entry& e : pe.entries) padding = padding || e.v == 0;
  EXPECT_TRUE(padding);
}

}  // namespace
}  // namespace dnngen::eie
