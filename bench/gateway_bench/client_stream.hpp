#pragma once
// The byte stream of one gateway-bench connection: a plain TCP socket, or TLS over one
// (https:// targets). It is an Asio AsyncReadStream/AsyncWriteStream whose operations pick the
// transport with a branch when they start, so the plain path (10,000+ connections) has no
// virtual call, no extra coroutine frame and no TLS state. Each connect() makes a fresh TLS
// stream; the TLS session then lives as long as the keep-alive connection.
// Runs on one io_context thread; not thread-safe.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/gateway_bench/tls_client.hpp"

namespace gw::bench {

class client_stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  // `tls` null: plain TCP. Otherwise it must outlive the stream.
  client_stream(const executor_type& ex, const tls_settings* tls) : socket_(ex), tls_(tls) {}

  executor_type get_executor() { return socket_.get_executor(); }
  bool is_open() const { return tls_stream_ ? tls_stream_->next_layer().is_open() : socket_.is_open(); }

  // Connects to the first endpoint that accepts (TCP_NODELAY), then, for TLS, does the client
  // handshake (SNI, certificate and host name verification). On failure `detail` says what
  // failed ("connect: ...", "TLS: certificate verify failed: ...").
  boost::asio::awaitable<boost::system::error_code> connect(const std::vector<boost::asio::ip::tcp::endpoint>& eps,
                                                            std::string& detail);

  // Closes the socket at once: no TLS close_notify, so that an abort or the end of a run never
  // waits on a peer. Pending operations end with operation_aborted.
  void close();
  void cancel();  // ends pending operations with operation_aborted, the connection staying open

  // True for the end of the peer's data: a TCP FIN, or a TLS close without close_notify (which
  // many servers do; the HTTP framing decides whether the response was complete).
  static bool is_eof(const boost::system::error_code& ec) {
    return ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated;
  }

  template <typename MutableBufferSequence, typename Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          if (tls_stream_) tls_stream_->async_read_some(b, std::move(handler));
          else socket_.async_read_some(b, std::move(handler));
        },
        token, buffers);
  }

  // With several buffers, the TLS stream gathers up to 8 KiB of them into one record.
  template <typename ConstBufferSequence, typename Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          if (tls_stream_) tls_stream_->async_write_some(b, std::move(handler));
          else socket_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

 private:
  boost::asio::ip::tcp::socket socket_;  // the plain transport (unused with TLS)
  const tls_settings* tls_;
  std::unique_ptr<tls_stream> tls_stream_;  // TLS: a fresh one per connect()
};

}  // namespace gw::bench
