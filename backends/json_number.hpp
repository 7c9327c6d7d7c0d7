#pragma once
// Reads a JSON integer member's value taken from a scan (json_scan), as the relay and the
// continuation body need it: counts and token limits. Pure.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gw::json {

// The value as an unsigned integer; nullopt when it is anything else (null, a string, a sign,
// a fraction, an exponent, or past 64 bits).
std::optional<std::uint64_t> uint_value(std::string_view value);

}  // namespace gw::json
