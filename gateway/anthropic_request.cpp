#include "gateway/anthropic_request.hpp"

#include <optional>

#include "backends/json_writer.hpp"
#include "gateway/anthropic_json.hpp"

namespace gw {
namespace {

constexpr auto find = anthropic_json::member;
using anthropic_json::string_member;

bool is_object(std::string_view v) { return !v.empty() && v.front() == '{'; }
bool is_array(std::string_view v) { return !v.empty() && v.front() == '['; }
bool is_number(std::string_view v) { return !v.empty() && (v.front() == '-' || (v.front() >= '0' && v.front() <= '9')); }
bool is_positive_integer(std::string_view v) {
  if (v.empty() || v.size() > 9 || v.front() == '0') return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

// One translation; the first error stops it (every step returns false once `error` is set).
class translator {
 public:
  explicit translator(bool count_only) : count_only_(count_only) {}

  std::variant<messages_translation, api_error> run(std::string_view body) {
    const auto root = json::scan_object(body, 64);
    if (!root)
      return api_error{api_errc::invalid_json, "The request body is not valid JSON (or is not an object).", ""};
    if (!translate(*root)) return std::move(*error_);
    return std::move(out_);
  }

 private:
  bool fail(std::string param, std::string what) {
    error_ = api_error{api_errc::invalid_field, param + ": " + what, param};
    return false;
  }
  bool unsupported(std::string param, std::string what) {
    error_ = api_error{api_errc::unsupported_field, param + ": " + what, param};
    return false;
  }

  bool translate(const json::object_scan& root) {
    const auto model = find(root, "model");
    auto model_name = model ? json::string_value(*model) : std::nullopt;
    if (!model_name || model_name->empty()) return fail("model", "Field required (a non-empty string).");
    out_.model = *model_name;
    std::string& b = out_.chat_body;
    b += "{\"model\":";
    b += *model;
    const auto max_tokens = find(root, "max_tokens");
    if (max_tokens) {
      if (!is_positive_integer(*max_tokens)) return fail("max_tokens", "Must be a positive integer.");
      b += ",\"max_tokens\":";
      b += *max_tokens;
    } else if (!count_only_) {
      return fail("max_tokens", "Field required.");
    }
    b += ",\"messages\":[";
    if (!system_message(find(root, "system"))) return false;
    const auto messages = find(root, "messages");
    if (!messages || !is_array(*messages)) return fail("messages", "Field required (an array).");
    const auto items = json::elements_of(*messages);
    if (items.empty()) return fail("messages", "At least one message is required.");
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!message(items[i], "messages[" + std::to_string(i) + "]")) return false;
    b += ']';
    return tools(root) && sampling(root) && thinking(find(root, "thinking")) && stream(find(root, "stream")) &&
           (b += '}', true);
  }

  void open_message() {
    if (!first_message_) out_.chat_body += ',';
    first_message_ = false;
  }

  // A text value or an array of text blocks, joined: what system prompts and tool results carry.
  std::optional<std::string> text_of(std::string_view v, const std::string& param) {
    if (auto s = json::string_value(v)) return s;
    if (!is_array(v)) {
      fail(param, "Must be a string or an array of text blocks.");
      return std::nullopt;
    }
    std::string text;
    const auto blocks = json::elements_of(v);
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::string p = param + "[" + std::to_string(i) + "]";
      const auto o = json::members_of(blocks[i]);
      const auto type = find(o, "type");
      if (!type || json::string_value(*type) != std::optional<std::string>("text")) {
        unsupported(p, "Only text blocks are supported here.");
        return std::nullopt;
      }
      const auto t = find(o, "text");
      auto s = t ? json::string_value(*t) : std::nullopt;
      if (!s) {
        fail(p + ".text", "Field required (a string).");
        return std::nullopt;
      }
      if (!text.empty()) text += "\n\n";
      text += *s;
    }
    return text;
  }

  bool system_message(std::optional<std::string_view> system) {
    if (!system || json::is_null(*system)) return true;
    const auto text = text_of(*system, "system");
    if (!text) return false;
    open_message();
    out_.chat_body += "{\"role\":\"system\",\"content\":";
    json::append_string(out_.chat_body, *text);
    out_.chat_body += '}';
    return true;
  }

  bool message(std::string_view m, const std::string& param) {
    if (!is_object(m)) return fail(param, "Must be an object.");
    const auto o = json::members_of(m);
    const auto role = string_member(o, "role");
    if (!role || (*role != "user" && *role != "assistant"))
      return fail(param + ".role", "Must be \"user\" or \"assistant\".");
    const auto content = find(o, "content");
    if (!content) return fail(param + ".content", "Field required.");
    if (auto s = json::string_value(*content)) {
      open_message();
      out_.chat_body += "{\"role\":\"" + *role + "\",\"content\":";
      json::append_string(out_.chat_body, *s);
      out_.chat_body += '}';
      return true;
    }
    if (!is_array(*content)) return fail(param + ".content", "Must be a string or an array of content blocks.");
    return *role == "user" ? user_blocks(*content, param + ".content") : assistant_blocks(*content, param + ".content");
  }

