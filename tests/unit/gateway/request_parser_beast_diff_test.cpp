// gateway/request_parser (Beast's basic_parser under the gateway's framing policy) against Beast's own
// request_parser: thousands of generated requests, valid and mutated, must get the same verdict (done,
// refused, more bytes needed) and, when done, the same method, target, version, keep-alive, body and end.
// Differences are the policy's, allowed only on inputs that show them (known_difference), each pinned in
// KnownDifferencesOnMinimalInputs.
#include "gateway/request_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace gw {
namespace {

namespace http = boost::beast::http;

constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::uint64_t body_limit = 1 << 20;
// request_parser bounds chunk extensions per request; the reference does it in on_chunk_header.
constexpr std::size_t max_extension_bytes = 4096;

enum class verdict { done, refused, more };

struct result {
  verdict v = verdict::more;
  std::string method, target, body;
  unsigned version = 0;  // 0 until the head is read
  bool keep_alive = false;
  std::size_t consumed = 0;
  bool in_body = false;          // the head was complete when the verdict came
  boost::system::error_code ec;  // Beast's, when refused
};

bool same(const result& a, const result& b) {
  return a.v == b.v && (a.v != verdict::done || (a.method == b.method && a.target == b.target &&
                                                 a.version == b.version && a.keep_alive == b.keep_alive &&
                                                 a.body == b.body && a.consumed == b.consumed));
}

std::string escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", c);
    out += c >= 0x20 && c < 0x7f && c != '\\' ? std::string(1, static_cast<char>(c)) : std::string(hex);
  }
  return out;
}

const char* name(verdict v) { return v == verdict::done ? "done" : v == verdict::refused ? "refused" : "more"; }
void PrintTo(verdict v, std::ostream* os) { *os << name(v); }

std::string describe(const result& r) {
  return std::string(name(r.v)) + " method=" + escaped(r.method) + " target=" + escaped(r.target) +
         " version=" + std::to_string(r.version) + " keep_alive=" + std::to_string(r.keep_alive) + " body=" +
         std::to_string(r.body.size()) + "B consumed=" + std::to_string(r.consumed) +
         " in_body=" + std::to_string(r.in_body) + " ec=" + r.ec.message();
}

// Ours, fed as gateway/http_session feeds it: `piece` bytes per read, unconsumed bytes given again.
result ours(std::string_view wire, std::size_t piece) {
  request_parser p;
  p.reset({header_limit, body_limit, nullptr});
  result r;
  std::size_t given = std::min(piece, wire.size());  // bytes read from the "socket" so far
  for (;;) {
    std::size_t used = 0;
    const auto st = p.feed(wire.substr(r.consumed, given - r.consumed), used);
    r.consumed += used;
    if (st == request_parser::state::head_done) {
      r.in_body = true;
      r.version = p.head().version;
    } else if (st == request_parser::state::more) {
      if (given == wire.size()) return r;
      given = std::min(wire.size(), given + piece);
    } else if (st == request_parser::state::failed) {
      r.v = verdict::refused;
      return r;
    } else {
      const request_head& h = p.head();
      return {verdict::done, h.method, h.target, p.take_body(), h.version, h.keep_alive, r.consumed, r.in_body, {}};
    }
  }
}

// The reference: Beast given the whole input; need_more at its end is "more". Keep-alive is read
// once the head is done, as the Beast-based request_parser did (a trailer may change it later).
result reference(std::string_view wire) {
  http::request_parser<http::string_body> p;
  p.header_limit(header_limit);
  p.body_limit(body_limit);
  std::size_t extension_bytes = 0;
  auto on_chunk_header = [&](std::uint64_t, auto extensions, boost::system::error_code& ec) {
    extension_bytes += extensions.size();
    if (extension_bytes > max_extension_bytes) ec = http::error::bad_chunk_extension;
  };
  p.on_chunk_header(on_chunk_header);
  result r;
  while (!p.is_done()) {
    boost::system::error_code ec;
    const std::size_t n = p.put(boost::asio::const_buffer(wire.data() + r.consumed, wire.size() - r.consumed), ec);
    r.consumed += n;
    if (p.is_header_done() && !r.in_body) {
      r.in_body = true;
      r.keep_alive = p.keep_alive();
      r.version = p.get().version();
    }
    if (ec == http::error::need_more || (!ec && n == 0)) return r;
    if (ec) {
      r.v = verdict::refused;
      r.ec = ec;
      return r;
    }
  }
  const auto& m = p.get();
  return {verdict::done, m.method_string(), m.target(), m.body(), r.version, r.keep_alive, r.consumed, r.in_body, {}};
}

