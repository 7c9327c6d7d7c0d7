#pragma once
// Turns a raw request body into a validated request, or a precise 400 naming the field.
// Not thread-safe: one validator per thread (the reactor owns one). The simdjson parser inside
// keeps its buffers between calls, so steady-state validation does not allocate for parsing.

#include <memory>
#include <string_view>
#include <variant>

#include "gateway/api_error.hpp"
#include "gateway/api_types.hpp"

namespace gw {

struct validation_limits {
  std::size_t max_depth = 64;         // deeper JSON is refused (400), never recursed into
  std::size_t max_messages = 10000;   // messages per chat request
  std::uint32_t max_tokens_limit = 1u << 20;  // upper bound accepted for max_tokens
  std::size_t max_embedding_inputs = 2048;    // strings in one embeddings request (OpenAI's limit)
};

template <class T>
using validated = std::variant<T, api_error>;

class request_validator {
 public:
  explicit request_validator(validation_limits limits = {});
  ~request_validator();
  request_validator(const request_validator&) = delete;
  request_validator& operator=(const request_validator&) = delete;

  validated<chat_request> chat(std::string_view body);
  validated<completion_request> completion(std::string_view body);
  validated<embedding_request> embedding(std::string_view body);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace gw
