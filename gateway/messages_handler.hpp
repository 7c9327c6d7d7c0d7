#pragma once
// POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API in front of the chat
// pipeline. The body is translated to a chat request (anthropic_request.hpp) and served by
// serve_completion, so policy, limits, keys, routes, metrics and logs are the chat API's; the
// answer comes back through an anthropic_sink, which writes it in Anthropic's shapes.

#include <boost/asio/awaitable.hpp>

#include "gateway/anthropic_sink.hpp"
#include "gateway/http_exchange.hpp"
#include "gateway/request_context.hpp"

namespace gw {

// `front` wraps the client's sink for the whole exchange (the router's refusals go through it).
boost::asio::awaitable<void> serve_messages(request_context& cx, incoming_request& req, anthropic_sink& front,
                                            exchange_record& rec);

// {"input_tokens": N}: the gateway's count of the translated prompt (the count the route plan
// and the key's token limits use), without calling an engine.
boost::asio::awaitable<void> serve_count_tokens(request_context& cx, incoming_request& req, anthropic_sink& front,
                                                exchange_record& rec);

}  // namespace gw
