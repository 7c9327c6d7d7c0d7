#pragma once
// What an authenticated key changes about a request: which models it may name, its batcher
// priority, and the rate-limit answer (429 and the x-ratelimit-* headers OpenAI clients read).

#include <optional>
#include <string_view>

#include "gateway/api_error.hpp"
#include "gateway/http_exchange.hpp"
#include "policy/rate_limiter.hpp"

namespace gw {

class key_limits;

// 404 as OpenAI answers it (it does not reveal whether the model exists) when the request's
// key may not use `model`; nothing when it may or when auth is off.
std::optional<api_error> check_model_access(const incoming_request& req, std::string_view model);

// The priority a request runs at: its key's, lowered (never raised) by X-Priority; without a
// key, X-Priority itself.
int effective_priority(const incoming_request& req, int header_priority, bool header_present);

// x-ratelimit-{limit,remaining,reset}-{requests,tokens}, for the limits the key has.
void append_rate_headers(header_list& h, const rate_status& s);

// Settles a key's token budget when the exchange ends, however it ends: `actual` is what the
// request really used (0 if it failed before any engine ran it).
struct rate_settlement {
  key_limits& limits;
  std::shared_ptr<const api_key_config> key;  // null: nothing to settle
  std::uint32_t estimate = 0;
  std::uint32_t actual = 0;
  ~rate_settlement();
};

// The 429 for a refused admission (Retry-After in whole seconds, rounded up).
api_error rate_limit_error(const rate_status& s);

}  // namespace gw
