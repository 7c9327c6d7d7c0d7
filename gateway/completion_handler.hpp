#pragma once
// POST /v1/chat/completions and /v1/completions: validate, plan the route, submit to the model's
// engine pool, then answer with one JSON body or a stream of SSE chunks.

#include <boost/asio/awaitable.hpp>

#include "gateway/request_context.hpp"
#include "gateway/http_exchange.hpp"
#include "gateway/openai_json.hpp"

namespace gw {

boost::asio::awaitable<void> serve_completion(request_context& cx, api_kind kind, incoming_request& req,
                                              response_sink& sink, exchange_record& rec);

}  // namespace gw
