#include "gateway/openai_json.hpp"

#include "backends/json_writer.hpp"

namespace gw {
namespace {

void render_opening(std::string& o, const response_meta& m) {
  o += "{\"id\":";
  json::append_string(o, m.id);
  o += m.kind == api_kind::chat ? ",\"object\":\"chat.completion.chunk\",\"created\":"
                                : ",\"object\":\"text_completion\",\"created\":";
  json::append_uint(o, static_cast<std::uint64_t>(m.created));
  o += ",\"model\":";
  json::append_string(o, m.model);
  o += m.kind == api_kind::chat ? ",\"system_fingerprint\":null,\"choices\":[" : ",\"choices\":[";
}

void open_chunk(std::string& o, const response_meta& m) {
  if (m.opening.empty()) render_opening(o, m);
  else o += m.opening;
}

void close_chunk(std::string& o, const response_meta& m) {
  o += ']';
  if (m.include_usage) o += ",\"usage\":null";
  o += '}';
}

void append_usage(std::string& o, usage_counts u) {
  o += "\"usage\":{\"prompt_tokens\":";
  json::append_uint(o, u.prompt);
  o += ",\"completion_tokens\":";
  json::append_uint(o, u.completion);
  o += ",\"total_tokens\":";
  json::append_uint(o, std::uint64_t{u.prompt} + u.completion);
  o += '}';
}

// What a streamed chat choice's delta holds.
enum class delta_part { role, content, none };

// One streamed choice, written into `o`: for chat the delta (`part`, with `text` as its
// content), for legacy completions `text`.
void append_choice(std::string& o, const response_meta& m, delta_part part, std::string_view text, const char* finish) {
  o.reserve(o.size() + 224 + m.id.size() + m.model.size() + text.size() + text.size() / 8);
  open_chunk(o, m);
  if (m.kind == api_kind::chat) {
    o += "{\"index\":0,\"delta\":";
    switch (part) {
      case delta_part::role: o += "{\"role\":\"assistant\",\"content\":\"\"}"; break;
      case delta_part::content:
        o += "{\"content\":";
        json::append_string(o, text);
        o += '}';
        break;
      case delta_part::none: o += "{}"; break;
    }
    o += ",\"logprobs\":null,\"finish_reason\":";
  } else {
    o += "{\"index\":0,\"text\":";
    json::append_string(o, text);
    o += ",\"logprobs\":null,\"finish_reason\":";
  }
  if (finish) {
    o += '"';
    o += finish;
    o += '"';
  } else {
    o += "null";
  }
  o += '}';
  close_chunk(o, m);
}

void append_usage_only(std::string& o, const response_meta& m, usage_counts u) {
  open_chunk(o, m);
  o += "],";
  append_usage(o, u);
  o += '}';
}

constexpr std::string_view event_start = "data: ";
constexpr std::string_view event_end = "\n\n";

}  // namespace

std::string chunk_opening(const response_meta& m) {
  std::string o;
  render_opening(o, m);
  return o;
}

void append_sse_event(std::string& out, std::string_view json) {
  out += event_start;
  out += json;
  out += event_end;
}

void append_role_event(std::string& out, const response_meta& m) {
  out += event_start;
  append_choice(out, m, delta_part::role, "", nullptr);
  out += event_end;
}

void append_content_event(std::string& out, const response_meta& m, std::string_view text) {
  out += event_start;
  append_choice(out, m, delta_part::content, text, nullptr);
  out += event_end;
}

void append_finish_event(std::string& out, const response_meta& m, finish_reason r) {
  out += event_start;
  append_choice(out, m, delta_part::none, "", to_string(r));
  out += event_end;
}

void append_usage_event(std::string& out, const response_meta& m, usage_counts u) {
  out += event_start;
  append_usage_only(out, m, u);
  out += event_end;
}

std::string completion_body(const response_meta& m, std::string_view text, finish_reason r, usage_counts u) {
  std::string o;
  // The fixed text and the usage object take about 380 bytes; escapes may lengthen the text.
  o.reserve(448 + text.size() + text.size() / 8 + m.id.size() + m.model.size());
  o += "{\"id\":";
  json::append_string(o, m.id);
  if (m.kind == api_kind::chat) {
    o += ",\"object\":\"chat.completion\",\"created\":";
  } else {
    o += ",\"object\":\"text_completion\",\"created\":";
  }
  json::append_uint(o, static_cast<std::uint64_t>(m.created));
  o += ",\"model\":";
  json::append_string(o, m.model);
  if (m.kind == api_kind::chat) {
    o += ",\"system_fingerprint\":null,\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":";
    json::append_string(o, text);
    o += ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"";
  } else {
    o += ",\"choices\":[{\"index\":0,\"text\":";
    json::append_string(o, text);
    o += ",\"logprobs\":null,\"finish_reason\":\"";
  }
  o += to_string(r);
  o += "\"}],";
  append_usage(o, u);
  o += '}';
  return o;
}

namespace {

void append_base64(std::string& o, const unsigned char* p, std::size_t n) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 2 < n; i += 3) {
    const unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    o += alphabet[v >> 18];
    o += alphabet[(v >> 12) & 63];
    o += alphabet[(v >> 6) & 63];
    o += alphabet[v & 63];
  }
  if (i < n) {
    const unsigned v = (p[i] << 16) | (i + 1 < n ? p[i + 1] << 8 : 0);
    o += alphabet[v >> 18];
    o += alphabet[(v >> 12) & 63];
    o += i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
    o += '=';
  }
}

}  // namespace

std::string embeddings_body(std::string_view model, const std::vector<std::vector<float>>& vectors,
                            std::uint32_t prompt_tokens, bool base64) {
  static_assert(sizeof(float) == 4, "float32 wire format");
  std::string o = "{\"object\":\"list\",\"data\":[";
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    if (i) o += ',';
    o += "{\"object\":\"embedding\",\"index\":";
    json::append_uint(o, i);
    o += ",\"embedding\":";
    const auto& v = vectors[i];
    if (base64) {
      o += '"';
      // x86-64 and aarch64 are little-endian, which is the wire order.
      append_base64(o, reinterpret_cast<const unsigned char*>(v.data()), v.size() * sizeof(float));
      o += '"';
    } else {
      o += '[';
      for (std::size_t j = 0; j < v.size(); ++j) {
        if (j) o += ',';
        json::append_float(o, v[j]);
      }
      o += ']';
    }
    o += '}';
  }
  o += "],\"model\":";
  json::append_string(o, model);
  o += ",\"usage\":{\"prompt_tokens\":";
  json::append_uint(o, prompt_tokens);
  o += ",\"total_tokens\":";
  json::append_uint(o, prompt_tokens);
  o += "}}";
  return o;
}

namespace {
void append_model(std::string& o, const model_entry& m) {
  o += "{\"id\":";
  json::append_string(o, m.id);
  o += ",\"object\":\"model\",\"created\":";
  json::append_uint(o, static_cast<std::uint64_t>(m.created));
  o += ",\"owned_by\":\"inference-gateway\"}";
}
}  // namespace

std::string models_body(const std::vector<model_entry>& models) {
  std::string o = "{\"object\":\"list\",\"data\":[";
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (i > 0) o += ',';
    append_model(o, models[i]);
  }
  o += "]}";
  return o;
}

std::string model_body(const model_entry& model) {
  std::string o;
  append_model(o, model);
  return o;
}

}  // namespace gw
