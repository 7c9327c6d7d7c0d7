// gateway/http1_syntax: every function, with tables of accepted and refused inputs. The SSE2 scans
// (find_head_end, valid_head_bytes, the value check of parse_field_line and parse_status_line)
// work 16 bytes at a time with a byte loop for the tail, so their cases put the interesting byte
// at every offset across two blocks.
#include "backends/http1_syntax.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::http1 {
namespace {

using namespace std::literals;  // "\0"s and "\0"sv: cases with NUL bytes
constexpr auto npos = std::string_view::npos;

TEST(http1_syntax, tchar_is_exactly_rfc9110_token) {
  const std::string_view specials = "!#$%&'*+-.^_`|~";
  for (int c = 0; c < 256; ++c) {
    const bool expected = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          specials.find(static_cast<char>(c)) != npos;
    EXPECT_EQ(is_tchar(static_cast<unsigned char>(c)), expected) << c;
  }
}

TEST(http1_syntax, iequals_folds_case_of_tokens) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_TRUE(iequals("CONTENT-LENGTH", "content-length"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Content-Lengt", "content-length"));
  EXPECT_FALSE(iequals("Content-Lengthx", "content-length"));
  EXPECT_FALSE(iequals("Content_Length", "content-length"));
  // Names reach iequals as tokens: for every tchar against every character a literal has, equal
  // exactly when they are the same letter in either case (the |0x20 trick aliases no tchar).
  const std::string_view literal_chars = "abcdefghijklmnopqrstuvwxyz0123456789-";
  for (int c = 0; c < 256; ++c) {
    if (!is_tchar(static_cast<unsigned char>(c))) continue;
    const char folded = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c);
    for (char l : literal_chars)
      EXPECT_EQ(iequals(std::string(1, static_cast<char>(c)), std::string(1, l)), folded == l) << c << ' ' << l;
  }
}

TEST(http1_syntax, find_head_end_at_every_offset_and_resume_point) {
  for (std::size_t at = 0; at <= 40; ++at) {
    const std::string bytes = std::string(at, 'a') + "\r\n\r\n" + std::string(20, 'b') + "\r\n\r\n";
    const std::size_t end = at + 4;
    // `from` is what the caller had searched already: any point before the CRLFCRLF's last byte.
    for (std::size_t from = 0; from < end; ++from) EXPECT_EQ(find_head_end(bytes, from), end) << at << ' ' << from;
    // Every prefix that stops short of the whole CRLFCRLF has no end yet.
    for (std::size_t n = 0; n < end; ++n) EXPECT_EQ(find_head_end(std::string_view(bytes).substr(0, n), 0), npos);
  }
}

TEST(http1_syntax, find_head_end_ignores_near_misses) {
  const std::vector<std::pair<std::string, std::size_t>> cases = {
      {"", npos}, {"\r\n\r", npos}, {"\r\n\r\n", 4}, {"\n\r\n\r\n", 5}, {"\r\r\n\r\n", 5}, {"\r\n\n\r\n", npos},
      {"\n\n", npos}, {"a\r\n\r\r\n\r\n", 8}, {std::string(30, '\r') + "\n\r\n", 33},
      {std::string(13, 'x') + "\r\n\r" + "x\r\n\r\n" + std::string(20, 'y'), 21},
  };
  for (const auto& [bytes, end] : cases) EXPECT_EQ(find_head_end(bytes, 0), end) << bytes.size();
}

TEST(http1_syntax, valid_head_bytes_allows_text_and_crlf_pairs) {
  const std::vector<std::string> good = {
      "", "\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "a\tb\r\n", "\x80\xff\xc3\xa9\r\n", std::string(40, ' '),
  };
  for (const auto& s : good) EXPECT_TRUE(valid_head_bytes(s)) << s;
  const std::vector<std::string> bad = {"\r", "\n", "\n\r", "\r\r\n", "a\rb", "a\nb", "a\r\n\n", "\x7f", "\0"s};
  for (const auto& s : bad) EXPECT_FALSE(valid_head_bytes(s)) << s.size();
}

TEST(http1_syntax, valid_head_bytes_at_every_offset) {
  for (std::size_t at = 0; at < 40; ++at) {
    auto with = [&](std::string_view b) {
      std::string s(at, 'a');
      s += b;
      s += std::string(40 - at, 'z');
      return s;
    };
    EXPECT_TRUE(valid_head_bytes(with("\r\n"))) << at;  // the pair across blocks when at = 15
    EXPECT_TRUE(valid_head_bytes(with("\t"))) << at;
    EXPECT_TRUE(valid_head_bytes(with("\x80"))) << at;
    EXPECT_TRUE(valid_head_bytes(with("\xff"))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\r"))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\n"))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\n\r"))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\r\r\n"))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\0"s))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\x1f"))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\x7f"))) << at;
    EXPECT_FALSE(valid_head_bytes(with("\x0b"))) << at;
    // A CR as the very last byte has no LF to pair with.
    EXPECT_FALSE(valid_head_bytes(std::string(at, 'a') + "\r")) << at;
    EXPECT_TRUE(valid_head_bytes(std::string(at, 'a') + "\r\n")) << at;
  }
}

