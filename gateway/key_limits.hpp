#pragma once
// The client keys and their rate limiters: which keys exist (auth: in the config) and how much
// each may still send. Admission happens when a request is accepted, settlement when it ends.
// A reload swaps the key table and keeps each surviving key's limiter state. Reactor thread only.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "gateway/client_auth.hpp"
#include "gateway/config.hpp"
#include "policy/rate_limiter.hpp"

namespace gw {

class key_limits {
 public:
  explicit key_limits(const auth_config& auth);

  // The keys; shared so that a request keeps its key's settings across a reload.
  const key_table& keys() const { return *keys_; }
  rate_status admit(const api_key_config& key, std::uint32_t estimated_tokens);
  void settle(const api_key_config& key, std::uint32_t estimated_tokens, std::uint32_t actual_tokens);
  // A key that stays keeps its window and spent budget under its new limits; a new key starts
  // afresh; a dropped key's requests still running settle into nothing.
  void reload(const auth_config& auth);

 private:
  std::shared_ptr<const key_table> keys_;
  std::map<std::string, rate_limiter, std::less<>> limiters_;  // by key name
};

}  // namespace gw
