// .npy format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//   magic "\x93NUMPY", major, minor, header length (uint16 LE for 1.0, uint32 LE for 2.0),
//   an ASCII Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), }
//   padded with spaces and ending in '\n', then the raw array data.
#include "dnngen/io/npy.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/common/output_dir.hpp"

namespace dnngen::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// numpy aligns the start of the data to 64 bytes so it can be memory-mapped.
constexpr size_t kHeaderAlignment = 64;

struct DTypeInfo {
  DType type;
  char kind;  // 'i' signed, 'u' unsigned
  unsigned bytes;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kInt8, 'i', 1},  {DType::kUInt8, 'u', 1},  {DType::kInt16, 'i', 2}, {DType::kUInt16, 'u', 2},
    {DType::kInt32, 'i', 4}, {DType::kUInt32, 'u', 4}, {DType::kInt64, 'i', 8},
};

const DTypeInfo& info(DType t) {
  for (const auto& d : kDTypes) {
    if (d.type == t) return d;
  }
  throw std::invalid_argument("npy: unknown DType");
}

bool is_signed(DType t) { return info(t).kind == 'i'; }
unsigned bits(DType t) { return info(t).bytes * 8; }

// The descr numpy writes for a type: '|' (no byte order) for one byte, '<' otherwise.
std::string descr(DType t) {
  const DTypeInfo& d = info(t);
  return fmt::format("{}{}{}", d.bytes == 1 ? '|' : '<', d.kind, d.bytes);
}

std::string supported_descrs() {
  std::string out;
  for (const auto& d : kDTypes) out += (out.empty() ? "" : ", ") + descr(d.type);
  return out;
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw InputError(path + ": " + message);
}

// Maps a descr such as '<i4' to a DType. Byte order does not matter for one-byte types;
// '=' (native) is little-endian on every host we build for.
DType parse_descr(const std::string& path, const std::string& text) {
  std::string body = text;
  char order = '|';
  if (!body.empty() && std::string("<>|=").find(body[0]) != std::string::npos) {
    order = body[0];
    body = body.substr(1);
  }
  for (const auto& d : kDTypes) {
    if (body != fmt::format("{}{}", d.kind, d.bytes)) continue;
    if (order == '>' && d.bytes > 1) {
      fail(path, fmt::format("unsupported dtype '{}': big-endian data is not supported; "
                             "convert with a.astype(a.dtype.newbyteorder('<'))",
                             text));
    }
    return d.type;
  }
  fail(path, fmt::format("unsupported dtype '{}' (supported: {})", text, supported_descrs()));
}

// The header is a Python dict literal. Only the subset numpy writes for plain arrays is
// parsed: string keys, and values that are strings, True/False or tuples of integers.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  struct Value {
    std::string str;
    std::optional<bool> boolean;
    std::optional<std::vector<int64_t>> tuple;
  };

  std::vector<std::pair<std::string, Value>> parse_dict() {
    std::vector<std::pair<std::string, Value>> items;
    expect('{');
    while (!peek('}')) {
      std::string key = parse_string();
      expect(':');
      items.emplace_back(key, parse_value(key));
      if (!peek('}')) expect(',');
    }
    expect('}');
    return items;
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) malformed(fmt::format("expected '{}' at offset {}", c, pos_));
    ++pos_;
  }
  [[noreturn]] void malformed(const std::string& what) {
    fail(path_, "malformed .npy header (" + what + "): " + s_);
  }

  std::string parse_string() {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) {
      malformed(fmt::format("expected a string at offset {}", pos_));
    }
    const char quote = s_[pos_++];
    const size_t end = s_.find(quote, pos_);
    if (end == std::string::npos) malformed("unterminated string");
    std::string out = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }

  Value parse_value(const std::string& key) {
    skip_space();
    Value v;
    if (peek('\'') || peek('"')) {
      v.str = parse_string();
    } else if (s_.compare(pos_, 4, "True") == 0) {
      v.boolean = true;
      pos_ += 4;
    } else if (s_.compare(pos_, 5, "False") == 0) {
      v.boolean = false;
      pos_ += 5;
    } else if (peek('(')) {
      v.tuple = parse_tuple();
    } else if (peek('[') && key == "descr") {
      fail(path_, fmt::format("unsupported dtype: structured arrays are not supported "
                              "(supported: {})",
                              supported_descrs()));
    } else {
      malformed(fmt::format("unexpected value for '{}'", key));
    }
    return v;
  }

  std::vector<int64_t> parse_tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (!peek(')')) {
      skip_space();
      const size_t start = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      // A trailing 'L' is how Python 2 wrote long integers.
      const std::string digits = s_.substr(start, pos_ - start);
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;
      if (digits.empty() || digits.size() > 18) malformed("bad shape dimension");
      dims.push_back(std::stoll(digits));
      if (!peek(')')) expect(',');
    }
    expect(')');
    return dims;
  }

  const std::string& s_;
  const std::string& path_;
  size_t pos_ = 0;
};

