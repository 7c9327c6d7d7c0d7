#include "backends/json_number.hpp"

#include <charconv>

namespace gw::json {

std::optional<std::uint64_t> uint_value(std::string_view value) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
  return n;
}

}  // namespace gw::json
