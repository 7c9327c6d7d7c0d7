#include "gateway/key_policy.hpp"

#include <algorithm>
#include <string>

#include "gateway/client_auth.hpp"
#include "gateway/key_limits.hpp"

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

rate_settlement::~rate_settlement() {
  if (key) limits.settle(*key, estimate, actual);
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