struct Header {
  DType dtype = DType::kInt64;
  std::vector<int64_t> shape;
  size_t data_offset = 0;
};

uint64_t read_le(const unsigned char* p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

Header parse_header(const std::string& path, const std::string& file) {
  if (file.size() < kMagicSize + 2 || file.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    fail(path, "not a .npy file (bad magic)");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const unsigned major = bytes[6];
  const unsigned minor = bytes[7];
  if (major != 1 && major != 2) {
    fail(path, fmt::format("unsupported .npy format version {}.{} (supported: 1.0, 2.0)", major, minor));
  }
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + len_bytes;
  if (file.size() < prefix) fail(path, "truncated header");
  const size_t header_len = read_le(bytes + kMagicSize + 2, static_cast<unsigned>(len_bytes));
  if (file.size() - prefix < header_len) {
    fail(path,
         fmt::format("truncated header: expected {} bytes, found {}", header_len, file.size() - prefix));
  }

  const std::string text = file.substr(prefix, header_len);
  HeaderParser parser(text, path);
  Header h;
  h.data_offset = prefix + header_len;
  bool have_descr = false, have_order = false, have_shape = false;
  for (const auto& [key, value] : parser.parse_dict()) {
    if (key == "descr" && !value.boolean && !value.tuple) {
      h.dtype = parse_descr(path, value.str);
      have_descr = true;
    } else if (key == "fortran_order" && value.boolean) {
      if (*value.boolean) {
        fail(path,
             "fortran_order arrays are not supported; save a C-ordered array "
             "(np.ascontiguousarray)");
      }
      have_order = true;
    } else if (key == "shape" && value.tuple) {
      h.shape = *value.tuple;
      have_shape = true;
    } else {
      fail(path, fmt::format("malformed .npy header (unexpected key or value for '{}'): {}", key, text));
    }
  }
  if (!have_descr || !have_order || !have_shape) {
    fail(path, "malformed .npy header (needs descr, fortran_order and shape): " + text);
  }
  if (h.shape.empty()) fail(path, "0-D (scalar) arrays are not supported");
  return h;
}

// Number of elements, or an error if the product overflows (a corrupt header).
int64_t element_count(const std::string& path, const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / 8 / d) {
      fail(path, "shape " + shape_string(shape) + " is too large");
    }
    n *= d;
  }
  return n;
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    fail(path, std::string("cannot read file: ") + std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot read file: ") + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) fail(path, std::string("cannot read file: ") + std::strerror(errno));
  return buf.str();
}

// Row-major multi-index of flat element i, for messages: "[1, 2]".
std::string index_string(const std::vector<int64_t>& shape, int64_t i) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = i % shape[d];
    i /= shape[d];
  }
  return shape_string(idx);
}

std::string encode_header(const Tensor& t, DType dtype) {
  // Python tuple syntax: "(3, 4)", and "(5,)" for one dimension.
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  if (t.shape.size() == 1) shape += ",";
  shape += ")";
  std::string dict =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr(dtype), shape);
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
  const size_t prefix = kMagicSize + 2 + 2;
  const size_t total = prefix + dict.size() + 1;
  dict.append((kHeaderAlignment - total % kHeaderAlignment) % kHeaderAlignment, ' ');
  dict += '\n';
  return dict;
}

}  // namespace

std::string to_string(DType t) {
  switch (t) {
    case DType::kInt8:
      return "int8";
    case DType::kUInt8:
      return "uint8";
    case DType::kInt16:
      return "int16";
    case DType::kUInt16:
      return "uint16";
    case DType::kInt32:
      return "int32";
    case DType::kUInt32:
      return "uint32";
    case DType::kInt64:
      return "int64";
  }
  return "unknown";
}

NpyArray read_npy(const std::string& path) {
  const std::string file = read_file(path);
  const Header h = parse_header(path, file);
  const int64_t count = element_count(path, h.shape);
  const unsigned width = info(h.dtype).bytes;
  const size_t expected = static_cast<size_t>(count) * width;
  const size_t found = file.size() - h.data_offset;
  if (found != expected) {
    fail(path, fmt::format("{}: expected {} bytes of data, found {} (shape {}, {})",
                           found < expected ? "truncated data" : "trailing data", expected, found,
                           shape_string(h.shape), to_string(h.dtype)));
  }

  NpyArray out;
  out.dtype = h.dtype;
  out.tensor = Tensor(h.shape);
  const auto* p = reinterpret_cast<const unsigned char*>(file.data()) + h.data_offset;
  const unsigned nbits = bits(h.dtype);
  const bool sign = is_signed(h.dtype);
  for (int64_t i = 0; i < count; ++i) {
    out.tensor.data[static_cast<size_t>(i)] =
        numerics::from_field(read_le(p + i * width, width), nbits, sign);
  }
  return out;
}

