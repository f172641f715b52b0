#include "dnngen/row_stationary/rs_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/row_stationary/ring.hpp"

namespace dnngen::rs {
namespace {

using numerics::ceil_div;

// Job descriptor fields travel on 16-bit ports (dnn_rs_top's DimBits).
constexpr int64_t kDimLimit = 65535;

}  // namespace

ConvJob job_of(const Tensor& ifmap, const Tensor& weights, const golden::Conv2dParams& p) {
  return {ifmap.shape[0],   ifmap.shape[1],   ifmap.shape[2], weights.shape[0],
          weights.shape[2], weights.shape[3], p.stride,       p.pad};
}

Plan plan(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  Plan p;
  p.e = (j.h + 2 * j.pad - j.r) / j.stride + 1;
  p.f = (j.w + 2 * j.pad - j.s) / j.stride + 1;
  const auto fail = [&](const std::string& what) {
    throw InputError(
        fmt::format("conv2d ifmap [{}, {}, {}] weights [{}, {}, {}, {}] stride {} pad {}: "
                    "{}",
                    j.c, j.h, j.w, j.k, j.c, j.r, j.s, j.stride, j.pad, what));
  };
  if (j.w > cfg.ifmap_spad)
    fail(
        fmt::format("ifmap width W = {} does not fit the PE ifmap scratchpad (systolic.ifmap_spad "
                    "= {} entries holds one row)",
                    j.w, cfg.ifmap_spad));
  if (j.r > cfg.max_filter_size || j.s > cfg.max_filter_size)
    fail(fmt::format("filter {}x{} is larger than systolic.max_filter_size = {}", j.r, j.s,
                     cfg.max_filter_size));
  if (!cfg.ring_buffers && j.c * j.h > cfg.ifmap_rows)
    fail(fmt::format("C*H = {} ifmap rows do not fit the ifmap buffer (systolic.ifmap_rows = {})", j.c * j.h,
                     cfg.ifmap_rows));
  if (p.f > cfg.psum_spad)
    fail(
        fmt::format("output width F = {} does not fit the psum buffer (systolic.psum_spad = {} "
                    "entries per column)",
                    p.f, cfg.psum_spad));
  p.ne = ceil_div(p.e, cfg.cols);
  p.nq = ceil_div(j.c * j.r, cfg.rows);
  p.kg = std::min<int64_t>(j.k, cfg.psum_spad / p.f);
  if (j.tail_div > 0 && j.k > 1) p.kg = std::min<int64_t>(p.kg, j.k - ceil_div(j.k, j.tail_div));
  p.nk = ceil_div(j.k, p.kg);
  if (!cfg.ring_buffers && j.k * p.nq > cfg.filter_words)
    fail(
        fmt::format("K * ceil(C*R / rows) = {} * {} = {} filter words do not fit the filter buffer "
                    "(systolic.filter_words = {})",
                    j.k, p.nq, j.k * p.nq, cfg.filter_words));
  for (const int64_t v : {j.c, j.h, j.w, j.k, j.stride, j.pad, p.e, p.f})
    if (v > kDimLimit) fail(fmt::format("a dimension ({}) is above the engine's {} limit", v, kDimLimit));
  return p;
}

uint64_t pass_load_cycles(const config::RowStationaryConfig& cfg, const ConvJob& j, const Plan& p, int64_t eo,
                          int64_t q) {
  const int64_t ncv = std::min<int64_t>(cfg.cols, p.e - eo * cfg.cols);
  const int64_t end = std::min<int64_t>((q + 1) * cfg.rows, j.c * j.r);
  uint64_t cycles = 0;
  for (int64_t slot = q * cfg.rows; slot < end;) {
    const int64_t w = std::min(end - slot, j.r - slot % j.r);  // one channel's run of rows
    cycles += static_cast<uint64_t>(w + (ncv - 1) * std::min(w, j.stride));
    slot += w;
  }
  return cycles;
}

namespace {

// Every (PE, ifmap row) a pass loads, in dnn_rs_seq's load walk order: run by run (one
// channel's consecutive filter rows), column by column, filter row by filter row. visit(c,
// y, inside, issued): PE column col's filter row r of channel c holds ifmap row y; `issued`
// marks the rows the walker reads or zero-fills for it (one a cycle: as dnn_rs_seq's
// rr_restart, a column after the first takes only the filter rows whose ifmap rows the
// column before did not need, the run's last min(w, stride)); the others reach the PE
// through the multicast of an earlier issue.
template <class Visit>
void walk_pass_loads(const config::RowStationaryConfig& cfg, const ConvJob& j, const Plan& p, int64_t eo,
                     int64_t q, Visit visit) {
  const int64_t ncv = std::min<int64_t>(cfg.cols, p.e - eo * cfg.cols);
  const int64_t end = std::min<int64_t>((q + 1) * cfg.rows, j.c * j.r);
  const int64_t y0 = eo * cfg.cols * j.stride - j.pad;  // column 0's ifmap row for filter row 0
  for (int64_t slot = q * cfg.rows; slot < end;) {
    const int64_t c = slot / j.r, r0 = slot % j.r, w = std::min(end - slot, j.r - r0);
    for (int64_t col = 0; col < ncv; ++col) {
      const int64_t first_new = col == 0 ? r0 : std::max(r0, r0 + w - j.stride);
      for (int64_t r = r0; r < r0 + w; ++r) {
        const int64_t y = y0 + col * j.stride + r;
        visit(c, y, y >= 0 && y < j.h, r >= first_new);
      }
    }
    slot += w;
  }
}

}  // namespace

PassLoads pass_loads(const config::RowStationaryConfig& cfg, const ConvJob& j, const Plan& p, int64_t eo,
                     int64_t q) {
  PassLoads l;
  walk_pass_loads(cfg, j, p, eo, q, [&](int64_t, int64_t, bool inside, bool issued) {
    if (issued) ++(inside ? l.buffer_reads : l.zero_rows);
    ++l.pe_writes;
    if (inside) ++l.pe_data_writes;
  });
  return l;
}

namespace {

uint64_t pass_steps(const ConvJob& j, const Plan& p, const PassStart& s) {
  return static_cast<uint64_t>((s.kend - s.k0) * p.f * j.s);
}

}  // namespace

std::vector<PassStart> pass_starts(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  const Plan p = plan(cfg, j);
  std::vector<PassStart> passes;
  passes.reserve(static_cast<size_t>(p.ne * p.nk * p.nq));
  // load_free: the cycle after the previous pass's last load; steps_end[n % 2]: the cycle
  // after pass n's last step (the last two passes').
  uint64_t load_free = 0;
  uint64_t steps_end[2] = {0, 0};
  const size_t banks = cfg.ifmap_spad_banks;
  for (int64_t eo = 0; eo < p.ne; ++eo)
    for (int64_t k0 = 0; k0 < j.k; k0 += p.kg)
      for (int64_t q = 0; q < p.nq; ++q) {
        const size_t n = passes.size();
        PassStart s{eo, k0, std::min(j.k, k0 + p.kg), q, 0, 0};
        // Loads into the bank pass n - banks used, once its steps are issued.
        s.loads_at = std::max(load_free, n >= banks ? steps_end[(n - banks) % 2] : 0);
        load_free = s.loads_at + pass_load_cycles(cfg, j, p, eo, q);
        s.steps_at = n == 0 ? load_free : std::max(load_free, steps_end[(n - 1) % 2] + 1);
        steps_end[n % 2] = s.steps_at + pass_steps(j, p, s);
        passes.push_back(s);
      }
  return passes;
}

Timing estimate(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  const Plan p = plan(cfg, j);
  Timing t;
  const std::vector<PassStart> passes = pass_starts(cfg, j);
  t.passes = passes.size();
  t.cycles = passes.back().steps_at + pass_steps(j, p, passes.back()) + cfg.rows + 2;
  t.macs = static_cast<uint64_t>(j.k * j.c * j.r * j.s * p.e * p.f);
  t.utilization = static_cast<double>(t.macs) / (static_cast<double>(t.cycles) * cfg.rows * cfg.cols);
  return t;
}

unsigned acc_int_bits(const config::RowStationaryConfig& cfg) {
  unsigned terms_bits = 0;  // $clog2(MaxC * MaxRS * MaxRS)
  while ((uint64_t{1} << terms_bits) < cfg.max_channels() * cfg.max_filter_size * cfg.max_filter_size)
    ++terms_bits;
  const unsigned exact = cfg.product_bits() + terms_bits;
  return cfg.overflow == config::Overflow::kSaturate ? std::max(exact, cfg.acc_bits) : cfg.acc_bits;
}

namespace {

// dnn_rs_top's buffers, each a dnn_sram_1r1w of Depth x Width.
Memory ifmap_buffer(const config::RowStationaryConfig& cfg) {
  const unsigned row = cfg.ifmap_spad * cfg.input_bits;  // IRowW: one ifmap row a word
  return {"ifmap_buffer", energy::Level::kBuffer, int64_t{cfg.ifmap_rows} * row / 8, row, 1};
}
Memory filter_buffer(const config::RowStationaryConfig& cfg) {
  const unsigned word = cfg.rows * cfg.filter_spad * cfg.weight_bits;  // FWordW: a filter row per PE row
  return {"filter_buffer", energy::Level::kBuffer, int64_t{cfg.filter_words} * word / 8, word, 1};
}
Memory psum_buffer(const config::RowStationaryConfig& cfg) {
  const unsigned word = cfg.cols * acc_int_bits(cfg);  // one psum per column
  return {"psum_buffer", energy::Level::kBuffer, int64_t{cfg.psum_spad} * word / 8, word, 1};
}

// dnn_rs_pe's registers, one set per PE. An access is one element: the PE reads one weight,
// one ifmap value and its accumulator per step, and a row load writes every element of the
// row (counted as filter_spad or ifmap_spad element writes; a register file's energy is
// linear in the bits, so that is the price of one whole-row write).
Memory filter_spad(const config::RowStationaryConfig& cfg) {
  return {"pe_filter_spad", energy::Level::kRegister, int64_t{2} * cfg.filter_spad * cfg.weight_bits / 8,
          cfg.weight_bits, int64_t{cfg.rows} * cfg.cols};
}
Memory ifmap_spad(const config::RowStationaryConfig& cfg) {
  return {"pe_ifmap_spad", energy::Level::kRegister,
          int64_t{cfg.ifmap_spad_banks} * cfg.ifmap_spad * cfg.input_bits / 8, cfg.input_bits,
          int64_t{cfg.rows} * cfg.cols};
}
Memory psum_regs(const config::RowStationaryConfig& cfg) {  // acc_q and psum_q
  return {"pe_psum_regs", energy::Level::kRegister, int64_t{2} * acc_int_bits(cfg) / 8, acc_int_bits(cfg),
          int64_t{cfg.rows} * cfg.cols};
}

// A pass's filter skew (dnn_systolic_skew): PE row i's filter row passes i registers, so a
// filter word makes 0 + 1 + ... + (slots - 1) register hops over the fold's active rows.
uint64_t skew_hops(const config::RowStationaryConfig& cfg, const ConvJob& j, int64_t q) {
  const int64_t slots = std::min<int64_t>(cfg.rows, j.c * j.r - q * cfg.rows);
  return static_cast<uint64_t>(slots * (slots - 1) / 2);
}

}  // namespace

std::vector<Memory> core_memories(const config::RowStationaryConfig& cfg) {
  return {ifmap_buffer(cfg), filter_buffer(cfg), psum_buffer(cfg),
          filter_spad(cfg),  ifmap_spad(cfg),    psum_regs(cfg)};
}

void add_accesses(energy::Actions& a, const Memory& m, uint64_t reads, uint64_t writes) {
  a.add_memory(m.name, m.level, m.bytes, m.width_bits, reads, writes);
}

energy::Actions core_actions(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  const Plan p = plan(cfg, j);
  const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
  const unsigned acc = acc_int_bits(cfg);
  const uint64_t macs = u(j.k * j.c * j.r * j.s * p.e * p.f);
  // Active PEs summed over one filter group's passes: the slots of the row folds (C*R in
  // all) times the columns of the E-folds (E in all).
  const uint64_t pe_passes = u(j.c * j.r * p.e);
  // Per pass: the ifmap multicast (the same for every filter group) and the filter skew.
  PassLoads loads;
  uint64_t skew = 0;
  for (int64_t q = 0; q < p.nq; ++q) {
    skew += skew_hops(cfg, j, q);
    for (int64_t eo = 0; eo < p.ne; ++eo) {
      const PassLoads l = pass_loads(cfg, j, p, eo, q);
      loads.buffer_reads += l.buffer_reads;
      loads.pe_data_writes += l.pe_data_writes;
    }
  }
  const uint64_t nk = u(p.nk), ne = u(p.ne), nq = u(p.nq), k = u(j.k), f = u(p.f);
  const unsigned frow = cfg.filter_spad * cfg.weight_bits, irow = cfg.ifmap_spad * cfg.input_bits;

  energy::Actions a;
  // Every active PE multiplies and adds once a step (the window's adds and the psum from
  // above make S adds per S steps).
  a.add_macs(cfg.input_bits, cfg.weight_bits, acc, macs);
  // A step reads one weight and one ifmap value (a padding step too: the multiplexer reads,
  // step_xzero zeroes it); each pass writes each filter's row into a bank of every active
  // PE, and one ifmap row into every active PE per filter group.
  add_accesses(a, filter_spad(cfg), macs, k * pe_passes * cfg.filter_spad);
  add_accesses(a, ifmap_spad(cfg), macs, nk * pe_passes * cfg.ifmap_spad);
  // A window of S steps reads acc_q S-1 times (not at its first step) and writes acc_q S-1
  // times and psum_q once.
  add_accesses(a, psum_regs(cfg), macs - macs / u(j.s), macs);
  // The loader writes C*H ifmap rows and K*nq filter words; the sequencer reads each
  // distinct ifmap row inside the input once a pass and one filter word per filter a pass.
  add_accesses(a, ifmap_buffer(cfg), nk * loads.buffer_reads, u(j.c * j.h));
  add_accesses(a, filter_buffer(cfg), ne * nq * k, k * nq);
  // Per (E-fold, filter, output column): row folds after the first read the column heads'
  // psums, folds before the last write them back (the last finalizes to the output).
  add_accesses(a, psum_buffer(cfg), ne * k * f * (nq - 1), ne * k * f * (nq - 1));
  // The array's wires: the ifmap row bus (a whole scratchpad row to each PE that takes a
  // read row; padding rows are zeros written in place), a filter row to each active PE
  // and through the skew, and each window's psum down the NumRows - 1 row boundaries of
  // its column (through idle rows too: the sum leaves at the bottom row).
  a.array_bits += nk * loads.pe_data_writes * irow;
  a.array_bits += (k * pe_passes + ne * k * skew) * frow;
  a.array_bits += u(p.e) * nq * k * f * (cfg.rows - 1) * acc;
  return a;
}

std::vector<OutEvent> schedule(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  const Plan p = plan(cfg, j);
  std::vector<OutEvent> events;
  // t: the busy cycle in which the sequencer issues (cycle 0 follows the accept edge).
  // A step issued at t reaches PE row i at t+1+i; the bottom psum meets the psum-buffer
  // read at t+rows+1; the output register is on the port at t+rows+2, so its handshake
  // edge is t+rows+3. Only a group's last row fold emits.
  for (const PassStart& s : pass_starts(cfg, j)) {
    if (s.q != p.nq - 1) continue;
    uint64_t t = s.steps_at;
    for (int64_t k = s.k0; k < s.kend; ++k)
      for (int64_t f = 0; f < p.f; ++f) {
        t += static_cast<uint64_t>(j.s);  // steps s = 0 .. S-1; the last issued at t-1
        events.push_back({t - 1 + cfg.rows + 3, k, s.eo * cfg.cols, f, false});
      }
  }
  if (!events.empty()) events.back().last = true;
  return events;
}

ReadStreams read_streams(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  const Plan p = plan(cfg, j);
  ReadStreams s;
  const auto filter_steps = static_cast<uint64_t>(p.f * j.s);
  for (const PassStart& ps : pass_starts(cfg, j)) {
    // Each pass's issued loads, one a cycle from a(n); a row inside the input is a buffer
    // read, the padding rows are zeros. An issue in busy cycle t is the (t+1)-th busy cycle.
    uint64_t t = ps.loads_at;
    walk_pass_loads(cfg, j, p, ps.eo, ps.q, [&](int64_t c, int64_t y, bool inside, bool issued) {
      if (!issued) return;
      if (inside) s.ifmap.push_back({t + 1, static_cast<uint64_t>(c * j.h + y)});
      ++t;
    });
    // Each filter word is read in the cycle before its filter's first step (a pass's first
    // in the cycle before the pass's steps, each next one in the last step of the filter
    // before), at pack()'s address: the group's words, fold after fold.
    const auto group = static_cast<uint64_t>(ps.kend - ps.k0);
    const auto base = static_cast<uint64_t>(ps.k0 * p.nq) + static_cast<uint64_t>(ps.q) * group;
    for (uint64_t k = 0; k < group; ++k) s.filter.push_back({ps.steps_at + k * filter_steps, base + k});
  }
  return s;
}

std::vector<int64_t> load_walk(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  const Plan p = plan(cfg, j);
  std::vector<int64_t> steps;
  for (const PassStart& ps : pass_starts(cfg, j))
    walk_pass_loads(cfg, j, p, ps.eo, ps.q, [&](int64_t c, int64_t y, bool inside, bool issued) {
      if (issued) steps.push_back(inside ? c * j.h + y : -1);
    });
  return steps;
}

std::vector<uint64_t> filter_reads(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  // E-fold 0's reads: every E-fold reads all K * nq words once, so the stream's first ones.
  const auto words = static_cast<size_t>(j.k * plan(cfg, j).nq);
  const std::vector<BufferRead> all = read_streams(cfg, j).filter;
  std::vector<uint64_t> reads;
  reads.reserve(words);
  for (size_t n = 0; n < words; ++n) reads.push_back(all[n].cycle);
  return reads;
}

std::vector<IfmapRead> ifmap_reads(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  // The reads of a row no earlier read needed: rows are read in increasing order within a
  // pass and every pass starts at or below the rows read so far.
  std::vector<IfmapRead> reads;
  for (const BufferRead& r : read_streams(cfg, j).ifmap)
    if (reads.empty() || r.addr > reads.back().addr) reads.push_back({r.cycle, r.addr});
  return reads;
}

unsigned load_width(const config::RowStationaryConfig& cfg) {
  return std::max(cfg.ifmap_spad * cfg.input_bits, cfg.rows * cfg.filter_spad * cfg.weight_bits);
}

std::vector<LoadWord> pack(const config::RowStationaryConfig& cfg, const Tensor& ifmap, const Tensor& weights,
                           const ConvJob& j) {
  const Plan p = plan(cfg, j);
  const unsigned width = load_width(cfg);
  std::vector<LoadWord> words;
  for (int64_t c = 0; c < j.c; ++c)
    for (int64_t y = 0; y < j.h; ++y) {
      LoadWord w{false, static_cast<uint32_t>(c * j.h + y), zero_words(width)};
      for (int64_t x = 0; x < j.w; ++x)
        put_field(
            w.data, static_cast<unsigned>(x) * cfg.input_bits, cfg.input_bits,
            numerics::to_field(ifmap.data[static_cast<size_t>((c * j.h + y) * j.w + x)], cfg.input_bits));
      words.push_back(std::move(w));
    }
  uint32_t addr = 0;
  for (int64_t k0 = 0; k0 < j.k; k0 += p.kg)
    for (int64_t q = 0; q < p.nq; ++q)
      for (int64_t k = k0; k < std::min(j.k, k0 + p.kg); ++k) {
        LoadWord w{true, addr++, zero_words(width)};
        for (int64_t i = 0; i < cfg.rows; ++i) {
          const int64_t slot = q * cfg.rows + i, c = slot / j.r, r = slot % j.r;
          if (c >= j.c) break;
          for (int64_t s = 0; s < j.s; ++s) {
            const int64_t v = weights.data[static_cast<size_t>(((k * j.c + c) * j.r + r) * j.s + s)];
            put_field(w.data, static_cast<unsigned>(i * cfg.filter_spad + s) * cfg.weight_bits,
                      cfg.weight_bits, numerics::to_field(v, cfg.weight_bits));
          }
        }
        words.push_back(std::move(w));
      }
  return words;
}

void unpack_output(const config::RowStationaryConfig& cfg, const BitWords& data, const OutEvent& ev,
                   Tensor& ofmap) {
  for (int64_t j = 0; j < cfg.cols && ev.e0 + j < ofmap.shape[1]; ++j) {
    const uint64_t field = get_field(data, static_cast<unsigned>(j) * cfg.acc_bits, cfg.acc_bits);
    ofmap.data[static_cast<size_t>((ev.k * ofmap.shape[1] + ev.e0 + j) * ofmap.shape[2] + ev.f)] =
        numerics::from_field(field, cfg.acc_bits, /*is_signed=*/true);
  }
}

RandomJob random_job(const config::RowStationaryConfig& cfg, uint64_t seed, uint64_t index) {
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + index);
  const auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, std::max(lo, hi))(rng);
  };
  std::vector<int64_t> sizes;
  for (int64_t s : {1, 3, 5, 11})
    if (s <= cfg.max_filter_size) sizes.push_back(s);
  // Every fourth job sits on a limit the others do not reach: a row as wide as the ifmap
  // scratchpad (its last entry, with right padding beside it), and every eighth has only
  // extreme operand values. Should no such job fit the configuration, an ordinary one runs.
  const bool boundary = index % 4 == 3;
  const bool extreme = index % 8 == 7;
  for (int attempt = 0;; ++attempt) {
    const bool at_limit = boundary && attempt < 500;
    ConvJob j;
    j.r = sizes[static_cast<size_t>(pick(0, static_cast<int64_t>(sizes.size()) - 1))];
    j.s = pick(0, 5) == 0 ? sizes[static_cast<size_t>(pick(0, static_cast<int64_t>(sizes.size()) - 1))] : j.r;
    const int64_t strides[] = {1, 1, 2, 4};
    j.stride = strides[pick(0, 3)];
    j.pad = pick(0, 2) == 0 ? 0 : pick(0, (std::max(j.r, j.s) - 1) / 2 + (pick(0, 3) == 0 ? 1 : 0));
    const int64_t wmax = std::min<int64_t>(cfg.ifmap_spad, 24);
    j.w = pick(std::max<int64_t>(1, j.s - 2 * j.pad), wmax);
    if (at_limit) {
      j.w = cfg.ifmap_spad;
      j.pad = std::max<int64_t>(j.pad, 1);
    }
    j.h = pick(std::max<int64_t>(1, j.r - 2 * j.pad), 24);
    j.c = pick(1, 2 * cfg.rows + 3);
    j.k = pick(1, 6);
    if (j.w + 2 * j.pad < j.s || j.h + 2 * j.pad < j.r) continue;
    try {
      const Plan p = plan(cfg, j);
      // Keep a co-simulation job short: a few thousand cycles.
      if (estimate(cfg, j).cycles > 60000 && attempt < 200) continue;
      (void)p;
    } catch (const InputError&) {
      if (attempt > 1000) throw;
      continue;
    }
    RandomJob job;
    job.params = {j.stride, j.pad};
    job.ifmap = Tensor({j.c, j.h, j.w});
    job.weights = Tensor({j.k, j.c, j.r, j.s});
    const int64_t lo_in = numerics::min_value(cfg.input_bits, cfg.is_signed),
                  hi_in = numerics::max_value(cfg.input_bits, cfg.is_signed);
    const int64_t lo_w = numerics::min_value(cfg.weight_bits, cfg.is_signed),
                  hi_w = numerics::max_value(cfg.weight_bits, cfg.is_signed);
    for (auto& v : job.ifmap.data) v = extreme ? (pick(0, 1) ? hi_in : lo_in) : pick(lo_in, hi_in);
    for (auto& v : job.weights.data) v = extreme ? (pick(0, 1) ? hi_w : lo_w) : pick(lo_w, hi_w);
    job.label = fmt::format("conv C={} H={} W={} K={} R={} S={} stride {} pad {}{}", j.c, j.h, j.w, j.k, j.r,
                            j.s, j.stride, j.pad, extreme ? " extreme" : "");
    return job;
  }
}

}  // namespace dnngen::rs
