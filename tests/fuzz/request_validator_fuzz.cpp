// Every body goes to the chat, completion and embeddings validators. None may crash, and what
// they accept must hold the invariants api_types.hpp promises to the code behind them; what
// they refuse must be a client error (4xx), never a 500.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "gateway/request_validator.hpp"

namespace {

[[noreturn]] void broken(const char* route, const char* what) {
  std::fprintf(stderr, "request_validator_fuzz: %s: accepted request breaks: %s\n", route, what);
  std::abort();
}

void check(bool ok, const char* route, const char* what) {
  if (!ok) broken(route, what);
}

bool utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

void check_sampling(const gw::sampling_params& s, const gw::validation_limits& limits, const char* route) {
  check(!s.max_tokens || (*s.max_tokens >= 1 && *s.max_tokens <= limits.max_tokens_limit), route, "max_tokens range");
  check(s.temperature >= 0 && s.temperature <= 2, route, "temperature range");
  check(s.top_p > 0 && s.top_p <= 1, route, "top_p range");
  check(s.stop.size() <= 4, route, "more than 4 stop strings");
  for (const auto& stop : s.stop) check(!stop.empty() && utf8(stop), route, "stop string empty or not UTF-8");
}

// A refusal must be the client's fault and say so in words.
void check_refusal(const gw::api_error& e, const char* route) {
  const unsigned status = gw::classify(e.code).status;
  check(status >= 400 && status < 500, route, "refusal is not a 4xx");
  check(!e.message.empty() && utf8(e.message) && utf8(e.param), route, "refusal message");
}

// One validator for the process, as the reactor keeps one: its parser's buffers carry over.
gw::validation_limits limits;
gw::request_validator validator(limits);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  auto chat = validator.chat(body);
  if (auto* r = std::get_if<gw::chat_request>(&chat)) {
    check(!r->model.empty() && utf8(r->model), "chat", "model");
    check(!r->messages.empty() && r->messages.size() <= limits.max_messages, "chat", "message count");
    for (const auto& m : r->messages) check(utf8(m.content) && utf8(m.name), "chat", "message text not UTF-8");
    check(!r->include_usage || r->stream, "chat", "include_usage without stream");
    check(r->n >= 1 && r->n <= 128, "chat", "n range");
    // The body it came from is forwarded: its members must lie inside it, in order.
    std::size_t at = 0;
    for (const auto& m : r->fields.members) {
      check(m.begin >= at && m.end <= body.size() && m.begin < m.end, "chat", "member spans");
      at = m.end;
    }
    check_sampling(r->sampling, limits, "chat");
  } else {
    check_refusal(std::get<gw::api_error>(chat), "chat");
  }

  auto completion = validator.completion(body);
  if (auto* r = std::get_if<gw::completion_request>(&completion)) {
    check(!r->model.empty() && utf8(r->model), "completion", "model");
    check(utf8(r->prompt), "completion", "prompt not UTF-8");
    check(!r->include_usage || r->stream, "completion", "include_usage without stream");
    check_sampling(r->sampling, limits, "completion");
  } else {
    check_refusal(std::get<gw::api_error>(completion), "completion");
  }

  auto embedding = validator.embedding(body);
  if (auto* r = std::get_if<gw::embedding_request>(&embedding)) {
    check(!r->model.empty() && utf8(r->model), "embedding", "model");
    check(!r->inputs.empty() && r->inputs.size() <= limits.max_embedding_inputs, "embedding", "input count");
    for (const auto& in : r->inputs) check(!in.empty() && utf8(in), "embedding", "input empty or not UTF-8");
    check(!r->dimensions || (*r->dimensions >= 1 && *r->dimensions <= 65536), "embedding", "dimensions range");
    check(!r->token_input || r->input_tokens >= r->inputs.size(), "embedding", "token ids counted");
  } else {
    check_refusal(std::get<gw::api_error>(embedding), "embedding");
  }
  return 0;
}
