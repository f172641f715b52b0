// Golden model of the bit-serial engine: see dnngen/bitserial/model.hpp.
#include "dnngen/bitserial/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"

namespace dnngen::bitserial {
namespace {

using config::BitserialMode;

unsigned bit_length(uint64_t v) { return v == 0 ? 0u : 64u - static_cast<unsigned>(__builtin_clzll(v)); }

// Activation of tile row block mt, window r, brick kb, lane l (0 outside A).
int64_t act(const config::BitserialConfig& cfg, const Tensor& a, int64_t mt, int64_t r, int64_t kb,
            int64_t l) {
  const int64_t m = mt * cfg.tile_rows + r, k = kb * cfg.lanes + l;
  return (m < a.shape[0] && k < a.shape[1]) ? a.at(m, k) : 0;
}

// Precision of one brick step: the job's, or the group's.
unsigned step_precision(const config::BitserialConfig& cfg, const Tensor& a, int64_t mt, int64_t kb,
                        const Precision& p) {
  if (!p.automatic) return p.bits;
  unsigned bits = 1;
  for (unsigned r = 0; r < cfg.tile_rows; ++r)
    for (unsigned l = 0; l < cfg.lanes; ++l)
      bits = std::max(bits, needed_bits(act(cfg, a, mt, r, kb, l), cfg.is_signed));
  return bits;
}

// Pragmatic: cycles window r of tile row block mt takes on brick kb at precision prec, at
// least one even with no one bits.
unsigned window_cycles(const config::BitserialConfig& cfg, const Tensor& a, int64_t mt, int64_t r, int64_t kb,
                       unsigned prec) {
  std::array<uint64_t, 64> patterns{};  // lanes <= 64
  for (unsigned l = 0; l < cfg.lanes; ++l) patterns[l] = numerics::to_field(act(cfg, a, mt, r, kb, l), prec);
  return brick_cycles(cfg, patterns.data(), cfg.lanes);
}

// What one SIP adds for one brick, computed the way its mode computes it, modulo 2^64
// (reduced to acc_bits at the end, which gives the same result as the RTL's
// acc_bits-wide arithmetic).
uint64_t brick_sum(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b, int64_t m, int64_t n,
                   int64_t kb, unsigned p) {
  const int64_t k0 = kb * cfg.lanes;
  const int64_t k1 = std::min<int64_t>(k0 + cfg.lanes, a.shape[1]);
  uint64_t sum = 0;
  switch (cfg.mode) {
    case BitserialMode::kStripes: {
      // MSB first: double, add the weights of the lanes whose bit is set; the sign bit
      // of a signed activation weighs -2^(p-1), so that cycle subtracts.
      uint64_t partial = 0;
      for (int bit = static_cast<int>(p) - 1; bit >= 0; --bit) {
        uint64_t tree = 0;
        for (int64_t k = k0; k < k1; ++k)
          if ((static_cast<uint64_t>(a.at(m, k)) >> bit) & 1u) tree += static_cast<uint64_t>(b.at(k, n));
        if (cfg.is_signed && bit == static_cast<int>(p) - 1) tree = ~tree + 1u;
        partial = (partial << 1) + tree;
      }
      sum = partial;
      break;
    }
    case BitserialMode::kPragmatic: {
      // Every one bit of the p-bit pattern: the weight shifted by its position.
      for (int64_t k = k0; k < k1; ++k) {
        const uint64_t pattern = numerics::to_field(a.at(m, k), p);
        for (unsigned bit = 0; bit < p; ++bit) {
          if (!((pattern >> bit) & 1u)) continue;
          const uint64_t term = static_cast<uint64_t>(b.at(k, n)) << bit;
          sum += (cfg.is_signed && bit == p - 1) ? ~term + 1u : term;
        }
      }
      break;
    }
    case BitserialMode::kParallel:
      for (int64_t k = k0; k < k1; ++k)
        sum += static_cast<uint64_t>(a.at(m, k)) * static_cast<uint64_t>(b.at(k, n));
      break;
  }
  return sum;
}

}  // namespace

Precision parse_precision(const config::BitserialConfig& cfg, const std::string& text) {
  Precision p;
  if (text.empty()) {
    p.bits = cfg.input_bits;
    return p;
  }
  if (text == "auto") {
    p.automatic = true;
    return p;
  }
  size_t used = 0;
  long long v = -1;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || used == 0 || v < 1 || v > static_cast<long long>(cfg.input_bits))
    throw InputError(
        fmt::format("--param precision={}: expected an integer 1..{} (input_bits, the "
                    "largest precision) or 'auto'",
                    text, cfg.input_bits));
  p.bits = static_cast<unsigned>(v);
  return p;
}

