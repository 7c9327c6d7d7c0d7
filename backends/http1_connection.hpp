#pragma once
// The state of the plain-http client (backends/http1_client.cpp): one TCP connection, and one
// transfer (a request and its response) on it. Internal to that file.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "backends/http1_request.hpp"
#include "backends/http1_response.hpp"
#include "backends/upstream_client.hpp"
#include "backends/reactor_read.hpp"

namespace gw {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;

class http1_client_impl;
struct h1_transfer;

// One TCP connection. While pooled, and while a transfer uses it, one reactor read is pending:
// pooled, it notices the server closing; in use, it reads the response into `pending`.
struct h1_connection final : read_target {
  h1_connection(asio::any_io_executor ex, std::string origin) : sock(ex), origin(std::move(origin)) {}
  tcp::socket sock;
  std::string origin;   // "host:port": its pool
  std::string pending;  // received, not yet parsed (after a parse, a partial head or chunk-size line)
  http1_response response;
  std::shared_ptr<h1_transfer> transfer;  // null while pooled
  bool waiting = false;
  bool writing = false;  // a request is still going out: not reusable before it is sent
  bool reused = false;   // carried a response before the current one
  bool closed = false;

  void append(std::string_view bytes) override { pending.append(bytes); }

  void close() {
    closed = true;
    error_code ec;
    sock.close(ec);  // cancels the pending wait and write
  }
};

struct h1_transfer final : upstream_transfer, http1_response::events {
  h1_transfer(http1_client_impl* o, asio::any_io_executor ex) : owner(o), timer(ex) {}
  void abort() override;
  void on_head(int status, std::string_view retry_after) override;
  bool on_body(std::string_view bytes) override;

  http1_client_impl* owner;  // null once the transfer ended or the client is gone
  std::shared_ptr<const plain_http_url> where;  // shared with the client's cache of parsed URLs
  upstream_request req;
  upstream_handlers handlers;
  std::string head;  // the request line and header block
  std::shared_ptr<h1_connection> conn;
  asio::steady_timer timer;
  clock_type::time_point connect_due, first_byte_due, total_due, last_body;
  upstream_result result;
  bool connecting = false;
  bool got_body = false;
  bool got_bytes = false;  // any response byte on the current connection
  bool request_out = false;  // the request was (partly) written on the current connection
  bool resent = false;
  bool aborted = false;
  int in_parser = 0;  // handlers are running inside the response parser
};

}  // namespace gw
