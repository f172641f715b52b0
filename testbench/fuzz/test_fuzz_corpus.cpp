// Every seed and every past finding of the fuzz targets (testbench/fuzz/corpus/<target>/,
// findings named crash-*), replayed through the same functions in the normal build: a
// reader that crashes or throws anything but InputError on one of them fails this test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"

namespace dnngen::fuzz {
namespace {

namespace fs = std::filesystem;

TEST(FuzzCorpus, EveryInputIsReadOrRefusedCleanly) {
  size_t inputs = 0;
  for (const auto& target : targets()) {
    const fs::path dir = fs::path(DNNGEN_FUZZ_CORPUS) / target.name;
    ASSERT_TRUE(fs::is_directory(dir)) << dir << ": no seed corpus";
    size_t here = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      SCOPED_TRACE(entry.path().string());
      EXPECT_NO_THROW(target.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
      ++here;
    }
    EXPECT_GE(here, 3u) << target.name << ": the seed corpus needs valid and invalid examples";
    inputs += here;
  }
  std::printf("fuzz corpus: %zu inputs over %zu targets\n", inputs, targets().size());
}

}  // namespace
}  // namespace dnngen::fuzz