std::string to_string(const Precision& p) { return p.automatic ? "auto" : std::to_string(p.bits); }

unsigned needed_bits(int64_t v, bool is_signed) {
  if (is_signed) {
    const uint64_t mag = static_cast<uint64_t>(v < 0 ? ~v : v);
    return 1u + bit_length(mag);
  }
  const unsigned len = bit_length(static_cast<uint64_t>(v));
  return std::max(1u, len);
}

unsigned oneffset_cycles(const config::BitserialConfig& cfg, const uint64_t* patterns, size_t lanes) {
  unsigned most = 0;
  if (!cfg.two_stage_shift) {
    for (size_t l = 0; l < lanes; ++l)
      most = std::max(most, static_cast<unsigned>(__builtin_popcountll(patterns[l])));
    return most;
  }
  std::array<uint64_t, 64> pending{};  // lanes <= 64 (the configuration's limit)
  std::copy(patterns, patterns + lanes, pending.begin());
  const unsigned window = 1u << cfg.first_stage_bits;
  for (;;) {
    uint64_t lowest = 0;  // every lane's lowest pending bit
    for (size_t l = 0; l < lanes; ++l) lowest |= pending[l] & (~pending[l] + 1u);
    if (lowest == 0) return most;
    const unsigned base = static_cast<unsigned>(__builtin_ctzll(lowest));
    for (size_t l = 0; l < lanes; ++l) {
      uint64_t& m = pending[l];
      if (m != 0 && static_cast<unsigned>(__builtin_ctzll(m)) < base + window) m &= m - 1u;
    }
    ++most;
  }
}

unsigned brick_cycles(const config::BitserialConfig& cfg, const uint64_t* patterns, size_t lanes) {
  return std::max(1u, oneffset_cycles(cfg, patterns, lanes));
}

void check_operands(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b, const Precision& p,
                    bool job_limits) {
  if (a.shape.size() != 2)
    throw InputError("tensor A: expected a 2-D array [M, K], got shape " + shape_string(a.shape));
  if (b.shape.size() != 2)
    throw InputError("tensor B: expected a 2-D array [K, N], got shape " + shape_string(b.shape));
  if (a.shape[1] != b.shape[0])
    throw InputError(fmt::format("tensors A {} and B {}: inner dimensions differ (A is [M, K], B is [K, N])",
                                 shape_string(a.shape), shape_string(b.shape)));
  const auto limit = [job_limits](const char* what, int64_t v, unsigned max, const char* key) {
    if (v < 1 || (job_limits && v > static_cast<int64_t>(max)))
      throw InputError(fmt::format("{} = {}: expected 1..{} (bitserial.{})", what, v, max, key));
  };
  limit("M (rows of A)", a.shape[0], cfg.max_m, "max_m");
  limit("K (columns of A)", a.shape[1], cfg.max_k, "max_k");
  limit("N (columns of B)", b.shape[1], cfg.max_n, "max_n");
  check_weight_values(cfg, "B", b);
  check_activation_values(cfg, "A", a, p);
}

namespace {

// "[i, j, ...]": the position of flat element i of t.
std::string position(const Tensor& t, int64_t i) {
  std::vector<int64_t> at(t.shape.size());
  for (size_t d = t.shape.size(); d-- > 0;) {
    at[d] = i % t.shape[d];
    i /= t.shape[d];
  }
  return shape_string(at);
}

}  // namespace

void check_weight_values(const config::BitserialConfig& cfg, const std::string& name, const Tensor& w) {
  for (int64_t i = 0; i < w.size(); ++i) {
    const int64_t v = w.data[static_cast<size_t>(i)];
    if (!numerics::fits(v, cfg.weight_bits, true))
      throw InputError(fmt::format(
          "tensor {}: element {} = {} does not fit int{} (weight_bits {}, weights are signed) range {}..{}",
          name, position(w, i), v, cfg.weight_bits, cfg.weight_bits,
          numerics::min_value(cfg.weight_bits, true), numerics::max_value(cfg.weight_bits, true)));
  }
}

void check_activation_values(const config::BitserialConfig& cfg, const std::string& name, const Tensor& a,
                             const Precision& p) {
  const unsigned bits = p.automatic ? cfg.input_bits : p.bits;
  for (int64_t i = 0; i < a.size(); ++i) {
    const int64_t v = a.data[static_cast<size_t>(i)];
    if (!cfg.is_signed && v < 0)
      throw InputError(fmt::format(
          "tensor {}: element {} = {} is negative, but activations are unsigned (bitserial.signed: false)",
          name, position(a, i), v));
    if (!numerics::fits(v, bits, cfg.is_signed))
      throw InputError(
          fmt::format("tensor {}: element {} = {} does not fit the precision {} ({} range {}..{})", name,
                      position(a, i), v, bits, cfg.is_signed ? "signed" : "unsigned",
                      numerics::min_value(bits, cfg.is_signed), numerics::max_value(bits, cfg.is_signed)));
  }
}

