#pragma once
// dnngen batch and the execution options of every command that runs a batch
// (exec/batch.hpp): dnngen batch and dnngen sweep.
#include <boost/program_options.hpp>

#include "dnngen/cli/command_line.hpp"
#include "dnngen/exec/batch.hpp"

namespace dnngen {

// --jobs, --slurm, --partition, --time, --cpus-per-task, --mem, --max-parallel, --quiet.
void add_execution_options(boost::program_options::options_description_easy_init add);
// Those options as the batch's; InputError for 0 workers and for Slurm options without --slurm.
exec::BatchOptions execution_options(const cli::CommandLine& cl);
// Progress lines on stderr (none with --quiet).
exec::ProgressFn progress_printer(bool quiet);

cli::Usage batch_usage();
boost::program_options::options_description batch_options();
int cmd_batch(const cli::CommandLine& cl);

}  // namespace dnngen
