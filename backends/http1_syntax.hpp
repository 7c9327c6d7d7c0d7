#pragma once
// HTTP/1.1 message syntax (RFC 9112): the pieces the request parser (gateway/request_parser) and
// the upstream response parser (backends/http1_response) share. Pure functions over bytes.
//
// Why not Beast's basic_parser: it validated each header byte in a loop and looked every field
// name up in a hash table, so reading one request head and one response head cost ~6,500
// instructions, an eighth of a proxied request's (bench/HISTORY.md). Here a head is parsed once
// it is complete (its end found 16 bytes at a time), all its bytes are validated in one SSE2
// pass, each field line is then split in one scan, and only the names a caller asks about are
// compared.
//
// What is accepted is what Beast accepted (tests/unit/gateway/request_parser_beast_diff_test.cpp
// compares the two), except, each allowed by RFC 9112: obsolete line folding is refused (no
// client or upstream sends it any more); the header limit counts the whole head; the trailer
// section has a limit; quoted chunk-extension values must hold text; trailer fields are never
// merged into the head.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gw::http1 {

// tchar (RFC 9110 §5.6.2): the characters of methods, field names and tokens.
bool is_tchar(unsigned char c);

// Case-insensitive ASCII equality; `lower` is lower case. Inline: callers compare a field name
// with a dozen literals, and a length that differs must cost one comparison.
inline bool iequals(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((s[i] | 0x20) != lower[i]) return false;  // exact for letters; `lower` has no others but
                                                  // digits and '-', which only controls alias
  return true;
}

// Where the head in `bytes` ends (just past its CRLFCRLF), or npos. Starts looking at `from`
// (bytes before it were looked at already, less the 3 a split CRLFCRLF may straddle).
std::size_t find_head_end(std::string_view bytes, std::size_t from);

// Whether a complete head's bytes are all text, with CR and LF only as CRLF pairs: one pass over
// the head instead of one per value.
bool valid_head_bytes(std::string_view head);

// The lines of a complete head: next_line gives each line without its CRLF and moves `at` past it.
// false at the end; a line ended by a lone LF is malformed (`bad`).
bool next_line(std::string_view head, std::size_t& at, std::string_view& line, bool& bad);

struct request_line {
  std::string_view method, target;
  unsigned version = 0;  // 10 (HTTP/1.0) or 11 (HTTP/1.1); other versions are refused
};
bool parse_request_line(std::string_view line, request_line& out);

// Whether `prefix`, the start of a request line that is not complete yet, could still become a
// valid one: lets garbage (say, a TLS handshake on the plain port) fail at its first bytes.
bool plausible_request_prefix(std::string_view prefix);

struct status_line {
  int status = 0;
  unsigned version = 0;
};
bool parse_status_line(std::string_view line, status_line& out);

// One field line: a token name, a colon, the value with surrounding spaces and tabs trimmed.
// Control characters (but HTAB) and DEL are refused, as is a line starting with a space (folding).
bool parse_field_line(std::string_view line, std::string_view& name, std::string_view& value);
// The same for a line of a head that valid_head_bytes accepted: the value's bytes are not looked at.
bool split_field_line(std::string_view line, std::string_view& name, std::string_view& value);

// The field line at `at` in a complete head that valid_head_bytes accepted, split as
// split_field_line does, in one pass (name scanned, then the CR found): `at` moves past it. false
// at the blank line that ends the head, or on a malformed line (`bad`).
bool next_field(std::string_view head, std::size_t& at, std::string_view& name, std::string_view& value, bool& bad);

// Content-Length: one decimal number, or a list of equal ones ("5, 5"), as Beast accepted.
bool parse_content_length(std::string_view value, std::uint64_t& length);

// Whether a Transfer-Encoding list ends with `chunked` (the only coding that frames a body).
bool ends_with_chunked(std::string_view value);

// The Connection (or Proxy-Connection) tokens that matter to keep-alive. false: not a list.
struct connection_options {
  bool close = false;
  bool keep_alive = false;
};
bool parse_connection(std::string_view value, connection_options& out);

// The fields that frame a message (RFC 9112 §6), read as both parsers need them: one
// Content-Length (equal repeats allowed), chunked as the last Transfer-Encoding, and the
// Connection (or Proxy-Connection) options. Conflicts fail as they did in Beast: a length after
// chunked, any coding after chunked or after a length, lengths that differ.
struct message_framing {
  enum class field { other, content_length, transfer_encoding, connection };

  bool chunked = false;
  bool has_length = false;
  std::uint64_t length = 0;
  connection_options connection;

  // Reads one header field; `kind` says which of the framing fields it was. false: that field is
  // malformed or conflicts with an earlier one. Inline: it runs for every field of every head.
  bool read(std::string_view name, std::string_view value, field& kind);
  // Whether the connection stays open after this message, by the version's default and options.
  bool keep_alive(unsigned version) const { return version >= 11 ? !connection.close : connection.keep_alive; }
};

inline bool message_framing::read(std::string_view name, std::string_view value, field& kind) {
  kind = field::other;
  if (iequals(name, "content-length")) {
    kind = field::content_length;
    std::uint64_t n = 0;
    if (chunked || !parse_content_length(value, n) || (has_length && n != length)) return false;
    has_length = true;
    length = n;
  } else if (iequals(name, "transfer-encoding")) {
    kind = field::transfer_encoding;
    if (chunked || has_length) return false;
    chunked = ends_with_chunked(value);
  } else if (iequals(name, "connection") || iequals(name, "proxy-connection")) {
    kind = field::connection;
    return parse_connection(value, connection);
  }
  return true;
}

// A chunk-size line without its CRLF: hex size, then optional extensions, which are validated
// and returned raw in `extensions`.
bool parse_chunk_size_line(std::string_view line, std::uint64_t& size, std::string_view& extensions);

}  // namespace gw::http1
