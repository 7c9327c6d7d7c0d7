#pragma once
// What an authenticated key changes about a request: which models it may name, its batcher
// priority, and the admission answer (429 for rate limits and budgets, the x-ratelimit-* headers
// OpenAI clients read, 503 when a fail-closed limit cannot be checked).

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string_view>

#include "gateway/api_error.hpp"
#include "gateway/http_exchange.hpp"
#include "gateway/key_limits.hpp"
#include "policy/rate_limiter.hpp"

namespace gw {

class metrics;

// 404 as OpenAI answers it (it does not reveal whether the model exists) when the request's
// key may not use `model`; nothing when it may or when auth is off.
std::optional<api_error> check_model_access(const incoming_request& req, std::string_view model);

// The priority a request runs at: its key's, lowered (never raised) by X-Priority; without a
// key, X-Priority itself.
int effective_priority(const incoming_request& req, int header_priority, bool header_present);

// x-ratelimit-{limit,remaining,reset}-{requests,tokens}, for the limits the key has.
void append_rate_headers(header_list& h, const rate_status& s);

// Settles a key's limits and budget when the exchange ends, however it ends: `used.actual_tokens`
// is what the request really used (0 if it failed before any engine ran it), `used.usd` what it
// cost.
struct rate_settlement {
  key_limits& limits;
  std::shared_ptr<const api_key_config> key;  // null: nothing to settle
  key_usage used;
  ~rate_settlement();
};

// The headers every answer carries, and the error for a refused admission (counted in
// gateway_rate_limited_total); nothing when admitted.
std::optional<api_error> admission_refusal(const key_admission& a, const api_key_config& key, header_list& headers,
                                           metrics& stats);

// The shared limits' answer for a key (key_limits::admit_shared), awaited.
boost::asio::awaitable<key_admission> shared_admission(key_limits& limits, std::shared_ptr<const api_key_config> key,
                                                       std::uint32_t estimated_tokens);

// The 429 for a refused rate limit (Retry-After in whole seconds, rounded up).
api_error rate_limit_error(const rate_status& s);

}  // namespace gw
