// Gate-level power: the asic target's flat netlist, switching activity from an FST
// waveform of an RTL simulation, OpenSTA's report_power. docs/energy_power.md.
//
// OpenSTA 2019 (Debian's opensta) has no read_saif / read_vcd and does not propagate
// activity: every pin uses its own setting (set_power_pin_activity), the input
// activity for input ports, or a default; clock pins take the clock's. So dnngen reads
// the flat netlist itself, finds the nets the waveform measures (register outputs and
// input ports keep their RTL names through synthesis), and sets every pin of those nets;
// every other pin gets the stated default.
#include "dnngen/synth/power.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "dnngen/common/error.hpp"
#include "dnngen/eda/run.hpp"
#include "synth_internal.hpp"

namespace dnngen::synth {
namespace {

using detail::starts_with;
namespace fs = std::filesystem;

const char* const kPowerScript = "power.tcl";
const char* const kPowerLog = "power.log";
const char* const kPowerReport = "power_design.txt";
const char* const kInstanceReport = "power_instances.txt";

// ---------------------------------------------------------------- the flat netlist

// Yosys's `write_verilog -noattr -noexpr -simple-lhs` output: one module of library
// cells, wires and bit-level assigns. Nets are bits, joined by assigns.
struct FlatCell {
  std::string type, name;
  std::vector<std::pair<std::string, int>> pins;  // pin (bus pins as name[i]) -> net
};
struct FlatPort {
  std::string name, direction;
  std::vector<int> nets;  // LSB first
};
struct FlatNetlist {
  std::vector<std::vector<std::pair<std::string, int64_t>>> names;  // per net: (wire, bit or -1)
  std::vector<FlatCell> cells;
  std::vector<FlatPort> ports;
};

// Tokens of structural Verilog: escaped identifiers lose their backslash.
std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  const size_t n = text.size();
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
  while (i < n) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (text.compare(i, 2, "/*") == 0) {
      const size_t end = text.find("*/", i + 2);
      i = end == std::string::npos ? n : end + 2;
    } else if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) i = n;
    } else if (c == '\\') {
      size_t j = i + 1;
      while (j < n && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      tokens.push_back(text.substr(i + 1, j - i - 1));
      i = j;
    } else if (word_char(c) || c == '\'') {
      size_t j = i;
      while (j < n && (word_char(text[j]) || text[j] == '\'')) ++j;
      tokens.push_back(text.substr(i, j - i));
      i = j;
    } else {
      tokens.emplace_back(1, c);
      ++i;
    }
  }
  return tokens;
}

class NetlistParser {
 public:
  explicit NetlistParser(const std::string& text) : tokens_(tokenize(text)) {}

  FlatNetlist parse() {
    while (pos_ < tokens_.size()) statement();
    FlatNetlist out;
    std::vector<int> net_of(parent_.size(), -1);
    auto net = [&](int key) {
      const int root = find(key);
      if (net_of[root] < 0) {
        net_of[root] = static_cast<int>(out.names.size());
        out.names.emplace_back();
      }
      return net_of[root];
    };
    for (size_t key = 0; key < key_names_.size(); ++key)
      out.names[net(static_cast<int>(key))].push_back(key_names_[key]);
    for (auto& cell : cells_) {
      for (auto& [pin, key] : cell.pins) key = net(key);
      out.cells.push_back(std::move(cell));
    }
    for (auto& port : ports_) {
      for (int& key : port.nets) key = net(key);
      out.ports.push_back(std::move(port));
    }
    return out;
  }

 private:
  struct Wire {
    int64_t msb = 0, lsb = 0;
    bool vector = false;
  };

  const std::string& peek() const {
    static const std::string end;
    return pos_ < tokens_.size() ? tokens_[pos_] : end;
  }
  std::string next() {
    if (pos_ >= tokens_.size()) throw ToolError("flat netlist: unexpected end of file");
    return tokens_[pos_++];
  }
  void expect(const std::string& t) {
    const std::string got = next();
    if (got != t) throw ToolError(fmt::format("flat netlist: expected '{}', got '{}'", t, got));
  }
  void skip_to_semicolon() {
    while (next() != ";") {
    }
  }

