#include "gateway/choice_json.hpp"

#include "backends/json_writer.hpp"

namespace gw::choice_json {
namespace {

void append_bytes(std::string& out, std::string_view token) {
  out += '[';
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (i) out += ',';
    json::append_uint(out, static_cast<unsigned char>(token[i]));
  }
  out += ']';
}

void append_logprob_fields(std::string& out, std::string_view token, double logprob) {
  out += "{\"token\":";
  json::append_string(out, token);
  out += ",\"logprob\":";
  json::append_double(out, logprob);
  out += ",\"bytes\":";
  append_bytes(out, token);
}

}  // namespace

void open_event(std::string& out, const response_meta& m) {
  out += "data: ";
  if (m.opening.empty()) out += chunk_opening(m);
  else out += m.opening;
}

void close_event(std::string& out, const response_meta& m) {
  out += ']';
  if (m.include_usage) out += ",\"usage\":null";
  out += "}\n\n";
}

void open_body(std::string& out, const response_meta& m) {
  out += "{\"id\":";
  json::append_string(out, m.id);
  out += m.kind == api_kind::chat ? ",\"object\":\"chat.completion\",\"created\":" : ",\"object\":\"text_completion\",\"created\":";
  json::append_uint(out, static_cast<std::uint64_t>(m.created));
  out += ",\"model\":";
  json::append_string(out, m.model);
  out += m.kind == api_kind::chat ? ",\"system_fingerprint\":null,\"choices\":[" : ",\"choices\":[";
}

void close_body(std::string& out, usage_counts u, std::optional<std::uint32_t> reasoning_tokens) {
  out += "],";
  append_usage(out, u, reasoning_tokens);
  out += '}';
}

void append_usage(std::string& out, usage_counts u, std::optional<std::uint32_t> reasoning_tokens) {
  out += "\"usage\":{\"prompt_tokens\":";
  json::append_uint(out, u.prompt);
  out += ",\"completion_tokens\":";
  json::append_uint(out, u.completion);
  out += ",\"total_tokens\":";
  json::append_uint(out, std::uint64_t{u.prompt} + u.completion);
  if (reasoning_tokens) {
    out += ",\"completion_tokens_details\":{\"reasoning_tokens\":";
    json::append_uint(out, *reasoning_tokens);
    out += '}';
  }
  out += '}';
}

void append_usage_event(std::string& out, const response_meta& m, usage_counts u,
                        std::optional<std::uint32_t> reasoning_tokens) {
  open_event(out, m);
  out += "],";
  append_usage(out, u, reasoning_tokens);
  out += "}\n\n";
}

void append_chat_logprob(std::string& out, std::string_view token, const position_logprobs& lp) {
  append_logprob_fields(out, token, lp.logprob);
  out += ",\"top_logprobs\":[";
  for (std::size_t i = 0; i < lp.top.size(); ++i) {
    if (i) out += ',';
    append_logprob_fields(out, lp.top[i].token, lp.top[i].logprob);
    out += '}';
  }
  out += "]}";
}

void legacy_logprobs::add(std::string_view token, const position_logprobs& lp, std::size_t offset) {
  const bool first = tokens.empty();
  if (!first) {
    tokens += ',';
    token_logprobs += ',';
    top_logprobs += ',';
    text_offset += ',';
  }
  json::append_string(tokens, token);
  json::append_double(token_logprobs, lp.logprob);
  // The chosen token and its alternatives (just the chosen one for logprobs: 0).
  top_logprobs += '{';
  if (lp.top.empty()) {
    json::append_string(top_logprobs, token);
    top_logprobs += ':';
    json::append_double(top_logprobs, lp.logprob);
  }
  for (std::size_t i = 0; i < lp.top.size(); ++i) {
    if (i) top_logprobs += ',';
    json::append_string(top_logprobs, lp.top[i].token);
    top_logprobs += ':';
    json::append_double(top_logprobs, lp.top[i].logprob);
  }
  top_logprobs += '}';
  json::append_uint(text_offset, offset);
}

void legacy_logprobs::append_to(std::string& out) const {
  out += "{\"tokens\":[";
  out += tokens;
  out += "],\"token_logprobs\":[";
  out += token_logprobs;
  out += "],\"top_logprobs\":[";
  out += top_logprobs;
  out += "],\"text_offset\":[";
  out += text_offset;
  out += "]}";
}

}  // namespace gw::choice_json
