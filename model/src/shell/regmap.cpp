#include "dnngen/shell/regmap.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "dnngen/common/error.hpp"
#include "dnngen/rtl/sources.hpp"

namespace dnngen::shell {
namespace {

struct Reader {
  std::string origin;

  [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const {
    const auto mark = node.Mark();
    throw InputError(fmt::format("{}:{}: {}", origin, mark.is_null() ? 0 : mark.line + 1, what));
  }

  void only_keys(const YAML::Node& node, const std::set<std::string>& keys, const std::string& where) const {
    if (!node.IsMap()) fail(node, where + ": expected a mapping");
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>();
      if (!keys.count(key)) {
        std::string list;
        for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
        fail(kv.first, fmt::format("{}: unknown key '{}' (expected: {})", where, key, list));
      }
    }
  }

  uint64_t number(const YAML::Node& node, const std::string& what) const {
    if (!node || !node.IsScalar()) fail(node, what + ": expected a number");
    try {
      const std::string text = node.Scalar();
      size_t used = 0;
      const uint64_t v = std::stoull(text, &used, 0);
      if (used != text.size()) throw std::invalid_argument(text);
      return v;
    } catch (const std::exception&) {
      fail(node, fmt::format("{}: '{}' is not a non-negative integer", what, node.Scalar()));
    }
  }

  std::string text(const YAML::Node& node, const std::string& what, bool required = true) const {
    if (!node) {
      if (required) throw InputError(fmt::format("{}: {} is missing", origin, what));
      return "";
    }
    if (!node.IsScalar()) fail(node, what + ": expected text");
    return node.Scalar();
  }
};

bool is_upper_identifier(const std::string& s) {
  if (s.empty() || !std::isupper(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '_';
  });
}

bool is_lower_identifier(const std::string& s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '_';
  });
}

Access parse_access(const Reader& r, const YAML::Node& node) {
  const std::string a = r.text(node, "access");
  if (a == "ro") return Access::kReadOnly;
  if (a == "rw") return Access::kReadWrite;
  if (a == "w1c") return Access::kWrite1Clear;
  if (a == "w1p") return Access::kWrite1Pulse;
  r.fail(node, "access: '" + a + "' (expected ro, rw, w1c or w1p)");
}

std::string access_text(Access a) {
  switch (a) {
    case Access::kReadOnly:
      return "ro";
    case Access::kReadWrite:
      return "rw";
    case Access::kWrite1Clear:
      return "w1c";
    case Access::kWrite1Pulse:
      return "w1p";
  }
  return "?";
}

