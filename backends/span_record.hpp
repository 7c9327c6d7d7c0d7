#pragma once
// A finished span as the gateway records it, ready to be encoded for an OTLP collector
// (backends/otlp_json), and the sink finished spans go to. Attribute and event names are the
// OpenTelemetry semantic conventions' (gen_ai.*, http.*, error.type) or the gateway's own
// (gateway.*); they are static strings, only the values are owned.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "backends/trace_context.hpp"

namespace gw {

struct span_attribute {
  std::string_view key;  // a string literal
  std::variant<std::string, std::int64_t, double, bool> value;
};

struct span_event {
  std::string_view name;  // a string literal
  std::int64_t time_unix_ns = 0;
  std::vector<span_attribute> attributes;
};

// OTLP's SpanKind and StatusCode numbers.
enum class span_kind : int { internal = 1, server = 2, client = 3 };
enum class span_status : int { unset = 0, ok = 1, error = 2 };

struct span_record {
  trace_id trace{};
  span_id id{};
  span_id parent{};  // all zero: a root span
  std::string trace_state;
  std::string name;
  span_kind kind = span_kind::internal;
  std::int64_t start_unix_ns = 0;
  std::int64_t end_unix_ns = 0;
  std::vector<span_attribute> attributes;
  std::vector<span_event> events;
  span_status status = span_status::unset;
  std::string status_message;  // with status error; never client-facing text
};

// Where finished spans go (the gateway's exporter). Reactor thread only; submit() never blocks
// and may drop the span (a full queue), which the sink counts.
class span_sink {
 public:
  virtual void submit(span_record&& span) = 0;

 protected:
  ~span_sink() = default;
};

// Nanoseconds since the Unix epoch, the time base of OTLP.
inline std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace gw
