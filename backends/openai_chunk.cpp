#include "backends/openai_chunk.hpp"

#include <simdjson.h>

namespace gw {
namespace {

simdjson::dom::parser& parser() {
  // One parser per thread (the reactor): it keeps its buffers between chunks.
  thread_local simdjson::dom::parser p;
  return p;
}

std::optional<finish_reason> to_finish(std::string_view s) {
  if (s == "length") return finish_reason::length;
  // stop, tool_calls, content_filter, eos... all mean the model ended the text itself.
  return finish_reason::stop;
}

}  // namespace

std::optional<upstream_chunk> parse_upstream_chunk(std::string_view json) {
  simdjson::dom::element doc;
  if (parser().parse(json.data(), json.size(), true).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object obj;
  if (doc.get(obj) != simdjson::SUCCESS) return std::nullopt;
  upstream_chunk out;
  simdjson::dom::object err;
  if (obj["error"].get(err) == simdjson::SUCCESS) {
    std::string_view msg = "upstream error";
    if (err["message"].get(msg) != simdjson::SUCCESS) msg = "upstream error";
    out.error = std::string(msg);
    return out;
  }
  simdjson::dom::array choices;
  if (obj["choices"].get(choices) == simdjson::SUCCESS && choices.size() > 0) {
    simdjson::dom::object c;
    if (choices.at(0).get(c) != simdjson::SUCCESS) return std::nullopt;
    std::string_view text;
    simdjson::dom::object delta;
    simdjson::dom::object message;
    if (c["delta"].get(delta) == simdjson::SUCCESS) {
      if (delta["content"].get(text) == simdjson::SUCCESS) out.text = std::string(text);
    } else if (c["message"].get(message) == simdjson::SUCCESS) {  // a non-streamed chat answer
      if (message["content"].get(text) == simdjson::SUCCESS) out.text = std::string(text);
    } else if (c["text"].get(text) == simdjson::SUCCESS) {
      out.text = std::string(text);
    }
    std::string_view fr;
    if (c["finish_reason"].get(fr) == simdjson::SUCCESS) out.finish = to_finish(fr);
  }
  simdjson::dom::object usage;
  if (obj["usage"].get(usage) == simdjson::SUCCESS) {
    std::uint64_t p = 0, q = 0;
    if (usage["prompt_tokens"].get(p) != simdjson::SUCCESS) p = 0;
    if (usage["completion_tokens"].get(q) != simdjson::SUCCESS) q = 0;
    out.usage = upstream_usage{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(q)};
  }
  return out;
}

std::optional<std::string> upstream_error_message(std::string_view body) {
  simdjson::dom::element doc;
  if (parser().parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) return std::nullopt;
  std::string_view msg;
  if (doc["error"]["message"].get(msg) == simdjson::SUCCESS) return std::string(msg);
  if (doc["message"].get(msg) == simdjson::SUCCESS) return std::string(msg);
  return std::nullopt;
}

}  // namespace gw
