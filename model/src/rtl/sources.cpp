#include "dnngen/rtl/sources.hpp"

#include <cstdlib>
#include <fstream>
#include <utility>

#include "dnngen/common/error.hpp"
#include "dnngen/common/strings.hpp"

namespace dnngen::rtl {

std::string rtl_root() {
  if (const char* env = std::getenv("DNNGEN_RTL_DIR"); env != nullptr && *env != '\0') return env;
  return DNNGEN_RTL_DIR;
}

std::string filelist_path(const config::Config& cfg) {
  return rtl_root() + "/filelists/" + config::rtl_variant(cfg) + ".f";
}

namespace {

// Blank lines and # comments are skipped.
std::vector<std::string> read_filelist(const std::string& list) {
  std::ifstream in(list);
  if (!in) throw ToolError("cannot read the RTL file list " + list);
  std::vector<std::string> files;
  std::string line;
  while (std::getline(in, line)) {
    std::string file = strings::trim(line);
    if (!file.empty() && file.front() != '#') files.push_back(std::move(file));
  }
  if (files.empty()) throw ToolError("the RTL file list " + list + " names no files");
  return files;
}

}  // namespace

// One file list per engine variant, kept beside the RTL so that adding a module touches
// only its engine's list.
std::vector<std::string> rtl_sources(const config::Config& cfg) { return read_filelist(filelist_path(cfg)); }

std::vector<std::string> filelist_sources(const std::string& list) {
  return read_filelist(rtl_root() + "/filelists/" + list + ".f");
}

std::vector<std::string> rtl_source_paths(const config::Config& cfg) {
  std::vector<std::string> paths;
  for (const auto& rel : rtl_sources(cfg)) paths.push_back(rtl_root() + "/" + rel);
  return paths;
}

std::vector<std::string> rtl_include_dirs() { return {rtl_root() + "/common", rtl_root() + "/systolic"}; }

}  // namespace dnngen::rtl
