// `dnngen compress`. Placeholder until the EIE compression pipeline lands.
#include "dnngen/eie/compress_cli.hpp"

#include "dnngen/common/error.hpp"

namespace dnngen::eie {

int compress_command(const std::vector<std::string>& /*args*/) {
  throw InputError("dnngen compress: not built yet");
}

}  // namespace dnngen::eie
