#pragma once
// The one command-line grammar of dnngen and of the simulators it builds, on
// Boost.Program_options: `--opt value` and `--opt=value`, options before or after the
// positional arguments, `--` ends the options, option names are exact (no abbreviations),
// `-h` / `--help` on every command, and anything unknown is an InputError (exit 2).
// A command declares its options in an options_description; parse_command_line() does
// the rest.
#include <boost/program_options.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dnngen::cli {

struct CommandLine {
  std::vector<std::string> arguments;  // as given, after the command word
  boost::program_options::variables_map options;
  std::vector<std::string> positionals;  // in command-line order
  bool help = false;                     // -h or --help: print the command's help, nothing else

  bool has(const std::string& name) const { return options.count(name) > 0; }
  // The value of a string option, or "" when it was not given.
  std::string get(const std::string& name) const;
  // Every value of a repeatable option (e.g. --in), in command-line order.
  std::vector<std::string> list(const std::string& name) const;
};

// "Options for dnngen COMMAND:" with -h/--help; the command adds its own options.
boost::program_options::options_description command_options(const std::string& command);

// The value of a string option, shown as `name` in --help, and of one that may be given
// again and again (--in, --set), its values kept in order.
boost::program_options::typed_value<std::string>* text(const char* name);
boost::program_options::typed_value<std::vector<std::string>>* texts(const char* name);

// Parses the arguments after the command word. Throws InputError
// "dnngen COMMAND: <what is wrong>" for an unknown option, a missing or bad value, or an
// option given twice that takes one value.
CommandLine parse_command_line(const std::string& command, const std::vector<std::string>& args,
                               const boost::program_options::options_description& options);

// The CONFIG.yaml of a command that takes exactly one positional argument. InputError
// "dnngen COMMAND: missing CONFIG.yaml" or "dnngen COMMAND: unexpected argument 'X'".
std::string config_argument(const std::string& command, const CommandLine& cl);

// How a command is called and what it does: `dnngen COMMAND --help` and dnngen's
// overview print it.
struct Usage {
  std::vector<std::string> forms;  // each follows "dnngen COMMAND "
  std::string summary;             // one line, for the overview
  std::string details;             // optional further lines of at most 90 characters
};

// What `dnngen COMMAND --help` prints: "usage: dnngen COMMAND <form>" (one line per
// form), a blank line, the summary and details, a blank line, then the options.
std::string help_text(const std::string& command, const Usage& usage,
                      const boost::program_options::options_description& options);

// NAME=VALUE of a binding option (--in, --out, --param); InputError
// "OPTION 'TEXT': expected NAME=VALUE" when either side is empty.
std::pair<std::string, std::string> split_binding(const std::string& option, const std::string& text);

}  // namespace dnngen::cli
