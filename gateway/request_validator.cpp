#include "gateway/request_validator.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "engine/tokenizer.hpp"
#include "gateway/json_fields.hpp"

namespace gw {

namespace {

// The shared field readers (json_fields.hpp) are this file's vocabulary.
using namespace json_fields;

constexpr std::size_t max_stop_sequences = 4;

struct number_range {
  double lo;
  double hi;
  bool lo_exclusive;
  const char* expected;  // completes "'param' must be ..."
};

constexpr number_range temperature_range{0, 2, false, "a number between 0 and 2"};
constexpr number_range top_p_range{0, 1, true, "a number greater than 0 and at most 1"};

field_error as_number(std::optional<element> e, std::string_view param, number_range range,
                      double& out) {
  if (!e) return {};
  double v = 0;
  // get_double also takes integer-typed JSON: "temperature": 1 is a number.
  const bool ok =
      e->get(v) == SUCCESS && (range.lo_exclusive ? v > range.lo : v >= range.lo) && v <= range.hi;
  if (!ok) return invalid(param, "must be " + std::string(range.expected));
  out = v;
  return {};
}

field_error read_seed(const object_fields& obj, std::optional<std::uint64_t>& out) {
  auto e = field(obj, "seed");
  if (!e) return {};
  std::int64_t v = 0;
  // OpenAI's seed is a signed 64-bit integer; engines only need its bits.
  if (e->get(v) != SUCCESS) return invalid("seed", "must be a 64-bit signed integer");
  out = static_cast<std::uint64_t>(v);
  return {};
}

field_error read_stop(const object_fields& obj, std::vector<std::string>& out) {
  auto e = field(obj, "stop");
  if (!e) return {};
  constexpr const char* expected =
      "must be a non-empty string or an array of 1 to 4 non-empty strings";
  std::string_view s;
  if (e->get(s) == SUCCESS) {
    if (s.empty()) return invalid("stop", expected);
    out.emplace_back(s);
    return {};
  }
  array items;
  if (e->get(items) != SUCCESS || items.size() == 0 || items.size() > max_stop_sequences) {
    return invalid("stop", expected);
  }
  std::size_t i = 0;
  for (element item : items) {
    if (item.get(s) != SUCCESS || s.empty()) {
      return invalid(indexed("stop", i), "must be a non-empty string");
    }
    out.emplace_back(s);
    ++i;
  }
  return {};
}

field_error read_sampling(const object_fields& obj, std::uint32_t max_tokens_limit, sampling_params& out) {
  std::optional<std::uint32_t> legacy;
  std::optional<std::uint32_t> current;
  if (auto err =
          as_positive_integer(field(obj, "max_tokens"), "max_tokens", max_tokens_limit, legacy)) {
    return err;
  }
  if (auto err = as_positive_integer(field(obj, "max_completion_tokens"), "max_completion_tokens",
                                     max_tokens_limit, current)) {
    return err;
  }
  // max_completion_tokens is OpenAI's newer name and wins when a client sends both.
  out.max_tokens = current ? current : legacy;
  if (auto err =
          as_number(field(obj, "temperature"), "temperature", temperature_range, out.temperature)) {
    return err;
  }
  if (auto err = as_number(field(obj, "top_p"), "top_p", top_p_range, out.top_p)) return err;
  if (auto err = read_seed(obj, out.seed)) return err;
  // vLLM's extension, which load tests use to get exactly max_tokens tokens per request.
  if (auto err = as_bool(field(obj, "ignore_eos"), "ignore_eos", out.ignore_eos)) return err;
  return read_stop(obj, out.stop);
}

// OpenAI's range. Upstreams answer n choices; the sim engine runs them as n sequences.
constexpr std::int64_t max_choices = 128;

field_error read_n(const object_fields& obj, std::uint32_t& out) {
  auto e = field(obj, "n");
  if (!e) return {};
  std::int64_t v = 0;
  if ((e->type() != element_type::INT64 && e->type() != element_type::UINT64) || e->get(v) != SUCCESS || v < 1 ||
      v > max_choices) {
    return invalid("n", "must be an integer between 1 and " + std::to_string(max_choices));
  }
  out = static_cast<std::uint32_t>(v);
  return {};
}

field_error read_stream(const object_fields& obj, bool& stream, bool& include_usage) {
  if (auto err = as_bool(field(obj, "stream"), "stream", stream)) return err;
  auto e = field(obj, "stream_options");
  if (!e) return {};
  object options;
  if (e->get(options) != SUCCESS) return invalid("stream_options", "must be an object");
  if (!stream) {
    return api_error{api_errc::invalid_field, "stream_options is only allowed when stream is true",
                     "stream_options"};
  }
  return as_bool(field(options, "include_usage"), "stream_options.include_usage", include_usage);
}

// The fields chat and legacy completions share, checked in one fixed order so that a request
// with several faults always reports the same one.
template <class Request>
field_error read_common(const object_fields& obj, const validation_limits& limits, Request& req) {
  if (auto err = read_sampling(obj, limits.max_tokens_limit, req.sampling)) return err;
  if (auto err = read_stream(obj, req.stream, req.include_usage)) return err;
  return read_n(obj, req.n);
}

std::optional<message_role> parse_role(std::string_view s) {
  if (s == "system") return message_role::system;
  if (s == "developer") return message_role::developer;
  if (s == "user") return message_role::user;
  if (s == "assistant") return message_role::assistant;
  if (s == "tool") return message_role::tool;
  return std::nullopt;
}

// Text parts are joined with '\n', as vLLM does, so adjacent parts do not run into one word.
// Parts of other types (image_url, input_audio, file, and types this gateway has not heard of)
// are forwarded as they are and only counted: the gateway does not look at media.
field_error read_content_parts(array parts, const std::string& param, chat_message& out) {
  std::size_t j = 0;
  bool first_text = true;
  for (element part : parts) {
    const std::string at = indexed(param, j++);
    object part_obj;
    if (part.get(part_obj) != SUCCESS) return invalid(at, "must be an object");
    std::string_view type;
    auto type_field = field(part_obj, "type");
    if (!type_field || type_field->get(type) != SUCCESS) {
      return invalid(at + ".type", "must be a string");
    }
    if (type != "text") {
      ++out.media_parts;
      continue;
    }
    std::string_view text;
    auto text_field = field(part_obj, "text");
    if (!text_field || text_field->get(text) != SUCCESS) {
      return invalid(at + ".text", "must be a string");
    }
    if (!first_text) out.content.push_back('\n');
    out.content.append(text);
    first_text = false;
  }
  return {};
}

field_error read_content(object message, std::size_t i, message_role role, chat_message& out) {
  auto e = field(message, "content");
  const auto param = [i] { return indexed("messages", i) + ".content"; };
  if (!e) {
    // An assistant turn that only called tools carries no content.
    if (role == message_role::assistant) return {};
    return invalid(param(), "is required for " + std::string(to_string(role)) + " messages");
  }
  std::string_view s;
  if (e->get(s) == SUCCESS) {
    out.content.assign(s);
    return {};
  }
  array parts;
  if (e->get(parts) != SUCCESS) {
    return invalid(param(), "must be a string or an array of content parts");
  }
  return read_content_parts(parts, param(), out);
}

field_error read_message(element item, std::size_t i, chat_message& out) {
  // Paths are built only on failure: the common case allocates nothing for them.
  const auto param = [i](std::string_view suffix) {
    return indexed("messages", i) + std::string(suffix);
  };
  object message;
  if (item.get(message) != SUCCESS) return invalid(param(""), "must be an object");
  auto role_field = field(message, "role");
  if (!role_field) return invalid(param(".role"), "is required");
  std::string_view role_text;
  std::optional<message_role> role;
  if (role_field->get(role_text) == SUCCESS) role = parse_role(role_text);
  if (!role) {
    return invalid(param(".role"),
                   "must be one of 'system', 'developer', 'user', 'assistant', 'tool'");
  }
  out.role = *role;
  if (auto err = read_content(message, i, out.role, out)) return err;
  // Read only to count them (and for the sim's prompt): an upstream gets them as sent.
  if (auto calls = field(message, "tool_calls")) {
    array items;
    if (calls->get(items) != SUCCESS) return invalid(param(".tool_calls"), "must be an array");
    out.tool_calls = simdjson::minify(*calls);
  }
  auto name_field = field(message, "name");
  std::string_view name;
  if (name_field && name_field->get(name) != SUCCESS) {
    return invalid(param(".name"), "must be a string");
  }
  out.name.assign(name);
  return {};
}

field_error read_messages(const object_fields& obj, std::size_t max_messages, std::vector<chat_message>& out) {
  auto e = field(obj, "messages");
  if (!e) return invalid("messages", "is required");
  array items;
  if (e->get(items) != SUCCESS) return invalid("messages", "must be an array of message objects");
  // size() saturates at 2^24 - 1, which is still above any sane max_messages.
  const std::size_t count = items.size();
  if (count == 0) return invalid("messages", "must hold at least one message");
  if (count > max_messages) {
    return invalid("messages", "must hold at most " + std::to_string(max_messages) + " messages");
  }
  out.reserve(count);
  std::size_t i = 0;
  for (element item : items) {
    chat_message message;
    if (auto err = read_message(item, i, message)) return err;
    out.push_back(std::move(message));
    ++i;
  }
  return {};
}

field_error read_prompt(const object_fields& obj, std::string& out) {
  auto e = field(obj, "prompt");
  if (!e) return invalid("prompt", "is required");
  std::string_view s;
  if (e->get(s) == SUCCESS) {
    out.assign(s);
    return {};
  }
  array items;
  if (e->get(items) != SUCCESS) return invalid("prompt", "must be a string or an array of strings");
  if (items.size() == 0) return invalid("prompt", "must not be an empty array");
  element first;
  if (items.size() != 1 || items.at(0).get(first) != SUCCESS || first.get(s) != SUCCESS) {
    return field_failure(api_errc::unsupported_field, "prompt",
                         "must be a single string: this gateway accepts neither batches of "
                         "prompts nor token ids");
  }
  out.assign(s);
  return {};
}

// Tool definitions reach the model as part of its prompt: counted, and checked only for the
// shape that counting needs.
field_error read_tool_definitions(const object_fields& obj, chat_request& req) {
  std::uint64_t extra = 0;
  for (const char* key : {"tools", "functions"}) {
    auto e = field(obj, key);
    if (!e) continue;
    array items;
    if (e->get(items) != SUCCESS) return invalid(key, "must be an array");
    extra += count_tokens(simdjson::minify(*e));
  }
  for (const auto& m : req.messages) {
    extra += std::uint64_t{m.media_parts} * media_part_tokens;
    if (!m.tool_calls.empty()) extra += count_tokens(m.tool_calls);
  }
  req.extra_prompt_tokens = static_cast<std::uint32_t>(std::min<std::uint64_t>(extra, UINT32_MAX));
  return {};
}

}  // namespace

request_validator::request_validator(validation_limits limits)
    : impl_(std::make_unique<impl>(limits)) {}

request_validator::~request_validator() = default;

// The members each route reads (and so validates); every other member is forwarded unread.
constexpr std::string_view chat_reads[] = {
    "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "seed",
    "stop", "ignore_eos", "stream", "stream_options", "n", "tools", "functions"};
constexpr std::string_view completion_reads[] = {
    "model", "prompt", "max_tokens", "max_completion_tokens", "temperature", "top_p", "seed",
    "stop", "ignore_eos", "stream", "stream_options", "n", "echo"};

validated<chat_request> request_validator::chat(std::string_view body) {
  object root;
  chat_request req;
  field_error err = impl_->parse(body, chat_reads, req.fields, root);
  if (err) return std::move(*err);
  const object_fields top(root);
  err = read_model(top, req.model);
  if (!err) err = read_messages(top, impl_->limits.max_messages, req.messages);
  if (!err) err = read_common(top, impl_->limits, req);
  if (!err) err = read_tool_definitions(top, req);
  if (err) return std::move(*err);
  return req;
}

validated<completion_request> request_validator::completion(std::string_view body) {
  object root;
  completion_request req;
  field_error err = impl_->parse(body, completion_reads, req.fields, root);
  if (err) return std::move(*err);
  const object_fields top(root);
  err = read_model(top, req.model);
  if (!err) err = read_prompt(top, req.prompt);
  if (!err) err = read_common(top, impl_->limits, req);
  if (!err) err = as_bool(field(top, "echo"), "echo", req.echo);
  if (err) return std::move(*err);
  return req;
}

}  // namespace gw
