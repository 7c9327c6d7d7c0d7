#include "gateway/upstream_body.hpp"

#include "gateway/json_writer.hpp"

namespace gw {
namespace {

// A streaming client gets a streaming upstream, always with include_usage; a non-streaming one
// a plain JSON answer, which carries usage anyway and costs both sides one write instead of
// one per token.
void open_body(std::string& o, std::string_view model, bool stream) {
  o += "{\"model\":";
  json::append_string(o, model);
  o += stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : ",\"stream\":false";
}

void append_sampling(std::string& o, const sampling_params& s, const std::string& user) {
  if (s.max_tokens) {
    o += ",\"max_tokens\":";
    json::append_uint(o, *s.max_tokens);
  }
  o += ",\"temperature\":";
  json::append_double(o, s.temperature);
  o += ",\"top_p\":";
  json::append_double(o, s.top_p);
  if (s.seed) {
    o += ",\"seed\":";
    // OpenAI seeds are signed 64-bit; the validator stored them as their two's complement.
    const auto v = static_cast<std::int64_t>(*s.seed);
    if (v < 0) {
      o += '-';
      json::append_uint(o, static_cast<std::uint64_t>(-(v + 1)) + 1);
    } else {
      json::append_uint(o, static_cast<std::uint64_t>(v));
    }
  }
  // Only when asked for: OpenAI's own API refuses parameters it does not know.
  if (s.ignore_eos) o += ",\"ignore_eos\":true";
  if (!s.stop.empty()) {
    o += ",\"stop\":[";
    for (std::size_t i = 0; i < s.stop.size(); ++i) {
      if (i) o += ',';
      json::append_string(o, s.stop[i]);
    }
    o += ']';
  }
  if (!user.empty()) {
    o += ",\"user\":";
    json::append_string(o, user);
  }
}

}  // namespace

std::string upstream_body(const chat_request& r, std::string_view upstream_model) {
  std::string o;
  o.reserve(256 + r.messages.size() * 64);
  open_body(o, upstream_model, r.stream);
  o += ",\"messages\":[";
  for (std::size_t i = 0; i < r.messages.size(); ++i) {
    const auto& m = r.messages[i];
    if (i) o += ',';
    o += "{\"role\":";
    json::append_string(o, to_string(m.role));
    o += ",\"content\":";
    json::append_string(o, m.content);
    if (!m.name.empty()) {
      o += ",\"name\":";
      json::append_string(o, m.name);
    }
    o += '}';
  }
  o += ']';
  append_sampling(o, r.sampling, r.user);
  o += '}';
  return o;
}

std::string upstream_body(const completion_request& r, std::string_view upstream_model) {
  std::string o;
  open_body(o, upstream_model, r.stream);
  o += ",\"prompt\":";
  json::append_string(o, r.prompt);
  // `echo` is not forwarded: the gateway prepends the prompt itself, whatever the target.
  append_sampling(o, r.sampling, r.user);
  o += '}';
  return o;
}

}  // namespace gw
