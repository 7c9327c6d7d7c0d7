#pragma once
// Accepts connections on the configured address and runs one session coroutine per client.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/request_context.hpp"

namespace gw {

// Runs until the acceptor is closed (shutdown) or fails.
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor, request_context& cx);

}  // namespace gw