// SNAKE_CASE or snake_case -> UpperCamel (SystemVerilog parameter style).
std::string upper_camel(const std::string& s) {
  std::string out;
  bool up = true;
  for (char c : s) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    up = false;
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void check_map(const Reader& r, const RegisterMap& map) {
  std::set<std::string> names;
  uint32_t next_free = 0;
  for (const auto& reg : map.registers) {
    const std::string where = "register " + reg.name;
    if (!is_upper_identifier(reg.name))
      throw InputError(r.origin + ": " + where + ": name must be UPPER_SNAKE_CASE");
    if (!names.insert(reg.name).second)
      throw InputError(r.origin + ": register " + reg.name + " appears twice");
    if (reg.offset % 4 != 0)
      throw InputError(
          fmt::format("{}: {}: offset 0x{:03x} is not word-aligned", r.origin, where, reg.offset));
    if (reg.width == 64 && reg.offset % 8 != 0)
      throw InputError(fmt::format("{}: {}: a 64-bit pair must start 8-byte aligned", r.origin, where));
    if (reg.offset < next_free)
      throw InputError(
          fmt::format("{}: {}: offset 0x{:03x} overlaps the register before it (registers in offset order)",
                      r.origin, where, reg.offset));
    next_free = reg.offset + reg.width / 8;
    const bool descriptor = reg.offset >= kDescriptorBase;
    if (descriptor && reg.access != Access::kReadWrite)
      throw InputError(r.origin + ": " + where + ": descriptor registers (from 0x100) must be rw");
    if (!reg.enum_name.empty() && !map.enums.count(reg.enum_name))
      throw InputError(r.origin + ": " + where + ": unknown enum " + reg.enum_name);
    uint64_t used = 0;
    std::set<std::string> field_names;
    for (const auto& f : reg.fields) {
      if (!is_upper_identifier(f.name))
        throw InputError(r.origin + ": " + where + ": field " + f.name + " must be UPPER_SNAKE_CASE");
      if (!field_names.insert(f.name).second)
        throw InputError(r.origin + ": " + where + ": field " + f.name + " appears twice");
      if (f.width == 0 || f.lsb + f.width > reg.width)
        throw InputError(fmt::format("{}: {}: field {} [{}+:{}] does not fit in {} bits", r.origin, where,
                                     f.name, f.lsb, f.width, reg.width));
      const uint64_t mask = (f.width == 64 ? ~0ull : ((1ull << f.width) - 1)) << f.lsb;
      if (used & mask)
        throw InputError(r.origin + ": " + where + ": field " + f.name + " overlaps another field");
      used |= mask;
      if (!f.enum_name.empty() && !map.enums.count(f.enum_name))
        throw InputError(r.origin + ": " + where + ": field " + f.name + ": unknown enum " + f.enum_name);
    }
  }
  for (const auto& [name, values] : map.enums) {
    if (!is_lower_identifier(name))
      throw InputError(r.origin + ": enum " + name + ": name must be lower_snake_case");
    std::set<uint32_t> seen;
    for (const auto& [v, n] : values) {
      if (!is_lower_identifier(v))
        throw InputError(r.origin + ": enum " + name + ": value " + v + " must be lower_snake_case");
      if (!seen.insert(n).second)
        throw InputError(fmt::format("{}: enum {}: value {} used twice", r.origin, name, n));
    }
  }
}

// Two sentences of a table cell, either of which may be empty.
std::string joined(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a + b;
  return a + ". " + b;
}

std::string hex(uint32_t v, int digits = 3) { return fmt::format("0x{:0{}X}", v, digits); }

}  // namespace

std::vector<std::pair<std::string, uint32_t>> register_words(const Register& r) {
  if (r.width == 32) return {{r.name, r.offset}};
  return {{r.name + "_LO", r.offset}, {r.name + "_HI", r.offset + 4}};
}

uint32_t version_word(const RegisterMap& map) {
  unsigned major = 0, minor = 0, patch = 0;
  if (std::sscanf(map.version.c_str(), "%u.%u.%u", &major, &minor, &patch) != 3 || major > 255 ||
      minor > 255 || patch > 255)
    throw InputError("register map: version '" + map.version + "' is not MAJOR.MINOR.PATCH (each 0..255)");
  return major << 16 | minor << 8 | patch;
}

uint32_t defined_bits(const Register& reg, uint32_t offset) {
  if (reg.fields.empty()) return 0xFFFF'FFFFu;
  const unsigned base = (offset - reg.offset) * 8;
  uint64_t bits = 0;
  for (const auto& f : reg.fields) bits |= (f.width >= 64 ? ~0ull : (1ull << f.width) - 1) << f.lsb;
  return static_cast<uint32_t>(bits >> base);
}

const Register& RegisterMap::reg(const std::string& name) const {
  for (const auto& r : registers)
    if (r.name == name) return r;
  throw InputError("register map: no register " + name);
}

uint32_t RegisterMap::enum_value(const std::string& enum_name, const std::string& value) const {
  const auto it = enums.find(enum_name);
  if (it == enums.end()) throw InputError("register map: no enum " + enum_name);
  std::string legal;
  for (const auto& [name, v] : it->second) {
    if (name == value) return v;
    legal += (legal.empty() ? "" : ", ") + name;
  }
  throw InputError(fmt::format("{} '{}': expected one of {}", enum_name, value, legal));
}

