// .npy I/O: round trip of every supported dtype at its range edges, interoperability
// with real numpy in both directions (skipped when /usr/bin/python3 has no numpy), and
// hand-crafted corrupt files for every error the reader reports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"
#include "dnngen/io/npy.hpp"

namespace dnngen::io {
namespace {

namespace fs = std::filesystem;

const std::vector<DType> kAllDTypes = {DType::kInt8,  DType::kUInt8,  DType::kInt16, DType::kUInt16,
                                       DType::kInt32, DType::kUInt32, DType::kInt64};

struct Range {
  unsigned bits;
  bool is_signed;
};

Range range_of(DType t) {
  switch (t) {
    case DType::kInt8:
      return {8, true};
    case DType::kUInt8:
      return {8, false};
    case DType::kInt16:
      return {16, true};
    case DType::kUInt16:
      return {16, false};
    case DType::kInt32:
      return {32, true};
    case DType::kUInt32:
      return {32, false};
    case DType::kInt64:
      return {64, true};
  }
  return {64, true};
}

bool have_numpy() {
  static const bool ok = std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return ok;
}

// Runs a Python snippet with numpy imported as np; returns true on exit status 0.
bool run_python(const std::string& code) {
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; " + code + "\"";
  return std::system(cmd.c_str()) == 0;
}

class Npy : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("dnngen_npy_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_bytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }

  std::string read_bytes(const std::string& p) const {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // A version 1.0 (or 2.0) file with the given dict text and raw data, no padding.
  static std::string craft(const std::string& dict, const std::string& data, int major = 1) {
    std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
    const size_t len = dict.size();
    out += static_cast<char>(len & 0xff);
    out += static_cast<char>((len >> 8) & 0xff);
    if (major == 2) out += std::string(2, '\0');
    return out + dict + data;
  }

  std::string read_error(const std::string& p) const {
    try {
      read_npy(p);
    } catch (const InputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected InputError reading " << p;
    return "";
  }

  fs::path dir_;
};

TEST_F(Npy, RoundTripEveryDTypeAtRangeEdges) {
  for (DType t : kAllDTypes) {
    SCOPED_TRACE(to_string(t));
    const Range r = range_of(t);
    Tensor x({2, 3, 2});
    const int64_t lo = numerics::min_value(r.bits, r.is_signed);
    const int64_t hi = numerics::max_value(r.bits, r.is_signed);
    x.data = {lo, hi, 0, 1, lo + 1, hi - 1, 7, 2, 3, 4, 5, hi};
    const std::string p = path(to_string(t) + ".npy");
    write_npy(p, x, t);
    const NpyArray back = read_npy(p);
    EXPECT_EQ(back.dtype, t);
    EXPECT_EQ(back.tensor.shape, x.shape);
    EXPECT_EQ(back.tensor.data, x.data);
  }
}

TEST_F(Npy, WrittenHeaderIsPaddedTo64Bytes) {
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{5}, {3, 4}, {1, 2, 3, 4, 5, 6}, {0, 3}}) {
    SCOPED_TRACE(shape_string(shape));
    const std::string p = path("pad.npy");
    write_npy(p, Tensor(shape), DType::kInt32);
    const std::string bytes = read_bytes(p);
    ASSERT_GE(bytes.size(), 10u);
    const size_t header_len = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9])
                                                                         << 8;
    EXPECT_EQ((10 + header_len) % 64, 0u);
    EXPECT_EQ(bytes[9 + header_len], '\n');
    EXPECT_EQ(bytes.size(), 10 + header_len + 4 * static_cast<size_t>(Tensor(shape).size()));
  }
  write_npy(path("1d.npy"), Tensor({5}), DType::kInt8);
  EXPECT_NE(read_bytes(path("1d.npy")).find("'shape': (5,)"), std::string::npos);
}

