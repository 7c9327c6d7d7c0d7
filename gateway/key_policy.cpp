#include "gateway/key_policy.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

#include "gateway/client_auth.hpp"
#include "gateway/key_limits.hpp"
#include "gateway/metrics.hpp"

namespace gw {

std::optional<api_error> check_model_access(const incoming_request& req, std::string_view model) {
  if (!req.key || key_allows_model(*req.key, model)) return std::nullopt;
  return api_error{api_errc::model_not_found,
                   "The model '" + std::string(model) + "' does not exist or you do not have access to it.", "model"};
}

int effective_priority(const incoming_request& req, int header_priority, bool header_present) {
  if (!req.key) return header_priority;
  return header_present ? std::min(header_priority, req.key->priority) : req.key->priority;
}

void append_rate_headers(header_list& h, const rate_status& s) {
  if (s.has_requests) {
    h.emplace_back("x-ratelimit-limit-requests", std::to_string(s.limit_requests));
    h.emplace_back("x-ratelimit-remaining-requests", std::to_string(s.remaining_requests));
    h.emplace_back("x-ratelimit-reset-requests", format_reset(s.reset_requests));
  }
  if (s.has_tokens) {
    h.emplace_back("x-ratelimit-limit-tokens", std::to_string(s.limit_tokens));
    h.emplace_back("x-ratelimit-remaining-tokens", std::to_string(s.remaining_tokens));
    h.emplace_back("x-ratelimit-reset-tokens", format_reset(s.reset_tokens));
  }
}

boost::asio::awaitable<key_admission> shared_admission(key_limits& limits, std::shared_ptr<const api_key_config> key,
                                                       std::uint32_t estimated_tokens) {
  using use_awaitable_t = decltype(boost::asio::use_awaitable);
  co_return co_await boost::asio::async_initiate<use_awaitable_t, void(key_admission)>(
      [&](auto handler) {
        // std::function wants a copyable callable; the coroutine's handler moves only.
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        limits.admit_shared(*key, estimated_tokens, [h](key_admission a) { std::move (*h)(std::move(a)); });
      },
      boost::asio::use_awaitable);
}

rate_settlement::~rate_settlement() {
  if (key) limits.settle(*key, used);
}

std::optional<api_error> admission_refusal(const key_admission& a, const api_key_config& key, header_list& headers,
                                           metrics& stats) {
  append_rate_headers(headers, a.rate);
  if (a.unavailable) {
    stats.count_rate_limited(key.name, "unavailable");
    return api_error{api_errc::limits_unavailable,
                     "The gateway cannot check this key's limits right now. Please retry shortly.", "", 1};
  }
  if (!a.rate.allowed) {
    stats.count_rate_limited(key.name, a.rate.tokens_exceeded ? "tokens" : "requests");
    return rate_limit_error(a.rate);
  }
  if (a.over_budget) {
    stats.count_rate_limited(key.name, "budget");
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(a.budget_resets - std::chrono::system_clock::now());
    char spent[80];
    std::snprintf(spent, sizeof spent, "$%.6g of its $%.6g", a.spent_usd, key.budget.usd);
    return api_error{api_errc::budget_exceeded,
                     std::string("This key has spent ") + spent + " budget for this " + to_string(key.budget.period) +
                         ". It resets at " + format_utc(a.budget_resets) + ".",
                     "", static_cast<unsigned>(std::max<std::int64_t>(1, left.count()))};
  }
  return std::nullopt;
}

api_error rate_limit_error(const rate_status& s) {
  const auto secs = static_cast<unsigned>(std::max<std::int64_t>(1, (s.retry_after.count() + 999) / 1000));
  const std::string what = s.tokens_exceeded ? "tokens per minute (TPM): limit " + std::to_string(s.limit_tokens)
                                             : "requests per minute (RPM): limit " + std::to_string(s.limit_requests);
  return api_error{s.tokens_exceeded ? api_errc::rate_limit_tokens : api_errc::rate_limit_requests,
                   "Rate limit reached on " + what + ". Please retry after " + std::to_string(secs) + " seconds.", "",
                   secs};
}

}  // namespace gw
