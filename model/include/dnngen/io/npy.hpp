#pragma once
// NumPy .npy reading and writing (format versions 1.0/2.0, little-endian, C order).
#include <string>
#include <vector>

#include "dnngen/common/tensor.hpp"

namespace dnngen::io {

enum class DType { kInt8, kUInt8, kInt16, kUInt16, kInt32, kUInt32, kInt64 };

std::string to_string(DType t);  // numpy descr without byte order, e.g. "int8"

struct NpyArray {
  DType dtype = DType::kInt64;
  Tensor tensor;
};

// Throws InputError naming the file for: missing/unreadable file, bad magic, truncated
// header or data, unsupported dtype (floats, big-endian, objects), fortran_order True.
NpyArray read_npy(const std::string& path);

// Writes atomically (temp file + rename) so a failure leaves no partial file.
// Throws InputError if a value does not fit dtype.
void write_npy(const std::string& path, const Tensor& t, DType dtype);

// The bytes write_npy writes, for a file committed with others (output::OutputSet);
// `path` only names the file in the same InputErrors.
std::string npy_bytes(const std::string& path, const Tensor& t, DType dtype);

}  // namespace dnngen::io

namespace dnngen::io {

// Floating-point arrays (float32 '<f4' or float64 '<f8', read as float), for dense
// weights that `dnngen compress` prunes and quantizes. Same errors as read_npy.
struct NpyFloatArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};
NpyFloatArray read_npy_float(const std::string& path);

}  // namespace dnngen::io
