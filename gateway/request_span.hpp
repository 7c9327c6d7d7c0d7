#pragma once
// The gateway's own span of one API request (OpenTelemetry kind server), open while the
// exchange runs: the tracer (gateway/tracer) makes it when the request is read and records it
// when the exchange ends; handlers add what they learn on the way (route, reason, queue wait,
// fallbacks). Owned by the incoming_request.

#include <cstdint>
#include <string>
#include <vector>

#include "backends/span_record.hpp"
#include "backends/trace_context.hpp"

namespace gw {

struct request_span {
  trace_context context;   // this span's: the trace, its own span id, the sampled flag
  span_id parent{};        // the client's span; all zero when the gateway started the trace
  std::string tracestate;  // the client's, as received
  bool recorded = false;   // sampled: exported when the exchange ends
  std::int64_t start_unix_ns = 0;
  std::vector<span_attribute> attributes;  // what handlers add
  std::vector<span_event> events;

  void add(std::string_view key, std::string value) {
    if (recorded) attributes.push_back({key, std::move(value)});
  }
  void add(std::string_view key, std::int64_t value) {
    if (recorded) attributes.push_back({key, value});
  }
  void add(std::string_view key, double value) {
    if (recorded) attributes.push_back({key, value});
  }
  void event(std::string_view name, std::vector<span_attribute> attributes_of_event) {
    if (recorded) events.push_back({name, unix_now_ns(), std::move(attributes_of_event)});
  }
};

}  // namespace gw