TEST(http1_syntax, next_line_splits_at_crlf_and_refuses_bare_lf) {
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  std::size_t at = 0;
  std::string_view line;
  bool bad = false;
  std::vector<std::string_view> lines;
  while (next_line(head, at, line, bad)) lines.push_back(line);
  EXPECT_FALSE(bad);
  EXPECT_EQ(lines, (std::vector<std::string_view>{"GET / HTTP/1.1", "Host: a", ""}));
  EXPECT_EQ(at, head.size());

  for (std::string_view malformed : {"a\nb\r\n", "\n", "a\r\nb", "abc"}) {
    at = 0;
    bad = false;
    while (next_line(malformed, at, line, bad)) {
    }
    EXPECT_TRUE(bad) << malformed;
  }
}

TEST(http1_syntax, request_lines) {
  struct row {
    std::string_view line, method, target;
    unsigned version;
  };
  const std::vector<row> accepted = {
      {"GET / HTTP/1.1", "GET", "/", 11},
      {"OPTIONS * HTTP/1.0", "OPTIONS", "*", 10},
      {"M-SEARCH http://a/b?c=%20 HTTP/1.1", "M-SEARCH", "http://a/b?c=%20", 11},
      {"!#$%&'*+-.^_`|~ /a\"{}\x80\xff HTTP/1.1", "!#$%&'*+-.^_`|~", "/a\"{}\x80\xff", 11},
  };
  for (const auto& r : accepted) {
    request_line out;
    ASSERT_TRUE(parse_request_line(r.line, out)) << r.line;
    EXPECT_EQ(out.method, r.method);
    EXPECT_EQ(out.target, r.target);
    EXPECT_EQ(out.version, r.version);
  }
  const std::vector<std::string> refused = {
      "GET /", "GET / ",                                   // no version
      "GET / http/1.1",                                    // the name is case-sensitive
      "GET / HTTP/1", "GET / HTTP/1.10", "GET / HTTP/2.0", "GET / HTTP/1.2", "GET / HTTP/0.9", "GET / HTTP/a.1", "GET / HTTP/1.1 ", "GET / HTTP/1.1\r",
      "GET  / HTTP/1.1",                                   // two spaces: an empty target
      "GET /  HTTP/1.1", " GET / HTTP/1.1", "GET\t/ HTTP/1.1", "G(T / HTTP/1.1", "", "GET",
      "GET /a\tb HTTP/1.1", "GET /a\x01" "b HTTP/1.1", "GET /a\x7f" "b HTTP/1.1", "GET /a\0b HTTP/1.1"s,  // controls
  };
  for (const auto& line : refused) {
    request_line out;
    EXPECT_FALSE(parse_request_line(line, out)) << line;
  }
}

TEST(http1_syntax, plausible_request_prefixes) {
  for (std::string_view p : {"", "G", "GET", "GET ", "GET /x HT", "M-SEARCH * HTTP/1.1"})
    EXPECT_TRUE(plausible_request_prefix(p)) << p;
  for (std::string_view p : {"\x16\x03\x01", " GET", "GET\t", "\r\n", "GE(", "GET\r"})
    EXPECT_FALSE(plausible_request_prefix(p)) << p;
}