  // Tool results first, as tool messages (they answer the previous assistant turn's calls), then
  // the other blocks as one user message with content parts.
  bool user_blocks(std::string_view content, const std::string& param) {
    const auto blocks = json::elements_of(content);
    std::string parts;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::string p = param + "[" + std::to_string(i) + "]";
      const auto o = json::members_of(blocks[i]);
      const auto type = string_member(o, "type");
      if (!type) return fail(p + ".type", "Field required.");
      if (*type == "tool_result") {
        if (!tool_result(o, p)) return false;
        continue;
      }
      if (!parts.empty()) parts += ',';
      if (*type == "text") {
        const auto t = find(o, "text");
        if (!t || !json::string_value(*t)) return fail(p + ".text", "Field required (a string).");
        parts += "{\"type\":\"text\",\"text\":";
        parts += *t;
        parts += '}';
      } else if (*type == "image") {
        if (!image(o, p, parts)) return false;
      } else {
        return unsupported(p + ".type", "Content block type \"" + *type + "\" is not supported by this gateway.");
      }
    }
    if (parts.empty()) return true;
    open_message();
    out_.chat_body += "{\"role\":\"user\",\"content\":[" + parts + "]}";
    return true;
  }

  bool image(const json::object_scan& o, const std::string& p, std::string& parts) {
    const auto source = find(o, "source");
    if (!source || !is_object(*source)) return fail(p + ".source", "Field required (an object).");
    const auto s = json::members_of(*source);
    const auto kind = string_member(s, "type");
    std::string url;
    if (kind == std::optional<std::string>("base64")) {
      const auto mt = find(s, "media_type");
      const auto data = find(s, "data");
      auto media = mt ? json::string_value(*mt) : std::nullopt;
      auto bytes = data ? json::string_value(*data) : std::nullopt;
      if (!media || !bytes) return fail(p + ".source", "A base64 source needs media_type and data.");
      url = "data:" + *media + ";base64," + *bytes;
    } else if (kind == std::optional<std::string>("url")) {
      const auto u = find(s, "url");
      auto text = u ? json::string_value(*u) : std::nullopt;
      if (!text) return fail(p + ".source.url", "Field required (a string).");
      url = std::move(*text);
    } else {
      return unsupported(p + ".source.type", "Must be \"base64\" or \"url\".");
    }
    parts += "{\"type\":\"image_url\",\"image_url\":{\"url\":";
    json::append_string(parts, url);
    parts += "}}";
    return true;
  }

  bool tool_result(const json::object_scan& o, const std::string& p) {
    const auto id = string_member(o, "tool_use_id");
    if (!id) return fail(p + ".tool_use_id", "Field required (a string).");
    std::string text;
    if (const auto c = find(o, "content"); c && !json::is_null(*c)) {
      auto t = text_of(*c, p + ".content");
      if (!t) return false;
      text = std::move(*t);
    }
    open_message();
    out_.chat_body += "{\"role\":\"tool\",\"tool_call_id\":";
    json::append_string(out_.chat_body, *id);
    out_.chat_body += ",\"content\":";
    json::append_string(out_.chat_body, text);
    out_.chat_body += '}';
    return true;
  }