  int find(int k) {
    while (parent_[k] != k) k = parent_[k] = parent_[parent_[k]];
    return k;
  }
  int key(const std::string& wire, int64_t bit) {
    const std::string name = bit < 0 ? wire : fmt::format("{}[{}]", wire, bit);
    const auto [it, fresh] = keys_.emplace(name, static_cast<int>(parent_.size()));
    if (fresh) {
      parent_.push_back(it->second);
      key_names_.emplace_back(wire, bit);
    }
    return it->second;
  }
  // A constant bit: a net of its own, never named.
  int constant() {
    parent_.push_back(static_cast<int>(parent_.size()));
    key_names_.emplace_back("", -1);
    return parent_.back();
  }

  void statement() {
    const std::string word = next();
    if (word == "module") return skip_to_semicolon();
    if (word == "endmodule") return;
    if (word == "input" || word == "output" || word == "inout" || word == "wire") return declaration(word);
    if (word == "assign") return assignment();
    instance(word);
  }

  void declaration(const std::string& kind) {
    Wire w;
    if (peek() == "[") {
      next();
      w.msb = std::stoll(next());
      expect(":");
      w.lsb = std::stoll(next());
      expect("]");
      w.vector = true;
    }
    for (std::string name = next();; name = next()) {
      wires_[name] = w;
      if (kind != "wire") ports_.push_back({name, kind, bits_of(name)});
      if (next() == ";") break;
    }
  }

  // All bits of a wire, LSB first.
  std::vector<int> bits_of(const std::string& name) {
    const Wire& w = wires_.at(name);
    if (!w.vector) return {key(name, -1)};
    std::vector<int> bits;
    const int64_t step = w.msb >= w.lsb ? 1 : -1;
    for (int64_t b = w.lsb;; b += step) {
      bits.push_back(key(name, b));
      if (b == w.msb) break;
    }
    return bits;
  }

  // An expression's bits, LSB first.
  std::vector<int> expression() {
    const std::string t = next();
    if (t == "{") {
      std::vector<std::vector<int>> parts;
      for (;;) {
        parts.push_back(expression());
        if (next() == "}") break;
      }
      std::vector<int> bits;
      for (auto it = parts.rbegin(); it != parts.rend(); ++it)
        bits.insert(bits.end(), it->begin(), it->end());
      return bits;
    }
    if (const size_t tick = t.find('\''); tick != std::string::npos) {
      std::vector<int> bits(static_cast<size_t>(std::stoll(t.substr(0, tick))));
      for (int& b : bits) b = constant();
      return bits;
    }
    if (!wires_.count(t)) throw ToolError("flat netlist: undeclared wire " + t);
    if (peek() != "[") return bits_of(t);
    next();
    const int64_t hi = std::stoll(next());
    int64_t lo = hi;
    if (peek() == ":") {
      next();
      lo = std::stoll(next());
    }
    expect("]");
    std::vector<int> bits;
    for (int64_t b = std::min(lo, hi); b <= std::max(lo, hi); ++b) bits.push_back(key(t, b));
    return bits;
  }

  void assignment() {
    const std::vector<int> lhs = expression();
    expect("=");
    const std::vector<int> rhs = expression();
    expect(";");
    for (size_t i = 0; i < std::min(lhs.size(), rhs.size()); ++i) parent_[find(lhs[i])] = find(rhs[i]);
  }

  void instance(const std::string& type) {
    FlatCell cell{type, next(), {}};
    expect("(");
    while (peek() != ")") {
      expect(".");
      const std::string pin = next();
      expect("(");
      std::vector<int> bits;
      if (peek() != ")") bits = expression();
      expect(")");
      for (size_t i = 0; i < bits.size(); ++i) {
        cell.pins.emplace_back(bits.size() == 1 ? pin : fmt::format("{}[{}]", pin, i), bits[i]);
      }
      if (peek() == ",") next();
    }
    expect(")");
    expect(";");
    cells_.push_back(std::move(cell));
  }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  std::map<std::string, Wire> wires_;
  std::map<std::string, int> keys_;
  std::vector<int> parent_;
  std::vector<std::pair<std::string, int64_t>> key_names_;
  std::vector<FlatCell> cells_;
  std::vector<FlatPort> ports_;
};

// Yosys's own names (_123_) say nothing; RTL names do.
bool public_name(const std::string& wire) {
  static const std::regex internal(R"(_[0-9]+_)");
  return !wire.empty() && !std::regex_match(wire, internal);
}