double utilization(const config::BitserialConfig& cfg, uint64_t macs, uint64_t cycles) {
  const double peak = static_cast<double>(cfg.tile_rows) * cfg.tile_cols * cfg.lanes;
  return cycles == 0 ? 0.0 : static_cast<double>(macs) / (static_cast<double>(cycles) * peak);
}

unsigned step_cycles(const config::BitserialConfig& cfg, const Tensor& a, int64_t mt, int64_t kb,
                     const Precision& p) {
  const unsigned prec = step_precision(cfg, a, mt, kb, p);
  switch (cfg.mode) {
    case BitserialMode::kStripes:
      return prec;
    case BitserialMode::kPragmatic: {
      unsigned most = 1;
      for (unsigned r = 0; r < cfg.tile_rows; ++r)
        most = std::max(most, window_cycles(cfg, a, mt, r, kb, prec));
      return most;
    }
    case BitserialMode::kParallel:
      return 1;
  }
  return 1;
}

Result run_gemm(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b, const Precision& p) {
  const GemmShape s{a.shape[0], b.shape[1], a.shape[1]};
  const int64_t kbs = (s.k + cfg.lanes - 1) / cfg.lanes;
  Result res;
  res.c = Tensor({s.m, s.n});
  for (int64_t m = 0; m < s.m; ++m) {
    const int64_t mt = m / cfg.tile_rows;
    for (int64_t n = 0; n < s.n; ++n) {
      uint64_t acc = 0;
      for (int64_t kb = 0; kb < kbs; ++kb)
        acc += brick_sum(cfg, a, b, m, n, kb, step_precision(cfg, a, mt, kb, p));
      res.c.at(m, n) = numerics::wrap_signed(static_cast<int64_t>(acc), cfg.acc_bits);
    }
  }
  res.timing = job_timing(cfg, s, a, p);
  return res;
}

uint64_t synchronised_cycles(const config::BitserialConfig& cfg, const unsigned* costs, size_t bricks,
                             size_t rows) {
  uint64_t total = 0;
  if (!cfg.window_sync) {
    for (size_t kb = 0; kb < bricks; ++kb)
      total += *std::max_element(costs + kb * rows, costs + (kb + 1) * rows);
    return total;
  }
  // Cycles counted from the tile's first brick on the outputs (cycle 0).
  std::array<uint64_t, 64> free_at{};  // the cycle window r has finished its last brick; rows <= 64
  uint64_t on_outputs = 0;             // the cycle the brick is on the buffer outputs
  for (size_t kb = 0; kb < bricks; ++kb) {
    uint64_t last_start = 0;
    for (size_t r = 0; r < rows; ++r) {
      const uint64_t start = std::max(free_at[r], on_outputs);
      free_at[r] = start + costs[kb * rows + r];
      last_start = std::max(last_start, start);
    }
    on_outputs = last_start + 1;  // read in the cycle the last window starts this brick
  }
  for (size_t r = 0; r < rows; ++r) total = std::max(total, free_at[r]);
  return total;
}

bool cascaded(const config::BitserialConfig& cfg, int64_t m) { return cfg.cascade && m == 1; }

std::vector<unsigned> cascade_costs(const config::BitserialConfig& cfg, const Tensor& a, const Precision& p) {
  const int64_t kbs = (a.shape[1] + cfg.lanes - 1) / cfg.lanes;
  std::vector<unsigned> costs(static_cast<size_t>(kbs));
  for (int64_t kb = 0; kb < kbs; ++kb) costs[static_cast<size_t>(kb)] = step_cycles(cfg, a, 0, kb, p);
  return costs;
}

CascadeTiming::CascadeTiming(std::vector<unsigned> costs, uint64_t tiles, unsigned rows)
    : costs_(std::move(costs)),
      tiles_(tiles),
      bricks_(tiles * costs_.size()),
      rows_(rows),
      left_(rows, 0),
      tile_of_(rows, 0),
      ends_(rows, false) {}

