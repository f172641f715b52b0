// Reading Yosys's JSON netlist (eda/netlist.hpp).
//
// The file is read with a SAX handler that fills the structs directly: no document tree
// (a 128 x 128 array's elaborated netlist is 120 MB of JSON), and only what NetModule
// holds is kept (netnames, memories and cell attributes are skipped). An ordered_json
// tree, which keeps the ports' declaration order, costs quadratic time in the size of an
// object (each key is looked up linearly on insertion): over a minute for that file.
#include "dnngen/eda/netlist.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <variant>

#include "dnngen/common/error.hpp"

namespace dnngen::eda {
namespace fs = std::filesystem;

namespace {

// A scalar as Yosys writes it: an integer or a string.
using Scalar = std::variant<int64_t, std::string>;

// Yosys writes parameter values as binary strings ("00000000000000000000000000000100").
int64_t parse_param(const Scalar& value, const std::string& where) {
  if (const auto* n = std::get_if<int64_t>(&value)) return *n;
  const std::string& text = std::get<std::string>(value);
  if (!text.empty() && text.size() <= 63 && text.find_first_not_of("01") == std::string::npos) {
    return std::stoll(text, nullptr, 2);
  }
  throw ToolError(fmt::format("yosys netlist: cannot read parameter {} = \"{}\"", where, text));
}

bool attribute_set(const std::map<std::string, Scalar>& attributes, const std::string& name) {
  const auto it = attributes.find(name);
  if (it == attributes.end()) return false;
  if (const auto* n = std::get_if<int64_t>(&it->second)) return *n != 0;
  return std::get<std::string>(it->second).find('1') != std::string::npos;
}

// RTL name of a Yosys module: the hdlname attribute of derived modules, else the
// name itself ("$paramod\name\P=..." is a fallback for names Yosys did not hash).
std::string base_name(const std::string& name, const std::map<std::string, Scalar>& attributes) {
  const auto it = attributes.find("hdlname");
  if (it != attributes.end() && std::holds_alternative<std::string>(it->second)) {
    std::string h = std::get<std::string>(it->second);
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

// Builds the Netlist while the parser walks the file. `path_` holds the key of every open
// object (arrays add "[]"), so the position of a value is known by its depth and keys:
//   modules.M.attributes.A                          a module attribute
//   modules.M.parameter_default_values.P            a parameter value
//   modules.M.ports.P.{direction,bits[],signed}     a port
//   modules.M.cells.C.type                          a cell's type
//   modules.M.cells.C.port_directions.P             a cell port's direction
//   modules.M.cells.C.connections.P[]               a cell port's bits
// Everything else is skipped.
class NetlistReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit NetlistReader(Netlist& netlist) : netlist_(netlist) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return scalar(static_cast<int64_t>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return scalar(static_cast<int64_t>(v)); }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t& v) override { return scalar(std::move(v)); }
  bool binary(binary_t&) override { return true; }

  bool start_object(std::size_t) override {
    path_.push_back(pending_key_);
    pending_key_.clear();
    if (path_.size() == 2 && path_[1] == "modules") saw_modules_ = true;
    if (in_modules(2)) begin_module();
    if (in_module_section("ports")) module_.ports.push_back(NetPort{path_[4], "", {}, false});
    if (in_module_section("cells")) module_.cells.push_back(NetCell{path_[4], "", {}, {}});
    return true;
  }
  bool key(string_t& k) override {
    pending_key_ = std::move(k);
    return true;
  }
  bool end_object() override {
    if (in_modules(2)) end_module();
    path_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    path_.push_back(pending_key_);
    pending_key_.clear();
    bits_ = connection_bits();
    if (bits_ != nullptr) bits_->clear();
    return true;
  }
  bool end_array() override {
    path_.pop_back();
    bits_ = nullptr;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  bool saw_modules() const { return saw_modules_; }

 private:
  // path_ is ["", "modules", M, section, entry, ...]: the root object's key is "".
  bool in_modules(size_t depth) const {
    return path_.size() == depth + 1 && path_.size() >= 2 && path_[1] == "modules";
  }
  // An entry (a port, a cell) of a module's section has just opened.
  bool in_module_section(const char* section) const {
    return path_.size() == 5 && path_[1] == "modules" && path_[3] == section;
  }

  void begin_module() {
    module_ = NetModule{};
    module_.name = path_[2];
    attributes_.clear();
    params_.clear();
  }
  void end_module() {
    module_.base = base_name(module_.name, attributes_);
    module_.blackbox = attribute_set(attributes_, "blackbox");
    module_.macro =
        module_.blackbox && (module_.base == kSramModule || attribute_set(attributes_, kMacroAttr));
    // Only our own modules' parameters are needed; vendor cell libraries (black boxes of
    // synth_xilinx) have string and very wide ones.
    if (!module_.blackbox || module_.macro) {
      for (const auto& [name, value] : params_) {
        module_.params[name] = parse_param(value, module_.base + "." + name);
      }
    }
    netlist_.insert_or_assign(module_.name, std::move(module_));
  }

  // The bit list an array at the current position fills, if any.
  std::vector<int64_t>* connection_bits() {
    if (path_.size() == 6 && path_[1] == "modules" && path_[3] == "ports" && path_[5] == "bits") {
      return &module_.ports.back().bits;
    }
    if (path_.size() == 7 && path_[1] == "modules" && path_[3] == "cells" && path_[5] == "connections") {
      auto& connections = module_.cells.back().connections;
      connections.emplace_back(path_[6], std::vector<int64_t>{});
      return &connections.back().second;
    }
    return nullptr;
  }

  bool scalar(Scalar value) {
    if (bits_ != nullptr) {  // a bit: an id, or "0", "1", "x", "z"
      const auto* id = std::get_if<int64_t>(&value);
      bits_->push_back(id != nullptr ? *id : kConstBit);
      return true;
    }
    if (path_.size() < 4 || path_[1] != "modules") return true;
    const std::string& section = path_[3];
    if (path_.size() == 4 && section == "attributes") {
      attributes_[pending_key_] = std::move(value);
    } else if (path_.size() == 4 && section == "parameter_default_values") {
      params_[pending_key_] = std::move(value);
    } else if (path_.size() == 5 && section == "ports") {
      NetPort& port = module_.ports.back();
      if (pending_key_ == "direction" && std::holds_alternative<std::string>(value)) {
        port.direction = std::get<std::string>(value);
      } else if (pending_key_ == "signed") {
        const auto* n = std::get_if<int64_t>(&value);
        port.is_signed = n != nullptr && *n != 0;
      }
    } else if (path_.size() == 5 && section == "cells" && pending_key_ == "type" &&
               std::holds_alternative<std::string>(value)) {
      module_.cells.back().type = std::get<std::string>(value);
    } else if (path_.size() == 6 && section == "cells" && path_[5] == "port_directions" &&
               std::holds_alternative<std::string>(value)) {
      module_.cells.back().directions[pending_key_] = std::get<std::string>(value);
    }
    return true;
  }

  Netlist& netlist_;
  std::vector<std::string> path_;
  std::string pending_key_;
  std::vector<int64_t>* bits_ = nullptr;
  bool saw_modules_ = false;
  NetModule module_;
  std::map<std::string, Scalar> attributes_;
  std::map<std::string, Scalar> params_;
};

}  // namespace

Netlist load_netlist(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError(fmt::format("yosys did not write {}", path.string()));
  Netlist netlist;
  NetlistReader reader(netlist);
  const bool ok = nlohmann::json::sax_parse(in, &reader);
  if (!ok || !reader.saw_modules()) {
    throw ToolError(fmt::format("yosys wrote an unreadable netlist {}", path.string()));
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
