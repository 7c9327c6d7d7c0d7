// parse_upstream_chunk reads an upstream's chunk with simdjson On-Demand, one pass over the
// fields. The reference below is how it read them before, with simdjson's DOM (a tape of the whole
// document, then lookups by name): on every document the DOM accepts, both must give the same
// text, finish reason, usage and error. On-Demand may accept JSON the DOM refuses (it does not
// validate values it skips); it must never crash on it. Each line of the input is also read as a
// stream by an upstream_chunk_reader, whose answers must be parse_upstream_chunk's.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "backends/openai_chunk.hpp"

namespace {

std::optional<gw::upstream_chunk> reference(std::string_view json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size(), true).get(doc) || doc.get(obj)) return std::nullopt;
  gw::upstream_chunk out;
  simdjson::dom::object err;
  if (obj["error"].get(err) == simdjson::SUCCESS) {
    std::string_view msg = "upstream error";
    if (err["message"].get(msg)) msg = "upstream error";
    out.error = std::string(msg);
    return out;
  }
  simdjson::dom::array choices;
  if (obj["choices"].get(choices) == simdjson::SUCCESS && choices.size() > 0) {
    simdjson::dom::object c, delta, message;
    if (choices.at(0).get(c)) return std::nullopt;
    std::string_view text;
    if (c["delta"].get(delta) == simdjson::SUCCESS) {
      if (delta["content"].get(text) == simdjson::SUCCESS) out.text = std::string(text);
    } else if (c["message"].get(message) == simdjson::SUCCESS) {
      if (message["content"].get(text) == simdjson::SUCCESS) out.text = std::string(text);
    } else if (c["text"].get(text) == simdjson::SUCCESS) {
      out.text = std::string(text);
    }
    std::string_view fr;
    if (c["finish_reason"].get(fr) == simdjson::SUCCESS)
      out.finish = fr == "length" ? gw::finish_reason::length : gw::finish_reason::stop;
  }
  simdjson::dom::object usage;
  if (obj["usage"].get(usage) == simdjson::SUCCESS) {
    std::uint64_t p = 0, q = 0;
    if (usage["prompt_tokens"].get(p)) p = 0;
    if (usage["completion_tokens"].get(q)) q = 0;
    out.usage = gw::upstream_usage{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(q)};
  }
  return out;
}

[[noreturn]] void differ(std::string_view json, const char* what) {
  std::fprintf(stderr, "openai_chunk_fuzz: %s differs from the DOM reference on: %.*s\n", what,
               static_cast<int>(json.size()), json.data());
  std::abort();
}

bool same(const std::optional<gw::upstream_chunk>& a, const std::optional<gw::upstream_chunk>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->text == b->text && a->finish == b->finish && a->error == b->error &&
         a->usage.has_value() == b->usage.has_value() &&
         (!a->usage || (a->usage->prompt == b->usage->prompt && a->usage->completion == b->usage->completion));
}

// Each line of the input is one chunk of a stream, read by one upstream_chunk_reader: whether it
// reads a chunk from the shape it kept or parses it, its answer must be parse_upstream_chunk's.
void check_reader(std::string_view input) {
  gw::upstream_chunk_reader reader;
  while (!input.empty()) {
    const std::size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    if (!same(reader.read(line), gw::parse_upstream_chunk(line))) differ(line, "upstream_chunk_reader");
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  check_reader(json);
  const auto got = gw::parse_upstream_chunk(json);
  const auto want = reference(json);
  if (!want) return 0;  // invalid for the DOM: On-Demand may read it or not, without crashing
  if (!got) differ(json, "acceptance");
  if (got->error != want->error) differ(json, "error");
  if (got->error) return 0;
  if (got->text != want->text) differ(json, "text");
  if (got->finish != want->finish) differ(json, "finish_reason");
  if (got->usage.has_value() != want->usage.has_value() ||
      (got->usage && (got->usage->prompt != want->usage->prompt || got->usage->completion != want->usage->completion)))
    differ(json, "usage");
  return 0;
}
