#include "gateway/api_error.hpp"

#include "backends/json_writer.hpp"

namespace gw {

namespace {
constexpr const char* invalid_request = "invalid_request_error";
constexpr const char* server_error = "server_error";
}  // namespace

api_error_class classify(api_errc code) {
  switch (code) {
    case api_errc::invalid_json: return {400, invalid_request, "invalid_json"};
    case api_errc::invalid_field: return {400, invalid_request, "invalid_value"};
    case api_errc::unsupported_field: return {400, invalid_request, "unsupported_value"};
    case api_errc::context_length_exceeded:
      return {400, invalid_request, "context_length_exceeded"};
    case api_errc::bad_framing: return {400, invalid_request, "invalid_request"};
    case api_errc::missing_api_key: return {401, invalid_request, "missing_api_key"};
    case api_errc::invalid_api_key: return {401, invalid_request, "invalid_api_key"};
    case api_errc::origin_not_allowed: return {403, invalid_request, "origin_not_allowed"};
    case api_errc::model_not_found: return {404, invalid_request, "model_not_found"};
    case api_errc::route_not_found: return {404, invalid_request, "unknown_url"};
    case api_errc::method_not_allowed: return {405, invalid_request, "method_not_allowed"};
    case api_errc::request_timeout: return {408, invalid_request, "request_timeout"};
    case api_errc::uri_too_long: return {414, invalid_request, "uri_too_long"};
    case api_errc::body_too_large: return {413, invalid_request, "request_too_large"};
    case api_errc::header_too_large: return {431, invalid_request, "header_too_large"};
    case api_errc::queue_full: return {429, "rate_limit_error", "queue_full"};
    case api_errc::queue_timeout: return {503, server_error, "queue_timeout"};
    // OpenAI names the exhausted limit in `type` ("requests" or "tokens").
    case api_errc::rate_limit_requests: return {429, "requests", "rate_limit_exceeded"};
    case api_errc::rate_limit_tokens: return {429, "tokens", "rate_limit_exceeded"};
    // OpenAI's type for a spent quota, with the gateway's own code.
    case api_errc::budget_exceeded: return {429, "insufficient_quota", "budget_exceeded"};
    case api_errc::limits_unavailable: return {503, server_error, "limits_unavailable"};
    case api_errc::too_many_connections: return {503, server_error, "too_many_connections"};
    case api_errc::not_ready: return {503, server_error, "not_ready"};
    case api_errc::draining: return {503, server_error, "draining"};
    case api_errc::engine_failed: return {503, server_error, "engine_unavailable"};
    case api_errc::no_route: return {503, server_error, "no_available_target"};
    case api_errc::upstream_rate_limited: return {429, "rate_limit_error", "rate_limit_exceeded"};
    case api_errc::upstream_rejected: return {400, invalid_request, "upstream_rejected"};
    case api_errc::upstream_failed: return {502, server_error, "upstream_error"};
    case api_errc::internal: return {500, server_error, "internal_error"};
  }
  // An out-of-range enumerator is a bug; answer as one rather than invent a client error.
  return {500, server_error, "internal_error"};
}

std::string error_envelope(const api_error& e) {
  const api_error_class cls = classify(e.code);
  std::string out;
  out.reserve(80 + e.message.size() + e.param.size());
  out += R"({"error":{"message":)";
  json::append_string(out, e.message);
  out += R"(,"type":)";
  json::append_string(out, cls.type);
  out += R"(,"param":)";
  if (e.param.empty()) {
    out += "null";
  } else {
    json::append_string(out, e.param);
  }
  out += R"(,"code":)";
  json::append_string(out, cls.code);
  out += "}}";
  return out;
}

}  // namespace gw
