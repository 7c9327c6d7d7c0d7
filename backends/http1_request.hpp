#pragma once
// A request as the built-in HTTP/1.1 client (backends/http1_client) puts it on the wire. Pure.
// parse_plain_http_url splits an http:// URL into where to connect, the Host header and the
// request target. Only plain, simple URLs qualify; anything else (https, user:password@, a
// malformed authority) yields nullopt and goes through libcurl instead.

#include <optional>
#include <string>
#include <string_view>

#include "backends/upstream_client.hpp"

namespace gw {

struct plain_http_url {
  std::string host;         // a name, an IPv4 address, or an IPv6 address without brackets
  std::string port;         // "80" when the URL has none
  std::string host_header;  // the authority as written: "[::1]:8000", "vllm.internal"
  std::string target;       // path and query, "/" at least; no fragment
  std::string origin;       // "host:port", the key of the connection pool
};

std::optional<plain_http_url> parse_plain_http_url(std::string_view url);

// The request line and header block: the caller's headers as given, Host, and Content-Length
// for a POST (whose body follows the head).
std::string http1_request_head(const plain_http_url& where, const upstream_request& req);

}  // namespace gw
