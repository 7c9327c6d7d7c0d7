// Response writing: the chat.completion.chunk / text_completion SSE frames written once per
// streamed token (gateway/openai_json.hpp), the whole-body responses, and JSON string escaping
// (backends/json_writer.hpp) that every one of them goes through.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "backends/json_writer.hpp"
#include "gateway/openai_json.hpp"

namespace {

gw::response_meta chat_meta(bool include_usage) {
  gw::response_meta m;
  m.kind = gw::api_kind::chat;
  m.id = "chatcmpl-6f1c2a9e4b7d4c0e9a3f5b8d2e1c7a40";
  m.created = 1718000000;
  m.model = "meta-llama/Llama-3.1-8B-Instruct";
  m.include_usage = include_usage;
  return m;
}

gw::response_meta completion_meta() {
  gw::response_meta m = chat_meta(false);
  m.kind = gw::api_kind::completion;
  m.id = "cmpl-6f1c2a9e4b7d4c0e9a3f5b8d2e1c7a40";
  return m;
}

// What an engine emits per step: mostly short word pieces, sometimes punctuation, a newline, a
// quote or a non-ASCII piece that needs (or must survive) escaping.
const std::vector<std::string>& token_texts() {
  static const std::vector<std::string> tokens = {
      " The", " model", " returns", " a", " list", ",", " and", " the", " server", " caches",
      " it", ".", "\n", " For", " example", ":", " \"", "cache", "\"", " is", " caf\xc3\xa9",
      " \xe6\x97\xa5\xe6\x9c\xac", " 42", "%", "\n\n", "-", " step", " by", " step", "\t", "}", " ok"};
  return tokens;
}

// The per-token work of a local stream (gateway/local_framer.cpp): the chunk written as an SSE
// event into the reused write buffer, which keeps its capacity between writes.
void content_frames(benchmark::State& state, const gw::response_meta& meta) {
  const auto& tokens = token_texts();
  std::string frames;
  frames.reserve(4096);
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    gw::append_content_event(frames, meta, tokens[i]);
    bytes += frames.size();
    benchmark::DoNotOptimize(frames.data());
    benchmark::ClobberMemory();
    frames.clear();
    if (++i == tokens.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_sse_content_frame_chat(benchmark::State& state) { content_frames(state, chat_meta(state.range(0) != 0)); }
void BM_sse_content_frame_legacy(benchmark::State& state) { content_frames(state, completion_meta()); }
// As a stream writes them: the chunks' opening (id, created, model) written once per stream.
void BM_sse_content_frame_chat_opening(benchmark::State& state) {
  auto meta = chat_meta(false);
  meta.opening = gw::chunk_opening(meta);
  content_frames(state, meta);
}

// A whole 256-token streamed response: role, content, finish, usage and [DONE] frames.
void BM_sse_stream_256_tokens(benchmark::State& state) {
  const auto meta = chat_meta(true);
  const auto& tokens = token_texts();
  constexpr std::size_t n_tokens = 256;
  std::string frames;
  std::size_t bytes = 0;
  for (auto _ : state) {
    frames.clear();
    gw::append_role_event(frames, meta);
    for (std::size_t t = 0; t < n_tokens; ++t) gw::append_content_event(frames, meta, tokens[t % tokens.size()]);
    gw::append_finish_event(frames, meta, gw::finish_reason::length);
    gw::append_usage_event(frames, meta, {1234, n_tokens});
    frames += gw::sse_done;
    bytes += frames.size();
    benchmark::DoNotOptimize(frames.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n_tokens));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// The non-streamed chat.completion body for a ~2 KB answer.
void BM_completion_body_2k(benchmark::State& state) {
  const auto meta = chat_meta(false);
  std::string text;
  for (std::size_t t = 0; text.size() < 2048; ++t) text += token_texts()[t % token_texts().size()];
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto body = gw::completion_body(meta, text, gw::finish_reason::stop, {1234, 512});
    bytes += body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// json::append_string on 4 KB of text of three kinds. Bytes are input bytes.
std::string ascii_text(std::size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += "The gateway streams tokens to the client as soon as they arrive. ";
  s.resize(bytes);
  return s;
}

std::string escaped_text(std::size_t bytes) {
  // Code output: quotes, backslashes, newlines and tabs every few characters.
  std::string s;
  while (s.size() < bytes) s += "if (x) {\n\tprintf(\"%s\\n\", name);\n}\r\n";
  s.resize(bytes);
  return s;
}

std::string utf8_text(std::size_t bytes) {
  // Mixed CJK, accented Latin and emoji: nothing to escape, every byte >= 0x80 passes through.
  const std::string piece = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e caf\xc3\xa9 \xf0\x9f\x98\x80 na\xc3\xafve ";
  std::string s;
  while (s.size() + piece.size() <= bytes) s += piece;
  return s;
}

void run_append_string(benchmark::State& state, const std::string& text) {
  std::string out;
  out.reserve(text.size() * 6 + 2);  // worst case: every byte becomes \u00XX
  for (auto _ : state) {
    out.clear();
    gw::json::append_string(out, text);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(state.iterations());
}

void BM_append_string_ascii_4k(benchmark::State& state) { run_append_string(state, ascii_text(4096)); }
void BM_append_string_escapes_4k(benchmark::State& state) { run_append_string(state, escaped_text(4096)); }
void BM_append_string_utf8_4k(benchmark::State& state) { run_append_string(state, utf8_text(4096)); }
void BM_append_string_token(benchmark::State& state) { run_append_string(state, " model"); }

}  // namespace

BENCHMARK(BM_sse_content_frame_chat)->ArgName("include_usage")->Arg(0)->Arg(1);
BENCHMARK(BM_sse_content_frame_legacy);
BENCHMARK(BM_sse_content_frame_chat_opening);
BENCHMARK(BM_sse_stream_256_tokens);
BENCHMARK(BM_completion_body_2k);
BENCHMARK(BM_append_string_token);
BENCHMARK(BM_append_string_ascii_4k);
BENCHMARK(BM_append_string_escapes_4k);
BENCHMARK(BM_append_string_utf8_4k);
