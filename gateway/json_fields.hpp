#pragma once
// Shared by the request validators (request_validator.cpp, embedding_validator.cpp): reading
// one field of a parsed JSON object into a typed value, or into an api_error that names the
// field. Also defines request_validator::impl, the parser state every route validates with.
// Internal to request validation: nothing outside those sources includes this header.

#include <simdjson.h>

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <span>
#include <optional>
#include <string>
#include <string_view>

#include "backends/json_scan.hpp"
#include "gateway/api_error.hpp"
#include "gateway/request_validator.hpp"

namespace gw::json_fields {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// A check's outcome: nullopt when the field is valid, or absent and optional.
using field_error = std::optional<api_error>;

// A field error names the field twice: in `param` for programs, and at the start of the
// message for people ("'temperature' must be ...").
api_error field_failure(api_errc code, std::string_view param, std::string_view rest);
api_error invalid(std::string_view param, std::string_view rest);

// "base[i]", for errors about one item of an array field.
std::string indexed(std::string_view base, std::size_t i);

// OpenAI clients send `null` for options they leave unset, so null reads as absent.
inline std::optional<element> field(object obj, std::string_view key) {
  element e;
  if (obj.at_key(key).get(e) != SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

// An object's fields, taken in one pass. The validators look up about fifteen names on a
// request's top-level object, most of them absent, and each at_key() walks the object's fields
// from the start.
class object_fields {
 public:
  explicit object_fields(object obj) {
    for (auto f : obj) fields_.emplace_back(f.key, f.value);
  }
  // The first field of that name, as at_key() finds it.
  std::optional<element> find(std::string_view key) const {
    for (const auto& [k, v] : fields_)
      if (k == key) return v;
    return std::nullopt;
  }

 private:
  boost::container::small_vector<std::pair<std::string_view, element>, 16> fields_;
};

inline std::optional<element> field(const object_fields& obj, std::string_view key) {
  auto e = obj.find(key);
  if (!e || e->is_null()) return std::nullopt;
  return e;
}

// The api_error for a body simdjson refused, in plain words (simdjson's own texts talk about
// tapes and atoms).
api_error parse_failure(simdjson::error_code err, std::size_t max_depth);

// Each reader leaves `out` untouched when the field is absent.
field_error as_bool(std::optional<element> e, std::string_view param, bool& out);

// An integer in [1, limit]. Only integer-typed JSON numbers count: 1.0 and 1e3 are refused like
// 1.5, so the accepted set depends on the type the client wrote, not on how a value rounds.
field_error as_positive_integer(std::optional<element> e, std::string_view param,
                                std::uint32_t limit, std::optional<std::uint32_t>& out);

// `model`: required, a non-empty string.
field_error read_model(const object_fields& obj, std::string& out);
field_error read_model(object obj, std::string& out);

}  // namespace gw::json_fields

namespace gw {

struct request_validator::impl {
  validation_limits limits;
  simdjson::dom::parser parser;

  explicit impl(validation_limits l);

  // On success `root` refers into the parser's document and is valid until the next parse.
  json_fields::field_error parse(std::string_view body, json_fields::object& root);
  // The same for a body whose members are forwarded: `scan` receives where they lie, and only
  // the members named in `reads` (those the gateway decides on) are parsed and so validated.
  json_fields::field_error parse(std::string_view body, std::span<const std::string_view> reads,
                                 json::object_scan& scan, json_fields::object& root);
  std::string reduced;  // the body without the members it does not read
};

}  // namespace gw
