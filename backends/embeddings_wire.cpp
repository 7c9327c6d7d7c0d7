#include "backends/embeddings_wire.hpp"

#include <simdjson.h>

#include "backends/json_writer.hpp"

namespace gw {

std::string embeddings_request_body(const std::vector<std::string>& inputs, std::string_view model,
                                    std::uint32_t dimensions, bool base64) {
  std::string o = "{\"model\":";
  json::append_string(o, model);
  o += ",\"input\":[";
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (i) o += ',';
    json::append_string(o, inputs[i]);
  }
  o += ']';
  if (dimensions) {
    o += ",\"dimensions\":";
    json::append_uint(o, dimensions);
  }
  o += base64 ? ",\"encoding_format\":\"base64\"}" : ",\"encoding_format\":\"float\"}";
  return o;
}

std::optional<embeddings_reply> parse_embeddings_reply(std::string_view body, std::size_t expected) {
  thread_local simdjson::dom::parser parser;  // the reactor's; keeps its buffers
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::array data;
  if (doc["data"].get(data) != simdjson::SUCCESS || data.size() != expected) return std::nullopt;
  embeddings_reply out;
  out.vectors.resize(expected);
  std::vector<bool> seen(expected, false);
  for (auto item : data) {
    std::uint64_t index = 0;
    simdjson::dom::array values;
    if (item["index"].get(index) != simdjson::SUCCESS || index >= expected || seen[index]) return std::nullopt;
    if (item["embedding"].get(values) != simdjson::SUCCESS) return std::nullopt;
    seen[index] = true;
    auto& v = out.vectors[index];
    v.reserve(values.size());
    for (auto x : values) {
      double d = 0;
      if (x.get(d) != simdjson::SUCCESS) return std::nullopt;
      v.push_back(static_cast<float>(d));
    }
  }
  std::uint64_t tokens = 0;
  if (doc["usage"]["prompt_tokens"].get(tokens) == simdjson::SUCCESS) out.prompt_tokens = static_cast<std::uint32_t>(tokens);
  return out;
}

}  // namespace gw
