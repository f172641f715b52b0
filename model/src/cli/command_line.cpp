#include "dnngen/cli/command_line.hpp"

#include <sstream>

#include "dnngen/common/error.hpp"

namespace dnngen::cli {
namespace po = boost::program_options;
namespace {

// Boost's Unix style without abbreviations: `--back` is not `--backend`, so adding an
// option never changes what an existing command line means.
constexpr int kStyle = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;

constexpr const char* kPositionals = "positional arguments";

}  // namespace

std::string CommandLine::get(const std::string& name) const {
  return has(name) ? options[name].as<std::string>() : std::string();
}

std::vector<std::string> CommandLine::list(const std::string& name) const {
  return has(name) ? options[name].as<std::vector<std::string>>() : std::vector<std::string>();
}

po::options_description command_options(const std::string& command) {
  po::options_description d("Options for dnngen " + command);
  d.add_options()("help,h", "show this help");
  return d;
}

po::typed_value<std::string>* text(const char* name) { return po::value<std::string>()->value_name(name); }

po::typed_value<std::vector<std::string>>* texts(const char* name) {
  return po::value<std::vector<std::string>>()->composing()->value_name(name);
}

CommandLine parse_command_line(const std::string& command, const std::vector<std::string>& args,
                               const po::options_description& options) {
  po::options_description all;
  all.add(options).add_options()(kPositionals, po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add(kPositionals, -1);
  CommandLine cl;
  cl.arguments = args;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).style(kStyle).run(),
              cl.options);
    po::notify(cl.options);
  } catch (const po::error& e) {
    throw InputError("dnngen " + command + ": " + e.what());
  }
  cl.help = cl.has("help");
  cl.positionals = cl.list(kPositionals);
  return cl;
}

std::string config_argument(const std::string& command, const CommandLine& cl) {
  if (cl.positionals.empty()) throw InputError("dnngen " + command + ": missing CONFIG.yaml");
  if (cl.positionals.size() > 1)
    throw InputError("dnngen " + command + ": unexpected argument '" + cl.positionals[1] + "'");
  return cl.positionals[0];
}

std::string help_text(const std::string& command, const Usage& usage,
                      const po::options_description& options) {
  std::ostringstream os;
  for (size_t i = 0; i < usage.forms.size(); ++i)
    os << (i == 0 ? "usage: " : "       ") << "dnngen " << command << " " << usage.forms[i] << "\n";
  os << "\n"
     << usage.summary << "\n"
     << usage.details << (usage.details.empty() ? "" : "\n") << "\n"
     << options;
  return os.str();
}

std::pair<std::string, std::string> split_binding(const std::string& option, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw InputError(option + " '" + text + "': expected NAME=VALUE");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace dnngen::cli
