// Row-stationary ring buffers (systolic.buffers: ring): the key, the read streams against
// the schedule's reads, the loader and the cycle model of a core that waits for words.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "dnngen/common/error.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/row_stationary/ring.hpp"
#include "dnngen/row_stationary/rs_model.hpp"
#include "dnngen/row_stationary/shell_layer.hpp"
#include "dnngen/row_stationary/shell_timing.hpp"

namespace dnngen::rs {
namespace {

config::RowStationaryConfig ring_config(unsigned ifmap_rows, unsigned filter_words, unsigned rows = 4,
                                        unsigned cols = 4, const std::string& buffers = "ring") {
  const std::string yaml =
      "name: t\nengine: systolic\nsystolic:\n  rows: " + std::to_string(rows) +
      "\n  cols: " + std::to_string(cols) +
      "\n  dataflow: row_stationary\n  input_bits: 8\n  weight_bits: 8\n  acc_bits: 32\n  signed: true\n"
      "  overflow: wrap\n  max_filter_size: 11\n  filter_spad: 11\n  ifmap_spad: 32\n  psum_spad: 64\n"
      "  buffers: " +
      buffers + "\n  ifmap_rows: " + std::to_string(ifmap_rows) +
      "\n  filter_words: " + std::to_string(filter_words) + "\n";
  return config::parse_config(yaml, "t.yaml").row_stationary;
}

ConvJob draw(std::mt19937_64& rng) {
  const auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  ConvJob j;
  j.r = pick(1, 11);
  j.s = pick(1, 11);
  j.stride = pick(1, 4);
  j.pad = pick(0, 3);
  j.w = pick(std::max<int64_t>(1, j.s - 2 * j.pad), 32);
  j.h = pick(std::max<int64_t>(1, j.r - 2 * j.pad), 30);
  j.c = pick(1, 40);  // C*H up to 1,200 rows: far past the rings
  j.k = pick(1, 12);
  return j;
}

TEST(RsRing, KeyLiftsTheBufferLimits) {
  const auto ring = ring_config(8, 4);
  EXPECT_TRUE(ring.ring_buffers);
  EXPECT_FALSE(ring_config(512, 512, 4, 4, "whole").ring_buffers);
  std::string e;
  try {
    ring_config(8, 4, 4, 4, "rings");
  } catch (const InputError& err) {
    e = err.what();
  }
  EXPECT_NE(e.find("systolic.buffers"), std::string::npos) << e;
  EXPECT_NE(e.find("ring"), std::string::npos) << e;
  // 40 channels of 20 rows and 200 filters: far past 8 rows and 4 words, yet a job.
  const ConvJob big{40, 20, 20, 200, 3, 3, 1, 0};
  EXPECT_NO_THROW(plan(ring, big));
  EXPECT_THROW(plan(ring_config(512, 512, 4, 4, "whole"), big), InputError);
}

// Every read in order: the ifmap stream's first reads of each row are ifmap_reads(), its
// length the passes' buffer reads; the filter stream is pack()'s words once per E-fold,
// its E-fold 0 cycles filter_reads().
TEST(RsRing, StreamsAreTheSchedulesReads) {
  std::mt19937_64 rng(11);
  for (const auto& [rows, cols] : {std::pair{4u, 4u}, {3u, 5u}, {12u, 14u}}) {
    const auto cfg = ring_config(8, 4, rows, cols);
    for (int i = 0; i < 60; ++i) {
      const ConvJob j = draw(rng);
      Plan p;
      try {
        p = plan(cfg, j);
      } catch (const InputError&) {
        continue;
      }
      const ReadStreams s = read_streams(cfg, j);
      uint64_t buffer_reads = 0;
      for (const PassStart& ps : pass_starts(cfg, j))
        buffer_reads += pass_loads(cfg, j, p, ps.eo, ps.q).buffer_reads;
      ASSERT_EQ(s.ifmap.size(), buffer_reads);
      std::vector<IfmapRead> first;
      for (const BufferRead& r : s.ifmap)
        if (first.empty() || r.addr > first.back().addr) first.push_back({r.cycle, r.addr});
      const auto want = ifmap_reads(cfg, j);
      ASSERT_LE(want.size(), first.size());
      for (size_t n = 0; n < want.size(); ++n) {
        EXPECT_EQ(first[n].addr, want[n].addr);
        EXPECT_EQ(first[n].cycle, want[n].cycle);
      }
      const auto words = static_cast<uint64_t>(j.k * p.nq);
      ASSERT_EQ(s.filter.size(), words * static_cast<uint64_t>(p.ne));
      const auto f0 = filter_reads(cfg, j);
      for (size_t n = 0; n < s.filter.size(); ++n) {
        EXPECT_EQ(s.filter[n].addr, n % words) << n;
        if (n < f0.size()) EXPECT_EQ(s.filter[n].cycle, f0[n]);
        if (n > 0) EXPECT_GT(s.filter[n].cycle, s.filter[n - 1].cycle);
      }
      for (size_t n = 1; n < s.ifmap.size(); ++n) EXPECT_GT(s.ifmap[n].cycle, s.ifmap[n - 1].cycle);
    }
  }
}

// Rings that hold the whole streams are loaded before the job: the schedule exactly. Small
// rings: the same events in order, each later by the waits before it, and the job longer
// by all of them (a wait freezes the whole core); depth 1 still finishes (no deadlock).
TEST(RsRing, WaitsDelayTheScheduleAndNeverDeadlock) {
  std::mt19937_64 rng(5);
  uint64_t jobs = 0, waited = 0;
  for (const auto& [ifmap_rows, filter_words] : {std::pair{1u, 1u}, {2u, 1u}, {8u, 4u}, {64u, 64u}}) {
    const auto cfg = ring_config(ifmap_rows, filter_words);
    const auto huge = ring_config(1u << 16, 1u << 16);  // holds every stream here
    for (int i = 0; i < 60; ++i) {
      const ConvJob j = draw(rng);
      try {
        plan(cfg, j);
      } catch (const InputError&) {
        continue;
      }
      const auto events = schedule(cfg, j);
      const ReadStreams s = read_streams(cfg, j);
      ASSERT_LE(std::max(s.ifmap.size(), s.filter.size()), size_t{1} << 16);
      const RingSchedule whole = ring_schedule(huge, j);
      EXPECT_EQ(whole.waits, 0u);
      ASSERT_EQ(whole.events.size(), events.size());
      for (size_t n = 0; n < events.size(); ++n) EXPECT_EQ(whole.events[n].cycle, events[n].cycle);
      const RingSchedule r = ring_schedule(cfg, j);
      ASSERT_EQ(r.events.size(), events.size());
      EXPECT_EQ(r.cycles, events.back().cycle + r.waits);
      for (size_t n = 0; n < events.size(); ++n) {
        EXPECT_EQ(r.events[n].k, events[n].k);
        EXPECT_EQ(r.events[n].f, events[n].f);
        EXPECT_GE(r.events[n].cycle, events[n].cycle);
        if (n > 0)
          EXPECT_GE(r.events[n].cycle - events[n].cycle, r.events[n - 1].cycle - events[n - 1].cycle);
      }
      EXPECT_EQ(job_timing(cfg, j).cycles, r.cycles);
      ++jobs;
      waited += r.waits > 0;
    }
  }
  EXPECT_GT(jobs, 150u);
  EXPECT_GT(waited, jobs / 4);  // the small rings do make the core wait
}

// The loader: both rings filled before the job; then a word a cycle, the ifmap ring first,
// only into a free entry, never past a stream's end.
TEST(RsRing, FeedWritesOnlyFreeEntries) {
  const auto cfg = ring_config(3, 2);
  ReadStreams s;
  s.ifmap.resize(5);
  s.filter.resize(1);
  RingFeed feed(cfg, s);
  EXPECT_EQ(feed.ifmap_written(), 3u);
  EXPECT_EQ(feed.filter_written(), 1u);
  EXPECT_EQ(feed.pick(1, 0, 0), RingFeed::Pick::kNone);  // ifmap ring full, the filter stream done
  EXPECT_EQ(feed.pick(2, 1, 0), RingFeed::Pick::kIfmap);
  feed.wrote(RingFeed::Pick::kIfmap);
  EXPECT_EQ(feed.pick(3, 1, 1), RingFeed::Pick::kNone);
  EXPECT_EQ(feed.pick(4, 4, 1), RingFeed::Pick::kIfmap);
  feed.wrote(RingFeed::Pick::kIfmap);
  EXPECT_EQ(feed.pick(5, 5, 1), RingFeed::Pick::kNone);  // all 5 written
}

// What the streams carry from memory. With R = 4 on 4 rows each row fold is one channel:
// one E-fold and one filter group read every ifmap row and every filter row once (C*H rows
// of W bytes, K*C*R*S weights); a second filter group reads the ifmap again, a second
// E-fold the filters again and the rows both E-folds' windows cover. A channel split
// across two folds reads the rows both folds need twice (R = 3: 6 rows more).
TEST(RsRing, StreamBytesCountEveryReRead) {
  const auto cfg = ring_config(8, 4);  // 4 x 4, int8, psum_spad 64
  EXPECT_EQ(stream_bytes(cfg, {5, 7, 7, 3, 4, 3, 1, 0}), 5u * 7 * 7 + 3u * 5 * 4 * 3);  // E 4, F 5: kg 3
  // 13 filters: groups of 12 and 1 (psum_spad 64 / F 5), so the rows are read twice.
  EXPECT_EQ(stream_bytes(cfg, {5, 7, 7, 13, 4, 3, 1, 0}), 2u * 5 * 7 * 7 + 13u * 5 * 4 * 3);
  // H 11: E 8, two E-folds of rows 0-6 and 4-10; the filters twice.
  EXPECT_EQ(stream_bytes(cfg, {5, 11, 7, 3, 4, 3, 1, 0}), 5u * (11 + 3) * 7 + 2u * 3 * 5 * 4 * 3);
  EXPECT_EQ(stream_bytes(cfg, {5, 6, 7, 3, 3, 3, 1, 0}), (5u * 6 + 6) * 7 + 3u * 5 * 3 * 3);
}

// The shell's copy of the load walk: its reads, in order, are the ifmap stream.
TEST(RsRing, LoadWalkReadsAreTheIfmapStream) {
  std::mt19937_64 rng(11);
  const auto cfg = ring_config(3, 2, 3, 5);
  for (int i = 0; i < 40; ++i) {
    const ConvJob j = draw(rng);
    std::vector<uint64_t> reads;
    for (const int64_t row : load_walk(cfg, j))
      if (row >= 0) reads.push_back(static_cast<uint64_t>(row));
    const ReadStreams s = read_streams(cfg, j);
    ASSERT_EQ(reads.size(), s.ifmap.size());
    for (size_t n = 0; n < reads.size(); ++n) ASSERT_EQ(reads[n], s.ifmap[n].addr) << "read " << n;
  }
}

// Behind the shell, rings take layers past ifmap_rows and filter_words; OUT_C is bounded
// by max_filters (its bias and scale tables: default filter_words, so whole buffers are
// unchanged), and the cycle model runs such a layer with every word read from memory.
TEST(RsRing, ShellTakesLayersPastTheBuffersNotPastItsTables) {
  auto key = [](const std::string& extra) {
    const std::string yaml =
        "name: t\nengine: systolic\nsystolic:\n  rows: 4\n  cols: 4\n  dataflow: row_stationary\n"
        "  input_bits: 8\n  weight_bits: 8\n  acc_bits: 32\n  signed: true\n  overflow: wrap\n"
        "  max_filter_size: 3\n  filter_spad: 3\n  ifmap_spad: 16\n  psum_spad: 64\n  buffers: ring\n"
        "  ifmap_rows: 4\n  filter_words: 3\n" +
        extra;
    return config::parse_config(yaml, "t.yaml");
  };
  EXPECT_EQ(key("").row_stationary.max_filters, 3u);
  EXPECT_EQ(key("  max_filters: 20\n").row_stationary.max_filters, 20u);
  // The shell's tile ring: 2 x psum_spad words unless set, and never below psum_spad.
  EXPECT_EQ(key("").row_stationary.tile_words, 128u);
  EXPECT_EQ(key("  tile_words: 64\n").row_stationary.tile_words, 64u);
  for (const char* bad : {"  max_filters: 0\n", "  max_filters: 65536\n", "  tile_words: 63\n"}) {
    std::string e;
    try {
      key(bad);
    } catch (const InputError& err) {
      e = err.what();
    }
    const std::string name =
        std::string(bad).find("tile") != std::string::npos ? "systolic.tile_words" : "systolic.max_filters";
    EXPECT_NE(e.find(name), std::string::npos) << bad << ": " << e;
  }
  ShellParams p = shell_params(key("  max_filters: 20\n"));
  LayerDescriptor d;
  d.op = "conv2d";
  d.chw = true;
  d.in_c = 6, d.in_h = 9, d.in_w = 9, d.out_c = 20, d.r = d.s = 3, d.stride_y = d.stride_x = 1;
  d.pad_y = d.pad_x = 1;
  d.out_type = "int32";
  d.a_addr = 0x1000, d.b_addr = 0x8000, d.out_addr = 0x10000;
  EXPECT_EQ(check_descriptor(p, d), 0u) << explain_descriptor(p, d).why;  // C*H 54 > 4, 40 words > 3
  const ShellTiming t = layer_cycles(p, d, 20, 8.0);
  // Both streams from memory: every ifmap read a row of 9 bytes, every filter read a word.
  EXPECT_GE(t.bytes_read, stream_bytes(p.rs, conv_job(d)));
  EXPECT_GT(t.cycles, t.core_cycles);
  d.out_c = 21;
  const DescriptorCheck c = explain_descriptor(p, d);
  EXPECT_EQ(c.code, check_descriptor(p, d));
  EXPECT_NE(c.why.find("systolic.max_filters = 20"), std::string::npos) << c.why;
}

}  // namespace
}  // namespace dnngen::rs
