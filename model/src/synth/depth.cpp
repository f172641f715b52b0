// Logic depth: gates on the longest combinational path of the synthesized design.
//
// Equivalent to Yosys `ltp -noff` on the flattened design (unit delay per generic
// cell, flip-flops and latches cut paths, SRAM macros read synchronously so they cut
// paths too) but computed hierarchically: each module is analysed once and summarised
// by a timing model of its ports, so the cost grows with the number of distinct
// modules, not with the number of PEs. `flatten; ltp` on a 32x32 array takes over a
// minute and 4 GB; this takes about a second.
#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>

#include "dnngen/synth/area.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth::detail {
namespace {

constexpr int kNone = std::numeric_limits<int>::min() / 4;

struct TimingModel {
  std::vector<int> out_src;  // per output bit: longest path from a source inside, or kNone
  std::vector<std::vector<std::pair<int, int>>> in_to_out;  // per input bit: (output bit, length)
  std::vector<int> in_reach;  // per input bit: longest path from it to anywhere inside
  int src_max = kNone;        // longest path from sources inside, anywhere inside
  bool has_loop = false;

  int depth() const {
    int d = std::max(src_max, 0);
    for (int r : in_reach) d = std::max(d, r);
    return d;
  }
};

struct PortBits {
  std::vector<int64_t> inputs;   // JSON bit ids of all input bits, port order
  std::vector<int64_t> outputs;  // likewise for outputs
};

PortBits port_bits(const NetModule& mod) {
  PortBits pb;
  for (const auto& p : mod.ports) {
    auto& dst = (p.direction == "input") ? pb.inputs : pb.outputs;
    dst.insert(dst.end(), p.bits.begin(), p.bits.end());
    if (p.direction == "inout") pb.inputs.insert(pb.inputs.end(), p.bits.begin(), p.bits.end());
  }
  return pb;
}

// A cell's connections split into input and output bits, in the child's port order
// for module instances.
void cell_bits(const NetCell& cell, const NetModule* child, std::vector<int64_t>& in,
               std::vector<int64_t>& out) {
  if (child != nullptr) {
    for (const auto& port : child->ports) {
      for (const auto& [name, bits] : cell.connections) {
        if (name != port.name) continue;
        auto& dst = (port.direction == "input") ? in : out;
        dst.insert(dst.end(), bits.begin(), bits.end());
        if (port.direction == "inout") in.insert(in.end(), bits.begin(), bits.end());
      }
    }
    return;
  }
  for (const auto& [name, bits] : cell.connections) {
    auto it = cell.directions.find(name);
    const std::string dir = it != cell.directions.end()    ? it->second
                            : (name == "Y" || name == "Q") ? "output"
                                                           : "input";
    auto& dst = (dir == "output") ? out : in;
    dst.insert(dst.end(), bits.begin(), bits.end());
  }
}

class DepthGraph {
 public:
  int node(int64_t bit) {
    if (bit == kConstBit) return -1;
    auto [it, inserted] = index_.emplace(bit, static_cast<int>(succ_.size()));
    if (inserted) {
      succ_.emplace_back();
      init_.push_back(kNone);
      sinkoff_.push_back(0);
      indegree_.push_back(0);
    }
    return it->second;
  }
  void edge(int from, int to, int weight) {
    if (from < 0 || to < 0) return;
    succ_[from].emplace_back(to, weight);
    ++indegree_[to];
  }
  void source(int n, int level) {
    if (n >= 0) init_[n] = std::max(init_[n], level);
  }
  void sink(int n, int reach) {
    if (n >= 0) sinkoff_[n] = std::max(sinkoff_[n], reach);
  }
  void extra(int level) { extra_ = std::max(extra_, level); }

  TimingModel solve(const PortBits& ports) {
    TimingModel model;
    std::vector<int> in_nodes, out_nodes;
    for (int64_t b : ports.inputs) in_nodes.push_back(node(b));
    for (int64_t b : ports.outputs) out_nodes.push_back(node(b));
    const size_t n = succ_.size();
    std::vector<char> is_input(n, 0);
    for (int v : in_nodes) {
      if (v >= 0) is_input[v] = 1;
    }
    topo_sort();
    model.has_loop = order_.size() != n;

    // Levels from sources inside: undriven bits (flip-flop outputs, macro outputs,
    // bits driven only by constants) start at 0, submodule outputs at their own level.
    std::vector<int> level(n, kNone);
    model.src_max = extra_;
    for (int v : order_) {
      if (indegree_[v] == 0 && !is_input[v]) level[v] = std::max(level[v], 0);
      level[v] = std::max(level[v], init_[v]);
      if (level[v] == kNone) continue;
      model.src_max = std::max(model.src_max, level[v] + sinkoff_[v]);
      for (const auto& [s, w] : succ_[v]) level[s] = std::max(level[s], level[v] + w);
    }
    for (int v : out_nodes) model.out_src.push_back(v >= 0 ? level[v] : 0);

    std::vector<std::vector<int>> outputs_at(n);
    for (size_t o = 0; o < out_nodes.size(); ++o) {
      if (out_nodes[o] >= 0) outputs_at[out_nodes[o]].push_back(static_cast<int>(o));
    }
    std::vector<int> dist(n, kNone);
    for (int u : in_nodes) {
      model.in_to_out.emplace_back();
      model.in_reach.push_back(0);
      if (u < 0 || position_[u] < 0) continue;
      const std::vector<int> reached = reachable_in_order(u);
      dist[u] = 0;
      for (int v : reached) {
        if (dist[v] == kNone) continue;
        model.in_reach.back() = std::max(model.in_reach.back(), dist[v] + sinkoff_[v]);
        for (int o : outputs_at[v]) model.in_to_out.back().emplace_back(o, dist[v]);
        for (const auto& [s, w] : succ_[v]) dist[s] = std::max(dist[s], dist[v] + w);
      }
      for (int v : reached) dist[v] = kNone;
    }
    return model;
  }

