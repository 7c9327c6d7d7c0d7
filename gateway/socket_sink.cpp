#include "gateway/socket_sink.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>

#include "gateway/response_head.hpp"

namespace gw {

namespace asio = boost::asio;
constexpr std::string_view server_name = "inference-gateway";

namespace {

// The heads are rendered outside the coroutines: a response_head (its fields inline) in a
// coroutine's frame would make the frame too large for Asio to recycle.
std::string answer_head(unsigned status, unsigned version, std::string_view content_type, const header_list& common,
                        const header_list& extra, bool keep_alive, std::size_t length) {
  response_head head(status, version);
  head.set("Server", server_name);
  head.set("Content-Type", content_type);
  head.set_all(common);
  head.set_all(extra);
  return head.render(body_framing::length, keep_alive, length);
}

std::string events_head(unsigned version, const header_list& common, const header_list& extra, bool chunked,
                        bool keep_alive) {
  response_head head(200, version);
  head.set("Server", server_name);
  head.set("Content-Type", "text/event-stream");
  head.set("Cache-Control", "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx: pass each event on as it comes
  head.set_all(common);
  head.set_all(extra);
  return head.render(chunked ? body_framing::chunked : body_framing::close, keep_alive);
}

}  // namespace

// Most writes fit the socket's send buffer, so one non-blocking send does it, with no reactor
// operation and no timer. What does not fit goes out through the stream under the write
// deadline, which each write gets anew: a long generation must not hit one set long ago.
template <std::size_t N>
asio::awaitable<bool> socket_sink::write_all(std::array<asio::const_buffer, N> bufs) {
  boost::system::error_code ec;
  std::size_t sent = stream_.socket().write_some(bufs, ec);  // the session made it non-blocking
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    sent = 0;
  }
  if (!ec && sent < asio::buffer_size(bufs)) {
    for (auto& b : bufs) {
      const std::size_t k = std::min(sent, b.size());
      b += k;
      sent -= k;
    }
    stream_.expires_after(write_timeout_);
    std::tie(ec, std::ignore) = co_await asio::async_write(stream_, bufs, asio::as_tuple(asio::use_awaitable));
  }
  if (ec) failed_ = true;
  co_return !ec;
}

asio::awaitable<bool> socket_sink::send(unsigned status, std::string_view content_type, std::string body,
                                        const header_list& extra) {
  const std::string h = answer_head(status, version_, content_type, common_, extra, keep_alive_, body.size());
  started_ = true;
  // Buffers are named locals, never braced temporaries inside co_await: GCC 12 destroys such
  // temporaries twice across the suspension.
  const std::array<asio::const_buffer, 2> bufs{asio::buffer(h), asio::buffer(body)};
  co_return co_await write_all(bufs);
}

asio::awaitable<bool> socket_sink::start_events(const header_list& extra) {
  // HTTP/1.0 has no chunked encoding: the stream's end is the connection's end.
  chunked_ = version_ >= 11;
  if (!chunked_) keep_alive_ = false;
  started_ = true;
  // The head waits for the first event and goes out in the same write: a client then reads the
  // status and its first token in one segment, and a stream start costs one syscall less.
  pending_head_ = events_head(version_, common_, extra, chunked_, keep_alive_);
  co_return true;
}

asio::awaitable<bool> socket_sink::send_events(std::string_view sse) {
  const std::string head = std::exchange(pending_head_, {});
  if (!chunked_ || sse.empty()) {  // an empty chunk would end the body
    const std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(sse)};
    co_return co_await write_all(bufs);
  }
  char size_line[20];  // the chunk's size in hex, CRLF
  char* end = std::to_chars(size_line, size_line + 16, sse.size(), 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  const std::array<asio::const_buffer, 4> bufs{asio::buffer(head), asio::buffer(size_line, end - size_line),
                                               asio::buffer(sse), asio::buffer("\r\n", 2)};
  co_return co_await write_all(bufs);
}

asio::awaitable<bool> socket_sink::end_events() {
  if (!chunked_ && pending_head_.empty()) co_return true;  // the connection's close ends the body
  const std::string head = std::exchange(pending_head_, {});
  const std::string_view last = chunked_ ? "0\r\n\r\n" : "";
  const std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(last)};
  co_return co_await write_all(bufs);
}

}  // namespace gw
