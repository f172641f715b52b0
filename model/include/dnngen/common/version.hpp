#pragma once
// The dnngen version: written into generated files (bundles, manifests, sweep reports)
// and printed by `dnngen --version`.

namespace dnngen {

inline constexpr const char* kDnngenVersion = "0.1.0";

}  // namespace dnngen
