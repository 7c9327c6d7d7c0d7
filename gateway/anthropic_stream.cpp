#include "gateway/anthropic_stream.hpp"

#include "backends/json_writer.hpp"
#include "gateway/anthropic_json.hpp"
#include "gateway/anthropic_response.hpp"

namespace gw {
namespace {

constexpr auto find = anthropic_json::member;
std::string string_or_empty(std::optional<std::string_view> v) { return anthropic_json::string_or(v); }

bool is_count(std::string_view v) {
  if (v.empty() || v.size() > 19) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

void event(std::string& out, std::string_view type, std::string_view data) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
}

// {"type":type,"index":index,key:value}, as the event of that type.
void block_event(std::string& out, std::string_view type, int index, std::string_view key, std::string_view value) {
  std::string d = R"({"type":)";
  json::append_string(d, type);
  d += R"(,"index":)";
  json::append_uint(d, static_cast<std::uint64_t>(index));
  d += ",\"";
  d += key;
  d += "\":";
  d += value;
  d += '}';
  event(out, type, d);
}

}  // namespace

void anthropic_stream::ping(std::string& out) { event(out, "ping", R"({"type":"ping"})"); }

void anthropic_stream::fail(std::string_view type, std::string_view message, std::string& out) {
  event(out, "error", anthropic_error_json(type, message));
  finished_ = true;
}

void anthropic_stream::start_message(std::string_view id, std::string_view model, std::string& out) {
  started_ = true;
  std::string d = R"({"type":"message_start","message":{"id":)";
  json::append_string(d, message_id(id));
  d += R"(,"type":"message","role":"assistant","model":)";
  json::append_string(d, model);
  d += R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)";
  json::append_uint(d, input_tokens_);
  d += R"(,"output_tokens":0}}})";
  event(out, "message_start", d);
}

void anthropic_stream::open_block(block kind, std::string_view start_json, std::string& out) {
  close_block(out);
  open_ = kind;
  ++index_;
  block_event(out, "content_block_start", index_, "content_block", start_json);
}

void anthropic_stream::delta(std::string_view delta_json, std::string& out) {
  block_event(out, "content_block_delta", index_, "delta", delta_json);
}

void anthropic_stream::close_block(std::string& out) {
  if (open_ == block::none) return;
  // Chat upstreams sign nothing; the block still carries the field clients expect.
  if (open_ == block::thinking) delta(R"({"type":"signature_delta","signature":""})", out);
  std::string d = R"({"type":"content_block_stop","index":)";
  json::append_uint(d, static_cast<std::uint64_t>(index_));
  d += '}';
  event(out, "content_block_stop", d);
  open_ = block::none;
  tool_index_ = -1;
}

void anthropic_stream::tool_calls(std::string_view calls, std::string& out) {
  for (const auto call : json::elements_of(calls)) {
    const auto c = json::members_of(call);
    const auto index_v = find(c, "index");
    const int index = index_v && is_count(*index_v) && index_v->size() < 6 ? std::stoi(std::string(*index_v)) : 0;
    const auto fn = find(c, "function");
    const auto f = fn ? json::members_of(*fn) : json::object_scan{};
    const auto id = find(c, "id");
    if (open_ != block::tool_use || index != tool_index_ || (id && !json::is_null(*id))) {
      // A new call: its first fragment names it.
      std::string start = R"({"type":"tool_use","id":)";
      json::append_string(start, string_or_empty(id));
      start += R"(,"name":)";
      json::append_string(start, string_or_empty(find(f, "name")));
      start += R"(,"input":{}})";
      open_block(block::tool_use, start, out);
      tool_index_ = index;
    }
    const std::string args = string_or_empty(find(f, "arguments"));
    if (args.empty()) continue;
    std::string d = R"({"type":"input_json_delta","partial_json":)";
    json::append_string(d, args);
    d += '}';
    delta(d, out);
  }
}

void anthropic_stream::on_data(std::string_view data, std::string& out) {
  if (finished_) return;
  // Validated in full (grammar, UTF-8), not only located: what is read here is re-encoded into
  // the client's events, and an upstream may send anything.
  const auto root = json::scan_object(data, 64);
  if (!root) return fail("api_error", "The model's answer could not be read.", out);
  if (const auto e = find(*root, "error"); e && !json::is_null(*e)) {
    const auto o = json::members_of(*e);
    std::string message = string_or_empty(find(o, "message"));
    if (message.empty()) message = "The request failed.";
    // As Anthropic ends a failed stream: the error event, the open block left open.
    return fail(anthropic_stream_error_type(*e), message, out);
  }
  if (!started_) start_message(string_or_empty(find(*root, "id")), string_or_empty(find(*root, "model")), out);
  if (const auto usage = find(*root, "usage"); usage && !json::is_null(*usage)) {
    const auto u = json::members_of(*usage);
    if (const auto p = find(u, "prompt_tokens"); p && is_count(*p) && p->size() < 10)
      input_tokens_ = static_cast<std::uint32_t>(std::stoul(std::string(*p)));
    if (const auto c = find(u, "completion_tokens"); c && is_count(*c)) output_tokens_ = std::string(*c);
  }
  const auto choices = find(*root, "choices");
  if (!choices) return;
  const auto items = json::elements_of(*choices);
  if (items.empty()) return;
  const auto choice = json::members_of(items.front());
  if (const auto d = find(choice, "delta"); d && !json::is_null(*d)) {
    const auto dm = json::members_of(*d);
    std::string reasoning = string_or_empty(find(dm, "reasoning_content"));
    if (reasoning.empty()) reasoning = string_or_empty(find(dm, "reasoning"));
    if (!reasoning.empty()) {
      if (open_ != block::thinking) open_block(block::thinking, R"({"type":"thinking","thinking":"","signature":""})", out);
      std::string j = R"({"type":"thinking_delta","thinking":)";
      json::append_string(j, reasoning);
      j += '}';
      delta(j, out);
    }
    if (const std::string text = string_or_empty(find(dm, "content")); !text.empty()) {
      if (open_ != block::text) open_block(block::text, R"({"type":"text","text":""})", out);
      std::string j = R"({"type":"text_delta","text":)";
      json::append_string(j, text);
      j += '}';
      delta(j, out);
    }
    if (const auto calls = find(dm, "tool_calls"); calls && !json::is_null(*calls)) tool_calls(*calls, out);
  }
  if (const auto f = find(choice, "finish_reason"); f && !json::is_null(*f)) {
    finish_reason_ = string_or_empty(f);
    if (const auto s = find(choice, "stop_reason")) vllm_stop_ = std::string(*s);
  }
}

void anthropic_stream::on_done(std::string& out) {
  if (finished_) return;
  if (!started_) start_message("", "", out);
  close_block(out);
  const stop_info stop = to_stop_info(finish_reason_, vllm_stop_, stop_sequences_);
  std::string d = R"({"type":"message_delta","delta":{"stop_reason":)";
  json::append_string(d, stop.reason);
  d += R"(,"stop_sequence":)";
  if (stop.sequence) json::append_string(d, *stop.sequence);
  else d += "null";
  d += R"(},"usage":{"input_tokens":)";
  json::append_uint(d, input_tokens_);
  d += R"(,"output_tokens":)";
  d += output_tokens_;
  d += "}}";
  event(out, "message_delta", d);
  event(out, "message_stop", R"({"type":"message_stop"})");
  finished_ = true;
}

}  // namespace gw
