#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header parsed into
// ids and flags and written back, the `tracestate` header's bounds, fresh ids, and the sampling
// decision for traces the gateway starts. Pure: no I/O, no clock.

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace gw {

using trace_id = std::array<std::uint8_t, 16>;
using span_id = std::array<std::uint8_t, 8>;

// One position in a trace: the trace, the span that is the parent of whatever comes next, and
// the flags (bit 0: sampled, the only flag the gateway writes).
struct trace_context {
  trace_id trace{};
  span_id span{};
  std::uint8_t flags = 0;
  bool sampled() const { return flags & 1; }
};

// "00-<32 hex>-<16 hex>-<2 hex>", lower-case hex. Version 00 must be exactly 55 characters; a
// higher version (not ff) is read by its first four fields, as the spec asks of a parser that
// does not know it. All-zero ids, upper-case hex and anything else malformed: nullopt.
std::optional<trace_context> parse_traceparent(std::string_view header);
// Version 00 with the sampled flag alone: what the gateway sends upstream.
std::string format_traceparent(const trace_context& c);

// The most of a `tracestate` the gateway passes on; the spec asks every vendor to pass at least
// 512 characters. A longer one, or one with bytes outside printable ASCII (it goes into upstream
// headers and span JSON), is dropped whole rather than cut inside a member.
constexpr std::size_t max_tracestate = 512;
bool valid_tracestate(std::string_view v);

// Random ids from `rng`, never all zero (which the spec reserves for "invalid").
trace_id new_trace_id(std::mt19937_64& rng);
span_id new_span_id(std::mt19937_64& rng);
bool is_zero(const trace_id& t);
bool is_zero(const span_id& s);

// Lower-case hex of an id: the form traceparent and OTLP/JSON both use.
void append_hex(std::string& out, const std::uint8_t* bytes, std::size_t n);
template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& id) {
  std::string s;
  append_hex(s, id.data(), N);
  return s;
}

// Whether a trace the gateway starts is recorded, from its id alone (as OpenTelemetry's
// TraceIdRatioBased): the last 8 bytes below ratio * 2^64. Every process that decides on the
// same id with the same ratio decides alike. ratio <= 0: never; >= 1: always.
bool sampled_by_ratio(const trace_id& t, double ratio);

}  // namespace gw
