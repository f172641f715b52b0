#pragma once
// Editing a configuration's YAML text in place, so that an edited file still goes
// through config::parse_config() and is validated exactly like a user's (`dnngen
// sweep` writes its axis values this way). Block-style mappings only.
#include <string>

namespace dnngen::config {

// `yaml` with the value at `key` (a dotted path through block mappings) replaced by
// `value`; comments and every other line are kept. A key missing from its mapping is
// added to it, so that the config parser reports it as unknown. InputError (naming
// source_name and the key) if the path runs into a value, a section would be
// overwritten, a mapping is written in flow style, or a line is indented with tabs.
std::string set_yaml_value(const std::string& yaml, const std::string& key, const std::string& value,
                           const std::string& source_name);

}  // namespace dnngen::config
