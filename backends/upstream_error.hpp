#pragma once
// The message of an OpenAI-style error body ({"error":{"message":...}} or {"message":...}), which
// the gateway passes on when an upstream refuses a request as the client's fault.

#include <optional>
#include <string>
#include <string_view>

namespace gw {

std::optional<std::string> upstream_error_message(std::string_view body);

}  // namespace gw