std::string RegisterMap::enum_name_of(const std::string& enum_name, uint32_t value) const {
  const auto it = enums.find(enum_name);
  if (it == enums.end()) return "";
  for (const auto& [name, v] : it->second)
    if (v == value) return name;
  return "";
}

RegisterMap parse_register_map(const std::string& yaml_text, const std::string& origin) {
  const Reader r{origin};
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw InputError(fmt::format("{}: malformed YAML: {}", origin, e.what()));
  }
  r.only_keys(root, {"version", "id", "enums", "registers"}, "top level");
  RegisterMap map;
  map.version = r.text(root["version"], "version");
  map.id = static_cast<uint32_t>(r.number(root["id"], "id"));
  if (const auto enums = root["enums"]) {
    if (!enums.IsMap()) r.fail(enums, "enums: expected a mapping of enum name to values");
    for (const auto& e : enums) {
      EnumValues values;
      if (!e.second.IsMap())
        r.fail(e.second, "enum " + e.first.as<std::string>() + ": expected name: value pairs");
      for (const auto& v : e.second)
        values.emplace_back(v.first.as<std::string>(),
                            static_cast<uint32_t>(r.number(v.second, "enum value")));
      map.enums[e.first.as<std::string>()] = values;
    }
  }
  const auto regs = root["registers"];
  if (!regs || !regs.IsSequence()) throw InputError(origin + ": registers: expected a list");
  for (const auto& node : regs) {
    r.only_keys(node, {"name", "offset", "width", "access", "enum", "doc", "fields"}, "register");
    Register reg;
    reg.name = r.text(node["name"], "register name");
    reg.offset = static_cast<uint32_t>(r.number(node["offset"], reg.name + ".offset"));
    reg.width = node["width"] ? static_cast<unsigned>(r.number(node["width"], reg.name + ".width")) : 32;
    if (reg.width != 32 && reg.width != 64) r.fail(node["width"], reg.name + ".width: expected 32 or 64");
    reg.access = parse_access(r, node["access"]);
    reg.enum_name = r.text(node["enum"], "enum", false);
    reg.doc = r.text(node["doc"], reg.name + ".doc");
    if (const auto fields = node["fields"]) {
      if (!fields.IsSequence()) r.fail(fields, reg.name + ".fields: expected a list");
      for (const auto& fnode : fields) {
        r.only_keys(fnode, {"name", "lsb", "width", "enum", "doc"}, reg.name + " field");
        Field f;
        f.name = r.text(fnode["name"], reg.name + " field name");
        f.lsb = static_cast<unsigned>(r.number(fnode["lsb"], reg.name + "." + f.name + ".lsb"));
        f.width = static_cast<unsigned>(r.number(fnode["width"], reg.name + "." + f.name + ".width"));
        f.enum_name = r.text(fnode["enum"], "enum", false);
        f.doc = r.text(fnode["doc"], "doc", false);
        reg.fields.push_back(f);
      }
    }
    map.registers.push_back(reg);
  }
  check_map(r, map);
  version_word(map);  // refuses a malformed version now, not when a package is printed
  return map;
}

std::string register_map_path() { return rtl::rtl_root() + "/shell/regmap.yaml"; }

const RegisterMap& register_map() {
  static const RegisterMap map = [] {
    const std::string path = register_map_path();
    std::ifstream in(path);
    if (!in) throw ToolError("cannot read the register map " + path);
    std::stringstream text;
    text << in.rdbuf();
    return parse_register_map(text.str(), path);
  }();
  return map;
}

