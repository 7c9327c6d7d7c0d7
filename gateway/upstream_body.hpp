#pragma once
// The request body sent to an OpenAI-compatible upstream for a validated request: the same
// options, the upstream's model name, and the client's `stream`: streamed with `include_usage`
// (usage, and so tokens and cost, is never zero), or one JSON answer with its usage. Either way
// failover can happen before the first token.

#include <string>
#include <string_view>

#include "gateway/api_types.hpp"

namespace gw {

std::string upstream_body(const chat_request& r, std::string_view upstream_model);
std::string upstream_body(const completion_request& r, std::string_view upstream_model);

}  // namespace gw