TEST_F(Npy, WriteRejectsValuesOutsideDTypeAndLeavesNoFile) {
  Tensor x({2, 2});
  x.data = {0, 1, 128, 3};
  const std::string p = path("bad.npy");
  try {
    write_npy(p, x, DType::kInt8);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": element [1, 0] = 128 does not fit int8 range -128..127");
  }
  x.data = {0, -1, 0, 0};
  EXPECT_THROW(write_npy(p, x, DType::kUInt32), InputError);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(Npy, WriteToMissingDirectoryFailsCleanly) {
  const std::string p = path("no_such_dir/x.npy");
  try {
    write_npy(p, Tensor({1}), DType::kInt8);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": cannot write: No such file or directory");
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(Npy, OverwriteReplacesFileAndLeavesNoTemp) {
  const std::string p = path("x.npy");
  write_npy(p, Tensor({4}), DType::kInt64);
  Tensor y({2});
  y.data = {-9, 9};
  write_npy(p, y, DType::kInt16);
  EXPECT_EQ(read_npy(p).tensor.data, y.data);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(Npy, ReadsVersion2Header) {
  const std::string p =
      write_bytes("v2.npy", craft("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }\n",
                                  std::string("\x01\x00\xff\xff", 4), 2));
  const NpyArray a = read_npy(p);
  EXPECT_EQ(a.dtype, DType::kInt16);
  EXPECT_EQ(a.tensor.data, (std::vector<int64_t>{1, -1}));
}

TEST_F(Npy, AcceptsDescrWithoutByteOrderForOneByteTypes) {
  for (const char* descr : {"i1", "<i1", "|i1", ">i1"}) {
    SCOPED_TRACE(descr);
    const std::string p = write_bytes(
        "b.npy", craft(std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (1, 1), }\n",
                       "\x80"));
    EXPECT_EQ(read_npy(p).tensor.data, (std::vector<int64_t>{-128}));
  }
}

TEST_F(Npy, ErrorMissingFile) {
  const std::string p = path("missing.npy");
  EXPECT_EQ(read_error(p), p + ": cannot read file: No such file or directory");
}

TEST_F(Npy, ErrorBadMagic) {
  const std::string p = write_bytes("text.npy", "hello, this is not numpy");
  EXPECT_EQ(read_error(p), p + ": not a .npy file (bad magic)");
  EXPECT_EQ(read_error(write_bytes("empty.npy", "")), path("empty.npy") + ": not a .npy file (bad magic)");
}

TEST_F(Npy, ErrorUnsupportedVersion) {
  std::string bytes = craft("{'descr': '<i2', 'fortran_order': False, 'shape': (1,), }\n", "aa");
  bytes[6] = 4;
  const std::string p = write_bytes("v4.npy", bytes);
  EXPECT_EQ(read_error(p), p + ": unsupported .npy format version 4.0 (supported: 1.0, 2.0)");
}

TEST_F(Npy, ErrorTruncatedHeader) {
  const std::string full = craft("{'descr': '<i2', 'fortran_order': False, 'shape': (1,), }\n", "");
  const std::string p = write_bytes("th.npy", full.substr(0, 30));
  EXPECT_EQ(read_error(p), p + ": truncated header: expected 58 bytes, found 20");
  const std::string q = write_bytes("th2.npy", full.substr(0, 9));
  EXPECT_EQ(read_error(q), q + ": truncated header");
}

TEST_F(Npy, ErrorTruncatedAndTrailingData) {
  const std::string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 4), }\n";
  const std::string p = write_bytes("td.npy", craft(dict, std::string(40, '\0')));
  EXPECT_EQ(read_error(p), p + ": truncated data: expected 48 bytes of data, found 40 "
                               "(shape [3, 4], int32)");
  const std::string q = write_bytes("tl.npy", craft(dict, std::string(50, '\0')));
  EXPECT_EQ(read_error(q), q + ": trailing data: expected 48 bytes of data, found 50 "
                               "(shape [3, 4], int32)");
}

TEST_F(Npy, ErrorUnsupportedDTypes) {
  const std::string supported = "(supported: |i1, |u1, <i2, <u2, <i4, <u4, <i8)";
  for (const char* descr : {"<f4", "<u8", "<f8", "|b1", "<c8", "|O"}) {
    SCOPED_TRACE(descr);
    const std::string p = write_bytes(
        "d.npy", craft(std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (2,), }\n",
                       std::string(64, '\0')));
    EXPECT_EQ(read_error(p), p + ": unsupported dtype '" + descr + "' " + supported);
  }
  const std::string p = write_bytes(
      "s.npy",
      craft("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }\n", std::string(4, '\0')));
  EXPECT_EQ(read_error(p), p + ": unsupported dtype: structured arrays are not supported " + supported);
}

TEST_F(Npy, ErrorBigEndian) {
  const std::string p = write_bytes(
      "be.npy", craft("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }\n", std::string(4, '\0')));
  EXPECT_EQ(read_error(p), p + ": unsupported dtype '>i4': big-endian data is not supported; "
                               "convert with a.astype(a.dtype.newbyteorder('<'))");
}

