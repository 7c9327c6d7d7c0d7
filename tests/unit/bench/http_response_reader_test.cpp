#include "bench/gateway_bench/http_response_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gw::bench {
namespace {

using result = http_response_reader::result;

struct outcome {
  result last = result::need_more;
  std::string body;
  std::string leftover;
};

// Feeds `pieces` in order; stops at complete or error.
outcome drive(http_response_reader& r, const std::vector<std::string>& pieces, bool eof = false) {
  outcome o;
  for (const auto& p : pieces) {
    std::string_view in = p, body;
    for (;;) {
      o.last = r.next(in, body);
      if (o.last == result::body) {
        o.body += body;
        continue;
      }
      break;
    }
    if (o.last == result::complete || o.last == result::error) {
      o.leftover = std::string(in);
      return o;
    }
  }
  if (eof) o.last = r.on_eof();
  return o;
}

// Every way of cutting `wire` in two (and into single bytes) gives the same result.
void expect_all_splits(const std::string& wire, int status, const std::string& body, bool keep_alive,
                       bool eof = false) {
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    http_response_reader r;
    const auto o = drive(r, {wire.substr(0, cut), wire.substr(cut)}, eof);
    ASSERT_EQ(o.last, result::complete) << "cut " << cut << ": " << r.error();
    EXPECT_EQ(r.status(), status);
    EXPECT_EQ(o.body, body) << "cut " << cut;
    EXPECT_EQ(r.keep_alive(), keep_alive);
  }
  std::vector<std::string> bytes;
  for (char c : wire) bytes.emplace_back(1, c);
  http_response_reader r;
  const auto o = drive(r, bytes, eof);
  ASSERT_EQ(o.last, result::complete) << r.error();
  EXPECT_EQ(o.body, body);
}

TEST(bench_http_response_reader, content_length_body) {
  expect_all_splits("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bcd\"}",
                    200, "{\"a\":\"bcd\"}", true);
}

TEST(bench_http_response_reader, chunked_body_with_extensions_and_trailers) {
  expect_all_splits(
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
      "6\r\ndata: \r\n9;ext=1\r\n{\"x\":1}\n\n\r\n0\r\nX-Trailer: t\r\n\r\n",
      200, "data: {\"x\":1}\n\n", true);
}

TEST(bench_http_response_reader, close_delimited_body_ends_at_eof) {
  expect_all_splits("HTTP/1.0 200 OK\r\n\r\nhello", 200, "hello", false, true);
}

TEST(bench_http_response_reader, connection_close_and_http10_keep_alive) {
  {
    http_response_reader r;
    const auto o = drive(r, {"HTTP/1.1 429 Too Many\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno"});
    EXPECT_EQ(o.last, result::complete);
    EXPECT_EQ(r.status(), 429);
    EXPECT_FALSE(r.keep_alive());
  }
  {
    http_response_reader r;
    const auto o = drive(r, {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"});
    EXPECT_EQ(o.last, result::complete);
    EXPECT_TRUE(r.keep_alive());
  }
}

TEST(bench_http_response_reader, continue_then_final_response) {
  http_response_reader r;
  const auto o = drive(r, {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"});
  EXPECT_EQ(o.last, result::complete);
  EXPECT_EQ(r.status(), 204);
  EXPECT_TRUE(o.body.empty());
}

TEST(bench_http_response_reader, leftover_bytes_stay_in_the_input) {
  http_response_reader r;
  const auto o = drive(r, {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"});
  EXPECT_EQ(o.last, result::complete);
  EXPECT_EQ(o.body, "ok");
  EXPECT_EQ(o.leftover, "EXTRA");
}

TEST(bench_http_response_reader, reset_reads_the_next_response) {
  http_response_reader r;
  ASSERT_EQ(drive(r, {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"}).last, result::complete);
  r.reset();
  EXPECT_FALSE(r.started());
  const auto o = drive(r, {"HTTP/1.1 503 Busy\r\nContent-Length: 1\r\n\r\nb"});
  EXPECT_EQ(o.last, result::complete);
  EXPECT_EQ(r.status(), 503);
  EXPECT_EQ(o.body, "b");
}

TEST(bench_http_response_reader, malformed_responses_are_errors) {
  const char* bad[] = {
      "HTTP/2 200\r\n\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
  };
  for (const char* wire : bad) {
    http_response_reader r;
    EXPECT_EQ(drive(r, {wire}).last, result::error) << wire;
    EXPECT_FALSE(r.error().empty());
  }
}

TEST(bench_http_response_reader, eof_before_the_end_is_an_error) {
  {
    http_response_reader r;
    const auto o = drive(r, {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}, true);
    EXPECT_EQ(o.last, result::error);
    EXPECT_TRUE(r.started());
  }
  {
    http_response_reader r;
    const auto o = drive(r, {}, true);
    EXPECT_EQ(o.last, result::error);
    EXPECT_FALSE(r.started());
  }
}

TEST(bench_http_response_reader, huge_headers_are_refused) {
  http_response_reader r;
  std::string wire = "HTTP/1.1 200 OK\r\n";
  wire += "X-Big: " + std::string(http_response_reader::max_header_bytes, 'a') + "\r\n\r\n";
  EXPECT_EQ(drive(r, {wire}).last, result::error);
}

}  // namespace
}  // namespace gw::bench
