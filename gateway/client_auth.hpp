#pragma once
// Client keys: who is calling. The presented key is hashed with SHA-256 and the digest compared
// in constant time with every configured digest, so neither the file nor a timing measurement
// reveals a key. Only the key's name ever reaches logs and metrics.

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config.hpp"

namespace gw {

std::array<unsigned char, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// The key carried by an `Authorization: Bearer <key>` header; empty when the header is absent or
// not a bearer credential.
std::string_view bearer_token(std::string_view authorization);

// The configured keys of one config generation. A request keeps a shared_ptr to its key, so a
// reload that drops the key cannot pull it from under a running request.
class key_table {
 public:
  explicit key_table(const std::vector<api_key_config>& keys);

  bool enabled() const { return !keys_.empty(); }
  // The key whose digest matches `presented`, or null. Compares against every key whatever
  // matches, so the time taken does not tell which key (or how much of one) was right.
  std::shared_ptr<const api_key_config> find(std::string_view presented) const;

 private:
  std::vector<std::shared_ptr<const api_key_config>> keys_;
};

// Whether `key` may use `model` (a key with no model list may use all).
bool key_allows_model(const api_key_config& key, std::string_view model);

}  // namespace gw
