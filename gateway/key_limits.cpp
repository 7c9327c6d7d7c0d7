#include "gateway/key_limits.hpp"

namespace gw {

key_limits::key_limits(const auth_config& auth) : keys_(std::make_shared<const key_table>(auth.keys)) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& k : auth.keys) limiters_.emplace(k.name, rate_limiter(k.limits, now));
}

rate_status key_limits::admit(const api_key_config& key, std::uint32_t estimated_tokens) {
  auto it = limiters_.find(key.name);
  if (it == limiters_.end()) return {};  // a key dropped by a reload while its request ran
  return it->second.admit(estimated_tokens, std::chrono::steady_clock::now());
}

void key_limits::settle(const api_key_config& key, std::uint32_t estimated_tokens, std::uint32_t actual_tokens) {
  if (auto it = limiters_.find(key.name); it != limiters_.end())
    it->second.settle(estimated_tokens, actual_tokens, std::chrono::steady_clock::now());
}

void key_limits::reload(const auth_config& auth) {
  const auto now = std::chrono::steady_clock::now();
  keys_ = std::make_shared<const key_table>(auth.keys);
  std::map<std::string, rate_limiter, std::less<>> limiters;
  for (const auto& k : auth.keys) {
    auto it = limiters_.find(k.name);
    if (it == limiters_.end()) {
      limiters.emplace(k.name, rate_limiter(k.limits, now));
    } else {
      it->second.reconfigure(k.limits, now);
      limiters.emplace(k.name, std::move(it->second));
    }
  }
  limiters_ = std::move(limiters);
}

}  // namespace gw
