#include "gateway/json_fields.hpp"

#include "backends/json_edit.hpp"

#include <new>

namespace gw::json_fields {

namespace {

const std::string parse_failure_prefix = "We could not parse the JSON body of your request: ";

std::string parse_failure_reason(simdjson::error_code err, std::size_t max_depth) {
  switch (err) {
    case simdjson::EMPTY: return "the body is empty";
    case simdjson::UTF8_ERROR: return "the body is not valid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "objects and arrays are nested more than " + std::to_string(max_depth) +
             " levels deep";
    case simdjson::STRING_ERROR: return "a string holds an invalid escape sequence";
    case simdjson::UNESCAPED_CHARS: return "a string holds an unescaped control character";
    case simdjson::UNCLOSED_STRING: return "a string is not closed";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE: return "a number is malformed or too large";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "a literal is not one of true, false or null";
    default: return "the body is not well-formed JSON";
  }
}

}  // namespace

api_error field_failure(api_errc code, std::string_view param, std::string_view rest) {
  return {code, "'" + std::string(param) + "' " + std::string(rest), std::string(param)};
}

api_error invalid(std::string_view param, std::string_view rest) {
  return field_failure(api_errc::invalid_field, param, rest);
}

std::string indexed(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

api_error parse_failure(simdjson::error_code err, std::size_t max_depth) {
  if (err == simdjson::MEMALLOC) return {api_errc::internal, "The server ran out of memory", {}};
  if (err == simdjson::CAPACITY) return {api_errc::body_too_large, "The body is too large", {}};
  return {api_errc::invalid_json, parse_failure_prefix + parse_failure_reason(err, max_depth), {}};
}

field_error as_bool(std::optional<element> e, std::string_view param, bool& out) {
  if (e && e->get(out) != SUCCESS) return invalid(param, "must be a boolean");
  return {};
}

field_error as_positive_integer(std::optional<element> e, std::string_view param,
                                std::uint32_t limit, std::optional<std::uint32_t>& out) {
  if (!e) return {};
  std::int64_t v = 0;
  if (e->get(v) != SUCCESS || v < 1 || static_cast<std::uint64_t>(v) > limit) {
    return invalid(param, "must be an integer between 1 and " + std::to_string(limit));
  }
  out = static_cast<std::uint32_t>(v);
  return {};
}

field_error read_model(object obj, std::string& out) { return read_model(object_fields(obj), out); }

field_error read_model(const object_fields& obj, std::string& out) {
  auto e = field(obj, "model");
  if (!e) return invalid("model", "is required");
  std::string_view s;
  if (e->get(s) != SUCCESS || s.empty()) return invalid("model", "must be a non-empty string");
  out.assign(s);
  return {};
}

}  // namespace gw::json_fields

namespace gw {

namespace {

// Small enough that an idle validator costs little; the parser grows to the largest body seen
// and keeps that size, so steady-state parsing does not allocate.
constexpr std::size_t initial_capacity = 16 * 1024;

// A member the gateway decides on must say one thing: the gateway would read the first copy and
// an upstream's parser the last (a context check passed on one max_tokens, an answer streamed on
// the other `stream`).
json_fields::field_error check_once(std::span<const std::string_view> reads, const json::object_scan& scan) {
  for (auto name : reads) {
    int seen = 0;
    for (const auto& m : scan.members) seen += json::key_is(m, name) ? 1 : 0;
    if (seen > 1) return json_fields::invalid(name, "must appear only once");
  }
  return {};
}

}  // namespace

request_validator::impl::impl(validation_limits l) : limits(l) {
  // simdjson refuses a document whose nesting reaches its max_depth, so one extra level lets
  // exactly `limits.max_depth` through. Depth is checked while parsing, without recursion, so
  // a 10,000-deep body costs no stack.
  if (limits.max_depth == 0) limits.max_depth = 1;
  if (parser.allocate(initial_capacity, limits.max_depth + 1) != json_fields::SUCCESS) {
    throw std::bad_alloc();
  }
}

json_fields::field_error request_validator::impl::parse(std::string_view body,
                                                        json_fields::object& root) {
  // Checked here because an empty string_view may carry a null data pointer.
  if (body.empty()) return json_fields::parse_failure(simdjson::EMPTY, limits.max_depth);
  json_fields::element doc;
  // `true`: copy into the parser's padded buffer, since `body` has no SIMDJSON_PADDING.
  if (auto err = parser.parse(body.data(), body.size(), true).get(doc);
      err != json_fields::SUCCESS) {
    return json_fields::parse_failure(err, limits.max_depth);
  }
  if (doc.get(root) == json_fields::SUCCESS) return {};
  return api_error{api_errc::invalid_json,
                   json_fields::parse_failure_prefix + "it must be an object", {}};
}

json_fields::field_error request_validator::impl::parse(std::string_view body,
                                                        std::span<const std::string_view> reads,
                                                        json::object_scan& scan, json_fields::object& root) {
  if (body.empty()) return json_fields::parse_failure(simdjson::EMPTY, limits.max_depth);
  json_fields::element doc;
  // `true`: copy into the parser's padded buffer, since `body` has no SIMDJSON_PADDING.
  const auto err = parser.parse(body.data(), body.size(), true).get(doc);
  if (err == json_fields::SUCCESS) {
    if (doc.get(root) != json_fields::SUCCESS)
      return api_error{api_errc::invalid_json, json_fields::parse_failure_prefix + "it must be an object", {}};
    scan = json::members_of(body);  // checked by the parse: the members are only located
    return check_once(reads, scan);
  }
  if (err != simdjson::NUMBER_ERROR && err != simdjson::NUMBER_OUT_OF_RANGE)
    return json_fields::parse_failure(err, limits.max_depth);
  // A number the DOM cannot hold (an integer past 64 bits, 1e400) is still JSON, and the
  // gateway forwards what it does not read. The scan checks the whole body; the DOM then parses
  // only the members the gateway reads.
  auto scanned = json::scan_object(body, std::min<std::size_t>(limits.max_depth, 1024));
  if (!scanned) return json_fields::parse_failure(err, limits.max_depth);
  scan = std::move(*scanned);
  if (auto e = check_once(reads, scan)) return e;
  json::object_editor ed(body, scan);
  for (std::size_t i = 0; i < scan.members.size(); ++i) {
    bool read = false;
    for (auto name : reads) read = read || json::key_is(scan.members[i], name);
    if (!read) ed.drop(i);
  }
  reduced.clear();
  ed.write(reduced);
  return parse(reduced, root);
}

}  // namespace gw