namespace {

// The register and, for "REG.FIELD", the field (else nullptr).
std::pair<const Register*, const Field*> resolve(const RegisterMap& map, const std::string& path) {
  const auto dot = path.find('.');
  const Register& reg = map.reg(path.substr(0, dot));
  if (dot == std::string::npos) return {&reg, nullptr};
  const std::string field = path.substr(dot + 1);
  for (const auto& f : reg.fields)
    if (f.name == field) return {&reg, &f};
  throw InputError("register map: register " + reg.name + " has no field " + field);
}

uint64_t whole(const Register& reg, const RegisterImage& image) {
  auto word = [&](uint32_t offset) -> uint64_t {
    const auto it = image.find(offset);
    return it == image.end() ? 0 : it->second;
  };
  uint64_t v = word(reg.offset);
  if (reg.width == 64) v |= word(reg.offset + 4) << 32;
  return v;
}

void store(const Register& reg, RegisterImage& image, uint64_t v) {
  image[reg.offset] = static_cast<uint32_t>(v);
  if (reg.width == 64) image[reg.offset + 4] = static_cast<uint32_t>(v >> 32);
}

uint64_t mask_of(unsigned width) { return width >= 64 ? ~0ull : (1ull << width) - 1; }

}  // namespace

uint64_t read(const RegisterMap& map, const RegisterImage& image, const std::string& path) {
  const auto [reg, field] = resolve(map, path);
  const uint64_t v = whole(*reg, image);
  return field ? (v >> field->lsb) & mask_of(field->width) : v;
}

void write(const RegisterMap& map, RegisterImage& image, const std::string& path, uint64_t value) {
  const auto [reg, field] = resolve(map, path);
  const unsigned width = field ? field->width : reg->width;
  if (value > mask_of(width))
    throw InputError(
        fmt::format("{} = {} does not fit in its {} bits (at most {})", path, value, width, mask_of(width)));
  uint64_t v = whole(*reg, image);
  if (field) {
    v &= ~(mask_of(field->width) << field->lsb);
    v |= value << field->lsb;
  } else {
    v = value;
  }
  store(*reg, image, v);
}

std::string markdown_table(const RegisterMap& map) {
  std::string out = fmt::format(
      "Register map {} (AXI4-Lite, 32-bit words, little-endian; ID reads {}). ro: read only, rw: read/write, "
      "w1c: write 1 to clear, w1p: write 1 to pulse (reads 0). A 64-bit register is a _LO/_HI pair; reading "
      "_LO of a read-only pair snapshots _HI.\n\n",
      map.version, hex(map.id, 8));
  out += "| Offset | Register | Access | Bits | Field | Description |\n|---|---|---|---|---|---|\n";
  auto enum_note = [&](const std::string& name) {
    if (name.empty()) return std::string();
    std::string s = "Values (" + name + "):";
    for (const auto& [v, n] : map.enums.at(name)) s += fmt::format(" {} {},", n, v);
    s.pop_back();
    return s;
  };
  for (const auto& reg : map.registers) {
    for (const auto& [word, offset] : register_words(reg)) {
      const bool hi = reg.width == 64 && offset != reg.offset;
      out += fmt::format("| {} | {} | {} | [31:0] | | {} |\n", hex(offset), word, access_text(reg.access),
                         hi ? "bits 63:32 of " + reg.name : joined(reg.doc, enum_note(reg.enum_name)));
    }
    for (const auto& f : reg.fields) {
      const std::string bits =
          f.width == 1 ? fmt::format("[{}]", f.lsb) : fmt::format("[{}:{}]", f.lsb + f.width - 1, f.lsb);
      out += fmt::format("| | | | {} | {} | {} |\n", bits, f.name, joined(f.doc, enum_note(f.enum_name)));
    }
  }
  return out;
}

