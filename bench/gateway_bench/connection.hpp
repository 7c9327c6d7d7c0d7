#pragma once
// One HTTP/1.1 keep-alive client connection of gateway-bench, and the request it is running:
// connect when closed, write the request, read the response incrementally (chunked or sized
// body, SSE events scanned as they arrive), and fill the request's record. Reused for the next
// request while the server keeps it open; a reused connection that the server closed before
// answering is reconnected and the request sent again, once. Between requests it can be held
// idle (hold()), watching for the server closing it.
// Runs on one io_context thread; not thread-safe. The owner must keep the connection alive
// until run() returns.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/gateway_bench/chunk_scan.hpp"
#include "bench/gateway_bench/client_stream.hpp"
#include "bench/gateway_bench/http_response_reader.hpp"
#include "bench/gateway_bench/metrics.hpp"
#include "bench/gateway_bench/progress.hpp"
#include "bench/gateway_bench/sse_scanner.hpp"
#include "bench/gateway_bench/workload.hpp"

namespace gw::bench {

// Nanoseconds since the run's start, on steady_clock (the origin is shared by every thread).
struct run_clock {
  std::chrono::steady_clock::time_point origin = std::chrono::steady_clock::now();
  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - origin).count();
  }
};

// Where requests go; built once from the options, shared read-only by every connection.
struct target {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  std::string head;  // request line and headers, ending with "Content-Length: "
  bool stream = true;
  bool messages = false;  // Anthropic's Messages API: its events end with message_stop, not [DONE]
  std::int64_t connect_timeout_ns = 10'000'000'000;
  std::int64_t request_timeout_ns = 0;  // 0: none
  progress_counters* live = nullptr;    // counts connections open and content chunks (or null)
  const tls_settings* tls = nullptr;    // https: TLS over every connection (null: plain http)
};

// The request line and headers for `o` (user headers replace the defaults of the same name).
std::string build_request_head(const bench_options& o);

class connection {
 public:
  static constexpr std::size_t read_buffer_bytes = 8192;

  connection(const boost::asio::any_io_executor& ex, const target& t, const run_clock& clock);

  // Runs `req` on this connection. `rec.start_ns` must be set by the caller (when the request was
  // issued); everything else in `rec` is filled here, and itl_ms() holds the request's gaps.
  boost::asio::awaitable<void> run(const request_spec& req, request_record& rec);

  // Called from outside run() (the shard's ticker): closes the socket so that the running
  // request ends at once and is recorded as `why` (timeout, or connect for a connect timeout).
  void abort(error_kind why);
  void close();

  // Holds the open connection without a request until release() or close() (false), or until
  // the server closes it or sends unrequested bytes (true; error_detail() says which, and the
  // connection is closed). `until_ns` is when the owner means to release it (holding_until()).
  // A connection the server already closed after its last response counts as closed (true).
  boost::asio::awaitable<bool> hold(std::int64_t until_ns);
  void release();  // ends hold() with false, the connection staying open
  std::int64_t holding_until() const { return hold_until_ns_; }  // 0: not held

  bool busy() const { return busy_; }
  bool connecting() const { return connecting_; }
  std::int64_t deadline_ns() const { return deadline_ns_; }  // 0: none
  const std::vector<float>& itl_ms() const { return itl_ms_; }
  const std::string& error_detail() const { return detail_; }  // why the last request failed
  request_spec& scratch() { return scratch_; }                  // the caller's request buffer

 private:
  enum class outcome { finished, retry };
  boost::asio::awaitable<boost::system::error_code> connect(std::int64_t start_ns);
  boost::asio::awaitable<outcome> exchange(const request_spec& req, request_record& rec, bool reused);
  chunk_info scan(std::string_view data);
  void on_body(std::string_view body, std::int64_t t, request_record& rec);
  void finish(std::int64_t t, request_record& rec);
  void fail(request_record& rec, error_kind kind, std::int64_t t, std::string detail);

  client_stream stream_;
  const target& target_;
  const run_clock& clock_;
  std::unique_ptr<char[]> buffer_;
  http_response_reader reader_;
  sse_scanner sse_;
  std::string body_;  // non-streaming body, or the start of an error body
  std::vector<float> itl_ms_;
  std::string detail_;
  request_spec scratch_;
  char length_line_[32] = {};
  // Per request.
  std::int64_t deadline_ns_ = 0;
  std::int64_t last_content_ns_ = -1;
  std::uint32_t content_chunks_ = 0;
  error_kind aborted_ = error_kind::none;
  std::int64_t hold_until_ns_ = 0;
  bool busy_ = false;
  bool connecting_ = false;
  bool counted_open_ = false;  // counted in target_.live->connections
  bool done_seen_ = false;
  bool error_seen_ = false;
  bool usage_seen_ = false;
};

}  // namespace gw::bench
