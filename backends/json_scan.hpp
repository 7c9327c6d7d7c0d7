#pragma once
// Where the members of a JSON object lie in its text, without converting anything. The gateway
// forwards bodies it did not write: it edits a few members in place (model, stream_options) and
// copies every other byte, so unknown fields, big integers, exponents and escapes reach the other
// side exactly as they were sent. A DOM parser cannot promise that (simdjson's refuses integers
// past 64 bits and 1e400, and would re-serialise what it read).

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

namespace gw::json {

struct member {
  std::string_view key;    // between the quotes, escapes not decoded
  std::string_view value;  // the value's text, from its first byte to its last
  std::size_t begin = 0;   // offset of the key's opening quote in the scanned text
  std::size_t end = 0;     // offset just past the value
  bool key_escaped = false;  // the key holds an escape (compare it decoded)
};

struct object_scan {
  std::size_t open = 0;   // offset of '{'
  std::size_t close = 0;  // offset of '}'
  boost::container::small_vector<member, 16> members;  // in text order, duplicates kept
};

// Checks that `text` is one JSON text (RFC 8259: a value with optional whitespace around it,
// valid UTF-8, nesting no deeper than `max_depth`) whose root is an object, and lists its members.
// Numbers are checked against the grammar only, never converted. nullopt: not such a text.
std::optional<object_scan> scan_object(std::string_view text, std::size_t max_depth = 256);

// Where the members lie in text meant to be one JSON object, checking its structure only
// (brackets, strings, member syntax), not its strings' escapes, its numbers or its UTF-8: what a
// proxy needs of a chunk it relays byte for byte. nullopt when the structure is not an object's.
// Safe on any bytes.
std::optional<object_scan> locate_object(std::string_view text);

// The members of an object value taken from a scan (so known valid); empty when it is not an
// object. Offsets are relative to `object_text`.
object_scan members_of(std::string_view object_text);

// The elements of an array value taken from a scan; empty when it is not an array.
boost::container::small_vector<std::string_view, 8> elements_of(std::string_view array_text);

// Whether the member's key, decoded, is `name` (a key may be written with escapes: "mod\u0065l").
bool escaped_key_is(const member& m, std::string_view name);
inline bool key_is(const member& m, std::string_view name) {
  return m.key_escaped ? escaped_key_is(m, name) : m.key == name;
}

// The decoded text of a JSON string value (with its quotes) taken from a scan; nullopt when the
// value is not a string.
std::optional<std::string> string_value(std::string_view value);

// Whether the value is `null`.
inline bool is_null(std::string_view value) { return value == "null"; }

}  // namespace gw::json
