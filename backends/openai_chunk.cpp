#include "backends/openai_chunk.hpp"

#include <array>
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

namespace {

// The first field named by each of `keys` in `obj`, as simdjson's obj[key] finds it. The chunk's fields are
// taken in one pass each (first_fields) rather than one scan per lookup: six lookups by name, each
// comparing keys from the start, were a tenth of the instructions per streamed request.
template <std::size_t N>
std::array<simdjson::dom::element, N> first_fields(simdjson::dom::object obj, const std::array<std::string_view, N>& keys,
                                                   std::array<bool, N>& found) {
  std::array<simdjson::dom::element, N> out{};
  found.fill(false);
  for (auto field : obj)
    for (std::size_t i = 0; i < N; ++i)
      if (!found[i] && field.key == keys[i]) {
        out[i] = field.value;
        found[i] = true;
        break;
      }
  return out;
}

}  // namespace

std::optional<upstream_chunk> parse_upstream_chunk(std::string_view json) {
  simdjson::dom::element doc;
  if (parser().parse(json.data(), json.size(), true).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object obj;
  if (doc.get(obj) != simdjson::SUCCESS) return std::nullopt;
  upstream_chunk out;
  static constexpr std::array<std::string_view, 3> top_keys{"error", "choices", "usage"};
  std::array<bool, 3> has{};
  const auto top = first_fields(obj, top_keys, has);
  simdjson::dom::object err;
  if (has[0] && top[0].get(err) == simdjson::SUCCESS) {
    std::string_view msg = "upstream error";
    if (err["message"].get(msg) != simdjson::SUCCESS) msg = "upstream error";
    out.error = std::string(msg);
    return out;
  }
  simdjson::dom::array choices;
  if (has[1] && top[1].get(choices) == simdjson::SUCCESS && choices.size() > 0) {
    simdjson::dom::object c;
    if (choices.at(0).get(c) != simdjson::SUCCESS) return std::nullopt;
    static constexpr std::array<std::string_view, 4> choice_keys{"delta", "message", "text", "finish_reason"};
    std::array<bool, 4> in{};
    const auto f = first_fields(c, choice_keys, in);
    std::string_view text;
    simdjson::dom::object delta;
    simdjson::dom::object message;
    if (in[0] && f[0].get(delta) == simdjson::SUCCESS) {
      if (delta["content"].get(text) == simdjson::SUCCESS) out.text = std::string(text);
    } else if (in[1] && f[1].get(message) == simdjson::SUCCESS) {  // a non-streamed chat answer
      if (message["content"].get(text) == simdjson::SUCCESS) out.text = std::string(text);
    } else if (in[2] && f[2].get(text) == simdjson::SUCCESS) {
      out.text = std::string(text);
    }
    std::string_view fr;
    if (in[3] && f[3].get(fr) == simdjson::SUCCESS) out.finish = to_finish(fr);
  }
  simdjson::dom::object usage;
  if (has[2] && top[2].get(usage) == simdjson::SUCCESS) {
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
