#pragma once
// String helpers shared by the readers of configs, workload tables and command lines.
#include <string>
#include <string_view>
#include <vector>

namespace dnngen::strings {

// Spaces, tabs and carriage returns (a CRLF file's line ends in '\r').
inline constexpr std::string_view kBlanks = " \t\r";

// `s` without leading and trailing blanks.
std::string trim(std::string_view s);

// The fields between separators, as written: n separators give n + 1 fields, so ""
// is one empty field and "a,b," ends with an empty one.
std::vector<std::string> split(std::string_view s, char sep);

// The items with `sep` between them: join({"a", "b"}, ", ") == "a, b".
std::string join(const std::vector<std::string>& items, std::string_view sep);

// A wall time for progress lines and reports: 1:05, 1:02:05 (rounded to the second).
std::string format_duration(double seconds);

}  // namespace dnngen::strings
