#pragma once
// Cross-origin requests from browser frontends. Pure: given the config and the request's
// Origin (and, for a preflight, what it asks to send), returns the headers to answer with.
// No origin is allowed unless configured, so by default a browser page on another origin
// cannot read any answer.

#include <string_view>

#include "gateway/config.hpp"
#include "gateway/http_exchange.hpp"

namespace gw {

// Whether `origin` may call the API.
bool origin_allowed(const cors_config& c, std::string_view origin);

// Headers for an actual (non-preflight) response to `origin`; empty when CORS does not apply.
// They expose what a streaming client reads: the request id, route, rate-limit headers and
// Retry-After.
header_list cors_response_headers(const cors_config& c, std::string_view origin);

// Headers answering a preflight (OPTIONS with Access-Control-Request-Method); empty when the
// origin is not allowed. `requested_headers` is Access-Control-Request-Headers: its names are
// echoed back when every one is a well-formed header name (none is a secret: the key is still
// checked on the real request).
header_list cors_preflight_headers(const cors_config& c, std::string_view origin,
                                   std::string_view requested_headers);

}  // namespace gw