bool contains_fold(std::string_view s) {
  for (std::size_t at = s.find("\r\n"); at != std::string_view::npos; at = s.find("\r\n", at + 1))
    if (at + 2 < s.size() && (s[at + 2] == ' ' || s[at + 2] == '\t')) return true;
  return false;
}

// Whether a line of `s` has a quoted-string with a control (but HTAB; a bare LF too) in it.
bool quoted_control(std::string_view s) {
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') quoted = false;
    else if (c == '"') quoted = !quoted;
    else if (quoted && c == '\\' && i + 1 < s.size() && s[i + 1] == '"') ++i;
    else if (quoted && ((c < 0x20 && c != '\t') || c == 0x7f)) return true;
  }
  return false;
}

// Why ours (o) and Beast (b) may differ on `wire`; empty when they may not.
std::string known_difference(std::string_view wire, const result& o, const result& b) {
  const std::size_t crlf2 = wire.find("\r\n\r\n");
  const std::size_t head_end = crlf2 == std::string_view::npos ? crlf2 : crlf2 + 4;
  const bool head_complete = head_end != std::string_view::npos;
  // Policy: our header limit bounds the whole head, Beast's the request line and the field lines
  // apart; our trailer section has that limit too, Beast's none.
  if (o.v == verdict::refused && b.v != verdict::refused &&
      ((head_complete ? head_end > header_limit : wire.size() >= header_limit) ||
       (o.in_body && b.v == verdict::done && b.consumed > o.consumed + header_limit)))
    return "limits";
  // Policy: obsolete line folding (a field line starting with SP or HTAB) is refused by us
  // (RFC 9112 §5.2 lets a server reject it) and joined by Beast, in the head and in the trailers.
  if (o.v == verdict::refused && b.v != verdict::refused &&
      contains_fold(wire.substr(0, std::max(b.consumed, head_complete ? head_end : 0))))
    return "obs-fold";
  // Policy: a chunk extension with a control character (in a quoted-string's qdtext or
  // quoted-pair) is refused by us (RFC 9112 §7.1.1); Beast takes any byte between quotes, a bare
  // LF too ("1;a=\"\n\"\r\nx\r\n": it looks for the line's CR only).
  if (o.v == verdict::refused && o.in_body && b.v != verdict::refused && quoted_control(wire.substr(head_end)))
    return "quoted extension";
  return {};
}

