#pragma once
// Checks on a request head that Beast 1.81's parser leaves to its user, made before any body
// byte is read. Pure: no I/O, unit-tested on hand-made heads.
//
// Framing is where request smuggling lives (a proxy in front and this server disagreeing on
// where a body ends), so anything but the one unambiguous form is refused and the connection
// closed: Transfer-Encoding must be exactly `chunked`, never beside Content-Length, never on
// HTTP/1.0, never repeated.

#include <cstddef>
#include <optional>
#include <string>

#include "gateway/api_error.hpp"
#include "gateway/config.hpp"

namespace gw {

// What the checks read of a request head (gateway/request_parser collects it).
struct request_framing {
  unsigned version = 11;
  std::size_t target_bytes = 0;
  std::size_t field_count = 0;  // header fields, and trailers once a chunked body is read
  unsigned transfer_encoding_count = 0;
  unsigned content_length_count = 0;
  std::string transfer_encoding;  // the first Transfer-Encoding field's value
};

std::optional<api_error> check_request_head(const request_framing& head, const server_config& limits);

// Header and trailer fields together.
std::optional<api_error> check_field_count(const request_framing& head, const server_config& limits);

}  // namespace gw