// ---------------------------------------------------------------- names

// Verilator writes array and generate indices as (i), Yosys as [i]; spaces go.
std::string normalise(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '(') c = '[';
    if (c == ')') c = ']';
    if (c != ' ') out += c;
  }
  return out;
}

// ---------------------------------------------------------------- the report_power text

bool parse_power_row(const std::string& line, Power& p, std::string& label, bool label_last) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() < 5) return false;
  const size_t first = label_last ? 0 : 1;
  double v[4];
  for (size_t i = 0; i < 4; ++i) {
    try {
      size_t used = 0;
      v[i] = std::stod(words[first + i], &used);
      if (used != words[first + i].size()) return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  p = {v[0], v[1], v[2]};
  label = label_last ? words[4] : words[0];
  return true;
}

}  // namespace

std::map<std::string, Power> parse_power_report(const std::string& text) {
  std::map<std::string, Power> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    Power p;
    std::string label;
    if (parse_power_row(line, p, label, false)) rows[label] = p;
  }
  if (!rows.count("Total")) throw ToolError("OpenSTA's report_power has no Total row");
  return rows;
}

std::vector<std::pair<std::string, Power>> parse_instance_power(const std::string& text) {
  std::vector<std::pair<std::string, Power>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    Power p;
    std::string label;
    if (parse_power_row(line, p, label, true)) rows.emplace_back(label, p);
  }
  return rows;
}

SignalMap::SignalMap(const eda::FstActivity& activity, const std::string& top) {
  // The shallowest scope named after the top module (Verilator: TOP.<top>).
  size_t depth = SIZE_MAX;
  for (const auto& s : activity.signals) {
    const std::string needle = "." + top + ".";
    const size_t at = ("." + s.name).find(needle);
    if (at == std::string::npos) continue;
    const std::string scope = s.name.substr(0, at + top.size());
    const size_t d = static_cast<size_t>(std::count(scope.begin(), scope.end(), '.'));
    if (d < depth) {
      depth = d;
      scope_ = scope;
    }
  }
  if (scope_.empty()) return;
  for (const auto& s : activity.signals) {
    if (!starts_with(s.name, scope_ + ".")) continue;
    // The first (outermost) name of a signal wins; later ones are aliases of ports.
    by_name_.emplace(normalise(s.name.substr(scope_.size() + 1)), &s);
  }
}

