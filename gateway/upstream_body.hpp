#pragma once
// The request body sent to an OpenAI-compatible upstream for a validated request: the same
// options, the upstream's model name, and always `stream: true` with `include_usage`, so that
// failover can happen before the first token and usage (tokens, cost) is never zero.

#include <string>
#include <string_view>

#include "gateway/api_types.hpp"

namespace gw {

std::string upstream_body(const chat_request& r, std::string_view upstream_model);
std::string upstream_body(const completion_request& r, std::string_view upstream_model);

}  // namespace gw
