#pragma once
// The upstream client's transport for plain-http upstreams (local inference servers, providers
// reached over a private network): HTTP/1.1 on the gateway's reactor with a keep-alive
// connection pool, with the same handlers, deadlines and error kinds as the libcurl transport
// (backends/upstream_client) that serves https. It exists for speed: per proxied request libcurl
// cost two poll() liveness checks, timer callbacks and about 13% of the gateway's CPU at load.
//
// Pooled connections keep a wait for readability pending, so a server closing an idle one is
// seen at once and the connection dropped. A request that finds its reused connection closed
// before any response byte is sent once more on a new connection, except a POST that was
// written: the server may have acted on it, so it fails (transfer_failed) and the caller's
// retries decide. A POST thus reaches the upstream at most once per start().
// Reactor thread only; abort() is safe from inside a handler.

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "backends/http1_request.hpp"
#include "backends/upstream_client.hpp"

namespace gw {

class http1_client_impl;

class http1_client {
 public:
  explicit http1_client(boost::asio::any_io_executor reactor);
  ~http1_client();
  http1_client(const http1_client&) = delete;
  http1_client& operator=(const http1_client&) = delete;

  std::shared_ptr<upstream_transfer> start(std::shared_ptr<const plain_http_url> where, upstream_request req,
                                           upstream_handlers handlers);

  std::size_t active_transfers() const;
  std::size_t idle_connections() const;  // pooled, open, carrying no request

 private:
  std::unique_ptr<http1_client_impl> impl_;
};

}  // namespace gw