class request_generator {
 public:
  explicit request_generator(std::uint32_t seed) : rng_(seed) {}
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < static_cast<std::size_t>(percent); }

  // A request from valid pieces, with some invalid or conflicting ones among them.
  std::string request() {
    using list = std::vector<std::string>;
    static const list methods = {"GET", "POST", "PUT", "DELETE", "OPTIONS", "M-SEARCH", "X!#$%&'*+-.^_`|~"};
    static const list targets = {"/", "/v1/chat/completions", "/v1/models?x=1&y=%20", "*",
                                 "http://example.com:8080/a/b", "/caf\xc3\xa9", "/a\"b{c}|d"};
    static const list odd_versions = {" HTTP/1.2", " HTTP/2.0", " HTTP/0.9", " HTTP", " http/1.1", ""};
    static const list fields = {"Host: example.com", "Accept: */*", "X-Request-Id: abc-123", "X-Empty:",
                                "X-Tabs:\t a \t", "X-Obs: caf\xc3\xa9 \x80\xff", "Authorization: Bearer k",
                                "Expect: 100-continue", "Cookie: a=b; c=d"};
    static const list connections = {"close", "keep-alive", "Keep-Alive", "close, keep-alive", "Upgrade", "",
                                     "foo, close", "keep-alive, ,upgrade", "\"close\"", "close keep-alive"};
    std::string head = one_of(methods) + " " + one_of(targets) +
                       (chance(3) ? one_of(odd_versions) : chance(70) ? " HTTP/1.1" : " HTTP/1.0") + "\r\n";
    list lines;
    for (std::size_t n = pick(5); n > 0; --n) lines.push_back(one_of(fields));
    if (chance(40)) lines.push_back((chance(80) ? "Connection: " : "Proxy-Connection: ") + one_of(connections));
    if (chance(8)) lines.push_back(chance(50) ? "X-Folded: a\r\n\tb" : "X-Folded: a\r\n  b c");
    if (chance(4)) lines.push_back("Host : spaced");
    if (chance(1)) lines.push_back("X-Big: " + std::string(header_limit + 100, 'b'));  // both: header limit
    std::string body = add_framing(lines);
    std::shuffle(lines.begin(), lines.end(), rng_);
    for (const auto& l : lines) head += l + "\r\n";
    head += "\r\n";
    const std::size_t cr = head.find("\r\n", pick(head.size()));
    if (chance(5) && cr != std::string::npos) head.erase(cr, 1);  // a bare LF in the head
    if (chance(10)) body += "GET /next HTTP/1.1\r\n\r\n";  // pipelined: must stay unconsumed
    return head + body;
  }

  // One to three byte flips, insertions or deletions (often of a syntax byte), sometimes a cut.
  std::string mutate(std::string wire) {
    static const std::string interesting = std::string("\r\n \t:;\",\x7f\x80\x01" "09aFx/.", 18) + '\0';
    for (std::size_t n = 1 + pick(3); n > 0 && !wire.empty(); --n) {
      const std::size_t at = pick(wire.size());
      const char c = chance(60) ? interesting[pick(interesting.size())] : static_cast<char>(pick(256));
      const std::size_t how = pick(3);
      if (how == 0) wire[at] = c;
      else if (how == 1) wire.insert(wire.begin() + static_cast<std::ptrdiff_t>(at), c);
      else wire.erase(at, 1);
    }
    if (chance(15)) wire.resize(pick(wire.size() + 1));
    return wire;
  }

 private:
  template <class T>
  const T& one_of(const std::vector<T>& v) { return v[pick(v.size())]; }

  std::string bytes(std::size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(pick(256));
    return s;
  }

  std::string chunked_body() {
    static const std::vector<std::string> extensions = {
        ";a", ";a=b", " ;a=b", ";a=\"q s\"", "; a = \"x\\\"y\"", ";a;b=c", ";n=\"\t\x80\"", ";a=\"x\x01\"", ";a "};
    static const std::vector<std::string> trailers = {
        "X-T: 1", "Expires: soon", "X-Empty:", "Content-Length: 5", "Transfer-Encoding: chunked",
        "Connection: close", "Connection: a b", "X-Fold: a\r\n b"};
    std::string out;
    for (std::size_t n = pick(4); n > 0; --n) {
      const std::size_t size = chance(5) ? 200 + pick(2000) : 1 + pick(40);
      char hex[32];
      std::snprintf(hex, sizeof hex, chance(50) ? "%zx" : "%04zX", size);
      out += hex + (chance(30) ? one_of(extensions) : std::string()) + "\r\n" + bytes(size) + "\r\n";
    }
    if (chance(3)) out += "200000\r\n";  // 2 MiB: over the body limit
    out += std::string(chance(80) ? "0" : "000") + (chance(15) ? one_of(extensions) : "") + "\r\n";
    for (std::size_t n = chance(30) ? 1 + pick(2) : 0; n > 0; --n) out += one_of(trailers) + "\r\n";
    return out + "\r\n";
  }

  // Content-Length and Transfer-Encoding fields, alone, repeated or conflicting, and a body.
  std::string add_framing(std::vector<std::string>& lines) {
    static const std::vector<std::string> odd_lengths = {"+5", "0x5", "5a", "", "99999999999999999999", "1048577"};
    static const std::vector<std::string> codings = {"gzip, chunked", "chunked, gzip", "chunked, chunked", "CHUNKED",
                                                     "gzip", "chunked;a=b", "gzip;q=1, chunked", "chunked x"};
    const std::size_t n = pick(60);
    const std::string length = "Content-Length: " + std::to_string(n), te = "Transfer-Encoding: chunked";
    auto add = [&](std::initializer_list<std::string> l) { lines.insert(lines.end(), l); };
    switch (pick(14)) {
      case 0: case 1: break;
      case 2: case 3: add({length}); break;
      case 4: add({length, "content-length: " + std::to_string(n)}); break;
      case 5: add({length, "Content-Length: " + std::to_string(n + 1)}); break;
      case 6: add({length + (chance(50) ? ", " : ",") + std::to_string(n)}); break;
      case 7: add({length + (chance(50) ? ",," : ",") + std::to_string(n + pick(2))}); break;
      case 8: add({"Content-Length: " + one_of(odd_lengths)}); break;
      case 9: case 10: add({te}); break;
      case 11: add({"Transfer-Encoding: " + one_of(codings)}); break;
      case 12: add({te, chance(50) ? te : length}); break;
      default: add({"Transfer-Encoding: gzip", length}); break;
    }
    return lines.empty() || lines.back().find("Transfer") == std::string::npos ? bytes(n + pick(2)) : chunked_body();
  }

  std::mt19937 rng_;
};