TEST(http1_syntax, status_lines) {
  struct row {
    std::string_view line;
    int status;
    unsigned version;
  };
  const std::vector<row> accepted = {
      {"HTTP/1.1 200 OK", 200, 11},
      {"HTTP/1.0 404 Not Found", 404, 10},
      {"HTTP/1.1 200", 200, 11},  // no reason, no space: accepted on purpose
      {"HTTP/1.1 200 ", 200, 11},
      {"HTTP/1.1 503 Slow\tDown \x80\xff", 503, 11},
  };
  for (const auto& r : accepted) {
    status_line out;
    ASSERT_TRUE(parse_status_line(r.line, out)) << r.line;
    EXPECT_EQ(out.status, r.status);
    EXPECT_EQ(out.version, r.version);
  }
  for (std::string_view line : {"HTTP/1.1 2000 OK", "HTTP/1.1 20 OK", "HTTP/1.1 200OK", "HTTP/1.1  200 OK",
                                "HTTP/1.1 2x0 OK", "http/1.1 200 OK", "HTTP/1 200 OK", "HTTP/1.1\t200 OK",
                                "HTTP/1.1 200 O\x01K", "HTTP/1.1 200 O\x7fK", "HTTP/1.1 200 O\rK", "",
                                "HTTP/1.1 099 x",  // below 100: no such class, and it would pass as interim
                                "HTTP/2.0 200 OK", "HTTP/1.2 200 OK", "HTTP/0.9 200 OK"}) {
    status_line out;
    EXPECT_FALSE(parse_status_line(line, out)) << line;
  }
  // The reason's bytes are checked 16 at a time: a control at every offset of a long one.
  for (std::size_t at = 0; at < 40; ++at) {
    std::string reason(40, 'r');
    status_line out;
    EXPECT_TRUE(parse_status_line("HTTP/1.1 200 " + reason, out));
    reason[at] = '\x01';
    EXPECT_FALSE(parse_status_line("HTTP/1.1 200 " + reason, out)) << at;
    reason[at] = '\t';
    EXPECT_TRUE(parse_status_line("HTTP/1.1 200 " + reason, out)) << at;
  }
}

// next_field walks a validated head's field lines in one pass; it must split each line as
// split_field_line does, stop at the blank line, and refuse what split_field_line refuses.
TEST(http1_syntax, next_field_agrees_with_split_field_line) {
  const std::vector<std::string> lines = {"Host: a", "Host:a", "Host: \t a b \t ", "X-Empty:", "X-Empty:  \t",
                                          "X: caf\xc3\xa9 \x80\xff", "X: a:b", ": a", " Host: a", "\tHost: a",
                                          "Host : a", "Ho st: a", "Host a", "Ho(st: a"};
  for (const auto& line : lines) {
    const std::string head = "GET / HTTP/1.1\r\nA: 1\r\n" + line + "\r\nB:  2 \r\n\r\n";
    ASSERT_TRUE(valid_head_bytes(head)) << line;
    std::size_t at = head.find("\r\n") + 2;
    std::string_view name, value, want_name, want_value;
    bool bad = false;
    ASSERT_TRUE(next_field(head, at, name, value, bad));
    EXPECT_EQ(name, "A");
    EXPECT_EQ(value, "1");
    const bool ok = split_field_line(line, want_name, want_value);
    ASSERT_EQ(next_field(head, at, name, value, bad), ok) << line;
    EXPECT_EQ(bad, !ok) << line;
    if (!ok) continue;
    EXPECT_EQ(name, want_name);
    EXPECT_EQ(value, want_value);
    ASSERT_TRUE(next_field(head, at, name, value, bad));
    EXPECT_EQ(name, "B");
    EXPECT_EQ(value, "2");
    EXPECT_FALSE(next_field(head, at, name, value, bad));  // the blank line ends the head
    EXPECT_FALSE(bad);
    EXPECT_EQ(at, head.size());
  }
}

