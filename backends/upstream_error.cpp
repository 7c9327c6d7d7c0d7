#include "backends/upstream_error.hpp"

#include <simdjson.h>

namespace gw {

std::optional<std::string> upstream_error_message(std::string_view body) {
  thread_local simdjson::dom::parser parser;  // one per thread (the reactor): it keeps its buffers
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) return std::nullopt;
  std::string_view msg;
  if (doc["error"]["message"].get(msg) == simdjson::SUCCESS) return std::string(msg);
  if (doc["message"].get(msg) == simdjson::SUCCESS) return std::string(msg);
  return std::nullopt;
}

}  // namespace gw