 private:
  void topo_sort() {
    const size_t n = succ_.size();
    std::vector<int> remaining = indegree_;
    position_.assign(n, -1);
    order_.clear();
    for (size_t v = 0; v < n; ++v) {
      if (remaining[v] == 0) order_.push_back(static_cast<int>(v));
    }
    for (size_t i = 0; i < order_.size(); ++i) {
      position_[order_[i]] = static_cast<int>(i);
      for (const auto& [s, w] : succ_[order_[i]]) {
        if (--remaining[s] == 0) order_.push_back(s);
      }
    }
  }

  // Nodes reachable from u (u included), in topological order; nodes on loops skipped.
  std::vector<int> reachable_in_order(int u) {
    seen_.resize(succ_.size(), 0);
    std::vector<int> stack = {u}, marked = {u}, found;
    seen_[u] = 1;
    while (!stack.empty()) {
      const int v = stack.back();
      stack.pop_back();
      if (position_[v] >= 0) found.push_back(v);
      for (const auto& [s, w] : succ_[v]) {
        if (!seen_[s]) {
          seen_[s] = 1;
          marked.push_back(s);
          stack.push_back(s);
        }
      }
    }
    for (int v : marked) seen_[v] = 0;
    std::sort(found.begin(), found.end(), [&](int a, int b) { return position_[a] < position_[b]; });
    return found;
  }

  std::unordered_map<int64_t, int> index_;
  std::vector<std::vector<std::pair<int, int>>> succ_;
  std::vector<int> init_, sinkoff_, indegree_;
  std::vector<int> order_, position_;
  std::vector<char> seen_;
  int extra_ = kNone;
};

class DepthAnalysis {
 public:
  explicit DepthAnalysis(const Netlist& netlist) : netlist_(netlist) {}

  const TimingModel& model(const NetModule& mod) {
    if (auto it = models_.find(mod.name); it != models_.end()) return it->second;
    TimingModel result = build(mod);
    if (result.has_loop) loops_.push_back(mod.base);
    return models_.emplace(mod.name, std::move(result)).first->second;
  }
  const std::vector<std::string>& loops() const { return loops_; }

 private:
  TimingModel build(const NetModule& mod) {
    DepthGraph graph;
    std::vector<int64_t> in, out;
    for (const auto& cell : mod.cells) {
      in.clear();
      out.clear();
      const auto child = netlist_.find(cell.type);
      if (child == netlist_.end()) {
        if (is_storage_cell(cell.type)) continue;
        cell_bits(cell, nullptr, in, out);
        for (int64_t s : in) {
          for (int64_t d : out) graph.edge(graph.node(s), graph.node(d), 1);
        }
        for (int64_t d : out) graph.node(d);
        continue;
      }
      if (child->second.blackbox) continue;  // SRAM macro: registered read, cuts paths
      cell_bits(cell, &child->second, in, out);
      add_instance(graph, model(child->second), in, out);
    }
    return graph.solve(port_bits(mod));
  }

  // Splices a submodule's timing model between the parent's bits. An input tied to a
  // constant is not a bit of the flat design, so paths from it start one gate later.
  static void add_instance(DepthGraph& graph, const TimingModel& child, const std::vector<int64_t>& in,
                           const std::vector<int64_t>& out) {
    std::vector<int> out_nodes;
    for (int64_t b : out) out_nodes.push_back(graph.node(b));
    for (size_t o = 0; o < out_nodes.size() && o < child.out_src.size(); ++o) {
      if (child.out_src[o] != kNone) graph.source(out_nodes[o], child.out_src[o]);
    }
    if (child.src_max != kNone) graph.extra(child.src_max);
    for (size_t i = 0; i < in.size() && i < child.in_reach.size(); ++i) {
      const int u = graph.node(in[i]);
      if (u < 0) {
        graph.extra(child.in_reach[i] - 1);
        for (const auto& [o, d] : child.in_to_out[i]) graph.source(out_nodes[o], d - 1);
        continue;
      }
      graph.sink(u, child.in_reach[i]);
      for (const auto& [o, d] : child.in_to_out[i]) graph.edge(u, out_nodes[o], d);
    }
  }

  const Netlist& netlist_;
  std::map<std::string, TimingModel> models_;
  std::vector<std::string> loops_;
};

}  // namespace

LogicDepth logic_depth(const Netlist& netlist, const NetModule& top) {
  DepthAnalysis analysis(netlist);
  LogicDepth result;
  result.depth = analysis.model(top).depth();
  result.loops = analysis.loops();
  return result;
}

}  // namespace dnngen::synth::detail