  bool assistant_blocks(std::string_view content, const std::string& param) {
    const auto blocks = json::elements_of(content);
    std::string text, calls;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::string p = param + "[" + std::to_string(i) + "]";
      const auto o = json::members_of(blocks[i]);
      const auto type = string_member(o, "type");
      if (!type) return fail(p + ".type", "Field required.");
      if (*type == "text") {
        const auto t = find(o, "text");
        auto s = t ? json::string_value(*t) : std::nullopt;
        if (!s) return fail(p + ".text", "Field required (a string).");
        text += *s;
      } else if (*type == "tool_use") {
        const auto id = find(o, "id");
        const auto name = find(o, "name");
        const auto input = find(o, "input");
        if (!id || !json::string_value(*id)) return fail(p + ".id", "Field required (a string).");
        if (!name || !json::string_value(*name)) return fail(p + ".name", "Field required (a string).");
        if (!input || !is_object(*input)) return fail(p + ".input", "Field required (an object).");
        if (!calls.empty()) calls += ',';
        calls += "{\"id\":" + std::string(*id) + ",\"type\":\"function\",\"function\":{\"name\":" + std::string(*name) +
                 ",\"arguments\":";
        json::append_string(calls, *input);
        calls += "}}";
      } else if (*type != "thinking" && *type != "redacted_thinking") {
        return unsupported(p + ".type", "Content block type \"" + *type + "\" is not supported in assistant turns.");
      }
    }
    open_message();
    out_.chat_body += "{\"role\":\"assistant\",\"content\":";
    if (text.empty() && !calls.empty()) out_.chat_body += "null";
    else json::append_string(out_.chat_body, text);
    if (!calls.empty()) out_.chat_body += ",\"tool_calls\":[" + calls + "]";
    out_.chat_body += '}';
    return true;
  }

  bool tools(const json::object_scan& root) {
    std::string& b = out_.chat_body;
    if (const auto t = find(root, "tools"); t && !json::is_null(*t)) {
      if (!is_array(*t)) return fail("tools", "Must be an array.");
      const auto items = json::elements_of(*t);
      if (!items.empty()) {
        b += ",\"tools\":[";
        for (std::size_t i = 0; i < items.size(); ++i) {
          const std::string p = "tools[" + std::to_string(i) + "]";
          const auto o = json::members_of(items[i]);
          if (const auto type = find(o, "type"); type && json::string_value(*type) != std::optional<std::string>("custom"))
            return unsupported(p + ".type", "Server tools are not supported by this gateway.");
          const auto name = find(o, "name");
          if (!name || !json::string_value(*name)) return fail(p + ".name", "Field required (a string).");
          const auto schema = find(o, "input_schema");
          if (!schema || !is_object(*schema)) return fail(p + ".input_schema", "Field required (an object).");
          if (i > 0) b += ',';
          b += "{\"type\":\"function\",\"function\":{\"name\":" + std::string(*name);
          if (const auto d = find(o, "description"); d && json::string_value(*d))
            b += ",\"description\":" + std::string(*d);
          b += ",\"parameters\":" + std::string(*schema) + "}}";
        }
        b += ']';
      }
    }
    const auto choice = find(root, "tool_choice");
    if (!choice || json::is_null(*choice)) return true;
    if (!is_object(*choice)) return fail("tool_choice", "Must be an object.");
    const auto o = json::members_of(*choice);
    const auto type = string_member(o, "type");
    if (type == std::optional<std::string>("auto")) {
      b += ",\"tool_choice\":\"auto\"";
    } else if (type == std::optional<std::string>("any")) {
      b += ",\"tool_choice\":\"required\"";
    } else if (type == std::optional<std::string>("none")) {
      b += ",\"tool_choice\":\"none\"";
    } else if (type == std::optional<std::string>("tool")) {
      const auto name = find(o, "name");
      if (!name || !json::string_value(*name)) return fail("tool_choice.name", "Field required (a string).");
      b += ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":" + std::string(*name) + "}}";
    } else {
      return fail("tool_choice.type", "Must be one of auto, any, tool, none.");
    }
    if (const auto d = find(o, "disable_parallel_tool_use"); d && *d == "true") b += ",\"parallel_tool_calls\":false";
    return true;
  }

  bool sampling(const json::object_scan& root) {
    std::string& b = out_.chat_body;
    for (const char* name : {"temperature", "top_p", "top_k"}) {
      const auto v = find(root, name);
      if (!v || json::is_null(*v)) continue;
      if (!is_number(*v)) return fail(name, "Must be a number.");
      b += ",\"" + std::string(name) + "\":" + std::string(*v);
    }
    if (const auto s = find(root, "stop_sequences"); s && !json::is_null(*s)) {
      if (!is_array(*s)) return fail("stop_sequences", "Must be an array of strings.");
      for (const auto e : json::elements_of(*s)) {
        auto text = json::string_value(e);
        if (!text) return fail("stop_sequences", "Must be an array of strings.");
        out_.stop_sequences.push_back(std::move(*text));
      }
      if (!out_.stop_sequences.empty()) b += ",\"stop\":" + std::string(*s);
    }
    if (const auto m = find(root, "metadata"); m && is_object(*m)) {
      const auto user = find(json::members_of(*m), "user_id");
      if (user && json::string_value(*user)) b += ",\"user\":" + std::string(*user);
    }
    return true;
  }

  // Chat upstreams switch reasoning per request through the chat template (vLLM, SGLang, the
  // sim); budget_tokens has no chat equivalent: max_tokens bounds reasoning and answer together.
  bool thinking(std::optional<std::string_view> t) {
    if (!t || json::is_null(*t)) return true;
    if (!is_object(*t)) return fail("thinking", "Must be an object.");
    const auto type = string_member(json::members_of(*t), "type");
    if (type == std::optional<std::string>("enabled") || type == std::optional<std::string>("adaptive"))
      out_.chat_body += ",\"chat_template_kwargs\":{\"enable_thinking\":true}";
    else if (type == std::optional<std::string>("disabled"))
      out_.chat_body += ",\"chat_template_kwargs\":{\"enable_thinking\":false}";
    else
      return fail("thinking.type", "Must be \"enabled\" or \"disabled\".");
    return true;
  }

  bool stream(std::optional<std::string_view> s) {
    if (!s || json::is_null(*s) || *s == "false") return true;
    if (*s != "true") return fail("stream", "Must be a boolean.");
    out_.stream = true;
    // Usage must arrive for message_delta: the last chunk carries it.
    if (!count_only_) out_.chat_body += ",\"stream\":true,\"stream_options\":{\"include_usage\":true}";
    return true;
  }

  bool count_only_;
  bool first_message_ = true;
  messages_translation out_;
  std::optional<api_error> error_;
};

}  // namespace

std::variant<messages_translation, api_error> to_chat_request(std::string_view body, bool count_only) {
  return translator(count_only).run(body);
}

}  // namespace gw
