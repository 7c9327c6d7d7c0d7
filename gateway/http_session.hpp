#pragma once
// One client connection: an HTTP/1.1 keep-alive loop on the reactor, as one coroutine frame.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <exception>
#include <functional>

#include "gateway/request_context.hpp"

namespace gw {

// Serves the connection on its executor until it ends; `done` then gets the exception that
// escaped the session, or null.
void spawn_session(boost::asio::ip::tcp::socket socket, request_context& cx, std::function<void(std::exception_ptr)> done);

// Answers a connection over server.max_connections with 503 (Retry-After: 1) and closes it,
// so that the client learns why instead of waiting in the accept backlog.
boost::asio::awaitable<void> refuse_connection(boost::asio::ip::tcp::socket socket, request_context& cx);

}  // namespace gw
