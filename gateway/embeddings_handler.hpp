#pragma once
// POST /v1/embeddings: validate, plan the route like a completion, then embed on the model's
// local pool (batched into engine steps with whatever else is running) or, for a remote
// target, forward to the provider and relay its answer.

#include <boost/asio/awaitable.hpp>

#include "gateway/request_context.hpp"
#include "gateway/http_exchange.hpp"

namespace gw {

boost::asio::awaitable<void> serve_embeddings(request_context& cx, incoming_request& req, response_sink& sink,
                                              exchange_record& rec);

}  // namespace gw
