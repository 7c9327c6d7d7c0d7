#pragma once
// Identifiers a client may send with a request, accepted only when well-formed: what a client
// sends reaches logs and upstream headers only after these checks.

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/gateway.hpp"

namespace gw {

// A well-formed X-Request-Id (1–128 of [A-Za-z0-9-_.:]) is echoed; anything else is replaced by
// a fresh "req-" id.
std::string request_id_from(std::string_view header, gateway& g);

// The 16 lower-case hex digits of `v`, least significant first, into out[0..15]: the random part
// of every generated id (gateway::new_id, two per request).
void hex_digits_low_first(std::uint64_t v, char* out);

// W3C trace context "00-<32 hex>-<16 hex>-<2 hex>", or empty when malformed.
std::string traceparent_from(std::string_view header);

}  // namespace gw
