#pragma once
// The upstream client's transport for https (and for plain http behind an HTTP proxy): libcurl's
// multi interface driven by the gateway's reactor. curl's socket and timer callbacks become Asio
// waits, so there is no thread per transfer and nothing blocks. Connections are reused through
// the multi handle's cache; HTTP/2 is negotiated (and multiplexed) where the upstream offers it;
// TLS peer and host verification are always on.
//
// Reactor thread only. Handlers run on the reactor, never inside a curl call's stack in a way
// that could re-enter curl: they may call abort() freely.

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "backends/upstream_client.hpp"

namespace gw {

class curl_client_impl;

class curl_client {
 public:
  explicit curl_client(boost::asio::any_io_executor reactor);
  ~curl_client();
  curl_client(const curl_client&) = delete;
  curl_client& operator=(const curl_client&) = delete;

  std::shared_ptr<upstream_transfer> start(upstream_request req, upstream_handlers handlers);
  std::size_t active_transfers() const;

 private:
  std::unique_ptr<curl_client_impl> impl_;
};

}  // namespace gw
