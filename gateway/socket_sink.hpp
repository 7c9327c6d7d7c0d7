#pragma once
// The response_sink of a client connection (gateway/http_session.cpp).

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <string>

#include "gateway/http_exchange.hpp"

namespace gw {

// Writes the responses for one request onto the connection's stream. Heads are written by hand
// (response_head) and go out with the body, or with an event stream's first event, in one send.
class socket_sink final : public response_sink {
 public:
  socket_sink(boost::beast::tcp_stream& stream, unsigned version, bool keep_alive, std::chrono::seconds write_timeout)
      : stream_(stream), version_(version), keep_alive_(keep_alive), write_timeout_(write_timeout) {}

  boost::asio::awaitable<bool> send(unsigned status, std::string_view content_type, std::string body,
                                    const header_list& extra) override;
  boost::asio::awaitable<bool> start_events(const header_list& extra) override;
  boost::asio::awaitable<bool> send_events(std::string_view sse) override;
  boost::asio::awaitable<bool> end_events() override;

  bool started() const override { return started_; }
  void drop() override { failed_ = true; }
  bool reusable() const { return keep_alive_ && !failed_; }
  // Headers every response of this exchange carries (CORS).
  void set_common(header_list h) { common_ = std::move(h); }
  // A draining gateway answers this request, then closes the connection.
  void close_after() { keep_alive_ = false; }

 private:
  template <std::size_t N>
  boost::asio::awaitable<bool> write_all(std::array<boost::asio::const_buffer, N> bufs);

  boost::beast::tcp_stream& stream_;
  unsigned version_;
  bool keep_alive_;
  std::chrono::seconds write_timeout_;
  header_list common_;
  std::string pending_head_;  // an event stream's head, not yet written
  bool chunked_ = false;
  bool started_ = false;
  bool failed_ = false;
};

}  // namespace gw
