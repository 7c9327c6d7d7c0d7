#include "backends/otlp_json.hpp"

#include "backends/json_writer.hpp"

namespace gw {
namespace {

void append_key(std::string& out, std::string_view key) {
  json::append_string(out, key);
  out += ':';
}

// An AnyValue: {"stringValue": ...}, {"intValue": "N"}, {"doubleValue": N}, {"boolValue": b}.
void append_value(std::string& out, const span_attribute& a) {
  out += '{';
  if (const auto* s = std::get_if<std::string>(&a.value)) {
    append_key(out, "stringValue");
    json::append_string(out, *s);
  } else if (const auto* i = std::get_if<std::int64_t>(&a.value)) {
    out += "\"intValue\":\"";
    out += std::to_string(*i);
    out += '"';
  } else if (const auto* d = std::get_if<double>(&a.value)) {
    append_key(out, "doubleValue");
    json::append_double(out, *d);
  } else {
    out += std::get<bool>(a.value) ? "\"boolValue\":true" : "\"boolValue\":false";
  }
  out += '}';
}

void append_attributes(std::string& out, const std::vector<span_attribute>& attrs) {
  append_key(out, "attributes");
  out += '[';
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (i) out += ',';
    out += "{\"key\":";
    json::append_string(out, attrs[i].key);
    out += ",\"value\":";
    append_value(out, attrs[i]);
    out += '}';
  }
  out += ']';
}

void append_time(std::string& out, std::string_view key, std::int64_t ns) {
  append_key(out, key);
  out += '"';
  out += std::to_string(ns);
  out += '"';
}

template <std::size_t N>
void append_id(std::string& out, std::string_view key, const std::array<std::uint8_t, N>& id) {
  append_key(out, key);
  out += '"';
  append_hex(out, id.data(), N);
  out += '"';
}

void append_span(std::string& out, const span_record& s) {
  out += '{';
  append_id(out, "traceId", s.trace);
  out += ',';
  append_id(out, "spanId", s.id);
  if (!is_zero(s.parent)) {
    out += ',';
    append_id(out, "parentSpanId", s.parent);
  }
  if (!s.trace_state.empty()) {
    out += ",\"traceState\":";
    json::append_string(out, s.trace_state);
  }
  out += ",\"name\":";
  json::append_string(out, s.name);
  out += ",\"kind\":";
  out += std::to_string(static_cast<int>(s.kind));
  out += ',';
  append_time(out, "startTimeUnixNano", s.start_unix_ns);
  out += ',';
  append_time(out, "endTimeUnixNano", s.end_unix_ns);
  out += ',';
  append_attributes(out, s.attributes);
  if (!s.events.empty()) {
    out += ",\"events\":[";
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      const auto& e = s.events[i];
      if (i) out += ',';
      out += '{';
      append_time(out, "timeUnixNano", e.time_unix_ns);
      out += ",\"name\":";
      json::append_string(out, e.name);
      out += ',';
      append_attributes(out, e.attributes);
      out += '}';
    }
    out += ']';
  }
  out += ",\"status\":{\"code\":";
  out += std::to_string(static_cast<int>(s.status));
  if (!s.status_message.empty()) {
    out += ",\"message\":";
    json::append_string(out, s.status_message);
  }
  out += "}}";
}

}  // namespace

std::string encode_otlp_json(std::string_view service_name, const std::vector<span_record>& spans) {
  std::string out;
  out.reserve(256 + spans.size() * 640);
  out += "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":";
  json::append_string(out, service_name);
  out += "}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"inference-gateway\"},\"spans\":[";
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i) out += ',';
    append_span(out, spans[i]);
  }
  out += "]}]}]}";
  return out;
}

}  // namespace gw