bool CascadeTiming::step(bool bank_free) {
  const uint64_t nb = costs_.size();
  // The brick on the outputs starts on its window if that window is free.
  bool taken = false;
  if (active_) {
    const unsigned w = static_cast<unsigned>(cur_ % rows_);
    if (left_[w] == 0) {
      left_[w] = costs_[cur_ % nb];
      ends_[w] = cur_ % nb + rows_ >= nb;
      tile_of_[w] = cur_ / nb;
      taken = true;
    }
  }
  // The next brick is read in that cycle, unless it opens a third tile.
  const bool opens = next_ < bricks_ && next_ % nb == 0;
  const bool rd = next_ < bricks_ && (!active_ || taken) && !(opens && opened_ - captured_ == 2);
  // The windows in their brick's last cycle; those ending their share of a tile.
  for (unsigned w = 0; w < rows_; ++w) {
    if (left_[w] == 0) continue;
    if (--left_[w] == 0 && ends_[w]) --pending_[tile_of_[w] - captured_];
  }
  // The oldest open tile is captured once all its bricks are read and every share ended.
  const bool capture = captured_ < read_ && pending_.front() == 0 && bank_free;
  if (capture) {
    ++captured_;
    pending_.erase(pending_.begin());
  }
  if (rd) {
    if (opens) {
      ++opened_;
      pending_.push_back(0);
    }
    if (next_ % nb + rows_ >= nb) ++pending_[next_ / nb - captured_];
    if (next_ % nb + 1 == nb) ++read_;
    cur_ = next_++;
    active_ = true;
  } else if (taken) {
    active_ = false;
  }
  return capture;
}

Timing cascade_schedule(const config::BitserialConfig& cfg, const GemmShape& s,
                        const std::vector<unsigned>& costs) {
  Timing t;
  const auto ntiles = static_cast<uint64_t>((s.n + cfg.tile_cols - 1) / cfg.tile_cols);
  CascadeTiming c(costs, ntiles, cfg.tile_rows);
  uint64_t cycle = 0;
  while (!c.done()) {
    ++cycle;
    c.step(true);  // an always-ready consumer empties the one-row bank every cycle
  }
  t.cycles = cycle + 1;
  t.tiles = ntiles;
  t.steps = ntiles * costs.size();
  for (const unsigned c_kb : costs) t.step_cycles += ntiles * c_kb;
  t.macs = static_cast<uint64_t>(s.m) * static_cast<uint64_t>(s.n) * static_cast<uint64_t>(s.k);
  t.utilization = utilization(cfg, t.macs, t.cycles);
  return t;
}

Timing job_timing(const config::BitserialConfig& cfg, const GemmShape& s, const Tensor& a,
                  const Precision& p) {
  if (cascaded(cfg, s.m)) return cascade_schedule(cfg, s, cascade_costs(cfg, a, p));
  return schedule(cfg, s, [&](int64_t mt) { return tile_cycles(cfg, a, mt, p); });
}

uint64_t tile_cycles(const config::BitserialConfig& cfg, const Tensor& a, int64_t mt, const Precision& p) {
  const int64_t kbs = (a.shape[1] + cfg.lanes - 1) / cfg.lanes;
  if (cascaded(cfg, a.shape[0])) {  // one window: its bricks' window-cycles
    uint64_t total = 0;
    for (const unsigned c : cascade_costs(cfg, a, p)) total += c;
    return total;
  }
  if (cfg.mode == BitserialMode::kPragmatic) {  // each window's cycles, however they synchronise
    std::vector<unsigned> costs(static_cast<size_t>(kbs) * cfg.tile_rows);
    for (int64_t kb = 0; kb < kbs; ++kb) {
      const unsigned prec = step_precision(cfg, a, mt, kb, p);
      for (unsigned r = 0; r < cfg.tile_rows; ++r)
        costs[static_cast<size_t>(kb) * cfg.tile_rows + r] = window_cycles(cfg, a, mt, r, kb, prec);
    }
    return synchronised_cycles(cfg, costs.data(), static_cast<size_t>(kbs), cfg.tile_rows);
  }
  uint64_t total = 0;
  for (int64_t kb = 0; kb < kbs; ++kb) total += step_cycles(cfg, a, mt, kb, p);
  return total;
}

Tensor reference_gemm(const config::BitserialConfig& cfg, const Tensor& a, const Tensor& b) {
  Tensor c({a.shape[0], b.shape[1]});
  for (int64_t m = 0; m < a.shape[0]; ++m)
    for (int64_t n = 0; n < b.shape[1]; ++n) {
      __int128 sum = 0;
      for (int64_t k = 0; k < a.shape[1]; ++k) sum += static_cast<__int128>(a.at(m, k)) * b.at(k, n);
      c.at(m, n) = numerics::wrap_signed(static_cast<int64_t>(static_cast<uint64_t>(sum)), cfg.acc_bits);
    }
  return c;
}

}  // namespace dnngen::bitserial
