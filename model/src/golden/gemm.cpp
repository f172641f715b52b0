#include "dnngen/golden/gemm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dnngen/common/error.hpp"
#include "dnngen/common/numerics.hpp"

namespace dnngen::golden {
namespace {

[[noreturn]] void fail(const std::string& tensor, const std::string& message) {
  throw InputError("tensor " + tensor + ": " + message);
}

// A 2-D tensor with both dimensions at least 1 and data matching its shape.
void check_matrix(const std::string& name, const Tensor& t, const char* dims) {
  if (t.shape.size() != 2) {
    fail(name, fmt::format("expected a 2-D matrix {}, got shape {}", dims, shape_string(t.shape)));
  }
  if (t.shape[0] < 1 || t.shape[1] < 1) {
    fail(name,
         fmt::format("expected shape {} with both dimensions >= 1, got {}", dims, shape_string(t.shape)));
  }
  if (static_cast<int64_t>(t.data.size()) != t.size()) {
    fail(name, fmt::format("holds {} values but its shape {} needs {}", t.data.size(), shape_string(t.shape),
                           t.size()));
  }
}

void check_limit(const std::string& name, const char* dim, int64_t value, const char* key, unsigned limit) {
  if (value > limit) fail(name, fmt::format("{} = {} exceeds {} = {}", dim, value, key, limit));
}

}  // namespace

int64_t reduce_sum(const config::SystolicConfig& cfg, __int128 sum) {
  if (cfg.overflow == config::Overflow::kSaturate) {
    return numerics::saturate_signed(sum, cfg.acc_bits);
  }
  // acc_bits <= 64, so the low 64 bits hold everything the wrap keeps.
  return numerics::wrap_signed(static_cast<int64_t>(static_cast<uint64_t>(sum)), cfg.acc_bits);
}

// Every element must be representable in the operand width the hardware is built for;
// the RTL would silently truncate anything wider.
void check_values_fit(const std::string& name, const Tensor& t, unsigned bits, const char* key,
                      bool is_signed) {
  const int64_t lo = numerics::min_value(bits, is_signed);
  const int64_t hi = numerics::max_value(bits, is_signed);
  for (size_t flat = 0; flat < t.data.size(); ++flat) {
    const int64_t v = t.data[flat];
    if (v >= lo && v <= hi) continue;
    // Unravel the flat index into the tensor's coordinates for the message.
    std::vector<int64_t> index(t.shape.size());
    auto rest = static_cast<int64_t>(flat);
    for (size_t d = t.shape.size(); d-- > 0;) {
      index[d] = rest % t.shape[d];
      rest /= t.shape[d];
    }
    fail(name,
         fmt::format("element {} = {} does not fit {}int{} ({} {}, {}) range {}..{}", shape_string(index), v,
                     is_signed ? "" : "u", bits, key, bits, is_signed ? "signed" : "unsigned", lo, hi));
  }
}

void check_gemm_operands(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b,
                         bool within_job_limits) {
  check_matrix("A", a, "[M, K]");
  check_matrix("B", b, "[K, N]");
  const int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  if (b.shape[0] != k) {
    fail("B", fmt::format("expected shape [K, N] with K = {} (A is {}), got {}", k, shape_string(a.shape),
                          shape_string(b.shape)));
  }
  if (within_job_limits) {
    check_limit("A", "M", m, "max_m", cfg.max_m);
    check_limit("A", "K", k, "max_k", cfg.max_k);
    check_limit("B", "N", n, "max_n", cfg.max_n);
  }
  check_values_fit("A", a, cfg.input_bits, "input_bits", cfg.is_signed);
  check_values_fit("B", b, cfg.weight_bits, "weight_bits", cfg.is_signed);
}

Tensor gemm(const config::SystolicConfig& cfg, const Tensor& a, const Tensor& b) {
  check_gemm_operands(cfg, a, b);
  const int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  Tensor c({m, n});
  // i-k-j order walks B and the accumulator row contiguously. The exact sum is kept
  // in 128 bits and reduced once at the end, as the numerics contract requires.
  std::vector<__int128> acc(static_cast<size_t>(n));
  for (int64_t i = 0; i < m; ++i) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t p = 0; p < k; ++p) {
      const __int128 av = a.at(i, p);
      for (int64_t j = 0; j < n; ++j) acc[static_cast<size_t>(j)] += av * b.at(p, j);
    }
    for (int64_t j = 0; j < n; ++j) c.at(i, j) = reduce_sum(cfg, acc[static_cast<size_t>(j)]);
  }
  return c;
}

}  // namespace dnngen::golden
