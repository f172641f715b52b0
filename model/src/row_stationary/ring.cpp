// Ring buffers of the row-stationary engine (dnngen/row_stationary/ring.hpp).
#include "dnngen/row_stationary/ring.hpp"

#include <algorithm>

namespace dnngen::rs {

bool HeldCycles::held(uint64_t cycle) const {
  if (p <= 0.0) return false;
  uint64_t z = seed + cycle * 0x9e3779b97f4a7c15ull;  // splitmix64's finalizer
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53 < p;
}

RingFeed::RingFeed(const config::RowStationaryConfig& cfg, const ReadStreams& streams, HeldCycles gaps)
    : ifmap_depth_(cfg.ifmap_rows),
      filter_depth_(cfg.filter_words),
      ifmap_total_(streams.ifmap.size()),
      filter_total_(streams.filter.size()),
      ifmap_written_(std::min(ifmap_depth_, ifmap_total_)),
      filter_written_(std::min(filter_depth_, filter_total_)),
      gaps_(gaps) {}

RingFeed::Pick RingFeed::pick(uint64_t cycle, uint64_t ifmap_reads, uint64_t filter_reads) const {
  if (gaps_.held(cycle)) return Pick::kNone;
  if (ifmap_written_ < ifmap_total_ && ifmap_written_ < ifmap_reads + ifmap_depth_) return Pick::kIfmap;
  if (filter_written_ < filter_total_ && filter_written_ < filter_reads + filter_depth_) return Pick::kFilter;
  return Pick::kNone;
}

void RingFeed::wrote(Pick p) {
  if (p == Pick::kIfmap) ++ifmap_written_;
  if (p == Pick::kFilter) ++filter_written_;
}

RingWords ring_words(const config::RowStationaryConfig& cfg, const ConvJob& j, const ReadStreams& streams,
                     const std::vector<LoadWord>& words) {
  RingWords r;
  const auto ifmap_words = static_cast<uint64_t>(j.c * j.h);  // pack(): the ifmap rows first
  const auto take = [](const std::vector<BufferRead>& reads, uint64_t offset, uint64_t depth,
                       const std::vector<LoadWord>& from, std::vector<LoadWord>& to) {
    to.reserve(reads.size());
    for (size_t n = 0; n < reads.size(); ++n) {
      LoadWord w = from.at(static_cast<size_t>(offset + reads[n].addr));
      w.addr = static_cast<uint32_t>(n % depth);
      to.push_back(std::move(w));
    }
  };
  take(streams.ifmap, 0, cfg.ifmap_rows, words, r.ifmap);
  take(streams.filter, ifmap_words, cfg.filter_words, words, r.filter);
  return r;
}

RingSchedule ring_schedule(const config::RowStationaryConfig& cfg, const ConvJob& j, HeldCycles gaps,
                           HeldCycles unready) {
  const ReadStreams streams = read_streams(cfg, j);
  const std::vector<OutEvent> events = schedule(cfg, j);
  RingFeed feed(cfg, streams, gaps);
  RingSchedule r;
  r.events.reserve(events.size());
  // Cycle t after the accept edge; the core is at its own busy cycle `at` of the unstalled
  // schedule and advances unless a read of this cycle finds its word not written. Reads
  // and writes of cycle t are seen (counts, avail) from cycle t + 1.
  size_t ir = 0, fr = 0, ev = 0;
  uint64_t at = 1;
  for (uint64_t t = 1; ev < events.size(); ++t) {
    const bool iread = ir < streams.ifmap.size() && streams.ifmap[ir].cycle == at;
    const bool fread = fr < streams.filter.size() && streams.filter[fr].cycle == at;
    const bool fwait = fread && fr >= feed.filter_written();
    const bool wait = (iread && ir >= feed.ifmap_written()) || fwait;
    const RingFeed::Pick pick = feed.pick(t, ir, fr);
    const bool offered = !wait && events[ev].cycle == at;
    if (wait) {
      ++r.waits;
      r.filter_waits += fwait;
    } else if (offered && unready.held(t)) {
      ++r.stalls;
    } else {
      ir += iread;
      fr += fread;
      if (offered) {
        OutEvent e = events[ev++];
        e.cycle = t;
        r.events.push_back(e);
      }
      ++at;
    }
    feed.wrote(pick);
    r.cycles = t;
  }
  return r;
}

uint64_t stream_bytes(const config::RowStationaryConfig& cfg, const ConvJob& j) {
  const Plan p = plan(cfg, j);
  const ReadStreams s = read_streams(cfg, j);
  const auto bytes = [](int64_t bits) { return static_cast<uint64_t>((bits + 7) / 8); };
  uint64_t total = s.ifmap.size() * bytes(j.w * cfg.input_bits);
  // The row fold of a filter word at pack()'s address: groups of kg filters, fold-major.
  const auto fold_of = [&](uint64_t addr) {
    const auto kg = static_cast<uint64_t>(p.kg), nq = static_cast<uint64_t>(p.nq);
    const uint64_t k0 = addr / (kg * nq) * kg,
                   in_group = std::min<uint64_t>(kg, static_cast<uint64_t>(j.k) - k0);
    return static_cast<int64_t>((addr - k0 * nq) / in_group);
  };
  for (const BufferRead& r : s.filter) {
    const int64_t q = fold_of(r.addr);
    const int64_t slots = std::min<int64_t>(cfg.rows, j.c * j.r - q * cfg.rows);
    total += bytes(slots * j.s * cfg.weight_bits);
  }
  return total;
}

Timing job_timing(const config::RowStationaryConfig& cfg, const ConvJob& j, HeldCycles gaps) {
  Timing t = estimate(cfg, j);
  if (!cfg.ring_buffers) return t;
  t.cycles = ring_schedule(cfg, j, gaps).cycles;
  t.utilization = static_cast<double>(t.macs) / (static_cast<double>(t.cycles) * cfg.rows * cfg.cols);
  return t;
}

const char* cycles_scope(const config::RowStationaryConfig& cfg) {
  return cfg.ring_buffers ? "ring buffers fed a word a cycle, no DRAM" : "compute only";
}

}  // namespace dnngen::rs
