// The eie engine's part of the dnngen front end (see dnngen/cli/engine_cli.hpp).
// Placeholder until the engine's model lands: every entry refuses with exit 2.
#include "dnngen/cli/engine_cli.hpp"
#include "dnngen/common/error.hpp"

namespace dnngen::eie {
namespace {

[[noreturn]] void not_built() { throw InputError("engine eie: not built yet"); }

std::string describe(const config::Config&) { not_built(); }
void check_job(const config::Config&, const cli::JobOptions&) { not_built(); }
int run_model(const config::Config&, const cli::JobOptions&) { not_built(); }
int bench(const config::Config&, const std::string&, const std::string&) { not_built(); }

}  // namespace

const cli::EngineCli& engine_cli() {
  static const cli::EngineCli cli{{"gemm"}, describe, check_job, run_model, bench};
  return cli;
}

}  // namespace dnngen::eie
