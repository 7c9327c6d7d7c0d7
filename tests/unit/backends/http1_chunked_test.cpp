// gateway/http1_chunked: the chunked_decoder fed the way the request and response parsers feed
// it (what it did not consume is given again with more bytes), at every split of the input; its
// limits; malformed codings; and the bytes after the message, which it must leave alone.
#include "backends/http1_chunked.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace gw::http1 {
namespace {

using step = chunked_decoder::step;
using limits = chunked_decoder::limits;

struct outcome {
  step last = step::more;
  std::string body;
  std::string left;  // bytes not consumed: given but unused, and never given
  std::size_t trailer_fields = 0;
};

// Feeds `wire` in pieces of `piece` bytes as the parsers do: unconsumed bytes stay pending and
// are given again, followed by the next piece. Stops at the first step that is not data or more.
outcome decode(std::string_view wire, std::size_t piece, const limits& l = {}) {
  chunked_decoder d;
  d.reset(l);
  outcome out;
  std::string pending;
  std::size_t at = 0;
  while (out.last == step::more && at < wire.size()) {
    pending.append(wire.substr(at, piece));
    at += std::min(piece, wire.size() - at);
    for (;;) {
      std::size_t used = 0;
      std::string_view p;
      out.last = d.next(pending, used, p);
      if (out.last == step::data) {
        // Pieces are handed out in place, never copied.
        EXPECT_TRUE(p.data() >= pending.data() && p.data() + p.size() <= pending.data() + pending.size());
        out.body.append(p);
      }
      pending.erase(0, used);
      if (out.last != step::data) break;
    }
  }
  out.left = pending + std::string(wire.substr(at));
  out.trailer_fields = d.trailer_fields();
  return out;
}

const std::string body_wire =
    "3;ext=1\r\nabc\r\n"
    "10 ; q=\"a \\\" b\"\r\n0123456789abcdef\r\n"
    "1\r\n\r\r\n"  // chunk data may hold CR and LF
    "0;last\r\nX-Trailer: 1\r\nY: two words\r\n\r\n"
    "GET /next HTTP/1.1\r\n\r\n";  // a pipelined request: not the decoder's

TEST(http1_chunked_decoder, body_split_at_every_piece_size) {
  for (std::size_t piece = 1; piece <= body_wire.size(); ++piece) {
    const outcome o = decode(body_wire, piece);
    ASSERT_EQ(o.last, step::done) << piece;
    EXPECT_EQ(o.body, "abc0123456789abcdef\r") << piece;
    EXPECT_EQ(o.trailer_fields, 2u) << piece;
    EXPECT_EQ(o.left, "GET /next HTTP/1.1\r\n\r\n") << piece;
  }
}

TEST(http1_chunked_decoder, done_stays_done_and_consumes_nothing_more) {
  chunked_decoder d;
  d.reset({});
  std::size_t used = 0;
  std::string_view piece;
  EXPECT_EQ(d.next("0\r\n\r\nrest", used, piece), step::done);
  EXPECT_EQ(used, 5u);
  EXPECT_EQ(d.trailer_fields(), 0u);
  EXPECT_EQ(d.next("rest", used, piece), step::done);
  EXPECT_EQ(used, 0u);
  d.reset({});  // reset starts a new body
  EXPECT_EQ(d.next("1\r\nx\r\n", used, piece), step::data);
  EXPECT_EQ(piece, "x");
}

TEST(http1_chunked_decoder, partial_lines_are_more) {
  for (std::string_view partial : {"", "5", "5;a=\"x", "5\r", "5\r\nab", "5\r\nabcde", "5\r\nabcde\r", "0\r\n",
                                   "0\r\nX: 1", "0\r\nX: 1\r\n", "0\r\n\r"}) {
    const outcome o = decode(partial, partial.size() + 1);
    EXPECT_EQ(o.last, step::more) << partial;
  }
}

TEST(http1_chunked_decoder, malformed) {
  const std::vector<std::string_view> bad = {
      "\r\n",                            // no size
      "g\r\n",                           // not hex
      "5 \r\nabcde\r\n0\r\n\r\n",        // whitespace, no extension
      "5;\r\nabcde\r\n0\r\n\r\n",        // ';' without a name
      "5;a=\"x\x01\"\r\nabcde\r\n",      // a control in a quoted extension value
      "10000000000000000\r\n",           // the size overflows
      "3\r\nabcX\r\n0\r\n\r\n",          // no CRLF after the data
      "3\r\nabc\n0\r\n\r\n",
      "3\r\nabc\rX",
      "3\nabc\r\n0\r\n\r\n",             // bare LF ending the size line
      "3\r\nabc\r\n0\n\r\n",
      "0\r\nX: 1\n\r\n",                 // and a trailer line
      "0\r\n\n",                         // and the empty line ending the trailers
      "0\r\n folded: 1\r\n\r\n",         // obsolete folding in the trailers
      "0\r\nX : 1\r\n\r\n",
      "0\r\nX: a\x7f" "b\r\n\r\n",
      "0\r\nno colon\r\n\r\n",
  };
  for (std::string_view wire : bad) {
    for (std::size_t piece : {std::size_t{1}, wire.size()}) {
      const outcome o = decode(wire, piece);
      EXPECT_EQ(o.last, step::bad) << wire << " piece " << piece;
    }
  }
  // Once failed, the decoder stays failed.
  chunked_decoder d;
  d.reset({});
  std::size_t used = 0;
  std::string_view piece;
  EXPECT_EQ(d.next("x\r\n", used, piece), step::bad);
  EXPECT_EQ(d.next("1\r\nx\r\n0\r\n\r\n", used, piece), step::bad);
}

TEST(http1_chunked_decoder, body_limit) {
  const std::string ten = "5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n";
  EXPECT_EQ(decode(ten, ten.size(), {10}).last, step::done);
  EXPECT_EQ(decode(ten, 1, {10}).last, step::done);
  EXPECT_EQ(decode(ten, ten.size(), {9}).last, step::body_limit);
  // Refused at the size line, before the data arrives.
  EXPECT_EQ(decode("b\r\n", 3, {10}).last, step::body_limit);
  // Sizes add up without wrapping: one byte, then the largest size there is.
  EXPECT_EQ(decode("1\r\nx\r\nffffffffffffffff\r\n", 100, {UINT64_MAX}).last, step::body_limit);
  EXPECT_EQ(decode("ffffffffffffffff\r\nx", 100, {UINT64_MAX}).last, step::more);
}

TEST(http1_chunked_decoder, extension_limit_counts_every_chunk_and_the_last) {
  const limits ten{UINT64_MAX, 10};
  // ";abcdefghi" is 10 bytes: at the limit.
  EXPECT_EQ(decode("1;abcdefghi\r\nx\r\n0\r\n\r\n", 1, ten).last, step::done);
  EXPECT_EQ(decode("1;abcdefghi\r\nx\r\n1;a\r\ny\r\n0\r\n\r\n", 1, ten).last, step::extension_limit);
  EXPECT_EQ(decode("1;abcdefghi\r\nx\r\n0;a\r\n\r\n", 100, ten).last, step::extension_limit);
  EXPECT_EQ(decode("1;abcdefgh\r\nx\r\n0;\r\n\r\n", 100, ten).last, step::bad);  // bad beats the limit
  // A size line with no end: past 16 KiB it is refused, as an extension over a smaller limit.
  const std::string endless = "1;a=" + std::string(16 * 1024, 'b');
  EXPECT_EQ(decode(endless, endless.size(), ten).last, step::extension_limit);
  EXPECT_EQ(decode(endless, endless.size(), {}).last, step::bad);
  EXPECT_EQ(decode(endless.substr(0, 16 * 1024), 16 * 1024, ten).last, step::more);
}

TEST(http1_chunked_decoder, trailer_limit_counts_the_whole_section) {
  // The trailer section "X: 12345\r\n\r\n" is 12 bytes, its final CRLF included.
  const std::string wire = "0\r\nX: 12345\r\n\r\n";
  for (std::size_t piece : {std::size_t{1}, std::size_t{4}, wire.size()}) {
    EXPECT_EQ(decode(wire, piece, {UINT64_MAX, UINT64_MAX, 12}).last, step::done) << piece;
    EXPECT_EQ(decode(wire, piece, {UINT64_MAX, UINT64_MAX, 11}).last, step::trailer_limit) << piece;
    EXPECT_EQ(decode(wire, piece, {UINT64_MAX, UINT64_MAX, 5}).last, step::trailer_limit) << piece;
  }
  EXPECT_EQ(decode("0\r\n\r\n", 5, {UINT64_MAX, UINT64_MAX, 2}).last, step::done);
  EXPECT_EQ(decode("0\r\n\r\n", 5, {UINT64_MAX, UINT64_MAX, 1}).last, step::trailer_limit);
  // A trailer line that is still short of the limit is waited for.
  EXPECT_EQ(decode("0\r\nX: 1", 100, {UINT64_MAX, UINT64_MAX, 12}).last, step::more);
}

TEST(http1_chunked_decoder, trailers_are_counted_not_interpreted) {
  // Framing fields in the trailers have no effect (RFC 9110 §6.5.1): counted like any other.
  const outcome o = decode(
      "2\r\nab\r\n0\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\nConnection: close\r\nX-Empty:\r\n\r\n", 7);
  EXPECT_EQ(o.last, step::done);
  EXPECT_EQ(o.body, "ab");
  EXPECT_EQ(o.trailer_fields, 4u);
  EXPECT_EQ(o.left, "");
}

TEST(http1_chunked_decoder, empty_body_at_every_split) {
  const std::string wire = "000;a=\"b\"\r\nT: 1\r\n\r\nNEXT";
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    const outcome o = decode(wire, piece);
    ASSERT_EQ(o.last, step::done) << piece;
    EXPECT_EQ(o.body, "");
    EXPECT_EQ(o.trailer_fields, 1u);
    EXPECT_EQ(o.left, "NEXT") << piece;
  }
}

}  // namespace
}  // namespace gw::http1