std::string c_header(const RegisterMap& map) {
  std::string out = fmt::format(
      "/* dnngen shell register map {}: generated by `dnngen regmap --c-header` from rtl/shell/regmap.yaml.\n"
      " * Byte offsets on the AXI4-Lite slave; masks are in place (already shifted). */\n"
      "#ifndef DNNGEN_REGS_H\n#define DNNGEN_REGS_H\n\n",
      map.version);
  out += fmt::format("#define DNNGEN_SHELL_ID {}u\n", hex(map.id, 8));
  out += fmt::format("#define DNNGEN_REGMAP_VERSION \"{}\"\n\n", map.version);
  for (const auto& reg : map.registers) {
    out += fmt::format("/* {} */\n", reg.doc);
    for (const auto& [word, offset] : register_words(reg))
      out += fmt::format("#define DNNGEN_{}_OFFSET {}u\n", word, hex(offset));
    for (const auto& f : reg.fields) {
      out += fmt::format("#define DNNGEN_{}_{}_SHIFT {}u\n", reg.name, f.name, f.lsb);
      out += fmt::format("#define DNNGEN_{}_{}_MASK 0x{:X}u\n", reg.name, f.name,
                         static_cast<uint32_t>(mask_of(f.width) << f.lsb));
    }
    out += "\n";
  }
  for (const auto& [name, values] : map.enums) {
    for (const auto& [v, n] : values)
      out += fmt::format("#define DNNGEN_{}_{} {}u\n", upper(name), upper(v), n);
    out += "\n";
  }
  out += "#endif /* DNNGEN_REGS_H */\n";
  return out;
}

std::string sv_package(const RegisterMap& map) {
  std::set<std::string> names;
  std::string body;
  auto param = [&](const std::string& name, const std::string& value, const std::string& comment) {
    if (!names.insert(name).second)
      throw InputError("register map: two SystemVerilog constants named " + name);
    body += fmt::format("  localparam int unsigned {} = {};{}\n", name, value,
                        comment.empty() ? "" : "  // " + comment);
  };
  param("ShellId", fmt::format("32'h{:08X}", map.id), "\"DNNG\"");
  for (const auto& reg : map.registers) {
    for (const auto& [word, offset] : register_words(reg))
      param("Reg" + upper_camel(word), fmt::format("'h{:03X}", offset), "");
    for (const auto& f : reg.fields) {
      const std::string base = upper_camel(reg.name) + upper_camel(f.name);
      param(base + "Lsb", std::to_string(f.lsb), "");
      param(base + "Width", std::to_string(f.width), "");
    }
  }
  for (const auto& [name, values] : map.enums)
    for (const auto& [v, n] : values) param(upper_camel(name) + upper_camel(v), std::to_string(n), name);
  param("RegmapVersion", fmt::format("32'h{:08X}", version_word(map)), map.version);

  // The descriptor as words from DescBase: which bits of each word are defined (a gap
  // word is all zero), so the register file keeps exactly the bits the map names.
  std::vector<uint32_t> masks;
  for (const auto& reg : map.registers) {
    if (reg.offset < kDescriptorBase) continue;
    for (const auto& [word, offset] : register_words(reg)) {
      const size_t index = (offset - kDescriptorBase) / 4;
      if (masks.size() <= index) masks.resize(index + 1, 0);
      masks[index] = defined_bits(reg, offset);
    }
  }
  param("DescBase", fmt::format("'h{:03X}", kDescriptorBase), "");
  param("DescWords", std::to_string(masks.size()), "");
  std::string vector;
  for (size_t i = masks.size(); i-- > 0;)
    vector += fmt::format("{}32'h{:08X}", vector.empty() ? "" : ", ", masks[i]);
  body += fmt::format(
      "  // Defined bits of descriptor word i at [i*32 +: 32].\n"
      "  localparam logic [DescWords*32-1:0] DescMasks = {{{}}};\n",
      vector);
  return fmt::format(
      "// dnngen shell register map {}: generated by `dnngen regmap --sv` from rtl/shell/regmap.yaml;\n"
      "// do not edit. Offsets are byte addresses on the AXI4-Lite slave.\n"
      "package dnn_shell_regs_pkg;\n\n"
      "  // A module uses the few constants of its own registers: the rest are unused there.\n"
      "  // verilator lint_off UNUSEDPARAM\n{}  // verilator lint_on UNUSEDPARAM\n\nendpackage\n",
      map.version, body);
}

}  // namespace dnngen::shell
