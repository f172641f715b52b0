#pragma once
// The accelerator shell's register map, read from its one description
// (rtl/shell/regmap.yaml), and what is made from it: the Markdown table, the C header and
// the SystemVerilog package. Register images (offset -> 32-bit word) are read and written
// by name through the map, so the model's descriptor decoder (shell/descriptor.hpp) never
// spells an offset.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dnngen::shell {

enum class Access { kReadOnly, kReadWrite, kWrite1Clear, kWrite1Pulse };

struct Field {
  std::string name;
  unsigned lsb = 0;
  unsigned width = 0;
  std::string enum_name;  // values named in RegisterMap::enums, or empty
  std::string doc;
};

struct Register {
  std::string name;
  uint32_t offset = 0;
  unsigned width = 32;  // 32, or 64: a _LO/_HI pair at offset and offset + 4
  Access access = Access::kReadOnly;
  std::string enum_name;  // the whole register holds one of these values
  std::string doc;
  std::vector<Field> fields;  // empty: the register is one value of `width` bits
};

using EnumValues = std::vector<std::pair<std::string, uint32_t>>;

struct RegisterMap {
  std::string version;  // MAJOR.MINOR.PATCH
  uint32_t id = 0;
  std::map<std::string, EnumValues> enums;
  std::vector<Register> registers;  // in offset order

  // The register NAME; InputError if there is none.
  const Register& reg(const std::string& name) const;
  // The value of enum `enum_name` called `value`; InputError naming the legal ones if not.
  uint32_t enum_value(const std::string& enum_name, const std::string& value) const;
  // The name of `value` in enum `enum_name`, or an empty string.
  std::string enum_name_of(const std::string& enum_name, uint32_t value) const;
};

// The first descriptor offset: below it is the common block every engine has.
constexpr uint32_t kDescriptorBase = 0x100;

// Parses and checks a map: offsets word-aligned and in the right block, no two registers
// or fields overlapping, fields inside their register, enums that exist, names that are
// C and SystemVerilog identifiers. `origin` names the text in messages (InputError).
RegisterMap parse_register_map(const std::string& yaml_text, const std::string& origin);

// The map of this dnngen, from rtl/shell/regmap.yaml (rtl::rtl_root()), read once.
const RegisterMap& register_map();
std::string register_map_path();

// A register image: byte offset -> 32-bit word; words never written read as 0.
using RegisterImage = std::map<uint32_t, uint32_t>;

// Reads / writes "REG" (the whole register, 64-bit pairs included) or "REG.FIELD".
// write() refuses a value that does not fit (InputError naming it and the width).
uint64_t read(const RegisterMap& map, const RegisterImage& image, const std::string& path);
void write(const RegisterMap& map, RegisterImage& image, const std::string& path, uint64_t value);

// The 32-bit words of a register: {NAME, offset}, or {NAME_LO, offset} and {NAME_HI,
// offset + 4} for a 64-bit pair.
std::vector<std::pair<std::string, uint32_t>> register_words(const Register& reg);
// The bits of the word at `offset` (one of reg's words) that the map defines.
uint32_t defined_bits(const Register& reg, uint32_t offset);
// VERSION as the register reads it: MAJOR << 16 | MINOR << 8 | PATCH.
uint32_t version_word(const RegisterMap& map);

// The generated views of the map.
std::string markdown_table(const RegisterMap& map);
std::string c_header(const RegisterMap& map);
std::string sv_package(const RegisterMap& map);

}  // namespace dnngen::shell
