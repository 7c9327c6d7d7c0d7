#pragma once
// The one table that maps every client-visible failure to an HTTP status and OpenAI's error
// `type`/`code`, and the envelope {"error":{"message","type","param","code"}} it is sent in.
// Messages are written for clients: they never carry internals (paths, exception text).

#include <string>
#include <string_view>

namespace gw {

enum class api_errc {
  invalid_json,        // 400: body is not JSON, not UTF-8, or nested too deep
  invalid_field,       // 400: a field has a wrong type, a value out of range, or is missing
  unsupported_field,   // 400: a valid OpenAI option this gateway refuses (e.g. n > 1)
  context_length_exceeded,  // 400: prompt + max_tokens exceed the model's length
  bad_framing,         // 400: HTTP framing refused (Transfer-Encoding, chunk extensions), then close
  missing_api_key,     // 401: no Authorization: Bearer key
  invalid_api_key,     // 401: a key that matches none configured
  origin_not_allowed,  // 403: a CORS preflight from an origin not configured
  model_not_found,     // 404
  route_not_found,     // 404
  method_not_allowed,  // 405
  request_timeout,     // 408: headers or body not received within their deadline
  body_too_large,      // 413
  uri_too_long,        // 414
  header_too_large,    // 431
  queue_full,          // 429, Retry-After
  rate_limit_requests, // 429, Retry-After: the key's requests per minute
  rate_limit_tokens,   // 429, Retry-After: the key's tokens per minute
  budget_exceeded,     // 429, Retry-After: the key's budget for this day or month is spent
  limits_unavailable,  // 503: a limit set to fail closed could not be checked (Redis down)
  queue_timeout,       // 503, Retry-After: waited past the queue's deadline
  not_ready,           // 503
  too_many_connections,  // 503: server.max_connections reached
  draining,            // 503
  engine_failed,       // 503: the local engine failed before the first token
  no_route,            // 503: no target may take it now (e.g. restricted data, local down)
  upstream_rate_limited,  // 429: every remote target refused with 429 (Retry-After passed on)
  upstream_rejected,   // 400: a remote provider refused the request as invalid
  upstream_failed,     // 502: the remote provider failed
  internal,            // 500: a bug
};

struct api_error {
  api_errc code = api_errc::internal;
  std::string message;
  std::string param;            // the offending field ("messages[0].role"); empty if none
  unsigned retry_after_s = 0;   // sent as Retry-After when > 0
};

struct api_error_class {
  unsigned status;
  const char* type;  // OpenAI error type
  const char* code;  // OpenAI error code
};

api_error_class classify(api_errc code);

// The JSON envelope for `e`, without a trailing newline.
std::string error_envelope(const api_error& e);

}  // namespace gw
