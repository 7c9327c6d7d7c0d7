#include "gateway/client_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace gw {

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) || len != out.size())
    throw std::runtime_error("SHA-256 is unavailable");  // a broken libcrypto: not input
  return out;
}

std::string sha256_hex(std::string_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : sha256(data)) {
    hex += digits[b >> 4];
    hex += digits[b & 15];
  }
  return hex;
}

std::string_view bearer_token(std::string_view h) {
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  constexpr std::string_view scheme = "bearer ";
  if (h.size() <= scheme.size()) return {};
  for (std::size_t i = 0; i < scheme.size(); ++i)  // the scheme is case-insensitive (RFC 9110)
    if (std::tolower(static_cast<unsigned char>(h[i])) != scheme[i]) return {};
  h.remove_prefix(scheme.size());
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  return h;
}

key_table::key_table(const std::vector<api_key_config>& keys) {
  for (const auto& k : keys) keys_.push_back(std::make_shared<const api_key_config>(k));
}

std::shared_ptr<const api_key_config> key_table::find(std::string_view presented) const {
  if (presented.empty()) return nullptr;
  const auto digest = sha256(presented);
  std::shared_ptr<const api_key_config> found;
  for (const auto& k : keys_)
    if (CRYPTO_memcmp(digest.data(), k->sha256.data(), digest.size()) == 0) found = k;
  return found;
}

bool key_allows_model(const api_key_config& key, std::string_view model) {
  return key.models.empty() || std::find(key.models.begin(), key.models.end(), model) != key.models.end();
}

}  // namespace gw
