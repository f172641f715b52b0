// libFuzzer entry for one target, chosen at compile time (DNNGEN_FUZZ_TARGET names a
// function of fuzz_targets.hpp). Built by scripts/fuzz.sh with clang and
// -fsanitize=fuzzer,address,undefined.
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dnngen::fuzz::DNNGEN_FUZZ_TARGET(data, size);
  return 0;
}
