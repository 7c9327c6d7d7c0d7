#pragma once
// What an upstream call (engine/remote_call) needs of its request's trace: the headers to pass
// on, and, when the gateway traces, the span each attempt is a child of and where the attempt's
// span goes when it ends.

#include <optional>
#include <string>

#include "backends/span_record.hpp"
#include "backends/trace_context.hpp"

namespace gw {

struct upstream_trace {
  // The client's traceparent, passed on as it came while the gateway makes no spans (tracing
  // off); empty when absent or malformed.
  std::string traceparent;
  // The client's tracestate, passed on unchanged either way (empty when absent, too long, or
  // without a valid traceparent beside it).
  std::string tracestate;
  // Tracing on: the gateway's span of the request. Each attempt becomes its child with a span id
  // of its own, and the traceparent the upstream receives names that span.
  std::optional<trace_context> parent;
  // Where attempt spans go when they end; null when the trace is not sampled (ids still go
  // upstream, nothing is recorded). The exporter outlives every call (gateway.hpp).
  span_sink* sink = nullptr;
};

}  // namespace gw
