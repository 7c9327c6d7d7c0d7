#pragma once
// HTTP(S) client for upstreams (remote providers, local inference servers), on the gateway's
// reactor: no thread per transfer, nothing blocks. Two transports behind one interface: plain
// http goes through the built-in HTTP/1.1 client (backends/http1_client), https (and http behind
// a proxy) through libcurl (backends/curl_client). Both keep connections alive for reuse, and
// report the same handlers, deadlines and error kinds.
//
// Thread-safety: reactor thread only. Handlers may call abort() freely.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gw {

struct upstream_timeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds first_byte{60000};  // from start to the first body byte
  std::chrono::milliseconds idle{30000};        // between two body chunks
  std::chrono::milliseconds total{600000};
};

struct upstream_request {
  std::string url;
  bool post = true;
  std::string body;                  // sent with POST
  std::vector<std::string> headers;  // "Name: value"
  upstream_timeouts timeouts;
  std::string ca_file;  // CA bundle for TLS verification; empty: the system's
};

enum class upstream_errc {
  none,
  connect_failed,      // resolve or TCP connect failed
  tls_failed,          // handshake or certificate verification failed
  timeout_connect,
  timeout_first_byte,
  timeout_idle,
  timeout_total,
  transfer_failed,     // the connection broke or the response was malformed
};
const char* to_string(upstream_errc e);

struct upstream_result {
  upstream_errc error = upstream_errc::none;
  long status = 0;                                // HTTP status; 0 if none arrived
  std::optional<std::chrono::seconds> retry_after;  // from a Retry-After header
  std::string detail;                             // curl's text: for logs, never for clients
};

struct upstream_handlers {
  std::function<void(long status)> on_status;        // once the response headers are in
  std::function<void(std::string_view)> on_body;     // body bytes as they arrive
  std::function<void(const upstream_result&)> on_done;  // exactly once, unless aborted
  // Kept alive as long as the handlers: what they point to. Handlers that capture one raw
  // pointer fit std::function's inline storage; three captured shared_ptrs took three
  // allocations per upstream request.
  std::shared_ptr<void> owner;
};

class upstream_transfer {
 public:
  virtual ~upstream_transfer() = default;
  // Stops the transfer; no handler runs afterwards. Safe from inside a handler.
  virtual void abort() = 0;
};

class curl_client;
class http1_client;
struct plain_http_url;

struct upstream_client_options {
  // Plain-http URLs go through the built-in HTTP/1.1 client (backends/http1_client), unless the
  // environment names an HTTP proxy (http_proxy, all_proxy), which only libcurl honours.
  bool native_http1 = true;
};

class upstream_client {
 public:
  explicit upstream_client(boost::asio::any_io_executor reactor, upstream_client_options opts = {});
  ~upstream_client();
  upstream_client(const upstream_client&) = delete;
  upstream_client& operator=(const upstream_client&) = delete;

  // Starts a transfer. The handle may be dropped; abort() through it stops the transfer.
  std::shared_ptr<upstream_transfer> start(upstream_request req, upstream_handlers handlers);

  std::size_t active_transfers() const;

 private:
  std::shared_ptr<const plain_http_url> plain_http(const std::string& url);

  std::unique_ptr<curl_client> curl_;
  std::unique_ptr<http1_client> http1_;  // null: every URL goes through libcurl
  std::unordered_map<std::string, std::shared_ptr<const plain_http_url>> parsed_;
};

}  // namespace gw
