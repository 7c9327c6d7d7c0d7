// Request validation: raw OpenAI bodies through gw::request_validator into validated types, the
// first thing every request pays for on the reactor thread. Bodies are built once, outside the
// timed loops, and checked to validate before any timing starts.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <variant>

#include "gateway/request_validator.hpp"

namespace {

// Deterministic English-like prose of about `bytes` bytes, with the occasional quote, newline and
// non-ASCII word real chat text carries, written as the JSON string body (already escaped).
std::string prose_json(std::size_t bytes, std::size_t seed) {
  static constexpr const char* words[] = {
      "the",      "model",   "request",  "latency", "token",    "stream",  "server",
      "answer",   "context", "prompt",   "cache",   "batch",    "please",  "explain",
      "why",      "how",     "\\\"quoted\\\"", "caf\xc3\xa9", "na\xc3\xafve", "\\n",
      "database", "index",   "query",    "result",  "function", "return",  "value"};
  constexpr std::size_t n_words = sizeof words / sizeof *words;
  std::string s;
  s.reserve(bytes + 16);
  std::size_t x = seed * 2654435761u + 1;
  while (s.size() < bytes) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    s += words[(x >> 33) % n_words];
    s += ((x >> 20) % 11 == 0) ? ". " : " ";
  }
  return s;
}

std::string message_json(const char* role, const std::string& content) {
  return std::string("{\"role\":\"") + role + "\",\"content\":\"" + content + "\"}";
}

// One user message, about 100 bytes: the smallest realistic chat call.
std::string small_chat_body() {
  return R"({"model":"llama-3.1-8b","messages":[{"role":"user","content":"What is the capital of France?"}]})";
}

// A system prompt and six turns, about 2 KB, with the sampling options SDKs usually send.
std::string typical_chat_body() {
  std::string b = R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[)";
  b += message_json("system", prose_json(400, 1));
  for (int turn = 0; turn < 6; ++turn) {
    b += ',';
    b += message_json(turn % 2 == 0 ? "user" : "assistant", prose_json(220, 10 + turn));
  }
  b += R"(],"temperature":0.7,"top_p":0.95,"max_tokens":512,"stream":true,)"
       R"("stream_options":{"include_usage":true},"stop":["</s>","\n\nUser:"],"user":"user-1234"})";
  return b;
}

// About 32 KB of conversation: a long chat history or a pasted document.
std::string large_chat_body() {
  std::string b = R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[)";
  b += message_json("system", prose_json(1500, 2));
  for (int turn = 0; b.size() < 32 * 1024 - 200; ++turn) {
    b += ',';
    b += message_json(turn % 2 == 0 ? "user" : "assistant", prose_json(1000, 100 + turn));
  }
  b += R"(],"temperature":0.2,"max_completion_tokens":1024,"stream":true})";
  return b;
}

// A legacy /v1/completions body with a ~600-byte prompt.
std::string completion_body() {
  return R"({"model":"llama-3.1-8b","prompt":")" + prose_json(600, 3) +
         R"(","max_tokens":128,"temperature":0,"stream":true,"stop":["\n\n"],"echo":false})";
}

// /v1/embeddings with 16 inputs of about 120 bytes each (a retrieval batch).
std::string embedding_body() {
  std::string b = R"({"model":"bge-small-en","input":[)";
  for (int i = 0; i < 16; ++i) {
    if (i) b += ',';
    b += '"' + prose_json(120, 200 + i) + '"';
  }
  b += R"(],"encoding_format":"base64"})";
  return b;
}

// Validates `body` with `(validator.*route)` in the timed loop; stops with an error if the body
// does not validate, so a broken input can never be timed as the fast failure path.
template <class Request>
void run_validation(benchmark::State& state, const std::string& body,
                    gw::validated<Request> (gw::request_validator::*route)(std::string_view)) {
  gw::request_validator validator;
  if (!std::holds_alternative<Request>((validator.*route)(body))) {
    state.SkipWithError("benchmark body does not validate");
    return;
  }
  for (auto _ : state) {
    auto result = (validator.*route)(body);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations());
  state.counters["body_bytes"] = static_cast<double>(body.size());
}

void BM_validate_chat_small(benchmark::State& state) {
  run_validation(state, small_chat_body(), &gw::request_validator::chat);
}
void BM_validate_chat_typical(benchmark::State& state) {
  run_validation(state, typical_chat_body(), &gw::request_validator::chat);
}
void BM_validate_chat_large(benchmark::State& state) {
  run_validation(state, large_chat_body(), &gw::request_validator::chat);
}
void BM_validate_completion(benchmark::State& state) {
  run_validation(state, completion_body(), &gw::request_validator::completion);
}
void BM_validate_embedding(benchmark::State& state) {
  run_validation(state, embedding_body(), &gw::request_validator::embedding);
}

// The error path: a bad field deep in the body, reported with its path.
void BM_validate_chat_invalid(benchmark::State& state) {
  std::string body = typical_chat_body();
  body.replace(body.find("\"temperature\":0.7"), 17, "\"temperature\":9.0");
  gw::request_validator validator;
  if (!std::holds_alternative<gw::api_error>(validator.chat(body))) {
    state.SkipWithError("benchmark body unexpectedly validates");
    return;
  }
  for (auto _ : state) {
    auto result = validator.chat(body);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_validate_chat_small);
BENCHMARK(BM_validate_chat_typical);
BENCHMARK(BM_validate_chat_large);
BENCHMARK(BM_validate_completion);
BENCHMARK(BM_validate_embedding);
BENCHMARK(BM_validate_chat_invalid);
