// Reading Yosys's JSON netlist (eda/netlist.hpp).
#include "dnngen/eda/netlist.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "dnngen/common/error.hpp"

namespace dnngen::eda {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;  // keeps Yosys's port order

namespace {

// obj[key] without copying, or an empty value if absent (json::value() copies).
const ojson& member(const ojson& obj, const char* key) {
  static const ojson kEmpty;
  const auto it = obj.find(key);
  return it == obj.end() ? kEmpty : *it;
}

int64_t parse_bit(const ojson& bit) { return bit.is_number() ? bit.get<int64_t>() : kConstBit; }

std::vector<int64_t> parse_bits(const ojson& bits) {
  std::vector<int64_t> out;
  out.reserve(bits.size());
  for (const auto& bit : bits) out.push_back(parse_bit(bit));
  return out;
}

// Yosys writes parameter values as binary strings ("00000000000000000000000000000100").
int64_t parse_param(const ojson& value, const std::string& where) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (!text.empty() && text.size() <= 63 && text.find_first_not_of("01") == std::string::npos) {
      return std::stoll(text, nullptr, 2);
    }
  }
  throw ToolError(fmt::format("yosys netlist: cannot read parameter {} = {}", where, value.dump()));
}

// RTL name of a Yosys module: the hdlname attribute of derived modules, else the
// name itself ("$paramod\name\P=..." is a fallback for names Yosys did not hash).
std::string base_name(const std::string& name, const ojson& attributes) {
  if (attributes.contains("hdlname") && attributes.at("hdlname").is_string()) {
    std::string h = attributes.at("hdlname").get<std::string>();
    if (!h.empty() && h[0] == '\\') h.erase(0, 1);
    return h;
  }
  if (name.rfind("$paramod", 0) == 0) {
    const size_t begin = name.find('\\');
    if (begin != std::string::npos) {
      const size_t end = name.find('\\', begin + 1);
      return name.substr(begin + 1, end == std::string::npos ? std::string::npos : end - begin - 1);
    }
  }
  return (!name.empty() && name[0] == '\\') ? name.substr(1) : name;
}

bool attribute_set(const ojson& attributes, const std::string& name) {
  if (!attributes.contains(name)) return false;
  const ojson& v = attributes.at(name);
  if (v.is_string()) return v.get<std::string>().find('1') != std::string::npos;
  return v.is_number() && v.get<int64_t>() != 0;
}

}  // namespace

Netlist load_netlist(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw ToolError(fmt::format("yosys did not write {}", path.string()));
  // ordered_json keeps the ports in declaration order.
  const ojson doc = ojson::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("modules") || !doc.at("modules").is_object()) {
    throw ToolError(fmt::format("yosys wrote an unreadable netlist {}", path.string()));
  }
  Netlist netlist;
  for (const auto& [name, m] : doc.at("modules").items()) {
    NetModule mod;
    mod.name = name;
    const ojson& attributes = member(m, "attributes");
    mod.base = base_name(name, attributes);
    mod.blackbox = attribute_set(attributes, "blackbox");
    mod.macro = mod.blackbox && (mod.base == kSramModule || attribute_set(attributes, kMacroAttr));
    for (const auto& [pname, pvalue] : member(m, "parameter_default_values").items()) {
      // Only our own modules' parameters are needed; vendor cell libraries (black
      // boxes of synth_xilinx) have string and very wide ones.
      if (mod.blackbox && !mod.macro) break;
      mod.params[pname] = parse_param(pvalue, mod.base + "." + pname);
    }
    for (const auto& [pname, port] : member(m, "ports").items()) {
      NetPort p;
      p.name = pname;
      p.direction = port.value("direction", "");
      p.bits = parse_bits(member(port, "bits"));
      p.is_signed = port.value("signed", 0) != 0;
      mod.ports.push_back(std::move(p));
    }
    for (const auto& [cname, cell] : member(m, "cells").items()) {
      NetCell c;
      c.name = cname;
      c.type = cell.value("type", "");
      for (const auto& [port, bits] : member(cell, "connections").items()) {
        c.connections.emplace_back(port, parse_bits(bits));
      }
      for (const auto& [port, dir] : member(cell, "port_directions").items()) {
        c.directions[port] = dir.get<std::string>();
      }
      mod.cells.push_back(std::move(c));
    }
    netlist.emplace(name, std::move(mod));
  }
  return netlist;
}

const NetModule& find_top(const Netlist& netlist, const std::string& top, const fs::path& path) {
  const auto it = netlist.find(top);
  if (it == netlist.end()) {
    throw ToolError(fmt::format("yosys netlist {} has no module {}", path.string(), top));
  }
  return it->second;
}

}  // namespace dnngen::eda