TEST(request_parser_beast_diff, same_verdicts_as_beast_on_generated_requests) {
  request_generator gen(20261124);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4000; ++i) {
    const bool mutated = gen.chance(50);
    const std::string wire = mutated ? gen.mutate(gen.request()) : gen.request();
    const result o = ours(wire, wire.size()), b = reference(wire);
    // Read in pieces, as a socket gives them, the request comes to what it does whole.
    const result split = ours(wire, 1 + gen.pick(64));
    // Except that Beast, cut inside a head, checks it again only once a CRLFCRLF is in: a bad
    // line seen whole fails at once, cut it waits (the header limit and read deadline end it).
    const bool waits_for_head_end = o.v == verdict::refused && split.v == verdict::more && !o.in_body;
    ASSERT_TRUE(same(split, o) || waits_for_head_end) << i << " " << escaped(wire) << "\nsplit: " << describe(split);
    if (same(o, b)) {
      ++counts[name(o.v)];
      // A message both read, cut short, needs more bytes: in ours at every cut of its first
      // 300 bytes (where failing fast could go wrong), in both at one cut anywhere.
      if (o.v == verdict::done && !mutated) {
        for (std::size_t n = 0; n < std::min<std::size_t>(o.consumed, 300); ++n)
          ASSERT_EQ(ours(wire.substr(0, n), n).v, verdict::more) << i << " " << escaped(wire.substr(0, n));
        const std::string cut = wire.substr(0, gen.pick(o.consumed));
        ASSERT_EQ(ours(cut, cut.size()).v, verdict::more) << i << " " << escaped(cut);
        ASSERT_EQ(reference(cut).v, verdict::more) << i << " " << escaped(cut);
      }
      continue;
    }
    const std::string why = known_difference(wire, o, b);
    ASSERT_FALSE(why.empty()) << i << " " << escaped(wire) << "\nours:  " << describe(o) << "\nbeast: " << describe(b);
    ++counts[why];
  }
  // The generator must keep reaching each verdict and the differences the allowances are for.
  for (const char* kind : {"done", "refused", "more", "obs-fold"})
    EXPECT_GT(counts[kind], 20) << kind;
  for (const auto& [kind, n] : counts) RecordProperty(kind, n);
}

// Each allowance of known_difference on the smallest input that shows it.
TEST(request_parser_beast_diff, known_differences_on_minimal_inputs) {
  const std::string te = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  struct row { std::string wire; verdict ours, beast; std::string_view why; };
  const std::vector<row> rows = {
      {"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", verdict::refused, verdict::done, "obs-fold"},
      {"GET / HTTP/1.1\r\nX:\r\n b\r\n\r\n", verdict::refused, verdict::done, "obs-fold"},
      {te + "0\r\nX: a\r\n b\r\n\r\n", verdict::refused, verdict::done, "obs-fold"},
      {te + "0;a=\"\x01\"\r\n\r\n", verdict::refused, verdict::done, "quoted extension"},
      {te + "1;a=\"\\\x01\"\r\nx\r\n0\r\n\r\n", verdict::refused, verdict::done, "quoted extension"},
      {te + "1;a=\"\n\"\r\nx\r\n0\r\n\r\n", verdict::refused, verdict::done, "quoted extension"},
      {"GET / HTTP/1.1\r\nX: " + std::string(16370, 'a') + "\r\n\r\n", verdict::refused, verdict::done, "limits"},
      {te + "0\r\nX: " + std::string(header_limit, 'a') + "\r\n\r\n", verdict::refused, verdict::done, "limits"},
      // The same verdicts where the hand-written parser differed from Beast: Beast's are kept.
      {"GET / HTTP\r\n", verdict::more, verdict::more, ""},
      {"GET / HTTP/1.1\r\nBad Line\r\n", verdict::refused, verdict::refused, ""},
      {te + "0\r\nContent-Length: 5\r\n\r\n", verdict::refused, verdict::refused, ""},
      {te + "0\r\nConnection: a b\r\n\r\n", verdict::refused, verdict::refused, ""},
  };
  for (const auto& r : rows) {
    const result o = ours(r.wire, r.wire.size()), b = reference(r.wire);
    EXPECT_EQ(o.v, r.ours) << escaped(r.wire);
    EXPECT_EQ(b.v, r.beast) << escaped(r.wire);
    EXPECT_EQ(known_difference(r.wire, o, b), r.why) << escaped(r.wire);
  }
}

// RFC 9110 §2.5: a major version other than 1 is not HTTP/1; Beast refused it and 1.2 up too.
TEST(request_parser_beast_diff, refuses_versions_other_than_http1) {
  for (std::string wire : {"GET / HTTP/2.0\r\n\r\n", "GET / HTTP/0.9\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                           "GET / HTTP/1.2\r\n\r\n"}) {
    EXPECT_EQ(reference(wire).v, verdict::refused) << wire;
    EXPECT_EQ(ours(wire, wire.size()).v, verdict::refused) << wire;
  }
}

}  // namespace
}  // namespace gw
