// A bit-serial kernel job's action counts from run's inputs (systolic/energy_actions.hpp).
// Apart from energy_actions.cpp because it reads the job's tensors through cli/: a program
// that links the shell's cycle model alone (the shell testbenches) does not need those.
#include <algorithm>

#include "dnngen/bitserial/job.hpp"
#include "dnngen/bitserial/model.hpp"
#include "dnngen/common/error.hpp"
#include "dnngen/systolic/energy_actions.hpp"

namespace dnngen::systolic {

energy::Actions bitserial_job_actions(const config::Config& cfg, const cli::JobOptions& opts) {
  if (opts.op != "gemm")
    throw InputError("the bit-serial engine's kernel runs gemm jobs (--op gemm); got --op " + opts.op);
  const bitserial::Job job = bitserial::load_job(cfg, opts);
  const ShellParams p = shell_params(cfg);
  const auto m = static_cast<uint64_t>(job.a.shape[0]), n = static_cast<uint64_t>(job.b.shape[1]);
  // Every tile of a window tile runs the same bricks: its cycles times its windows times N.
  uint64_t sip_cycles = 0;
  for (uint64_t mt = 0; mt * p.rows < m; ++mt) {
    const uint64_t windows = std::min<uint64_t>(p.rows, m - mt * p.rows);
    sip_cycles +=
        bitserial::tile_cycles(cfg.bitserial, job.a, static_cast<int64_t>(mt), job.precision) * windows * n;
  }
  energy::Actions a;
  add_core_job_actions(p, {m, n, static_cast<uint64_t>(job.a.shape[1]), true, true}, sip_cycles, a);
  return a;
}

}  // namespace dnngen::systolic
