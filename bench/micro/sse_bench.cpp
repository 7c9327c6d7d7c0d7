// Upstream stream reading: gw::sse_parser fed an OpenAI-style event stream as vLLM sends it
// (whole, and in the small pieces a slow network or TLS records deliver), and
// gw::chunk_relay on each event's JSON (the client's copy of the chunk, with the model spliced,
// and what the gateway accounts), as remote_call.cpp relays a streamed answer.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/chunk_relay.hpp"
#include "backends/sse_parser.hpp"

namespace {

constexpr std::size_t stream_events = 256;  // including the final "data: [DONE]"

const char* const pieces[] = {" The", " answer", " is", " that", " the", " cache", " holds", " the",
                              " prefix", ",", " so", " the", " first", " token", " arrives", " sooner",
                              ".", "\\n", " caf\xc3\xa9", " \\\"ok\\\""};

std::string chunk_json(std::string_view delta, std::string_view finish) {
  std::string s =
      R"({"id":"chatcmpl-8c3e1f0a2b9d4e6f8a7b5c3d1e0f9a8b","object":"chat.completion.chunk",)"
      R"("created":1718000000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":)";
  s += delta;
  s += R"(,"logprobs":null,"finish_reason":)";
  s += finish;
  s += "}]}";
  return s;
}

// The event data strings of one vLLM chat stream: a role chunk, content chunks, a finish chunk,
// a usage chunk with empty choices, and [DONE].
std::vector<std::string> stream_event_data() {
  std::vector<std::string> events;
  events.push_back(chunk_json(R"({"role":"assistant","content":""})", "null"));
  for (std::size_t i = 0; events.size() < stream_events - 3; ++i) {
    std::string delta = R"({"content":")";
    delta += pieces[i % std::size(pieces)];
    delta += "\"}";
    events.push_back(chunk_json(delta, "null"));
  }
  events.push_back(chunk_json("{}", R"("length")"));
  events.push_back(
      R"({"id":"chatcmpl-8c3e1f0a2b9d4e6f8a7b5c3d1e0f9a8b","object":"chat.completion.chunk",)"
      R"("created":1718000000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[],)"
      R"("usage":{"prompt_tokens":1234,"total_tokens":1486,"completion_tokens":252}})");
  events.push_back("[DONE]");
  return events;
}

// The bytes on the wire: "data: <json>\n\n" per event.
std::string stream_bytes() {
  std::string s;
  for (const auto& e : stream_event_data()) {
    s += "data: ";
    s += e;
    s += "\n\n";
  }
  return s;
}

// One parser per transfer, fed `wire` in pieces of `piece` bytes (0: all at once).
void run_sse_parse(benchmark::State& state, std::size_t piece) {
  const std::string wire = stream_bytes();
  std::size_t events = 0, data_bytes = 0;
  const std::function<void(gw::sse_event&&)> on_event = [&](gw::sse_event&& ev) {
    ++events;
    data_bytes += ev.data.size();
    benchmark::DoNotOptimize(ev.data.data());
  };
  const std::string_view all = wire;
  const std::size_t step = piece == 0 ? wire.size() : piece;
  for (auto _ : state) {
    gw::sse_parser parser;
    for (std::size_t off = 0; off < all.size(); off += step)
      benchmark::DoNotOptimize(parser.feed(all.substr(off, step), on_event));
  }
  if (events != state.iterations() * stream_events) state.SkipWithError("wrong event count");
  benchmark::DoNotOptimize(data_bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
  state.counters["stream_bytes"] = static_cast<double>(wire.size());
}

void BM_sse_parse_whole(benchmark::State& state) { run_sse_parse(state, 0); }
void BM_sse_parse_pieces(benchmark::State& state) {
  run_sse_parse(state, static_cast<std::size_t>(state.range(0)));
}

// chunk_relay on every event's JSON ([DONE] is handled before relaying, so skipped): the chunk
// rewritten for the client into one buffer, as remote_call.cpp does.
void BM_relay_chunks(benchmark::State& state) {
  auto events = stream_event_data();
  events.pop_back();  // [DONE]
  std::size_t bytes = 0;
  for (const auto& e : events) bytes += e.size();
  std::string out;
  for (auto _ : state) {
    gw::chunk_relay relay("llama-3.1-8b", false);
    gw::chunk_facts facts;
    for (const auto& e : events) {
      out.clear();
      if (!relay.relay(out, e, facts)) {
        state.SkipWithError("an event does not relay");
        return;
      }
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

// Both together, as the remote path runs them: bytes arriving in 64-byte reads (a trickling
// stream) or 16 KB reads (libcurl's CURL_MAX_WRITE_SIZE), each event relayed as it is
// dispatched.
void BM_sse_parse_and_chunk(benchmark::State& state) {
  const std::string wire = stream_bytes();
  const std::size_t step = static_cast<std::size_t>(state.range(0));
  std::size_t events = 0, text_bytes = 0;
  gw::chunk_relay relay("llama-3.1-8b", false);
  gw::chunk_facts facts;
  std::string out;
  const std::function<void(gw::sse_event&&)> on_event = [&](gw::sse_event&& ev) {
    ++events;
    if (ev.done) return;
    out.clear();
    if (relay.relay(out, ev.data, facts)) text_bytes += out.size();
  };
  const std::string_view all = wire;
  for (auto _ : state) {
    gw::sse_parser parser;
    for (std::size_t off = 0; off < all.size(); off += step)
      benchmark::DoNotOptimize(parser.feed(all.substr(off, step), on_event));
  }
  benchmark::DoNotOptimize(text_bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

}  // namespace

BENCHMARK(BM_sse_parse_whole);
BENCHMARK(BM_sse_parse_pieces)->ArgName("read_bytes")->Arg(7)->Arg(64);
BENCHMARK(BM_relay_chunks);
BENCHMARK(BM_sse_parse_and_chunk)->ArgName("read_bytes")->Arg(64)->Arg(16384);