TEST(http1_syntax, field_lines) {
  struct row {
    std::string line;
    bool ok;        // parse_field_line
    bool split_ok;  // split_field_line, which leaves the value's bytes to valid_head_bytes
    std::string_view name, value;
  };
  const std::vector<row> rows = {
      {"Host: a", true, true, "Host", "a"},
      {"Host:a", true, true, "Host", "a"},
      {"Host: \t a b \t ", true, true, "Host", "a b"},
      {"X-Empty:", true, true, "X-Empty", ""},
      {"X-Empty:  \t", true, true, "X-Empty", ""},
      {"X: caf\xc3\xa9 \x80\xff", true, true, "X", "caf\xc3\xa9 \x80\xff"},
      {"X: a:b", true, true, "X", "a:b"},
      {"X: a\x01" "b", false, true, "X", "a\x01" "b"},
      {"X: a\x7f" "b", false, true, "X", "a\x7f" "b"},
      {"X: a\rb", false, true, "X", "a\rb"},
      {"X: a\0b"s, false, true, "X", "a\0b"sv},
      {": a", false, false, "", ""},      // empty name
      {" Host: a", false, false, "", ""}, // obsolete line folding
      {"\tHost: a", false, false, "", ""},
      {"Host : a", false, false, "", ""}, // space before the colon (RFC 9112 §5.1)
      {"Ho st: a", false, false, "", ""},
      {"Host a", false, false, "", ""},
      {"Ho(st: a", false, false, "", ""},
      {"", false, false, "", ""},
  };
  for (const auto& r : rows) {
    std::string_view name, value;
    EXPECT_EQ(split_field_line(r.line, name, value), r.split_ok) << r.line;
    if (r.split_ok) {
      EXPECT_EQ(name, r.name);
      EXPECT_EQ(value, r.value);
    }
    name = value = {};
    ASSERT_EQ(parse_field_line(r.line, name, value), r.ok) << r.line;
    if (!r.ok) continue;
    EXPECT_EQ(name, r.name);
    EXPECT_EQ(value, r.value);
  }
  for (std::size_t at = 0; at < 40; ++at) {
    std::string value(40, 'v');
    std::string_view n, v;
    value[at] = '\x1f';
    EXPECT_FALSE(parse_field_line("X-Long: " + value, n, v)) << at;
    value[at] = '\x7f';
    EXPECT_FALSE(parse_field_line("X-Long: " + value, n, v)) << at;
    value[at] = '\xa0';
    EXPECT_TRUE(parse_field_line("X-Long: " + value, n, v)) << at;
  }
}

TEST(http1_syntax, content_length) {
  const std::vector<std::pair<std::string_view, std::uint64_t>> accepted = {
      {"0", 0}, {"5", 5}, {"007", 7},
      {"5, 5", 5}, {"5,5", 5}, {"5 ,\t5 , 5", 5},  // a list of equal values, as Beast accepted
      {"18446744073709551609", 18446744073709551609u},
  };
  for (const auto& [value, expected] : accepted) {
    std::uint64_t length = 12345;
    ASSERT_TRUE(parse_content_length(value, length)) << value;
    EXPECT_EQ(length, expected) << value;
  }
  for (std::string_view value : {"", ",", "5,", ",5", "5,,5", "5,6", "5, 05, 6", "+5", "-5", "5 5", "0x5", "5a",
                                 "18446744073709551616",  // UINT64_MAX + 1
                                 "99999999999999999999", "123456789012345678901234"}) {
    std::uint64_t length = 0;
    EXPECT_FALSE(parse_content_length(value, length)) << value;
  }
}

