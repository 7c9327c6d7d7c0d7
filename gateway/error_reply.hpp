#pragma once
// Sending an OpenAI error envelope, as a whole response or (after a stream started) as the
// stream's one final error event; and the mapping from engine failures to client errors.

#include <boost/asio/awaitable.hpp>
#include <string>

#include "engine/generation.hpp"
#include "gateway/api_error.hpp"
#include "gateway/http_exchange.hpp"

namespace gw {

// `detail` is client-safe text from the producer (an upstream's own 4xx message).
api_error to_api_error(engine_errc e, unsigned retry_after_s, const std::string& detail = {});

// Sends `e` with its status (and Retry-After when set) and records it in `rec`.
boost::asio::awaitable<bool> send_error(response_sink& sink, exchange_record& rec, const api_error& e,
                                        const header_list& extra);

// send_error for a caller that is not a coroutine (a handler deciding before it suspends): the
// error and headers live in this coroutine's own short frame.
boost::asio::awaitable<void> reply_error(response_sink& sink, exchange_record& rec, api_error e, header_list extra);

// The SSE frame that ends a started stream with `e`.
std::string error_event(const api_error& e);

}  // namespace gw