const eda::SignalActivity* SignalMap::signal(const std::string& name) const {
  const auto it = by_name_.find(normalise(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::optional<SignalMap::Bit> SignalMap::find(const std::string& name, int64_t bit) const {
  if (const eda::SignalActivity* s = signal(name)) {
    const int64_t index = bit < 0 ? 0 : bit - s->lsb;
    if (index >= 0 && index < static_cast<int64_t>(s->toggles.size()))
      return Bit{s, static_cast<size_t>(index)};
    return std::nullopt;
  }
  // An element of an unpacked array that the FST holds as one wide vector, or a bit of
  // a packed array Yosys named as a wire of its own (mem[2] with bits 0..7 -> mem, bit 2*8+b)
  // is not guessed: such nets stay unmatched and are counted.
  return std::nullopt;
}

namespace {

// ---------------------------------------------------------------- activity per net

struct NetActivity {
  bool measured = false;
  double activity = 0, duty = 0.5;
};

struct CellRoles {
  std::vector<int> driver;                        // per net: driving cell, -1 (port or none)
  std::vector<std::vector<int>> loads;            // per net: cells reading it
  std::vector<bool> sequential;                   // per cell
  std::vector<std::vector<int>> outputs, inputs;  // per cell: nets
};

bool is_output_pin(const Liberty& lib, const FlatCell& cell, const std::string& pin) {
  const auto it = lib.cells.find(cell.type);
  if (it == lib.cells.end()) {
    // An SRAM macro of the generated library: its ports follow the _i/_o convention.
    const std::string base = pin.substr(0, pin.find('['));
    return base.size() > 2 && base.compare(base.size() - 2, 2, "_o") == 0;
  }
  for (const auto& p : it->second.pins) {
    if (p.name == pin) return p.direction == "output";
  }
  return false;
}

CellRoles cell_roles(const FlatNetlist& net, const Liberty& lib) {
  CellRoles r;
  r.driver.assign(net.names.size(), -1);
  r.loads.resize(net.names.size());
  r.outputs.resize(net.cells.size());
  r.inputs.resize(net.cells.size());
  for (size_t c = 0; c < net.cells.size(); ++c) {
    const FlatCell& cell = net.cells[c];
    const auto it = lib.cells.find(cell.type);
    r.sequential.push_back(it != lib.cells.end() && it->second.sequential);
    for (const auto& [pin, n] : cell.pins) {
      if (is_output_pin(lib, cell, pin)) {
        r.driver[n] = static_cast<int>(c);
        r.outputs[c].push_back(n);
      } else {
        r.loads[n].push_back(static_cast<int>(c));
        r.inputs[c].push_back(n);
      }
    }
  }
  return r;
}

std::optional<NetActivity> measured(const FlatNetlist& net, int n, const SignalMap& map,
                                    const eda::FstActivity& fst) {
  for (const auto& [wire, bit] : net.names[n]) {
    if (!public_name(wire)) continue;
    if (const auto b = map.find(wire, bit)) {
      return NetActivity{true, fst.activity(*b->signal, b->bit), b->signal->duty[b->bit]};
    }
  }
  return std::nullopt;
}

// The Liberty function of a cell's output pin ("IQ", "IQN"), or "".
std::string pin_function(const Liberty& lib, const FlatCell& cell, const std::string& pin) {
  const auto it = lib.cells.find(cell.type);
  if (it == lib.cells.end()) return "";
  for (const auto& p : it->second.pins) {
    if (p.name == pin) return p.function;
  }
  return "";
}

// Whether two register outputs are complements (Q = IQ, QN = IQN or !IQ).
bool complementary(const std::string& a, const std::string& b) {
  return b == a + "N" || a == b + "N" || b == "!" + a || a == "!" + b;
}

// A register's other outputs get the measured one's activity; a complemented output
// (QN) the complement of its duty. That matters beyond switching: OpenSTA weighs the
// clock pin's internal power by the probability of each `when` state (!D & !Q & QN),
// computed from the pins' duties, so a QN with Q's duty makes those states impossible.
void share_register_outputs(const FlatNetlist& net, const Liberty& lib, size_t c,
                            const std::vector<int>& outputs, int from, std::vector<NetActivity>& act) {
  const FlatCell& cell = net.cells[c];
  std::string from_function;
  for (const auto& [pin, n] : cell.pins) {
    if (n == from) from_function = pin_function(lib, cell, pin);
  }
  for (const auto& [pin, n] : cell.pins) {
    if (n == from || act[n].measured || std::find(outputs.begin(), outputs.end(), n) == outputs.end())
      continue;
    act[n] = act[from];
    if (complementary(from_function, pin_function(lib, cell, pin))) act[n].duty = 1.0 - act[from].duty;
  }
}

// Measured activity of the register outputs and input ports.
std::vector<NetActivity> measure(const FlatNetlist& net, const Liberty& lib, const CellRoles& roles,
                                 const SignalMap& map, const eda::FstActivity& fst, ActivityCoverage& cov) {
  std::vector<NetActivity> act(net.names.size());
  for (size_t c = 0; c < net.cells.size(); ++c) {
    if (!roles.sequential[c] || roles.outputs[c].empty()) continue;
    ++cov.flops;
    int found = -1;
    for (int n : roles.outputs[c]) {
      if (const auto m = measured(net, n, map, fst)) {
        act[n] = *m;
        if (found < 0) found = n;
      }
    }
    if (found < 0) {
      for (int n : roles.outputs[c]) {
        for (const auto& [wire, bit] : net.names[n]) {
          if (public_name(wire) && cov.unmatched.size() < 10) {
            cov.unmatched.push_back(bit < 0 ? wire : fmt::format("{}[{}]", wire, bit));
          }
        }
      }
      continue;
    }
    ++cov.flops_measured;
    share_register_outputs(net, lib, c, roles.outputs[c], found, act);
  }
  for (const auto& port : net.ports) {
    if (port.direction != "input" || port.name == "clk_i") continue;
    for (int n : port.nets) {
      ++cov.inputs;
      if (const auto m = measured(net, n, map, fst)) {
        act[n] = *m;
        ++cov.inputs_measured;
      }
    }
  }
  // Any other named net the waveform knows (an SRAM macro's read data, ...).
  for (size_t n = 0; n < net.names.size(); ++n) {
    if (!act[n].measured) {
      if (const auto m = measured(net, static_cast<int>(n), map, fst)) act[n] = *m;
    }
  }
  cov.nets = static_cast<int64_t>(net.names.size());
  cov.nets_measured = std::count_if(act.begin(), act.end(), [](const NetActivity& a) { return a.measured; });
  return act;
}

double mean_register_activity(const CellRoles& roles, const std::vector<NetActivity>& act) {
  double sum = 0;
  int64_t count = 0;
  for (size_t c = 0; c < roles.sequential.size(); ++c) {
    if (!roles.sequential[c]) continue;
    for (int n : roles.outputs[c]) {
      if (!act[n].measured) continue;
      sum += act[n].activity;
      ++count;
    }
  }
  return count == 0 ? 0.1 : sum / static_cast<double>(count);
}

// ---------------------------------------------------------------- groups

// Instance path (below the top, e.g. g_ws.u_core.u_array) -> RTL module, from the
// hierarchical netlist of the same run.
void instance_paths(const eda::Netlist& netlist, const eda::NetModule& mod, const std::string& path,
                    std::map<std::string, const eda::NetModule*>& out) {
  for (const auto& cell : mod.cells) {
    const auto it = netlist.find(cell.type);
    if (it == netlist.end()) continue;
    const std::string name = !cell.name.empty() && cell.name[0] == '\\' ? cell.name.substr(1) : cell.name;
    const std::string child = path.empty() ? name : path + "." + name;
    out[child] = &it->second;
    if (!it->second.blackbox) instance_paths(netlist, it->second, child, out);
  }
}

// The longest instance path that is `name` or prefixes it at a '.', or "".
std::string owner(const std::string& name, const std::map<std::string, const eda::NetModule*>& paths) {
  for (std::string p = name;;) {
    if (paths.count(p)) return p;
    const size_t dot = p.rfind('.');
    if (dot == std::string::npos) return "";
    p.resize(dot);
  }
}

// Each cell's instance path: registers and macros by their names; logic by the
// register, macro or output port its output reaches first (a backward walk from those).
std::vector<std::string> cell_owners(const FlatNetlist& net, const CellRoles& roles,
                                     const std::map<std::string, const eda::NetModule*>& paths) {
  std::vector<std::string> owner_of(net.cells.size());
  std::vector<bool> done(net.cells.size(), false);
  std::deque<int> queue;
  for (size_t c = 0; c < net.cells.size(); ++c) {
    std::string path = owner(net.cells[c].name, paths);
    if (roles.sequential[c]) {
      for (int n : roles.outputs[c]) {
        for (const auto& [wire, bit] : net.names[n]) {
          if (path.empty() && public_name(wire)) path = owner(wire, paths);
        }
      }
    }
    if (!roles.sequential[c] && path.empty()) continue;
    owner_of[c] = path;
    done[c] = true;
    queue.push_back(static_cast<int>(c));
  }
  auto reach = [&](int n, const std::string& path) {
    const int d = roles.driver[n];
    if (d < 0 || done[d]) return;
    done[d] = true;
    owner_of[d] = path;
    queue.push_back(d);
  };
  for (const auto& port : net.ports) {
    if (port.direction == "output") {
      for (int n : port.nets) reach(n, "");
    }
  }
  for (; !queue.empty(); queue.pop_front()) {
    const int c = queue.front();
    for (int n : roles.inputs[c]) reach(n, owner_of[c]);
  }
  return owner_of;
}

std::string fold(const std::string& path) {
  static const std::regex index(R"(\[[0-9]+\])");
  return path.empty() ? "(top)" : std::regex_replace(path, index, "[*]");
}

void sort_groups(std::vector<PowerGroup>& groups) {
  std::sort(groups.begin(), groups.end(),
            [](const PowerGroup& a, const PowerGroup& b) { return a.power.total() > b.power.total(); });
}

void group_power(const FlatNetlist& net, const std::vector<std::string>& owners,
                 const std::map<std::string, const eda::NetModule*>& paths, const std::string& top_base,
                 const std::vector<std::pair<std::string, Power>>& instances,
                 const std::map<std::string, std::string>& categories, PowerReport& report) {
  std::map<std::string, size_t> cell_index;
  for (size_t c = 0; c < net.cells.size(); ++c) cell_index[net.cells[c].name] = c;
  std::map<std::string, PowerGroup> roles, cats;
  for (const auto& [inst, p] : instances) {
    const auto it = cell_index.find(inst);
    const std::string path = it == cell_index.end() ? "" : owners[it->second];
    const auto mod = paths.find(path);
    const std::string base = mod == paths.end() ? top_base : mod->second->base;
    const std::string category = detail::category_of(base, categories);
    for (auto* g : {&roles[fold(path)], &cats[category]}) {
      g->category = category;
      ++g->cells;
      g->power += p;
    }
    roles[fold(path)].name = fold(path);
    cats[category].name = category;
  }
  for (auto& [name, g] : roles) report.roles.push_back(g);
  for (auto& [name, g] : cats) report.categories.push_back(g);
  report.pe_array.name = "PE array (pe + array)";
  for (const char* c : {"pe", "array"}) {
    report.pe_array.cells += cats[c].cells;
    report.pe_array.power += cats[c].power;
  }
  sort_groups(report.roles);
  sort_groups(report.categories);
}

// ---------------------------------------------------------------- the OpenSTA script

std::string pin_name(const FlatCell& cell, const std::string& pin) { return cell.name + "/" + pin; }

std::string power_script(const AsicReport& asic, const std::string& top, double period_ns,
                         const FlatNetlist& net, const std::vector<NetActivity>& act,
                         const ActivityCoverage& cov) {
  std::string s = "# Generated by dnngen: power of the flat mapped netlist with measured activity.\n";
  s += detail::sta_setup(asic, top, period_ns);
  s += "# OpenSTA 2019 uses each pin's own activity (none is propagated through logic):\n";
  s += "# first the default on every pin and input port, then the measured nets, pin by pin.\n";
  s += fmt::format("set_power_activity -input -activity {:.6g} -duty {:.6g}\n", cov.default_activity,
                   cov.default_duty);
  s += fmt::format("foreach pin [get_pins */*] {{ sta::set_power_pin_activity $pin {:.6g} {:.6g} }}\n",
                   cov.default_activity, cov.default_duty);
  s += "proc dnngen_net {a d pins} { foreach p $pins { sta::set_power_pin_activity [get_pins $p] $a $d } }\n";
  std::vector<std::vector<std::string>> pins(net.names.size());
  for (const auto& cell : net.cells) {
    for (const auto& [pin, n] : cell.pins) {
      if (act[n].measured) pins[n].push_back(pin_name(cell, pin));
    }
  }
  for (size_t n = 0; n < pins.size(); ++n) {
    if (pins[n].empty()) continue;
    s += fmt::format("dnngen_net {:.6g} {:.6g} {{", act[n].activity, act[n].duty);
    for (const auto& p : pins[n]) s += " {" + p + "}";
    s += " }\n";
  }
  for (const auto& port : net.ports) {
    if (port.direction != "input" || port.name == "clk_i") continue;
    for (size_t b = 0; b < port.nets.size(); ++b) {
      const NetActivity& a = act[port.nets[b]];
      if (!a.measured) continue;
      const std::string name = port.nets.size() == 1 ? port.name : fmt::format("{}[{}]", port.name, b);
      s += fmt::format("sta::set_power_input_port_activity [get_ports {{{}}}] {:.6g} {:.6g}\n", name,
                       a.activity, a.duty);
    }
  }
  s += fmt::format("report_power -digits 6 > {}\n", kPowerReport);
  s += fmt::format("report_power -instances [get_cells *] -digits 6 > {}\n", kInstanceReport);
  s += "puts dnngen_power_done\n";
  return s;
}

void check_scope(const SignalMap& map, const eda::FstActivity& fst, const std::string& top) {
  if (map.scope().empty()) {
    throw InputError(
        fmt::format("FST file {} holds no scope of the top module {}: it is not a waveform of this "
                    "configuration",
                    fst.path, top));
  }
}

// The FST's top-level ports must be this design's: same names, same widths.
void check_ports(const FlatNetlist& net, const SignalMap& map, const eda::FstActivity& fst,
                 const std::string& top) {
  for (const auto& port : net.ports) {
    const eda::SignalActivity* s = map.signal(port.name);
    if (s == nullptr || s->toggles.size() != port.nets.size()) {
      throw InputError(
          fmt::format("FST file {} does not belong to this configuration: port {} of {} is {} bits here, {} "
                      "in the waveform",
                      fst.path, port.name, top, port.nets.size(),
                      s == nullptr ? "missing" : std::to_string(s->toggles.size())));
    }
  }
}

}  // namespace

PowerReport run_power(const config::Config& cfg, const eda::FstActivity& fst, const PowerOptions& options) {
  if (!(options.clock_mhz > 0 && options.clock_mhz < 1e5)) {
    throw InputError(fmt::format("clock {} MHz: expected a frequency above 0 MHz", options.clock_mhz));
  }
  SynthOptions so;
  so.target = "asic";
  so.liberty = options.liberty;
  so.work_dir = options.work_dir;
  so.categories = options.categories;
  const std::string top = detail::synth_design(cfg, so).top;
  const SignalMap map(fst, top);
  check_scope(map, fst, top);  // before synthesis: fail fast

  PowerReport r;
  r.fst = fst.path;
  r.fst_clock = fst.clock;
  r.cycles = fst.clock_cycles;
  r.clock_mhz = options.clock_mhz;
  r.synth = run_synth(cfg, so);
  r.synth_seconds = r.synth.total_seconds;
  const fs::path work = r.synth.work_dir;

  const FlatNetlist net = NetlistParser(detail::slurp(work / detail::kStaNetlistName)).parse();
  try {
    check_ports(net, map, fst, top);
  } catch (const InputError&) {
    // Bad input leaves nothing behind: the temporary work directory goes (a --work-dir stays).
    std::error_code ec;
    if (options.work_dir.empty()) fs::remove_all(work, ec);
    throw;
  }
  const Liberty lib = detail::load_asic_liberty(so);  // checked by run_synth already
  const CellRoles roles = cell_roles(net, lib);
  ActivityCoverage& cov = r.coverage;
  const std::vector<NetActivity> act = measure(net, lib, roles, map, fst, cov);
  cov.default_activity =
      options.default_activity >= 0 ? options.default_activity : mean_register_activity(roles, act);

  r.sta_script = (work / kPowerScript).string();
  r.sta_log = (work / kPowerLog).string();
  eda::write_text(r.sta_script, power_script(r.synth.asic, top, 1000.0 / options.clock_mhz, net, act, cov));
  const std::string what = "power analysis of " + cfg.name;
  r.sta_seconds = eda::run_checked({"sta", "-no_splash", "-exit", kPowerScript}, work, r.sta_log, what);
  const auto lines = detail::read_sta_log(r.sta_log, what, r.warnings);
  if (std::find(lines.begin(), lines.end(), "dnngen_power_done") == lines.end()) {
    throw ToolError(fmt::format("sta (OpenSTA) did not finish the {}; see the log {}", what, r.sta_log));
  }
  r.by_class = parse_power_report(detail::slurp(work / kPowerReport));
  r.total = r.by_class.at("Total");

  const eda::Netlist hier = eda::load_netlist(work / detail::kNetlistName);
  std::map<std::string, const eda::NetModule*> paths;
  const eda::NetModule& top_module = eda::find_top(hier, top, work / detail::kNetlistName);
  instance_paths(hier, top_module, "", paths);
  group_power(net, cell_owners(net, roles, paths), paths, top_module.base,
              parse_instance_power(detail::slurp(work / kInstanceReport)), options.categories, r);
  return r;
}

// ---------------------------------------------------------------- output

namespace {

nlohmann::json power_json(const Power& p) {
  return {{"internal_mw", p.internal * 1e3},
          {"switching_mw", p.switching * 1e3},
          {"leakage_mw", p.leakage * 1e3},
          {"dynamic_mw", p.dynamic() * 1e3},
          {"total_mw", p.total() * 1e3}};
}

nlohmann::json groups_json(const PowerReport& r, const std::vector<PowerGroup>& groups) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& g : groups) {
    nlohmann::json j = power_json(g.power);
    j["name"] = g.name;
    j["category"] = g.category;
    j["cells"] = g.cells;
    j["energy_pj"] = r.energy_pj(g.power);
    out.push_back(j);
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const PowerReport& r) {
  const ActivityCoverage& c = r.coverage;
  nlohmann::json j;
  j["config"] = r.synth.config_name;
  j["top"] = r.synth.top;
  j["liberty"] = r.synth.asic.liberty;
  j["library"] = r.synth.asic.library;
  j["clock_mhz"] = r.clock_mhz;
  j["fmax_mhz"] = r.synth.asic.fmax_mhz;
  j["fst"] = {{"path", r.fst}, {"clock", r.fst_clock}, {"cycles", r.cycles}};
  j["job_seconds"] = r.job_seconds();
  j["total"] = power_json(r.total);
  j["total"]["energy_pj"] = r.energy_pj(r.total);
  for (const auto& [name, p] : r.by_class) j["by_class"][name] = power_json(p);
  j["pe_array"] = groups_json(r, {r.pe_array})[0];
  j["categories"] = groups_json(r, r.categories);
  j["roles"] = groups_json(r, r.roles);
  j["activity"] = {{"flip_flops", c.flops},
                   {"flip_flops_measured", c.flops_measured},
                   {"input_bits", c.inputs},
                   {"input_bits_measured", c.inputs_measured},
                   {"nets", c.nets},
                   {"nets_measured", c.nets_measured},
                   {"default_activity", c.default_activity},
                   {"default_duty", c.default_duty},
                   {"unmatched_examples", c.unmatched}};
  j["seconds"] = {{"synthesis", r.synth_seconds}, {"sta", r.sta_seconds}, {"fst", r.fst_seconds}};
  j["work_dir"] = r.synth.work_dir;
  j["sta_script"] = r.sta_script;
  j["sta_log"] = r.sta_log;
  j["warnings"] = r.warnings;
  return j;
}

std::string format_table(const PowerReport& r) {
  const ActivityCoverage& c = r.coverage;
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  auto pct = [](int64_t part, int64_t whole) { return whole > 0 ? 100.0 * part / whole : 0.0; };
  line(fmt::format("power {} (top {}, {}) at {:.6g} MHz: synthesis {:.1f} s, OpenSTA {:.1f} s",
                   r.synth.config_name, r.synth.top, r.synth.asic.library, r.clock_mhz, r.synth_seconds,
                   r.sta_seconds));
  line(fmt::format("  job: {} cycles of {} in {} = {:.3f} us", r.cycles, r.fst_clock, r.fst,
                   r.job_seconds() * 1e6));
  line(fmt::format("  {:<52} {:>7} {:>10} {:>10} {:>10} {:>12}", "group", "cells", "dynamic mW", "leakage mW",
                   "total mW", "energy pJ"));
  auto row = [&](const std::string& name, int64_t cells, const Power& p) {
    line(fmt::format("  {:<52} {:>7} {:>10.4f} {:>10.4f} {:>10.4f} {:>12.1f}", name, cells, p.dynamic() * 1e3,
                     p.leakage * 1e3, p.total() * 1e3, r.energy_pj(p)));
  };
  int64_t cells = 0;
  for (const auto& g : r.categories) cells += g.cells;
  row("total", cells, r.total);
  row(r.pe_array.name, r.pe_array.cells, r.pe_array.power);
  for (const auto& g : r.categories) row("category " + g.name, g.cells, g.power);
  for (const auto& g : r.roles) row("  " + g.name, g.cells, g.power);
  line(fmt::format(
      "  activity: measured on {} of {} flip-flops ({:.1f} %), {} of {} input bits ({:.1f} %), {} of {} "
      "nets ({:.1f} %); the other nets default to {:.4f} toggles/cycle, duty {:.2f}",
      c.flops_measured, c.flops, pct(c.flops_measured, c.flops), c.inputs_measured, c.inputs,
      pct(c.inputs_measured, c.inputs), c.nets_measured, c.nets, pct(c.nets_measured, c.nets),
      c.default_activity, c.default_duty));
  if (!c.unmatched.empty()) line("  unmatched registers, e.g.: " + detail::join(c.unmatched, ", "));
  if (r.synth.asic.fmax_mhz > 0 && r.synth.asic.fmax_mhz < r.clock_mhz) {
    line(fmt::format("  warning: the netlist's Fmax is {:.1f} MHz, below the {:.6g} MHz clock",
                     r.synth.asic.fmax_mhz, r.clock_mhz));
  }
  for (const auto& w : r.warnings) line("  warning: " + w);
  line("  SRAM macros have no power model here (0 mW); log: " + r.sta_log);
  return out;
}

}  // namespace dnngen::synth