std::string npy_bytes(const std::string& path, const Tensor& t, DType dtype) {
  if (t.shape.empty()) fail(path, "cannot write a 0-D tensor");
  if (static_cast<int64_t>(t.data.size()) != t.size()) {
    fail(path, fmt::format("tensor holds {} values but its shape {} needs {}", t.data.size(),
                           shape_string(t.shape), t.size()));
  }
  const unsigned nbits = bits(dtype);
  const bool sign = is_signed(dtype);
  for (size_t i = 0; i < t.data.size(); ++i) {
    if (!numerics::fits(t.data[i], nbits, sign)) {
      fail(path, fmt::format("element {} = {} does not fit {} range {}..{}",
                             index_string(t.shape, static_cast<int64_t>(i)), t.data[i], to_string(dtype),
                             numerics::min_value(nbits, sign), numerics::max_value(nbits, sign)));
    }
  }

  const std::string header = encode_header(t, dtype);
  if (header.size() > std::numeric_limits<uint16_t>::max()) {
    fail(path, "shape " + shape_string(t.shape) + " is too long for a version 1.0 header");
  }
  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  const unsigned width = info(dtype).bytes;
  out.reserve(out.size() + t.data.size() * width);
  for (int64_t v : t.data) {
    const uint64_t field = numerics::to_field(v, nbits);
    for (unsigned b = 0; b < width; ++b) out += static_cast<char>((field >> (8 * b)) & 0xff);
  }

  return out;
}

void write_npy(const std::string& path, const Tensor& t, DType dtype) {
  // All or nothing: a failed write leaves any previous file intact (output::replace_file).
  output::replace_file(path, npy_bytes(path, t, dtype));
}

NpyFloatArray read_npy_float(const std::string& path) {
  const std::string file = read_file(path);
  if (file.size() < kMagicSize + 2 || file.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    fail(path, "not a .npy file (bad magic)");
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const unsigned major = bytes[6];
  if (major != 1 && major != 2) fail(path, "unsupported .npy format version (supported: 1.0, 2.0)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + len_bytes;
  if (file.size() < prefix) fail(path, "truncated header");
  const size_t header_len = read_le(bytes + kMagicSize + 2, static_cast<unsigned>(len_bytes));
  if (file.size() - prefix < header_len) fail(path, "truncated header");
  const std::string text = file.substr(prefix, header_len);
  HeaderParser parser(text, path);
  NpyFloatArray out;
  unsigned width = 0;
  bool have_order = false, have_shape = false;
  for (const auto& [key, value] : parser.parse_dict()) {
    if (key == "descr" && !value.boolean && !value.tuple) {
      if (value.str == "<f4" || value.str == "=f4")
        width = 4;
      else if (value.str == "<f8" || value.str == "=f8")
        width = 8;
      else
        fail(path,
             fmt::format("unsupported dtype '{}' (expected float32 '<f4' or float64 '<f8')", value.str));
    } else if (key == "fortran_order" && value.boolean) {
      if (*value.boolean) fail(path, "fortran_order arrays are not supported; save a C-ordered array");
      have_order = true;
    } else if (key == "shape" && value.tuple) {
      out.shape = *value.tuple;
      have_shape = true;
    } else {
      fail(path, "malformed .npy header: " + text);
    }
  }
  if (width == 0 || !have_order || !have_shape) fail(path, "malformed .npy header: " + text);
  if (out.shape.empty()) fail(path, "0-D (scalar) arrays are not supported");
  const int64_t n = element_count(path, out.shape);
  const size_t data_offset = prefix + header_len;
  if (file.size() - data_offset < static_cast<size_t>(n) * width)
    fail(path, fmt::format("truncated data: expected {} bytes", static_cast<size_t>(n) * width));
  out.data.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const char* p = file.data() + data_offset + static_cast<size_t>(i) * width;
    if (width == 4) {
      float f;
      std::memcpy(&f, p, 4);
      out.data[static_cast<size_t>(i)] = f;
    } else {
      double d;
      std::memcpy(&d, p, 8);
      out.data[static_cast<size_t>(i)] = static_cast<float>(d);
    }
  }
  return out;
}

}  // namespace dnngen::io