TEST(http1_syntax, transfer_encoding_ends_with_chunked) {
  const std::vector<std::pair<std::string_view, bool>> rows = {
      {"chunked", true},
      {"CHUNKED", true},
      {"Chunked", true},
      {"gzip, chunked", true},
      {"gzip,chunked", true},
      {" chunked\t", true},
      {", chunked,", true},  // empty list elements do not count (RFC 9110 §5.6.1)
      {"gzip;q=1, chunked", true},  // a coding with parameters before chunked
      {"chunked, gzip", false},     // chunked not last: no chunked framing
      {"chunked, chunked", false},  // chunked twice (RFC 9112 §6.1: MUST NOT)
      {"gzip, chunked, chunked", false},
      {"gzip", false},
      {"", false},
      {"chunkedx", false},
      {"chunked x", false},
      {"chunked;a=b", false},  // chunked defines no parameters (RFC 9112 §7.1)
  };
  for (const auto& [value, chunked] : rows) EXPECT_EQ(ends_with_chunked(value), chunked) << value;
}

TEST(http1_syntax, connection_options) {
  struct row {
    std::string_view value;
    bool ok, close, keep_alive;
  };
  const std::vector<row> rows = {
      {"close", true, true, false},
      {"CLOSE", true, true, false},
      {"keep-alive", true, false, true},
      {"Keep-Alive, close", true, true, true},
      {"upgrade", true, false, false},
      {"", true, false, false},
      {",, close ,", true, true, false},
      {"te, close", true, true, false},
      {"close keep-alive", false, false, false},
      {"\"close\"", false, false, false},
      {"close;x=1", false, false, false},
      {"clo\x01se", false, false, false},
  };
  for (const auto& r : rows) {
    connection_options out;
    ASSERT_EQ(parse_connection(r.value, out), r.ok) << r.value;
    if (!r.ok) continue;
    EXPECT_EQ(out.close, r.close) << r.value;
    EXPECT_EQ(out.keep_alive, r.keep_alive) << r.value;
  }
}

TEST(http1_syntax, chunk_size_lines) {
  struct row {
    std::string_view line;
    std::uint64_t size;
    std::string_view extensions;
  };
  const std::vector<row> accepted = {
      {"5", 5, ""}, {"a", 10, ""}, {"FF", 255, ""}, {"5a", 0x5a, ""}, {"0", 0, ""}, {"000", 0, ""},
      {"ffffffffffffffff", UINT64_MAX, ""},
      {"0000000000000000001", 1, ""},  // leading zeros do not overflow
      {"5;a", 5, ";a"},
      {"5;a=b", 5, ";a=b"},
      {"5;a;b=1;c=\"x\"", 5, ";a;b=1;c=\"x\""},
      {"5 ; a = b", 5, " ; a = b"},  // BWS around ';' and '='
      {"5\t;\ta\t=\tb", 5, "\t;\ta\t=\tb"},
      {"5;a=\"x y\"", 5, ";a=\"x y\""},
      {"5;a=\"\"", 5, ";a=\"\""},
      {"5;a=\"x\\\"y\"", 5, ";a=\"x\\\"y\""},  // a quoted-pair
      {"5;a=\"\t!#[]~\x80\xff\"", 5, ";a=\"\t!#[]~\x80\xff\""},
  };
  for (const auto& r : accepted) {
    std::uint64_t size = 12345;
    std::string_view extensions = "unset";
    ASSERT_TRUE(parse_chunk_size_line(r.line, size, extensions)) << r.line;
    EXPECT_EQ(size, r.size) << r.line;
    EXPECT_EQ(extensions, r.extensions) << r.line;
  }
  const std::vector<std::string_view> refused = {
      "10000000000000000",  // 2^64: overflow
      "", "g", "-5", "0x5", " 5", "5:a",
      "5 ", "5\t", "5;a ", "5;a=b ", "5;a=\"x\" ",  // whitespace with no extension after it
      "5;", "5;=b", "5;a=", "5;a=b;", "5;a=b c", "5;a(=b", "5;a=\"x\"y",
      "5;a=\"x", "5;a=\"x\\",                         // unterminated
      "5;a=\"x\x01\"", "5;a=\"x\x7f\"", "5;a=\"x\n\"",  // a control in qdtext
      "5;a=\"x\\\x01\"",                             // and in a quoted-pair
  };
  for (std::string_view line : refused) {
    std::uint64_t size = 0;
    std::string_view extensions;
    EXPECT_FALSE(parse_chunk_size_line(line, size, extensions)) << line;
  }
}

}  // namespace
}  // namespace gw::http1
