#pragma once
// Maps method and path to a handler: the OpenAI API, health, readiness and metrics.

#include <boost/asio/awaitable.hpp>

#include "gateway/request_context.hpp"
#include "gateway/http_exchange.hpp"

namespace gw {

// True for routes that generate tokens: the session watches those for a vanished client.
bool is_generation_route(const incoming_request& req);

// The metrics label for a path: known routes by name, anything else "other" (bounded labels).
std::string_view endpoint_label(const std::string& path);  // a static label

boost::asio::awaitable<void> route_request(request_context& cx, incoming_request& req, response_sink& sink,
                                           exchange_record& rec);

}  // namespace gw
