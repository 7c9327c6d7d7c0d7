#include "gateway/anthropic_response.hpp"

#include "backends/json_writer.hpp"
#include "gateway/anthropic_json.hpp"

namespace gw {
namespace {

using anthropic_json::string_or;
constexpr auto find = anthropic_json::member;

// A usage object's count, raw; "0" when absent or not a plain integer that fits 64 bits.
std::string_view count_of(const json::object_scan& usage, std::string_view name) {
  const auto v = find(usage, name);
  if (!v || v->empty() || v->size() > 19) return "0";
  for (char c : *v)
    if (c < '0' || c > '9') return "0";
  return *v;
}

}  // namespace

const char* anthropic_error_type(unsigned status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string anthropic_error_json(std::string_view type, std::string_view message) {
  std::string out = R"({"type":"error","error":{"type":)";
  json::append_string(out, type);
  out += R"(,"message":)";
  json::append_string(out, message);
  out += "}}";
  return out;
}

std::string anthropic_error_from_openai(unsigned status, std::string_view openai_body) {
  std::string message = "The request failed.";
  if (const auto root = json::scan_object(openai_body))
    if (const auto e = find(*root, "error"); e && !e->empty() && e->front() == '{')
      message = string_or(find(json::members_of(*e), "message"), message);
  return anthropic_error_json(anthropic_error_type(status), message);
}

std::string anthropic_stream_error_type(std::string_view openai_error_object) {
  const auto o = json::members_of(openai_error_object);
  const std::string type = string_or(find(o, "type"));
  const std::string code = string_or(find(o, "code"));
  if (type == "invalid_request_error") return "invalid_request_error";
  if (type == "rate_limit_error" || type == "requests" || type == "tokens" || type == "insufficient_quota")
    return "rate_limit_error";
  for (const char* busy : {"engine_unavailable", "queue_timeout", "no_available_target", "draining",
                           "limits_unavailable", "too_many_connections", "not_ready"})
    if (code == busy) return "overloaded_error";
  return "api_error";
}

std::string message_id(std::string_view chat_id) {
  constexpr std::string_view prefix = "chatcmpl-";
  if (chat_id.starts_with(prefix)) chat_id.remove_prefix(prefix.size());
  return "msg_" + std::string(chat_id);
}

stop_info to_stop_info(std::string_view finish_reason, std::string_view vllm_stop,
                       const std::vector<std::string>& stop_sequences) {
  if (finish_reason == "length") return {"max_tokens", std::nullopt};
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return {"tool_use", std::nullopt};
  if (finish_reason == "content_filter") return {"refusal", std::nullopt};
  if (auto s = json::string_value(vllm_stop))
    for (const auto& seq : stop_sequences)
      if (seq == *s) return {"stop_sequence", seq};
  return {"end_turn", std::nullopt};
}

void append_tool_input(std::string& out, std::string_view arguments) {
  if (json::scan_object(arguments, 64)) out += arguments;
  else out += "{}";
}

std::optional<std::string> to_message(std::string_view completion, const std::vector<std::string>& stop_sequences) {
  const auto root = json::scan_object(completion);
  if (!root) return std::nullopt;
  const auto choices = find(*root, "choices");
  if (!choices) return std::nullopt;
  const auto items = json::elements_of(*choices);
  if (items.empty()) return std::nullopt;
  const auto choice = json::members_of(items.front());
  const auto msg_v = find(choice, "message");
  if (!msg_v) return std::nullopt;
  const auto msg = json::members_of(*msg_v);

  std::string out = R"({"id":)";
  json::append_string(out, message_id(string_or(find(*root, "id"))));
  out += R"(,"type":"message","role":"assistant","model":)";
  json::append_string(out, string_or(find(*root, "model")));
  out += R"(,"content":[)";
  bool first = true;
  auto open_block = [&] {
    if (!first) out += ',';
    first = false;
  };
  std::string reasoning = string_or(find(msg, "reasoning_content"));
  if (reasoning.empty()) reasoning = string_or(find(msg, "reasoning"));  // vLLM's newer name
  if (!reasoning.empty()) {
    open_block();
    out += R"({"type":"thinking","thinking":)";
    json::append_string(out, reasoning);
    out += R"(,"signature":""})";
  }
  if (const std::string text = string_or(find(msg, "content")); !text.empty()) {
    open_block();
    out += R"({"type":"text","text":)";
    json::append_string(out, text);
    out += '}';
  }
  if (const auto calls = find(msg, "tool_calls"))
    for (const auto call : json::elements_of(*calls)) {
      const auto c = json::members_of(call);
      const auto fn = find(c, "function");
      const auto f = fn ? json::members_of(*fn) : json::object_scan{};
      open_block();
      out += R"({"type":"tool_use","id":)";
      json::append_string(out, string_or(find(c, "id")));
      out += R"(,"name":)";
      json::append_string(out, string_or(find(f, "name")));
      out += R"(,"input":)";
      append_tool_input(out, string_or(find(f, "arguments"), "{}"));
      out += '}';
    }
  const std::string finish = string_or(find(choice, "finish_reason"), "stop");
  const stop_info stop = to_stop_info(finish, find(choice, "stop_reason").value_or("null"), stop_sequences);
  out += R"(],"stop_reason":)";
  json::append_string(out, stop.reason);
  out += R"(,"stop_sequence":)";
  if (stop.sequence) json::append_string(out, *stop.sequence);
  else out += "null";
  const auto usage_v = find(*root, "usage");
  const auto usage = usage_v ? json::members_of(*usage_v) : json::object_scan{};
  out += R"(,"usage":{"input_tokens":)";
  out += count_of(usage, "prompt_tokens");
  out += R"(,"output_tokens":)";
  out += count_of(usage, "completion_tokens");
  out += "}}";
  return out;
}

}  // namespace gw
