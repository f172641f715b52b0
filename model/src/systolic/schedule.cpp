#include "dnngen/systolic/schedule.hpp"

#include <algorithm>

#include "dnngen/common/numerics.hpp"

namespace dnngen::systolic {
namespace {

using numerics::ceil_div;

bool is_ws(const config::SystolicConfig& cfg) { return cfg.dataflow == config::Dataflow::kWeightStationary; }

// Fixed pipeline latencies of the RTL, from the first busy cycle of a tile (tile
// counter at phase 0, cycle 0) to the cycle its row 0 is on the result port:
//   WS: A request (1) + A read (1) + down the array and across it (R + C - 1, the
//       de-skew equalises columns) -> row m is on the port at t*D + m + R + C + 1.
//   OS: A/B read (1) + K steps and the trip to the right edge of row i (K - 1 + C + i)
//       -> row i is on the port at t*D + K + C + i.
// An event's cycle counts busy cycles up to and including its handshake: that + 1.
uint64_t ws_row0_offset(const config::SystolicConfig& cfg) { return cfg.rows + cfg.cols + 1; }
uint64_t os_row0_offset(const config::SystolicConfig& cfg, const GemmShape& s) {
  return static_cast<uint64_t>(s.k) + cfg.cols;
}

}  // namespace

DimSplit split_dim(int64_t dim, unsigned limit) {
  DimSplit s;
  const int64_t full = dim / limit, edge = dim % limit;
  if (full > 0) {
    s.size[s.parts] = limit;
    s.count[s.parts++] = static_cast<uint64_t>(full);
  }
  if (edge > 0) {
    s.size[s.parts] = edge;
    s.count[s.parts++] = 1;
  }
  return s;
}

uint64_t tile_period(const config::SystolicConfig& cfg, const GemmShape& s) {
  const uint64_t r = cfg.rows, c = cfg.cols;
  const uint64_t m = static_cast<uint64_t>(s.m), k = static_cast<uint64_t>(s.k);
  if (is_ws(cfg)) {
    // A port (M rows), B port (R weight rows), and reuse of a weight bank only after
    // the tile two back has left the array: 2D >= M + C - 1. D >= 2 keeps the
    // accumulator's read-modify-write of a row one tile apart from its next read.
    return std::max({m, r, (m + c) / 2, uint64_t{2}});
  }
  // OS: K steps per tile, R output rows per tile, result registers reused after C.
  return std::max({k, r, c});
}

uint64_t tile_count(const config::SystolicConfig& cfg, const GemmShape& s) {
  const auto m = static_cast<uint64_t>(s.m), n = static_cast<uint64_t>(s.n), k = static_cast<uint64_t>(s.k);
  if (is_ws(cfg)) return ceil_div(k, cfg.rows) * ceil_div(n, cfg.cols);
  return ceil_div(m, cfg.rows) * ceil_div(n, cfg.cols);
}

std::vector<OutputEvent> output_schedule(const config::SystolicConfig& cfg, const GemmShape& s) {
  std::vector<OutputEvent> events;
  const uint64_t d = tile_period(cfg, s);
  const int64_t r = cfg.rows, c = cfg.cols;
  if (is_ws(cfg)) {
    // Tiles: nt outer, kt inner; only the last K-tile of each column strip emits.
    const int64_t k_tiles = (s.k + r - 1) / r, n_tiles = (s.n + c - 1) / c;
    uint64_t t = 0;
    for (int64_t nt = 0; nt < n_tiles; ++nt) {
      for (int64_t kt = 0; kt < k_tiles; ++kt, ++t) {
        if (kt != k_tiles - 1) continue;
        for (int64_t m = 0; m < s.m; ++m)
          events.push_back({t * d + static_cast<uint64_t>(m) + ws_row0_offset(cfg) + 1, m, nt * c});
      }
    }
  } else {
    // Tiles: mt outer, nt inner; every tile emits its rows that lie inside M.
    const int64_t m_tiles = (s.m + r - 1) / r, n_tiles = (s.n + c - 1) / c;
    uint64_t t = 0;
    for (int64_t mt = 0; mt < m_tiles; ++mt) {
      for (int64_t nt = 0; nt < n_tiles; ++nt, ++t) {
        for (int64_t i = 0; i < r && mt * r + i < s.m; ++i)
          events.push_back(
              {t * d + os_row0_offset(cfg, s) + static_cast<uint64_t>(i) + 1, mt * r + i, nt * c});
      }
    }
  }
  return events;
}

CycleEstimate estimate(const config::SystolicConfig& cfg, const GemmShape& s) {
  CycleEstimate e;
  e.period = tile_period(cfg, s);
  e.tiles = tile_count(cfg, s);
  e.macs = static_cast<uint64_t>(s.m) * static_cast<uint64_t>(s.n) * static_cast<uint64_t>(s.k);
  const uint64_t last_tile_start = (e.tiles - 1) * e.period;
  if (is_ws(cfg)) {
    // Last row M-1 of the last tile.
    e.cycles = last_tile_start + static_cast<uint64_t>(s.m) - 1 + ws_row0_offset(cfg) + 1;
  } else {
    // Last valid row of the last M-tile: (M-1) mod R.
    const uint64_t last_row = static_cast<uint64_t>((s.m - 1) % cfg.rows);
    e.cycles = last_tile_start + os_row0_offset(cfg, s) + last_row + 1;
  }
  e.utilization = static_cast<double>(e.macs) / (static_cast<double>(e.cycles) * cfg.rows * cfg.cols);
  return e;
}

uint64_t scalesim_ws_cycles(uint64_t rows, uint64_t cols, const GemmShape& s) {
  const auto m = static_cast<uint64_t>(s.m), n = static_cast<uint64_t>(s.n), k = static_cast<uint64_t>(s.k);
  return ceil_div(k, rows) * ceil_div(n, cols) * (2 * rows + cols + m - 2) - 1;
}

uint64_t scalesim_os_cycles(uint64_t rows, uint64_t cols, const GemmShape& s) {
  const auto m = static_cast<uint64_t>(s.m), n = static_cast<uint64_t>(s.n), k = static_cast<uint64_t>(s.k);
  return ceil_div(m, rows) * ceil_div(n, cols) * (k + rows + cols - 2) - 1;
}

uint64_t scalesim_cycles(const config::SystolicConfig& cfg, const GemmShape& s) {
  return is_ws(cfg) ? scalesim_ws_cycles(cfg.rows, cfg.cols, s) : scalesim_os_cycles(cfg.rows, cfg.cols, s);
}

}  // namespace dnngen::systolic
