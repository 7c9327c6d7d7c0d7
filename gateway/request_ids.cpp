#include "gateway/request_ids.hpp"

#include <bit>
#include <cctype>
#include <cstring>

namespace gw {

std::string id_source::new_id(std::string_view prefix) {
  char digits[32];  // filled first and appended once; 96 random bits are used
  hex_digits_low_first(rng_(), digits);
  hex_digits_low_first(rng_(), digits + 16);
  std::string id;
  id.reserve(prefix.size() + 24);
  id.append(prefix).append(digits, 24);
  return id;
}

std::string request_id_from(std::string_view h, id_source& ids) {
  if (h.empty() || h.size() > 128) return ids.new_id("req-");
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':'))
      return ids.new_id("req-");
  return std::string(h);
}

namespace {

// The 8 nibbles of `x` spread into the 8 bytes of the result, the lowest nibble in the lowest
// byte, then each turned into its digit, all 8 together (SWAR) rather than a digit at a time
// through a table: every request makes ids.
std::uint64_t hex8(std::uint32_t x) {
  std::uint64_t v = x;
  v = (v | (v << 16)) & 0x0000FFFF0000FFFFULL;
  v = (v | (v << 8)) & 0x00FF00FF00FF00FFULL;
  v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  // 1 in each byte holding 10..15: adding 6 carries into bit 4 exactly for those.
  const std::uint64_t letters = ((v + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
  return v + 0x3030303030303030ULL + letters * ('a' - '0' - 10);  // '0'+n, or 'a'+(n-10)
}

}  // namespace

void hex_digits_low_first(std::uint64_t v, char* out) {
  std::uint64_t lo = hex8(static_cast<std::uint32_t>(v)), hi = hex8(static_cast<std::uint32_t>(v >> 32));
  if constexpr (std::endian::native == std::endian::big) {
    lo = __builtin_bswap64(lo);
    hi = __builtin_bswap64(hi);
  }
  std::memcpy(out, &lo, 8);  // byte 0 (the lowest nibble) first
  std::memcpy(out + 8, &hi, 8);
}

}  // namespace gw
