#include "backends/openai_chunk.hpp"

#include <array>
#include <cstring>
#include <simdjson.h>

#include "gateway/json_writer.hpp"

namespace gw {
namespace {

simdjson::dom::parser& parser() {
  // One parser per thread (the reactor): it keeps its buffers between error bodies.
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

namespace od = simdjson::ondemand;

// Chunks are read with simdjson's On-Demand API: it visits only the values asked for, where the
// DOM parser built a tape of every value first. A streamed request parses one chunk per token, and
// building those tapes was a quarter of its instructions (bench/HISTORY.md).
od::parser& chunk_parser() {
  thread_local od::parser p;  // one per thread (the reactor): it keeps its buffers between chunks
  return p;
}

// simdjson reads up to SIMDJSON_PADDING bytes past a document's end; chunks are views into the
// SSE parser's buffer, so each is copied into this one, which has the room.
std::string& padded_copy(std::string_view json) {
  thread_local std::string buf;
  buf.assign(json.data(), json.size());
  buf.resize(json.size() + simdjson::SIMDJSON_PADDING);
  return buf;
}

// Walks an object's fields once: f(key, value) for the first occurrence of each key (the DOM's
// obj[key] gave the first). false: malformed JSON.
template <class F>
bool each_field(od::object obj, F&& f) {
  for (auto result : obj) {
    od::field field;
    std::string_view key;
    if (std::move(result).get(field) != simdjson::SUCCESS || field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (!f(key, field.value())) return false;
  }
  return true;
}

// A string value and where its token lies in the document (the opening quote, then up to the
// next token); the token tells whether the value was written without escapes.
struct text_value {
  std::string_view value;
  std::string_view token;
};

bool read_string(od::value field, text_value& out) {
  out.token = field.raw_json_token();  // peeks: the value is still there to read
  if (field.get_string().get(out.value) == simdjson::SUCCESS) return true;
  out = {};
  return false;
}

// The string value of `key` in `v` if `v` is an object holding one, else empty.
bool string_in(od::value v, std::string_view key, text_value& out, bool& found) {
  od::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return true;  // not an object: ignored
  found = true;
  bool seen = false;
  return each_field(obj, [&](std::string_view k, od::value field) {
    if (k != key || seen) return true;
    seen = true;
    read_string(field, out);
    return true;
  });
}

// choices[0]: delta.content (streamed chat), message.content (a non-streamed answer) or text
// (legacy completions), in that order of preference, and finish_reason.
bool read_choice(od::value v, upstream_chunk& out, std::string_view& text_token) {
  od::array choices;
  if (v.get_array().get(choices) != simdjson::SUCCESS) return true;  // not an array: ignored
  for (auto first : choices) {
    od::object c;
    if (first.get_object().get(c) != simdjson::SUCCESS) return false;
    text_value delta, message, text;
    std::string_view finish;
    bool has_delta = false, has_message = false, has_text = false, has_finish = false;
    bool seen[4] = {};
    const bool ok = each_field(c, [&](std::string_view k, od::value field) {
      if (k == "delta" && !seen[0]) return seen[0] = true, string_in(field, "content", delta, has_delta);
      if (k == "message" && !seen[1]) return seen[1] = true, string_in(field, "content", message, has_message);
      if (k == "text" && !seen[2]) {
        seen[2] = true;
        has_text = read_string(field, text);
      } else if (k == "finish_reason" && !seen[3]) {
        seen[3] = true;
        has_finish = field.get_string().get(finish) == simdjson::SUCCESS;
      }
      return true;
    });
    if (!ok) return false;
    const text_value* chosen = has_delta ? &delta : has_message ? &message : has_text ? &text : nullptr;
    if (chosen) {
      out.text = std::string(chosen->value);
      text_token = chosen->token;
    }
    if (has_finish) out.finish = to_finish(finish);
    break;  // only the first choice; simdjson skips the rest
  }
  return true;
}

bool read_usage(od::value v, upstream_chunk& out) {
  od::object usage;
  if (v.get_object().get(usage) != simdjson::SUCCESS) return true;  // not an object: ignored
  std::uint64_t prompt = 0, completion = 0;
  bool seen_p = false, seen_c = false;
  const bool ok = each_field(usage, [&](std::string_view k, od::value field) {
    if (k == "prompt_tokens" && !seen_p) {
      seen_p = true;
      if (field.get_uint64().get(prompt) != simdjson::SUCCESS) prompt = 0;
    } else if (k == "completion_tokens" && !seen_c) {
      seen_c = true;
      if (field.get_uint64().get(completion) != simdjson::SUCCESS) completion = 0;
    }
    return true;
  });
  out.usage = upstream_usage{static_cast<std::uint32_t>(prompt), static_cast<std::uint32_t>(completion)};
  return ok;
}

// Reads a chunk. `text_token`: the raw token of the string the text came from, as a view into
// `json`, if there was one.
std::optional<upstream_chunk> parse_chunk(std::string_view json, std::string_view& text_token) {
  const std::string& buf = padded_copy(json);
  od::document doc;
  od::object obj;
  if (chunk_parser().iterate(buf.data(), json.size(), buf.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS)
    return std::nullopt;
  upstream_chunk out;
  std::optional<std::string> error;  // an error event wins over anything else in it
  bool seen[3] = {};
  const bool ok = each_field(obj, [&](std::string_view k, od::value field) {
    if (k == "error" && !seen[0]) {
      seen[0] = true;
      od::object err;
      if (field.get_object().get(err) != simdjson::SUCCESS) return true;  // not an object: ignored
      error = "upstream error";  // unless it has a string message
      bool seen_message = false;
      return each_field(err, [&](std::string_view ek, od::value ev) {
        std::string_view msg;
        if (ek == "message" && !seen_message && (seen_message = true) && ev.get_string().get(msg) == simdjson::SUCCESS)
          error = std::string(msg);
        return true;
      });
    }
    if (k == "choices" && !seen[1]) return seen[1] = true, read_choice(field, out, text_token);
    if (k == "usage" && !seen[2]) return seen[2] = true, read_usage(field, out);
    return true;
  });
  if (!ok) return std::nullopt;
  if (error) {
    upstream_chunk e;
    e.error = std::move(error);
    text_token = {};
    return e;
  }
  if (!text_token.empty())  // from the padded copy to the same bytes in `json`
    text_token = json.substr(static_cast<std::size_t>(text_token.data() - buf.data()), text_token.size());
  return out;
}

// Whether `x` can stand between two quotes as a JSON string written without escapes.
bool plain_json_string(std::string_view x) {
  return json::needs_no_escape(x) && simdjson::validate_utf8(x.data(), x.size());
}

}  // namespace

std::optional<upstream_chunk> parse_upstream_chunk(std::string_view json) {
  std::string_view token;
  return parse_chunk(json, token);
}

std::optional<upstream_chunk> upstream_chunk_reader::read(std::string_view json) {
  const std::size_t suffix = shape_.size() - split_;
  if (!shape_.empty() && json.size() >= shape_.size() && std::memcmp(json.data(), shape_.data(), split_) == 0 &&
      std::memcmp(json.data() + json.size() - suffix, shape_.data() + split_, suffix) == 0) {
    const std::string_view text = json.substr(split_, json.size() - shape_.size());
    if (plain_json_string(text)) {
      upstream_chunk out;
      out.text = std::string(text);
      out.finish = finish_;
      out.usage = usage_;
      ++reused_;
      return out;
    }
  }
  std::string_view token;
  auto chunk = parse_chunk(json, token);
  // The shape is kept only when the text was written without escapes: then its bytes in the
  // document are the text, and any other plain string between the same two parts reads the same.
  const std::size_t length = chunk && !token.empty() ? chunk->text.size() : 0;
  if (chunk && !token.empty() && token.size() >= length + 2 && token[0] == '"' && token[length + 1] == '"' &&
      std::memcmp(token.data() + 1, chunk->text.data(), length) == 0 && !std::memchr(token.data() + 1, '\\', length)) {
    const auto open = static_cast<std::size_t>(token.data() - json.data()) + 1;  // after the quote
    shape_.assign(json.data(), open);
    shape_.append(json.data() + open + length, json.size() - open - length);
    split_ = open;
    finish_ = chunk->finish;
    usage_ = chunk->usage;
  }
  return chunk;
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
