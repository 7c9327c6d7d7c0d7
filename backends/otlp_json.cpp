#include "backends/otlp_json.hpp"

#include <charconv>

#include "backends/json_writer.hpp"

namespace gw {
namespace {

// The encoder runs over every span the gateway records (two or more per request), so the fixed
// parts go out as whole literals and only client-derived strings pass through the escaper:
// keys and names of attributes and events are the gateway's own literals, plain ASCII.
void append_literal_string(std::string& out, std::string_view s) {
  out += '"';
  out.append(s);
  out += '"';
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// A string holding the decimal integer: OTLP/JSON's form of 64-bit integers and times.
void append_int_string(std::string& out, std::int64_t v) {
  out += '"';
  append_int(out, v);
  out += '"';
}

// `member` (the key with its quotes and colon, after a comma where one is due), then the value.
void append_time(std::string& out, std::string_view member, std::int64_t unix_ns) {
  out.append(member);
  append_int_string(out, unix_ns);
}

template <std::size_t N>
void append_id(std::string& out, std::string_view member, const std::array<std::uint8_t, N>& id) {
  out.append(member);
  out += '"';
  append_hex(out, id.data(), N);
  out += '"';
}

// {"key":K,"value":AnyValue}, AnyValue one of stringValue, intValue (a string), doubleValue,
// boolValue.
void append_attribute(std::string& out, const span_attribute& a) {
  out.append("{\"key\":");
  append_literal_string(out, a.key);
  if (const auto* s = std::get_if<std::string>(&a.value)) {
    out.append(",\"value\":{\"stringValue\":");
    json::append_string(out, *s);
  } else if (const auto* i = std::get_if<std::int64_t>(&a.value)) {
    out.append(",\"value\":{\"intValue\":");
    append_int_string(out, *i);
  } else if (const auto* d = std::get_if<double>(&a.value)) {
    out.append(",\"value\":{\"doubleValue\":");
    json::append_double(out, *d);
  } else {
    out.append(std::get<bool>(a.value) ? ",\"value\":{\"boolValue\":true" : ",\"value\":{\"boolValue\":false");
  }
  out.append("}}");
}

void append_attributes(std::string& out, const std::vector<span_attribute>& attrs) {
  out.append("\"attributes\":[");
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (i) out += ',';
    append_attribute(out, attrs[i]);
  }
  out += ']';
}

void append_span(std::string& out, const span_record& s) {
  append_id(out, "{\"traceId\":", s.trace);
  append_id(out, ",\"spanId\":", s.id);
  if (!is_zero(s.parent)) append_id(out, ",\"parentSpanId\":", s.parent);
  if (!s.trace_state.empty()) {
    out.append(",\"traceState\":");
    json::append_string(out, s.trace_state);
  }
  out.append(",\"name\":");
  json::append_string(out, s.name);
  out.append(",\"kind\":");
  append_int(out, static_cast<int>(s.kind));
  append_time(out, ",\"startTimeUnixNano\":", s.start_unix_ns);
  append_time(out, ",\"endTimeUnixNano\":", s.end_unix_ns);
  out += ',';
  append_attributes(out, s.attributes);
  if (!s.events.empty()) {
    out.append(",\"events\":[");
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      const auto& e = s.events[i];
      if (i) out += ',';
      append_time(out, "{\"timeUnixNano\":", e.time_unix_ns);
      out.append(",\"name\":");
      append_literal_string(out, e.name);
      out += ',';
      append_attributes(out, e.attributes);
      out += '}';
    }
    out += ']';
  }
  out.append(",\"status\":{\"code\":");
  append_int(out, static_cast<int>(s.status));
  if (!s.status_message.empty()) {
    out.append(",\"message\":");
    json::append_string(out, s.status_message);
  }
  out.append("}}");
}

// About what a span takes, so that the body is allocated once rather than regrown (and copied)
// a dozen times over a batch.
std::size_t size_hint(const span_record& s) {
  std::size_t n = 260 + s.name.size() + s.trace_state.size() + s.status_message.size() + 70 * s.attributes.size();
  for (const auto& a : s.attributes)
    if (const auto* v = std::get_if<std::string>(&a.value)) n += v->size();
  for (const auto& e : s.events) n += 80 + 70 * e.attributes.size();
  return n;
}

}  // namespace

std::string encode_otlp_json(std::string_view service_name, const std::vector<span_record>& spans) {
  std::size_t hint = 256 + service_name.size();
  for (const auto& s : spans) hint += size_hint(s);
  std::string out;
  out.reserve(hint);
  out.append("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":");
  json::append_string(out, service_name);
  out.append("}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"inference-gateway\"},\"spans\":[");
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i) out += ',';
    append_span(out, spans[i]);
  }
  out.append("]}]}]}");
  return out;
}

}  // namespace gw
