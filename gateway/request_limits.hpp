#pragma once
// Checks on a request head that Beast 1.81's parser leaves to its user, made before any body
// byte is read. Pure: no I/O, unit-tested on hand-made heads.
//
// Framing is where request smuggling lives (a proxy in front and this server disagreeing on
// where a body ends), so anything but the one unambiguous form is refused and the connection
// closed: Transfer-Encoding must be exactly `chunked`, never beside Content-Length, never on
// HTTP/1.0, never repeated.

#include <boost/beast/http/message.hpp>
#include <optional>

#include "gateway/api_error.hpp"
#include "gateway/config.hpp"

namespace gw {

std::optional<api_error> check_request_head(const boost::beast::http::request_header<>& head,
                                            const server_config& limits);

// Header and trailer fields together (trailers join the fields once a chunked body is read).
std::optional<api_error> check_field_count(const boost::beast::http::request_header<>& head,
                                           const server_config& limits);

}  // namespace gw
