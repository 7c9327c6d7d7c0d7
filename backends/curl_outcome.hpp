#pragma once
// How the upstream client reads what curl reports about a transfer: which failure it was (and
// its name, to_string(upstream_errc), defined here), and the Retry-After a response carried.
// Internal to backends/curl_client.cpp and its tests: no other file sees curl
// (parse_retry_after, which does not, serves the HTTP/1.1 client too).

#include <curl/curl.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <string_view>

#include "backends/upstream_client.hpp"

namespace gw {

// The failure a finished transfer reports. `timed_out` is the client's own deadline that stopped
// it (or none). A deadline or curl's timeout that fires before the connection, TLS handshake
// included, is set up reads as timeout_connect, whatever the timer was called.
upstream_errc classify_curl(CURLcode code, CURL* easy, upstream_errc timed_out);

// A Retry-After header value (RFC 9110: delay-seconds or an HTTP-date), with surrounding blanks
// and line endings allowed; nullopt when it is neither. A date in the past means 0. `now` is the
// wall clock (time(nullptr)), passed in for tests. Capped at one day.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now);

}  // namespace gw
