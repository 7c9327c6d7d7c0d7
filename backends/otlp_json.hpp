#pragma once
// OTLP/HTTP JSON encoding of spans (the body of `POST /v1/traces`): one resourceSpans with the
// `service.name` resource attribute, one scopeSpans for the gateway, then the spans. As the
// OTLP/JSON mapping asks: ids as lower-case hex (not base64), 64-bit integers and times in
// nanoseconds as decimal strings, enums as their numbers. Pure.

#include <string>
#include <string_view>
#include <vector>

#include "backends/span_record.hpp"

namespace gw {

// The strings of `spans` must be valid UTF-8 (validated client input or the gateway's own text).
std::string encode_otlp_json(std::string_view service_name, const std::vector<span_record>& spans);

}  // namespace gw
