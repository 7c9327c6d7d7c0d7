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

// One token-id array ([1, 2, 3]) as the text the sim engine embeds in its place: the ids,
// space-separated. Upstreams receive the client's array itself (forward_body).
field_error read_token_ids(element e, const std::string& param, std::string& out, std::uint32_t& tokens) {
  array ids;
  if (e.get(ids) != SUCCESS || ids.size() == 0) return invalid(param, "must be a non-empty array of token ids");
  std::size_t i = 0;
  for (element id : ids) {
    std::int64_t v = 0;
    if (!is_integer(id) || id.get(v) != SUCCESS || v < 0) return invalid(indexed(param, i), "must be a token id (an integer >= 0)");
    if (i++) out += ' ';
    out += std::to_string(v);
  }
  tokens += static_cast<std::uint32_t>(i);
  return {};
}

// `input`: a non-empty string, an array of 1..max_inputs non-empty strings, one array of token
// ids, or an array of such arrays (OpenAI's four forms). The first item decides what an array
// is: ["a", 1] is a bad string array, not a token array.
field_error read_input(object obj, std::size_t max_inputs, embedding_request& req) {
  auto& out = req.inputs;
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
  if (items.at(0).get(first) == SUCCESS && is_integer(first)) {
    req.token_input = true;
    out.emplace_back();
    return read_token_ids(*e, "input", out.back(), req.input_tokens);
  }
  if (count > max_inputs) {
    return invalid("input", "must hold at most " + std::to_string(max_inputs) + " strings");
  }
  out.reserve(count);
  if (first.type() == element_type::ARRAY) {
    req.token_input = true;
    std::size_t i = 0;
    for (element item : items) {
      out.emplace_back();
      if (auto err = read_token_ids(item, indexed("input", i++), out.back(), req.input_tokens)) return err;
    }
    return {};
  }
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
  static constexpr std::string_view reads[] = {"model", "input", "dimensions", "encoding_format"};
  field_error err = impl_->parse(body, reads, req.fields, root);
  if (!err) err = read_model(root, req.model);
  if (!err) err = read_input(root, impl_->limits.max_embedding_inputs, req);
  if (!err) {
    err = as_positive_integer(field(root, "dimensions"), "dimensions", max_dimensions,
                              req.dimensions);
  }
  if (!err) err = read_encoding_format(root, req.base64);
  if (err) return std::move(*err);
  return req;
}

}  // namespace gw
