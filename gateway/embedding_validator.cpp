// request_validator::embedding: POST /v1/embeddings bodies. Declared with the other routes in
// request_validator.hpp; the field readers it shares with them live in json_fields.hpp.

#include "gateway/request_validator.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/json_fields.hpp"

namespace gw {

namespace {

// The shared field readers (json_fields.hpp) are this file's vocabulary.
using namespace json_fields;

// OpenAI documents no upper bound; this one keeps the value in range of every engine's
// uint32 and far above any real model's width.
constexpr std::uint32_t max_dimensions = 65536;

bool is_integer(element e) {
  return e.type() == element_type::INT64 || e.type() == element_type::UINT64;
}

api_error token_input() {
  return field_failure(api_errc::unsupported_field, "input",
                       "is a token array: token arrays are not supported; send text");
}

// `input`: a non-empty string, or an array of 1..max_inputs non-empty strings. OpenAI also
// takes token ids (an array of integers, or an array of such arrays); they are refused as
// unsupported rather than invalid, since the client did nothing wrong by OpenAI's rules. The
// first item decides what the array is: ["a", 1] is a bad string array, not a token array.
field_error read_input(object obj, std::size_t max_inputs, std::vector<std::string>& out) {
  auto e = field(obj, "input");
  if (!e) return invalid("input", "is required");
  std::string_view s;
  if (e->get(s) == SUCCESS) {
    if (s.empty()) return invalid("input", "must be a non-empty string");
    out.emplace_back(s);
    return {};
  }
  array items;
  if (e->get(items) != SUCCESS) {
    return invalid("input", "must be a non-empty string or an array of non-empty strings");
  }
  // size() saturates at 2^24 - 1, which is still above any sane max_inputs.
  const std::size_t count = items.size();
  if (count == 0) return invalid("input", "must hold at least one string");
  element first;
  if (items.at(0).get(first) == SUCCESS &&
      (is_integer(first) || first.type() == element_type::ARRAY)) {
    return token_input();
  }
  if (count > max_inputs) {
    return invalid("input", "must hold at most " + std::to_string(max_inputs) + " strings");
  }
  out.reserve(count);
  std::size_t i = 0;
  for (element item : items) {
    if (item.get(s) != SUCCESS || s.empty()) {
      return invalid(indexed("input", i), "must be a non-empty string");
    }
    out.emplace_back(s);
    ++i;
  }
  return {};
}

field_error read_encoding_format(object obj, bool& base64) {
  auto e = field(obj, "encoding_format");
  if (!e) return {};
  std::string_view s;
  if (e->get(s) == SUCCESS && (s == "float" || s == "base64")) {
    base64 = s == "base64";
    return {};
  }
  return invalid("encoding_format", "must be 'float' or 'base64'");
}

}  // namespace

// Fields are checked in one fixed order, so a body with several faults always reports the same
// one. Unknown fields are ignored, as OpenAI adds options faster than gateways learn them.
validated<embedding_request> request_validator::embedding(std::string_view body) {
  object root;
  embedding_request req;
  field_error err = impl_->parse(body, root);
  if (!err) err = read_model(root, req.model);
  if (!err) err = read_input(root, impl_->limits.max_embedding_inputs, req.inputs);
  if (!err) {
    err = as_positive_integer(field(root, "dimensions"), "dimensions", max_dimensions,
                              req.dimensions);
  }
  if (!err) err = read_encoding_format(root, req.base64);
  if (!err) err = as_string(field(root, "user"), "user", req.user);
  if (err) return std::move(*err);
  return req;
}

}  // namespace gw