TEST_F(Npy, ErrorFortranOrder) {
  const std::string p = write_bytes(
      "f.npy", craft("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2), }\n", std::string(16, '\0')));
  EXPECT_EQ(read_error(p), p + ": fortran_order arrays are not supported; save a C-ordered "
                               "array (np.ascontiguousarray)");
}

TEST_F(Npy, ErrorZeroDAndMalformedHeaders) {
  const std::string p =
      write_bytes("0d.npy", craft("{'descr': '<i4', 'fortran_order': False, 'shape': (), }\n", "abcd"));
  EXPECT_EQ(read_error(p), p + ": 0-D (scalar) arrays are not supported");
  for (const char* dict : {"{'descr': '<i4', 'shape': (1,), }\n", "not a dict\n",
                           "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n",
                           "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }\n",
                           "{'descr': '<i4', 'fortran_order': False, 'shape': (1,}\n"}) {
    SCOPED_TRACE(dict);
    const std::string q = write_bytes("m.npy", craft(dict, "abcd"));
    EXPECT_EQ(read_error(q).rfind(q + ": malformed .npy header", 0), 0u);
  }
}

TEST_F(Npy, ReadsFilesWrittenByNumpy) {
  if (!have_numpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  const std::vector<std::string> dtypes = {"int8", "uint8", "int16", "uint16", "int32", "uint32", "int64"};
  for (size_t i = 0; i < dtypes.size(); ++i) {
    SCOPED_TRACE(dtypes[i]);
    const std::string p = path(dtypes[i] + ".npy");
    const std::string p2 = path(dtypes[i] + "_v2.npy");
    // Values from the dtype's minimum upwards, so signed types see negatives.
    ASSERT_TRUE(run_python("i = np.iinfo('" + dtypes[i] + "'); " + "a = (np.arange(24) + i.min).astype('" +
                           dtypes[i] + "').reshape(2, 3, 4); a[1, 2, 3] = i.max; np.save('" + p +
                           "', a); np.lib.format.write_array(open('" + p2 + "', 'wb'), a, version=(2, 0))"));
    for (const std::string& file : {p, p2}) {
      const NpyArray a = read_npy(file);
      EXPECT_EQ(a.dtype, kAllDTypes[i]);
      EXPECT_EQ(a.tensor.shape, (std::vector<int64_t>{2, 3, 4}));
      const Range r = range_of(a.dtype);
      const int64_t lo = numerics::min_value(r.bits, r.is_signed);
      for (int64_t k = 0; k < 23; ++k) EXPECT_EQ(a.tensor.data[static_cast<size_t>(k)], lo + k);
      EXPECT_EQ(a.tensor.data[23], numerics::max_value(r.bits, r.is_signed));
    }
  }
}

TEST_F(Npy, RejectsNumpyFortranBigEndianAndFloat) {
  if (!have_numpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  ASSERT_TRUE(run_python("a = np.arange(6, dtype='int32').reshape(2, 3); np.save('" + path("f.npy") +
                         "', np.asfortranarray(a)); np.save('" + path("b.npy") +
                         "', a.astype('>i4')); np.save('" + path("x.npy") + "', a * 0.5)"));
  EXPECT_NE(read_error(path("f.npy")).find("fortran_order"), std::string::npos);
  EXPECT_NE(read_error(path("b.npy")).find("big-endian"), std::string::npos);
  EXPECT_NE(read_error(path("x.npy")).find("unsupported dtype '<f8'"), std::string::npos);
}

TEST_F(Npy, NumpyReadsOurFiles) {
  if (!have_numpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  for (DType t : kAllDTypes) {
    SCOPED_TRACE(to_string(t));
    const Range r = range_of(t);
    Tensor x({3, 2});
    x.data = {numerics::min_value(r.bits, r.is_signed), 1, 2, 3, 4, numerics::max_value(r.bits, r.is_signed)};
    const std::string p = path("ours.npy");
    write_npy(p, x, t);
    const std::string expected =
        "[" + std::to_string(x.data[0]) + ", 1, 2, 3, 4, " + std::to_string(x.data[5]) + "]";
    EXPECT_TRUE(run_python("a = np.load('" + p + "'); assert a.dtype == np.dtype('" + to_string(t) +
                           "'), a.dtype; assert a.shape == (3, 2), a.shape; " +
                           "assert a.ravel().tolist() == " + expected + ", a"));
  }
}

}  // namespace
}  // namespace dnngen::io
