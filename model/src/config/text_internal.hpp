#pragma once
// String helpers of the YAML text editor, synth/ and sweep/ (private to model/src).
// A stand-in for common/strings.hpp, into which they fold.
#include <sstream>
#include <string>
#include <vector>

namespace dnngen::text {

inline bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// `s` without leading and trailing spaces and tabs.
inline std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Fields between separators, trimmed; "" is one empty field.
inline std::vector<std::string> split(const std::string& s, char sep) {
  if (s.empty()) return {""};
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(trim(part));
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

inline std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

}  // namespace dnngen::text
