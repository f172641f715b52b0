// Toggle counts and duty per signal bit from an FST waveform, with GTKWave's fstapi
// (the copy Verilator ships, compiled into the model library).
#include "dnngen/eda/fst_activity.hpp"

#include <fmt/format.h>
#include <fstapi.h>

#include <filesystem>
#include <memory>

#include "dnngen/common/error.hpp"

namespace dnngen::eda {
namespace {

// Per FST handle: Verilator gives a signal seen under several names (a port and the
// net it connects) one handle, so the counting happens per handle.
struct HandleState {
  uint32_t width = 0;
  bool seen = false;  // the first value initialises, it is no toggle
  uint64_t last_time = 0;
  std::string value;  // MSB first, as fstapi delivers it
  std::vector<uint64_t> toggles;
  std::vector<uint64_t> time_at_one;
};

struct Counter {
  std::vector<HandleState> handles;  // indexed by fstHandle (1-based; 0 unused)
  fstHandle clock = 0;
  uint64_t rising_edges = 0;
};

// The time spent at the current value since the last change goes to the bits at 1.
void settle(HandleState& h, uint64_t time) {
  for (uint32_t i = 0; i < h.width; ++i) {
    if (h.value[i] == '1') h.time_at_one[h.width - 1 - i] += time - h.last_time;
  }
  h.last_time = time;
}

void on_change(void* user, uint64_t time, fstHandle handle, const unsigned char* value) {
  auto& counter = *static_cast<Counter*>(user);
  HandleState& h = counter.handles[handle];
  const char* v = reinterpret_cast<const char*>(value);
  if (!h.seen) {
    h.seen = true;
    h.value.assign(v, h.width);
    h.last_time = time;
    return;
  }
  settle(h, time);
  for (uint32_t i = 0; i < h.width; ++i) {
    if (h.value[i] == v[i]) continue;
    ++h.toggles[h.width - 1 - i];
    if (handle == counter.clock && v[i] == '1') ++counter.rising_edges;
    h.value[i] = v[i];
  }
}

// "acc_q [31:0]" -> ("acc_q", 0); "x [11:4]" -> ("x", 4); "bit" -> ("bit", 0).
std::pair<std::string, int64_t> split_range(const std::string& name) {
  const size_t open = name.rfind(" [");
  if (open == std::string::npos || name.back() != ']') return {name, 0};
  const size_t colon = name.find(':', open);
  const std::string lsb = colon == std::string::npos ? name.substr(open + 2, name.size() - open - 3)
                                                     : name.substr(colon + 1, name.size() - colon - 2);
  try {
    return {name.substr(0, open), std::stoll(lsb)};
  } catch (const std::exception&) {
    return {name, 0};
  }
}

bool is_bit_vector(unsigned char type) {
  return type != FST_VT_VCD_REAL && type != FST_VT_VCD_REAL_PARAMETER && type != FST_VT_SV_SHORTREAL &&
         type != FST_VT_GEN_STRING && type != FST_VT_VCD_EVENT;
}

using Reader = std::unique_ptr<void, void (*)(void*)>;

Reader open_reader(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError(fmt::format("FST file {} does not exist", path));
  Reader reader(fstReaderOpen(path.c_str()), fstReaderClose);
  if (!reader) throw InputError(fmt::format("{} is not a readable FST waveform", path));
  return reader;
}

// Walks the hierarchy: fills signals (one per name; handle per signal in `handle_of`),
// top scopes and the handle states; picks the shallowest 1-bit `clock`.
void read_hierarchy(void* reader, const std::string& clock, FstActivity& out,
                    std::vector<fstHandle>& handle_of, Counter& counter) {
  counter.handles.resize(fstReaderGetMaxHandle(reader) + 1);
  std::vector<std::string> scopes;
  size_t clock_depth = SIZE_MAX;
  fstReaderSetFacProcessMaskAll(reader);
  while (const fstHier* h = fstReaderIterateHier(reader)) {
    if (h->htyp == FST_HT_SCOPE) {
      const std::string name = scopes.empty() ? h->u.scope.name : scopes.back() + "." + h->u.scope.name;
      if (scopes.size() == 1) out.top_scopes.push_back(name);
      scopes.push_back(name);
    } else if (h->htyp == FST_HT_UPSCOPE && !scopes.empty()) {
      scopes.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      const fstHandle handle = h->u.var.handle;
      if (!is_bit_vector(h->u.var.typ)) {
        fstReaderClrFacProcessMask(reader, handle);
        continue;
      }
      const auto [leaf, lsb] = split_range(h->u.var.name);
      SignalActivity s;
      s.name = scopes.empty() ? leaf : scopes.back() + "." + leaf;
      s.lsb = lsb;
      HandleState& state = counter.handles[handle];
      state.width = h->u.var.length;
      state.toggles.assign(state.width, 0);
      state.time_at_one.assign(state.width, 0);
      if (leaf == clock && state.width == 1 && scopes.size() < clock_depth) {
        clock_depth = scopes.size();
        counter.clock = handle;
        out.clock = s.name;
      }
      out.signals.push_back(std::move(s));
      handle_of.push_back(handle);
    }
  }
}

}  // namespace

FstActivity read_fst_activity(const std::string& path, const std::string& clock) {
  Reader reader = open_reader(path);
  FstActivity out;
  out.path = path;
  out.start_time = fstReaderGetStartTime(reader.get());
  out.end_time = fstReaderGetEndTime(reader.get());
  out.timescale = fstReaderGetTimescale(reader.get());
  std::vector<fstHandle> handle_of;
  Counter counter;
  read_hierarchy(reader.get(), clock, out, handle_of, counter);
  if (counter.clock == 0)
    throw InputError(fmt::format("FST file {} has no 1-bit signal named {}", path, clock));
  if (fstReaderIterBlocks(reader.get(), on_change, &counter, nullptr) == 0) {
    throw InputError(
        fmt::format("FST file {}: its value changes cannot be read (truncated or corrupt?)", path));
  }
  if (counter.rising_edges == 0)
    throw InputError(fmt::format("FST file {}: the clock {} never rises", path, out.clock));
  out.clock_cycles = counter.rising_edges;
  const double span = static_cast<double>(out.end_time - out.start_time);
  for (size_t i = 0; i < out.signals.size(); ++i) {
    HandleState& h = counter.handles[handle_of[i]];
    if (h.seen) settle(h, out.end_time);
    SignalActivity& s = out.signals[i];
    s.toggles = h.toggles;
    s.duty.resize(h.width);
    for (uint32_t b = 0; b < h.width; ++b)
      s.duty[b] = span > 0 ? static_cast<double>(h.time_at_one[b]) / span : 0.0;
  }
  return out;
}

}  // namespace dnngen::eda
