#pragma once
// Ring buffers of the row-stationary engine (systolic.buffers: ring; docs/row_stationary.md,
// "Ring buffers"). The ifmap and filter buffers hold the words in the order the sequencer
// reads them, one entry a read (a row read again is written again), word n of a stream in
// entry n mod depth: a job's ifmap and filters need not fit, they stream in while it runs.
// Here: the two read streams, the loader that feeds them (the kernel harness's, one word a
// cycle) and the cycle model of a job whose core freezes at a read not yet in.
#include <cstdint>
#include <vector>

#include "dnngen/common/bit_words.hpp"
#include "dnngen/row_stationary/rs_model.hpp"

namespace dnngen::rs {

// One buffer read: the busy cycle it is issued in plus one (as ifmap_reads / filter_reads:
// the core's own cycle count when it reads) and the word: ifmap row c*H + y, or the
// filter word's address in pack()'s layout (filter group, row fold, filter).
struct BufferRead {
  uint64_t cycle = 0, addr = 0;
};
struct ReadStreams {
  std::vector<BufferRead> ifmap, filter;
};

// Every buffer read of the job, in order, on the unstalled schedule: per pass its ifmap
// rows inside the input (the multicast walk; padding rows are not reads) and its filters'
// words, every E-fold again.
ReadStreams read_streams(const config::RowStationaryConfig& cfg, const ConvJob& job);

// Every step of the job's load walk (dnn_rs_load_walk), pass after pass: the ifmap row
// c*H + y it reads, or -1 for a zero row (padding). Its reads are the ifmap stream; the
// shell walks a copy of it, a step a cycle, to read the stream from memory.
std::vector<int64_t> load_walk(const config::RowStationaryConfig& cfg, const ConvJob& job);

// Seeded cycles in which something is held back: the rings' loader (cosim --gaps) or the
// consumer of the results (--ready below 1). Cycle t (counted from the job's accept edge)
// is held when a hash of (seed, t) falls below p, so the harness and the model draw the
// same cycles without sharing a generator.
struct HeldCycles {
  double p = 0.0;
  uint64_t seed = 0;
  bool held(uint64_t cycle) const;
};

// The loader of the rings: before the job the first min(depth, reads) words of each
// stream; while it runs one word a cycle (none in a held cycle), the next ifmap word when
// its entry is free (the stream's reads have passed word n - depth), else the next filter
// word likewise. Never deadlocks: the core reads each stream in order, so the word it
// waits for is the stream's next, and its entry is free.
class RingFeed {
 public:
  enum class Pick { kNone, kIfmap, kFilter };
  RingFeed(const config::RowStationaryConfig& cfg, const ReadStreams& streams, HeldCycles gaps = {});
  // Words written so far (what dnn_rs_top's if_avail_i / fw_avail_i say).
  uint64_t ifmap_written() const { return ifmap_written_; }
  uint64_t filter_written() const { return filter_written_; }
  // The word to write in cycle `cycle` of a job whose core has done these reads (its
  // if_reads_o, fw_reads_o), and the write itself.
  Pick pick(uint64_t cycle, uint64_t ifmap_reads, uint64_t filter_reads) const;
  void wrote(Pick p);
  void set_gaps(HeldCycles gaps) { gaps_ = gaps; }

 private:
  uint64_t ifmap_depth_, filter_depth_, ifmap_total_, filter_total_;
  uint64_t ifmap_written_ = 0, filter_written_ = 0;
  HeldCycles gaps_;
};

// The loader words of a ring job: `words` is pack()'s output; the result holds, per stream,
// the word each read needs, in read order (LoadWord::addr: the ring entry).
struct RingWords {
  std::vector<LoadWord> ifmap, filter;
};
RingWords ring_words(const config::RowStationaryConfig& cfg, const ConvJob& job, const ReadStreams& streams,
                     const std::vector<LoadWord>& words);

// The job's output events with RingFeed loading the rings (held in `gaps`' cycles), the
// core frozen in a cycle whose ifmap or filter read finds its word not written (its result
// is not offered then) or whose result the consumer does not take (in `unready`'s cycles):
// the cycle-exact model of dnn_rs_top with RingBuffers = 1 and the kernel harness.
// `waits`: the cycles frozen for a word (`filter_waits` of them for a filter word),
// `stalls` for the consumer.
struct RingSchedule {
  std::vector<OutEvent> events;
  uint64_t cycles = 0, waits = 0, filter_waits = 0, stalls = 0;
};
RingSchedule ring_schedule(const config::RowStationaryConfig& cfg, const ConvJob& job, HeldCycles gaps = {},
                           HeldCycles unready = {});

// The bytes the two streams carry from memory (what a writer behind the rings reads, each
// re-read included): an ifmap row W * input_bits, a filter word its row fold's filter rows
// (S * weight_bits each), both rounded up to whole bytes.
uint64_t stream_bytes(const config::RowStationaryConfig& cfg, const ConvJob& job);

// estimate(), with ring buffers its cycles and utilization those of ring_schedule().
Timing job_timing(const config::RowStationaryConfig& cfg, const ConvJob& job, HeldCycles gaps = {});

// What a job's cycle figure leaves out, for the printed summaries: "compute only" (every
// word in its buffer before the job), or the rings' one-word-a-cycle loader and no DRAM.
const char* cycles_scope(const config::RowStationaryConfig& cfg);

}  // namespace dnngen::rs
