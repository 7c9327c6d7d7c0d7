#pragma once
// Appends JSON text to a std::string. Hand-written because every response chunk goes through it:
// no DOM, no allocation beyond the output string.

#include <cstdint>
#include <string>
#include <string_view>

namespace gw::json {

// Appends `s` as a quoted JSON string. `s` must be valid UTF-8 (validated input or engine text);
// control characters, quotes and backslashes are escaped.
void append_string(std::string& out, std::string_view s);
void append_uint(std::string& out, std::uint64_t v);
void append_double(std::string& out, double v);
void append_float(std::string& out, float v);

}  // namespace gw::json
